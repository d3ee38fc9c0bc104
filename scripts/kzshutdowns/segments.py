"""Reading a segments table (contract "Segments", written by :mod:`kzshutdowns.parse_article` and
:mod:`kzshutdowns.parse_tweets`): the columns every later step needs, checked on reading.

A module of its own, so that the steps that read segments import only pandas and pyarrow for it (the
report step does not load the geocoder to read a table).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import is_integer_dtype

from kzshutdowns.errors import InputError

SEGMENT_COLUMNS = ("article_id", "segment_id", "kind", "start", "end", "text", "lang")
# The kinds of segment (contract "Segments"): kept here, not in the parser, so that the readers check
# them without importing the parser, and the parser (which imports no pandas) is not made to import this.
KINDS = ("paragraph", "tweet", "translation")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_segments(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a segments Parquet file (all its columns, or only ``columns``) and check the columns the
    steps after the parsers need (:data:`SEGMENT_COLUMNS`): present, integer start and end and string
    text without nulls, string article and segment ids without nulls, a kind of :data:`KINDS` in every
    row, languages that are strings or null, and every segment's span as long as its text; and, when it
    is read, a ``date`` column (a tweet's day) of days written YYYY-MM-DD, empty strings or nulls."""
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
    for column in ("article_id", "segment_id"):  # strings however stored (plain or dictionary)
        values = segments[column]
        nulls = np.flatnonzero(values.isna().to_numpy())
        if len(nulls):
            raise InputError(path, "must not be null", line=int(nulls[0]) + 1, field=column)
        if not isinstance(values.dtype, pd.StringDtype) and not all(isinstance(v, str) for v in values):
            raise InputError(path, f"must hold strings, not {values.dtype}", field=column)
    _check_kinds(segments["kind"], path)
    # A null language (None, NaN or pd.NA) is allowed: the geocoder detects it (extract_mentions._documents).
    langs = segments["lang"]
    if not isinstance(langs.dtype, pd.StringDtype):
        values = langs.to_numpy(dtype=object)
        typed = langs.isna().to_numpy() | np.fromiter(
            (isinstance(value, str) for value in values), dtype=bool, count=len(values))
        if len(bad := np.flatnonzero(~typed)):
            raise InputError(path, f"must be a language code (a string) or null, not "
                             f"{type(values[bad[0]]).__name__}", line=int(bad[0]) + 1, field="lang")
    start, end = segments["start"].to_numpy(), segments["end"].to_numpy()
    bad = np.flatnonzero((start < 0) | (start > end) | (end - start != segments["text"].str.len().to_numpy()))
    if len(bad):
        row = segments.iloc[bad[0]]
        raise InputError(path, f"segment {row.segment_id!r}: span {row.start}-{row.end} does not fit its "
                         f"text of {len(row.text)} characters", line=int(bad[0]) + 1, field="start")
    if "date" in segments:
        _check_days(segments["date"], path)
    return segments if columns is None else segments[list(columns)]


def _check_kinds(kinds: pd.Series, path: str | Path) -> None:
    """Refuse, naming its first row, a kind that is not one of :data:`KINDS` (null included)."""
    codes, values = pd.factorize(kinds)  # nulls are code -1, checked like an unknown kind
    wrong = [code for code, value in enumerate(values.tolist()) if value not in KINDS]
    bad = np.flatnonzero(np.isin(codes, [*wrong, -1]))
    if len(bad):
        row = int(bad[0])
        value = None if codes[row] == -1 else values[codes[row]]
        raise InputError(path, f"unknown segment kind {value!r}; expected one of {', '.join(KINDS)}",
                         line=row + 1, field="kind")


def _check_days(dates: pd.Series, path: str | Path) -> None:
    """Refuse, naming its first row, a date that is neither null, empty nor a day written YYYY-MM-DD."""
    codes, values = pd.factorize(dates)  # nulls are code -1
    wrong = [code for code, value in enumerate(values.tolist()) if not _is_day(value)]
    if wrong:
        row = int(np.flatnonzero(np.isin(codes, wrong))[0])
        raise InputError(path, f"{values[codes[row]]!r} is not a day written YYYY-MM-DD", line=row + 1,
                         field="date")


def _is_day(value: object) -> bool:
    if not isinstance(value, str):
        return False
    if value == "":
        return True
    try:
        return DAY.fullmatch(value) is not None and bool(date.fromisoformat(value))
    except ValueError:
        return False
