"""Bad input to the geocoder evaluation (its scores are in tests/test_geocode.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kzshutdowns.errors import InputError
from kzshutdowns.evaluate_geocoder import CASE_COLUMNS, read_cases

CASES = Path(__file__).parent / "data" / "geocoder_eval.csv"


def test_a_case_file_without_cases_is_refused(tmp_path: Path) -> None:
    # A header alone gave precision, recall and F1 of 1.0000 over zero cases: a perfect score from nothing.
    cases = tmp_path / "cases.csv"
    cases.write_text(",".join(CASE_COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no cases") as caught:
        read_cases(cases)
    assert (caught.value.path, caught.value.line) == (cases, 2)


def test_line_numbers_count_the_lines_of_a_quoted_multi_line_note(tmp_path: Path) -> None:
    lines = CASES.read_text(encoding="utf-8").split("\n")
    first = lines[1].rsplit(",", 1)[0] + ',"a note\non two lines"'
    second = lines[2].split(",", 1)[1]  # the third case loses its id: the error is on file line 4
    cases = tmp_path / "cases.csv"
    cases.write_text("\n".join([lines[0], first, "," + second, *lines[3:]]), encoding="utf-8")
    with pytest.raises(InputError, match="case id") as caught:
        read_cases(cases)
    assert (caught.value.line, caught.value.field) == (4, "case_id")
