"""Evaluate the geocoder on a labelled set of short texts: micro precision, recall and F1 per language.

The evaluation set (``tests/data/geocoder_eval.csv``) has one row per case: ``case_id``, ``lang``
(ISO 639-1), ``kind`` (``place``: names to find; ``trap``: a word that looks like a place but is
not one, or only in part; ``negative``: no place at all), ``text``, ``expected`` (the GeoNames ids
the text mentions, ``;``-separated, empty for none) and ``note``.

A case is scored by comparing the set of GeoNames ids the geocoder returns with the expected set:
an id in both is a true positive, an id only returned a false positive, an id only expected a false
negative. Counts are summed per language (micro averaging) and over all cases; the table is what
the paper quotes (``data/processed/geocoder_evaluation.csv``).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, read_text
from kzshutdowns.geocode import Geocoder

CASE_COLUMNS = ("case_id", "lang", "kind", "text", "expected", "note")
CASE_KINDS = ("place", "trap", "negative")
LANGUAGES = ("ar", "ru", "kk", "en", "fr", "de")
RESULT_COLUMNS = (
    "lang",
    "cases",
    "traps_and_negatives",
    "expected",
    "found",
    "true_positives",
    "false_positives",
    "false_negatives",
    "precision",
    "recall",
    "f1",
)


@dataclass(frozen=True)
class Case:
    """One labelled text of the evaluation set."""

    case_id: str
    lang: str
    kind: str
    text: str
    expected: frozenset[int]
    note: str


@dataclass(frozen=True)
class CaseResult:
    """What the geocoder found for one case, as GeoNames ids."""

    case: Case
    found: frozenset[int]

    @property
    def true_positives(self) -> int:
        return len(self.found & self.case.expected)

    @property
    def false_positives(self) -> int:
        return len(self.found - self.case.expected)

    @property
    def false_negatives(self) -> int:
        return len(self.case.expected - self.found)


def read_cases(path: str | os.PathLike[str]) -> list[Case]:
    """Read and check the evaluation set; raise InputError naming the line and field of a bad row."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    if tuple(next(reader, ())) != CASE_COLUMNS:
        raise InputError(path, f"header must be {','.join(CASE_COLUMNS)}", line=1)
    cases: list[Case] = []
    seen: set[str] = set()
    start = reader.line_num + 1  # the line the next row starts on (a quoted cell may hold a newline)
    for row in reader:
        line, start = start, reader.line_num + 1
        if len(row) != len(CASE_COLUMNS):
            raise InputError(path, f"expected {len(CASE_COLUMNS)} fields, found {len(row)}", line=line)
        values = dict(zip(CASE_COLUMNS, row, strict=True))
        if not values["case_id"] or values["case_id"] in seen:
            raise InputError(path, "empty or repeated case id", line=line, field="case_id")
        seen.add(values["case_id"])
        if values["lang"] not in LANGUAGES:
            raise InputError(path, f"must be one of {', '.join(LANGUAGES)}", line=line, field="lang")
        if values["kind"] not in CASE_KINDS:
            raise InputError(path, f"must be one of {', '.join(CASE_KINDS)}", line=line, field="kind")
        if not values["text"]:
            raise InputError(path, "empty", line=line, field="text")
        try:
            expected = frozenset(int(item) for item in values["expected"].split(";") if item)
        except ValueError:
            raise InputError(
                path, "must be GeoNames ids separated by ;", line=line, field="expected"
            ) from None
        if values["kind"] == "place" and not expected:
            raise InputError(path, "a place case needs expected ids", line=line, field="expected")
        if values["kind"] == "negative" and expected:
            raise InputError(path, "a negative case expects no ids", line=line, field="expected")
        cases.append(
            Case(values["case_id"], values["lang"], values["kind"], values["text"], expected, values["note"])
        )
    if not cases:  # precision, recall and F1 would be 1 over nothing
        raise InputError(path, "no cases", line=2)
    return cases


def run_cases(geocoder: Geocoder, cases: Sequence[Case]) -> list[CaseResult]:
    """Geocode every case (with its language given) and collect the GeoNames ids found."""
    return [
        CaseResult(case, frozenset(match.geonameid for match in geocoder.geocode(case.text, case.lang)))
        for case in cases
    ]


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def summarise(results: Sequence[CaseResult]) -> list[dict[str, object]]:
    """One row per language (in :data:`LANGUAGES` order, those present) and a final ``all`` row."""
    groups = [(lang, [r for r in results if r.case.lang == lang]) for lang in LANGUAGES]
    groups = [(lang, group) for lang, group in groups if group] + [("all", list(results))]
    table = []
    for lang, group in groups:
        tp = sum(r.true_positives for r in group)
        fp = sum(r.false_positives for r in group)
        fn = sum(r.false_negatives for r in group)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table.append(
            {
                "lang": lang,
                "cases": len(group),
                "traps_and_negatives": sum(r.case.kind != "place" for r in group),
                "expected": sum(len(r.case.expected) for r in group),
                "found": sum(len(r.found) for r in group),
                "true_positives": tp,
                "false_positives": fp,
                "false_negatives": fn,
                "precision": precision,
                "recall": recall,
                "f1": f1,
            }
        )
    return table


def write_summary(table: Sequence[dict[str, object]], path: str | os.PathLike[str]) -> None:
    """Write the table as CSV with ratios to four decimals (byte-identical across runs)."""
    with atomic_output(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RESULT_COLUMNS)
        for row in table:
            writer.writerow(
                [f"{row[c]:.4f}" if isinstance(row[c], float) else row[c] for c in RESULT_COLUMNS]
            )


def errors_report(results: Sequence[CaseResult]) -> list[str]:
    """One line per case with a false positive or negative, for the log."""
    lines = []
    for result in results:
        if result.false_positives or result.false_negatives:
            lines.append(
                f"{result.case.case_id} ({result.case.lang}, {result.case.kind}): "
                f"missed {sorted(result.case.expected - result.found)}, "
                f"extra {sorted(result.found - result.case.expected)}: {result.case.text}"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kzshutdowns evaluate-geocoder", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", required=True, help="evaluation set CSV (tests/data/geocoder_eval.csv)")
    parser.add_argument("--gazetteer", help="gazetteer pickle (default: cached build from data/reference)")
    parser.add_argument("--output", required=True, help="per-language precision/recall/F1 CSV to write")
    args = parser.parse_args(argv)
    cases = read_cases(args.cases)
    results = run_cases(Geocoder.load(args.gazetteer), cases)
    table = summarise(results)
    write_summary(table, args.output)
    for line in errors_report(results):
        print(line)
    overall = table[-1]
    print(
        f"{overall['cases']} cases: precision {overall['precision']:.4f}, recall {overall['recall']:.4f}, "
        f"F1 {overall['f1']:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
