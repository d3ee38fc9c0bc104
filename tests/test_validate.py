"""``kzshutdowns validate``: every problem on a line of its own, exit 2; a summary line when clean."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from kzshutdowns import cli
from kzshutdowns.validate import main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FIXTURES = ROOT / "tests" / "data" / "events"
SCHEMAS = ["--events-schema", str(REFERENCE / "shutdowns.schema.json"),
           "--sources-schema", str(REFERENCE / "sources.schema.json")]
PLATFORMS = ["--platforms", str(REFERENCE / "platforms.csv")]


def edited(path: Path, edits: list[tuple[int, str, str]], target: Path) -> Path:
    """Copy a CSV to ``target`` with cells replaced: (CSV line, column name, new value)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    for line, field, value in edits:
        rows[line - 1][rows[0].index(field)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def run(capsys, events: Path, sources: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["--events", str(events), "--sources", str(sources), *PLATFORMS, *SCHEMAS, *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_fixture_prints_a_summary(capsys):
    code, out, err = run(capsys, FIXTURES / "shutdowns.csv", FIXTURES / "sources.csv")
    assert (code, err) == (0, "")
    assert out == "ok: 3 events, 6 sources; 1 events have two or more independent sources\n"


def test_reference_tables_validate_through_the_cli_dispatch(capsys):
    code = cli.main(["validate", "--events", str(REFERENCE / "shutdowns.csv"), "--sources",
                     str(REFERENCE / "sources.csv"), *PLATFORMS, "--regions", str(REFERENCE / "regions.csv")])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == "ok: 23 events, 78 sources; 16 events have two or more independent sources\n"


def test_every_problem_of_both_tables_gets_one_line(tmp_path, capsys):
    events = edited(FIXTURES / "shutdowns.csv", [
        (2, "end_date", "2011-12-01"),
        (3, "measures", "platform_block;blackout"),
        (4, "start_date", "2018-3"),
    ], tmp_path / "shutdowns.csv")
    sources = edited(FIXTURES / "sources.csv", [
        (3, "url", ""),
        (5, "event_id", "kz-2099-01-01"),
    ], tmp_path / "sources.csv")
    code, out, err = run(capsys, events, sources)
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"error: {events}:2: end_date: end_date 2011-12-01 is before start_date 2011-12-16",
        f"error: {events}:3: measures: unknown measure 'blackout'; allowed: full_blackout, mobile_data_cut, "
        "platform_block, website_block, throttling, voice_sms_cut",
        f"error: {events}:4: start_date: malformed date '2018-3': expected a real calendar date of the form "
        "YYYY-MM",
        f"error: {sources}:3: url: missing URL",
        f"error: {sources}:5: event_id: source points to missing event 'kz-2099-01-01'",
        "5 problem(s) found",
    ]


BAD_CASES = [
    ("shutdowns", (3, "end_date", "2016-12-01"),
     "3: end_date: end_date 2016-12-01 is before start_date 2016-12-16"),
    ("shutdowns", (3, "measures", "shutdown"), "3: measures: unknown measure 'shutdown'; allowed: "),
    ("shutdowns", (3, "event_id", "kz-2011-12-16a"),
     "3: event_id: duplicate event_id 'kz-2011-12-16a' (first on line 2)"),
    ("shutdowns", (2, "start_date", "2011-16-12"), "2: start_date: malformed date '2011-16-12'"),
    ("sources", (2, "event_id", "kz-2011-12-17"),
     "2: event_id: source points to missing event 'kz-2011-12-17'"),
    ("sources", (4, "url", ""), "4: url: missing URL"),
    ("sources", (3, "source_id", "kz-2011-12-16a-s1"),
     "3: source_id: duplicate source_id 'kz-2011-12-16a-s1' (first on line 2)"),
]


@pytest.mark.parametrize(("table", "edit", "message"), BAD_CASES)
def test_each_bad_case_is_one_line_naming_file_line_and_field(tmp_path, capsys, table, edit, message):
    paths = {"shutdowns": FIXTURES / "shutdowns.csv", "sources": FIXTURES / "sources.csv"}
    paths[table] = edited(paths[table], [edit], tmp_path / f"{table}.csv")
    code, _, err = run(capsys, paths["shutdowns"], paths["sources"])
    lines = err.splitlines()
    assert code == 2
    assert lines[0].startswith(f"error: {paths[table]}:{message}")
    if edit[1] == "event_id" and table == "shutdowns":
        # The duplicate hides kz-2016-12-16, so its sources now point to a missing event too.
        assert lines[1:] == [
            f"error: {paths['sources']}:{line}: event_id: source points to missing event 'kz-2016-12-16'"
            for line in (4, 5, 6)
        ] + ["4 problem(s) found"]
    else:
        assert lines[1:] == ["1 problem(s) found"]


def test_event_left_without_source_is_named(tmp_path, capsys):
    text = (FIXTURES / "sources.csv").read_text(encoding="utf-8")
    sources = tmp_path / "sources.csv"
    sources.write_text("".join(line for line in text.splitlines(keepends=True) if ",kz-2018-03," not in line),
                       encoding="utf-8")
    code, _, err = run(capsys, FIXTURES / "shutdowns.csv", sources)
    assert code == 2
    where = f"(line 4 of {FIXTURES / 'shutdowns.csv'})"
    assert err.splitlines()[0] == f"error: {sources}: event_id: event 'kz-2018-03' {where} has no source"


def test_unreadable_input_is_one_line_not_a_traceback(tmp_path, capsys):
    broken = tmp_path / "shutdowns.csv"
    broken.write_bytes(b"event_id,title\r\n")
    code = cli.main(["validate", "--events", str(broken), "--sources", str(FIXTURES / "sources.csv"),
                     *PLATFORMS, *SCHEMAS])
    assert code == 2
    message = "CR line ending; convert the file to LF line endings"
    assert capsys.readouterr().err == f"error: {broken}:1: {message}\n"


def test_missing_flag_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--events", "x.csv"])
    assert caught.value.code == 2
    assert "--sources" in capsys.readouterr().err
