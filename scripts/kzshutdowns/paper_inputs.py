"""Every number and table the paper quotes, computed from the workflow's outputs.

The paper never types a count by hand: ``paper/_variables.yml`` holds the numbers (read by Quarto's
``{{< var key >}}`` shortcode) and ``paper/_generated/*.md`` the pipe tables (pasted in by
``{{< include >}}``). Both are written here from the published event dataset, its sources, the city
reports, the unresolved mentions, the geocoder evaluation, the parsed segments and the rule files.

Text that comes from data (tweets, titles, labels, rule comments) is untrusted: it is escaped so that
Markdown, Quarto shortcodes, citations, raw HTML and table pipes all come out as the literal
characters in both the HTML and the Typst output (:func:`escape_markdown`). Output is deterministic:
rows are sorted, numbers have fixed formats, and the only environment facts (package version, git
commit, Snakemake version) go into a colophon.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from kzshutdowns import __version__
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import independent_source_counts, load_sources, read_reference_tables
from kzshutdowns.files import atomic_output, read_text

# Names (without .md) of the tables written into paper/_generated/; the rule file expands them.
TABLE_NAMES = (
    "city_report_places",
    "city_report_evidence",
    "colophon",
    "events",
    "geocoder_evaluation",
    "measures",
    "services",
    "sources_per_event",
    "triggers",
    "unresolved_mentions",
    "workflow_rules",
)

# Display labels of the event dataset's controlled vocabularies (contracts: shutdowns.csv).
SCOPE_LABELS = {"national": "national", "regional": "regional", "city": "city"}
MEASURE_LABELS = {
    "full_blackout": "full blackout",
    "mobile_data_cut": "mobile data cut",
    "platform_block": "platform block",
    "website_block": "website block",
    "throttling": "throttling",
    "voice_sms_cut": "voice/SMS cut",
}
TRIGGER_LABELS = {
    "protest": "protest",
    "election": "election",
    "anniversary_holiday": "anniversary or holiday",
    "opposition_broadcast": "opposition broadcast",
    "unrest": "unrest",
    "counter_terror": "counter-terror operation",
}
EVIDENCE_LABELS = {
    "network_measurement": "network measurement",
    "press_eyewitness": "press or eyewitness",
    "official_statement": "official statement",
}
CONFIDENCE_LEVELS = ("high", "medium", "low")
REPORT_KIND_LABELS = {
    "residents_confirmed": "residents confirmed",
    "tweet_located": "tweet located",
    "historical_reference": "historical reference",
    "national_statement": "national statement",
}
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "fr": "French",
    "kk": "Kazakh",
    "ru": "Russian",
    "und": "undetermined",
}
# Rows of the geocoder evaluation that hold the pooled (micro-averaged) score.
OVERALL_LANGUAGES = ("all", "overall", "micro")
# Evidence excerpts longer than this are cut (with an ellipsis) in the paper's table only.
EXCERPT_CHARS = 90
# Table widths in characters (see :func:`column_widths`): what a text-width row holds at the PDF's
# table font size, and the most a single column asks for.
TABLE_WIDTH_CHARS = 110
MAX_COLUMN_CHARS = 45

# The published events, sources and platform lexicon are read and validated as the event dataset's
# own readers do (kzshutdowns.events, kzshutdowns.platforms): the published tables are byte copies of
# the reference tables, so their Table Schemas are those of data/reference/. A vocabulary value
# without a display label below is still an InputError naming its row and field.
REPORT_COLUMNS = (
    "report_id",
    "scope",
    "geonameid",
    "name",
    "event_id",
    "report_kind",
    "platforms_blocked",
    "platforms_reachable",
    "date",
    "source_id",
    "segment_id",
    "evidence_start",
    "evidence_end",
    "evidence_text",
    "evidence_lang",
)
UNRESOLVED_COLUMNS = ("article_id", "segment_id", "start", "end", "surface", "reason")
EVALUATION_COLUMNS = ("lang", "precision", "recall", "f1")
SEGMENT_COLUMNS = ("article_id", "segment_id", "kind", "lang")

# Every ASCII punctuation character: Pandoc's Markdown (all_symbols_escapable) reads "\" + any of
# them as that literal character, which also breaks up "{{<" shortcodes, "@" citations, "<" raw
# HTML, "|" table cells, "&" entities and "$" maths.
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_KEY = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class PaperInputs:
    """What the paper consumes: nested variables (leaves are strings) and tables by name."""

    variables: dict[str, object]
    tables: dict[str, str]


# ---------------------------------------------------------------------------------------------
# Escaping and formatting


def escape_markdown(text: str) -> str:
    """Return ``text`` as Markdown that renders as exactly these characters, on one line.

    Every ASCII punctuation character gets a backslash; runs of whitespace and control characters
    become one space (a table cell or a variable is one line); other characters pass unchanged.
    """
    flat = _CONTROL_OR_SPACE.sub(" ", text).strip()
    return "".join(f"\\{char}" if char in _ASCII_PUNCTUATION else char for char in flat)


def language_span(text: str, lang: str) -> str:
    """Escaped ``text`` marked with its language (and right-to-left direction for Arabic)."""
    escaped = escape_markdown(text)
    if not escaped or lang in ("", "en", "und"):
        return escaped
    direction = ' dir="rtl"' if lang in ("ar", "fa", "ur", "he") else ""
    return f'[{escaped}]{{lang="{lang}"{direction}}}'


def excerpt(text: str, limit: int = EXCERPT_CHARS, focus: int = 0) -> str:
    """About ``limit`` characters of ``text`` around offset ``focus``, with ellipses where it is cut.

    The window starts a third of its width before ``focus`` (the place mention), so the reader sees
    the name with some context; without a focus it is the start of the text.
    """
    start = max(0, min(focus - limit // 3, len(text) - limit))
    end = start + limit
    window = text[start:end]
    if start > 0 and not text[start - 1].isspace() and " " in window:
        window = window.split(" ", 1)[1]  # do not start inside a word
    if end < len(text) and not text[end].isspace() and " " in window:
        window = window.rsplit(" ", 1)[0]  # nor end inside one
    prefix = "\u2026" if start > 0 else ""
    suffix = "\u2026" if end < len(text) else ""
    return prefix + _CONTROL_OR_SPACE.sub(" ", window).strip() + suffix


def place_offset(report: pd.Series) -> int:
    """Offset of the place mention inside the report's evidence text (0 if the table has none)."""
    place, evidence = str(report.get("place_start", "")).strip(), str(report["evidence_start"]).strip()
    if not place.isdigit() or not evidence.isdigit():
        return 0
    return max(0, int(place) - int(evidence))


