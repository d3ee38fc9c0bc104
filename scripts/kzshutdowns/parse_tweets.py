"""A tweet collection (JSON Lines) -> segments, one shard of the file at a time.

Workflow stage: rule ``parse_tweets``, one job per (collection, shard). Input: a collection
``data/raw/tweets/NAME.jsonl``, one JSON object per line with

- ``id`` (required): the tweet id, a non-empty string or an integer;
- ``text`` (required): the tweet text, a non-empty string;
- ``author`` (display name) and ``handle`` (with or without ``@``): optional strings or null;
- ``date`` (``YYYY-MM-DD``) and/or ``created_at`` (ISO 8601 such as ``2016-12-16T10:00:00Z``, or the
  Twitter API v1 form ``Fri Dec 16 10:00:00 +0000 2016``): optional; the tweet's date is the calendar
  date as written in the timestamp (no time-zone conversion); if both are given they must agree;
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
that is not a JSON object, a missing or ill-typed field, an impossible date, a malformed language
code or handle, and a tweet id repeated within the shard.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, json_object
from kzshutdowns.language import UNDETERMINED, detect_language
from kzshutdowns.parse_article import COLUMNS, SCHEMA, find_tags

_HANDLE = re.compile(r"[A-Za-z0-9_]+")
_LANG = re.compile(r"[a-z]{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TWITTER_V1 = "%a %b %d %H:%M:%S %z %Y"
_CHUNK = 1 << 24
# Rows per Arrow record batch (and Parquet row group) of a shard's output.
BATCH_SIZE = 50_000


def shard_byte_range(size: int, shard: int, shards: int) -> tuple[int, int]:
    """Return the half-open byte range ``[start, end)`` in which the lines of ``shard`` begin."""
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0..{shards - 1}")
    return size * shard // shards, size * (shard + 1) // shards


def _decode(raw: bytes, path: str | os.PathLike[str], number: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, f"invalid UTF-8 at byte {error.start} of the line", line=number) from None
    if "\r" in text:
        raise InputError(path, "CR line ending; convert the file to LF line endings", line=number)
    return text


def read_shard_lines(path: str | os.PathLike[str], shard: int, shards: int) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line without its newline)`` for the lines of one shard of a JSON Lines file."""
    size = os.path.getsize(path)
    if size == 0:
        raise InputError(path, "file is empty", line=1)
    start, end = shard_byte_range(size, shard, shards)
    with open(path, "rb") as handle:
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
            raw = handle.readline()
            if not raw:
                break
            yield number, _decode(raw.removesuffix(b"\n"), path, number)
            number += 1
            position += len(raw)


def _optional_string(record: dict, key: str, path: str | os.PathLike[str], number: int) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(path, f"must be a string or null, not {type(value).__name__}", number, key)
    return value or None


def tweet_date(record: dict, path: str | os.PathLike[str], number: int) -> str | None:
    """Return the ISO date of a tweet record from ``date`` and/or ``created_at`` (see module doc)."""
    dates = []
    date = _optional_string(record, "date", path, number)
    if date is not None:
        try:
            if not _ISO_DATE.fullmatch(date):
                raise ValueError("not in the form YYYY-MM-DD")
            dates.append(dt.date.fromisoformat(date).isoformat())
        except ValueError as error:
            raise InputError(path, f"{date!r} is not a date: {error}", number, "date") from None
    created = _optional_string(record, "created_at", path, number)
    if created is not None:
        try:
            stamp = dt.datetime.fromisoformat(created) if created[:1].isdigit() else (
                dt.datetime.strptime(created, _TWITTER_V1))
        except ValueError as error:
            raise InputError(path, f"{created!r} is not a timestamp: {error}", number, "created_at") from None
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
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(path, "required: a non-empty string", number, "text")
    handle = _optional_string(record, "handle", path, number)
    if handle is not None:
        handle = handle.removeprefix("@")
        if not _HANDLE.fullmatch(handle):
            raise InputError(path, f"{handle!r} is not a handle (letters, digits, _)", number, "handle")
    lang = _optional_string(record, "lang", path, number)
    if lang is None:
        lang = detect_language(text)
    elif not (_LANG.fullmatch(lang) or lang == UNDETERMINED):
        raise InputError(path, f"{lang!r} is not an ISO 639-1 code or 'und'", number, "lang")
    tags = find_tags(text) if "#" in text or "@" in text else []  # the same result, without the scan
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
        "hashtags": [tag.value for tag in tags if tag.kind == "hashtag"],
        "mentions": [tag.value for tag in tags if tag.kind == "mention"],
    }


def tweet_batches(
    lines: Iterable[tuple[int, str]],
    collection: str,
    path: str | os.PathLike[str] = "<tweets>",
    batch_size: int = BATCH_SIZE,
) -> Iterator[pa.RecordBatch]:
    """Parse numbered JSON Lines lines of the collection ``collection`` into Arrow record batches.

    Batches hold ``batch_size`` rows (the last one fewer) with the contract schema, so a shard of
    any size is parsed and written in bounded memory.
    """
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    first_line: dict[str, int] = {}
    for number, line in lines:
        row = parse_tweet(line, collection, path, number)
        seen = first_line.setdefault(row["segment_id"], number)
        if seen != number:
            raise InputError(path, f"tweet id repeats the tweet on line {seen}", number, "id")
        for name in COLUMNS:
            columns[name].append(row[name])
        if len(columns["line"]) == batch_size:
            yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)
            columns = {name: [] for name in COLUMNS}
    if columns["line"]:
        yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def parse_tweets(
    lines: Iterable[tuple[int, str]], collection: str, path: str | os.PathLike[str] = "<tweets>"
) -> pd.DataFrame:
    """Parse numbered JSON Lines lines of the collection ``collection`` into a segments DataFrame.

    The frame comes from Arrow with the contract schema, so that every shard, even an empty one or
    one where a column is all null, has the dtypes of the Parquet file it is written to.
    """
    batches = list(tweet_batches(lines, collection, path))
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
    if args.shards < 1 or not 0 <= args.shard < args.shards:
        parser.error(f"--shard must be one of 0..{args.shards - 1}")

    lines = read_shard_lines(args.tweets, args.shard, args.shards)
    write_tweet_segments(tweet_batches(lines, Path(args.tweets).stem, path=args.tweets), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
