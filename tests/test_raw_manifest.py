"""The raw-data manifest and the article metadata: the repository's own raw data, and every way they
can be wrong (each named by file, line and field)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import read_text
from kzshutdowns.raw_manifest import (
    REQUIRED_FIELDS,
    build_manifest,
    check_articles,
    compare_manifest,
    format_manifest,
    load_metadata,
    main,
    parse_manifest,
    parse_metadata,
)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data/raw"
SEED = RAW / "articles/globalvoices-ar-48274.txt"
SEED_META = SEED.with_suffix(".yml")


# --- the repository's raw data -----------------------------------------------------------------


def test_the_repository_raw_data_matches_its_manifest():
    recorded = parse_manifest(read_text(RAW / "MANIFEST.tsv"), RAW / "MANIFEST.tsv")
    compare_manifest(recorded, build_manifest(RAW), RAW / "MANIFEST.tsv")
    assert "articles/globalvoices-ar-48274.txt" in recorded["path"].tolist()
    assert read_text(RAW / "MANIFEST.tsv") == format_manifest(build_manifest(RAW))


def test_the_seed_metadata_is_valid_and_says_what_the_issue_requires():
    metadata = load_metadata(SEED_META, SEED)
    assert metadata.source_url == "https://ar.globalvoices.org/2016/12/16/48274/"
    assert (metadata.publisher, metadata.language, metadata.published) == (
        "Global Voices",
        "ar",
        "2016-12-16",
    )
    assert metadata.licence == "CC-BY-3.0"
    assert metadata.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert check_articles(RAW) == {"articles/globalvoices-ar-48274.txt": metadata}


# --- the manifest --------------------------------------------------------------------------------


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A copy of data/raw/ with a freshly written manifest."""
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    assert run_main(main, ["--manifest", str(folder / "MANIFEST.tsv"), "--write"]) == 0
    return folder


def check(raw: Path, capsys) -> tuple[int, str]:
    code = run_main(
        main, ["--manifest", str(raw / "MANIFEST.tsv"), "--output", str(raw.parent / "stamp.tsv")]
    )
    return code, capsys.readouterr().err


def test_build_manifest_lists_every_file_sorted_with_size_and_hash(raw):
    (raw / "zz.csv").write_text("a,b\n", encoding="utf-8")
    (raw / "articles" / "notes").mkdir()
    (raw / "articles" / "notes" / "n.md").write_text("x", encoding="utf-8")
    table = build_manifest(raw)
    assert table["path"].tolist() == [
        "articles/globalvoices-ar-48274.txt",
        "articles/globalvoices-ar-48274.yml",
        "articles/notes/n.md",
        "zz.csv",
    ]
    assert table.loc[3, "bytes"] == 4 and table.loc[3, "sha256"] == hashlib.sha256(b"a,b\n").hexdigest()
    assert parse_manifest(format_manifest(table), "m").equals(table)


def test_check_passes_and_writes_the_stamp(raw, capsys):
    code, err = check(raw, capsys)
    assert code == 0, err
    assert (raw.parent / "stamp.tsv").read_text(encoding="utf-8") == (raw / "MANIFEST.tsv").read_text(
        encoding="utf-8"
    )


SEED_META_IN_COPY = "articles/globalvoices-ar-48274.yml"


def add_text_without_metadata(raw: Path) -> None:
    (raw / "extra.txt").write_bytes(b"x")


def add_unlisted_file(raw: Path) -> None:
    (raw / "extra.csv").write_bytes(b"x")


def remove_metadata(raw: Path) -> None:
    (raw / SEED_META_IN_COPY).unlink()


def append_to_metadata(raw: Path) -> None:
    (raw / SEED_META_IN_COPY).write_bytes((raw / SEED_META_IN_COPY).read_bytes() + b"# note\n")


def alter_metadata(raw: Path) -> None:
    meta = raw / SEED_META_IN_COPY
    meta.write_bytes(meta.read_bytes().replace(b"Global Voices", b"Global-Voices"))


