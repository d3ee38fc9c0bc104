"""Copy an Arabic-capable font from its PyPI font package into the paper, for the Typst PDF.

None of the text fonts built into Typst has Arabic glyphs, and Typst's silent fallback would pick
whatever font the machine happens to have. The paper therefore ships its own: the static (not
variable) TrueType files of a family installed as a ``fontpkg-*`` package, plus the family's licence,
copied into ``paper/fonts/`` where ``_quarto.yml`` points Typst's ``font-paths``.

Amiri is the default: a Naskh serif that sits well beside Typst's Libertinus Serif, with real
regular, bold, italic and bold-italic files (SIL Open Font License 1.1). Noto Sans Arabic is packaged
only as a variable font, and Typst renders every weight of a variable font with its default instance,
so bold Arabic would come out regular.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

import fontpkg

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output

DEFAULT_FAMILY = "Amiri"
LICENCE_NAME = "OFL.txt"


def family_files(name: str) -> tuple[list[Path], Path]:
    """Return the static font files of an installed fontpkg family and its licence file."""
    try:
        family = fontpkg.family(name)
    except fontpkg.FontpkgError as error:
        raise InputError(name, f"font family is not installed as a fontpkg package ({error})") from None
    if family.is_variable:
        raise InputError(name, "font family is variable; Typst would render every weight the same")
    fonts = sorted(font.path for font in family.files)
    licence = fonts[0].parent.parent / "LICENSE"
    if not licence.is_file():
        raise InputError(licence, "font package ships no LICENSE file; refusing to copy an unlicensed font")
    return fonts, licence


def output_names(name: str) -> list[str]:
    """File names that :func:`copy_family` writes for ``name`` (font files, then the licence)."""
    fonts, _ = family_files(name)
    return [font.name for font in fonts] + [LICENCE_NAME]


def copy_family(name: str, output_dir: Path) -> list[Path]:
    """Copy the family's font files and licence into ``output_dir``; return the written paths."""
    fonts, licence = family_files(name)
    written = []
    for source, target_name in [*((font, font.name) for font in fonts), (licence, LICENCE_NAME)]:
        target = output_dir / target_name
        with atomic_output(target) as temporary:
            shutil.copyfile(source, temporary)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns paper-font",
        description="Copy an Arabic-capable font family (installed from PyPI as fontpkg-*) and its "
        "licence into the paper's font folder for the Typst PDF.",
    )
    parser.add_argument("--family", default=DEFAULT_FAMILY, help="font family name (default: %(default)s)")
    parser.add_argument("--output-dir", required=True, type=Path, help="folder to copy into (paper/fonts)")
    args = parser.parse_args(argv)
    for path in copy_family(args.family, args.output_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
