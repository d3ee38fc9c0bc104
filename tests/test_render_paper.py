"""Tests of kzshutdowns.render_paper: the missing-Quarto message, the log and HTML scans, a real render."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from kzshutdowns import render_paper
from kzshutdowns.errors import run_main

sys.path.insert(0, str(Path(__file__).parent))
from test_paper_check import real_paper_copy  # noqa: E402

FAKE_QUARTO = """#!/bin/sh
# Stand-in for quarto: writes the two outputs of `quarto render PROJECT --to html,typst`.
mkdir -p "$2/_output"
printf '%s\\n' "$FAKE_HTML" > "$2/_output/paper.html"
[ -n "$FAKE_NO_PDF" ] || printf '%%PDF-1.7\\n' > "$2/_output/paper.pdf"
printf '%s\\n' "$FAKE_LOG"
exit "${FAKE_EXIT:-0}"
"""


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch):
    """Put a fake `quarto` first on PATH; its behaviour is set through FAKE_* variables."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_HTML", "<html><body>Figure 1</body></html>")
    monkeypatch.setenv("FAKE_LOG", "Output created: _output/paper.html")
    project = tmp_path / "paper"
    project.mkdir()
    return project


def render_args(project: Path) -> list[str]:
    output = project / "_output"
    html, pdf, log = output / "paper.html", output / "paper.pdf", project.parent / "quarto.log"
    return ["--project", str(project), "--html", str(html), "--pdf", str(pdf), "--log", str(log)]


def test_without_quarto_one_message_says_how_to_install_and_what_builds_the_rest(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run_main(render_paper.main, ["--project", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "pip install -c constraints.txt -e '.[paper]'" in err and "GitHub access" in err
    assert "snakemake --cores all" in err


def test_clean_render_passes(fake_quarto, capsys):
    assert run_main(render_paper.main, render_args(fake_quarto)) == 0
    assert "rendered" in capsys.readouterr().out
    assert (fake_quarto.parent / "quarto.log").read_text(encoding="utf-8").startswith("Output created")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FAKE_LOG", "WARNING (.../crossref.lua) Unable to resolve crossref @fig-map", "render log: WARNING"),
        ("FAKE_LOG", "warning: unknown font family: amiri", "render log: warning: unknown font family"),
        ("FAKE_HTML", "<p>see <strong>?@fig-map</strong></p>", "unresolved ?@fig-map"),
        ("FAKE_HTML", "<p><strong>?var:events.n</strong></p>", "unresolved ?var:events.n"),
        ("FAKE_EXIT", "1", "quarto render exited with code 1"),
        ("FAKE_NO_PDF", "1", "paper.pdf was not written"),
    ],
)
def test_render_that_only_looks_fine_fails(fake_quarto, monkeypatch, capsys, variable, value, message):
    monkeypatch.setenv(variable, value)
    assert run_main(render_paper.main, render_args(fake_quarto)) == 1
    assert message in capsys.readouterr().err


def test_log_and_html_scans():
    log = (
        "Output created: paper.html\nWARNING: citeproc: citation x not found\nerror: label <k> does not exist"
    )
    assert render_paper.log_problems(log) == log.splitlines()[1:]
    html = "<p>?@fig-a, ?@fig-a and ?meta:title, ?invalid meta type</p> a@b.org"
    assert render_paper.html_problems(html) == ["?@fig-a", "?meta:title", "?invalid meta type"]


@pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="Quarto is not installed (pip install -c constraints.txt -e '.[paper]' needs GitHub access)",
)
def test_real_paper_renders_to_html_and_pdf_without_warnings(tmp_path):
    document = real_paper_copy(tmp_path)
    repo = Path(__file__).resolve().parents[1]
    figures = repo / "paper" / "figures"
    if not all(
        (figures / f"{name}.{ext}").is_file() for name in ("timeline", "event_map") for ext in ("svg", "pdf")
    ):
        pytest.skip("the figures are not built yet: run `snakemake --cores all figures` first")
    shutil.copytree(figures, document.parent / "figures")
    assert run_main(render_paper.main, render_args(document.parent)) == 0