@pytest.mark.parametrize(
    ("change", "line", "field", "problem"),
    [
        (add_text_without_metadata, None, None, "extra.txt: has no extra.yml beside it"),
        (add_unlisted_file, None, "path", "extra.csv is in the raw folder but not listed"),
        (remove_metadata, None, None, "has no globalvoices-ar-48274.yml beside it"),
        (append_to_metadata, 3, "bytes", "has 550 bytes, listed 543"),
        (alter_metadata, 3, "sha256", "has sha256"),
    ],
)
def test_check_names_the_first_difference(raw, capsys, change, line, field, problem):
    change(raw)
    code, err = check(raw, capsys)
    assert code == 2
    assert err.count("\n") == 1 and problem in err
    if field is not None:
        manifest = raw / "MANIFEST.tsv"
        where = f"{manifest}:{line}" if line else f"{manifest}"
        assert err.startswith(f"error: {where}: {field}: ")
    assert not (raw.parent / "stamp.tsv").exists()


def test_a_listed_file_that_is_missing_is_named_by_its_manifest_line(raw):
    recorded = parse_manifest(read_text(raw / "MANIFEST.tsv"), raw / "MANIFEST.tsv")
    actual = recorded.iloc[1:].reset_index(drop=True)
    with pytest.raises(InputError) as caught:
        compare_manifest(recorded, actual, "MANIFEST.tsv")
    assert (caught.value.line, caught.value.field) == (2, "path")
    assert "listed but missing" in caught.value.message


def test_a_missing_manifest_says_how_to_create_it(raw, capsys):
    (raw / "MANIFEST.tsv").unlink()
    code, err = check(raw, capsys)
    assert code == 2 and "check-raw --write" in err


GOOD_ROW = "a.txt\t3\t" + "0" * 64


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("path\tsize\tsha256\n", 1, None),
        ("", 1, None),
        (f"path\tbytes\tsha256\n{GOOD_ROW}\textra\n", 2, None),
        (f"path\tbytes\tsha256\n{GOOD_ROW}\n{GOOD_ROW}\n", 3, "path"),
        (f"path\tbytes\tsha256\nb.txt\t3\t{'0' * 64}\n{GOOD_ROW}\n", 3, "path"),
        (f"path\tbytes\tsha256\n../etc/passwd\t3\t{'0' * 64}\n", 2, "path"),
        (f"path\tbytes\tsha256\na.txt\tthree\t{'0' * 64}\n", 2, "bytes"),
        (f"path\tbytes\tsha256\na.txt\t3\t{'G' * 64}\n", 2, "sha256"),
    ],
    ids=[
        "bad-header",
        "empty",
        "extra-field",
        "repeated",
        "unsorted",
        "escaping-path",
        "bad-size",
        "bad-hash",
    ],
)
def test_parse_manifest_refuses_ill_formed_rows(text, line, field):
    with pytest.raises(InputError) as caught:
        parse_manifest(text, "MANIFEST.tsv")
    assert (caught.value.line, caught.value.field) == (line, field)


# --- the metadata --------------------------------------------------------------------------------

SEED_META_TEXT = SEED_META.read_text(encoding="utf-8")


