"""A tweet collection (JSON Lines) -> segments, one shard of the file at a time.

Workflow stage: rule ``parse_tweets``, one job per (collection, shard). Input: a collection
``data/raw/tweets/NAME.jsonl``, one JSON object per line with

- ``id`` (required): the tweet id, a non-empty string or an integer;
- ``text`` (required): the tweet text, a non-empty string;
- ``author`` (display name) and ``handle`` (with or without ``@``): optional strings or null;
- ``date`` (``YYYY-MM-DD``) and/or ``created_at`` (ISO 8601 such as ``2016-12-16T10:00:00Z``, or the
  Twitter API v1 form ``Fri Dec 16 10:00:00 +0000 2016``, whose weekday must be that of its date):
  optional; the tweet's date is the calendar date as written in the timestamp (no time-zone
  conversion); if both are given they must agree;
- ``lang``: optional ISO 639-1 code (two lower-case letters) or ``und``; when it is missing or null
  the language is detected from the text (:func:`kzshutdowns.language.detect_language`).

Other keys are ignored (exports from the Twitter API carry many). Output: the segments contract of
:mod:`kzshutdowns.parse_article`, one row per tweet: ``article_id`` ``tweets-NAME``, ``segment_id``
``tweets-NAME:<id>``, ``kind`` ``tweet``, ``line`` the JSON Lines line number (1-based), ``start`` 0 and
``end`` ``len(text)`` (the span is into the tweet's own text), hashtags and mentions found with
:func:`kzshutdowns.parse_article.find_tags`. Rows are in line order.

Sharding. Shard ``k`` of ``n`` holds every line that *starts* in the ``k``-th of ``n`` equal byte
ranges of the file, so each job reads and parses only its own share (no serial split step, and a
job on a cluster needs nothing but the collection file). Together the shards hold every line exactly
once, whatever ``n``; a shard may be empty. Outputs gathered over all shards (sorted by segment id,
as the reports are) therefore do not depend on the number of shards.

Bad input raises :class:`~kzshutdowns.errors.InputError` naming the collection file, the line and
the field: an empty file, a byte-order mark, invalid UTF-8, a CR line ending, a blank line, a line
that is not a JSON object, a key given twice in one object (at any depth; the field named is the
key), a missing or ill-typed field, a string holding a lone UTF-16 surrogate
(``"\\ud800"``), an impossible date or one before the first tweet (2006-03-21) or after today
(:func:`kzshutdowns.dates.implausible`), a malformed language code or handle, and a tweet id
repeated within the shard.

Speed. The file is read a block of lines at a time, its lines checked but kept in UTF-8, and a batch
of lines is read by Arrow's JSON reader (:func:`_read_fields`) and checked column by column
(:func:`_plain_rows`) for the common shape (a JSON object per line with string fields,
``created_at`` as ``YYYY-MM-DDTHH:MM:SSZ`` and/or a ``date``); any line it does not take, being odd
or wrong, goes through :func:`parse_tweet`, the reference, so rows and errors (and the choice of the
first error) are exactly those of parsing line by line. The hashtags and mentions of the batch's
distinct texts are found in one scan (:func:`kzshutdowns.parse_article.tag_values_many`). Nothing
here imports pandas (0.4 s CPU a job): pyarrow does on its first conversion of Python objects, so
the arrays made from Python values are built from their buffers (:func:`_string_array`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

from kzshutdowns.dates import implausible
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, decode_line, json_object
from kzshutdowns.gc_tuning import fewer_collections
from kzshutdowns.language import detect_language, is_language_code
from kzshutdowns.parse_article import COLUMNS, SCHEMA, TagValues, tag_values, tag_values_many

if TYPE_CHECKING:  # only parse_tweets returns a frame, which pyarrow makes (importing pandas then): a
    import pandas as pd  # job writes Parquet with pyarrow alone, sparing 0.3-0.4 s CPU of pandas import

_HANDLE = re.compile(r"[A-Za-z0-9_]+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TWITTER_V1 = "%a %b %d %H:%M:%S %z %Y"
_CHUNK = 1 << 24
# Bytes of whole lines read (and checked: UTF-8, no CR) at a time.
_BLOCK = 1 << 18
# Rows per Arrow record batch (and Parquet row group) of a shard's output.
BATCH_SIZE = 50_000
# Lines parsed at a time (a batch is filled in several goes, so the raw lines held stay few).
_LINES_AT_ONCE = 10_000
# What the JSON reader keeps of a line: the fields parse_tweet reads, as strings, but ``id`` as
# strings or else as integers (a collection writes it one way). Other keys are read too (their
# types inferred) and then dropped, not skipped: only so does the reader refuse a key given twice in
# any object of a line, as parse_tweet does (a reader that skips a key does not see it repeat).
_FIELDS = ("id", "text", "handle", "lang", "author", "date", "created_at")
_READ_AS = tuple(
    pj.ParseOptions(
        explicit_schema=pa.schema([(name, id_type if name == "id" else pa.string()) for name in _FIELDS]),
        unexpected_field_behavior="infer",
    )
    for id_type in (pa.string(), pa.int64())
)
_READ_OPTIONS = pj.ReadOptions(use_threads=False, block_size=1 << 24)
# What the batch parser takes without asking parse_tweet (RE2 expressions, each also matching an
# empty string, which parse_tweet reads as null): a handle, a language code, an ASCII calendar date,
# and an ISO timestamp in UTC with seconds (whose calendar date is its first ten characters). A text
# is surely not blank (``str.isspace``) when it holds a letter or a digit.
_PLAIN = {
    "handle": r"^(?:@?[A-Za-z0-9_]+)?$",
    "lang": r"^(?:[a-z]{2}|und)?$",
    "date": r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$",
    "created_at": r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?$",
}
_NOT_BLANK = r"[\pL\pN]"
# The batch parser's detected language of a text, kept for the texts seen last: a collection
# repeats texts (retweets), and it depends on the text alone.
_TEXTS_CACHED = 1 << 14
_text_language = functools.lru_cache(maxsize=_TEXTS_CACHED)(detect_language)


def shard_byte_range(size: int, shard: int, shards: int) -> tuple[int, int]:
    """Return the half-open byte range ``[start, end)`` in which the lines of ``shard`` begin."""
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0..{shards - 1}")
    return size * shard // shards, size * (shard + 1) // shards


def read_shard_lines(path: str | os.PathLike[str], shard: int, shards: int) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line without its newline)`` for the lines of one shard of a JSON Lines file."""
    for number, line in read_shard_raw_lines(path, shard, shards):
        yield number, line.decode("utf-8")


