"""Segments -> mentions: places (the geocoder), platforms (the lexicon) and dates, with spans.

One row per mention (contract "Mentions"): ``article_id``, ``segment_id``, ``type`` (``place``,
``place_rejected``, ``platform``, ``date``), ``start``/``end`` as character offsets into the
document's source text (segment start + offset in the segment, so ``raw[start:end] == surface``),
``surface``, ``value`` (GeoNames id, platform id or date), the geocoder's fields for places
(``name``, ``country_code``, ``admin1``, ``lat``, ``lon``, ``kind``, ``region_code``, ``method``,
``score``) and ``reason``/``detail`` for place-like words the geocoder rejected.

Dates are found in running text in Arabic, Russian, Kazakh, English, French and German with the
month names of :mod:`kzshutdowns.dates` (and the Russian and Kazakh case forms of the Cyrillic ones
that :func:`kzshutdowns.normalize.cyrillic_case_forms` gives: ``в декабре``, ``желтоқсанда``); a
complete date is checked with its ``parse_date``. Values
are ISO 8601 at the precision written: ``2016-12-16``, ``2016-05``, ``2011``; where the text gives
no year the year is left unspecified in the EDTF way (``XXXX-12-09``, ``XXXX-05``) and the report
step fills it in from the document's date. A bare year needs a year word next to it (``عام 2011``,
``in 2011``, ``в 2011 году``, ``2011 жылы``); a bare month needs a preposition before it or the
Arabic double name (``في أيار/مايو``, ``in May``), so ``may`` the verb and ``آب`` read as ``أب``
("father") are not dates.

The command reads the segments with :func:`kzshutdowns.segments.read_segments` and refuses, naming
the row, a repeated segment id or a language that is not a code (:func:`check_segments`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
import string
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.arrays import ArrowStringArray

from kzshutdowns.dates import MONTHS, DateFormatError, month_number, normalise_month, parse_date
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output
from kzshutdowns.gc_tuning import fewer_collections, load_frozen
from kzshutdowns.geocode import Geocoder, PlaceFields
from kzshutdowns.language import is_language_code
from kzshutdowns.normalize import cyrillic_case_forms, fold_name, script_of
from kzshutdowns.platforms import (
    PlatformLexicon,
    compile_lexicon,
    find_platforms_many,
    load_platforms,
)
from kzshutdowns.segments import SEGMENT_COLUMNS, read_segments

SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("segment_id", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("surface", pa.string(), nullable=False),
        pa.field("value", pa.string()),
        pa.field("name", pa.string()),
        pa.field("country_code", pa.string()),
        pa.field("admin1", pa.string()),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("kind", pa.string()),
        pa.field("region_code", pa.string()),
        pa.field("method", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)
# Documents searched together (see extract_mentions): enough that the fixed costs of each batch's array
# operations, automaton scans and column blocks are spread over many documents (0.3 s CPU less of a
# 125k-tweet shard of distinct texts than with 1,000), as in the geocoder CLI's batches
# (kzshutdowns.geocode.BATCH_SIZE); the mention objects of one batch stay few.
BATCH_SIZE = 4000
TYPE_ORDER = {"place": 0, "place_rejected": 1, "platform": 2, "date": 3}

# Words that make a bare four-digit number a year, before it or after it (folded).
YEAR_WORDS_BEFORE = frozenset(fold_name(w) for w in (
    "عام", "العام", "سنة", "in", "since", "until", "by", "year", "en", "depuis", "im", "seit",
    "в", "с", "до", "к"))
YEAR_WORDS_AFTER = frozenset(fold_name(w) for w in ("году", "года", "год", "г", "жылы", "жыл", "ж", "م"))
# Words before a bare month name (folded); Arabic ones may carry the conjunction و or ف.
MONTH_WORDS_BEFORE = frozenset(fold_name(w) for w in (
    "في", "فى", "شهر", "خلال", "منذ", "حتى", "in", "since", "during", "until", "early", "late", "en",
    "depuis", "im", "seit", "в", "с", "до"))

_WORDS = re.compile(r"[^\W\d_]+")
_DAY_BEFORE = re.compile(r"(?<![\w.])(\d{1,2})(?:er|\.)?\s+$")
_YEAR_AFTER = re.compile(r"\s*[,،]?\s+(\d{4})(?![\w-])(?:\s*(?:г|ж|م)\.?(?!\w))?")
_DAY_YEAR_AFTER = re.compile(r"\.?\s+(\d{1,2})\s*[,،]?\s+(\d{4})(?![\w-])")
_DOUBLE_OPEN = re.compile(r"\s*(/|\()\s*")
_DOUBLE_CLOSE = re.compile(r"\s*\)")
_ISO = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
_YEAR = re.compile(r"(?<![\w-])(\d{4})(?![\w-])")
# Four digits that may begin the year of a date without a month name (_ISO, _YEAR): not after a word
# character or a hyphen, not before a word character (a link id such as t.co/Ab2016x holds none).
_YEAR_DIGITS = re.compile(r"(?<![\w-])\d{4}(?!\w)")
# Tokens up to which _texts_holding searches a batch for each (about 50 us per token in a batch of
# 1,000 tweets) rather than splitting all its texts (about 1 ms).
_TOKENS_SEARCHED = 16
MONTH_PROCLITICS = "وبفل"
# Russian and Kazakh case forms of the Cyrillic month names (в декабре, в мае, желтоқсанда), folded;
# not of Kazakh қазан (October), whose forms are the Russian word for a cauldron and the city Kazan.
CYRILLIC_MONTH_FORMS = {
    form: number
    for name, number in MONTHS.items() if script_of(name) == "cyrillic" and fold_name(name) != "казан"
    for form in cyrillic_case_forms(fold_name(name))
}
# First words of the two-word month names (Arabic كانون الأول, تشرين الثاني), normalised.
TWO_WORD_MONTH_STARTS = frozenset(name.split()[0] for name in MONTHS if " " in name)
# The ASCII words that are month names or start one, as _month_of and _starts_two_word_month see
# them (an ASCII word is only lower-cased by normalise_month and fold_name, and no proclitic is
# ASCII), as bytes; and the translation of ASCII text that _ascii_date_tokens looks for them in:
# letters lower-cased, digits as 0, everything else a space (then digits too, for the words).
_ASCII_MONTH_WORDS = frozenset(name.encode("ascii") for name in (
    *MONTHS, *CYRILLIC_MONTH_FORMS, *TWO_WORD_MONTH_STARTS) if name.isascii())
_ASCII_WORD_BYTES = bytes(
    ord(char.lower()) if char in string.ascii_letters else ord("0") if char in string.digits else ord(" ")
    for char in map(chr, range(256)))
_ASCII_DIGITS_OUT = bytes.maketrans(b"0", b" ")
_ASCII_FOUR_DIGITS = re.compile(rb"0000")


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: its span, the text as written, and its ISO/EDTF value."""

    start: int
    end: int
    surface: str
    value: str


