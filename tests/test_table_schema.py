"""The strict Table Schema reader: it flags what frictionless flags, at the same line and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pytest
from kzshutdowns.errors import InputError
from kzshutdowns.table_schema import check_table, read_schema, read_table, schema_problems

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
# sources.csv is left out: its foreign key names another resource, which frictionless resolves only
# inside a data package (tests/test_publish_datapackage.py validates the package).
TABLES = ("platforms", "regions", "toponyms", "shutdowns")

# (table, data line to edit, field, new value): one broken cell each, of every kind the schemas check.
BROKEN_CELLS = [
    ("platforms", 2, "kind", "network"),  # enum
    ("platforms", 3, "id", "facebook"),  # unique
    ("platforms", 4, "id", "You Tube"),  # pattern
    ("platforms", 5, "label", ""),  # required
    ("platforms", 6, "aliases_en", "|Twitter"),  # pattern
    ("regions", 3, "geonameid", "not-a-number"),  # integer
    ("regions", 4, "geonameid", "0"),  # minimum
    ("regions", 5, "capital_geonameid", "1.5"),  # integer
    ("regions", 6, "admin1", "0x"),  # pattern
    ("regions", 7, "kind", "oblast"),  # enum
    ("toponyms", 2, "geonameid", "-3"),  # minimum
    ("toponyms", 3, "script", "Greek"),  # enum
    ("toponyms", 4, "language", "ara"),  # pattern
    ("toponyms", 5, "note", ""),  # required
    ("shutdowns", 2, "confidence", "certain"),  # enum
    ("shutdowns", 3, "title", "x" * 121),  # maxLength
    ("shutdowns", 4, "start_date", "2016/12/16"),  # pattern
]


def _copy_with(tmp_path: Path, table: str, line: int, field: str, value: str) -> Path:
    """A copy of a reference table (and its schema) with one cell replaced."""
    for name in (f"{table}.csv", f"{table}.schema.json"):
        shutil.copy(REFERENCE / name, tmp_path / name)
    frame = read_table(REFERENCE / f"{table}.csv", read_schema(REFERENCE / f"{table}.schema.json")).frame
    assert frame.shape[0] >= line - 1
    frame.loc[line - 2, field] = value
    path = tmp_path / f"{table}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _frictionless_problems(path: Path) -> set[tuple[int, str]]:
    descriptor = json.loads(path.with_name(path.stem + ".schema.json").read_text(encoding="utf-8"))
    schema = frictionless.Schema.from_descriptor(descriptor)
    report = frictionless.Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    return {(row, field) for row, field in report.flatten(["rowNumber", "fieldName"]) if row is not None}


@pytest.mark.parametrize("table", TABLES)
def test_reference_tables_pass(table: str) -> None:
    checked = check_table(REFERENCE / f"{table}.csv", REFERENCE / f"{table}.schema.json")
    assert len(checked.frame) == len(checked.lines) > 0
    assert _frictionless_problems(REFERENCE / f"{table}.csv") == set()


@pytest.mark.parametrize(("table", "line", "field", "value"), BROKEN_CELLS)
def test_broken_cell_is_flagged_where_frictionless_flags_it(
    tmp_path: Path, table: str, line: int, field: str, value: str
) -> None:
    path = _copy_with(tmp_path, table, line, field, value)
    schema = read_schema(path.with_name(f"{table}.schema.json"))
    ours = {(problem.line, problem.field) for problem in schema_problems(read_table(path, schema), schema)}
    assert ours == {(line, field)}
    assert (line, field) in _frictionless_problems(path)
    with pytest.raises(InputError) as caught:
        check_table(path, path.with_name(f"{table}.schema.json"))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert str(path) in str(caught.value)


def test_first_problem_is_the_earliest_line(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "platforms", 7, "kind", "network")
    frame = read_table(path, read_schema(path.with_name("platforms.schema.json"))).frame
    frame.loc[1, "id"] = "Bad Id"  # line 3, a field before "kind"
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(InputError) as caught:
        check_table(path, path.with_name("platforms.schema.json"))
    assert (caught.value.line, caught.value.field) == (3, "id")


def test_composite_primary_key_must_be_unique(tmp_path: Path) -> None:
    for name in ("toponyms.csv", "toponyms.schema.json"):
        shutil.copy(REFERENCE / name, tmp_path / name)
    path = tmp_path / "toponyms.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate") as caught:
        check_table(path, tmp_path / "toponyms.schema.json")
    assert caught.value.line == len(lines) + 1
    assert len(lines) + 1 in {row for row, _ in _frictionless_problems(path)}


def test_header_must_be_the_schema_fields_in_order(tmp_path: Path) -> None:
    shutil.copy(REFERENCE / "regions.schema.json", tmp_path)
    (tmp_path / "regions.csv").write_text("region_code,geonameid\nKZ-AKM,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="header") as caught:
        check_table(tmp_path / "regions.csv", tmp_path / "regions.schema.json")
    assert caught.value.line == 1
