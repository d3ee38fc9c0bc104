"""The one place that writes figure files: SVG, PDF and PNG, byte-identical on every rebuild.

Matplotlib otherwise stamps each file with the date and its own version and salts SVG element ids
with a random value. :func:`save_figure` fixes the salt to the file's stem and strips the date,
creator and producer fields per format; fonts are pinned by the style sheet (DejaVu Sans as paths in
SVG, embedded TrueType in PDF), so the same inputs give the same bytes on any machine with the same
library versions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from kzshutdowns.errors import InputError
from kzshutdowns.files import atomic_output

FORMATS = ("svg", "pdf", "png")
# Per-format metadata: None removes a key that Matplotlib would otherwise fill with a date or version.
METADATA: dict[str, dict[str, str | None]] = {
    "svg": {"Date": None, "Creator": None, "Format": None, "Type": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}


def save_figure(
    fig: Figure, stem: str | os.PathLike[str], formats: Iterable[str] = FORMATS, *, close: bool = True
) -> list[Path]:
    """Write ``fig`` to ``stem``.svg/.pdf/.png (as ``formats`` asks) deterministically; return the paths.

    Each file is written atomically. The SVG hash salt is the stem's name, so two figures never share
    element ids and a rebuild reproduces the same ones. The figure is closed afterwards unless
    ``close`` is False.
    """
    stem = Path(stem)
    written = []
    for fmt in formats:
        if fmt not in METADATA:
            raise ValueError(f"unsupported figure format {fmt!r}; choose from {', '.join(FORMATS)}")
        target = stem.with_name(f"{stem.name}.{fmt}")
        with atomic_output(target) as temporary, mpl.rc_context({"svg.hashsalt": stem.name}):
            fig.savefig(temporary, format=fmt, metadata=METADATA[fmt])
        written.append(target)
    if close:
        plt.close(fig)
    return written


def save_outputs(fig: Figure, outputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Write ``fig`` to each path in ``outputs``, the format taken from its suffix; then close it.

    The figure CLIs take ``--output a.svg a.pdf a.png`` and call this.
    """
    written = []
    try:
        for output in outputs:
            path = Path(output)
            fmt = path.suffix.lstrip(".").lower()
            if fmt not in METADATA:
                raise InputError(
                    path, f"unsupported suffix; use one of .{', .'.join(FORMATS)}", field="--output"
                )
            written += save_figure(fig, path.with_suffix(""), [fmt], close=False)
    finally:
        plt.close(fig)
    return written
