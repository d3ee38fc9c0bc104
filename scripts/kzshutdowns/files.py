"""Reading text strictly and writing outputs atomically.

``read_text`` is the single entry point for raw text: it refuses what would break character spans
or hide a problem (missing or empty files, invalid UTF-8, a byte-order mark, CR line endings) with an
:class:`~kzshutdowns.errors.InputError` that names the line; ``json_object`` does the same for one
line of a JSON Lines file. ``atomic_output`` gives a temporary path beside the target and renames it
only when the writer succeeded, so a failed step never leaves a partial file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kzshutdowns.errors import InputError


def read_text(path: str | os.PathLike[str]) -> str:
    """Return the UTF-8 text of ``path``; InputError if missing, empty, not UTF-8, or with a BOM or CR."""
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
    return text


def json_object(line: str, path: str | os.PathLike[str], number: int) -> dict:
    """Return the JSON object on line ``number`` of a JSON Lines file, or raise InputError naming it."""
    if not line.strip():
        raise InputError(path, "blank line; JSON Lines needs one object on every line", line=number)
    try:
        value = json.loads(line)
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
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