def read_shard_raw_lines(
    path: str | os.PathLike[str], shard: int, shards: int
) -> Iterator[tuple[int, bytes]]:
    """:func:`read_shard_lines`, each line left in UTF-8 (checked: valid, and without CR)."""
    try:
        size = os.path.getsize(path)
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    with handle:
        start, end = shard_byte_range(size, shard, shards)
        if size == 0:
            raise InputError(path, "file is empty", line=1)
        if handle.read(3) == b"\xef\xbb\xbf":
            raise InputError(path, "starts with a UTF-8 byte-order mark; save it without BOM", line=1)
        handle.seek(0)
        number = 1
        position = 0
        if start > 0:
            # Count the lines before the byte just ahead of the range, then finish that line: the next
            # line is the first one that starts at or after ``start``.
            while position < start - 1:
                chunk = handle.read(min(_CHUNK, start - 1 - position))
                number += chunk.count(b"\n")
                position += len(chunk)
            rest = handle.readline()
            number += rest.endswith(b"\n")
            position += len(rest)
        while position < end:
            block = handle.read(_BLOCK)
            if not block:
                break
            if not block.endswith(b"\n"):
                block += handle.readline()  # finish its last line
            if position + len(block) > end:  # lines that start at or after ``end`` are the next shard's
                cut = block.find(b"\n", end - 1 - position)
                block = block if cut < 0 else block[:cut + 1]
            yield from _block_lines(block, path, number)
            number += block.count(b"\n") + (not block.endswith(b"\n"))
            position += len(block)


