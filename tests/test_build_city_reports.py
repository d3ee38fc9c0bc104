"""City reports: the seed, an English article of the seed's structure, linking, outputs, bad input."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from frictionless import Resource, Schema
from hypothesis import example, given, settings
from hypothesis import strategies as st
from kzshutdowns.assemble_reports import main as assemble_main
from kzshutdowns.build_city_reports import (
    FIXED_GPKG_TIME,
    NUMBER_DTYPES,
    REPORT_COLUMNS,
    REQUIRED_COLUMNS,
    SEGMENT_FIELDS,
    UNRESOLVED_COLUMNS,
    Context,
    EventSpan,
    Statement,
    _bytes,
    build_city_reports,
    check_reports,
    check_unique_segment_ids,
    column_codes,
    columns_frame,
    country_record,
    day_ref,
    event_spans,
    geojson_features,
    geopackage_batch,
    link_event,
    main,
    read_mentions,
    read_parts,
    read_reference_dates,
    resolve_date,
    shared_cells,
    write_csv,
    write_part,
    write_reports,
    write_rows,
)
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import load_events, load_reference_tables
from kzshutdowns.extract_mentions import extract_mentions, write_mentions
from kzshutdowns.files import read_text
from kzshutdowns.geocode import Geocoder
from kzshutdowns.parse_article import parse_article, write_segments
from kzshutdowns.parse_tweets import parse_tweets
from kzshutdowns.platforms import compile_lexicon, load_platforms
from kzshutdowns.status_cues import Sentence

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
SEED = ROOT / "data" / "raw" / "articles" / "globalvoices-ar-48274.txt"
ENGLISH = ROOT / "tests" / "data" / "reports" / "en-victory-day-2019.txt"
RUSSIAN = ROOT / "tests" / "data" / "reports" / "ru-january-2022.txt"
ARTICLES = {"seed": SEED, "english": ENGLISH, "russian": RUSSIAN}
CITIES = {"1526273": "Astana", "1526384": "Almaty", "609655": "Karagandy", "610529": "Atyrau"}


def run_build(article: Path, folder: Path) -> dict[str, Path]:
    """Parse, extract and build one article with the CLIs' main functions; return the output paths."""
    raw = read_text(article)
    segments = parse_article(raw, article.stem, path=article)
    platforms = load_platforms(REFERENCE / "platforms.csv")
    mentions = extract_mentions(segments, Geocoder.load(), compile_lexicon(platforms))
    paths = {
        name: folder / name
        for name in (
            "segments.parquet",
            "mentions.parquet",
            "city_reports.csv",
            "city_reports.geojson",
            "city_reports.gpkg",
            "unresolved_mentions.csv",
        )
    }
    write_segments(segments, paths["segments.parquet"])
    write_mentions(mentions, paths["mentions.parquet"])
    parts = {"reports": folder / "reports.parquet", "unresolved": folder / "unresolved.parquet"}
    assembled = assemble_main(
        [
            "--segments",
            str(paths["segments.parquet"]),
            "--mentions",
            str(paths["mentions.parquet"]),
            "--metadata",
            str(article.with_suffix(".yml")),
            *reference_flags(REFERENCE / "shutdowns.csv"),
            "--reports",
            str(parts["reports"]),
            "--unresolved",
            str(parts["unresolved"]),
        ]
    )
    assert assembled == 0
    assert main(gather_flags([paths["segments.parquet"]], parts, paths)) == 0
    return paths


def reference_flags(events: Path) -> list[str]:
    return ["--events", str(events), "--platforms", str(REFERENCE / "platforms.csv"),
            "--regions", str(REFERENCE / "regions.csv")]


def gather_flags(segments: list[Path], parts: dict[str, Path], outputs: dict[str, Path]) -> list[str]:
    return [
        "--segments", *map(str, segments),
        "--reports", str(parts["reports"]),
        "--unresolved-parts", str(parts["unresolved"]),
        *(f"--{flag}={outputs[name]}" for flag, name in (
            ("csv", "city_reports.csv"), ("geojson", "city_reports.geojson"), ("gpkg", "city_reports.gpkg"),
            ("unresolved", "unresolved_mentions.csv"))),
    ]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    paths = run_build(SEED, tmp_path_factory.mktemp("seed"))
    return paths, read_csv(paths["city_reports.csv"]), read_csv(paths["unresolved_mentions.csv"])


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    paths = run_build(ENGLISH, tmp_path_factory.mktemp("english"))
    return paths, read_csv(paths["city_reports.csv"]), read_csv(paths["unresolved_mentions.csv"])


@pytest.fixture(scope="module")
def russian(tmp_path_factory):
    paths = run_build(RUSSIAN, tmp_path_factory.mktemp("russian"))
    return paths, read_csv(paths["city_reports.csv"]), read_csv(paths["unresolved_mentions.csv"])


def test_seed_four_cities_confirmed_by_residents(seed):
    _, reports, _ = seed
    cities = reports[reports["report_kind"] == "residents_confirmed"]
    assert dict(zip(cities["geonameid"], cities["name"], strict=True)) == CITIES
    first_paragraph = read_text(SEED).split("\n")[0]
    for row in cities.itertuples():
        assert row.event_id == "kz-2016-12-16"
        assert row.date == "2016-12-16"
        assert row.scope == "city"
        assert row.platforms_blocked == "facebook;google;instagram;youtube"
        assert row.platforms_reachable == "twitter;vkontakte"
        assert row.segment_id == "globalvoices-ar-48274:p1"
        assert row.evidence_text in first_paragraph and row.evidence_lang == "ar"
        assert "أستانا وألماتي وكاراغاندا واتيراو" in row.evidence_text
        assert "تويتر وفي كونتاكت متاحة" in row.evidence_text
        assert row.link_method == "date:day(published)+place:national_scope"
    karagandy = cities[cities["geonameid"] == "609655"].iloc[0]
    assert (karagandy["admin1"], karagandy["lat"], karagandy["lon"]) == ("12", "49.80187", "73.10211")


def test_seed_malik_tweet_located_at_astana_by_hashtag(seed):
    _, reports, _ = seed
    tweet = reports[reports["report_kind"] == "tweet_located"]
    assert len(tweet) == 1
    row = tweet.iloc[0]
    assert (row["segment_id"], row["geonameid"], row["name"]) == (
        "globalvoices-ar-48274:t1",
        "1526273",
        "Astana",
    )
    assert row["place_surface"] == "#астана" and row["evidence_text"].endswith("#астана")
    assert "(@Malik_MKZ)" in read_text(SEED)[int(row["evidence_end"]) : int(row["evidence_end"]) + 40]
    assert (row["event_id"], row["date"], row["evidence_lang"]) == ("kz-2016-12-16", "2016-12-16", "ru")
    assert row["platforms_blocked"] == "facebook;instagram;youtube"
    assert row["link_method"] == "date:day(tweet)+place:national_scope"


def test_seed_zhanaozen_is_a_historical_reference_to_december_2011(seed):
    _, reports, _ = seed
    row = reports[reports["report_kind"] == "historical_reference"].iloc[0]
    assert (row["name"], row["geonameid"], row["event_id"], row["date"]) == (
        "Zhanaozen",
        "607610",
        "kz-2011-12-16a",
        "2011",
    )
    assert row["place_surface"] == "جاناوزين" and "عام 2011" in row["evidence_text"]
    assert row["link_method"] == "date:year(text)+place:city_listed"
    assert len(reports[reports["report_kind"] == "historical_reference"]) == 1


def test_seed_may_2016_shutdown_at_national_scope(seed):
    _, reports, _ = seed
    row = reports[reports["event_id"] == "kz-2016-05-20"].iloc[0]
    assert (row["scope"], row["report_kind"], row["date"]) == ("national", "national_statement", "2016-05")
    assert (row["lat"], row["lon"], row["geonameid"], row["name"]) == ("", "", "1522867", "Kazakhstan")
    assert row["platforms_blocked"] == "social_media"
    assert "أيار/مايو" in row["evidence_text"] and "كود أراضي الدولة" in row["evidence_text"]
    assert row["link_method"] == "date:month(text)+place:national_scope"


def test_seed_country_mentions_are_national_records_not_points(seed):
    paths, reports, _ = seed
    national = reports[reports["scope"] == "national"]
    assert set(national["segment_id"]) == {f"globalvoices-ar-48274:{s}" for s in ("p1", "t1", "t3", "p5")}
    assert (national["lat"] == "").all() and (national["lon"] == "").all()
    collection = json.loads(paths["city_reports.geojson"].read_text(encoding="utf-8"))
    geometries = {f["id"]: f["geometry"] for f in collection["features"]}
    assert all(geometries[report_id] is None for report_id in national["report_id"])


def test_seed_paris_is_unresolved_as_foreign(seed):
    _, _, unresolved = seed
    paris = unresolved[unresolved["surface"] == "باريس"]
    assert list(paris["reason"]) == ["foreign_place"]
    assert "FR" in paris.iloc[0]["detail"]


def test_seed_kinds_and_events_overall(seed):
    _, reports, _ = seed
    assert sorted(reports["report_kind"].value_counts().items()) == [
        ("historical_reference", 1),
        ("national_statement", 4),
        ("residents_confirmed", 4),
        ("tweet_located", 1),
    ]
    assert set(reports["event_id"]) == {"kz-2016-12-16", "kz-2011-12-16a", "kz-2016-05-20"}
    assert reports["report_id"].is_unique


@pytest.mark.parametrize("fixture", ["seed", "english", "russian"])
def test_every_evidence_span_round_trips_against_the_raw_file(fixture, request):
    _, reports, _ = request.getfixturevalue(fixture)
    raw = read_text(ARTICLES[fixture])
    assert len(reports) > 0
    for row in reports.itertuples():
        assert raw[int(row.evidence_start) : int(row.evidence_end)] == row.evidence_text
        if row.place_start:
            assert raw[int(row.place_start) : int(row.place_end)] == row.place_surface


@pytest.mark.parametrize("fixture", ["seed", "english", "russian"])
def test_nothing_is_silently_dropped(fixture, request):
    """Every place-like mention is either the anchor of a report or listed as unresolved."""
    paths, reports, unresolved = request.getfixturevalue(fixture)
    mentions = pd.read_parquet(paths["mentions.parquet"])
    places = mentions[mentions["type"].isin(["place", "place_rejected"])]
    anchored = {int(end) for end in reports["place_end"] if end}  # a report's span may add a hashtag's #
    listed = {int(end) for end in unresolved["end"]}
    for row in places.itertuples():
        assert (row.end in anchored) != (row.end in listed), row
    assert (unresolved["reason"] != "").all()


def test_english_article_of_the_seed_structure(english):
    _, reports, unresolved = english
    got = {
        (
            r.segment_id.split(":")[1],
            r.name,
            r.event_id,
            r.report_kind,
            r.platforms_blocked,
            r.platforms_reachable,
            r.date,
        )
        for r in reports.itertuples()
    }
    blocked, reachable = "facebook;instagram;telegram;youtube", "vkontakte;whatsapp"
    assert got == {
        ("p1", "Kazakhstan", "kz-2019-05-09", "national_statement", blocked, reachable, "2019-05-09"),
        ("p1", "Astana", "kz-2019-05-09", "residents_confirmed", blocked, reachable, "2019-05-09"),
        ("p1", "Shymkent", "kz-2019-05-09", "residents_confirmed", blocked, reachable, "2019-05-09"),
        ("p1", "Aktobe", "kz-2019-05-09", "residents_confirmed", blocked, reachable, "2019-05-09"),
        ("t1", "Shymkent", "kz-2019-05-09", "tweet_located", "instagram;youtube", "vkontakte", "2019-05-09"),
        ("t2", "Almaty", "kz-2019-05-09", "tweet_located", "telegram", "", "2019-05-09"),
        ("t2", "Kazakhstan", "kz-2019-05-09", "national_statement", "telegram", "", "2019-05-09"),
        ("p3", "Zhanaozen", "kz-2011-12-16a", "historical_reference", "mobile_internet", "", "2011-12"),
        (
            "p4",
            "Kazakhstan",
            "kz-2016-05-20",
            "national_statement",
            "facebook;vkontakte;whatsapp",
            "",
            "2016-05",
        ),
    }
    assert dict(zip(unresolved["surface"], unresolved["reason"], strict=True)) == {
        "Shymkent": "translation",
        "Moscow": "foreign_place",
    }