def count(value: int) -> str:
    """A count as the paper prints it: thousands separated by commas."""
    return f"{value:,}"


def decimal(value: float, digits: int = 3) -> str:
    """A ratio or score with a fixed number of decimals."""
    return f"{value:.{digits}f}"


def days(value: float) -> str:
    """A number of days: whole numbers without decimals, halves (medians) with one."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def join_words(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def split_list(value: str) -> list[str]:
    """Items of a ";"-separated field (empty field: no items)."""
    return [item.strip() for item in value.split(";") if item.strip()]


def pipe_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """A Pandoc pipe table; ``align`` has one letter per column: l(eft), r(ight) or c(entre).

    Cells must already be Markdown (escaped). The dashes of the separator line give the relative
    column widths (:func:`column_widths`), because Pandoc sizes wide tables by them in HTML and Typst.
    An empty body gets one row saying so, because the paper's caption still refers to the table.
    """
    body = [list(row) for row in rows] or [["(none)"] + [""] * (len(header) - 1)]
    widths = column_widths([[header[i], *(row[i] for row in body)] for i in range(len(header))])
    separator = []
    for letter, width in zip(align, widths, strict=True):
        dashes = "-" * width
        separator.append({"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes + ":"}[letter])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(separator) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


def column_widths(columns: Sequence[Sequence[str]]) -> list[int]:
    """Width of each column in characters, used as the number of separator dashes.

    Every column first gets its longest word plus a margin, because identifiers such as
    ``kz-2011-12-16a`` or dates cannot break (no line break before a digit); what is left of
    :data:`TABLE_WIDTH_CHARS` goes to the columns whose longest cell wants more, in proportion.
    """
    texts = [[visible_text(cell) for cell in column] for column in columns]
    minimum = [max(3, max((len(w) for t in column for w in t.split()), default=0) + 2) for column in texts]
    desired = [
        max(m, min(MAX_COLUMN_CHARS, max(len(t) for t in column) + 2))
        for m, column in zip(minimum, texts, strict=True)
    ]
    spare = TABLE_WIDTH_CHARS - sum(minimum)
    wanted = sum(d - m for d, m in zip(desired, minimum, strict=True))
    if spare <= 0 or wanted == 0:
        return minimum
    share = min(1.0, spare / wanted)
    return [m + round((d - m) * share) for m, d in zip(minimum, desired, strict=True)]


def visible_text(markdown: str) -> str:
    """Roughly what a cell shows: escapes removed, a language span reduced to its text."""
    text = re.sub(r"^\[(.*)\]\{[^}]*\}$", r"\1", markdown)
    return re.sub(r"\\(.)", r"\1", text)


# ---------------------------------------------------------------------------------------------
# Reading


def read_csv_table(path: Path, required: Sequence[str]) -> pd.DataFrame:
    """Read a CSV as strings (empty cells are ""), checking that the required columns exist.

    The text is read as all raw text is (:func:`kzshutdowns.files.read_text`: UTF-8 without a byte-order
    mark or CR line endings, an error naming the line otherwise)."""
    if not path.exists():
        raise InputError(path, "file does not exist")
    text = read_text(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(path, f"not a readable CSV table ({error})", line=1) from None
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", line=1)
    return frame


def read_segments(paths: Sequence[Path]) -> pd.DataFrame:
    """Concatenate the parser's segment tables (one Parquet file per article or shard)."""
    frames = []
    for path in sorted(paths):
        try:
            frame = pd.read_parquet(path, columns=list(SEGMENT_COLUMNS))
        except FileNotFoundError:
            raise InputError(path, "file does not exist") from None
        except (OSError, ValueError, KeyError) as error:
            raise InputError(path, f"not a segments table with columns {SEGMENT_COLUMNS} ({error})") from None
        frames.append(frame)
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype=str) for column in SEGMENT_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def int_column(frame: pd.DataFrame, path: Path, column: str) -> list[int]:
    """The values of a column of character offsets as integers (InputError naming the row if not)."""
    values = []
    for position, value in enumerate(frame[column]):
        if not value.strip().isdigit():
            raise InputError(
                path, f"{value!r} is not a non-negative integer", line=csv_line(frame, position), field=column
            )
        values.append(int(value))
    return values


