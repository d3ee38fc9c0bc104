"""Reading text strictly and writing outputs atomically.

``read_text`` is the single entry point for raw text: it refuses what would break character spans
or hide a problem (missing or empty files, invalid UTF-8, a byte-order mark, CR line endings, a NUL
character, as a UTF-16 file read as UTF-8 holds) with an :class:`~kzshutdowns.errors.InputError`
that names the line; ``decode_line`` (and ``utf8_lines``, for a stream) and ``json_object`` do the
same for one line of a JSON Lines file (``json_object`` also refuses a key given twice in an object).
``atomic_output`` gives a temporary path beside the target and renames it only when the writer
succeeded, so a failed step never leaves a partial file behind; a target it cannot write (a folder,
a path through a file, a folder without write permission) is an InputError.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kzshutdowns.errors import InputError


def read_text(path: str | os.PathLike[str]) -> str:
    """Return the UTF-8 text of ``path``; InputError if missing, empty, not UTF-8, with a BOM, CR or NUL."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    if not data.strip():
        raise InputError(path, "file is empty", line=1)
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError(path, "starts with a UTF-8 byte-order mark; save it without BOM", line=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(path, f"invalid UTF-8 at byte {error.start}", line=line) from None
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        raise InputError(path, "CR line ending; convert the file to LF line endings", line=line)
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise InputError(path, "holds a NUL character (is the file UTF-16? save it as UTF-8)", line=line)
    return text


def decode_line(raw: bytes, path: str | os.PathLike[str], number: int) -> str:
    """Decode line ``number`` of a file (``raw``, its bytes); InputError if not UTF-8 or if it holds a CR."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, f"invalid UTF-8 at byte {error.start} of the line", line=number) from None
    if "\r" in line:
        raise InputError(path, "CR line ending; convert the file to LF line endings", line=number)
    return line


def utf8_lines(handle: IO[bytes], path: str | os.PathLike[str]) -> Iterator[str]:
    """The lines of a binary stream (split at LF only, each with its LF), decoded by :func:`decode_line`."""
    for number, raw in enumerate(handle, start=1):
        yield decode_line(raw, path, number)


class _RepeatedKey(Exception):
    """A key met twice in one JSON object (raised by :func:`_unique_keys`, reported by json_object)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """The object of ``pairs`` (the decoder's object_pairs_hook); _RepeatedKey if a key repeats."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        raise _RepeatedKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return value


# One decoder for every line: ``json.loads(line, object_pairs_hook=...)`` builds a new one (and its
# scanner) for each, which doubled the cost of a line (200,000 tweets: 1.7 s against 0.9 s).
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def json_object(line: str, path: str | os.PathLike[str], number: int) -> dict:
    """Return the JSON object on line ``number`` of a JSON Lines file, or raise InputError naming it.

    A key given twice in one object, at any depth, is refused (the field named is the key): a JSON reader
    would silently keep the last value."""
    if not line.strip():
        raise InputError(path, "blank line; JSON Lines needs one object on every line", line=number)
    try:
        value = _DECODER.decode(line)
    except _RepeatedKey as repeated:
        raise InputError(path, "key given twice in one object (a JSON reader keeps one value silently)",
                         line=number, field=repeated.key) from None
    except json.JSONDecodeError as error:
        raise InputError(path, f"not valid JSON: {error.msg} at column {error.colno}", line=number) from None
    except (ValueError, RecursionError) as error:  # an integer of too many digits, values nested too deep
        raise InputError(path, f"not valid JSON: {error}", line=number) from None
    if not isinstance(value, dict):
        raise InputError(path, f"a line must hold a JSON object, not {type(value).__name__}", line=number)
    return value


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto ``path`` if the block succeeds."""
    target = Path(path)
    if target.is_dir():
        raise InputError(path, "is a folder, not a file to write")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file where a folder of the path should be, or no permission
        reason = "a file is in the way" if isinstance(error, FileExistsError | NotADirectoryError) else (
            error.strerror or str(error))
        raise InputError(path, f"cannot create its folder {target.parent}: {reason}") from None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
        )
    except OSError as error:
        raise InputError(path, f"cannot write in {target.parent}: {error.strerror or error}") from None
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