@dataclass(frozen=True)
class _Month:
    start: int
    end: int
    number: int
    double: bool


@functools.lru_cache(maxsize=1 << 16)
def _month_of(written: str) -> tuple[int, int] | None:
    """(month number, 1 if an Arabic proclitic is left out else 0) of a one- or two-word text, or None."""
    number = month_number(written) or CYRILLIC_MONTH_FORMS.get(fold_name(written))
    if number is not None:
        return number, 0
    if written[0] in MONTH_PROCLITICS and (number := month_number(written[1:])) is not None:
        return number, 1
    return None


@functools.lru_cache(maxsize=1 << 16)
def _starts_two_word_month(word: str) -> bool:
    """Whether ``word`` (perhaps after an Arabic proclitic) is the first word of a two-word month name."""
    return (normalise_month(word) in TWO_WORD_MONTH_STARTS
            or (word[0] in MONTH_PROCLITICS and normalise_month(word[1:]) in TWO_WORD_MONTH_STARTS))


def _month_names(text: str) -> list[_Month]:
    """Month names in ``text`` (two-word names first, an Arabic proclitic left out of the span).

    Each distinct word is looked up once (cached); a two-word name is tried only after a word that
    can start one, so running text costs one dictionary hit per word.
    """
    words = list(_WORDS.finditer(text))
    months: list[_Month] = []
    index = 0
    while index < len(words):
        first = words[index]
        width, found = 1, None
        if index + 1 < len(words) and _starts_two_word_month(first.group()):
            last = words[index + 1]
            if text[first.end():last.start()].isspace():
                width, found = 2, _month_of(text[first.start():last.end()])
        if found is None:
            last, width, found = first, 1, _month_of(first.group())
        if found is None:
            index += 1
            continue
        number, proclitic = found
        months.append(_Month(first.start() + proclitic, last.end(), number, False))
        index += width
    return _merge_double_names(text, months)


