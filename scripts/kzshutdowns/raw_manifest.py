"""The raw-data manifest and the article metadata: what ``data/raw/`` holds, checked byte for byte.

``data/raw/`` is read-only. ``data/raw/MANIFEST.tsv`` lists every file under it (except itself), one
row per file sorted by path, with three tab-separated columns under a header line::

    path    bytes   sha256
    articles/globalvoices-ar-48274.txt      3647    48ecb06f...

``path`` is relative to ``data/raw/`` with ``/`` separators. ``kzshutdowns check-raw`` recomputes the
listing and fails on the first difference (a missing, extra, resized or altered file), naming the
manifest line; ``--write`` regenerates the manifest after an intended change (adding an article).

Every raw text ``NAME.txt`` under ``data/raw/`` (the articles) has its metadata in ``NAME.yml``
beside it: one YAML mapping with exactly the keys of :data:`REQUIRED_FIELDS`, each a non-empty scalar:
``description``; ``source_url`` and ``licence_url`` (http or https URLs); ``publisher``; ``language``
(ISO 639-1, two lower-case letters); ``published`` (ISO date YYYY-MM-DD); ``licence`` (an SPDX
identifier such as CC-BY-3.0); ``sha256`` (64 lower-case hex digits, the SHA-256 of the .txt bytes).
Values are read as the text written in the file, never through YAML's type guessing (so
``language: no`` stays the string "no" and ``published`` is never turned into a date object).
A missing, unknown, repeated or ill-formed field raises :class:`~kzshutdowns.errors.InputError` with
the file, the line and the field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import yaml

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, read_text

MANIFEST_NAME = "MANIFEST.tsv"
MANIFEST_COLUMNS = ("path", "bytes", "sha256")
REQUIRED_FIELDS = (
    "description",
    "source_url",
    "publisher",
    "language",
    "published",
    "licence",
    "licence_url",
    "sha256",
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LICENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")


@dataclass(frozen=True)
class ArticleMetadata:
    """The validated metadata of one raw article (all values as written in its .yml file)."""

    description: str
    source_url: str
    publisher: str
    language: str
    published: str
    licence: str
    licence_url: str
    sha256: str


def sha256_of(path: str | PathLike[str]) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(raw_dir: str | PathLike[str]) -> pd.DataFrame:
    """List every file under ``raw_dir`` except the manifest itself: path, bytes, sha256, sorted by path."""
    root = Path(raw_dir)
    if not root.is_dir():
        raise InputError(root, "raw data folder does not exist")
    rows = []
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = file.relative_to(root).as_posix()
        if relative == MANIFEST_NAME:
            continue
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(file, "file name is not valid UTF-8; rename it") from None
        if not relative.isprintable():
            raise InputError(
                file, "file name contains a tab, line break or other control character; rename it"
            )
        rows.append((relative, file.stat().st_size, sha256_of(file)))
    table = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS))
    return table.astype({"path": "str", "bytes": "int64", "sha256": "str"}).sort_values(
        "path", ignore_index=True
    )


def format_manifest(manifest: pd.DataFrame) -> str:
    """Render a manifest as TSV text: header line, then one row per file, LF line endings."""
    lines = ["\t".join(MANIFEST_COLUMNS)]
    lines += [f"{row.path}\t{row.bytes}\t{row.sha256}" for row in manifest.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def parse_manifest(text: str, path: str | PathLike[str]) -> pd.DataFrame:
    """Parse manifest TSV strictly (header, three fields, sorted unique paths); InputError names the line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "\t".join(MANIFEST_COLUMNS):
        raise InputError(path, f"header must be {'<TAB>'.join(MANIFEST_COLUMNS)!r}", line=1)
    rows: list[tuple[str, int, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(MANIFEST_COLUMNS):
            raise InputError(path, f"expected 3 tab-separated fields, found {len(fields)}", line=number)
        relative, size, digest = fields
        parts = relative.split("/")
        if not relative or relative.startswith("/") or ".." in parts or "" in parts:
            raise InputError(
                path, f"{relative!r} is not a relative path inside the raw folder", number, "path"
            )
        if rows and relative <= rows[-1][0]:
            raise InputError(
                path, f"{relative!r} is out of order or repeated; rows are sorted by path", number, "path"
            )
        if not size.isascii() or not size.isdigit():
            raise InputError(path, f"{size!r} is not a byte count", number, "bytes")
        if not _SHA256.fullmatch(digest):
            raise InputError(path, f"{digest!r} is not 64 lower-case hex digits", number, "sha256")
        rows.append((relative, int(size), digest))
    table = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS))
    return table.astype({"path": "str", "bytes": "int64", "sha256": "str"})