def test_russian_article_with_a_region_and_a_city_listed_by_the_event(russian):
    _, reports, unresolved = russian
    got = {(r.segment_id.split(":")[1], r.scope, r.name, r.event_id, r.report_kind, r.platforms_blocked,
            r.platforms_reachable, r.date, r.link_method.split("+")[1]) for r in reports.itertuples()}
    lost = "mobile_internet;telegram;whatsapp"
    assert got == {
        ("p1", "city", "Almaty", "kz-2022-01-04", "residents_confirmed", lost, "voice", "2022-01-05",
         "place:city_listed"),
        ("p1", "city", "Aktobe", "kz-2022-01-04", "residents_confirmed", lost, "voice", "2022-01-05",
         "place:national_scope"),
        ("t1", "city", "Almaty", "kz-2022-01-04", "tweet_located", "internet", "", "2022-01-06",
         "place:city_listed"),
        ("p2", "region", "Mangystau Region", "kz-2022-01-02", "residents_confirmed", "mobile_internet", "",
         "2022-01-02", "place:region_listed"),
        ("p3", "city", "Zhanaozen", "kz-2011-12-16a", "historical_reference", "", "", "2011-12-16",
         "place:city_listed"),
        ("p4", "national", "Kazakhstan", "kz-2020-02-13", "national_statement", "telegram;youtube", "",
         "2020-02-13", "place:national_scope"),
    }
    region = reports[reports["scope"] == "region"].iloc[0]
    assert (region["geonameid"], region["admin1"]) == ("608879", "09") and region["lat"] and region["lon"]
    # "При этом голосовая связь работала" has no date of its own: no extra national statement.
    assert not (reports["segment_id"].str.endswith(":p1") & (reports["scope"] == "national")).any()
    pairs = list(zip(unresolved["surface"], unresolved["reason"], strict=True))
    assert pairs == [("Минске", "foreign_place")]


def test_reasons_for_places_left_out(tmp_path):
    article = tmp_path / "en-reasons.txt"
    article.write_text(
        "In March 2015, Facebook was blocked nationwide.\n"
        "Facebook was blocked in Almaty today.\n"
        "Authorities regularly block Facebook in Astana.\n"
        "On 16 December 2011, the internet was cut in Zhanaozen in the Mangystau Region.\n",
        encoding="utf-8")
    metadata = ENGLISH.with_suffix(".yml").read_text(encoding="utf-8").replace(
        "published: 2019-05-09", "published: 2016-12-16")
    article.with_suffix(".yml").write_text(metadata, encoding="utf-8")
    paths = run_build(article, tmp_path)
    reports, unresolved = read_csv(paths["city_reports.csv"]), read_csv(paths["unresolved_mentions.csv"])
    assert list(zip(reports["name"], reports["report_kind"], reports["event_id"], strict=True)) == [
        ("Zhanaozen", "historical_reference", "kz-2011-12-16a")]
    assert list(zip(unresolved["surface"], unresolved["reason"], strict=True)) == [
        ("March 2015", "no_event"), ("Almaty", "no_witness_cue"), ("Astana", "habitual"),
        ("Mangystau Region", "region")]
    assert unresolved.iloc[0]["detail"].startswith("statement without a place: no event")


def test_outputs_are_byte_identical_on_rebuild(seed, tmp_path):
    first, _, _ = seed
    second = run_build(SEED, tmp_path)
    for name in ("city_reports.csv", "city_reports.geojson", "city_reports.gpkg", "unresolved_mentions.csv"):
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_geojson_is_rfc7946_and_gpkg_is_epsg4326(seed):
    paths, reports, _ = seed
    collection = json.loads(paths["city_reports.geojson"].read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    astana = next(
        f for f in collection["features"] if f["id"] == "globalvoices-ar-48274:p1:1526273:kz-2016-12-16"
    )
    assert astana["geometry"] == {"type": "Point", "coordinates": [71.44598, 51.1801]}  # lon, lat
    assert astana["properties"]["platforms_reachable"] == "twitter;vkontakte"
    layer = gpd.read_file(paths["city_reports.gpkg"], layer="city_reports")
    assert layer.crs.to_epsg() == 4326
    assert (
        len(layer) == len(reports) and layer.geometry.isna().sum() == (reports["scope"] == "national").sum()
    )


def test_csv_matches_its_table_schema(seed):
    paths, reports, _ = seed
    descriptor = json.loads((REFERENCE / "city_reports.schema.json").read_text(encoding="utf-8"))
    assert [field["name"] for field in descriptor["fields"]] == list(REPORT_COLUMNS) == list(reports.columns)
    descriptor.pop("foreignKeys")  # the event table is a separate resource of the data package
    resource = Resource(
        path=paths["city_reports.csv"].name,
        basepath=str(paths["city_reports.csv"].parent),
        schema=Schema.from_descriptor(descriptor),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])


# --- units: dates, linking, statuses ------------------------------------------------------------


def test_resolve_date_fills_an_unspecified_year_from_the_document_date():
    reference = date(2016, 12, 16)
    assert resolve_date("XXXX-05", reference, "text").iso == "2016-05"
    assert resolve_date("XXXX-12-09", reference, "text").iso == "2016-12-09"
    assert resolve_date("XXXX-12-20", reference, "text").iso == "2015-12-20"  # after the document: last year
    assert resolve_date("XXXX-02-29", reference, "text").iso == "2016-02-29"  # a leap year
    assert resolve_date("XXXX-02-29", date(2017, 3, 1), "text") is None  # 2017-02-29 does not exist
    year = resolve_date("2011", reference, "text")
    assert (year.first, year.last, year.precision) == (date(2011, 1, 1), date(2011, 12, 31), "year")
    assert resolve_date("XXXX-05", None, "text") is None


def event(event_id, first, last, locations, blocked=(), reachable=()):
    return EventSpan(
        event_id,
        date.fromisoformat(first),
        date.fromisoformat(last),
        "KZ" in locations,
        frozenset(locations),
        frozenset(blocked),
        frozenset(reachable),
    )


NO_STATUS = {"blocked": [], "restricted": [], "reachable": []}


def test_link_prefers_the_city_listed_over_a_national_event_of_the_same_time():
    events = [
        event("kz-a", "2011-12-16", "2011-12-16", ["KZ"]),
        event("kz-b", "2011-12-16", "2011-12-20", ["KZ-MAN", "607610"]),
    ]
    time = resolve_date("2011", date(2016, 12, 16), "text")
    assert link_event(time, "city", "607610", "KZ-MAN", NO_STATUS, events) == (
        "kz-b",
        "date:year(text)+place:city_listed",
        "",
    )
    assert link_event(time, "city", "610612", "KZ-MAN", NO_STATUS, events)[:2] == (
        "kz-b",
        "date:year(text)+place:region_listed",
    )
    assert link_event(time, "national", "", None, NO_STATUS, events)[0] == "kz-a"


def test_link_uses_platform_agreement_then_reports_ties_and_gaps():
    events = [
        event("kz-a", "2019-05-09", "2019-05-09", ["KZ"], blocked=["facebook"]),
        event("kz-b", "2019-05-09", "2019-05-09", ["KZ"], blocked=["telegram"]),
    ]
    time = day_ref("2019-05-09", "tweet")
    telegram = {"blocked": ["telegram"], "restricted": [], "reachable": []}
    assert link_event(time, "city", "1526384", "KZ-ALA", telegram, events)[0] == "kz-b"
    assert link_event(time, "city", "1526384", "KZ-ALA", NO_STATUS, events) == (
        None,
        "ambiguous_event",
        "2019-05-09 fits equally well: kz-a, kz-b",
    )
    assert (
        link_event(day_ref("2019-06-01", "tweet"), "city", "1526384", None, NO_STATUS, events)[1]
        == "no_event"
    )
    # A city event elsewhere does not cover this city.
    city_only = [event("kz-c", "2020-02-22", "2020-02-22", ["1526384"])]
    assert link_event(day_ref("2020-02-22", "text"), "city", "1526273", "KZ-AST", NO_STATUS, city_only)[
        1
    ] == ("no_event")


def test_statement_drops_generic_social_media_when_platforms_are_named():
    kinds = {"facebook": "platform", "twitter": "platform", "social_media": "service"}
    statement = Statement([
        Sentence(0, 10, {"social_media": "blocked", "facebook": "blocked"}),
        Sentence(11, 20, {"twitter": "reachable", "facebook": "reachable"}),
        Sentence(21, 30, {"twitter": "blocked"}, habitual=True),
    ])
    assert statement.statuses(kinds) == {"blocked": ["facebook"], "restricted": [], "reachable": ["twitter"]}
    alone = Statement([Sentence(0, 10, {"social_media": "blocked"})])
    assert alone.statuses(kinds)["blocked"] == ["social_media"]


# --- bad input ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_tables():
    platforms = load_platforms(REFERENCE / "platforms.csv")
    return load_events(REFERENCE / "shutdowns.csv", platforms), platforms


def test_a_report_with_a_platform_not_in_the_lexicon_is_refused(seed, reference_tables):
    _, reports, _ = seed
    edited = reports.copy()
    edited.loc[2, "platforms_reachable"] = "twitter;myspace"
    with pytest.raises(InputError) as error:
        check_reports(edited, *reference_tables, "city_reports.csv")
    assert (error.value.line, error.value.field) == (4, "platforms_reachable")
    assert "'myspace'" in str(error.value) and "platforms.csv" in str(error.value)