def _merge_double_names(text: str, months: list[_Month]) -> list[_Month]:
    """Join Global Voices' double Arabic month names (``أيار/مايو``, ``كانون الأول (ديسمبر)``)."""
    merged: list[_Month] = []
    for month in months:
        previous = merged[-1] if merged else None
        opener = _DOUBLE_OPEN.fullmatch(text, previous.end, month.start) if previous else None
        if previous and opener and previous.number == month.number and not previous.double:
            end = month.end
            if opener.group(1) == "(":
                close = _DOUBLE_CLOSE.match(text, end)
                end = close.end() if close else end
            merged[-1] = _Month(previous.start, end, month.number, True)
        else:
            merged.append(month)
    return merged


def _word_before(text: str, at: int) -> str:
    """The word right before ``at`` (only white space between), folded, without a conjunction و/ف."""
    match = re.search(r"([^\W\d_]+)\s+$", text[max(0, at - 40):at])
    if not match:
        return ""
    word = fold_name(match.group(1))
    return word[1:] if len(word) > 2 and word[0] in "وف" else word


def _word_after(text: str, at: int) -> str:
    match = re.match(r"\s*([^\W\d_]+)", text[at:at + 40])
    return fold_name(match.group(1)) if match else ""


def _parsed(text: str, start: int, end: int) -> str | None:
    try:
        return parse_date(text[start:end]).isoformat()
    except DateFormatError:
        return None


def _possible_day(month: int, day: int) -> bool:
    """Whether the day exists in the month in some year (29 February does, in leap years)."""
    try:
        dt.date(2000, month, day)
    except ValueError:
        return False
    return True


def _month_dates(text: str, month: _Month) -> list[tuple[int, int, str]]:
    """Candidate dates built around one month name: with day and year, day, year, or alone."""
    found = []
    # The day is within four characters ("16er", "16.") of the white space before the month: search
    # from there, not from the start of the text (once per month name, which made a long text quadratic).
    gap = month.start
    while gap > 0 and text[gap - 1].isspace():
        gap -= 1
    day = _DAY_BEFORE.search(text, max(0, gap - 4), month.start)  # its lookbehind sees before pos
    year = _YEAR_AFTER.match(text, month.end)
    day_year = _DAY_YEAR_AFTER.match(text, month.end)
    if day and year:
        value = _parsed(text, day.start(), year.end())
        if value is None:
            return []  # an impossible date such as 30 February 2016 is no date at all
        found.append((day.start(), year.end(), value))
    if day_year and (value := _parsed(text, month.start, day_year.end())):
        found.append((month.start, day_year.end(), value))
    if day and _possible_day(month.number, int(day.group(1))):
        found.append((day.start(), month.end, f"XXXX-{month.number:02d}-{int(day.group(1)):02d}"))
    if year:
        found.append((month.start, year.end(), f"{int(year.group(1)):04d}-{month.number:02d}"))
    # A bare month needs a preposition before it or the double name; a Latin one also a capital.
    written = text[month.start:month.end]
    latin_lower = written[:1].isascii() and not written[:1].isupper()
    if (month.double or _word_before(text, month.start) in MONTH_WORDS_BEFORE) and not latin_lower:
        found.append((month.start, month.end, f"XXXX-{month.number:02d}"))
    return found


def find_dates(text: str) -> list[DateMention]:
    """Every date in ``text``, leftmost-longest and non-overlapping, in text order."""
    candidates: list[tuple[int, int, str]] = []
    for month in _month_names(text):
        candidates += _month_dates(text, month)
    for match in _ISO.finditer(text):
        if value := _parsed(text, match.start(), match.end()):
            candidates.append((match.start(), match.end(), value))
    for match in _YEAR.finditer(text):
        year = int(match.group(1))
        context = (_word_before(text, match.start()) in YEAR_WORDS_BEFORE
                   or _word_after(text, match.end()) in YEAR_WORDS_AFTER)
        if 1900 <= year <= 2099 and context:
            candidates.append((match.start(), match.end(), f"{year:04d}"))
    candidates.sort(key=lambda item: (item[0], -item[1]))
    mentions, covered = [], 0
    for start, end, value in candidates:
        if start < covered:
            continue
        covered = end
        mentions.append(DateMention(start, end, text[start:end], value))
    return mentions


@functools.lru_cache(maxsize=1 << 16)
def _may_hold_date(token: str) -> bool:
    """Whether a token (no white space) holds four digits that may begin a year (:data:`_YEAR_DIGITS`)
    or a word that is a month name or starts one (cached: the words of running text recur from batch
    to batch even where the texts are distinct)."""
    return bool(_YEAR_DIGITS.search(token)) or any(
        _month_of(word) or _starts_two_word_month(word) for word in _WORDS.findall(token))