def compare_manifest(
    recorded: pd.DataFrame, actual: pd.DataFrame, manifest_path: str | PathLike[str]
) -> None:
    """Raise InputError on the first difference between the recorded manifest and the files on disk."""
    listed = {row.path: (line, row) for line, row in enumerate(recorded.itertuples(index=False), start=2)}
    present = {row.path: row for row in actual.itertuples(index=False)}
    problems: list[InputError] = []
    for relative in sorted(listed.keys() | present.keys()):
        line, want = listed.get(relative, (None, None))
        have = present.get(relative)
        if want is None:
            problems.append(
                InputError(manifest_path, f"{relative} is in the raw folder but not listed", None, "path")
            )
        elif have is None:
            problems.append(InputError(manifest_path, f"{relative} is listed but missing", line, "path"))
        elif have.bytes != want.bytes:
            problems.append(
                InputError(
                    manifest_path, f"{relative} has {have.bytes} bytes, listed {want.bytes}", line, "bytes"
                )
            )
        elif have.sha256 != want.sha256:
            problems.append(
                InputError(
                    manifest_path,
                    f"{relative} has sha256 {have.sha256}, listed {want.sha256}",
                    line,
                    "sha256",
                )
            )
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more differences)" if len(problems) > 1 else ""
        hint = "raw data is read-only; if the change is intended, run 'kzshutdowns check-raw --write'"
        raise InputError(first.path, f"{first.message}{more}; {hint}", first.line, first.field)


def _line(text: str, mark: yaml.Mark) -> int:
    """The 1-based line of a YAML position, counting only LF (YAML also breaks lines at NEL, LS, PS)."""
    return text.count("\n", 0, mark.index) + 1


def _scalar(node: yaml.Node, path: str | PathLike[str], field: str, line: int) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise InputError(path, "must be a single value, not a list or mapping", line, field)
    value = node.value.strip()
    if not value:
        raise InputError(path, "is empty", line, field)
    return value


def _check_value(field: str, value: str) -> str | None:
    """Return what is wrong with one metadata value, or None."""
    if field in {"source_url", "licence_url"}:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in value):
            return f"{value!r} is not an http(s) URL"
    elif field == "language" and not _LANGUAGE.fullmatch(value):
        return f"{value!r} is not an ISO 639-1 code (two lower-case letters, e.g. ar)"
    elif field == "published":
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a valid ISO date YYYY-MM-DD"
    elif field == "licence" and not _LICENCE.fullmatch(value):
        return f"{value!r} is not an SPDX licence identifier (e.g. CC-BY-3.0)"
    elif field == "sha256" and not _SHA256.fullmatch(value):
        return f"{value!r} is not 64 lower-case hex digits"
    return None


def _compose(text: str, path: str | PathLike[str]) -> yaml.MappingNode:
    """Parse YAML text into its top-level mapping node (no type guessing); InputError names the line."""
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise InputError(
            path, f"not valid YAML: {problem}", None if mark is None else _line(text, mark)
        ) from None
    if not isinstance(document, yaml.MappingNode):
        line = 1 if document is None else _line(text, document.start_mark)
        raise InputError(path, "must be a YAML mapping of the fields " + ", ".join(REQUIRED_FIELDS), line)
    return document


def field_lines(text: str, path: str | PathLike[str]) -> dict[str, int]:
    """Return the 1-based line of each top-level key of a metadata file."""
    return {str(key.value): _line(text, key.start_mark) for key, _ in _compose(text, path).value}