def test_build_refuses_an_event_table_with_a_platform_not_in_the_lexicon(seed, tmp_path, capsys):
    paths, _, _ = seed
    for name in ("shutdowns.csv", "shutdowns.schema.json"):
        shutil.copy(REFERENCE / name, tmp_path / name)
    events = tmp_path / "shutdowns.csv"
    events.write_text(
        events.read_text(encoding="utf-8").replace(
            "facebook;youtube;instagram;google", "facebook;youtube;instagram;myspace"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    flags = ["--segments", str(paths["segments.parquet"]), "--mentions", str(paths["mentions.parquet"]),
             *reference_flags(events), "--reports", str(out / "r.parquet"),
             "--unresolved", str(out / "u.parquet")]
    code = run_main(assemble_main, flags)
    message = capsys.readouterr().err
    assert code == 2
    assert message.startswith(f"error: {events}:") and "services_blocked" in message and "myspace" in message
    assert not out.exists() or not any(out.iterdir())


def test_build_refuses_mentions_of_segments_it_was_not_given(seed, tmp_path, capsys):
    paths, _, _ = seed
    other = tmp_path / "other.parquet"
    segments = pd.read_parquet(paths["segments.parquet"])
    write_segments(segments[segments["kind"] != "tweet"], other)
    flags = ["--segments", str(other), "--mentions", str(paths["mentions.parquet"]),
             *reference_flags(REFERENCE / "shutdowns.csv"),
             "--reports", str(tmp_path / "r.parquet"), "--unresolved", str(tmp_path / "u.parquet")]
    assert run_main(assemble_main, flags) == 2
    # The file, the first mention of a tweet (in file order) as its row, and the field are named.
    mentions = pd.read_parquet(paths["mentions.parquet"])
    given = segments["segment_id"][segments["kind"] != "tweet"]
    row = int(np.flatnonzero(~mentions["segment_id"].isin(given))[0])
    segment_id = mentions["segment_id"].iloc[row]
    assert ":t" in segment_id
    assert capsys.readouterr().err == (f"error: {paths['mentions.parquet']}:{row + 1}: segment_id: "
                                       f"segment id {segment_id!r} is in no segments file\n")


@pytest.mark.parametrize("keep_places", [True, False])
def test_map_step_refuses_place_mentions_without_the_place_columns(seed, tmp_path, capsys, keep_places):
    # A file without place mentions may lack the place columns; one with them may not (no report
    # built from a missing country code or name).
    paths, _, _ = seed
    mentions = pd.read_parquet(paths["mentions.parquet"])
    if not keep_places:
        mentions = mentions[mentions["type"] != "place"]
    broken = tmp_path / "mentions.parquet"
    mentions.drop(columns=["country_code"]).to_parquet(broken, index=False)
    flags = ["--segments", str(paths["segments.parquet"]), "--mentions", str(broken),
             *reference_flags(REFERENCE / "shutdowns.csv"),
             "--reports", str(tmp_path / "r.parquet"), "--unresolved", str(tmp_path / "u.parquet")]
    if keep_places:
        assert run_main(assemble_main, flags) == 2
        assert f"{broken}: country_code: missing mention column 'country_code'" in capsys.readouterr().err
        assert not (tmp_path / "r.parquet").exists()
    else:
        assert run_main(assemble_main, flags) == 0
        rejected = mentions[mentions["type"] == "place_rejected"]
        assert len(rejected)  # the rejected place names are still listed
        assert list(pd.read_parquet(tmp_path / "u.parquet")["surface"]) == list(rejected["surface"])


def test_gather_refuses_a_segment_id_repeated_in_another_segments_file(seed, tmp_path, capsys):
    paths, _, _ = seed
    segments = pd.read_parquet(paths["segments.parquet"])
    first, second = tmp_path / "first.parquet", tmp_path / "second.parquet"
    write_segments(segments.iloc[:3], first)
    write_segments(segments.iloc[[5, 6, 2]], second)  # the third row repeats the first file's third id
    parts = {"reports": paths["city_reports.csv"].parent / "reports.parquet",
             "unresolved": paths["city_reports.csv"].parent / "unresolved.parquet"}
    outputs = {name: tmp_path / name for name in ("city_reports.csv", "city_reports.geojson",
                                                   "city_reports.gpkg", "unresolved_mentions.csv")}
    assert run_main(main, gather_flags([first, second], parts, outputs)) == 2
    message = capsys.readouterr().err
    repeated = segments["segment_id"].iloc[2]
    assert message.startswith(f"error: {second}:3: segment_id: ")
    assert repeated in message and str(first) in message
    assert not any(path.exists() for path in outputs.values())


@pytest.mark.parametrize(("first_rows", "second_rows", "row", "seen"), [
    ([0, 1, 2], [3, 1, 4], 2, "first"),  # a report id of the first part repeated in the second
    ([0, 1, 2], [3, 4, 3], 3, "second"),  # repeated within one part
])
def test_gather_refuses_a_report_id_repeated_in_its_parts(seed, tmp_path, capsys, first_rows, second_rows,
                                                          row, seen):
    # A repeated report id was gathered and published twice; only the publish step's schema check saw it.
    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    parts = {"first": tmp_path / "first.parquet", "second": tmp_path / "second.parquet"}
    write_part(table.iloc[first_rows].reset_index(drop=True), parts["first"])
    write_part(table.iloc[second_rows].reset_index(drop=True), parts["second"])
    outputs = {name: tmp_path / name for name in ("city_reports.csv", "city_reports.geojson",
                                                   "city_reports.gpkg")}
    arguments = ["--segments", str(paths["segments.parquet"]), "--reports", str(parts["first"]),
                 str(parts["second"]), *(f"--{name.split('.')[1]}={path}" for name, path in outputs.items())]
    assert run_main(main, arguments) == 2
    report_id = table["report_id"].iloc[second_rows[row - 1]]
    first_row = (first_rows if seen == "first" else second_rows).index(second_rows[row - 1]) + 1
    assert capsys.readouterr().err == (f"error: {parts['second']}:{row}: report_id: duplicate report_id "
                                       f"{report_id!r} (first in row {first_row} of {parts[seen]})\n")
    assert not any(path.exists() for path in outputs.values())


@pytest.mark.parametrize(("flag", "repeated"), [("--reports", "reports"),
                                               ("--unresolved-parts", "unresolved"),
                                               ("--unresolved-parts", None)])
def test_gather_refuses_a_part_given_twice_or_parts_of_other_sources(seed, tmp_path, capsys, flag, repeated):
    # A file given twice wrote its rows twice; unresolved parts of other sources than the reports' went
    # unnoticed (the help says: same sources, same order).
    paths, _, _ = seed
    parts = {"reports": paths["city_reports.csv"].parent / "reports.parquet",
             "unresolved": paths["city_reports.csv"].parent / "unresolved.parquet"}
    outputs = {name: tmp_path / name for name in ("city_reports.csv", "city_reports.geojson",
                                                   "city_reports.gpkg", "unresolved_mentions.csv")}
    arguments = gather_flags([paths["segments.parquet"]], parts, outputs)
    position = arguments.index(flag) + 1
    other = parts["unresolved"].with_name("other.parquet")
    arguments.insert(position, str(parts[repeated] if repeated else other))
    assert run_main(main, arguments) == 2
    message = capsys.readouterr().err
    if repeated:
        assert message == f"error: {parts[repeated]}: {flag}: given twice\n"
    else:
        assert message == (f"error: {flag}: 2 files for 1 reports file(s): give one per source, "
                           "in the same order\n")
    assert not any(path.exists() for path in outputs.values())


@pytest.mark.parametrize(("column", "dtype"),
                         [("lat", "str"), ("geonameid", "float64"), ("place_start", "float64")])
def test_gather_refuses_a_reports_part_whose_number_column_has_another_type(seed, tmp_path, capsys, column,
                                                                               dtype):
    # Checked per file, before any row is written: a coordinate held as text would otherwise fail deep
    # inside the CSV or GeoPackage writer.
    paths, _, _ = seed
    parts = {"reports": tmp_path / "reports.parquet",
             "unresolved": paths["city_reports.csv"].parent / "unresolved.parquet"}
    reports = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    write_part(reports.astype({column: dtype}), parts["reports"])
    outputs = {name: tmp_path / name for name in ("city_reports.csv", "city_reports.geojson",
                                                   "city_reports.gpkg", "unresolved_mentions.csv")}
    assert run_main(main, gather_flags([paths["segments.parquet"]], parts, outputs)) == 2
    assert capsys.readouterr().err == (f"error: {parts['reports']}: {column}: must hold "
                                       f"{NUMBER_DTYPES[column]}, not {dtype}\n")
    assert not any(path.exists() for path in outputs.values())


def test_geojson_has_one_feature_per_line(seed):
    paths, reports, _ = seed
    lines = paths["city_reports.geojson"].read_text(encoding="utf-8").split("\n")
    assert lines[0] == '{"type": "FeatureCollection", "features": [' and lines[-2:] == ["]}", ""]
    assert len(lines) == len(reports) + 3
    ids = [json.loads(line.rstrip(","))["id"] for line in lines[1:-2]]
    assert ids == reports["report_id"].tolist()


def test_gathered_files_do_not_depend_on_how_reports_are_split_over_sources(seed, tmp_path):
    paths, reports, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    assert len(table) >= 7
    whole, split = tmp_path / "whole.parquet", [tmp_path / f"part{k}.parquet" for k in range(3)]
    write_part(table, whole)
    for part, rows in zip(split, (table.iloc[:2], table.iloc[2:2], table.iloc[2:]), strict=True):
        write_part(rows, part)
    batches = [list(read_parts(files, REPORT_COLUMNS, "reports", size=3)) for files in ([whole], split)]
    sizes = [len(batch) for batch in batches[0]]
    assert set(sizes[:-1]) == {3} and 0 < sizes[-1] <= 3 and sum(sizes) == len(table)
    for one, other in zip(*batches, strict=True):
        assert one.schema == other.schema and one.to_pylist() == other.to_pylist()
    written = {}
    for name, files in (("whole", [whole]), ("split", split)):
        outputs = [tmp_path / name / f"r.{ext}" for ext in ("csv", "geojson", "gpkg")]
        write_reports(read_parts(files, REPORT_COLUMNS, "reports", size=3), *outputs)
        written[name] = [path.read_bytes() for path in outputs]
    assert written["whole"] == written["split"]
    # in batches or in one piece, the CSV and GeoJSON are those the seed build wrote
    seed_files = [paths[name].read_bytes() for name in ("city_reports.csv", "city_reports.geojson")]
    assert written["whole"][:2] == seed_files
    layer = gpd.read_file(tmp_path / "whole" / "r.gpkg", layer="city_reports")
    assert layer["report_id"].tolist() == reports["report_id"].tolist()


def test_a_part_whose_text_column_is_all_missing_is_gathered_with_the_others(seed, tmp_path):
    # A source whose reports all lack a language writes that column without a type (all None): the gather
    # still writes the rows of every source, as to_csv writes them, in batches of one schema whether a
    # batch holds rows of both files or of that file alone (a GeoPackage layer takes the first batch's
    # types: GDAL aborted on a later batch of other types).
    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    first, second = table.iloc[:2].reset_index(drop=True), table.iloc[2:].reset_index(drop=True)
    second["evidence_lang"] = pd.Series([None] * len(second), dtype=object)
    parts = [tmp_path / "first.parquet", tmp_path / "second.parquet"]
    for rows, part in zip((first, second), parts, strict=True):
        write_part(rows, part)
    assert pq.read_schema(parts[1]).field("evidence_lang").type == pa.null()
    expected = io.StringIO()
    pd.concat([first, second], ignore_index=True).to_csv(expected, index=False, lineterminator="\n")
    for size in (len(table) - 1, len(first)):  # a first batch of both files' rows; batches of one file's
        batches = list(read_parts(parts, REPORT_COLUMNS, "reports", size=size))
        assert len(batches) > 1 and all(batch.schema == batches[0].schema for batch in batches)
        written = io.BytesIO()
        for number, batch in enumerate(batches):
            write_rows(batch, written, header=number == 0)
        assert written.getvalue().decode("utf-8") == expected.getvalue()
    write_reports(read_parts(parts, REPORT_COLUMNS, "reports", size=len(first)), gpkg=tmp_path / "r.gpkg")
    layer = gpd.read_file(tmp_path / "r.gpkg", layer="city_reports")
    assert layer["report_id"].tolist() == table["report_id"].tolist()
    assert layer["evidence_lang"].isna().tolist() == [False] * len(first) + [True] * len(second)


def test_no_reports_at_all_still_gives_the_headers(tmp_path):
    empty = tmp_path / "empty.parquet"
    write_part(pd.DataFrame({column: pd.Series(dtype=NUMBER_DTYPES.get(column, "str"))
                             for column in UNRESOLVED_COLUMNS}), empty)
    batches = list(read_parts([empty, empty], UNRESOLVED_COLUMNS, "unresolved mentions"))
    assert len(batches) == 1 and batches[0].num_rows == 0
    write_csv(batches, tmp_path / "u.csv")
    assert (tmp_path / "u.csv").read_text(encoding="utf-8") == ",".join(UNRESOLVED_COLUMNS) + "\n"


def test_no_reports_at_all_still_gives_every_output(tmp_path):
    # A source without reports writes its text columns without a type (columns_frame of no rows, as
    # assemble_reports writes it): the GeoPackage still gets its layer, with text fields (GDAL refused
    # columns without a type), and the CSV and GeoJSON their headers.
    empty = tmp_path / "empty.parquet"
    write_part(columns_frame([[] for _ in REPORT_COLUMNS], REPORT_COLUMNS, NUMBER_DTYPES), empty)
    assert pq.read_schema(empty).field("report_id").type == pa.null()
    outputs = [tmp_path / f"r.{ext}" for ext in ("csv", "geojson", "gpkg")]
    write_reports(read_parts([empty, empty], REPORT_COLUMNS, "reports"), *outputs)
    assert outputs[0].read_text(encoding="utf-8") == ",".join(REPORT_COLUMNS) + "\n"
    assert json.loads(outputs[1].read_text(encoding="utf-8")) == {"type": "FeatureCollection", "features": []}
    layer = gpd.read_file(outputs[2], layer="city_reports")
    assert layer.empty and list(layer.columns) == [*(name for name in REPORT_COLUMNS
                                                     if name not in {"lat", "lon"}), "lat", "lon", "geometry"]


@pytest.mark.parametrize(("part", "column"), [("reports", "event_id"), ("reports", "report_id"),
                                           ("reports", "evidence_start"), ("reports", "lat"),
                                           ("unresolved", "reason"), ("unresolved", "start")])
def test_gather_refuses_a_part_missing_a_required_value(seed, tmp_path, part, column):
    # A report without event id or evidence offset, a city report without coordinates (a feature with no
    # geometry) or an unresolved mention without reason was written out with an empty cell.
    paths, _, _ = seed
    columns = REPORT_COLUMNS if part == "reports" else UNRESOLVED_COLUMNS
    table = pd.read_parquet(paths["city_reports.csv"].parent / f"{part}.parquet")
    row = int(np.flatnonzero(table["scope"] != "national")[1]) if part == "reports" else 1
    bad = table.astype({column: object})
    bad.loc[row, column] = None
    parts = [tmp_path / "good.parquet", tmp_path / "bad.parquet"]
    write_part(table, parts[0])
    write_part(bad, parts[1])
    with pytest.raises(InputError, match="missing") as raised:
        list(read_parts(parts, columns, "reports"))
    assert (raised.value.path, raised.value.line, raised.value.field) == (parts[1], row + 1, column)


def test_required_part_columns_are_required_fields_of_the_published_schema():
    schema = json.loads((REFERENCE / "city_reports.schema.json").read_text(encoding="utf-8"))
    required = {field["name"] for field in schema["fields"] if field.get("constraints", {}).get("required")}
    assert REQUIRED_COLUMNS & set(REPORT_COLUMNS) <= required
    assert REQUIRED_COLUMNS.issubset({*REPORT_COLUMNS, *UNRESOLVED_COLUMNS})
    assert "detail" not in REQUIRED_COLUMNS


@pytest.mark.parametrize(("column", "values", "held"), [("evidence_lang", 7, "int64"),
                                                         ("report_id", 1.5, "float64"),
                                                         ("platforms_blocked", True, "bool")])
def test_gather_refuses_a_part_whose_text_column_holds_no_text(seed, tmp_path, column, values, held):
    # Checked per file: numbers in a text column would be written as numbers, or (beside a file with text
    # there) fail inside Arrow when the batch is joined.
    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    parts = [tmp_path / "good.parquet", tmp_path / "bad.parquet"]
    write_part(table, parts[0])
    write_part(table.assign(**{column: values}), parts[1])
    with pytest.raises(InputError) as raised:
        list(read_parts(parts, REPORT_COLUMNS, "reports"))
    assert (raised.value.path, raised.value.field) == (parts[1], column)
    assert raised.value.message == f"must hold str, not {held}"


def test_workflow_gathers_the_mentions_of_articles_and_tweet_shards(workflow_tree):
    """extract_mentions and assemble_reports run per source; build_city_reports gathers them (dry run)."""
    tweets = workflow_tree / "data" / "raw" / "tweets"
    tweets.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests" / "data" / "tweets" / "sample.jsonl", tweets / "demo.jsonl")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall", "data/processed/city_reports.csv"],
        cwd=workflow_tree,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.MULTILINE))
    assert counts["extract_mentions"] == "5"  # the seed article and the four shards of demo.jsonl
    assert counts["assemble_reports"] == "5"  # one map job per source
    assert counts["build_city_reports"] == "1"


