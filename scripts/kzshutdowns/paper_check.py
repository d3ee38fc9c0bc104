"""Static checks of the Quarto paper, for machines without Quarto.

Quarto turns most mistakes in a paper into a warning and a "?@fig-x" or "?var:key" in the output
(exit code 0), or into a failed Typst build. This module finds them in the sources instead, following
section 11 of the team's Quarto reference sheet:

1. every ``@fig-``/``@tbl-``/``@sec-``/``@eq-`` reference has its ``{#...}`` label; labels are unique
   and use only ``[a-z0-9-]``;
2. every ``{{< include >}}`` stands alone on its line between blank lines, lies inside the project and
   exists; no included file starts with ``---`` (a YAML block would apply to the whole paper);
3. every ``{{< var >}}`` key is a scalar of ``_variables.yml``, every ``{{< meta >}}`` key is set,
   and every shortcode is closed on its line (an unclosed one would be printed as text);
4. every citation key is in the bibliography (a missing key is fatal in Typst);
5. every image exists inside the project, for both the HTML and the Typst default image extension
   when the path has none;
6. no executable cells (braced-language fences or inline code), no mermaid or dot diagrams, no
   notebooks under the project;
7. no ``when-format="pdf"`` (it means LaTeX, never the Typst PDF);

plus the project settings the paper relies on, and the rule that the prose quotes no hand-typed
number: every digit must come from a ``{{< var >}}`` shortcode, a date, a citation, a label or one of
the literal phrases listed in :data:`LITERAL_NUMBERS`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kzshutdowns.errors import EXIT_BAD_INPUT, InputError, run_main
from kzshutdowns.files import atomic_output, read_text

CROSSREF_PREFIXES = ("fig", "tbl", "sec", "eq")
# Shortcodes Quarto ships that this paper may use; anything else would render as an error marker.
KNOWN_SHORTCODES = frozenset({"include", "var", "meta", "env", "pagebreak", "kbd", "lipsum", "placeholder"})
EXECUTABLE_LANGUAGES = re.compile(r"^[A-Za-z][\w+-]*$")
# Quarto's defaults when a format sets no default-image-extension (reference sheet section 2).
DEFAULT_IMAGE_EXTENSIONS = {"html": "png", "typst": "svg"}
# Phrases whose digits are part of a name, not a count: the only numbers the prose may type by hand
# (a test keeps the list down to the phrases the paper uses).
LITERAL_NUMBERS = (
    "Article 41-1",  # the article of the Law on Communications that allows shutdowns
    "clause 1-2",  # the clause of Article 41-1 added in 2016
    "Article 15",  # of the Law on the State of Emergency
    "25th",  # the anniversary of independence that the seed article is about
    "25-летия",  # the same, in the quoted Russian tweet
    "ISO 3166-2",
    "SHA-256",
    "UTF-8",
    "F1",  # the F1 score
    "Mordecai 3",
    "CC BY 3.0",
    "CC BY 4.0",
    "admin-1",
)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATES = re.compile(
    rf"\b\d{{1,2}}(?:\s*[\u2013-]\s*\d{{1,2}})?\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?\b"  # 16 December 2016
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}},\s+\d{{4}}\b"  # December 16, 2016
    rf"|\b(?:{_MONTHS})\.?\s+\d{{4}}\b"  # December 2016
    r"|\b\d{4}-\d{2}(?:-\d{2})?\b"  # ISO dates
    r"|\b(?:19[89]\d|20[0-3]\d)s?\b"  # years of the study period and its background (and decades)
)

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")
_SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*([\w-]+)((?:\s+[^\s>]+)*)\s*>\}\}(?!\})")
_ESCAPED_SHORTCODE = re.compile(r"\{\{\{<.*?>\}\}\}")
_INCLUDE_LINE = re.compile(r"^\{\{<\s*include\s+(\S+)\s*>\}\}\s*$")
_ATTRIBUTES = re.compile(r"\{([^{}]*)\}")
_LABEL = re.compile(r"(?:^|\s)#([^\s}]+)")
_REFERENCE = re.compile(r"(?<![\w\\@])-?@(\{[^}]*\}|[A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_INLINE_EXECUTABLE = re.compile(r"`\{[A-Za-z][\w-]*\}[^`]*`")
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_WHEN_FORMAT = re.compile(r"""(?:when|unless)-format\s*=\s*["']?(pdf|latex|beamer)\b""")
_BIB_ENTRY = re.compile(r"^\s*@\s*(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Problem:
    """One defect, located at a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Line:
    """One line of the paper after includes are pasted in, with where it came from."""

    text: str
    path: Path
    number: int


@dataclass
class Report:
    """What was checked, and what is wrong."""

    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, line: Line | tuple[Path, int], message: str) -> None:
        path, number = (line.path, line.number) if isinstance(line, Line) else line
        self.problems.append(Problem(path, number, message))

    def summary(self, document: Path) -> str:
        parts = ", ".join(f"{self.counts[key]} {key}" for key in sorted(self.counts))
        return f"{document}: checked {parts}; {len(self.problems)} problem(s)\n"


# ---------------------------------------------------------------------------------------------
# Reading the project


def load_yaml(path: Path) -> dict:
    """A YAML mapping (InputError with the line for a syntax error, {} for an empty file)."""
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 1
        raise InputError(path, f"invalid YAML ({getattr(error, 'problem', error)})", line=line) from None
    except InputError as error:
        if error.message == "file is empty":
            return {}
        raise
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "expected a YAML mapping at the top level", line=1)
    return data


def front_matter(lines: Sequence[str], path: Path) -> tuple[dict, int]:
    """The document's YAML front matter and the number of lines it takes (0 if none)."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:number])) or {}
            except yaml.YAMLError as error:
                raise InputError(path, f"invalid YAML front matter ({error})", line=1) from None
            if not isinstance(data, dict):
                raise InputError(path, "front matter is not a YAML mapping", line=1)
            return data, number + 1
    raise InputError(path, "front matter opened with --- is never closed", line=1)


def bibliography_keys(path: Path, report: Report) -> set[str]:
    """Entry keys of a BibTeX file; duplicate keys are problems."""
    text = read_text(path)
    keys: set[str] = set()
    for match in _BIB_ENTRY.finditer(text):
        if match.group(1).casefold() in ("comment", "string", "preamble"):
            continue
        key = match.group(2)
        line = text.count("\n", 0, match.start(2)) + 1
        if key in keys:
            report.add((path, line), f"duplicate bibliography key {key!r}")
        keys.add(key)
    return keys


def lookup(mapping: Mapping, dotted: str) -> tuple[bool, object]:
    """Find ``a.b.c`` in nested mappings; (found, value)."""
    value: object = mapping
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# ---------------------------------------------------------------------------------------------
# Includes


def expand(
    path: Path, main_dir: Path, project: Path, report: Report, stack: tuple[Path, ...] = ()
) -> list[Line]:
    """The lines of ``path`` with every include pasted in (paths relative to the main document)."""
    lines = read_text(path).split("\n")
    out: list[Line] = []
    for index, text in enumerate(lines):
        line = Line(text, path, index + 1)
        match = _INCLUDE_LINE.match(text)
        if not match:
            if re.search(r"\{\{<\s*include\s", text) and not _ESCAPED_SHORTCODE.search(text):
                report.add(line, "an include shortcode must stand alone on its line")
            out.append(line)
            continue
        report.counts["includes"] += 1
        if index > 0 and lines[index - 1].strip():
            report.add(line, "an include needs a blank line before it")
        if index + 1 < len(lines) and lines[index + 1].strip():
            report.add(line, "an include needs a blank line after it")
        target_name = match.group(1).strip("\"'")
        target = (
            (project / target_name.lstrip("/")) if target_name.startswith("/") else main_dir / target_name
        )
        target = target.resolve()
        if not target.is_relative_to(project.resolve()):
            report.add(line, f"include {target_name} lies outside the project folder {project}")
            continue
        if not target.is_file():
            report.add(line, f"include {target_name} does not exist (is the workflow's output missing?)")
            continue
        if target in stack or target == path.resolve():
            report.add(line, f"include {target_name} is circular")
            continue
        included = expand(target, main_dir, project, report, (*stack, path.resolve()))
        if included and included[0].text.startswith("---"):
            report.add(
                line, f"included file {target_name} starts with --- (a YAML block for the whole paper)"
            )
        out.extend(included)
    return out


# ---------------------------------------------------------------------------------------------
# Scanning the expanded document


def strip_inline(text: str) -> str:
    """Text without inline code, HTML comments, link targets and escaped shortcodes."""
    text = _HTML_COMMENT.sub(" ", text)
    text = _ESCAPED_SHORTCODE.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    return _LINK_TARGET.sub("]", text)


def body_lines(lines: Sequence[Line], report: Report) -> list[tuple[Line, bool]]:
    """(line, in_code) pairs; reports executable or diagram fences on the way."""
    out = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line.text)
        if fence is None and match:
            fence = match.group(1)
            info = match.group(2).strip()
            braced = re.match(r"^\{([^}]*)\}", info)
            if braced:
                language = braced.group(1).split()[0].split(",")[0] if braced.group(1).strip() else ""
                if language in ("mermaid", "dot"):
                    report.add(line, f"{{{language}}} diagram cell: needs a browser to render for the PDF")
                elif EXECUTABLE_LANGUAGES.match(language):
                    report.add(line, f"executable cell {{{language}}}: the paper must run no code")
            out.append((line, True))
            continue
        if fence is not None:
            out.append((line, True))
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2)
            ):
                fence = None
            continue
        out.append((line, False))
    return out


