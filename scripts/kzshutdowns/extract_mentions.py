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
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import is_integer_dtype
from pandas.arrays import ArrowStringArray

from kzshutdowns.dates import MONTHS, DateFormatError, month_number, normalise_month, parse_date
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output
from kzshutdowns.gc_tuning import fewer_collections, load_frozen
from kzshutdowns.geocode import BATCH_SIZE, Geocoder
from kzshutdowns.normalize import cyrillic_case_forms, fold_name, script_of
from kzshutdowns.platforms import (
    PlatformLexicon,
    compile_lexicon,
    find_platforms_many,
    load_platforms,
)

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
SEGMENT_COLUMNS = ("article_id", "segment_id", "kind", "start", "end", "text", "lang")
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
_FOUR_DIGITS = re.compile(r"\d{4}")
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
    day = _DAY_BEFORE.search(text, 0, month.start)
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


def find_dates_many(texts: Sequence[str]) -> dict[int, list[DateMention]]:
    """:func:`find_dates` of each of ``texts`` that has a date, by index (the others have none).

    Every date holds a four-digit number (a year, an ISO date) or a word that is a month name or
    starts one, and neither crosses white space. So the distinct white-space separated tokens of
    the whole batch are checked once each, and only the texts holding a token that passes are
    searched with :func:`find_dates`.
    """
    tokens = set("\n".join(texts).split())
    triggers = {
        token for token in tokens
        if _FOUR_DIGITS.search(token)
        or any(_month_of(word) or _starts_two_word_month(word) for word in _WORDS.findall(token))
    }
    if not triggers:
        return {}
    return {
        index: dates
        for index, text in enumerate(texts)
        if not triggers.isdisjoint(text.split()) and (dates := find_dates(text))
    }