# --- the fast paths give what one segment built alone gives ------------------------------------------

# Tweets for the shared-reading and skip paths: the same text on two days (one reading of the status
# cues, two events), a place without any platform (no status), a platform without any place (nothing to
# read), several places and statuses over sentences and clauses, a habitual statement, a foreign city.
FAST_PATH_TWEETS = [
    ("В Астане заблокировали Facebook и YouTube, Twitter работает", "2016-12-16T10:00:00Z", "ru"),
    ("В Астане заблокировали Facebook и YouTube, Twitter работает", "2022-01-05T10:00:00Z", "ru"),
    ("Residents of Almaty gathered in the square today", "2016-12-16T11:00:00Z", "en"),
    ("Facebook is blocked again", "2016-12-16T12:00:00Z", "en"),
    ("In Astana Facebook is blocked. In Almaty Twitter works but YouTube is slow, and Karaganda too.",
     "2016-12-16T09:00:00Z", "en"),
    ("Authorities regularly block Facebook in Aktau", "2016-12-16T13:00:00Z", "en"),
    ("Facebook is blocked in Almaty and in Paris", "2016-12-16T14:00:00Z", "en"),
]


@pytest.fixture(scope="module")
def fast_path_source(tmp_path_factory):
    """The seed, the English article and the tweets above as one source: segments, mentions, context."""
    folder = tmp_path_factory.mktemp("fast")
    lines = [(number, json.dumps({"id": str(900 + number), "text": text, "author": "Test", "handle": "t",
                                  "created_at": created, "lang": lang}, ensure_ascii=False))
             for number, (text, created, lang) in enumerate(FAST_PATH_TWEETS, start=1)]
    tweets = parse_tweets(lines, "fast", path=folder / "fast.jsonl")
    articles = [parse_article(read_text(path), path.stem, path=path) for path in (SEED, ENGLISH)]
    segments = pd.concat([*articles, tweets], ignore_index=True)
    tables = load_reference_tables(REFERENCE / "shutdowns.csv", REFERENCE / "platforms.csv",
                                   REFERENCE / "regions.csv")
    mentions = extract_mentions(segments, Geocoder.load(), compile_lexicon(tables.platforms))

    def context() -> Context:
        return Context(
            events=event_spans(tables.events, "KZ"),
            platform_kinds=dict(zip(tables.platforms["id"], tables.platforms["kind"], strict=True)),
            region_of_admin1=dict(zip(tables.regions["admin1"], tables.regions["region_code"], strict=True)),
            country=country_record("KZ"),
            reference_dates=read_reference_dates([str(SEED.with_suffix(".yml")),
                                                  str(ENGLISH.with_suffix(".yml"))]),
        )

    return segments, mentions, context


def test_one_run_over_many_segments_equals_each_segment_built_alone(fast_path_source):
    """Readings, statements and event links shared across segments change nothing: building every
    segment in its own run (fresh caches) gives the same rows, in the same order."""
    segments, mentions, context = fast_path_source
    reports, unresolved = build_city_reports(segments, mentions, context())
    alone = [build_city_reports(segments.iloc[[position]],
                                mentions[mentions["segment_id"] == segment_id], context())
             for position, segment_id in enumerate(segments["segment_id"])]
    # (empty frames left out of the concatenation: their text columns have no dtype to keep)
    pd.testing.assert_frame_equal(reports, pd.concat([r for r, _ in alone if len(r)], ignore_index=True))
    pd.testing.assert_frame_equal(unresolved, pd.concat([u for _, u in alone if len(u)], ignore_index=True))
    assert len(reports) > 10 and len(unresolved) > 10


def test_tweets_with_and_without_platforms_and_places(fast_path_source):
    segments, mentions, context = fast_path_source
    reports, unresolved = build_city_reports(segments, mentions, context())
    tweets = reports[reports["source_id"] == "tweets-fast"]
    rows = {(segment_id.split(":")[1], name): (kind, event_id, blocked, restricted, reachable, day)
            for segment_id, name, kind, event_id, blocked, restricted, reachable, day in zip(
                tweets["segment_id"], tweets["name"], tweets["report_kind"], tweets["event_id"],
                tweets["platforms_blocked"], tweets["platforms_restricted"], tweets["platforms_reachable"],
                tweets["date"], strict=True)}
    # the same text on two days: one reading, each tweet its own date and event
    assert rows[("901", "Astana")] == ("tweet_located", "kz-2016-12-16", "facebook", "", "twitter;youtube",
                                       "2016-12-16")
    assert rows[("902", "Astana")][1:] == ("kz-2022-01-04", "facebook", "", "twitter;youtube", "2022-01-05")
    # several places over two sentences: each takes the statuses of the whole statement
    assert {name for tweet, name in rows if tweet == "905"} == {"Astana", "Almaty", "Karagandy"}
    assert rows[("905", "Almaty")][2:5] == ("facebook", "youtube", "twitter")
    left = unresolved[unresolved["article_id"] == "tweets-fast"]
    reasons = {(segment_id.split(":")[1], surface): reason
               for segment_id, surface, reason in zip(left["segment_id"], left["surface"], left["reason"],
                                                      strict=True)}
    assert reasons[("903", "Almaty")] == "no_status"  # a place, no platform
    assert reasons[("906", "Aktau")] == "habitual"
    assert reasons[("907", "Paris")] == "foreign_place"
    assert "tweets-fast:904" not in set(reports["segment_id"]) | set(unresolved["segment_id"])  # no place


def test_check_reports_names_the_first_bad_row_and_its_first_bad_field(seed, reference_tables):
    _, reports, _ = seed
    events, platforms = reference_tables
    edited = reports.copy()
    edited.loc[1, ["report_kind", "scope"]] = ["rumour", "galaxy"]
    edited.loc[2, "event_id"] = "kz-1999-01-01"
    edited.loc[3, "platforms_reachable"] = "facebook;myspace"
    for rows, line, field in ((edited, 3, "report_kind"), (edited.drop(index=1), 3, "event_id"),
                              (edited.drop(index=[1, 2]), 3, "platforms_reachable")):
        with pytest.raises(InputError) as raised:
            check_reports(rows.reset_index(drop=True), events, platforms, "reports.csv")
        assert (raised.value.line, raised.value.field) == (line, field)
    check_reports(reports, events, platforms, "reports.csv")


def geojson_feature(row: tuple) -> dict:
    """The reference the column-wise GeoJSON writer is checked against: one report (named tuple) as an
    RFC 7946 Feature built row by row (WGS 84 lon/lat rounded to 5 decimals; no geometry for a national
    row; every other column a property, missing values null, floats rounded to 5 decimals)."""
    def value(cell):
        if cell is None or cell is pd.NA or (isinstance(cell, float) and cell != cell):
            return None
        if isinstance(cell, float):
            return round(cell, 5)
        return cell.item() if hasattr(cell, "item") else cell

    geometry = None if row.scope == "national" else {
        "type": "Point", "coordinates": [round(row.lon, 5), round(row.lat, 5)]}
    properties = {key: value(cell) for key, cell in zip(row._fields, row, strict=True)
                  if key not in {"lat", "lon"}}
    return {"type": "Feature", "id": row.report_id, "geometry": geometry, "properties": properties}