def csv_line(frame: pd.DataFrame, position: int) -> int:
    """CSV line number of the row at ``position``: as the reader recorded it (``attrs["lines"]``, set by
    :mod:`kzshutdowns.events`, where a quoted cell may span lines), else ``position + 2``."""
    lines = frame.attrs.get("lines")
    return lines[position] if lines else position + 2


def check_vocabulary(
    frame: pd.DataFrame, path: Path, column: str, allowed: Iterable[str], listed: bool
) -> None:
    """Raise InputError naming the row and field of the first value outside ``allowed``."""
    allowed = set(allowed)
    for position, value in enumerate(frame[column]):
        values = split_list(value) if listed else [value]
        unknown = [item for item in values if item not in allowed]
        if unknown:
            raise InputError(
                path,
                f"unknown value {unknown[0]!r} (expected one of {', '.join(sorted(allowed))})",
                line=csv_line(frame, position),
                field=column,
            )


# ---------------------------------------------------------------------------------------------
# Events and sources


def event_durations(events: pd.DataFrame) -> pd.Series:
    """Duration in days (first and last day both counted) of events dated to the day at both ends.

    Index: event_id. Events with a month-precision or unknown end are left out: their duration is
    not known, and the paper says how many there are.
    """
    known = events[(events["start_precision"] == "day") & (events["end_precision"] == "day")]
    start = pd.to_datetime(known["start_date"], format="%Y-%m-%d")
    end = pd.to_datetime(known["end_date"], format="%Y-%m-%d")
    return pd.Series(((end - start).dt.days + 1).to_numpy(), index=known["event_id"].to_numpy(), dtype=float)


def value_counts(frame: pd.DataFrame, column: str) -> Counter[str]:
    """How many rows list each item of a ";"-separated column."""
    counter: Counter[str] = Counter()
    for value in frame[column]:
        counter.update(set(split_list(value)))
    return counter


def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Items by descending count, ties in alphabetical order (deterministic)."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def platform_labels(platforms: pd.DataFrame) -> dict[str, str]:
    return dict(zip(platforms["id"], platforms["label"], strict=True))


def label_of(labels: Mapping[str, str], item: str, path: Path, field: str) -> str:
    if item not in labels:
        raise InputError(
            path, f"{item!r} is not a platform or service id of the platform lexicon", field=field
        )
    return labels[item]


# Cue phrases that sort an official explanation (English, as coded in the event dataset) into kinds;
# an explanation may be of several kinds, and the paper states these lexicons.
EXPLANATION_CUES = {
    "technical": r"\btechnical (?:reasons?|failure|fault|problems?)\b|\bglitch|\bdamaged?\b|\baccident\b"
    r"|\bpower[- ](?:cuts?|supply|outage)",
    "denial": r"\bdenied\b|\bnot aware\b|\bhad not ordered\b|\bnot ordered\b|\bno part\b",
    "security": r"\bterror|\bpublic safety\b|\bextremis",
    "legal_basis": r"\bArticle \d",
}


def explanation_kinds(explanations: pd.Series) -> dict[str, pd.Series]:
    """For each kind of :data:`EXPLANATION_CUES`, which explanations contain one of its cues."""
    return {
        kind: explanations.str.contains(cue, case=False, regex=True) for kind, cue in EXPLANATION_CUES.items()
    }