def collect_labels(lines: Sequence[tuple[Line, bool]], report: Report) -> set[str]:
    labels: dict[str, Line] = {}
    for line, in_code in lines:
        if in_code:
            continue
        for attributes in _ATTRIBUTES.findall(strip_inline(line.text)):
            for label in _LABEL.findall(attributes):
                if label in labels:
                    first = labels[label]
                    report.add(
                        line, f"label #{label} is defined twice (first at {first.path}:{first.number})"
                    )
                    continue
                labels[label] = line
                prefix = label.split("-", 1)[0]
                if prefix in CROSSREF_PREFIXES:
                    report.counts["labels"] += 1
                    if not re.fullmatch(r"[a-z0-9-]+", label):
                        report.add(line, f"label #{label} may use only a-z, 0-9 and '-'")
    return set(labels)


def check_references(
    lines: Sequence[tuple[Line, bool]], labels: set[str], bib_keys: set[str] | None, report: Report
) -> None:
    for line, in_code in lines:
        if in_code:
            continue
        text = _ATTRIBUTES.sub(" ", strip_inline(line.text))
        text = _SHORTCODE.sub(" ", text)
        for match in _REFERENCE.finditer(text):
            key = match.group(1)
            key = key[1:-1] if key.startswith("{") else re.sub(r"[^\w]+$", "", key)
            prefix = key.split("-", 1)[0]
            if prefix.lower() in CROSSREF_PREFIXES and "-" in key:
                report.counts["cross-references"] += 1
                label = prefix.lower() + key[len(prefix) :]
                if label not in labels:
                    report.add(line, f"@{key} refers to no label #{label}")
                continue
            report.counts["citations"] += 1
            if bib_keys is None:
                report.add(line, f"citation @{key} but the paper has no bibliography")
            elif key not in bib_keys:
                report.add(
                    line, f"citation key @{key} is not in the bibliography (write \\@ for a literal @)"
                )