def _block_lines(block: bytes, path: str | os.PathLike[str], number: int) -> Iterator[tuple[int, bytes]]:
    """The numbered lines of a block of whole lines, the first being line ``number``: checked in one go,
    or, when the block is not clean UTF-8 without CR, line by line, so the error names its line."""
    lines = block.removesuffix(b"\n").split(b"\n")
    if b"\r" in block or not _is_utf8(block):
        for offset, line in enumerate(lines):
            decode_line(line, path, number + offset)
            yield number + offset, line
        return
    yield from enumerate(lines, start=number)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, as decoding it would tell (Arrow checks it several times faster)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    try:
        pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _optional_string(record: dict, key: str, path: str | os.PathLike[str], number: int) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(path, f"must be a string or null, not {type(value).__name__}", number, key)
    _check_surrogates(value, path, number, key)
    return value or None


def _has_surrogate(value: str) -> bool:
    """Whether ``value`` holds a lone UTF-16 surrogate (JSON lets ``"\\ud800"`` through): the one kind of
    character UTF-8, hence Parquet, cannot hold, so found by encoding (several times faster than a
    regular expression; never needed for an ASCII string)."""
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_surrogates(value: object, path: str | os.PathLike[str], number: int, key: str) -> None:
    """Raise InputError if the string ``value`` holds a lone surrogate, which cannot be written as UTF-8."""
    if isinstance(value, str) and _has_surrogate(value):
        raise InputError(path, "holds a lone UTF-16 surrogate (an escape such as \\ud800), not text",
                         number, key)


def tweet_date(record: dict, path: str | os.PathLike[str], number: int) -> str | None:
    """Return the ISO date of a tweet record from ``date`` and/or ``created_at`` (see module doc)."""
    dates = []
    date = _optional_string(record, "date", path, number)
    if date is not None:
        try:
            if not _ISO_DATE.fullmatch(date):
                raise ValueError("not in the form YYYY-MM-DD")
            day = dt.date.fromisoformat(date)
        except ValueError as error:
            raise InputError(path, f"{date!r} is not a date: {error}", number, "date") from None
        if (reason := implausible(day)) is not None:
            raise InputError(path, f"{date!r} {reason}", number, "date")
        dates.append(day.isoformat())
    created = _optional_string(record, "created_at", path, number)
    if created is not None:
        try:
            stamp = dt.datetime.fromisoformat(created) if created[:1].isdigit() else (
                dt.datetime.strptime(created, _TWITTER_V1))
            if not created[:1].isdigit() and created[:3].casefold() != f"{stamp:%a}".casefold():
                raise ValueError(f"{stamp.day} {stamp:%B %Y} was a {stamp:%A}")  # strptime ignores it
        except ValueError as error:
            raise InputError(path, f"{created!r} is not a timestamp: {error}", number, "created_at") from None
        if (reason := implausible(stamp.date())) is not None:
            raise InputError(path, f"{created!r} {reason}", number, "created_at")
        dates.append(stamp.date().isoformat())
    if len(set(dates)) > 1:
        raise InputError(path, f"date {dates[0]} disagrees with created_at {created!r}", number, "date")
    return dates[0] if dates else None


