"""Render the paper with Quarto (HTML and Typst PDF) and refuse a render that only looks fine.

Quarto exits 0 on unresolved cross-references and unknown variables (it prints a warning and writes
"?@fig-x" or "?var:key" into the page), and older PyPI wrappers exit 0 even on failure. So after
``quarto render PROJECT --to html,typst`` this module scans the log for warnings and errors, scans
the HTML for those markers, and checks that both outputs exist and are not empty.

Quarto is an optional extra: its PyPI package downloads the Quarto binary while it installs, which
needs GitHub access. Without ``quarto`` on PATH the module stops with one message saying how to get
it, and that ``snakemake --cores all`` builds everything else.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from kzshutdowns.errors import run_main
from kzshutdowns.files import atomic_output

EXIT_RENDER_FAILED = 1
MISSING_QUARTO = (
    "error: Quarto is not installed (no 'quarto' on PATH), so the paper cannot be rendered. "
    "Install it with: pip install -c constraints.txt -e '.[paper]' on a machine with GitHub access "
    "(the quarto-cli package downloads Quarto's binary while it installs). "
    "Everything else, including the paper's figures, numbers and tables, builds without it: "
    "snakemake --cores all"
)
# Quarto and Pandoc print "WARNING"/"ERROR"; Typst prints lowercase "warning:"/"error:".
_LOG_PROBLEM = re.compile(r"\b(warn(?:ing)?|error)\b", re.IGNORECASE)
# Unresolved cross-references and shortcodes, as Quarto writes them into the page.
_HTML_MARKER = re.compile(r"\?@[\w:-]+|\?(?:var|meta|env):[\w.-]*|\?invalid meta type")


def find_quarto() -> str | None:
    return shutil.which("quarto")


def log_problems(log: str) -> list[str]:
    """Lines of a render log that report a warning or an error."""
    return [line.strip() for line in log.splitlines() if _LOG_PROBLEM.search(line)]


def html_problems(html: str) -> list[str]:
    """Unresolved-reference and unknown-shortcode markers in rendered HTML, in order, deduplicated."""
    return list(dict.fromkeys(_HTML_MARKER.findall(html)))


def output_problems(outputs: Sequence[Path]) -> list[str]:
    return [
        f"{path} was not written (or is empty)"
        for path in outputs
        if not path.is_file() or not path.stat().st_size
    ]


def render(quarto: str, project: Path) -> tuple[int, str]:
    """Run ``quarto render PROJECT --to html,typst``; return the exit code and the combined output."""
    completed = subprocess.run(
        [quarto, "render", str(project), "--to", "html,typst"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return completed.returncode, completed.stdout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns render-paper",
        description="Render the Quarto paper to HTML and PDF (Typst) and fail on warnings, unresolved "
        "references or shortcodes, or missing outputs.",
    )
    parser.add_argument("--project", type=Path, default=Path("paper"), help="Quarto project folder")
    parser.add_argument("--html", type=Path, default=Path("paper/_output/paper.html"), help="expected HTML")
    parser.add_argument("--pdf", type=Path, default=Path("paper/_output/paper.pdf"), help="expected PDF")
    parser.add_argument("--log", type=Path, help="also write Quarto's full output here")
    args = parser.parse_args(argv)

    quarto = find_quarto()
    if quarto is None:
        print(MISSING_QUARTO, file=sys.stderr)
        return EXIT_RENDER_FAILED
    code, log = render(quarto, args.project)
    if args.log:
        with atomic_output(args.log) as temporary:
            temporary.write_text(log, encoding="utf-8")
    problems = [f"quarto render exited with code {code}"] if code else []
    problems += [f"render log: {line}" for line in log_problems(log)]
    problems += output_problems([args.html, args.pdf])
    if args.html.is_file():
        problems += [
            f"{args.html}: unresolved {marker}" for marker in html_problems(args.html.read_text("utf-8"))
        ]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_RENDER_FAILED
    print(f"rendered {args.html} and {args.pdf}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