def event_variables(
    events: pd.DataFrame, sources: pd.DataFrame, labels: Mapping[str, str], events_path: Path
) -> dict[str, object]:
    """Counts and summaries of the event dataset and its sources."""
    durations = event_durations(events)
    years = sorted(events["start_date"].str[:4])
    scope = Counter(events["scope"])
    measures = value_counts(events, "measures")
    triggers = value_counts(events, "triggers")
    blocked = ranked(value_counts(events, "services_blocked"))
    evidence = value_counts(events, "evidence_types")
    confidence = Counter(events["confidence"])
    publishers = independent_source_counts(events, sources)
    explanations = explanation_kinds(events["official_explanation"])
    local_blackout = events["measures"].map(lambda v: "full_blackout" in split_list(v)) & (
        events["scope"] != "national"
    )
    top = {}
    for rank, (service, n) in enumerate(blocked[:3], start=1):
        top[f"top{rank}_label"] = escape_markdown(label_of(labels, service, events_path, "services_blocked"))
        top[f"top{rank}_n"] = count(n)
    variables: dict[str, object] = {
        "n": count(len(events)),
        "first_year": years[0] if years else "none",
        "last_year": years[-1] if years else "none",
        "n_national": count(scope["national"]),
        "n_regional": count(scope["regional"]),
        "n_city": count(scope["city"]),
        "n_known_duration": count(len(durations)),
        "n_unknown_duration": count(len(events) - len(durations)),
        "median_duration_days": days(statistics.median(durations)) if len(durations) else "unknown",
        "max_duration_days": days(durations.max()) if len(durations) else "unknown",
        "n_single_day": count(int((durations == 1).sum())),
        "measure": {key: count(measures[key]) for key in MEASURE_LABELS},
        "trigger": {key: count(triggers[key]) for key in TRIGGER_LABELS},
        "evidence": {key: count(evidence[key]) for key in EVIDENCE_LABELS},
        "confidence": {key: count(confidence[key]) for key in CONFIDENCE_LEVELS},
        "n_local_blackout": count(int(local_blackout.sum())),
        "n_local_blackout_protest": count(
            int((local_blackout & events["triggers"].map(lambda v: "protest" in split_list(v))).sum())
        ),
        "n_no_trigger": count(int((events["triggers"].str.strip() == "").sum())),
        "n_no_measure": count(int((events["measures"].str.strip() == "").sum())),
        "n_official_explanation": count(int((events["official_explanation"].str.strip() != "").sum())),
        "explanation": {kind: count(int(flags.sum())) for kind, flags in explanations.items()},
        "top_trigger": escape_markdown(TRIGGER_LABELS[ranked(triggers)[0][0]]) if triggers else "none",
        "top_trigger_n": count(ranked(triggers)[0][1]) if triggers else "0",
        "top_measure": escape_markdown(MEASURE_LABELS[ranked(measures)[0][0]]) if measures else "none",
        "top_measure_n": count(ranked(measures)[0][1]) if measures else "0",
    }
    services = {
        "n_distinct_blocked": count(len(blocked)),
        **top,
    }
    source_vars = {
        "n": count(len(sources)),
        "n_publishers": count(int(sources["publisher"].str.casefold().str.strip().nunique())),
        "n_languages": count(int(sources["language"].nunique())),
        "n_events_two_plus": count(int((publishers >= 2).sum())),
        "n_events_single": count(int((publishers == 1).sum())),
        "median_per_event": days(statistics.median(sources.groupby("event_id").size()))
        if len(sources)
        else "0",
    }
    by_event = {
        escape_key(event["event_id"]): single_event_variables(
            event, durations, sources, publishers, labels, events_path
        )
        for _, event in events.iterrows()
    }
    return {"events": variables, "services": services, "sources": source_vars, "event": by_event}


def single_event_variables(
    event: pd.Series,
    durations: pd.Series,
    sources: pd.DataFrame,
    publishers: pd.Series,
    labels: Mapping[str, str],
    events_path: Path,
) -> dict[str, str]:
    """Dates, duration, services and source counts of one event (for the paper's case studies)."""

    def names(column: str) -> str:
        items = [label_of(labels, s, events_path, column) for s in split_list(event[column])]
        return escape_markdown(join_words(sorted(items))) or "none reported"

    event_id = event["event_id"]
    has_end = event["end_precision"] != "unknown" and event["end_date"] != ""
    return {
        "start": escape_markdown(event["start_date"]),
        "end": escape_markdown(event["end_date"]) if has_end else "unknown",
        "duration_days": days(durations[event_id]) if event_id in durations.index else "unknown",
        "blocked": names("services_blocked"),
        "reachable": names("services_reachable"),
        "n_blocked": count(len(split_list(event["services_blocked"]))),
        "n_sources": count(int((sources["event_id"] == event_id).sum())),
        "n_origins": count(int(publishers[event_id])),
    }


def events_table(events: pd.DataFrame, labels: Mapping[str, str], events_path: Path) -> str:
    """One row per event: id (which carries the start date), end, scope, measures, services, triggers."""
    rows = []
    for _, event in events.sort_values(["start_date", "event_id"]).iterrows():
        end = event["end_date"] if event["end_precision"] != "unknown" and event["end_date"] else "unknown"
        services = [
            label_of(labels, s, events_path, "services_blocked")
            for s in split_list(event["services_blocked"])
        ]
        rows.append(
            [
                escape_markdown(event["event_id"]),
                escape_markdown(end),
                SCOPE_LABELS[event["scope"]],
                escape_markdown(", ".join(MEASURE_LABELS[m] for m in split_list(event["measures"]))),
                escape_markdown(", ".join(services)) or "not specified",
                escape_markdown(", ".join(TRIGGER_LABELS[t] for t in split_list(event["triggers"]))),
                event["confidence"],
            ]
        )
    header = ["Event", "End", "Scope", "Measures", "Services blocked", "Triggers", "Confidence"]
    return pipe_table(header, rows, "lllllll")


def counts_table(counter: Counter[str], labels: Mapping[str, str], first: str, total: int) -> str:
    """Items with the number and share of events listing them."""
    rows = [
        [escape_markdown(labels[item]), count(n), decimal(100 * n / total, 0) + "%" if total else "0%"]
        for item, n in ranked(counter)
    ]
    return pipe_table([first, "Events", "Share"], rows, "lrr")