def parse_tweet(line: str, collection: str, path: str | os.PathLike[str], number: int) -> dict:
    """Turn one JSON Lines line into a segment row (a dict with the contract's columns)."""
    record = json_object(line, path, number)
    tweet_id = record.get("id")
    if isinstance(tweet_id, bool) or not isinstance(tweet_id, int | str) or tweet_id == "":
        raise InputError(path, "required: a non-empty string or an integer", number, "id")
    _check_surrogates(tweet_id, path, number, "id")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(path, "required: a non-empty string", number, "text")
    _check_surrogates(text, path, number, "text")
    handle = _optional_string(record, "handle", path, number)
    if handle is not None:
        handle = handle.removeprefix("@")
        if not _HANDLE.fullmatch(handle):
            raise InputError(path, f"{handle!r} is not a handle (letters, digits, _)", number, "handle")
    lang = _optional_string(record, "lang", path, number)
    if lang is None:
        lang = detect_language(text)
    elif not is_language_code(lang):
        raise InputError(path, f"{lang!r} is not an ISO 639-1 code or 'und'", number, "lang")
    hashtags, mentions = tag_values(text)
    article_id = f"tweets-{collection}"
    return {
        "article_id": article_id,
        "segment_id": f"{article_id}:{tweet_id}",
        "kind": "tweet",
        "line": number,
        "start": 0,
        "end": len(text),
        "text": text,
        "lang": lang,
        "translates": None,
        "author": _optional_string(record, "author", path, number),
        "handle": handle,
        "date": tweet_date(record, path, number),
        "hashtags": hashtags,
        "mentions": mentions,
    }


@functools.lru_cache(maxsize=1 << 16)
def _is_day(text: str) -> bool:
    """Whether ``text`` is a day of the calendar as ``date.fromisoformat`` reads it (only a ``text`` of
    ``YYYY-MM-DD`` in ASCII digits makes a row plain; other forms it reads are not plain anyway) that a
    tweet can bear (:func:`kzshutdowns.dates.implausible`). Cached: a day refused as after today can
    only become plausible later, and until the cache forgets it its rows go to parse_tweet, which
    checks again."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return False
    return implausible(day) is None


def tweet_batches(
    lines: Iterable[tuple[int, bytes]],
    collection: str,
    path: str | os.PathLike[str] = "<tweets>",
    batch_size: int = BATCH_SIZE,
) -> Iterator[pa.RecordBatch]:
    """Parse numbered JSON Lines lines (in UTF-8, as :func:`read_shard_raw_lines` yields them) of the
    collection ``collection`` into Arrow record batches.

    Batches hold ``batch_size`` rows (the last one fewer) with the contract schema, so a shard of
    any size is parsed and written in bounded memory. Rows and errors are those of :func:`parse_tweet`
    line after line, a repeated tweet id raising at its second line (see "Speed" in the module doc).
    """
    lines = iter(lines)
    first_line: dict[str, int] = {}
    parts: list[pa.RecordBatch] = []
    rows = 0
    while True:
        wanted = min(_LINES_AT_ONCE, batch_size - rows)
        chunk: list[tuple[int, bytes]] = []
        failure = None
        try:
            for numbered in islice(lines, wanted):
                chunk.append(numbered)
        except InputError as error:  # a line that cannot be read: the lines before it are parsed first
            failure = error
        if chunk:
            parts.append(_parse_lines(chunk, collection, path, first_line))
            rows += len(chunk)
        if failure is not None:
            raise failure
        if len(chunk) < wanted or rows == batch_size:
            if rows:
                yield pa.concat_batches(parts)
            if len(chunk) < wanted:
                return
            parts, rows = [], 0


def _parse_lines(
    chunk: list[tuple[int, bytes]], collection: str, path: str | os.PathLike[str], first_line: dict[str, int]
) -> pa.RecordBatch:
    """The segment rows of ``chunk``; ``first_line`` maps the segment ids of earlier lines of the
    shard to their line numbers. Raises the error :func:`parse_tweet` would raise first."""
    prefix = f"tweets-{collection}:"
    size = len(chunk)
    fields = _read_fields([line for _, line in chunk])
    plain = _plain_rows(fields)
    irregular = pc.invert(plain)
    rows: dict[int, dict] = {}  # rows left to parse_tweet
    failed_at, failure = size, None
    for index in pc.indices_nonzero(irregular).to_pylist():
        number, line = chunk[index]
        try:
            rows[index] = parse_tweet(line.decode("utf-8", "surrogatepass"), collection, path, number)
        except InputError as error:
            failed_at, failure = index, error
            break
    segment_ids = [None if tweet_id is None else prefix + tweet_id
                   for tweet_id in pc.cast(fields["id"], pa.string()).to_pylist()]
    for index, row in rows.items():
        segment_ids[index] = row["segment_id"]
    for index in range(failed_at):  # a repeated id is found at its line, before any later error
        number = chunk[index][0]
        seen = first_line.setdefault(segment_ids[index], number)
        if seen != number:
            raise InputError(path, f"tweet id repeats the tweet on line {seen}", number, "id")
    if failure is not None:
        raise failure

    def column(name: str, plain_values: pa.Array) -> pa.Array:
        """The column ``name``: ``plain_values`` in the plain rows, parse_tweet's in the others."""
        theirs = _string_array([row[name] for row in rows.values()])
        return pc.replace_with_mask(plain_values, irregular, theirs)

    text = column("text", fields["text"])
    langs = column("lang", _empty_as_null(fields["lang"]))
    undetected = pc.is_null(langs)
    langs = pc.replace_with_mask(langs, undetected, _string_array(
        [_text_language(value) for value in pc.filter(text, undetected).to_pylist()]))
    handles = pc.replace_substring_regex(_empty_as_null(fields["handle"]), pattern="^@", replacement="")
    dates = pc.coalesce(_empty_as_null(fields["date"]),
                        pc.utf8_slice_codeunits(_empty_as_null(fields["created_at"]), 0, 10))
    hashtags, mentions = _tag_lists(text)
    columns = {
        "article_id": _repeated_string(prefix[:-1], size),
        "segment_id": _string_array(segment_ids),
        "kind": _repeated_string("tweet", size),
        "line": _int64_array([number for number, _ in chunk]),
        "start": _int64_array([0] * size),
        "end": pc.cast(pc.utf8_length(text), pa.int64()),
        "text": text,
        "lang": langs,
        "translates": pa.nulls(size, pa.string()),
        "author": column("author", _empty_as_null(fields["author"])),
        "handle": column("handle", handles),
        "date": column("date", dates),
        "hashtags": hashtags,
        "mentions": mentions,
    }
    return pa.RecordBatch.from_arrays([columns[name] for name in COLUMNS], schema=SCHEMA)