def parse_metadata(text: str, path: str | PathLike[str]) -> ArticleMetadata:
    """Validate the YAML text of an article's metadata file; InputError names the line and field."""
    document = _compose(text, path)
    values: dict[str, str] = {}
    for key_node, value_node in document.value:
        key_line = _line(text, key_node.start_mark)
        key = str(key_node.value)
        if not isinstance(key_node, yaml.ScalarNode) or key not in REQUIRED_FIELDS:
            raise InputError(
                path, f"unknown field (expected only {', '.join(REQUIRED_FIELDS)})", key_line, key
            )
        if key in values:
            raise InputError(path, "field is given twice", key_line, key)
        value_line = _line(text, value_node.start_mark)
        value = _scalar(value_node, path, key, value_line)
        problem = _check_value(key, value)
        if problem:
            raise InputError(path, problem, value_line, key)
        values[key] = value
    for field in REQUIRED_FIELDS:
        if field not in values:
            last_line = text.count("\n", 0, len(text[: document.end_mark.index].rstrip())) + 1
            raise InputError(path, "required field is missing", last_line, field)
    return ArticleMetadata(**values)


def load_metadata(meta_path: str | PathLike[str], text_path: str | PathLike[str]) -> ArticleMetadata:
    """Read and validate an article's .yml, and check that its sha256 matches the article's bytes."""
    text = read_text(meta_path)
    metadata = parse_metadata(text, meta_path)
    actual = sha256_of(text_path)
    if actual != metadata.sha256:
        raise InputError(
            meta_path,
            f"does not match {text_path} (its sha256 is {actual})",
            field_lines(text, meta_path)["sha256"],
            "sha256",
        )
    return metadata


def check_articles(raw_dir: str | PathLike[str]) -> dict[str, ArticleMetadata]:
    """Validate the NAME.yml beside every NAME.txt under ``raw_dir``; return the metadata by .txt path.

    A .txt without its .yml, or a .yml without its .txt, is an error: every raw text carries its
    provenance (source, licence, checksum).
    """
    root = Path(raw_dir)
    texts = {p.with_suffix(""): p for p in root.rglob("*.txt") if p.is_file()}
    metas = {p.with_suffix(""): p for p in root.rglob("*.yml") if p.is_file()}
    for stem in sorted(texts.keys() ^ metas.keys()):
        have, lack = (texts[stem], ".yml") if stem in texts else (metas[stem], ".txt")
        raise InputError(have, f"has no {stem.name}{lack} beside it; every raw text needs both files")
    return {
        texts[stem].relative_to(root).as_posix(): load_metadata(metas[stem], texts[stem])
        for stem in sorted(texts)
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns check-raw",
        description="Check data/raw/ against its manifest and validate every article's metadata.",
    )
    parser.add_argument(
        "--manifest", required=True, help="the manifest in the raw folder (data/raw/MANIFEST.tsv)"
    )
    parser.add_argument("--write", action="store_true", help="regenerate the manifest instead of checking it")
    parser.add_argument(
        "--output", help="after a successful check, copy the manifest here (a workflow stamp)"
    )
    args = parser.parse_args(argv)

    if Path(args.manifest).name != MANIFEST_NAME:
        raise InputError(
            args.manifest, f"the manifest must be named {MANIFEST_NAME}, at the top of the raw folder"
        )
    raw_dir = Path(args.manifest).parent
    check_articles(raw_dir)
    actual = build_manifest(raw_dir)
    if args.write:
        with atomic_output(args.manifest) as temporary:
            temporary.write_text(format_manifest(actual), encoding="utf-8")
    else:
        if not Path(args.manifest).exists():
            raise InputError(
                args.manifest, "manifest does not exist; create it with 'kzshutdowns check-raw --write'"
            )
        compare_manifest(parse_manifest(read_text(args.manifest), args.manifest), actual, args.manifest)
    if args.output:
        with atomic_output(args.output) as temporary:
            temporary.write_text(format_manifest(actual), encoding="utf-8")
    print(
        f"{len(actual)} raw files {'written to' if args.write else 'match'} {args.manifest}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