def check_shortcodes(lines: Sequence[Line], variables: Mapping, metadata: Mapping, report: Report) -> None:
    for line in lines:
        text = _ESCAPED_SHORTCODE.sub(" ", line.text)
        rest = _SHORTCODE.sub(" ", text)
        if "{{<" in rest or ">}}" in rest:
            report.add(line, "unclosed or malformed shortcode: write {{< name arguments >}} on one line")
        for match in _SHORTCODE.finditer(text):
            name, arguments = match.group(1), match.group(2).split()
            if name not in KNOWN_SHORTCODES:
                report.add(line, f"unknown shortcode {name!r}")
                continue
            if name not in ("var", "meta"):
                continue
            if not arguments:
                report.add(line, f"{name} shortcode without a key")
                continue
            key = arguments[0]
            source, where = (
                (variables, "_variables.yml") if name == "var" else (metadata, "the YAML metadata")
            )
            report.counts[f"{name} shortcodes"] += 1
            found, value = lookup(source, key)
            if not found:
                report.add(line, f"{name} key {key!r} is not in {where}")
            elif isinstance(value, Mapping | list):
                report.add(line, f"{name} key {key!r} is a {type(value).__name__}, not a printable value")


def check_images(
    lines: Sequence[tuple[Line, bool]], project: Path, extensions: Mapping[str, str], report: Report
) -> None:
    root = project.resolve()
    for line, in_code in lines:
        if in_code:
            continue
        for match in _IMAGE.finditer(_INLINE_CODE.sub(" ", _HTML_COMMENT.sub(" ", line.text))):
            target = match.group(1)
            if re.match(r"^[a-z]+://", target):
                report.add(line, f"image {target} is remote; the offline build needs local files")
                continue
            report.counts["images"] += 1
            base = (
                (root / target.lstrip("/")).resolve() if target.startswith("/") else (root / target).resolve()
            )
            if not base.is_relative_to(root):
                report.add(line, f"image {target} lies outside the project folder (Typst cannot read it)")
                continue
            if base.suffix:
                candidates = {fmt: base for fmt in extensions}
                if base.suffix.lower() == ".pdf" and "html" in extensions:
                    report.add(line, f"image {target} is a PDF, which browsers do not show in HTML")
            else:
                candidates = {fmt: base.with_name(f"{base.name}.{ext}") for fmt, ext in extensions.items()}
            for fmt, candidate in sorted(candidates.items()):
                if not candidate.is_file():
                    report.add(line, f"image {candidate.relative_to(root)} for {fmt} does not exist")