def test_csv_and_geojson_writers_give_the_bytes_of_to_csv_and_json_dumps(seed):
    paths, _, _ = seed
    reports = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    tricky = reports.iloc[[0, 0, 0, 0, 0, 0]].reset_index(drop=True)
    tricky["evidence_text"] = ['a "quoted", text', "two\nlines", "carriage\rreturn", "",
                               "tab\tand \\ and \x01", 'a "quoted", text']
    tricky["name"] = pd.array(["x", None, "y,z", "ü", "x", "\u2028"], dtype="str")
    tricky["place_start"] = pd.array([1, None, 3, None, 2**40, 1], dtype="Int64")
    tricky.loc[1, ["lat", "lon"]] = float("nan")
    tricky.loc[2, "scope"] = "national"
    tricky.loc[3, ["lat", "lon"]] = [47.5, 80.25]
    for table in (reports, tricky, pd.concat([tricky] * 3, ignore_index=True)):
        expected = io.StringIO()
        table.to_csv(expected, index=False, lineterminator="\n")
        features = [json.dumps(geojson_feature(row), ensure_ascii=False)
                    for row in table.itertuples(index=False, name="Report")]
        plain = pa.Table.from_pandas(table, preserve_index=False)
        # text columns as they are read from Parquet: plain, or as dictionaries (one per chunk)
        halves = [plain.slice(0, len(table) // 2), plain.slice(len(table) // 2)]
        coded = pa.concat_tables([pa.table({name: pc.dictionary_encode(half.column(name))
                                            if half.schema.field(name).type == pa.large_string()
                                            else half.column(name) for name in half.column_names})
                                  for half in halves])
        for arrow in (plain, coded):
            written = io.BytesIO()
            write_rows(arrow, written, header=True)
            assert written.getvalue().decode("utf-8") == expected.getvalue()
            assert geojson_features(arrow).to_pylist() == features


# Text as the map step may write it: missing, or any string; mostly of the characters that CSV and JSON
# escape or that Python splits lines at (an alphabet of any character rarely draws them).
GATHER_TEXT = st.one_of(st.none(), st.text(st.sampled_from(',"\n\r\\\x00\x1f\x7f\u2028 aü🌍'), max_size=4),
                        st.text(st.characters(exclude_categories=["Cs"]), max_size=4))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_gathered_csv_and_geojson_are_the_row_wise_bytes_for_any_text_and_split(seed, data):
    # Through Parquet as the map step writes it (text columns all None stored without a type, each file's
    # repeated text read as its own dictionary), any split over files and batches gives to_csv's and the
    # row-wise GeoJSON's bytes.
    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet").iloc[:6]
    table = table.reset_index(drop=True)
    for name in ("name", "admin1", "date", "evidence_text", "evidence_lang", "place_surface"):
        table[name] = pd.array(data.draw(st.lists(GATHER_TEXT, min_size=6, max_size=6)), dtype="str")
    table["place_start"] = pd.array(data.draw(st.lists(st.none() | st.integers(0, 9), min_size=6,
                                                       max_size=6)), dtype="Int64")
    national = table["scope"] == "national"
    table.loc[national, ["lat", "lon"]] = float("nan")
    cuts = sorted(data.draw(st.lists(st.integers(0, 6), max_size=3)))
    size = data.draw(st.integers(1, 7))
    expected_csv = io.StringIO()
    located = table.assign(**{name: [f"{value:.5f}" if value == value else "" for value in table[name]]
                              for name in ("lat", "lon")})
    located.to_csv(expected_csv, index=False, lineterminator="\n")
    features = [json.dumps(geojson_feature(row), ensure_ascii=False)
                for row in table.itertuples(index=False, name="Report")]
    with tempfile.TemporaryDirectory() as folder:
        parts = []
        for number, (first, last) in enumerate(zip([0, *cuts], [*cuts, 6], strict=True)):
            rows = table.iloc[first:last].reset_index(drop=True)
            for name in ("evidence_lang", "admin1"):
                if rows[name].isna().all():  # as columns_frame makes a column of None: no type in Parquet
                    rows[name] = pd.Series([None] * len(rows), dtype=object)
            parts.append(Path(folder) / f"part{number}.parquet")
            write_part(rows, parts[-1])
        outputs = [Path(folder) / f"r.{ext}" for ext in ("csv", "geojson")]
        write_reports(read_parts(parts, REPORT_COLUMNS, "reports", size=size), *outputs)
        assert outputs[0].read_bytes().decode("utf-8") == expected_csv.getvalue()
        assert outputs[1].read_bytes().decode("utf-8") == (
            '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n")


def test_each_output_can_be_gathered_alone(seed, tmp_path):
    # The workflow writes the GeoPackage in a job of its own: each output gathered alone has the bytes
    # of the same output gathered with the others.
    seed = seed[0]
    folder = seed["segments.parquet"].parent
    parts = {"reports": folder / "reports.parquet", "unresolved": folder / "unresolved.parquet"}
    common = ["--segments", str(seed["segments.parquet"]), "--reports", str(parts["reports"])]
    for flag, name in (("csv", "city_reports.csv"), ("geojson", "city_reports.geojson"),
                       ("gpkg", "city_reports.gpkg")):
        assert main([*common, f"--{flag}", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_bytes() == seed[name].read_bytes(), name
        assert sorted(path.name for path in tmp_path.iterdir()) == [name]
        (tmp_path / name).unlink()
    alone = tmp_path / "unresolved_mentions.csv"
    assert main([*common, "--unresolved-parts", str(parts["unresolved"]), "--unresolved", str(alone)]) == 0
    assert alone.read_bytes() == seed["unresolved_mentions.csv"].read_bytes()


@pytest.mark.parametrize("flags", [[], ["--unresolved", "x.csv"]])
def test_gather_without_anything_to_write_is_refused(seed, flags, capsys):
    segments = str(seed[0]["segments.parquet"])
    common = ["--segments", segments, "--reports", segments]
    with pytest.raises(SystemExit) as caught:
        main([*common, *flags])
    assert caught.value.code == 2
    assert "--unresolved" in capsys.readouterr().err


def test_a_city_links_to_an_event_that_lists_its_region(fast_path_source, tmp_path):
    """A city mention read from Parquet has no region code of its own (a missing cell): its region is
    found from its admin1 code, so an event listing the region covers it."""
    segments, mentions, context = fast_path_source
    written = tmp_path / "mentions.parquet"
    write_mentions(mentions, written)
    tweet = segments[segments["segment_id"] == "tweets-fast:901"]
    read = read_mentions(written)
    read = read[read["segment_id"] == "tweets-fast:901"]
    astana = read[(read["type"] == "place") & (read["name"] == "Astana")]
    assert astana["region_code"].isna().all() and len(astana) == 1
    region = context().region_of_admin1[astana["admin1"].iloc[0]]
    regional = context()
    regional.events = [event("kz-region", "2016-12-16", "2016-12-16", [region])]
    reports, _ = build_city_reports(tweet, read, regional)
    assert list(zip(reports["name"], reports["event_id"], reports["link_method"], strict=True)) == [
        ("Astana", "kz-region", "date:day(tweet)+place:region_listed")]


def same_cells(got: list, expected: list) -> bool:
    """Equal cell by cell in type and value, a missing value as the same kind of missing (NaN, None or
    NA) and a zero with its sign."""
    return len(got) == len(expected) and all(
        type(a) is type(b) and repr(a) == repr(b) for a, b in zip(got, expected, strict=True))


@pytest.mark.parametrize("column", [
    pd.Series(["a", None, "b", "a", None, "b"], dtype="str"),
    pd.Series(["a", None, "b", "a", None, "b"], dtype="string"),
    pd.Series(["a", None, "b", "a", None, "b"], dtype="category"),
    pd.Series(["a", "b", "a", "c", "b", "a"], dtype="category").iloc[[0, 1, 2, 4]],  # "c" unused
    pd.Series([1.5, float("nan"), -0.0, 0.0, 1.5, -0.0]),
    pd.Series([3, 1, 3, 2**40, 2**40, -7]),
    pd.Series([True, False, True]),
    pd.Series(["a", 1, None, "a"], dtype=object),
], ids=["str", "string", "category", "unused-category", "float", "int", "bool", "object"])
def test_shared_cells_are_to_numpy_values_with_equal_strings_shared(column):
    order = np.arange(len(column))[::-1].copy()
    got = shared_cells(column, order)
    assert same_cells(got, column.to_numpy()[order].tolist())
    assert same_cells(shared_cells(column), column.to_numpy().tolist())
    codes, values = column_codes(column)
    assert same_cells([values[code] for code in codes], column.to_numpy().tolist())
    if isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        assert len(values) == column.nunique(dropna=False)  # every value once, an unused category not
        texts = [cell for cell in got if isinstance(cell, str)]
        assert all(cell is next(t for t in texts if t == cell) for cell in texts)


@pytest.mark.parametrize("rows", [
    [],
    [("a", 1, None, 2.5, None), ("b", 2**40, 3, None, "c")],
    [("a", 1, 4, 2.5, "d")],
])
def test_columns_frame_is_the_row_wise_constructor(rows):
    columns, dtypes = ("text", "number", "maybe", "real", "other"), {"number": "int64", "maybe": "Int64",
                                                                       "real": "float64"}
    cells = [list(column) for column in zip(*rows, strict=True)] or [[] for _ in columns]
    pd.testing.assert_frame_equal(columns_frame(cells, columns, dtypes),
                                  pd.DataFrame(rows, columns=list(columns)).astype(dtypes))


@given(st.lists(st.one_of(st.none(), st.text(max_size=4), st.integers(0, 3), st.just(float("nan"))),
                max_size=6))
@example([None, None])
@example(["a", None, "ü\n"])
@example(["a", 1])
@example(["a", float("nan")])
def test_a_columns_frame_text_column_is_the_series_pandas_infers(values):
    # Columns of strings and None are made from Arrow's strings; any other list as pandas infers it.
    frame = columns_frame([values, list(range(len(values)))], ("text", "number"), {"number": "int64"})
    pd.testing.assert_series_equal(frame["text"], pd.Series(values, name="text"))
    assert frame["text"].dtype == pd.Series(values).dtype


def test_reports_from_mentions_read_as_categories_equal_those_from_the_frame(fast_path_source, tmp_path):
    """read_mentions reads the strings as categories and only the columns the step reads: the reports and
    unresolved mentions are those built from the table as extraction made it, and as Parquet gives it."""
    segments, mentions, context = fast_path_source
    written = tmp_path / "mentions.parquet"
    write_mentions(mentions, written)
    read = read_mentions(written)
    assert isinstance(read["name"].dtype, pd.CategoricalDtype) and "score" not in read
    expected = build_city_reports(segments, mentions, context())
    for table in (read, pd.read_parquet(written)):
        for got, want in zip(build_city_reports(segments, table, context()), expected, strict=True):
            pd.testing.assert_frame_equal(got, want)


def geopackage_content(path: Path) -> dict[str, list]:
    """Every row of every table of a GeoPackage (the R-tree by its entries, not its node layout) and the
    schema's SQL."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as database:
        master = database.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        shadow = re.compile(r"rtree_.*_(node|parent|rowid)$")
        content = {"sqlite_master": [row for row in master if not shadow.match(row[1])]}
        for kind, name, sql in master:
            if kind == "table" and not shadow.match(name):
                query = (f'SELECT id, minx, maxx, miny, maxy FROM "{name}" ORDER BY id' if "VIRTUAL" in sql
                         else f'SELECT rowid, * FROM "{name}" ORDER BY rowid')
                content[name] = database.execute(query).fetchall()
    return content


@pytest.mark.parametrize("keep", ["all", "national_first", "national_only"])
def test_geopackage_content_is_that_of_a_geodataframe_written_batch_by_batch(seed, tmp_path, keep):
    """The layer written in one GDAL session from Arrow batches holds what geopandas writes from each
    batch's GeoDataFrame (points from lon/lat, none for national rows, lat and lon kept last, the layer
    type from the first batch): every row, the spatial index's entries, the schema."""
    import pyogrio

    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    national = table["scope"] == "national"
    table = {"all": table, "national_only": table[national],
             "national_first": pd.concat([table[national], table[~national]])}[keep]
    assert national.any() and (~national).any()
    part = tmp_path / "part.parquet"
    write_part(table.reset_index(drop=True), part)
    write_reports(read_parts([part], REPORT_COLUMNS, "reports", size=3), gpkg=tmp_path / "stream.gpkg")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_GPKG_TIME})
    for number, start in enumerate(range(0, len(table), 3)):
        batch = table.iloc[start:start + 3]
        geometry = gpd.points_from_xy(batch["lon"], batch["lat"])
        geometry[(batch["scope"] == "national").to_numpy()] = None
        frame = gpd.GeoDataFrame(batch.drop(columns=["lat", "lon"]), geometry=geometry, crs="EPSG:4326")
        frame["lat"], frame["lon"] = batch["lat"], batch["lon"]
        frame.to_file(tmp_path / "frames.gpkg", driver="GPKG", layer="city_reports", engine="pyogrio",
                      mode="a" if number else "w", use_arrow=True)
    stream = geopackage_content(tmp_path / "stream.gpkg")
    assert stream == geopackage_content(tmp_path / "frames.gpkg")
    assert len(stream["city_reports"]) == len(table)
    assert len(stream["rtree_city_reports_geom"]) == int((table["scope"] != "national").sum())


def test_geopackage_points_are_the_wkb_shapely_writes(seed):
    import shapely

    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")
    batch = geopackage_batch(pa.Table.from_pandas(table, preserve_index=False))
    points = shapely.points(table["lon"], table["lat"])
    expected = [None if scope == "national" else shapely.to_wkb(point)
                for scope, point in zip(table["scope"], points, strict=True)]
    assert batch.column("geometry").to_pylist() == expected
    assert batch.schema.names == [*(c for c in REPORT_COLUMNS if c not in {"lat", "lon"}), "geometry", "lat",
                                  "lon"]


def test_a_problem_in_a_later_batch_is_raised_as_itself_not_as_a_gdal_error(seed, tmp_path):
    paths, _, _ = seed
    table = pd.read_parquet(paths["city_reports.csv"].parent / "reports.parquet")

    def batches():
        yield pa.Table.from_pandas(table, preserve_index=False)
        raise InputError("broken.parquet", "cannot read reports Parquet: broken")

    with pytest.raises(InputError, match="broken"):
        write_reports(batches(), csv=tmp_path / "r.csv", gpkg=tmp_path / "r.gpkg")
    assert not (tmp_path / "r.gpkg").exists() and not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("files", [
    [["a:1", "a:2"], ["b:1"]],
    [["a:1", "a:2", "a:3"], ["b:1", "a:2", "a:1"]],
    [["a:1", "a:2", "a:1"], ["a:2"]],
    [["a:1", None], ["b:1", None]],
    [["a:1", "a:1"], "unreadable"],
    [["a:1"], "unreadable", ["a:1"]],
    [[], ["b:1", "b:1"]],
])
def test_repeated_segment_ids_are_found_as_a_row_by_row_search_finds_them(tmp_path, files):
    paths = []
    for number, ids in enumerate(files):
        path = tmp_path / f"part{number}.parquet"
        if ids == "unreadable":
            path.write_bytes(b"not parquet")
        else:
            pd.DataFrame({"segment_id": pd.array(ids, dtype="str")}).to_parquet(path)
        paths.append(str(path))

    def first_problem() -> tuple | None:
        seen: dict = {}
        for path, ids in zip(paths, files, strict=True):
            if ids == "unreadable":
                return (path, None)
            for line, segment_id in enumerate(ids, start=1):
                if segment_id in seen:
                    return (path, line, f"segment id {segment_id!r} is also in {seen[segment_id]}")
                seen[segment_id] = path
        return None

    expected = first_problem()
    if expected is None:
        check_unique_segment_ids(paths)
        return
    with pytest.raises(InputError) as raised:
        check_unique_segment_ids(paths)
    assert raised.value.path == expected[0]
    if expected[1] is None:
        assert "cannot read segment ids" in str(raised.value)
    else:
        assert raised.value.line == expected[1] and expected[2] in str(raised.value)


def test_building_in_passes_gives_the_frames_and_parquet_bytes_of_one_pass(fast_path_source, tmp_path,
                                                                           monkeypatch):
    """Passes of a few segments (one of them with no report, one segment id repeated in a later pass)
    give the same frames as one pass, and the same Parquet bytes (text columns in one Arrow chunk)."""
    segments, mentions, context = fast_path_source
    repeated = pd.concat([segments, segments.iloc[[len(segments) - 1]]], ignore_index=True)
    whole = build_city_reports(repeated, mentions, context())
    monkeypatch.setattr("kzshutdowns.build_city_reports.SEGMENTS_PER_PASS", 3)
    passes = build_city_reports(repeated, mentions, context())
    for number, (one, other) in enumerate(zip(whole, passes, strict=True)):
        pd.testing.assert_frame_equal(one, other)
        texts = [name for name in other.columns if isinstance(other[name].dtype, pd.StringDtype)]
        assert texts and all(other[name].array.__arrow_array__().num_chunks == 1 for name in texts)
        write_part(one, tmp_path / f"whole{number}.parquet")
        write_part(other, tmp_path / f"passes{number}.parquet")
        assert (tmp_path / f"whole{number}.parquet").read_bytes() == (
            tmp_path / f"passes{number}.parquet").read_bytes()
    last = segments["segment_id"].iloc[-1]
    assert (whole[0]["segment_id"] == last).sum() + (whole[1]["segment_id"] == last).sum() >= 2


def test_texts_read_a_few_at_a_time_with_a_small_store_give_the_frames_of_one_reading(fast_path_source,
                                                                                      monkeypatch):
    """Segments whose texts are read two at a time, with a store of readings emptied every few segments
    (texts read again later, a segment repeated), give the frames of reading them all at once."""
    segments, mentions, context = fast_path_source
    repeated = pd.concat([segments, segments.iloc[::-1]], ignore_index=True)
    whole = build_city_reports(repeated, mentions, context())
    monkeypatch.setattr("kzshutdowns.build_city_reports.SEGMENTS_READ_TOGETHER", 2)
    monkeypatch.setattr("kzshutdowns.build_city_reports.READINGS_KEPT", 3)
    few = build_city_reports(repeated, mentions, context())
    for one, other in zip(whole, few, strict=True):
        pd.testing.assert_frame_equal(one, other)
    assert len(whole[0]) > 10


def test_bytes_of_arrow_strings_are_their_utf8_one_after_the_other():
    strings = pa.array(["ab", "cé", "d", "ef"], type=pa.large_string())
    assert _bytes(strings).to_pybytes() == "abcédef".encode()
    assert _bytes(strings.slice(1, 2)).to_pybytes() == "céd".encode()  # a slice starts at an offset
    assert _bytes(pa.array(["x", "yz"])).to_pybytes() == b"xyz"  # 32-bit offsets
    assert _bytes(pa.chunked_array([strings.slice(2), strings.slice(0, 1)])).to_pybytes() == b"defab"


@pytest.mark.parametrize(("change", "line", "field", "message"), [
    ({"segment_id": None}, 2, "segment_id", "missing segment_id"),
    ({"type": None}, 2, "type", "missing type"),
    ({"type": "places"}, 2, "type", "unknown mention type 'places'"),
    ({"start": None}, 2, "start", "missing start"),
    ({"value": "Almaty"}, 2, "value", "'Almaty' is not a GeoNames id"),
    ({"value": None}, 2, "value", "is not a GeoNames id"),
])
def test_bad_mention_cells_name_the_file_row_and_field(fast_path_source, tmp_path, change, line, field,
                                                       message):
    _, mentions, _ = fast_path_source
    places = mentions[mentions["type"] == "place"].reset_index(drop=True)
    assert len(places) >= 2
    bad = places.astype({"start": "Int64"})
    for name, value in change.items():
        bad[name] = bad[name].astype(object)
        bad.loc[1, name] = value
    written = tmp_path / "mentions.parquet"
    bad.to_parquet(written)
    with pytest.raises(InputError, match=re.escape(message)) as raised:
        read_mentions(written)
    assert (raised.value.path, raised.value.line, raised.value.field) == (written, line, field)


def test_mention_spans_must_be_integers(fast_path_source, tmp_path):
    _, mentions, _ = fast_path_source
    written = tmp_path / "mentions.parquet"
    mentions.astype({"end": "float64"}).to_parquet(written)
    with pytest.raises(InputError, match="end must be integers") as raised:
        read_mentions(written)
    assert raised.value.field == "end"


@pytest.mark.parametrize("field", ["lat", "lon"])
def test_place_coordinates_must_be_numbers(fast_path_source, tmp_path, field):
    _, mentions, _ = fast_path_source
    written = tmp_path / "mentions.parquet"
    mentions.astype({field: str}).to_parquet(written)
    with pytest.raises(InputError, match=f"{field} must be numbers") as raised:
        read_mentions(written)
    assert (raised.value.path, raised.value.field) == (written, field)


@pytest.mark.parametrize(("field", "value"), [("lat", 999.0), ("lat", -90.5), ("lon", 180.5),
                                             ("lon", float("inf"))])
def test_place_coordinates_must_lie_on_the_globe(fast_path_source, tmp_path, field, value):
    # A latitude of 999 went on into the reports and the GeoJSON (a point off the globe).
    _, mentions, _ = fast_path_source
    places = mentions[mentions["type"] == "place"].reset_index(drop=True)
    bad = places.copy()
    bad.loc[1, field] = value
    written = tmp_path / "mentions.parquet"
    bad.to_parquet(written)
    with pytest.raises(InputError, match=f"place {field}") as raised:
        read_mentions(written)
    assert (raised.value.path, raised.value.line, raised.value.field) == (written, 2, field)


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("date", None, "date without value"),
    ("date", "XXXX-ab", "date value 'XXXX-ab' is not a date"),
    ("date", "16.12.2016", "date value '16.12.2016' is not a date"),
    ("platform", None, "platform without value"),
])
def test_a_date_or_platform_mention_without_a_value_of_its_kind_is_refused(fast_path_source, tmp_path, kind,
                                                                          value, message):
    _, mentions, _ = fast_path_source
    bad = mentions.reset_index(drop=True).astype({"value": object})
    row = int(np.flatnonzero(bad["type"] == kind)[1])
    bad.loc[row, "value"] = value
    written = tmp_path / "mentions.parquet"
    bad.to_parquet(written)
    with pytest.raises(InputError, match=re.escape(message)) as raised:
        read_mentions(written)
    assert (raised.value.path, raised.value.line, raised.value.field) == (written, row + 1, "value")