def _ascii_date_tokens(tokens: Sequence[str]) -> set[str]:
    """The ASCII ``tokens`` for which :func:`_may_hold_date` holds, all checked at once.

    Links and handles are ASCII and rarely repeat, so a cache of their words would miss. The tokens
    are joined and translated as bytes (:data:`_ASCII_WORD_BYTES`): four digits show as ``0000``
    (the few tokens holding them are then searched for :data:`_YEAR_DIGITS`) and the words, runs of
    letters, as their lower case, which is what :func:`_month_of` and :func:`_starts_two_word_month`
    go by for an ASCII word (:data:`_ASCII_MONTH_WORDS`).
    """
    if not tokens:
        return set()
    joined = " ".join(tokens).encode("ascii").translate(_ASCII_WORD_BYTES)
    ends = np.cumsum([len(token) + 1 for token in tokens])  # one past each token's space

    def holding(found: list[int]) -> set[str]:  # the tokens in which ``found`` positions lie
        return {tokens[index] for index in np.unique(np.searchsorted(ends, found, side="right")).tolist()}

    digits = holding([match.start() for match in _ASCII_FOUR_DIGITS.finditer(joined)])
    found = {token for token in digits if _YEAR_DIGITS.search(token)}
    months = _ASCII_MONTH_WORDS.intersection(joined.translate(_ASCII_DIGITS_OUT).split())
    if months:
        words = re.compile(rb"(?<![a-z])(?:" + b"|".join(map(re.escape, sorted(months))) + rb")(?![a-z])")
        found |= holding([match.start() for match in words.finditer(joined)])
    return found


def find_dates_many(texts: Sequence[str]) -> dict[int, list[DateMention]]:
    """:func:`find_dates` of each of ``texts`` that has a date, by index (the others have none).

    Every date holds a word that is a month name or starts one, or else begins its year (a year, an
    ISO date) with four digits that :data:`_YEAR_DIGITS` finds, and neither crosses white space. So
    the distinct white-space separated tokens of the whole batch are checked once each (the ASCII
    ones together, :func:`_ascii_date_tokens`), and only the texts holding a token that passes
    (:func:`_texts_holding`) are searched with :func:`find_dates`.
    """
    joined = "\n".join(texts)
    tokens = set(joined.split())
    triggers = _ascii_date_tokens([token for token in tokens if token.isascii()])
    triggers.update(token for token in tokens if not token.isascii() and _may_hold_date(token))
    if not triggers:
        return {}
    return {
        index: dates
        for index in sorted(_texts_holding(texts, joined, triggers))
        if (dates := find_dates(texts[index]))
    }


def _texts_holding(texts: Sequence[str], joined: str, tokens: set[str]) -> set[int]:
    """The indexes of the ``texts`` (``joined`` with newlines) of which one of ``tokens`` is a white-space
    separated token, as ``text.split()`` gives them: found by searching ``joined`` for each token (a
    few per batch) rather than splitting every text. Each search reads the whole batch, so with more
    than :data:`_TOKENS_SEARCHED` tokens (texts with distinct numbers, such as user names or links
    with digits) every text is split instead."""
    if len(tokens) > _TOKENS_SEARCHED:
        return {index for index, text in enumerate(texts) if not tokens.isdisjoint(text.split())}
    starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
    holding = set()
    for token in tokens:
        at = joined.find(token)
        while at >= 0:
            end = at + len(token)
            if (at == 0 or joined[at - 1].isspace()) and (end == len(joined) or joined[end].isspace()):
                holding.add(bisect_right(starts, at) - 1)
            at = joined.find(token, at + 1)
    return holding


def extract_mentions(segments: pd.DataFrame, geocoder: Geocoder, lexicon: PlatformLexicon) -> pd.DataFrame:
    """All mentions of all segments, in segment order, then by span and type.

    Segments with the same text and language (retweets, a quote repeated) are one document
    (:func:`_documents`), searched once: what is found in a text depends on nothing else. Documents
    are searched :data:`BATCH_SIZE` at a time (platforms and dates for the whole
    batch at once), and each batch's mentions are turned into compact columns right away
    (:class:`_Collected`), so that mention objects are held for one batch only. Every segment then
    gets its document's mentions, in order, with one ``take`` per column.
    """
    return pd.DataFrame({name: column.pandas() for name, column in _mention_columns(
        segments, geocoder, lexicon).items()})


