"""Tests of kzshutdowns.paper_inputs: the paper's variables and tables, escaping, determinism."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from kzshutdowns import paper_font, paper_inputs
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.paper_inputs import escape_markdown

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "data" / "paper"
REFERENCE = REPO / "data" / "reference"
HOSTILE = "Hostile <script>alert('x')</script> | *bold* _it_ @victim [link](http://e.x) {{< var events.n >}}"


def write_segments(path: Path) -> Path:
    """A small segments table with the parser's columns (Parquet is binary, so built here)."""
    frame = pd.DataFrame(
        {
            "article_id": ["a"] * 4,
            "segment_id": ["a:p1", "a:t1", "a:t1.en", "a:t1.ar"],
            "kind": ["paragraph", "tweet", "translation", "translation"],
            "lang": ["ar", "ru", "en", "ar"],
        }
    )
    frame.to_parquet(path)
    return path


def input_args(tmp_path: Path, *, events_dir: Path = FIXTURES, reports: Path | None = None) -> list[str]:
    """Command-line arguments of paper_inputs on the fixtures, writing into tmp_path/paper."""
    segments = write_segments(tmp_path / "segments.parquet")
    return [
        "--events", str(events_dir / "shutdowns.csv"),
        "--events-schema", str(REFERENCE / "shutdowns.schema.json"),
        "--sources", str(events_dir / "sources.csv"),
        "--sources-schema", str(REFERENCE / "sources.schema.json"),
        "--platforms", str(REFERENCE / "platforms.csv"),
        "--city-reports", str(reports or FIXTURES / "city_reports.csv"),
        "--unresolved", str(FIXTURES / "unresolved_mentions.csv"),
        "--geocoder-evaluation", str(FIXTURES / "geocoder_evaluation.csv"),
        "--segments", str(segments),
        "--snakefile", str(FIXTURES / "workflow" / "Snakefile"),
        "--repository", str(tmp_path),
        "--variables", str(tmp_path / "paper" / "_variables.yml"),
        "--tables-dir", str(tmp_path / "paper" / "_generated"),
    ]  # fmt: skip


def build(tmp_path: Path, **kwargs) -> tuple[dict, dict[str, str]]:
    assert run_main(paper_inputs.main, input_args(tmp_path, **kwargs)) == 0
    variables = yaml.safe_load((tmp_path / "paper" / "_variables.yml").read_text(encoding="utf-8"))
    tables = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "paper" / "_generated").glob("*.md")}
    return variables, tables


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


# ---------------------------------------------------------------------------------------------
# Escaping


@pytest.mark.parametrize("char", list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))
def test_every_ascii_punctuation_is_escaped(char):
    assert escape_markdown(f"a{char}b") == f"a\\{char}b"


def test_escaped_text_round_trips_and_breaks_every_markdown_construct():
    escaped = escape_markdown(HOSTILE)
    assert unescape(escaped) == HOSTILE
    # No shortcode opener, raw HTML tag, citation, emphasis or unescaped pipe survives.
    assert "{{<" not in escaped
    assert "<script>" not in escaped
    assert re.search(r"(?<!\\)[@*_|<>\[\]{}]", escaped) is None


def test_whitespace_and_control_characters_become_one_space():
    assert escape_markdown("line one\n\tline\x00two  ") == "line one line two"


def test_non_ascii_text_passes_unchanged():
    assert escape_markdown("أستانا Астана Жаңаөзен") == "أستانا Астана Жаңаөзен"


def test_language_span_marks_arabic_right_to_left_and_russian_by_language():
    assert paper_inputs.language_span("باريس", "ar") == '[باريس]{lang="ar" dir="rtl"}'
    assert paper_inputs.language_span("Астана", "ru") == '[Астана]{lang="ru"}'
    assert paper_inputs.language_span("Astana [x]", "en") == "Astana \\[x\\]"


def test_hostile_tweet_comes_out_literally_in_the_evidence_table(tmp_path):
    reports = pd.read_csv(FIXTURES / "city_reports.csv", dtype=str, keep_default_na=False)
    reports.loc[reports["report_id"] == "r3", "evidence_text"] = HOSTILE
    path = tmp_path / "reports.csv"
    reports.to_csv(path, index=False)
    _, tables = build(tmp_path, reports=path)
    row = next(line for line in tables["city_report_evidence"].splitlines() if "tweet located" in line)
    cell = row.rsplit(" | ", 1)[1].removesuffix(" |")
    assert unescape(cell) == paper_inputs.excerpt(HOSTILE)
    assert cell.count("|") == cell.count("\\|"), "every pipe in the cell is escaped"
    assert row.count(" | ") == 5, "the hostile pipe did not add a column"