def _read_fields(lines: list[bytes]) -> pa.RecordBatch:
    """The fields of each line (:data:`_FIELDS`) as Arrow's JSON reader reads them, one row a line,
    or all null (every row is then left to parse_tweet) where it may read what json.loads refuses.

    The reader refuses a key given twice in an object, as parse_tweet does, and also a key whose
    values differ in type between lines (a number in one, a string in another), which parse_tweet
    takes: either leaves the batch to parse_tweet.

    It may read what json.loads refuses unless each line is ``{...}`` without a newline: a newline
    then only stands between two values at the top level (inside an object or an array a ``}`` is
    never followed by a ``{``), so with as many rows as lines, row k is line k. This also leaves out
    blank lines, which the reader skips, and lines json.loads refuses, such as one that starts with a
    byte-order mark.
    """
    size = len(lines)
    block = b"\n".join(lines) + b"\n"
    if (block.startswith(b"{") and block.count(b"\n") == block.count(b"}\n") == size
            and block.count(b"\n{") == size - 1 and not _may_hold_non_finite(block)
            and not _may_overwhelm_json_loads(lines, block)
            and _is_utf8(block)):  # not if a lone surrogate of a line given as text (see parse_tweets)
        for options in _READ_AS:
            try:
                fields = pj.read_json(pa.py_buffer(block), read_options=_READ_OPTIONS, parse_options=options)
            except pa.ArrowInvalid:
                continue
            if fields.num_rows == size:
                return fields.select(list(_FIELDS)).combine_chunks().to_batches()[0]
            break
    schema = _READ_AS[0].explicit_schema
    return pa.RecordBatch.from_arrays([pa.nulls(size, field.type) for field in schema], schema=schema)


