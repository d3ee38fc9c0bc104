"""The one error type for bad input, and the wrapper that turns it into one line and exit code 2.

Every module raises :class:`InputError` for input it cannot accept, naming the file, the line (or
row) and the field. ``run_main`` prints it as a single ``error: path:line: field: message`` line on
stderr, so that a user (or a Snakemake log) sees what to fix instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike

EXIT_BAD_INPUT = 2


@dataclass
class InputError(Exception):
    """Input that cannot be accepted: where it is (file, line or row, field) and what is wrong."""

    path: str | PathLike[str]
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def run_main(main: Callable[[Sequence[str] | None], int | None], argv: Sequence[str] | None = None) -> int:
    """Call a module's ``main(argv)``; report an :class:`InputError` as one line and return 2."""
    try:
        return main(argv) or 0
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