def mention_table(segments: pd.DataFrame, geocoder: Geocoder, lexicon: PlatformLexicon) -> pa.Table:
    """The table :func:`write_mentions` makes of the frame of :func:`extract_mentions`, built without
    the frame (pandas holds strings as large strings, so frame and table would hold them twice): the
    same columns, the same schema and pandas metadata, so the same Parquet file."""
    columns = _mention_columns(segments, geocoder, lexicon)
    # The pandas metadata depends on the dtypes only: ask pandas on none of the rows.
    empty = pd.DataFrame({name: _Column(column.values[:0], column.dtype).pandas() for name, column in
                          columns.items()})
    schema = pa.Table.from_pandas(empty, schema=SCHEMA, preserve_index=False).schema
    return pa.Table.from_arrays([column.arrow(field.type) for column, field in
                                 zip(columns.values(), SCHEMA, strict=True)], schema=schema)


def _mention_columns(segments: pd.DataFrame, geocoder: Geocoder, lexicon: PlatformLexicon
                     ) -> dict[str, _Column]:
    """The columns of :func:`extract_mentions` (see there), in the order of :data:`COLUMNS`."""
    documents, firsts = _documents(segments)
    texts, langs = segments["text"].iloc[firsts], segments["lang"].iloc[firsts]  # of each document
    collected = _Collected()
    for first in range(0, len(firsts), BATCH_SIZE):
        stop = first + BATCH_SIZE
        batch = texts.iloc[first:stop].tolist()
        # "und", "" and a missing language (None, NaN, pd.NA) all leave the language to the geocoder
        batch_langs = [lang if isinstance(lang, str) and lang not in {"und", ""} else None
                       for lang in langs.iloc[first:stop].tolist()]
        resolved = geocoder.resolve_batch(batch, batch_langs)
        of_text, starts, ends, fields = resolved.match_rows()
        if len(of_text):
            collected.add("place", first + of_text, _place_columns(batch, of_text, starts, ends, fields))
        settled = resolved.settled  # the texts that may have rejections
        rejections = _found(first, [settled[index][1] if index in settled else [] for index in
                                    range(len(batch))])
        written = find_dates_many(batch)
        dates = _found(first, [written.get(index, []) for index in range(len(batch))])
        for kind, objects in (("place_rejected", rejections), ("date", dates)):
            if len(objects.orders):
                collected.add(kind, objects.orders, _fields(objects.objects, _FIELDS[kind]))
        on_platforms = find_platforms_many(batch, lexicon, resolved.folded)
        if on_platforms.text:
            collected.add("platform", [first + index for index in on_platforms.text], list(on_platforms[1:]))
    return _columns(segments, documents, len(firsts), collected)


