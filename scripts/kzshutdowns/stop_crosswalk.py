"""Crosswalk from our event rows to the columns of Access Now's STOP dataset (#KeepItOn).

STOP (Shutdown Tracker Optimization Project) keeps one row per shutdown in a spreadsheet whose
current header is reproduced in :data:`STOP_COLUMNS`. This module turns each row of
``shutdowns.csv`` (with its sources) into one STOP-shaped row, so that our events can be compared
with STOP's or contributed to it, plus a trailing ``kzshutdowns_event_id`` column to trace each row
back. The rules, column by column, are in :func:`stop_row` and in ``docs/stop_crosswalk.md``.
The shutdown types (:data:`SHUTDOWN_TYPES`) follow the three kinds named in STOP's published
definition (full network, throttling, service-based); STOP's cause labels are not documented in the
material we have, so causes use our vocabulary in plain English (:data:`CAUSE_LABELS`) for STOP
maintainers to map to their current labels. Columns we
hold no data for (ordered_by, decision_maker, shutdown_extent, hr_abuse_reported, ...) stay empty
rather than guessed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

import pandas as pd

from kzshutdowns.errors import run_main
from kzshutdowns.events import (
    kazakh_place_names,
    load_reference_tables,
    load_sources,
    parse_partial_date,
    split_list,
)
from kzshutdowns.files import atomic_output

STOP_COLUMNS = (
    "start_date_type", "start_date", "end_date", "duration", "shutdown_status",
    "country", "geo_scope", "area_name", "region",
    "shutdown_type", "affected_network", "shutdown_extent",
    "ordered_by", "decision_maker", "actual_cause", "actual_cause_details", "gov_justification", "gov_ack",
    "info_source", "info_source_link", "an_link",
    "facebook_affected", "twitter_affected", "whatsapp_affected", "instagram_affected", "telegram_affected",
    "other_affected", "sms_affected", "phonecall_affected", "telcos_involved",
    "election", "violence", "hr_abuse_reported", "users_targeted", "users_target_detail", "event",
)
TRACE_COLUMN = "kzshutdowns_event_id"
# Our scope -> STOP's coarse geographic level (older tabs code it Level 1/2/3 = local/regional/national).
GEO_SCOPES = {"national": "national", "regional": "regional", "city": "local"}
# Our measures -> shutdown types, in the order they are listed when an event has several.
SHUTDOWN_TYPES = {
    "full_blackout": "full network",
    "mobile_data_cut": "full network",
    "voice_sms_cut": "full network",
    "platform_block": "service-based",
    "website_block": "service-based",
    "throttling": "throttling",
}
CAUSE_LABELS = {
    "protest": "protests",
    "election": "elections",
    "anniversary_holiday": "national holiday or anniversary",
    "opposition_broadcast": "opposition broadcast",
    "unrest": "unrest",
    "counter_terror": "counter-terrorist operation",
}
# STOP's per-platform columns and the platform id each one stands for.
PLATFORM_COLUMNS = {
    "facebook_affected": "facebook",
    "twitter_affected": "twitter",
    "whatsapp_affected": "whatsapp",
    "instagram_affected": "instagram",
    "telegram_affected": "telegram",
    "sms_affected": "sms",
    "phonecall_affected": "voice",
}
# Connectivity services: when one is cut, every platform used over it is affected too.
CONNECTIVITY = frozenset({"internet", "mobile_internet", "fixed_internet"})
# Network services, reported in affected_network rather than as platforms.
NETWORKS = {"mobile_internet": "mobile", "fixed_internet": "fixed"}
LINK_SEPARATOR = " | "


def affected(platform: str, blocked: set[str], reachable: set[str]) -> str:
    """'yes' if blocked by name or through a connectivity cut, 'no' if reported working, else ''."""
    if platform in blocked or (platform not in {"sms", "voice"} and blocked & CONNECTIVITY):
        return "yes"
    if platform in reachable:
        return "no"
    return ""


def area_name(locations: list[str], region_names: dict[str, str], city_names: dict[int, str]) -> str:
    """Free-text place names as STOP records them: 'Kazakhstan', region names, city names."""
    names = []
    for place in locations:
        if place == "KZ":
            names.append("Kazakhstan")
        elif place.isdigit():
            names.append(city_names.get(int(place), place))
        else:
            names.append(region_names.get(place, place))
    return "; ".join(names)


def duration_days(event: pd.Series) -> str:
    """Whole calendar days from start to end inclusive, when both are known to the day."""
    if event["start_precision"] != "day" or event["end_precision"] != "day":
        return ""
    start = date.fromisoformat(event["start_date"])
    end = date.fromisoformat(event["end_date"])
    return str((end - start).days + 1)


def stop_row(
    event: pd.Series,
    event_sources: pd.DataFrame,
    platform_labels: dict[str, str],
    region_names: dict[str, str],
    city_names: dict[int, str],
) -> dict[str, str]:
    """One STOP row for one event (all cells strings; '' where we have nothing to say)."""
    blocked = set(split_list(event["services_blocked"]))
    reachable = set(split_list(event["services_reachable"]))
    measures = split_list(event["measures"])
    triggers = split_list(event["triggers"])
    start = parse_partial_date(event["start_date"], event["start_precision"])
    end = parse_partial_date(event["end_date"], event["end_precision"]) if event["end_date"] else None
    reports = event_sources[event_sources["role"] == "report"]
    named_elsewhere = set(PLATFORM_COLUMNS.values()) | CONNECTIVITY
    networks = [NETWORKS[service] for service in NETWORKS if service in blocked]
    if "internet" in blocked or "full_blackout" in measures:
        networks = ["mobile", "fixed"]
    elif "mobile_data_cut" in measures and "mobile" not in networks:
        networks.insert(0, "mobile")
    row = {column: "" for column in STOP_COLUMNS}
    row.update({
        "start_date_type": event["start_precision"],
        "start_date": start[0].isoformat() if start else "",
        "end_date": end[1].isoformat() if end else "",
        "duration": duration_days(event),
        "shutdown_status": "ended" if end else "unknown",
        "country": "Kazakhstan",
        "geo_scope": GEO_SCOPES[event["scope"]],
        "area_name": area_name(split_list(event["locations"]), region_names, city_names),
        "shutdown_type": "; ".join(dict.fromkeys(SHUTDOWN_TYPES[measure] for measure in measures)),
        "affected_network": "; ".join(networks),
        "actual_cause": "; ".join(CAUSE_LABELS[trigger] for trigger in triggers),
        "actual_cause_details": event["title"],
        "gov_justification": event["official_explanation"],
        "gov_ack": "yes" if "official_statement" in split_list(event["evidence_types"]) else "no",
        "info_source": "; ".join(dict.fromkeys(reports["publisher"])),
        "info_source_link": LINK_SEPARATOR.join(dict.fromkeys(reports["url"])),
        "other_affected": "; ".join(platform_labels[item] for item in sorted(blocked - named_elsewhere)),
        "election": "yes" if "election" in triggers else "no",
        "violence": "yes" if {"unrest", "counter_terror"} & set(triggers) else "",
        "event": event["title"],
    })
    for column, platform in PLATFORM_COLUMNS.items():
        row[column] = affected(platform, blocked, reachable)
    row[TRACE_COLUMN] = event["event_id"]
    return row


def crosswalk(
    events: pd.DataFrame,
    sources: pd.DataFrame,
    platforms: pd.DataFrame,
    regions: pd.DataFrame,
    city_names: dict[int, str] | None = None,
) -> pd.DataFrame:
    """STOP-shaped rows for all events, ordered by start date and event id."""
    labels = dict(zip(platforms["id"], platforms["label"], strict=True))
    region_names = dict(zip(regions["region_code"], regions["name_en"], strict=True))
    cities = kazakh_place_names() if city_names is None else city_names
    rows = [
        stop_row(event, sources[sources["event_id"] == event["event_id"]], labels, region_names, cities)
        for _, event in events.iterrows()
    ]
    table = pd.DataFrame(rows, columns=[*STOP_COLUMNS, TRACE_COLUMN], dtype="str")
    return table.sort_values(["start_date", TRACE_COLUMN], kind="stable").reset_index(drop=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kzshutdowns stop-crosswalk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", required=True, help="shutdowns.csv (schema beside it)")
    parser.add_argument("--sources", required=True, help="sources.csv (schema beside it)")
    parser.add_argument("--platforms", required=True, help="platforms.csv (ids and labels)")
    parser.add_argument("--regions", required=True, help="regions.csv (region codes and English names)")
    parser.add_argument("--output", required=True, help="CSV to write, one STOP-shaped row per event")
    args = parser.parse_args(argv)
    tables = load_reference_tables(args.events, args.platforms, args.regions)
    sources = load_sources(args.sources, tables.events)
    table = crosswalk(tables.events, sources, tables.platforms, tables.regions)
    with atomic_output(args.output) as temporary:
        table.to_csv(temporary, index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
