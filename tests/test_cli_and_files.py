"""The shared foundations: the one-line input errors, strict text reading, atomic outputs, CLI dispatch."""

import io
import os
import subprocess
import sys

import pytest
from kzshutdowns import __version__, cli
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, decode_line, json_object, read_text, utf8_lines


def test_input_error_names_file_line_and_field():
    assert str(InputError("a.csv", "malformed date", line=3, field="start_date")) == (
        "a.csv:3: start_date: malformed date"
    )
    assert str(InputError("a.txt", "file is empty")) == "a.txt: file is empty"


def test_run_main_turns_input_error_into_one_line_and_exit_2(capsys):
    def main(argv):
        raise InputError("x.txt", "bad", line=7, field="text")

    assert run_main(main, []) == 2
    assert capsys.readouterr().err == "error: x.txt:7: text: bad\n"


def test_run_main_lets_programming_errors_through():
    def main(argv):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_main(main, [])


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "file is empty", 1),
        (b"  \n\n", "file is empty", 1),
        (b"\xef\xbb\xbfhello\n", "byte-order mark", 1),
        (b"one\ntwo \xff\n", "invalid UTF-8 at byte 8", 2),
        (b"one\ntwo\r\nthree\n", "CR line ending", 2),
        (b"one\ntwo\nth\x00ree\n", "NUL character", 3),
        ("h\ni\n".encode("utf-16-le"), "NUL character", 1),  # UTF-16 without BOM decodes as UTF-8
    ],
)
def test_read_text_refuses_bad_input_naming_the_line(tmp_path, data, message, line):
    path = tmp_path / "raw.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert caught.value.path == path


@pytest.mark.parametrize("name", ["missing.txt", "."])
def test_read_text_reports_a_file_it_cannot_read(tmp_path, name):
    with pytest.raises(InputError, match="cannot read"):
        read_text(tmp_path / name)


def test_read_text_returns_the_exact_text(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_bytes("Астана, أستانا\n".encode())
    assert read_text(path) == "Астана, أستانا\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("  \n", "blank line"),
        ("{nope", "not valid JSON: Expecting property name enclosed in double quotes at column 2"),
        ("[1, 2]", "a line must hold a JSON object, not list"),
        ('{"id": ' + "9" * 5000 + "}", "not valid JSON: Exceeds the limit (4300 digits)"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "not valid JSON: maximum recursion depth exceeded"),
    ],
)
def test_json_object_names_the_line_of_a_bad_json_lines_record(line, message):
    with pytest.raises(InputError) as caught:
        json_object(line, "in.jsonl", 4)
    assert caught.value.line == 4 and caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b'{"a": "\xc3("}', "invalid UTF-8 at byte 7 of the line"), (b'{"a": 1}\r\n', "CR line ending")],
)
def test_decode_line_names_the_line(raw, message):
    with pytest.raises(InputError) as caught:
        decode_line(raw, "in.jsonl", 7)
    assert (caught.value.line, caught.value.message.split(";")[0]) == (7, message)


def test_utf8_lines_splits_at_line_feeds_only_and_counts_them():
    lines = utf8_lines(io.BytesIO("a\u2028b\x85\nАстана\nlast".encode()), "in.jsonl")
    assert list(lines) == ["a\u2028b\x85\n", "Астана\n", "last"]
    with pytest.raises(InputError) as caught:
        list(utf8_lines(io.BytesIO(b"ok\nok\r\n"), "in.jsonl"))
    assert caught.value.line == 2


@pytest.mark.parametrize(("line", "key"), [
    ('{"id": "1", "text": "a", "text": "b"}', "text"),
    ('{"id": "1", "\\u0069d": "2"}', "id"),  # the same key, once escaped
    ('{"user": {"name": "A", "id": 1, "name": "B"}, "id": 1}', "name"),  # at any depth
    ('{"a": [{"b": 1}, {"b": 2, "b": 2}]}', "b"),  # even with the same value
])
def test_json_object_refuses_a_key_given_twice_in_one_object(line, key):
    # json.loads kept the last value without a word.
    with pytest.raises(InputError) as caught:
        json_object(line, "in.jsonl", 5)
    assert (caught.value.path, caught.value.line, caught.value.field) == ("in.jsonl", 5, key)
    assert caught.value.message == "key given twice in one object (a JSON reader keeps one value silently)"


def test_json_object_returns_the_object():
    assert json_object('{"id": "a", "text": "Астана"}\n', "in.jsonl", 1) == {"id": "a", "text": "Астана"}
    # the same key in different objects is no repeat
    assert json_object('{"a": {"a": 1}, "b": [{"a": 2}]}', "in.jsonl", 1) == {"a": {"a": 1}, "b": [{"a": 2}]}


def test_atomic_output_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "out" / "table.csv"
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("partial")
        raise RuntimeError("writer failed")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_atomic_output_moves_the_finished_file_into_place(tmp_path):
    target = tmp_path / "table.csv"
    with atomic_output(target) as temporary:
        temporary.write_text("done")
    assert target.read_text() == "done"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_current_umask(), "as open() would have made it"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


@pytest.mark.parametrize(
    ("make", "target", "message"),
    [
        (lambda base: (base / "out.csv").mkdir(), "out.csv", "is a folder, not a file to write"),
        (lambda base: (base / "plain").write_text("x"), "plain/out.csv", "cannot create its folder"),
        (lambda base: (base / "plain").write_text("x"), "plain/sub/out.csv", "cannot create its folder"),
    ],
)
def test_atomic_output_refuses_a_target_it_cannot_write(tmp_path, make, target, message):
    make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError) as caught, atomic_output(tmp_path / target) as temporary:
        temporary.write_text("done")
    assert caught.value.path == tmp_path / target and message in caught.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left behind


def test_cli_lists_commands_and_rejects_unknown_ones(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out
    assert cli.main(["no-such-command"]) == 2
    assert "unknown command 'no-such-command'" in capsys.readouterr().err


def test_every_command_module_has_a_main():
    import importlib

    for name, (module, _help) in cli.COMMANDS.items():
        assert callable(importlib.import_module(module).main), name


def test_console_script_reports_its_version():
    result = subprocess.run(
        [sys.executable, "-m", "kzshutdowns.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == __version__


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