def services_table(events: pd.DataFrame, labels: Mapping[str, str], events_path: Path) -> str:
    """Services by the number of events that blocked them, and that left them reachable."""
    blocked = value_counts(events, "services_blocked")
    reachable = value_counts(events, "services_reachable")
    rows = []
    for service in sorted(set(blocked) | set(reachable), key=lambda s: (-blocked[s], -reachable[s], s)):
        label = label_of(labels, service, events_path, "services_blocked")
        rows.append([escape_markdown(label), count(blocked[service]), count(reachable[service])])
    return pipe_table(["Service", "Blocked in (events)", "Reported reachable in (events)"], rows, "lrr")


def sources_table(events: pd.DataFrame, sources: pd.DataFrame) -> str:
    """How many events have 1, 2, 3, ... independent sources (see :func:`independent_source_counts`)."""
    publishers = independent_source_counts(events, sources)
    distribution = Counter(int(n) for n in publishers)
    rows = [[count(k), count(distribution[k])] for k in sorted(distribution)]
    return pipe_table(["Independent sources", "Events"], rows, "rr")


# ---------------------------------------------------------------------------------------------
# City reports and unresolved mentions


def report_variables(reports: pd.DataFrame, unresolved: pd.DataFrame) -> dict[str, object]:
    located = reports[reports["scope"] != "national"]
    kinds = Counter(reports["report_kind"])
    reasons = Counter(unresolved["reason"])
    return {
        "reports": {
            "n": count(len(reports)),
            "n_located": count(len(located)),
            "n_national": count(int((reports["scope"] == "national").sum())),
            "n_places": count(located["geonameid"].nunique()),
            "places": escape_markdown(join_words(sorted(located["name"].unique()))) or "none",
            "n_events": count(reports.loc[reports["event_id"] != "", "event_id"].nunique()),
            "n_unlinked": count(int((reports["event_id"] == "").sum())),
            "n_sources": count(reports["source_id"].nunique()),
            "kind": {key: count(kinds[key]) for key in REPORT_KIND_LABELS},
        },
        "unresolved": {
            "n": count(len(unresolved)),
            "surfaces": escape_markdown(join_words(sorted(unresolved["surface"].unique()))) or "none",
            "reason": {escape_key(reason): count(n) for reason, n in sorted(reasons.items())},
        },
    }


def escape_key(value: str) -> str:
    """A data value used as a variable key: lowercase letters, digits and underscores only."""
    return re.sub(r"[^a-z0-9]+", "_", value.casefold()).strip("_") or "empty"