def check_conditions(lines: Sequence[Line], report: Report) -> None:
    for line in lines:
        match = _WHEN_FORMAT.search(line.text)
        if match:
            report.add(
                line, f'format condition "{match.group(1)}" targets LaTeX, not the Typst PDF; use "typst"'
            )
        if _INLINE_EXECUTABLE.search(line.text):
            report.add(line, "inline executable code: the paper must run no code")


def hand_typed_numbers(lines: Sequence[tuple[Line, bool]], document: Path) -> list[Problem]:
    """Digits in the main document's prose that come from no variable, date, label or listed phrase.

    Included files (the generated tables) and code are skipped. The front matter is scanned too: it
    may hold dates and years but no counts, because Quarto's support for shortcodes in metadata
    fields other than the title is unverified.
    """
    problems = []
    literal = re.compile(
        "|".join(re.escape(phrase) for phrase in sorted(LITERAL_NUMBERS, key=len, reverse=True))
    )
    for line, in_code in lines:
        if in_code or line.path != document:
            continue
        text = strip_inline(line.text)
        text = _SHORTCODE.sub(" ", text)
        text = _ATTRIBUTES.sub(" ", text)
        text = _REFERENCE.sub(" ", text)
        text = literal.sub(" ", text)
        text = _DATES.sub(" ", text)
        text = re.sub(r"\bkz-[\w-]+", " ", text)  # event ids
        if _DIGIT.search(text):
            number = re.search(r"\S*\d\S*", text)
            problems.append(
                Problem(
                    line.path, line.number, f"hand-typed number {number.group(0)!r}: use {{{{< var ... >}}}}"
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# The whole check


def check_project(project: Path, document: Path, config: Mapping, report: Report) -> dict[str, str]:
    """Project-level settings; returns the default image extension per output format."""
    config_path = project / "_quarto.yml"
    settings = config.get("project") or {}
    if settings.get("type", "default") != "default":
        report.add(
            (config_path, 1), f"project type {settings.get('type')!r}: the paper is a 'default' project"
        )
    if document.name not in as_list(settings.get("render")):
        report.add((config_path, 1), f"project.render should list {document.name} (render only the paper)")
    formats = config.get("format") or {}
    extensions = {}
    for fmt in ("html", "typst"):
        if fmt not in formats:
            report.add((config_path, 1), f"format {fmt} is missing: the paper renders to HTML and Typst PDF")
            continue
        options = formats[fmt] if isinstance(formats[fmt], Mapping) else {}
        extensions[fmt] = str(options.get("default-image-extension", DEFAULT_IMAGE_EXTENSIONS[fmt]))
        for folder in as_list(options.get("font-paths")):
            if not (project / folder).resolve().is_relative_to(project.resolve()):
                report.add((config_path, 1), f"font path {folder} lies outside the project folder")
            elif not (project / folder).is_dir():
                report.add(
                    (config_path, 1),
                    f"font path {folder} does not exist (is the font rule's output missing?)",
                )
    for notebook in sorted(project.rglob("*.ipynb")):
        report.add((notebook, 1), "notebook inside the paper project: Quarto would render it with Jupyter")
    return extensions


def check_paper(document: Path, project: Path | None = None) -> Report:
    """Run every static check on ``document`` inside ``project`` (default: the document's folder)."""
    project = project or document.parent
    report = Report()
    config = load_yaml(project / "_quarto.yml") if (project / "_quarto.yml").is_file() else {}
    if not config:
        report.add((project / "_quarto.yml", 1), "no _quarto.yml: the paper must be a Quarto project")
    variables_path = project / "_variables.yml"
    variables = load_yaml(variables_path) if variables_path.is_file() else {}
    if not variables_path.is_file():
        report.add(
            (variables_path, 1), "no _variables.yml beside _quarto.yml (run the write_paper_inputs rule)"
        )

    raw_lines = read_text(document).split("\n")
    matter, _ = front_matter(raw_lines, document)
    if "format" in matter:
        report.add((document, 1), "front matter sets format:, which replaces the project's formats")
    if matter.get("engine") != "markdown":
        report.add((document, 1), "front matter should say engine: markdown (guarantees no Jupyter)")
    metadata = {**config, **matter}

    bib_keys: set[str] | None = None
    bibliographies = as_list(metadata.get("bibliography"))
    if bibliographies:
        bib_keys = set()
        for name in bibliographies:
            bib = project / name
            if bib.is_file():
                bib_keys |= bibliography_keys(bib, report)
            else:
                report.add((document, 1), f"bibliography {name} does not exist")

    extensions = check_project(project, document, config, report)
    lines = expand(document, document.parent, project, report)
    body = body_lines(lines, report)
    labels = collect_labels(body, report)
    check_references(body, labels, bib_keys, report)
    check_shortcodes(lines, variables, metadata, report)
    check_images(body, project, extensions, report)
    check_conditions(lines, report)
    report.problems.extend(hand_typed_numbers(body, document))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns check-paper",
        description="Check the Quarto paper statically (references, labels, includes, variables, "
        "citations, images, no code, no hand-typed numbers) without running Quarto.",
    )
    parser.add_argument("document", type=Path, help="the paper, e.g. paper/paper.qmd")
    parser.add_argument("--project", type=Path, help="Quarto project folder (default: the document's folder)")
    parser.add_argument("--output", type=Path, help="write a one-line summary here when the paper passes")
    args = parser.parse_args(argv)
    report = check_paper(args.document, args.project)
    for problem in sorted(report.problems, key=lambda p: (str(p.path), p.line, p.message)):
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        return EXIT_BAD_INPUT
    summary = report.summary(args.document)
    if args.output:
        with atomic_output(args.output) as temporary:
            temporary.write_text(summary, encoding="utf-8")
    print(summary, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