@pytest.mark.parametrize("field", ["name", "country_code", "lat", "lon", "kind"])
def test_a_place_mention_without_its_place_columns_is_refused(fast_path_source, tmp_path, field):
    _, mentions, _ = fast_path_source
    places = mentions[mentions["type"] == "place"].reset_index(drop=True)
    bad = places.astype({field: object})
    bad.loc[1, field] = None
    written = tmp_path / "mentions.parquet"
    bad.to_parquet(written)
    with pytest.raises(InputError, match=f"place without {field}") as raised:
        read_mentions(written)
    assert (raised.value.line, raised.value.field) == (2, field)


def test_text_cells_are_the_same_through_the_dictionary_or_not():
    """The gather reads the repeated text columns as Parquet's dictionaries (REPEATED_TEXT) and escapes
    each distinct string once: the cells are those of the plain strings, whatever the dictionaries of
    the chunks, and each reads back as its string."""
    from kzshutdowns.build_city_reports import _csv_cells, _json_cells

    repeated = ["a", "b,c", 'q"x', "line\nx", None, "\x01", "\\", "ü", ""] * 10
    strings = repeated + [f"id{number}" for number in range(20)]
    plain = pa.chunked_array([pa.array(strings, type=pa.large_string())])
    halves = [pa.array(strings[:45], type=pa.string()), pa.array(strings[45:], type=pa.string())]
    coded = pa.chunked_array([pc.dictionary_encode(half) for half in halves])
    cells = [(_csv_cells(column).to_pylist(), _json_cells(column).to_pylist()) for column in (plain, coded)]
    assert cells[0] == cells[1]
    csv_cells, json_cells = cells[0]
    assert [next(csv.reader(io.StringIO(cell + ",", newline="")))[0] for cell in csv_cells] == [
        "" if value is None else value for value in strings]
    assert [json.loads(cell) for cell in json_cells] == strings


