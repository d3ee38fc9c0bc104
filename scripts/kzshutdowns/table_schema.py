"""Curated CSV tables read strictly against their Table Schemas (the JSON file beside each table).

The reference tables (events, sources, platform lexicon, regions, toponyms) are hand-edited, so a
problem must be reported with the file, the CSV line and the field. This module reads such a table
(header exactly the schema's field names, in order; every row as strings, with the CSV line it
starts on) and checks the part of the Table Schema standard that these schemas use: ``required``,
``enum``, ``pattern``, ``maxLength``, ``unique``, the ``integer`` type with its ``minimum``, and the
project's ``vocabulary`` property for ';'-separated list fields. It is far cheaper than a general
validator (frictionless, which ``publish_datapackage`` and the tests still run over the published
package), and it runs in every job that loads a table.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kzshutdowns.errors import InputError
from kzshutdowns.files import read_text

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Table:
    """A CSV table as read: its path, its rows as strings, and the CSV line each row starts on."""

    path: Path
    frame: pd.DataFrame
    lines: tuple[int, ...]


def read_schema(path: str | os.PathLike[str]) -> dict:
    """Read a Table Schema (JSON) and check it has the parts this module relies on."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "Table Schema not found")
    try:
        schema = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(path, f"not valid JSON: {error.msg}", line=error.lineno) from None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
        raise InputError(path, "not a Table Schema: 'fields' must be a list of objects with a name")
    return schema


def header_difference(header: list[str], expected: list[str]) -> str:
    """How ``header`` differs from the ``expected`` column names: missing, unknown, or their order."""
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    parts = [f"missing {', '.join(missing)}" if missing else "",
             f"unknown {', '.join(unknown)}" if unknown else ""]
    return "; ".join(part for part in parts if part) or "columns out of order"


def read_table(path: str | os.PathLike[str], schema: dict) -> Table:
    """Read a CSV whose header must be exactly the schema's field names, in order."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "table not found")
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = [field["name"] for field in schema["fields"]]
    try:
        header = next(reader, [])
        if header != expected:
            difference = header_difference(header, expected)
            raise InputError(path, f"header must be {','.join(expected)} ({difference})", line=1)
        rows: list[list[str]] = []
        lines: list[int] = []
        previous_end = reader.line_num
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if record == []:
                raise InputError(path, "blank line", line=line)
            if len(record) != len(expected):
                raise InputError(path, f"{len(record)} cells, expected {len(expected)}", line=line)
            rows.append(record)
            lines.append(line)
    except csv.Error as error:
        raise InputError(path, f"malformed CSV: {error}", line=reader.line_num) from None
    frame = pd.DataFrame(rows, columns=expected, dtype="str")
    return Table(path=path, frame=frame, lines=tuple(lines))


def _cell_problem(value: str, field: dict) -> str | None:
    """What is wrong with one cell according to its schema field, or None."""
    name = field["name"]
    constraints = field.get("constraints", {})
    vocabulary = field.get("vocabulary")
    if value != value.strip():
        return f"{value!r} has leading or trailing spaces"
    if value == "":
        if not constraints.get("required"):
            return None
        return "missing URL" if name == "url" else f"missing {name}"
    if "enum" in constraints and value not in constraints["enum"]:
        return f"unknown {name.replace('_', ' ')} {value!r}; allowed: {', '.join(constraints['enum'])}"
    if vocabulary is not None:
        items = value.split(LIST_SEPARATOR)
        unknown = [item for item in items if item not in vocabulary]
        if unknown:
            label = name.removesuffix("s").replace("_", " ")
            return f"unknown {label} {', '.join(map(repr, unknown))}; allowed: {', '.join(vocabulary)}"
        duplicated = sorted({item for item in items if items.count(item) > 1})
        if duplicated:
            return f"{', '.join(duplicated)} listed twice"
    if "pattern" in constraints and re.fullmatch(constraints["pattern"], value) is None:
        return f"{value!r} does not match the pattern {constraints['pattern']}"
    if "maxLength" in constraints and len(value) > constraints["maxLength"]:
        return f"longer than {constraints['maxLength']} characters"
    if field.get("type") == "integer":
        if re.fullmatch(r"[+-]?[0-9]+", value) is None:
            return f"{value!r} is not an integer"
        if "minimum" in constraints and int(value) < constraints["minimum"]:
            return f"{value} is less than the minimum {constraints['minimum']}"
    return None


def schema_problems(
    table: Table, schema: dict, already: set[tuple[int, str]] = frozenset()
) -> list[InputError]:
    """Problems with what the schema states (required, enum, vocabulary, pattern, length, integer type
    and minimum, unique), in field order.

    Cells named in ``already`` (line, field) have a more specific problem reported elsewhere.
    """
    problems: list[InputError] = []
    for field in schema["fields"]:
        name = field["name"]
        first_line: dict[str, int] = {}
        for value, line in zip(table.frame[name], table.lines, strict=True):
            if (line, name) in already:
                continue
            message = _cell_problem(value, field)
            if message is None and value and field.get("constraints", {}).get("unique"):
                if value in first_line:
                    message = f"duplicate {name} {value!r} (first on line {first_line[value]})"
                first_line.setdefault(value, line)
            if message is not None:
                problems.append(InputError(table.path, message, line=line, field=name))
    key = schema.get("primaryKey", [])
    if isinstance(key, list) and len(key) > 1:  # one-field keys are declared unique on the field
        first_line: dict[tuple[str, ...], int] = {}
        for values, line in zip(table.frame[key].itertuples(index=False), table.lines, strict=True):
            values = tuple(values)
            if values in first_line:
                message = f"duplicate ({', '.join(key)}) {values!r} (first on line {first_line[values]})"
                problems.append(InputError(table.path, message, line=line, field=key[0]))
            first_line.setdefault(values, line)
    return problems


def check_table(path: str | os.PathLike[str], schema_path: str | os.PathLike[str]) -> Table:
    """Read the table at ``path`` and check it against the schema at ``schema_path``; raise the first
    problem (in field order, then line order) as an :class:`~kzshutdowns.errors.InputError`."""
    schema = read_schema(schema_path)
    table = read_table(path, schema)
    problems = schema_problems(table, schema)
    if problems:
        raise min(problems, key=lambda problem: problem.line or 0)
    return table
