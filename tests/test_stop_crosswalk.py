"""The crosswalk to Access Now STOP's columns: each rule of the mapping on the events it concerns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from kzshutdowns.events import load_events, load_sources
from kzshutdowns.platforms import load_platforms
from kzshutdowns.stop_crosswalk import STOP_COLUMNS, TRACE_COLUMN, affected, crosswalk, main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def stop() -> pd.DataFrame:
    platforms = load_platforms(REFERENCE / "platforms.csv")
    regions = pd.read_csv(REFERENCE / "regions.csv", dtype=str, keep_default_na=False)
    events = load_events(REFERENCE / "shutdowns.csv", platforms, regions=regions)
    sources = load_sources(REFERENCE / "sources.csv", events)
    return crosswalk(events, sources, platforms, regions).set_index(TRACE_COLUMN, drop=False)


def test_one_row_per_event_with_stop_columns_then_our_id(stop):
    assert list(stop.columns) == [*STOP_COLUMNS, TRACE_COLUMN]
    assert len(stop) == 23 and stop.index.is_unique
    assert (stop["country"] == "Kazakhstan").all()
    assert list(stop["start_date"]) == sorted(stop["start_date"])


def test_platform_block_with_reachable_platforms(stop):
    row = stop.loc["kz-2016-12-16"]
    assert row["facebook_affected"] == row["instagram_affected"] == "yes"
    assert row["twitter_affected"] == "no"  # reported reachable
    assert row["whatsapp_affected"] == row["telegram_affected"] == ""  # not reported either way
    assert row["other_affected"] == "Google; YouTube"
    assert (row["shutdown_type"], row["geo_scope"]) == ("service-based", "national")
    assert row["area_name"] == "Kazakhstan"
    assert (row["start_date"], row["end_date"], row["duration"], row["shutdown_status"]) == (
        "2016-12-16", "2016-12-16", "1", "ended",
    )
    assert row["gov_ack"] == "yes" and "technical reasons" in row["gov_justification"]
    assert "https://ar.globalvoices.org/2016/12/16/48274/" in row["info_source_link"].split(" | ")
    assert row["info_source"] == "Global Voices; KazWorld; Kazinform; Freedom House"


def test_regional_blackout_names_region_and_cities(stop):
    row = stop.loc["kz-2011-12-16a"]
    assert (row["geo_scope"], row["area_name"]) == ("regional", "Mangystau Region; Zhanaozen; Aktau")
    assert (row["shutdown_type"], row["affected_network"]) == ("full network", "mobile; fixed")
    assert row["sms_affected"] == row["phonecall_affected"] == row["facebook_affected"] == "yes"
    assert (row["duration"], row["violence"], row["election"]) == ("5", "yes", "no")
    # Context-only sources are not listed as information sources.
    assert "The Village Kazakhstan" not in row["info_source"]


def test_month_precision_and_unknown_end(stop):
    row = stop.loc["kz-2018-03"]
    assert (row["start_date_type"], row["start_date"]) == ("month", "2018-03-01")
    assert (row["end_date"], row["duration"], row["shutdown_status"]) == ("", "", "unknown")
    assert row["shutdown_type"] == "throttling; service-based"
    assert row["actual_cause"] == "opposition broadcast"


def test_city_events_are_local_and_mobile_data_cuts_affect_platforms(stop):
    row = stop.loc["kz-2020-02-22"]
    assert (row["geo_scope"], row["area_name"], row["affected_network"]) == ("local", "Almaty", "mobile")
    assert row["facebook_affected"] == "yes" and row["phonecall_affected"] == "no"
    assert stop.loc["kz-2021-02-28", "area_name"] == "Almaty; Astana"


def test_elections_and_causes(stop):
    row = stop.loc["kz-2019-06-09"]
    assert row["election"] == "yes"
    assert row["actual_cause"] == "elections; protests"
    assert row["other_affected"] == "News websites; Periscope; VPN services"


@pytest.mark.parametrize(
    ("platform", "blocked", "reachable", "expected"),
    [
        ("facebook", {"facebook"}, set(), "yes"),
        ("facebook", {"internet"}, set(), "yes"),
        ("facebook", {"mobile_internet"}, {"voice"}, "yes"),
        ("twitter", {"facebook"}, {"twitter"}, "no"),
        ("telegram", {"facebook"}, set(), ""),
        ("sms", {"internet"}, set(), ""),
        ("voice", {"internet"}, {"voice"}, "no"),
        ("voice", {"voice"}, set(), "yes"),
    ],
)
def test_affected_rule(platform, blocked, reachable, expected):
    assert affected(platform, blocked, reachable) == expected


def test_cli_writes_the_same_bytes_twice(tmp_path):
    tables = [f"--{flag}={REFERENCE / name}" for flag, name in (
        ("events", "shutdowns.csv"), ("sources", "sources.csv"), ("platforms", "platforms.csv"),
        ("regions", "regions.csv"))]
    outputs = []
    for name in ("one.csv", "two.csv"):
        assert main([*tables, "--output", str(tmp_path / name)]) == 0
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    table = pd.read_csv(tmp_path / "one.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == [*STOP_COLUMNS, TRACE_COLUMN] and len(table) == 23