def city_report_places_table(reports: pd.DataFrame, labels: Mapping[str, str], path: Path) -> str:
    """One row per located place: reports, events, kinds, platforms blocked and reachable."""
    located = reports[reports["scope"] != "national"]
    rows = []
    for (geonameid, name), group in located.groupby(["geonameid", "name"], sort=False):
        blocked = sorted(
            {
                label_of(labels, p, path, "platforms_blocked")
                for v in group["platforms_blocked"]
                for p in split_list(v)
            }
        )
        reachable = sorted(
            {
                label_of(labels, p, path, "platforms_reachable")
                for v in group["platforms_reachable"]
                for p in split_list(v)
            }
        )
        kinds = sorted({REPORT_KIND_LABELS.get(k, k) for k in group["report_kind"]})
        events = sorted({e for e in group["event_id"] if e}) or ["unlinked"]
        rows.append(
            (
                name,
                geonameid,
                [
                    escape_markdown(name),
                    escape_markdown(geonameid),
                    count(len(group)),
                    escape_markdown(", ".join(events)),
                    escape_markdown(", ".join(kinds)),
                    escape_markdown(", ".join(blocked)),
                    escape_markdown(", ".join(reachable)),
                ],
            )
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    header = ["Place", "GeoNames id", "Reports", "Events", "Report kinds", "Blocked", "Reachable"]
    return pipe_table(header, [row[2] for row in rows], "lrrllll")


def city_report_evidence_table(reports: pd.DataFrame, path: Path) -> str:
    """One row per report: place (or national), event, kind, segment, span and an evidence excerpt."""
    rows = []
    ordered = reports.assign(_start=int_column(reports, path, "evidence_start"))
    ordered = ordered.sort_values(["date", "segment_id", "_start", "name", "report_id"])
    for _, report in ordered.iterrows():
        place = (
            report["name"]
            if report["scope"] != "national"
            else f"{report['name'] or 'Kazakhstan'} (national)"
        )
        rows.append(
            [
                escape_markdown(place),
                escape_markdown(report["event_id"] or "unlinked"),
                escape_markdown(REPORT_KIND_LABELS.get(report["report_kind"], report["report_kind"])),
                escape_markdown(report["segment_id"]),
                escape_markdown(f"{report['evidence_start']}\u2013{report['evidence_end']}"),
                language_span(
                    excerpt(report["evidence_text"], focus=place_offset(report)), report["evidence_lang"]
                ),
            ]
        )
    return pipe_table(
        ["Place", "Event", "Kind", "Segment", "Characters", "Evidence (excerpt)"], rows, "llllrl"
    )


def unresolved_table(unresolved: pd.DataFrame, path: Path) -> str:
    """Every place-like mention that did not become a report, with the reason."""
    rows = []
    ordered = unresolved.assign(_start=int_column(unresolved, path, "start"))
    for _, row in ordered.sort_values(["article_id", "segment_id", "_start", "surface"]).iterrows():
        rows.append(
            [
                escape_markdown(row["segment_id"]),
                escape_markdown(f"{row['start']}\u2013{row['end']}"),
                language_span(row["surface"], guess_script_lang(row["surface"])),
                escape_markdown(row["reason"]),
                escape_markdown(row.get("detail", "")),
            ]
        )
    return pipe_table(["Segment", "Characters", "Surface", "Reason", "Detail"], rows, "lrlll")


def guess_script_lang(text: str) -> str:
    """'ar' for text with Arabic letters, 'ru' for Cyrillic, else '' (only to mark direction)."""
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    if re.search(r"[\u0400-\u04ff]", text):
        return "ru"
    return ""


# ---------------------------------------------------------------------------------------------
# Segments and geocoder evaluation


def segment_variables(segments: pd.DataFrame) -> dict[str, object]:
    kinds = Counter(segments["kind"])
    tweets = segments[segments["kind"] == "tweet"]
    languages = sorted({LANGUAGE_NAMES.get(lang, lang) for lang in segments["lang"]})
    tweet_languages = sorted({LANGUAGE_NAMES.get(lang, lang) for lang in tweets["lang"]})
    return {
        "n": count(len(segments)),
        "n_articles": count(segments["article_id"].nunique()),
        "n_paragraphs": count(kinds["paragraph"]),
        "n_tweets": count(kinds["tweet"]),
        "n_translations": count(kinds["translation"]),
        "languages": escape_markdown(join_words(languages)) or "none",
        "n_languages": count(len(languages)),
        "tweet_languages": escape_markdown(join_words(tweet_languages)) or "none",
    }


def parse_score(frame: pd.DataFrame, path: Path, position: int, column: str) -> float:
    value = frame[column].iloc[position]
    try:
        score = float(value)
    except ValueError:
        raise InputError(
            path, f"{value!r} is not a number", line=csv_line(frame, position), field=column
        ) from None
    if not 0.0 <= score <= 1.0:
        raise InputError(path, f"{value} is outside 0..1", line=csv_line(frame, position), field=column)
    return score


def evaluation_scores(
    evaluation: pd.DataFrame, path: Path
) -> tuple[dict[str, tuple[float, float, float]], str]:
    """Per-language (precision, recall, F1) and the language key of the pooled row."""
    scores = {}
    for position, language in enumerate(evaluation["lang"]):
        key = language.strip().casefold()
        if key in scores:
            raise InputError(
                path,
                f"language {language!r} listed twice",
                line=csv_line(evaluation, position),
                field="lang",
            )
        scores[key] = tuple(parse_score(evaluation, path, position, c) for c in ("precision", "recall", "f1"))
    overall = [key for key in OVERALL_LANGUAGES if key in scores]
    if not overall:
        raise InputError(path, f"no pooled row (lang one of {', '.join(OVERALL_LANGUAGES)})", field="lang")
    return scores, overall[0]


def case_counts(evaluation: pd.DataFrame) -> dict[str, str]:
    """Number of evaluation cases per language, when the table has an ``n_cases`` (or ``n``) column."""
    column = next((c for c in ("n_cases", "cases", "n") if c in evaluation.columns), None)
    if column is None:
        return {}
    return {
        lang.strip().casefold(): n for lang, n in zip(evaluation["lang"], evaluation[column], strict=True)
    }


def geocoder_variables(evaluation: pd.DataFrame, path: Path) -> dict[str, object]:
    scores, overall = evaluation_scores(evaluation, path)
    precision, recall, f1 = scores[overall]
    per_language = {lang: s for lang, s in scores.items() if lang != overall}
    cases = case_counts(evaluation)
    worst = min(per_language.items(), key=lambda item: (item[1][2], item[0])) if per_language else None
    variables: dict[str, object] = {
        "precision": decimal(precision),
        "recall": decimal(recall),
        "f1": decimal(f1),
        "n_languages": count(len(per_language)),
        "languages": escape_markdown(join_words(sorted(LANGUAGE_NAMES.get(k, k) for k in per_language))),
        "min_f1": decimal(worst[1][2]) if worst else "none",
        "min_f1_language": escape_markdown(LANGUAGE_NAMES.get(worst[0], worst[0])) if worst else "none",
        "f1_by_language": {escape_key(k): decimal(v[2]) for k, v in sorted(per_language.items())},
    }
    if overall in cases:
        variables["n_cases"] = escape_markdown(cases[overall])
    if "traps_and_negatives" in evaluation.columns:
        pooled = evaluation[evaluation["lang"].str.strip().str.casefold() == overall]
        variables["n_traps_and_negatives"] = escape_markdown(pooled["traps_and_negatives"].iloc[0])
    return variables


def geocoder_table(evaluation: pd.DataFrame, path: Path) -> str:
    scores, overall = evaluation_scores(evaluation, path)
    cases = case_counts(evaluation)
    rows = []
    for lang in sorted((k for k in scores if k != overall), key=lambda k: LANGUAGE_NAMES.get(k, k)) + [
        overall
    ]:
        name = "All languages (pooled)" if lang == overall else LANGUAGE_NAMES.get(lang, lang)
        row = [escape_markdown(name)]
        if cases:
            row.append(escape_markdown(cases.get(lang, "")))
        row += [decimal(value) for value in scores[lang]]
        rows.append(row)
    header = ["Language"] + (["Cases"] if cases else []) + ["Precision", "Recall", "F1"]
    return pipe_table(header, rows, "l" + "r" * (len(header) - 1))


# ---------------------------------------------------------------------------------------------
# Workflow rules and colophon


_INCLUDE = re.compile(r'^include:\s*["\']([^"\']+)["\']')
# Indented: a rule defined under an ``if``/``else`` of the config (the basemap's source) is one too.
_RULE = re.compile(r"^\s*(?:rule|checkpoint)\s+(\w+)\s*:")


def workflow_rules(snakefile: Path) -> list[tuple[str, str, str]]:
    """(rule, file, comment) for every rule the workflow can define, in the Snakefile's include
    (data-flow) order, whatever the config selects.

    The comment is the run of ``#`` lines directly above the rule (the team's rule style). A rule
    defined in two branches of the config (``if ...: rule x`` / ``else: rule x``) is one rule, listed
    where it comes first, with both comments.
    """
    rules: dict[str, tuple[str, str]] = {}
    root = snakefile.parent

    def visit(path: Path, seen: tuple[Path, ...]) -> None:
        if path in seen:
            raise InputError(path, "included twice (circular include)")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise InputError(path, "rule file does not exist") from None
        for number, line in enumerate(lines):
            include = _INCLUDE.match(line)
            if include:
                visit(root / include.group(1), (*seen, path))
                continue
            rule = _RULE.match(line)
            if rule:
                comment: list[str] = []
                above = number - 1
                while above >= 0 and lines[above].lstrip().startswith("#"):
                    comment.insert(0, lines[above].strip().lstrip("#").strip())
                    above -= 1
                name, text = rule.group(1), " ".join(comment)
                if name in rules:  # the same rule in another branch of the config
                    where, first = rules[name]
                    rules[name] = (where, f"{first} Otherwise: {text}" if first and text else first or text)
                else:
                    rules[name] = (path.relative_to(root).as_posix(), text)

    visit(snakefile, ())
    return [(name, path, comment) for name, (path, comment) in rules.items()]


def workflow_table(snakefile: Path) -> str:
    rows = [
        [escape_markdown(name), escape_markdown(path), escape_markdown(comment) or "(no comment)"]
        for name, path, comment in workflow_rules(snakefile)
    ]
    return pipe_table(["Rule", "File", "What it does"], rows, "lll")


def git_commit(repository: Path) -> str:
    """The checked-out commit (with "-dirty" if tracked files changed), or "unknown" without git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(repository), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if status else "")


def distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def colophon(repository: Path) -> dict[str, str]:
    return {
        "package_version": escape_markdown(__version__),
        "git_commit": escape_markdown(git_commit(repository)),
        "snakemake_version": escape_markdown(distribution_version("snakemake")),
    }


def colophon_table(values: Mapping[str, str]) -> str:
    rows = [
        ["kzshutdowns package version", values["package_version"]],
        ["Git commit of the workflow", values["git_commit"]],
        ["Snakemake version", values["snakemake_version"]],
    ]
    return pipe_table(["Item", "Value"], rows, "ll")


# ---------------------------------------------------------------------------------------------
# Assembly and output


def build_paper_inputs(
    *,
    events: pd.DataFrame,
    events_path: Path,
    sources: pd.DataFrame,
    platforms: pd.DataFrame,
    reports: pd.DataFrame,
    reports_path: Path,
    unresolved: pd.DataFrame,
    unresolved_path: Path,
    evaluation: pd.DataFrame,
    evaluation_path: Path,
    segments: pd.DataFrame,
    snakefile: Path,
    repository: Path,
) -> PaperInputs:
    """Compute every variable and table of the paper from the loaded inputs (the events, sources and
    platforms as :func:`kzshutdowns.events.read_reference_tables` and ``load_sources`` validated them)."""
    check_vocabulary(events, events_path, "scope", SCOPE_LABELS, listed=False)
    check_vocabulary(events, events_path, "measures", MEASURE_LABELS, listed=True)
    check_vocabulary(events, events_path, "triggers", TRIGGER_LABELS, listed=True)
    check_vocabulary(events, events_path, "evidence_types", EVIDENCE_LABELS, listed=True)
    check_vocabulary(events, events_path, "confidence", CONFIDENCE_LEVELS, listed=False)
    check_vocabulary(reports, reports_path, "report_kind", REPORT_KIND_LABELS, listed=False)
    known = set(events["event_id"])
    for position, event_id in enumerate(reports["event_id"]):
        if event_id and event_id not in known:  # a report without event is counted as unlinked
            raise InputError(reports_path, f"report of event {event_id!r}, which is not in the events table",
                             line=csv_line(reports, position), field="event_id")
    labels = platform_labels(platforms)
    meta = colophon(repository)
    variables: dict[str, object] = {
        **event_variables(events, sources, labels, events_path),
        **report_variables(reports, unresolved),
        "segments": segment_variables(segments),
        "geocoder": geocoder_variables(evaluation, evaluation_path),
        "workflow": {"n_rules": count(len(workflow_rules(snakefile)))},
        "colophon": meta,
    }
    n_events = len(events)
    tables = {
        "events": events_table(events, labels, events_path),
        "measures": counts_table(value_counts(events, "measures"), MEASURE_LABELS, "Measure", n_events),
        "triggers": counts_table(value_counts(events, "triggers"), TRIGGER_LABELS, "Trigger", n_events),
        "services": services_table(events, labels, events_path),
        "sources_per_event": sources_table(events, sources),
        "city_report_places": city_report_places_table(reports, labels, reports_path),
        "city_report_evidence": city_report_evidence_table(reports, reports_path),
        "unresolved_mentions": unresolved_table(unresolved, unresolved_path),
        "geocoder_evaluation": geocoder_table(evaluation, evaluation_path),
        "workflow_rules": workflow_table(snakefile),
        "colophon": colophon_table(meta),
    }
    return PaperInputs(variables=variables, tables=tables)


def variables_yaml(variables: Mapping[str, object]) -> str:
    """YAML for ``_variables.yml``: sorted keys, every value a double-quoted string."""
    lines = ["# Generated by kzshutdowns.paper_inputs (rule write_paper_inputs); do not edit by hand."]

    def emit(mapping: Mapping[str, object], indent: int) -> None:
        for key in sorted(mapping):
            if not _KEY.fullmatch(key):
                raise ValueError(f"variable key {key!r} must match [a-z0-9_]+")
            value = mapping[key]
            if isinstance(value, Mapping):
                lines.append(f"{' ' * indent}{key}:")
                emit(value, indent + 2)
            else:
                lines.append(f"{' ' * indent}{key}: {json.dumps(str(value), ensure_ascii=False)}")

    emit(variables, 0)
    return "\n".join(lines) + "\n"


def write_paper_inputs(inputs: PaperInputs, variables_path: Path, tables_dir: Path) -> list[Path]:
    written = []
    with atomic_output(variables_path) as temporary:
        temporary.write_text(variables_yaml(inputs.variables), encoding="utf-8")
    written.append(variables_path)
    for name in sorted(inputs.tables):
        target = tables_dir / f"{name}.md"
        with atomic_output(target) as temporary:
            temporary.write_text(inputs.tables[name], encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns paper-inputs",
        description="Write the paper's numbers (paper/_variables.yml) and tables (paper/_generated/*.md) "
        "from the workflow's outputs.",
    )
    parser.add_argument("--events", required=True, type=Path, help="published shutdowns.csv")
    parser.add_argument("--events-schema", required=True, type=Path,
                        help="its Table Schema (data/reference/shutdowns.schema.json)")
    parser.add_argument("--sources", required=True, type=Path, help="published sources.csv")
    parser.add_argument("--sources-schema", required=True, type=Path,
                        help="its Table Schema (data/reference/sources.schema.json)")
    parser.add_argument("--platforms", required=True, type=Path,
                        help="platform lexicon platforms.csv (its Table Schema beside it)")
    parser.add_argument("--city-reports", required=True, type=Path, help="city_reports.csv")
    parser.add_argument("--unresolved", required=True, type=Path, help="unresolved_mentions.csv")
    parser.add_argument(
        "--geocoder-evaluation",
        required=True,
        type=Path,
        help="geocoder_evaluation.csv (lang, cases, precision, recall, f1; a pooled row 'all')",
    )
    parser.add_argument("--segments", nargs="*", default=[], type=Path, help="segments Parquet files")
    parser.add_argument("--snakefile", required=True, type=Path, help="the workflow's Snakefile (rule table)")
    parser.add_argument(
        "--repository",
        default=Path("."),
        type=Path,
        help="git working tree for the colophon's commit (default: current directory)",
    )
    parser.add_argument("--variables", required=True, type=Path, help="output: paper/_variables.yml")
    parser.add_argument("--tables-dir", required=True, type=Path, help="output folder: paper/_generated")
    args = parser.parse_args(argv)

    tables, problems = read_reference_tables(args.events, args.platforms, events_schema=args.events_schema)
    if problems:
        raise problems[0]
    inputs = build_paper_inputs(
        events=tables.events,
        events_path=args.events,
        sources=load_sources(args.sources, tables.events, schema_path=args.sources_schema),
        platforms=tables.platforms,
        reports=read_csv_table(args.city_reports, REPORT_COLUMNS),
        reports_path=args.city_reports,
        unresolved=read_csv_table(args.unresolved, UNRESOLVED_COLUMNS),
        unresolved_path=args.unresolved,
        evaluation=read_csv_table(args.geocoder_evaluation, EVALUATION_COLUMNS),
        evaluation_path=args.geocoder_evaluation,
        segments=read_segments(args.segments),
        snakefile=args.snakefile,
        repository=args.repository,
    )
    for path in write_paper_inputs(inputs, args.variables, args.tables_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