def _pandoc() -> str | None:
    """Pandoc on PATH, or the binary that the pypandoc-binary wheel ships (a dev extra)."""
    if found := shutil.which("pandoc"):
        return found
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return None


PANDOC = _pandoc()


@pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed; checks the escaping statically only")
def test_hostile_tweet_renders_literally_with_pandoc():
    markdown = escape_markdown(HOSTILE)
    html = subprocess.run([PANDOC, "-f", "markdown", "-t", "html"], input=markdown, capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert "<em>" not in html and "<a " not in html and "cite" not in html
    assert "*bold*" in html and "@victim" in html and "{{&lt; var events.n &gt;}}" in html
    typst = subprocess.run([PANDOC, "-f", "markdown", "-t", "typst"], input=markdown, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert "#emph" not in typst and "#link" not in typst and "#cite" not in typst


# ---------------------------------------------------------------------------------------------
# Variables


def test_event_variables_on_the_fixture(tmp_path):
    variables, _ = build(tmp_path)
    events = variables["events"]
    assert (events["n"], events["n_national"], events["n_regional"], events["n_city"]) == ("5", "3", "1", "1")
    assert (events["first_year"], events["last_year"]) == ("2011", "2022")
    # Day-precision durations 5, 1, 1 and 8 days; the month-precision event is unknown.
    assert (events["n_known_duration"], events["n_unknown_duration"]) == ("4", "1")
    assert (events["median_duration_days"], events["max_duration_days"], events["n_single_day"]) == (
        "3",
        "8",
        "2",
    )
    assert events["trigger"]["protest"] == "2" and events["trigger"]["election"] == "0"
    assert events["measure"]["full_blackout"] == "2" and events["n_local_blackout"] == "1"
    assert events["explanation"] == {"technical": "3", "denial": "0", "security": "1", "legal_basis": "0"}
    assert variables["event"]["kz_2016_12_16"]["blocked"] == "Facebook\\, Google\\, Instagram and YouTube"
    assert variables["event"]["kz_2016_12_16"]["reachable"] == "Twitter and VKontakte"
    assert variables["event"]["kz_2022_01_04"]["duration_days"] == "8"
    assert variables["event"]["kz_2018_03"]["end"] == "unknown"


def test_services_rank_by_events_with_ties_alphabetical(tmp_path):
    services = build(tmp_path)[0]["services"]
    assert (services["top1_label"], services["top1_n"]) == ("Facebook", "3")
    assert (services["top2_label"], services["top2_n"]) == ("Internet", "3")
    assert (services["top3_label"], services["top3_n"]) == ("Telegram", "2")


def test_independent_sources_count_relays_once_and_skip_context(tmp_path):
    sources = build(tmp_path)[0]["sources"]
    # Zhanaozen: RSF + AP (relayed by Townhall); January 2022: NetBlocks (twice, once relayed) + RFE/RL.
    assert (sources["n_events_two_plus"], sources["n_events_single"]) == ("2", "3")


def test_report_unresolved_segment_and_geocoder_variables(tmp_path):
    variables, _ = build(tmp_path)
    reports = variables["reports"]
    assert (reports["n"], reports["n_located"], reports["n_places"], reports["n_national"]) == (
        "5",
        "4",
        "3",
        "1",
    )
    assert reports["places"] == "Almaty\\, Astana and Zhanaozen"
    assert (reports["n_events"], reports["n_unlinked"]) == ("1", "1")
    assert variables["unresolved"]["reason"] == {"below_threshold": "1", "foreign_place": "1"}
    assert variables["segments"]["n_tweets"] == "1" and variables["segments"]["tweet_languages"] == "Russian"
    geocoder = variables["geocoder"]
    assert (geocoder["f1"], geocoder["precision"], geocoder["recall"]) == ("0.975", "0.983", "0.967")
    assert geocoder["languages"] == "Arabic\\, English and Russian"
    assert (geocoder["min_f1_language"], geocoder["min_f1"], geocoder["n_cases"]) == (
        "Russian",
        "0.962",
        "150",
    )


def test_every_variable_is_a_quoted_string(tmp_path):
    build(tmp_path)
    text = (tmp_path / "paper" / "_variables.yml").read_text(encoding="utf-8")
    assert not text.startswith("---"), "a generated file must not open a YAML block"
    for line in text.splitlines()[1:]:
        assert line.endswith(":") or re.search(r': ".*"$', line), line


def test_workflow_rules_in_include_order_with_their_comments(tmp_path):
    rules = paper_inputs.workflow_rules(FIXTURES / "workflow" / "Snakefile")
    assert [name for name, _, _ in rules] == ["parse_article", "all", "write_paper_inputs", "uncommented"]
    assert rules[2] == ("write_paper_inputs", "rules/b.smk", "Write the paper's *numbers* and tables.")
    table = build(tmp_path)[1]["workflow_rules"]
    assert "segments \\| with a pipe\\." in table and "(no comment)" in table


def test_workflow_rules_inside_config_branches_counted_once(tmp_path):
    """A rule defined under ``if``/``else`` (indented) is a rule of the workflow; one defined in both
    branches is one rule, with both comments."""
    (tmp_path / "Snakefile").write_text(
        'include: "rules/a.smk"\n\n# The end.\nrule all:\n    input: "x"\n', encoding="utf-8"
    )
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.smk").write_text(
        'if config["source"] == "remote":\n\n'
        "    # Fetch the archive.\n    rule fetch:\n        output: \"a.zip\"\n\n"
        "    # Build from the archive.\n    rule build:\n        output: \"b\"\n\n"
        "else:\n\n    # Build from the shipped copy.\n    rule build:\n        output: \"b\"\n",
        encoding="utf-8",
    )
    rules = paper_inputs.workflow_rules(tmp_path / "Snakefile")
    assert rules == [
        ("fetch", "rules/a.smk", "Fetch the archive."),
        ("build", "rules/a.smk", "Build from the archive. Otherwise: Build from the shipped copy."),
        ("all", "Snakefile", "The end."),
    ]


def test_the_workflow_counts_every_rule_it_can_define():
    rules = [name for name, _, _ in paper_inputs.workflow_rules(REPO / "Snakefile")]
    assert len(rules) == len(set(rules))
    assert {"build_basemap", "download_natural_earth", "build_gazetteer", "all"} <= set(rules)


def test_colophon_without_git_says_unknown(tmp_path):
    colophon = build(tmp_path)[0]["colophon"]
    assert colophon["git_commit"] == "unknown"
    assert unescape(colophon["package_version"]) == paper_inputs.__version__


def test_colophon_reads_the_commit_from_git(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "f").write_text("x\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert paper_inputs.git_commit(repo) == head
    (repo / "f").write_text("y\n")
    assert paper_inputs.git_commit(repo) == head + "-dirty"


# ---------------------------------------------------------------------------------------------
# Determinism and the rule file


def test_output_is_byte_identical_across_runs_and_row_orders(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    build(first)
    shuffled = pd.read_csv(FIXTURES / "city_reports.csv", dtype=str, keep_default_na=False).iloc[::-1]
    shuffled.to_csv(second / "reports.csv", index=False)
    build(second, reports=second / "reports.csv")
    files = sorted(p.relative_to(first / "paper") for p in (first / "paper").rglob("*") if p.is_file())
    assert len(files) == len(paper_inputs.TABLE_NAMES) + 1
    for name in files:
        assert (first / "paper" / name).read_bytes() == (second / "paper" / name).read_bytes(), name


def test_rule_file_lists_every_table_and_font():
    text = (REPO / "rules" / "paper.smk").read_text(encoding="utf-8")
    tables = re.search(r"PAPER_TABLES = \[(.*?)\]", text, re.S).group(1)
    assert sorted(re.findall(r'"(\w+)"', tables)) == sorted(paper_inputs.TABLE_NAMES)
    fonts = re.search(r"PAPER_FONTS = \[(.*?)\]", text, re.S).group(1)
    assert re.findall(r'"([\w.-]+)"', fonts) == sorted(paper_font.output_names("Amiri"))


def test_font_copy_brings_static_amiri_and_its_licence(tmp_path):
    written = paper_font.copy_family("Amiri", tmp_path)
    assert sorted(p.name for p in written) == sorted(paper_font.output_names("Amiri"))
    assert "SIL Open Font License" in (tmp_path / "OFL.txt").read_text(encoding="utf-8")
    assert (tmp_path / "Amiri-Regular.ttf").read_bytes()[:4] == b"\x00\x01\x00\x00"


def test_variable_font_is_refused(tmp_path):
    with pytest.raises(InputError, match="variable"):
        paper_font.copy_family("Noto Sans Arabic", tmp_path)


def test_excerpt_centres_on_the_place_mention():
    text = "x" * 100 + " Astana " + "y" * 100
    cut = paper_inputs.excerpt(text, limit=30, focus=101)
    assert cut.startswith("\u2026") and cut.endswith("\u2026") and "Astana" in cut
    assert paper_inputs.excerpt("short", limit=30, focus=3) == "short"


def test_empty_table_still_has_a_row():
    table = paper_inputs.pipe_table(["A", "B"], [], "lr")
    assert table.splitlines()[2] == "| (none) |   |"


# ---------------------------------------------------------------------------------------------
# Bad input


def test_missing_column_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "reports.csv"
    pd.read_csv(FIXTURES / "city_reports.csv", dtype=str).drop(columns=["evidence_text"]).to_csv(
        bad, index=False
    )
    assert run_main(paper_inputs.main, input_args(tmp_path, reports=bad)) == 2
    assert capsys.readouterr().err.strip() == f"error: {bad}:1: missing column(s) evidence_text"


def test_unknown_report_kind_names_row_and_field(tmp_path):
    bad = tmp_path / "reports.csv"
    frame = pd.read_csv(FIXTURES / "city_reports.csv", dtype=str, keep_default_na=False)
    frame.loc[2, "report_kind"] = "rumour"
    frame.to_csv(bad, index=False)
    with pytest.raises(InputError) as error:
        paper_inputs.main(input_args(tmp_path, reports=bad))
    assert (error.value.line, error.value.field) == (4, "report_kind")


def test_evaluation_without_pooled_row_is_refused(tmp_path):
    evaluation = pd.read_csv(FIXTURES / "geocoder_evaluation.csv", dtype=str)
    with pytest.raises(InputError, match="no pooled row"):
        paper_inputs.geocoder_variables(evaluation[evaluation["lang"] != "all"], Path("eval.csv"))


def test_score_outside_unit_interval_is_refused():
    evaluation = pd.read_csv(FIXTURES / "geocoder_evaluation.csv", dtype=str)
    evaluation.loc[1, "f1"] = "1.7"
    with pytest.raises(InputError) as error:
        paper_inputs.geocoder_variables(evaluation, Path("eval.csv"))
    assert (error.value.line, error.value.field) == (3, "f1")


def test_non_integer_offset_names_row_and_field(tmp_path):
    bad = tmp_path / "reports.csv"
    frame = pd.read_csv(FIXTURES / "city_reports.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "evidence_start"] = "12a"
    frame.to_csv(bad, index=False)
    with pytest.raises(InputError) as error:
        paper_inputs.main(input_args(tmp_path, reports=bad))
    assert (error.value.line, error.value.field) == (2, "evidence_start")


def _events_dir_with(tmp_path: Path, table: str, edit) -> tuple[Path, Path]:
    """A copy of the fixture's events and sources with ``edit`` applied to the lines of ``table``."""
    folder = tmp_path / "events"
    folder.mkdir()
    for name in ("shutdowns.csv", "sources.csv"):
        shutil.copy(FIXTURES / name, folder / name)
    path = folder / table
    path.write_text("\n".join(edit(path.read_text(encoding="utf-8").split("\n"))), encoding="utf-8")
    return folder, path


def _set_cell(lines: list[str], line: int, column: str, value: str) -> list[str]:
    cells = lines[line - 1].split(",")
    cells[lines[0].split(",").index(column)] = value
    return [*lines[: line - 1], ",".join(cells), *lines[line:]]


@pytest.mark.parametrize(("table", "edit", "line", "field", "message"), [
    ("shutdowns.csv", lambda lines: [*lines[:3], lines[2], *lines[3:]], 4, "event_id",
     "duplicate event_id 'kz-2016-12-16' (first on line 3)"),
    ("shutdowns.csv", lambda lines: _set_cell(lines, 3, "end_date", "2016-02-30"), 3, "end_date",
     "malformed date '2016-02-30'"),
    ("shutdowns.csv", lambda lines: _set_cell(lines, 2, "start_date", "16.12.2011"), 2, "start_date",
     "malformed date '16.12.2011'"),
    ("shutdowns.csv", lambda lines: _set_cell(lines, 2, "end_date", "2011-12-01"), 2, "end_date",
     "end_date 2011-12-01 is before start_date 2011-12-16"),
    ("shutdowns.csv", lambda lines: lines[:1], 2, None, "no events"),
    ("sources.csv", lambda lines: [*lines[:2], lines[1], *lines[2:]], 3, "source_id",
     "duplicate source_id 'kz-2011-12-16a-s1' (first on line 2)"),
    ("sources.csv", lambda lines: _set_cell(lines, 2, "event_id", "kz-2099-01-01"), 2, "event_id",
     "source points to missing event 'kz-2099-01-01'"),
    # paper-inputs kept a copy of a few of the event dataset's rules: an unknown platform was named without
    # its line, the other problems passed and were counted (a relay as an independent publisher).
    ("shutdowns.csv", lambda lines: _set_cell(lines, 3, "services_blocked", "facebook;myspace"), 3,
     "services_blocked", "unknown platform 'myspace'; not in platforms.csv"),
    ("shutdowns.csv", lambda lines: _set_cell(lines, 2, "start_date", "2005-12-16"), 2, "start_date",
     "date '2005-12-16' is before 2006-03-21"),
    ("sources.csv", lambda lines: _set_cell(lines, 3, "relayed_from", "Townhall"), 3, "relayed_from",
     "relayed_from names the publisher itself"),
    ("sources.csv", lambda lines: _set_cell(lines, 2, "published", "19.12.2011"), 2, "published",
     "malformed date '19.12.2011'"),
])
def test_bad_events_or_sources_name_file_line_and_field(tmp_path, capsys, table, edit, line, field, message):
    # Each of these gave a traceback (repeated event, malformed date, no events), a negative duration
    # (end before start) or passed silently (a source counted twice or for no event), or is checked by the
    # event dataset's own readers, whose rules paper-inputs once copied in part.
    folder, path = _events_dir_with(tmp_path, table, edit)
    assert run_main(paper_inputs.main, input_args(tmp_path, events_dir=folder)) == 2
    where = f"{path}:{line}:" + (f" {field}:" if field else "")
    assert capsys.readouterr().err.startswith(f"error: {where} {message}")


def test_repeated_platform_id_is_refused(tmp_path, capsys):
    # The label of a repeated platform id was silently taken from its last row.
    platforms = tmp_path / "platforms.csv"
    shutil.copy(REFERENCE / "platforms.schema.json", tmp_path)  # read beside it, as the reference lexicon
    lines = (REFERENCE / "platforms.csv").read_text(encoding="utf-8").split("\n")
    platforms.write_text("\n".join([*lines[:2], lines[1], *lines[2:]]), encoding="utf-8")
    arguments = input_args(tmp_path)
    arguments[arguments.index("--platforms") + 1] = str(platforms)
    assert run_main(paper_inputs.main, arguments) == 2
    assert capsys.readouterr().err == f"error: {platforms}:3: id: duplicate id 'facebook' (first on line 2)\n"


def test_a_city_report_of_an_event_missing_from_the_events_is_refused(tmp_path, capsys):
    # Its place was counted for an event the paper does not list.
    bad = tmp_path / "reports.csv"
    frame = pd.read_csv(FIXTURES / "city_reports.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "event_id"] = "kz-2099-01-01"
    frame.to_csv(bad, index=False)
    assert run_main(paper_inputs.main, input_args(tmp_path, reports=bad)) == 2
    assert capsys.readouterr().err == (f"error: {bad}:3: event_id: report of event 'kz-2099-01-01', "
                                       "which is not in the events table\n")


@pytest.mark.parametrize(("content", "line", "message"), [
    (b"event_id,title\nkz-2016-12-16,Bad \xff byte\n", 2, "invalid UTF-8 at byte"),
    (b"\xef\xbb\xbfevent_id,title\n", 1, "byte-order mark"),
    (b"event_id,title\r\nkz-2016-12-16,CR\r\n", 1, "CR line ending"),
])
def test_a_table_that_is_not_plain_utf8_names_its_line(tmp_path, capsys, content, line, message):
    # Invalid UTF-8 on line 2 was reported on line 1 (as pandas' decoding error); a byte-order mark or CR
    # line endings passed, unlike in every other reader of the package.
    events = tmp_path / "shutdowns.csv"
    events.write_bytes(content)
    arguments = input_args(tmp_path)
    arguments[arguments.index("--events") + 1] = str(events)
    assert run_main(paper_inputs.main, arguments) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {events}:{line}: ") and message in err