def _documents(segments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Number the documents of ``segments`` (distinct pairs of text and language) in order of first
    appearance: the number of each segment's document, and the row of each document's first segment.

    A segment with a missing language (None or NaN) is a document of its own, whose language the
    geocoder detects.
    """
    texts = pd.factorize(segments["text"], use_na_sentinel=False)[0]
    langs, distinct = pd.factorize(segments["lang"])
    keys = np.where(langs < 0, -1 - np.arange(len(langs)), texts * (len(distinct) + 1) + langs)
    documents = pd.factorize(keys)[0]
    return documents, np.unique(documents, return_index=True)[1]


def _fields(objects: list, fields: Sequence[tuple[str, Callable | None]]) -> list[list]:
    """One column per (attribute, conversion or None) in ``fields`` of each of ``objects``."""
    columns = []
    for name, convert in fields:
        values = map(attrgetter(name), objects)
        columns.append(list(values if convert is None else map(convert, values)))
    return columns


class _Found(NamedTuple):
    """Mentions of one type found in a batch, as objects, with the number of their documents."""

    orders: np.ndarray
    objects: list


def _found(first: int, per_document: list[list]) -> _Found:
    """The mentions of the documents numbered from ``first`` on, given as one list per document."""
    counts = np.fromiter(map(len, per_document), dtype=np.int64, count=len(per_document))
    orders = np.repeat(np.arange(first, first + len(per_document), dtype=np.int64), counts)
    return _Found(orders, list(chain.from_iterable(per_document)))


# What extract_mentions takes from the mention objects of each type (Rejection, DateMention), in the
# order of the type's columns (_TYPE_COLUMNS). Places (_place_columns) and platforms come as columns.
_FIELDS = {
    "place_rejected": tuple((name, None) for name in ("start", "end", "surface", "reason", "detail")),
    "date": tuple((name, None) for name in ("start", "end", "surface", "value")),
}


# The fields of a place match (PlaceMatch, or its template: see kzshutdowns.geocode.PlainMatches) that
# make the place columns after start, end and surface (_TYPE_COLUMNS), with their Arrow types; the
# GeoNames id becomes the value, as a string.
_PLACE_FIELDS = (("geonameid", pa.int64()), ("name", pa.string()), ("country_code", pa.string()),
                 ("admin1", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("kind", pa.string()),
                 ("region_code", pa.string()), ("method", pa.string()), ("score", pa.float64()))


def _place_columns(texts: Sequence[str], documents: np.ndarray, starts: list[int], ends: list[int],
                   fields: list[PlaceFields]) -> list:
    """The columns of place matches (start, end, surface and :data:`_PLACE_FIELDS`) given as rows (see
    :meth:`kzshutdowns.geocode.ResolvedBatch.match_rows`). Most matches share their fields with
    others (a template per name), so each distinct tuple of fields is converted to Arrow once and its
    values then taken for every row that has it."""
    # ``fields`` holds each tuple of fields as long as ``unique`` is made: their ids are distinct.
    identities = np.fromiter(map(id, fields), dtype=np.uint64, count=len(fields))
    _, firsts, which = np.unique(identities, return_index=True, return_inverse=True)
    unique = [fields[row] for row in firsts.tolist()]  # row which[i] of unique is fields[i]
    surfaces = [texts[index][start:end] for index, start, end in
                zip(documents.tolist(), starts, ends, strict=True)]
    columns: list = [starts, ends, surfaces]
    for name, kind in _PLACE_FIELDS:
        values = pa.array(list(map(attrgetter(name), unique)), type=kind).take(which)
        columns.append(values.cast(pa.string()) if name == "geonameid" else
                       values.to_numpy() if kind == pa.float64() else values)
    return columns


# The columns of each type of mention after article_id, segment_id, type, start, end and surface.
_TYPE_COLUMNS = {
    "place": ("value", "name", "country_code", "admin1", "lat", "lon", "kind", "region_code", "method",
              "score"),
    "place_rejected": ("reason", "detail"),
    "platform": ("value",),
    "date": ("value",),
}
# The columns _Collected holds as blocks of values (the others are numbers or come from the segments).
_VALUE_COLUMNS = ("type", "surface", *COLUMNS[6:])
_STRING_KINDS = frozenset((str, type(None)))


class _Collected:
    """The mentions of the documents, gathered type by type and batch by batch as compact columns.

    Per addition (one type's mentions in one batch of documents): its size; the document number,
    start, end and rank of the type (:data:`TYPE_ORDER`) of each mention as numpy arrays; and a block
    of each value column (:func:`_block`), None where the type lacks the column. ``examples`` holds,
    per value column, one value of each kind it holds, and the key ``(NoneType, True)`` when a type
    with mentions lacks it: all that decides the column's dtype (:func:`_inferred_dtype`).
    """

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.numbers: tuple[list[np.ndarray], ...] = ([], [], [], [])  # document, start, end, type rank
        self.blocks: dict[str, list[pa.Array | np.ndarray | None]] = {name: [] for name in _VALUE_COLUMNS}
        self.examples: dict[str, dict[tuple[type, bool], object]] = {name: {} for name in _VALUE_COLUMNS}

    def add(self, kind: str, documents: list[int] | np.ndarray, columns: list[list]) -> None:
        """Add mentions of type ``kind``: the document number of each, and its columns (start, end,
        surface, then the type's own columns, :data:`_TYPE_COLUMNS`)."""
        size = len(documents)
        self.sizes.append(size)
        for numbers, values in zip(self.numbers[:3], (documents, columns[0], columns[1]), strict=True):
            numbers.append(np.asarray(values, dtype=np.int64))
        self.numbers[3].append(np.full(size, TYPE_ORDER[kind], dtype=np.int64))
        values = {"type": pa.repeat(kind, size), "surface": columns[2],
                  **dict(zip(_TYPE_COLUMNS[kind], columns[3:], strict=True))}
        for name in _VALUE_COLUMNS:
            self.blocks[name].append(_block(values.get(name), self.examples[name]))


def _block(values: list | pa.Array | np.ndarray | None, examples: dict[tuple[type, bool], object]
           ) -> pa.Array | np.ndarray | None:
    """``values`` held compactly (Arrow strings if all are strings or None, numpy floats if all are
    floats, else a numpy array of the objects; None stays None: the column is lacking), after adding
    an example of each kind of value to ``examples`` (see :class:`_Collected`). Values that come as
    Arrow strings or numpy floats already are kept."""
    if values is None:
        examples.setdefault((type(None), True), None)
        return None
    if isinstance(values, pa.Array):
        if values.null_count:
            examples.setdefault((type(None), False), None)
        if values.null_count < len(values):
            examples.setdefault((str, False), values.drop_null()[0].as_py())
        return values
    if isinstance(values, np.ndarray):
        nan = np.isnan(values)
        for flag in set(nan.tolist()):
            examples.setdefault((float, flag), float(values[nan == flag][0]))
        return values
    kinds = set(map(type, values))
    for kind in kinds:
        if kind is float:
            floats = np.asarray(values if len(kinds) == 1 else [v for v in values if type(v) is float],
                                dtype=np.float64)
            for nan in set(np.isnan(floats).tolist()):
                examples.setdefault((float, nan), float(floats[np.isnan(floats) == nan][0]))
        else:
            examples.setdefault((kind, False), next(value for value in values if type(value) is kind))
    if kinds <= _STRING_KINDS:
        return pa.array(values, type=pa.string())
    if kinds == {float}:
        return np.asarray(values, dtype=np.float64)
    return np.asarray(values, dtype=object)


class _Column(NamedTuple):
    """A column of the mentions: its values and the dtype pandas gives it (:func:`_inferred_dtype`).
    Values of the dtype ``str`` are an Arrow string array, others a numpy or pandas array."""

    values: pa.Array | np.ndarray | pd.api.extensions.ExtensionArray
    dtype: object

    def pandas(self) -> object:
        """The values as pandas holds them in a frame."""
        if isinstance(self.values, pa.Array):
            return ArrowStringArray(self.values, dtype=self.dtype)
        return self.values

    def arrow(self, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
        """The values as :meth:`pyarrow.Table.from_pandas` converts them to the Arrow type ``kind``."""
        if isinstance(self.values, pa.Array) and self.values.type == kind:
            return self.values
        return pa.array(pd.Series(self.pandas(), copy=False), type=kind, from_pandas=True)


def _columns(segments: pd.DataFrame, documents: np.ndarray, count: int, collected: _Collected
             ) -> dict[str, _Column]:
    """The mentions of :func:`extract_mentions` as columns, sorted by segment, span and type.

    ``documents`` holds the document number of each segment, ``count`` the number of documents and
    ``collected`` their mentions, with spans in the document's text. Each column gets the dtype
    pandas gives it when the frame is built from one dict per mention, each type's dicts lacking the
    other types' keys (:func:`_inferred_dtype`), so that the frame, and the pandas metadata of the
    Parquet file written from it, are what they would be.
    """
    if not collected.sizes:
        return {column: _empty_column(column) for column in COLUMNS}
    document, start, end, rank = map(np.concatenate, collected.numbers)
    by_document = np.lexsort((rank, end, start, document))  # stable
    counts = np.bincount(document, minlength=count)
    per_segment = counts[documents]
    segment_rows = np.repeat(np.arange(len(documents)), per_segment)  # the segment of each mention
    ends = np.cumsum(per_segment)
    # the place of each mention among its document's, then its row among all documents' mentions
    within = np.arange(len(segment_rows)) - np.repeat(ends - per_segment, per_segment)
    rows = by_document[(np.cumsum(counts) - counts)[documents][segment_rows] + within]
    columns = {name: _segment_column(segments[name], segment_rows) for name in ("article_id", "segment_id")}
    offsets = segments["start"].to_numpy(dtype=np.int64)[segment_rows]  # spans into the source text
    columns["start"] = _Column(start[rows] + offsets, np.dtype(np.int64))
    columns["end"] = _Column(end[rows] + offsets, np.dtype(np.int64))
    for name in _VALUE_COLUMNS:  # each column's blocks are let go once it is built
        columns[name] = _column(collected.blocks.pop(name), collected.sizes, collected.examples[name], rows)
    return {name: columns[name] for name in COLUMNS}


def _empty_column(name: str) -> _Column:
    """A column of no mentions, with the dtype of its Arrow type (int64, float64 or str)."""
    dtype = pd.Series(dtype=_dtype(name)).dtype
    return _Column(pa.array([], pa.string()) if _is_arrow_string(dtype) else np.empty(0, dtype), dtype)


def _is_arrow_string(dtype: object) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _segment_column(column: pd.Series, rows: np.ndarray) -> _Column:
    """The values of a segment column at ``rows``, with the dtype of :func:`_inferred_dtype` (taken
    in Arrow for a column of strings without nulls, the usual case)."""
    if _is_arrow_string(column.dtype) and not column.hasnans:
        strings = pa.array(column.array)  # one array, or one per row group as read from Parquet
        if isinstance(strings, pa.ChunkedArray):
            strings = strings.combine_chunks()
        return _Column(strings.cast(pa.string()).take(rows), _inferred_dtype({(str, False): ""}))
    examples: dict[tuple[type, bool], object] = {}
    block = _block(column.to_numpy(dtype=object)[rows].tolist(), examples)
    return _column([block], [len(rows)], examples, np.arange(len(rows)))


def _column(blocks: list[pa.Array | np.ndarray | None], sizes: list[int],
            examples: dict[tuple[type, bool], object], rows: np.ndarray) -> _Column:
    """One column of :func:`_columns` from its blocks and examples (see :class:`_Collected`) in the
    order ``rows``, with the dtype of :func:`_inferred_dtype`; a column no block has holds None."""
    if all(block is None for block in blocks):
        return _Column(np.full(len(rows), None, dtype=object), np.dtype(object))
    dtype = _inferred_dtype(examples)
    if _is_arrow_string(dtype):  # built in Arrow, not per value
        strings = pa.concat_arrays([
            pa.nulls(size, pa.string()) if block is None
            else block if isinstance(block, pa.Array)
            else pa.array(np.asarray(block, dtype=object), type=pa.string(), from_pandas=True)
            for block, size in zip(blocks, sizes, strict=True)
        ])
        return _Column(strings.take(rows), dtype)
    numeric = dtype in (np.int64, np.float64)  # a missing key makes a float column: NaN fits
    values = np.concatenate([
        np.full(size, np.nan, dtype=dtype if numeric else object) if block is None
        else np.asarray(block.to_numpy(zero_copy_only=False) if isinstance(block, pa.Array) else block,
                        dtype=dtype if numeric else object)
        for block, size in zip(blocks, sizes, strict=True)
    ])[rows]
    if numeric or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return _Column(values, dtype)
    return _Column(pd.array(values, dtype=dtype), dtype)


def _inferred_dtype(examples: dict[tuple[type, bool], object]) -> object:
    """The dtype pandas infers, building a frame from dicts, for a key whose values are of the kinds
    in ``examples`` (see :class:`_Collected`; ``(NoneType, True)``: some dicts lack the key). It
    depends only on which kinds of value occur (a type, NaN or not for floats, and the key missing),
    so pandas is asked on one example of each kind."""
    dicts = [{} if key == (type(None), True) else {"value": value} for key, value in examples.items()]
    return pd.DataFrame(dicts)["value"].dtype


def _dtype(column: str) -> str:
    kind = SCHEMA.field(column).type
    if kind == pa.int64():
        return "int64"
    return "float64" if kind == pa.float64() else "str"


def write_mentions(mentions: pd.DataFrame, path: str | Path) -> None:
    """Write mentions as Parquet with the explicit schema, atomically."""
    table = pa.Table.from_pandas(mentions[list(COLUMNS)], schema=SCHEMA, preserve_index=False)
    write_mention_table(table, path)


def write_mention_table(table: pa.Table, path: str | Path) -> None:
    """Write a table of mentions (:func:`mention_table`) as Parquet, atomically."""
    with atomic_output(path) as temporary:
        pq.write_table(table, temporary)


def check_segments(segments: pd.DataFrame, path: str | Path) -> None:
    """Refuse, naming its row, a segment id that repeats an earlier one (the mentions of the two could
    not be told apart) and a language that is neither null, empty nor a code (``"EN"`` would silently
    not be English to the geocoder); :func:`~kzshutdowns.segments.read_segments` checked the rest."""
    ids = segments["segment_id"]
    repeated = np.flatnonzero(ids.duplicated().to_numpy())
    if len(repeated):
        row = int(repeated[0])
        first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
        raise InputError(path, f"repeats the segment of row {first + 1}", line=row + 1, field="segment_id")
    codes, values = pd.factorize(segments["lang"])  # nulls are code -1
    wrong = [code for code, value in enumerate(values.tolist()) if value and not is_language_code(value)]
    if wrong:
        row = int(np.flatnonzero(np.isin(codes, wrong))[0])
        raise InputError(path, f"{values[codes[row]]!r} is not an ISO 639-1 code or 'und'", line=row + 1,
                         field="lang")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns extract-mentions",
        description="Find place, platform and date mentions, with spans, in one segments file.",
    )
    parser.add_argument("--segments", required=True, help="segments Parquet (articles or a tweet shard)")
    parser.add_argument("--platforms", required=True, help="platform lexicon CSV (schema beside it)")
    parser.add_argument("--gazetteer", help="the geocoder's cached gazetteer (built on first use if omitted)")
    parser.add_argument("--output", required=True, help="mentions Parquet file to write")
    args = parser.parse_args(argv)

    segments = read_segments(args.segments, columns=SEGMENT_COLUMNS)
    check_segments(segments, args.segments)
    lexicon = compile_lexicon(load_platforms(args.platforms))
    with fewer_collections():
        geocoder = load_frozen(lambda: Geocoder.load(args.gazetteer))
        write_mention_table(mention_table(segments, geocoder, lexicon), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