def _may_hold_non_finite(block: bytes) -> bool:
    """Whether a value of the JSON Lines ``block`` may be Inf, -Inf or -NaN, which Arrow's JSON reader
    takes and json.loads refuses: whether "Inf" or "NaN" follows ":", "," or "[" and white space and
    a "-" (so NaN and Infinity, which both take, and texts such as ": NaN" count too)."""
    for word in (b"Inf", b"NaN"):
        at = block.find(word)
        while at >= 0:
            before = block[max(0, at - 256):at].removesuffix(b"-").rstrip(b" \t\r")
            if before[-1:] in (b"", b":", b",", b"["):
                return True
            at = block.find(word, at + 1)
    return False


# Every ASCII digit made "0", so that a run of zeros in the result is a run of digits.
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"0" * 9)


def _may_overwhelm_json_loads(lines: list[bytes], block: bytes) -> bool:
    """Whether a line of the JSON Lines ``block`` (``lines`` joined) may hold what Arrow's JSON reader
    takes and json.loads refuses with a ValueError or RecursionError (so parse_tweet too): an integer
    of more digits than Python turns into an int (``sys.get_int_max_str_digits()``, 4300 unless
    configured), found as a run of that many digits and one more; or values nested more than half
    the recursion limit deep, found as that many ``[`` and ``{`` in a line. Looked for only when a
    line is long enough to hold either."""
    longest = max(map(len, lines))
    digits = sys.get_int_max_str_digits()
    if digits and longest > digits and b"0" * (digits + 1) in block.translate(_DIGITS_AS_ZEROS):
        return True
    depth = sys.getrecursionlimit() // 2  # a value nested that deep takes twice as many characters
    return longest > 2 * depth and any(line.count(b"[") + line.count(b"{") > depth for line in lines)


def _plain_rows(fields: pa.RecordBatch) -> pa.BooleanArray:
    """Whether each row of :func:`_read_fields` is of the common shape, read by the batch parser as
    :func:`parse_tweet` reads it: the id a non-empty string or an integer, a text that is not blank,
    and each of :data:`_PLAIN` null, empty or matching, a ``date`` and ``created_at`` that agree on a
    day of the calendar. Lone surrogates need no check: the JSON reader refuses them."""
    tweet_id = fields["id"]
    checks = [
        _not_empty(tweet_id) if pa.types.is_string(tweet_id.type) else pc.is_valid(tweet_id),
        pc.match_substring_regex(fields["text"], _NOT_BLANK),
        *(pc.or_kleene(pc.is_null(fields[name]), pc.match_substring_regex(fields[name], pattern))
          for name, pattern in _PLAIN.items()),
    ]
    date, created = _empty_as_null(fields["date"]), _empty_as_null(fields["created_at"])
    day = pc.coalesce(date, pc.utf8_slice_codeunits(created, 0, 10))
    not_days = [text for text in pc.unique(day).to_pylist() if text is not None and not _is_day(text)]
    checks += [
        pc.or_kleene(pc.or_kleene(pc.is_null(date), pc.is_null(created)),
                     pc.equal(pc.utf8_slice_codeunits(created, 0, 10), date)),
        pc.invert(pc.is_in(day, value_set=_string_array(not_days))),
    ]
    plain = checks[0]
    for check in checks[1:]:
        plain = pc.and_kleene(plain, check)
    return pc.and_kleene(plain, pc.is_valid(plain))  # null (not known) is not plain


def _not_empty(strings: pa.Array) -> pa.BooleanArray:
    return pc.cast(pc.binary_length(strings), pa.bool_())


def _empty_as_null(strings: pa.Array) -> pa.Array:
    """``strings`` with empty strings made null (parse_tweet reads an optional "" as null)."""
    return pc.if_else(_not_empty(strings), strings, pa.nulls(len(strings), strings.type))


# Arrays made from Python values without pa.array: pyarrow imports pandas (0.4 s CPU) on its first
# conversion of Python objects, and nothing else in this job needs pandas.
def _string_array(values: list[str | None]) -> pa.StringArray:
    """``pa.array(values, pa.string())``, built from its buffers."""
    valid = None
    if None in values:
        valid = pa.py_buffer(np.packbits([value is not None for value in values], bitorder="little"))
        values = ["" if value is None else value for value in values]
    encoded = list(map(str.encode, values))
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int32, count=len(values)), out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(values), [valid, pa.py_buffer(offsets), data])