# Places for the random sources below: value, name, country, admin1, lat, lon, kind, region code.
MIXED_PLACES = {
    "Almaty": ("1526384", "Almaty", "KZ", "02", 43.25, 76.91, "city", None),
    "Astana": ("1526273", "Astana", "KZ", "05", 51.18, 71.45, "city", None),
    "Karagandy": ("609655", "Karagandy", "KZ", "12", 49.80, 73.10, "city", None),
    "Karaganda Region": ("1523401", "Karaganda Region", "KZ", "12", 48.0, 72.0, "region", "KZ-KAR"),
    "Atyrau": ("610529", "Atyrau", "KZ", None, 47.11, 51.92, "city", None),
    "Kazakhstan": ("1522867", "Kazakhstan", "KZ", None, 48.0, 68.0, "country", None),
    "Paris": ("2988507", "Paris", "FR", "11", 48.85, 2.35, "city", None),
}
MIXED_DATES = {"": None, " on 16 December 2016": "2016-12-16", " in 2011": "2011",
               " on 5 January": "XXXX-01-05", " on 1 March 2019": "2019-03-01"}
MIXED_SENTENCE = st.tuples(
    st.sampled_from(["", "Residents say "]),
    st.sampled_from(["", "Facebook", "Twitter", "social media"]),
    st.sampled_from(["is blocked", "works", "is regularly blocked", "was slow"]),
    st.lists(st.tuples(st.sampled_from(sorted(MIXED_PLACES)), st.booleans()), min_size=1, max_size=4),
    st.sampled_from(sorted(MIXED_DATES)),
    st.booleans(),  # a rejected place name
)
MIXED_SEGMENT = st.tuples(
    st.sampled_from(["tweet", "tweet", "paragraph", "translation"]),
    st.sampled_from(["a", "b"]),
    st.sampled_from([None, "2016-12-16", "2022-01-05"]),
    st.sampled_from(["en", "und"]),
    st.integers(0, 40),  # where the text starts in its document
    st.lists(MIXED_SENTENCE, max_size=3),
    st.booleans(),  # the id of the segment before
)