def read_segments(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a segments Parquet file (all its columns, or only ``columns``) and check the columns this
    step needs (:data:`SEGMENT_COLUMNS`): present, integer start and end and string text without nulls,
    and every segment's span as long as its text."""
    try:
        names = pq.read_schema(path).names
        missing = [column for column in SEGMENT_COLUMNS if column not in names]
        if missing:
            raise InputError(path, f"missing segment columns {', '.join(missing)}", field=missing[0])
        wanted = None if columns is None else list(dict.fromkeys([*SEGMENT_COLUMNS, *columns]))
        segments = pd.read_parquet(path, columns=wanted)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(path, f"cannot read segments Parquet: {error}") from None
    for column in ("start", "end", "text"):
        dtype, strings = segments[column].dtype, column == "text"
        if not (isinstance(dtype, pd.StringDtype) if strings else is_integer_dtype(dtype)):
            kind = "strings" if strings else "integers"
            raise InputError(path, f"must hold {kind}, not {dtype}", field=column)
        nulls = np.flatnonzero(segments[column].isna().to_numpy())
        if len(nulls):
            raise InputError(path, "must not be null", line=int(nulls[0]) + 1, field=column)
    start, end = segments["start"].to_numpy(), segments["end"].to_numpy()
    bad = np.flatnonzero((start < 0) | (start > end) | (end - start != segments["text"].str.len().to_numpy()))
    if len(bad):
        row = segments.iloc[bad[0]]
        raise InputError(path, f"segment {row.segment_id!r}: span {row.start}-{row.end} does not fit its "
                         f"text of {len(row.text)} characters", line=int(bad[0]) + 1, field="start")
    return segments if columns is None else segments[list(columns)]


def extract_mentions(segments: pd.DataFrame, geocoder: Geocoder, lexicon: PlatformLexicon) -> pd.DataFrame:
    """All mentions of all segments, in segment order, then by span and type.

    Each type's mentions are gathered with the row number of their segment (platforms and dates
    found for a whole batch of segments at once), then turned into columns and put in order with one
    sort.
    """
    texts = segments["text"].tolist()
    langs = [None if lang in {"und", ""} else lang for lang in segments["lang"].tolist()]
    # per type: the row number of each mention's segment, start, end, surface, the type's own columns
    found = {kind: [[] for _ in range(4 + len(columns))] for kind, columns in _TYPE_COLUMNS.items()}
    for first in range(0, len(texts), BATCH_SIZE):
        batch = texts[first:first + BATCH_SIZE]
        resolved = geocoder.resolve_many(batch, langs[first:first + BATCH_SIZE])
        places, rejections, dates = _Found([], []), _Found([], []), _Found([], [])
        for order, (matches, rejected) in enumerate(resolved, start=first):
            if matches:
                places.orders.extend([order] * len(matches))
                places.objects.extend(matches)
            if rejected:
                rejections.orders.extend([order] * len(rejected))
                rejections.objects.extend(rejected)
        for index, written in find_dates_many(batch).items():
            dates.orders.extend([first + index] * len(written))
            dates.objects.extend(written)
        for kind, objects in (("place", places), ("place_rejected", rejections), ("date", dates)):
            found[kind][0] += objects.orders
            for column, values in zip(found[kind][1:], _fields(objects.objects, _FIELDS[kind]), strict=True):
                column += values
        on_platforms = find_platforms_many(batch, lexicon)
        found["platform"][0] += [first + index for index in on_platforms.text]
        for column, values in zip(found["platform"][1:], on_platforms[1:], strict=True):
            column += values
    return _mention_frame(segments, {kind: columns for kind, columns in found.items() if columns[0]})


def _fields(objects: list, fields: Sequence[tuple[str, Callable | None]]) -> list[list]:
    """One column per (attribute, conversion or None) in ``fields`` of each of ``objects``."""
    columns = []
    for name, convert in fields:
        values = map(attrgetter(name), objects)
        columns.append(list(values if convert is None else map(convert, values)))
    return columns


class _Found(NamedTuple):
    """Mentions of one type found in a batch, as objects, with the row number of their segments."""

    orders: list[int]
    objects: list


# What extract_mentions takes from the mention objects of each type (PlaceMatch, Rejection,
# DateMention), in the order of the type's columns (_TYPE_COLUMNS), and how: for places, the
# GeoNames id as a string, coordinates and score as floats. Platforms come as columns already.
_FIELDS = {
    "place": (("start", None), ("end", None), ("surface", None), ("geonameid", str), ("name", None),
              ("country_code", None), ("admin1", None), ("lat", float), ("lon", float), ("kind", None),
              ("region_code", None), ("method", None), ("score", float)),
    "place_rejected": tuple((name, None) for name in ("start", "end", "surface", "reason", "detail")),
    "date": tuple((name, None) for name in ("start", "end", "surface", "value")),
}


# The columns of each type of mention after article_id, segment_id, type, start, end and surface.
_TYPE_COLUMNS = {
    "place": ("value", "name", "country_code", "admin1", "lat", "lon", "kind", "region_code", "method",
              "score"),
    "place_rejected": ("reason", "detail"),
    "platform": ("value",),
    "date": ("value",),
}


def _mention_frame(segments: pd.DataFrame, found: dict[str, list[list]]) -> pd.DataFrame:
    """The mentions of :func:`extract_mentions` as one frame, sorted by segment, span and type.

    ``found`` holds, per type that has mentions, its columns: segment row number, start and end in
    the segment's text, surface, then the type's own columns (:data:`_TYPE_COLUMNS`). Each column
    gets the dtype pandas gives it when the frame is built from one dict per mention, each type's
    dicts lacking the other types' keys (:func:`_inferred_dtype`), so that the frame, and the pandas
    metadata of the Parquet file written from it, are what they would be.
    """
    if not found:
        return pd.DataFrame({column: pd.Series(dtype=_dtype(column)) for column in COLUMNS})
    kinds = list(found)
    sizes = [len(found[kind][0]) for kind in kinds]
    order, start, end = (np.concatenate([np.asarray(found[kind][at], dtype=np.int64) for kind in kinds])
                         for at in range(3))
    offsets = segments["start"].to_numpy(dtype=np.int64)[order]  # spans into the source text
    start, end = start + offsets, end + offsets
    rows = np.lexsort((np.repeat([TYPE_ORDER[kind] for kind in kinds], sizes), end, start, order))  # stable
    article_ids = segments["article_id"].to_numpy(dtype=object)
    segment_ids = segments["segment_id"].to_numpy(dtype=object)
    parts: dict[str, list] = {
        "article_id": [article_ids[found[kind][0]] for kind in kinds],
        "segment_id": [segment_ids[found[kind][0]] for kind in kinds],
        "type": [[kind] * size for kind, size in zip(kinds, sizes, strict=True)],
        "surface": [found[kind][3] for kind in kinds],
    }
    for column in COLUMNS[6:]:
        parts[column] = [found[kind][4 + _TYPE_COLUMNS[kind].index(column)] if column in _TYPE_COLUMNS[kind]
                         else None for kind in kinds]
    columns = {column: _column(parts[column], sizes, rows) for column in parts}
    columns["start"], columns["end"] = start[rows], end[rows]  # always integers, so int64
    return pd.DataFrame({column: columns[column] for column in COLUMNS})


def _column(parts: list[Sequence | None], sizes: list[int], rows: np.ndarray) -> object:
    """One column of :func:`_mention_frame` from its parts (None: a type lacking the column) in the
    order ``rows``, with the dtype of :func:`_inferred_dtype`; a column no type has holds None."""
    if all(part is None for part in parts):
        return np.full(len(rows), None, dtype=object)
    dtype = _inferred_dtype(parts)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":  # built in Arrow, not per value
        strings = pa.concat_arrays([
            pa.nulls(size, pa.large_string()) if part is None
            else pa.array(part, type=pa.large_string(), from_pandas=True)
            for part, size in zip(parts, sizes, strict=True)
        ])
        return ArrowStringArray(strings.take(rows), dtype=dtype)
    numeric = dtype in (np.int64, np.float64)  # a missing key makes a float column: NaN fits
    values = np.concatenate([
        np.full(size, np.nan, dtype=dtype if numeric else object) if part is None
        else np.asarray(part, dtype=dtype if numeric else object)
        for part, size in zip(parts, sizes, strict=True)
    ])[rows]
    if numeric or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return values
    return pd.array(values, dtype=dtype)


def _inferred_dtype(parts: list[Sequence | None]) -> object:
    """The dtype pandas infers, building a frame from dicts, for a key whose values are ``parts``
    (None: a part whose dicts lack the key). It depends only on which kinds of value occur (a type,
    NaN or not for floats, and the key missing), so pandas is asked on one example of each kind."""
    examples: dict[tuple[type, bool], object] = {}
    for part in parts:
        if part is None:
            examples.setdefault((type(None), True), None)
            continue
        kinds = set(map(type, part))
        for kind in kinds:
            if kind is float:
                floats = np.asarray(part if len(kinds) == 1 else [v for v in part if type(v) is float],
                                    dtype=np.float64)
                for nan in set(np.isnan(floats).tolist()):
                    examples.setdefault((float, nan), float(floats[np.isnan(floats) == nan][0]))
            else:
                examples.setdefault((kind, False), next(value for value in part if type(value) is kind))
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
    with atomic_output(path) as temporary:
        pq.write_table(table, temporary)


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
    lexicon = compile_lexicon(load_platforms(args.platforms))
    with fewer_collections():
        geocoder = load_frozen(lambda: Geocoder.load(args.gazetteer))
        write_mentions(extract_mentions(segments, geocoder, lexicon), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