def _repeated_string(value: str, size: int) -> pa.StringArray:
    """``_string_array([value] * size)``, without encoding ``value`` ``size`` times."""
    encoded = value.encode("utf-8")
    offsets = np.arange(size + 1, dtype=np.int32) * len(encoded)
    data = pa.py_buffer(encoded * size)
    return pa.Array.from_buffers(pa.string(), size, [None, pa.py_buffer(offsets), data])


def _int64_array(values: Sequence[int]) -> pa.Int64Array:
    """``pa.array(values, pa.int64())``, built from its buffer."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(np.asarray(values, np.int64))])


def _string_lists(tags: TagValues) -> pa.ListArray:
    """The lists of tag values of each text, as ``pa.array(lists, pa.list_(pa.string()))`` would make
    them, built from their values and offsets."""
    offsets = np.zeros(len(tags.counts) + 1, dtype=np.int32)
    np.cumsum(tags.counts, out=offsets[1:])
    offsets_array = pa.Array.from_buffers(pa.int32(), len(offsets), [None, pa.py_buffer(offsets)])
    return pa.ListArray.from_arrays(offsets_array, _string_array(tags.values), type=pa.list_(pa.string()))


def _tag_lists(texts: pa.StringArray) -> tuple[pa.ListArray, pa.ListArray]:
    """The hashtags and the mentions of each of ``texts`` (:func:`~kzshutdowns.parse_article.tag_values`),
    found in one scan of the distinct texts (a collection repeats texts: retweets)."""
    distinct = pc.unique(texts)
    where = pc.index_in(texts, value_set=distinct)
    hashtags, mentions = tag_values_many(distinct.to_pylist())
    return _string_lists(hashtags).take(where), _string_lists(mentions).take(where)


def parse_tweets(
    lines: Iterable[tuple[int, str]], collection: str, path: str | os.PathLike[str] = "<tweets>"
) -> pd.DataFrame:
    """Parse numbered JSON Lines lines (text) of the collection ``collection`` into a segments DataFrame.

    A line may hold a lone surrogate, which a file cannot: its bytes go on to parse_tweet, which names
    it (``surrogatepass``). The frame comes from Arrow with the contract schema, so that every shard,
    even an empty one or one where a column is all null, has the dtypes of the Parquet file it is
    written to.
    """
    encoded = ((number, line.encode("utf-8", "surrogatepass")) for number, line in lines)
    batches = list(tweet_batches(encoded, collection, path))
    return pa.Table.from_batches(batches, schema=SCHEMA).to_pandas()


def write_tweet_segments(batches: Iterable[pa.RecordBatch], path: str | os.PathLike[str]) -> None:
    """Write segment batches as one Parquet file, atomically, one row group per batch.

    The same file format as :func:`kzshutdowns.parse_article.write_segments`, written batch by batch
    instead of from one DataFrame, so memory does not grow with the shard.
    """
    with atomic_output(path) as temporary, pq.ParquetWriter(temporary, SCHEMA) as writer:
        for batch in batches:
            writer.write_batch(batch)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns parse-tweets",
        description="Parse one shard of a tweet collection (JSON Lines) into tweet segments.",
    )
    parser.add_argument("--tweets", required=True, help="tweet collection NAME.jsonl")
    parser.add_argument("--shard", type=int, default=0, help="which shard to parse, 0-based (default 0)")
    parser.add_argument("--shards", type=int, default=1, help="number of shards of the file (default 1)")
    parser.add_argument("--output", required=True, help="segments Parquet file to write")
    args = parser.parse_args(argv)
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    if not 0 <= args.shard < args.shards:
        parser.error(f"--shard must be one of 0..{args.shards - 1}")

    lines = read_shard_raw_lines(args.tweets, args.shard, args.shards)
    with fewer_collections():
        write_tweet_segments(tweet_batches(lines, Path(args.tweets).stem, path=args.tweets), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