def field_line(text: str, field: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(f"{field}:"))


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_each_missing_field_is_named(field):
    lines = SEED_META_TEXT.split("\n")
    start = field_line(SEED_META_TEXT, field) - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):  # the folded description spans lines
        end += 1
    text = "\n".join(lines[:start] + lines[end:])
    with pytest.raises(InputError) as caught:
        parse_metadata(text, "a.yml")
    assert caught.value.field == field and caught.value.message == "required field is missing"
    assert 1 <= caught.value.line <= text.count("\n") + 1


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("source_url", "ar.globalvoices.org/2016/12/16/48274/", "not an http(s) URL"),
        ("licence_url", "ftp://example.org/licence", "not an http(s) URL"),
        ("language", "Arabic", "not an ISO 639-1 code"),
        ("language", "no", None),  # Norwegian, not YAML's false
        ("published", "2016-02-30", "not a valid ISO date"),
        ("published", "16.12.2016", "not a valid ISO date"),
        ("licence", "CC BY 3.0", "not an SPDX licence identifier"),
        ("sha256", "48ECB06F", "not 64 lower-case hex digits"),
        ("publisher", "''", "is empty"),
        ("publisher", "[Global Voices]", "must be a single value"),
    ],
)
def test_ill_formed_values_are_named_by_line_and_field(field, value, problem):
    text = re.sub(rf"(?m)^{field}:.*$", f"{field}: {value}", SEED_META_TEXT)
    if problem is None:
        assert getattr(parse_metadata(text, "a.yml"), field) == value
        return
    with pytest.raises(InputError) as caught:
        parse_metadata(text, "a.yml")
    assert (caught.value.line, caught.value.field) == (field_line(text, field), field)
    assert problem in caught.value.message


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        (SEED_META_TEXT + "licence_ulr: x\n", 12, "licence_ulr", "unknown field"),
        (SEED_META_TEXT + "language: ru\n", 12, "language", "given twice"),
        ("- a\n- b\n", 1, None, "must be a YAML mapping"),
        ("# only a comment\n", 1, None, "must be a YAML mapping"),
        ("description: x\nsource_url: [unclosed\n", 3, None, "not valid YAML"),
    ],
)
def test_malformed_metadata_files(text, line, field, problem):
    with pytest.raises(InputError) as caught:
        parse_metadata(text, "a.yml")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert problem in caught.value.message


def test_sha256_mismatch_names_the_sha256_line(tmp_path):
    text_path = tmp_path / "a.txt"
    text_path.write_bytes(SEED.read_bytes() + b"\n")
    meta = tmp_path / "a.yml"
    meta.write_text(SEED_META_TEXT, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_metadata(meta, text_path)
    assert (caught.value.line, caught.value.field) == (field_line(SEED_META_TEXT, "sha256"), "sha256")
    assert hashlib.sha256(text_path.read_bytes()).hexdigest() in caught.value.message


def test_write_refuses_to_record_a_raw_folder_with_invalid_metadata(raw, capsys):
    meta = raw / "articles/globalvoices-ar-48274.yml"
    meta.write_text(SEED_META_TEXT.replace("language: ar", "language: Arabic"), encoding="utf-8")
    before = (raw / "MANIFEST.tsv").read_bytes()
    code = run_main(main, ["--manifest", str(raw / "MANIFEST.tsv"), "--write"])
    assert code == 2 and "language" in capsys.readouterr().err
    assert (raw / "MANIFEST.tsv").read_bytes() == before


# --- property: arbitrary metadata or manifest text is accepted or refused with a line ------------

YAML_PIECES = st.sampled_from(
    [
        *SEED_META_TEXT.split("\n"),
        "- item",
        "key: [a, b",
        "&anchor x",
        "*anchor",
        "? complex",
        "sha256: ",
        "  ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(YAML_PIECES, st.text(max_size=40)), max_size=14).map("\n".join))
def test_any_metadata_text_parses_or_raises_input_error(text):
    try:
        parse_metadata(text, "a.yml")
    except InputError as error:
        assert str(error.path) == "a.yml"
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.just("path\tbytes\tsha256"), st.just(GOOD_ROW), st.text(max_size=80)), max_size=6)
)
def test_any_manifest_text_parses_or_raises_input_error(lines):
    text = "\n".join(lines)
    try:
        table = parse_manifest(text, "MANIFEST.tsv")
    except InputError as error:
        assert 1 <= error.line <= text.count("\n") + 1
    else:
        assert table["path"].is_monotonic_increasing and table["path"].is_unique


@pytest.mark.parametrize(
    ("name", "problem"),
    [(b"tab\there.txt", "control character"), (b"latin1-\xe9.txt", "not valid UTF-8")],
)
def test_file_names_the_manifest_cannot_hold_are_refused(tmp_path, name, problem):
    (tmp_path / "raw").mkdir()
    with open(bytes(tmp_path / "raw") + b"/" + name, "wb") as handle:
        handle.write(b"x")
    with pytest.raises(InputError, match=problem):
        build_manifest(tmp_path / "raw")
