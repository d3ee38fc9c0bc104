"""Reading the tables a figure draws, with errors that name the file, the line and the column.

Figures need only a few columns of each table, so they check exactly those: a reuser can point a
figure at any CSV that has them (another country's events, a subset of the reports) without the
rest of the workflow's reference files. The row index of every table read here is the CSV line
number of the record, so later checks can say where a bad value sits.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence

import pandas as pd

from kzshutdowns.errors import InputError
from kzshutdowns.events import first_repeat, parse_partial_date, split_list
from kzshutdowns.figures import style
from kzshutdowns.files import read_text


def read_table(
    path: str | os.PathLike[str], columns: Sequence[str], *, key: str | None = None
) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells stay ""), indexed by CSV line number.

    Raises InputError when the file is missing, empty, has no data rows, names a column twice in its
    header, lacks one of ``columns``, or repeats a value of the ``key`` column (the table's id).
    """
    if not os.path.exists(path):
        raise InputError(path, "file not found")
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader)
    twice = [name for position, name in enumerate(header) if name in header[:position]]
    if twice:
        raise InputError(path, "column named twice in the header", line=1, field=twice[0])
    missing = [column for column in columns if column not in header]
    if missing:
        raise InputError(
            path, f"missing required column (the header has: {', '.join(header)})", line=1, field=missing[0]
        )
    records, lines = [], []
    start = reader.line_num + 1
    for record in reader:
        if record:
            if len(record) != len(header):
                raise InputError(path, f"{len(record)} fields where the header has {len(header)}", line=start)
            records.append(record)
            lines.append(start)
        start = reader.line_num + 1
    if not records:
        raise InputError(path, "table has no data rows", line=2)
    table = pd.DataFrame(records, columns=header, index=pd.Index(lines, name="line"), dtype="str")
    if key is not None and (repeat := first_repeat(table[key])) is not None:
        line, first = (int(table.index[position]) for position in repeat)  # the index holds the lines
        raise InputError(path, f"{table.at[line, key]!r} repeats line {first}", line=line, field=key)
    return table


def require_columns(table: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise InputError naming ``source`` if ``table`` lacks a column or has no rows."""
    for column in columns:
        if column not in table.columns:
            raise InputError(source, "missing required column", field=column)
    if table.empty:
        raise InputError(source, "table has no rows")


def check_lists(table: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise InputError naming the line and column of the first ';'-separated cell with an empty item
    ("a;;b", "a;"), which would be drawn as a category without a name."""
    for column in columns:
        for line, cell in table[column].items():
            if "" in split_list(cell):
                raise InputError(
                    source, f"empty item in the ';'-separated list {cell!r}", line=int(line), field=column
                )


def check_scopes(events: pd.DataFrame, source: str) -> None:
    """Raise InputError naming the line of the first event whose ``scope`` is not a known one."""
    for line, scope in events["scope"].items():
        if scope not in style.SCOPE_ORDER:
            raise InputError(
                source, f"unknown scope {scope!r}; use one of {', '.join(style.SCOPE_ORDER)}",
                line=int(line), field="scope",
            )


def coordinates(table: pd.DataFrame, source: str, lat: str = "lat", lon: str = "lon") -> pd.DataFrame:
    """Return ``table`` with ``lat``/``lon`` as floats; raise InputError on a bad or out-of-range value.

    Latitudes must lie in [-90, 90] and longitudes in [-180, 180]; the error names the line (the
    table's index) and the column.
    """
    converted = {}
    for column, limit in ((lat, 90.0), (lon, 180.0)):
        values = []
        for line, raw in table[column].items():
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise InputError(source, f"not a number: {raw!r}", line=int(line), field=column) from None
            if not math.isfinite(value) or abs(value) > limit:
                raise InputError(
                    source, f"{value} is outside [-{limit:g}, {limit:g}]", line=int(line), field=column
                )
            values.append(value)
        converted[column] = pd.Series(values, index=table.index, dtype="float64")
    return table.assign(**converted)


def parse_event_date(
    value: str, source: str, line: int, field: str, *, end: bool = False
) -> pd.Timestamp | None:
    """Parse YYYY-MM-DD or YYYY-MM (month precision: its first day, or its last when ``end``); "" -> None.

    Forms and meaning are the event dataset's (:func:`kzshutdowns.events.parse_partial_date`).
    """
    text = str(value).strip()
    if not text:
        return None
    span = parse_partial_date(text, "month" if len(text) == 7 else "day")
    if span is None:
        raise InputError(
            source, f"not a date of the form YYYY-MM-DD or YYYY-MM: {text!r}", line=line, field=field
        )
    return pd.Timestamp(span[1] if end else span[0])


def event_dates(events: pd.DataFrame, source: str) -> pd.DataFrame:
    """Return ``events`` with Timestamp columns ``start`` and ``end`` (None where the end is unknown)."""
    starts, ends = [], []
    for line, row in events.iterrows():
        start = parse_event_date(row["start_date"], source, int(line), "start_date")
        if start is None:
            raise InputError(source, "start_date is empty", line=int(line), field="start_date")
        finish = parse_event_date(row.get("end_date", ""), source, int(line), "end_date", end=True)
        if finish is not None and finish < start:
            raise InputError(source, "end_date is before start_date", line=int(line), field="end_date")
        starts.append(start)
        ends.append(finish)
    return events.assign(start=starts, end=pd.Series(ends, index=events.index, dtype="object"))