def mixed_source(drawn: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and mentions of the drawn segments (texts of English sentences, mentions at their words);
    a segment drawn as repeating the id before it is a copy of the segment before (as a retweet)."""
    segments: list[dict] = []
    mentions: list[dict] = []
    for number, (kind, article, day, lang, offset, sentences, repeat) in enumerate(drawn):
        if repeat and segments:
            segments.append(dict(segments[-1]))
            continue
        segment_id, text = f"{article}:s{number}", ""
        for witness, platform, status, places, when, rejected in sentences:
            words = []  # (type, where in the text, word, value, place columns)
            text += witness
            if platform:
                words.append(("platform", len(text), platform, platform.replace(" ", "_").lower(), {}))
                text += platform + " "
            text += status + " in "
            for place_number, (place, hashed) in enumerate(places):
                text += (" and " if place_number else "") + ("#" if hashed else "")
                value, name, country, admin1, lat, lon, place_kind, region = MIXED_PLACES[place]
                words.append(("place", len(text), place, value, {
                    "name": name, "country_code": country, "admin1": admin1, "lat": lat, "lon": lon,
                    "kind": place_kind, "region_code": region}))
                text += place
            if rejected:
                text += " near "
                words.append(("place_rejected", len(text), "Apple", "", {
                    "reason": "stopword", "detail": None if number % 2 else "a common word"}))
                text += "Apple"
            if when:
                text += " "
                written = when.split(" ", 2)[-1]
                words.append(("date", len(text), written, MIXED_DATES[when], {}))
                text += written
            text += ". "
            mentions += [{"article_id": article, "segment_id": segment_id, "type": kind_of,
                          "start": offset + at, "end": offset + at + len(word), "surface": word,
                          "value": value, **columns}
                         for kind_of, at, word, value, columns in words]
        segments.append({"article_id": article, "segment_id": segment_id, "kind": kind, "start": offset,
                         "end": offset + len(text), "text": text, "lang": lang,
                         "translates": f"{article}:s0" if kind == "translation" else None,
                         "date": day if kind == "tweet" else None})
    columns = ["article_id", "segment_id", "type", "start", "end", "surface", "value", "name", "country_code",
               "admin1", "lat", "lon", "kind", "region_code", "reason", "detail"]
    # Text columns of Python objects (a missing detail is None, not NaN as in a string column).
    mention_frame = pd.DataFrame(mentions, columns=columns, dtype=object).astype(
        {"start": "int64", "end": "int64", "lat": "float64", "lon": "float64"})
    return pd.DataFrame(segments, columns=[*SEGMENT_FIELDS, "end"]), mention_frame


@pytest.fixture(scope="module")
def mixed_context():
    """A fresh context of the reference tables for each call (documents "a" dated, "b" not)."""
    tables = load_reference_tables(REFERENCE / "shutdowns.csv", REFERENCE / "platforms.csv",
                                   REFERENCE / "regions.csv")
    country = country_record("KZ")

    def context() -> Context:
        kinds = dict(zip(tables.platforms["id"], tables.platforms["kind"], strict=True))
        regions = dict(zip(tables.regions["admin1"], tables.regions["region_code"], strict=True))
        return Context(events=event_spans(tables.events, "KZ"), platform_kinds=kinds,
                       region_of_admin1=regions, country=country, reference_dates={"a": date(2016, 12, 16)})

    return context


# Every outcome of a place in an undated segment: a region qualifying its city, a witness, hashtags, the
# same city and the country twice, a status that is none, no document date, a translation, a foreign city,
# a city without admin1, a habitual sentence, a repeated segment, no event, a region and its city in two
# sentences, rejected names with and without detail; then the same segments dated.
def said(*places: str, platform: str = "Facebook", status: str = "is blocked", witness: str = "",
         rejected: bool = False) -> tuple:
    """A sentence as MIXED_SENTENCE draws it, undated (a place written #name is a hashtag)."""
    return (witness, platform, status, [(place.lstrip("#"), place.startswith("#")) for place in places], "",
            rejected)


MIXED_EXAMPLE = [
    ("paragraph", "a", None, "en", 5, [said("Karaganda Region", "Karagandy", witness="Residents say ")],
     False),
    ("tweet", "b", "2016-12-16", "en", 0, [said("#Almaty", "Almaty", "Kazakhstan", "#Kazakhstan",
                                                platform="Twitter", rejected=True)], False),
    ("tweet", "b", "2022-01-05", "und", 0, [said("Astana", platform="", status="was slow"),
                                            said("Atyrau", status="works")], False),
    ("paragraph", "b", None, "en", 9, [said("Almaty")], False),
    ("paragraph", "a", None, "en", 9, [said("Almaty")], False),
    ("translation", "b", None, "en", 0, [said("Almaty")], False),
    ("tweet", "b", "2016-12-16", "en", 0, [said("Paris", platform="social media"),
                                           said("Astana", status="is regularly blocked")], False),
    ("tweet", "b", "2016-12-16", "en", 0, [], True),
    ("tweet", "b", "2022-01-05", "en", 3, [said("Almaty", platform="Twitter", witness="Residents say ",
                                                rejected=True)], False),
    ("tweet", "b", "2022-01-05", "en", 0, [said("Astana", platform="", status="was slow")], False),
    ("tweet", "b", "2019-03-02", "en", 0, [said("Almaty", platform="Twitter")], False),
    ("tweet", "b", "2016-12-16", "en", 0, [said("Karaganda Region"), said("Karagandy", rejected=True)],
     False),
]
# The same segments, each sentence dated.
MIXED_DATED = [(*segment[:5], [(*sentence[:4], " on 16 December 2016", sentence[5])
                               for sentence in segment[5]], segment[6]) for segment in MIXED_EXAMPLE]



def dated(sentence: tuple, when: str) -> tuple:
    """A sentence of :func:`said` with a date written at its end (a key of MIXED_DATES)."""
    return (*sentence[:4], when, sentence[5])


# Dated sentences without a place: a national statement of their own, one that the country named in the
# same statement already reports, one that no event covers (listed under its date), habitual or statusless
# ones and a translation's (nothing), an undated sentence taking the time of the one before it.
MIXED_STATEMENTS = [
    ("paragraph", "a", None, "en", 0, [
        dated(said("Almaty", witness="Residents say "), " on 16 December 2016"),
        dated(said(platform="Twitter"), " on 5 January"),
        said(platform="Twitter", status="is regularly blocked"),
    ], False),
    ("tweet", "b", "2022-01-05", "en", 4, [
        dated(said(), " on 1 March 2019"), said(platform="Twitter", status="works"),
        dated(said(platform="social media"), " on 16 December 2016"),
        dated(said("Kazakhstan", platform="Twitter"), " on 16 December 2016"),
    ], False),
    ("translation", "b", None, "en", 0, [dated(said(), " on 16 December 2016")], False),
    ("tweet", "b", None, "und", 0, [dated(said(platform="", status="was slow"), " in 2011"),
                                    dated(said("Astana"), " in 2011")], False),
    ("tweet", "b", None, "und", 0, [], True),
    ("tweet", "b", "2022-01-05", "en", 2, [dated(said(platform="Twitter"), " on 16 December 2016"),
                                           said("Paris", platform="")], False),
]


# What the explicit examples give: reports (segment, place as written, kind, event, blocked, reachable, date)
# and unresolved mentions (segment, surface, reason); every reason and report kind is among them.
MIXED_EXPECTED = {
    "MIXED_EXAMPLE": ([
        ('a:s0', 'Karagandy', 'residents_confirmed', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
        ('b:s1', '#Almaty', 'tweet_located', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s1', 'Kazakhstan', 'national_statement', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s2', 'Astana', 'tweet_located', 'kz-2022-01-04', '', 'facebook', '2022-01-05'),
        ('b:s2', 'Atyrau', 'tweet_located', 'kz-2022-01-04', '', 'facebook', '2022-01-05'),
        ('b:s8', 'Almaty', 'tweet_located', 'kz-2022-01-04', 'twitter', '', '2022-01-05'),
        ('b:s11', 'Karaganda Region', 'tweet_located', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
        ('b:s11', 'Karagandy', 'tweet_located', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
    ], [
        ('a:s0', 'Karaganda Region', 'region'),
        ('b:s1', 'Almaty', 'duplicate'),
        ('b:s1', 'Kazakhstan', 'duplicate'),
        ('b:s1', 'Apple', 'stopword'),
        ('b:s3', 'Almaty', 'no_date'),
        ('a:s4', 'Almaty', 'no_witness_cue'),
        ('b:s5', 'Almaty', 'translation'),
        ('b:s6', 'Paris', 'foreign_place'),
        ('b:s6', 'Astana', 'habitual'),
        ('b:s6', 'Paris', 'foreign_place'),
        ('b:s6', 'Astana', 'habitual'),
        ('b:s8', 'Apple', 'stopword'),
        ('b:s9', 'Astana', 'no_status'),
        ('b:s10', 'Almaty', 'no_event'),
        ('b:s11', 'Apple', 'stopword'),
    ]),
    "MIXED_DATED": ([
        ('a:s0', 'Karagandy', 'residents_confirmed', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
        ('b:s1', '#Almaty', 'tweet_located', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s1', 'Kazakhstan', 'national_statement', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s2', 'Astana', 'historical_reference', 'kz-2016-12-16', '', 'facebook', '2016-12-16'),
        ('b:s2', 'Atyrau', 'historical_reference', 'kz-2016-12-16', '', 'facebook', '2016-12-16'),
        ('b:s8', 'Almaty', 'historical_reference', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s9', 'Astana', 'historical_reference', 'kz-2016-12-16', '', '', '2016-12-16'),
        ('b:s10', 'Almaty', 'historical_reference', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s11', 'Karaganda Region', 'tweet_located', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
        ('b:s11', 'Karagandy', 'tweet_located', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
    ], [
        ('a:s0', 'Karaganda Region', 'region'),
        ('b:s1', 'Almaty', 'duplicate'),
        ('b:s1', 'Kazakhstan', 'duplicate'),
        ('b:s1', 'Apple', 'stopword'),
        ('b:s3', 'Almaty', 'no_witness_cue'),
        ('a:s4', 'Almaty', 'no_witness_cue'),
        ('b:s5', 'Almaty', 'translation'),
        ('b:s6', 'Paris', 'foreign_place'),
        ('b:s6', 'Astana', 'habitual'),
        ('b:s6', 'Paris', 'foreign_place'),
        ('b:s6', 'Astana', 'habitual'),
        ('b:s8', 'Apple', 'stopword'),
        ('b:s11', 'Apple', 'stopword'),
    ]),
    "MIXED_STATEMENTS": ([
        ('a:s0', 'Almaty', 'residents_confirmed', 'kz-2016-12-16', 'facebook', '', '2016-12-16'),
        ('b:s1', 'Kazakhstan', 'national_statement', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
        ('b:s5', '', 'national_statement', 'kz-2016-12-16', 'twitter', '', '2016-12-16'),
    ], [
        ('a:s0', '5 January', 'no_event'),
        ('b:s1', '1 March 2019', 'no_event'),
        ('b:s3', 'Astana', 'ambiguous_event'),
        ('b:s3', 'Astana', 'ambiguous_event'),
        ('b:s5', 'Paris', 'foreign_place'),
    ]),
}


@pytest.mark.parametrize("name", sorted(MIXED_EXPECTED))
def test_explicit_segments_give_the_reports_and_reasons_stated(mixed_context, name):
    segments, mentions = mixed_source(globals()[name])
    reports, unresolved = build_city_reports(segments, mentions, mixed_context())
    expected_reports, expected_unresolved = MIXED_EXPECTED[name]
    assert list(zip(reports["segment_id"], reports["place_surface"], reports["report_kind"],
                    reports["event_id"], reports["platforms_blocked"], reports["platforms_reachable"],
                    reports["date"], strict=True)) == expected_reports
    assert list(zip(unresolved["segment_id"], unresolved["surface"], unresolved["reason"],
                    strict=True)) == expected_unresolved


def test_statements_without_a_place_give_their_evidence_and_dates(mixed_context):
    """A national statement without a place is evidenced by its statement's sentences that give a status
    (those of equal time, before and after); one that no event covers is listed under its date mention."""
    segments, mentions = mixed_source(MIXED_STATEMENTS)
    reports, unresolved = build_city_reports(segments, mentions, mixed_context())
    national = reports[reports["segment_id"] == "b:s5"].iloc[0]
    assert national["evidence_text"] == "Twitter is blocked in  16 December 2016."
    assert (national["scope"], national["geonameid"], national["name"]) == ("national", 1522867, "Kazakhstan")
    assert pd.isna(national["lat"]) and pd.isna(national["place_start"]) and national["place_surface"] == ""
    text = segments.set_index("segment_id")["text"]
    assert national["evidence_start"] == 2 + text["b:s5"].index("Twitter")
    stated = reports[reports["segment_id"] == "b:s1"].iloc[0]
    assert stated["evidence_text"] == (
        "social media is blocked in  16 December 2016. Twitter is blocked in Kazakhstan 16 December 2016.")
    dates = unresolved[unresolved["reason"] == "no_event"]
    assert list(dates["detail"]) == [
        "statement without a place: no event of the dataset covers 2016-01-05 at this place",
        "statement without a place: no event of the dataset covers 2019-03-01 at this place"]
    starts = [segments.set_index("segment_id")["start"][segment_id] + text[segment_id].index(surface)
              for segment_id, surface in zip(dates["segment_id"], dates["surface"], strict=True)]
    assert list(dates["start"]) == starts


def test_a_place_in_a_text_without_sentences_is_refused_unless_left_out_first(mixed_context):
    """A place mention of a segment whose text has no sentence (blank) is bad input, named; a translation's
    or a foreign place there is left out as anywhere else."""
    drawn = [("tweet", "b", "2016-12-16", "en", 0, [said("Paris", "Almaty")], False)]
    segments, mentions = mixed_source(drawn)
    blank = segments.assign(text=segments["text"].str.replace(r"\S", " ", regex=True))
    refused = "'Almaty' at .* is in segment 'b:s0', whose text has no sentence"
    with pytest.raises(InputError, match=refused) as raised:
        build_city_reports(blank, mentions, mixed_context(), mentions_path="m.parquet")
    assert (raised.value.path, raised.value.line, raised.value.field) == (
        "m.parquet", 1 + int(np.flatnonzero(mentions["surface"] == "Almaty")[0]), "start")
    _, unresolved = build_city_reports(blank, mentions[mentions["surface"] != "Almaty"], mixed_context())
    assert list(unresolved["reason"]) == ["foreign_place"]
    _, unresolved = build_city_reports(blank.assign(kind="translation", translates="b:s9"), mentions,
                                       mixed_context())
    assert list(unresolved["reason"]) == ["translation", "translation"]


def test_a_place_dated_more_than_30_days_before_its_tweet_is_a_historical_reference(mixed_context):
    """The 16 December 2016 of a tweet of 15 January 2017 (30 days after) is a time of its own; that of a
    tweet a day later is history."""
    drawn = [("tweet", "b", day, "en", 0, [dated(said("Astana"), " on 16 December 2016")], False)
             for day in ("2017-01-15", "2017-01-16")]
    reports, _ = build_city_reports(*mixed_source(drawn), mixed_context())
    assert list(zip(reports["segment_id"], reports["report_kind"], reports["date"], strict=True)) == [
        ("b:s0", "tweet_located", "2016-12-16"), ("b:s1", "historical_reference", "2016-12-16")]


@pytest.mark.parametrize(("kind", "shift", "field"), [
    ("place", -100, "start"), ("place", 200, "end"), ("place_rejected", 200, "end"), ("date", -100, "start"),
    ("platform", 200, "end"),
])
def test_a_mention_outside_its_segment_text_is_refused(mixed_context, kind, shift, field):
    """A mention (of any type read) whose span is not inside its segment's text names the mentions file,
    its row and the side that is out."""
    drawn = [("paragraph", "a", None, "en", 30, [said("Paris", "Almaty", rejected=True)], False),
             ("tweet", "b", "2016-12-16", "en", 30,
              [dated(said("Astana", rejected=True), " on 16 December 2016")], False)]
    segments, mentions = mixed_source(drawn)
    row = int(np.flatnonzero(mentions["type"] == kind)[-1])
    moved = mentions.copy()
    moved.loc[row, ["start", "end"]] += shift
    reordered = moved.iloc[::-1].set_index(pd.Index(range(100, 100 + len(moved))))  # rows named by position
    with pytest.raises(InputError, match=f"{kind} .* is not inside segment 'b:s1' \\(30-") as raised:
        build_city_reports(segments, reordered, mixed_context(), mentions_path="m.parquet")
    assert (raised.value.path, raised.value.line) == ("m.parquet", len(moved) - row)
    assert raised.value.field == field
    build_city_reports(segments, mentions, mixed_context())  # inside: no error


@settings(max_examples=60, deadline=None)
@example(drawn=MIXED_EXAMPLE, through_parquet=True)
@example(drawn=MIXED_EXAMPLE, through_parquet=False)
@example(drawn=MIXED_DATED, through_parquet=False)
@example(drawn=MIXED_STATEMENTS, through_parquet=True)
@given(drawn=st.lists(MIXED_SEGMENT, max_size=12), through_parquet=st.booleans())
def test_random_segments_each_give_their_own_rows_and_account_for_every_place(mixed_context, drawn,
                                                                               through_parquet):
    """Random mixes of tweets, paragraphs and translations (dated or not, with or without a tweet date or a
    document date, places at home and abroad, regions beside their cities, hashtags, the country, repeated
    places, rejected names, repeated segment ids): built together, each segment (with the copies of its id)
    gives the rows it gives built alone; every place and rejected name of every segment is in a report or
    left out, once; report kinds follow the segment kinds and dates; translations report nothing."""
    segments, mentions = mixed_source(drawn)
    if through_parquet:  # the mention strings as categories, missing ones NaN, as read from a file
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "mentions.parquet"
            mentions.to_parquet(path)
            mentions = read_mentions(path)
    reports, unresolved = build_city_reports(segments, mentions, mixed_context())
    # Runs of segments of one id (a repeated id copies the segment before it), each built alone.
    ids = segments["segment_id"].tolist()
    starts = [number for number in range(len(ids)) if number == 0 or ids[number] != ids[number - 1]]
    alone = [build_city_reports(segments.iloc[first:last], mentions[mentions["segment_id"] == ids[first]],
                                mixed_context())
             for first, last in zip(starts, [*starts[1:], len(ids)][:len(starts)], strict=True)]
    for number, frame in enumerate((reports, unresolved)):
        parts = [part[number] for part in alone if len(part[number])]
        if parts:
            # (a column of one part may hold only missing cells: its type is object, the whole's string; the
            # parts joined are given the whole's types, so that a None there is the whole's NaN)
            joined = pd.concat(parts, ignore_index=True).astype(frame.dtypes.to_dict())
            pd.testing.assert_frame_equal(frame, joined, check_dtype=False)
        else:
            assert frame.empty
    copies = segments["segment_id"].value_counts()
    kinds = dict(zip(segments["segment_id"], segments["kind"], strict=True))
    placed = mentions[mentions["type"].isin(["place", "place_rejected"])]
    statement_dates = unresolved["detail"].str.startswith("statement without a place: ")
    for segment_id, count in copies.items():
        of_reports = reports[reports["segment_id"] == segment_id]
        of_unresolved = unresolved[(unresolved["segment_id"] == segment_id) & ~statement_dates]
        expected = (placed["segment_id"] == segment_id).sum() * count
        assert of_reports["place_start"].notna().sum() + len(of_unresolved) == expected
        if kinds[segment_id] == "translation":
            assert of_reports.empty and statement_dates[unresolved["segment_id"] == segment_id].sum() == 0
            assert set(of_unresolved["reason"]) <= {"translation", "stopword"}
    rejected = unresolved["surface"] == "Apple"
    assert (unresolved["reason"][rejected] == "stopword").all()
    assert unresolved["detail"][rejected].fillna("").isin(["", "a common word"]).all()
    assert ((reports["report_kind"] == "national_statement") == (reports["scope"] == "national")).all()
    segment_kind = reports["segment_id"].map(kinds)
    assert (segment_kind[reports["report_kind"] == "tweet_located"] == "tweet").all()
    assert (segment_kind[reports["report_kind"] == "residents_confirmed"] == "paragraph").all()
    # A historical reference is dated (in its text) more than 30 days before its tweet or document date.
    days = dict(zip(segments["segment_id"], segments["date"].fillna("2016-12-16"), strict=True))
    historical = reports[reports["report_kind"] == "historical_reference"]
    assert all(date.fromisoformat(days[segment_id]) - resolve_date(day, None, "text").last > timedelta(30)
               for segment_id, day in zip(historical["segment_id"], historical["date"], strict=True))
    # A national statement without a place stands for a dated sentence of a segment that is no translation.
    without_place = reports[reports["place_start"].isna()]
    assert (without_place["report_kind"] == "national_statement").all()
    assert (without_place["place_surface"] == "").all()
    dated_ids = set(mentions["segment_id"][mentions["type"] == "date"])
    assert set(without_place["segment_id"]) <= dated_ids
