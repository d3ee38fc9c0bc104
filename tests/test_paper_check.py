"""Tests of kzshutdowns.paper_check: each defect on a small bad project, and the real paper passing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kzshutdowns import paper_check, paper_font, paper_inputs
from kzshutdowns.errors import run_main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "data" / "paper"
sys.path.insert(0, str(Path(__file__).parent))
from test_paper_inputs import input_args  # noqa: E402

QUARTO_YML = """\
project:
  type: default
  render:
    - paper.qmd
bibliography: references.bib
format:
  html:
    default-image-extension: svg
  typst:
    default-image-extension: pdf
    font-paths: [fonts]
"""
PAPER = """\
---
title: "A small paper"
engine: markdown
---

# Introduction {#sec-intro}

We counted {{< var counts.events >}} events [@doe2020], as @fig-map and @tbl-counts show.
Mail me at someone@example.org or write to \\@handle; see @sec-intro.

![A map.](figures/map){#fig-map width=80%}

{{< include _generated/counts.md >}}

: Counts. {#tbl-counts}
"""
BIB = "@article{doe2020,\n  author = {Doe, Jane},\n  title = {T},\n  date = {2020}\n}\n"
VARIABLES = 'counts:\n  events: "23"\n  nested:\n    deep: "x"\n'


def make_project(root: Path, paper: str = PAPER) -> Path:
    """A minimal valid Quarto project; returns the path of its paper.qmd."""
    (root / "figures").mkdir(parents=True)
    (root / "_generated").mkdir()
    (root / "fonts").mkdir()
    (root / "_quarto.yml").write_text(QUARTO_YML, encoding="utf-8")
    (root / "_variables.yml").write_text(VARIABLES, encoding="utf-8")
    (root / "references.bib").write_text(BIB, encoding="utf-8")
    (root / "figures" / "map.svg").write_text("<svg/>\n", encoding="utf-8")
    (root / "figures" / "map.pdf").write_text("%PDF\n", encoding="utf-8")
    (root / "_generated" / "counts.md").write_text("| A |\n|---|\n| 1 |\n", encoding="utf-8")
    (root / "paper.qmd").write_text(paper, encoding="utf-8")
    return root / "paper.qmd"


def problems(document: Path) -> list[str]:
    return [str(p) for p in paper_check.check_paper(document).problems]


def test_minimal_project_passes(tmp_path):
    report = paper_check.check_paper(make_project(tmp_path))
    assert report.problems == []
    assert report.counts["cross-references"] == 3 and report.counts["citations"] == 1
    assert report.counts["images"] == 1 and report.counts["includes"] == 1


# Each case: text replaced in (or appended to) the good paper, the expected message, its line.
DEFECTS = [
    ("as @fig-map and", "as @fig-nope and", "@fig-nope refers to no label #fig-nope", 8),
    ("as @fig-map and", "as @Fig-nope and", "@Fig-nope refers to no label #fig-nope", 8),
    ("{#tbl-counts}", "{#sec-intro}", "label #sec-intro is defined twice", 15),
    ("{#fig-map width", "{#fig-Map_x width", "label #fig-Map_x may use only", 11),
    ("_generated/counts.md", "_generated/gone.md", "include _generated/gone.md does not exist", 13),
    ("_generated/counts.md", "../outside.md", "include ../outside.md lies outside the project", 13),
    (
        "{{< include _generated/counts.md >}}",
        "Text {{< include _generated/counts.md >}}",
        "must stand alone",
        13,
    ),
    ("{{< var counts.events >}}", "{{< var counts.missing >}}", "var key 'counts.missing' is not in", 8),
    ("{{< var counts.events >}}", "{{< var counts.nested >}}", "is a dict, not a printable value", 8),
    ("[@doe2020]", "[@roe2021]", "citation key @roe2021 is not in the bibliography", 8),
    ("write to \\@handle", "write to @handle", "citation key @handle is not in the bibliography", 9),
    ("figures/map)", "../map)", "image ../map lies outside the project folder", 11),
    ("figures/map)", "figures/map.png)", "image figures/map.png for html does not exist", 11),
    ("We counted", "```{python}\n1 + 1\n```\n\nWe counted", "executable cell {python}", 8),
    ("We counted", "```{mermaid}\ngraph TD\n```\n\nWe counted", "{mermaid} diagram cell", 8),
    ("We counted", "Inline `{python} 1 + 1`. We counted", "inline executable code", 8),
    (
        "We counted",
        '::: {.content-visible when-format="pdf"}\nx\n:::\n\nWe counted',
        'format condition "pdf"',
        8,
    ),
    ("We counted {{< var counts.events >}} events", "We counted 23 events", "hand-typed number '23'", 8),
    (
        'title: "A small paper"',
        'title: "A small paper"\nabstract: We found 23 events.',
        "hand-typed number '23'",
        3,
    ),
    ("engine: markdown", "engine: markdown\nformat: html", "front matter sets format:", 1),
    ("engine: markdown\n", "", "front matter should say engine: markdown", 1),
    ("{{< var counts.events >}}", "{{< vaar counts.events >}}", "unknown shortcode 'vaar'", 8),
    # An unclosed or malformed shortcode matched no shortcode and passed; Quarto would print it as text.
    ("{{< var counts.events >}}", "{{< var counts.events", "unclosed or malformed shortcode", 8),
    ("{{< var counts.events >}}", "{{< var counts.events >}", "unclosed or malformed shortcode", 8),
    ("{{< var counts.events >}}", "{{<var counts.events> }}", "unclosed or malformed shortcode", 8),
]


@pytest.mark.parametrize(("old", "new", "message", "line"), DEFECTS, ids=[d[2][:40] for d in DEFECTS])
def test_each_defect_is_reported_with_file_and_line(tmp_path, old, new, message, line):
    assert old in PAPER
    document = make_project(tmp_path, PAPER.replace(old, new, 1))
    found = problems(document)
    assert any(message in p for p in found), found
    hit = next(p for p in found if message in p)
    assert hit.startswith(f"{document}:{line}: "), hit


def test_missing_figure_format_is_reported_per_format(tmp_path):
    document = make_project(tmp_path)
    (tmp_path / "figures" / "map.pdf").unlink()
    assert problems(document) == [f"{document}:11: image figures/map.pdf for typst does not exist"]


def test_generated_file_with_a_yaml_block_is_reported(tmp_path):
    document = make_project(tmp_path)
    (tmp_path / "_generated" / "counts.md").write_text("---\ntitle: x\n---\n| A |\n|---|\n", encoding="utf-8")
    assert any("starts with ---" in p for p in problems(document))


def test_notebook_and_manuscript_project_are_reported(tmp_path):
    document = make_project(tmp_path)
    (tmp_path / "scratch.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text(
        QUARTO_YML.replace("type: default", "type: manuscript"), encoding="utf-8"
    )
    found = problems(document)
    assert any("scratch.ipynb:1: notebook inside the paper project" in p for p in found)
    assert any("project type 'manuscript'" in p for p in found)


def test_missing_font_folder_and_variables_are_reported(tmp_path):
    document = make_project(tmp_path)
    (tmp_path / "fonts").rmdir()
    (tmp_path / "_variables.yml").unlink()
    found = problems(document)
    assert any("font path fonts does not exist" in p for p in found)
    assert any("no _variables.yml" in p for p in found)


def test_code_blocks_and_escaped_shortcodes_are_not_scanned(tmp_path):
    extra = "\n```\n@not_a_citation 42 {#fig-x}\n```\n\nShow {{{< var x >}}} literally.\n"
    assert problems(make_project(tmp_path, PAPER + extra)) == []


def test_shortcodes_inside_code_are_still_checked(tmp_path):
    """Quarto expands shortcodes in code too, so an unknown key there is still a problem."""
    found = problems(make_project(tmp_path, PAPER + "\n```\n{{< var x >}}\n```\n"))
    assert found == [f"{tmp_path / 'paper.qmd'}:18: var key 'x' is not in _variables.yml"]


def test_cli_prints_every_problem_and_exits_2(tmp_path, capsys):
    document = make_project(tmp_path, PAPER.replace("@fig-map and", "@fig-a and @fig-b and"))
    assert run_main(paper_check.main, [str(document)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {document}:8: @fig-a refers to no label #fig-a",
        f"error: {document}:8: @fig-b refers to no label #fig-b",
    ]


def test_cli_writes_a_summary_when_the_paper_passes(tmp_path):
    document = make_project(tmp_path)
    output = tmp_path / "check.txt"
    assert run_main(paper_check.main, [str(document), "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8").endswith("; 0 problem(s)\n")


# ---------------------------------------------------------------------------------------------
# The real paper


def real_paper_copy(tmp_path: Path) -> Path:
    """paper/ copied with inputs generated from the real events and fixture reports, fonts and figures."""
    paper = tmp_path / "paper"
    paper.mkdir()
    for name in ("paper.qmd", "_quarto.yml", "references.bib"):
        shutil.copy(REPO / "paper" / name, paper / name)
    args = input_args(tmp_path, events_dir=REPO / "data" / "reference")
    args[args.index("--snakefile") + 1] = str(REPO / "Snakefile")
    assert run_main(paper_inputs.main, args) == 0
    paper_font.copy_family("Amiri", paper / "fonts")
    return paper / "paper.qmd"


def test_real_paper_passes_with_generated_inputs(tmp_path):
    document = real_paper_copy(tmp_path)
    figures = document.parent / "figures"
    figures.mkdir()
    for name in ("city_reports_map", "event_map", "timeline", "services_matrix", "triggers_measures"):
        for extension in ("svg", "pdf"):
            (figures / f"{name}.{extension}").write_text("stand-in for the figure rule's output\n")
    report = paper_check.check_paper(document)
    assert report.problems == []
    assert report.counts["images"] == 5 and report.counts["includes"] == len(paper_inputs.TABLE_NAMES)


def test_real_paper_needs_the_figures(tmp_path):
    found = problems(real_paper_copy(tmp_path))
    assert len(found) == 10 and all("does not exist" in p for p in found)


def test_every_number_in_the_paper_comes_from_variables():
    """No hand-typed counts: prose digits only in var shortcodes, dates, citations, labels, listed phrases."""
    document = REPO / "paper" / "paper.qmd"
    lines = paper_check.body_lines(
        [paper_check.Line(text, document, n + 1) for n, text in enumerate(document.read_text().split("\n"))],
        paper_check.Report(),
    )
    assert paper_check.hand_typed_numbers(lines, document) == []
    # The scan is live: the same paper with one typed count fails.
    typed = [(paper_check.Line(line.text.replace("{{< var events.n >}}", "23"), line.path, line.number), code)
             for line, code in lines]  # fmt: skip
    assert paper_check.hand_typed_numbers(typed, document)


def test_every_literal_number_exception_is_used_by_the_paper():
    text = (REPO / "paper" / "paper.qmd").read_text(encoding="utf-8")
    assert [phrase for phrase in paper_check.LITERAL_NUMBERS if phrase not in text] == []


@pytest.mark.skipif(shutil.which("snakemake") is None, reason="snakemake is not on PATH")
def test_workflow_builds_the_inputs_and_the_check_passes(tmp_path):
    """Run the real workflow in a copy of the repository up to the static check of the paper."""
    work = tmp_path / "repo"
    generated = ("logs", "interim", "processed", "_generated", "_variables.yml", "fonts", "_output")
    ignore = shutil.ignore_patterns(".git", ".venv", ".snakemake", "__pycache__", ".pytest_cache", *generated)
    shutil.copytree(REPO, work, ignore=ignore)
    shutil.rmtree(work / "paper" / "figures", ignore_errors=True)
    result = subprocess.run(["snakemake", "--cores", "2", "data/interim/paper_check.txt"], cwd=work,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "data" / "interim" / "paper_check.txt").read_text().endswith("; 0 problem(s)\n")
