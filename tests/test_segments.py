"""Reading a segments table: the columns the steps after the parsers need, checked with file, row and
field (kzshutdowns.segments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kzshutdowns.errors import InputError
from kzshutdowns.segments import read_segments


def tweet_segments(*texts):
    return pd.DataFrame({
        "article_id": "tweets-t-0", "segment_id": [f"tweets-t-0:{n}" for n in range(len(texts))],
        "kind": "tweet", "start": 0, "end": [len(text) for text in texts], "text": list(texts), "lang": "und",
    })


def test_segments_without_the_needed_columns_are_refused(tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"article_id": ["a"], "segment_id": ["a:p1"], "text": ["x"]}).to_parquet(path)
    with pytest.raises(InputError, match="missing segment columns kind"):
        read_segments(path)


def test_segment_span_that_does_not_fit_its_text_is_refused(tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame(
        {
            "article_id": ["a"],
            "segment_id": ["a:p1"],
            "kind": ["paragraph"],
            "start": [0],
            "end": [5],
            "text": ["abc"],
            "lang": ["en"],
        }
    ).to_parquet(path)
    with pytest.raises(InputError) as error:
        read_segments(path)
    assert error.value.line == 1 and error.value.field == "start"


def test_read_segments_names_the_first_bad_row_and_reads_only_what_is_asked(tmp_path):
    path = tmp_path / "segments.parquet"
    good = tweet_segments("abc", "de", "fgh")
    good.to_parquet(path)
    assert list(read_segments(path, columns=["segment_id", "text"]).columns) == ["segment_id", "text"]
    bad = good.assign(end=[3, 5, 2])  # rows 2 and 3 do not fit: row 2 is named
    bad.to_parquet(path)
    with pytest.raises(InputError) as error:
        read_segments(path)
    assert (error.value.line, error.value.field) == (2, "start")
    assert "tweets-t-0:1" in error.value.message


@pytest.mark.parametrize("langs", [["en", None, "ru"], pd.Series([None, np.nan, "kk"], dtype=object),
                                   [None, None, None], pd.Categorical(["en", None, "en"])])
def test_read_segments_takes_null_languages(tmp_path, langs):
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(lang=langs).to_parquet(path)
    assert read_segments(path)["lang"].isna().tolist() == pd.isna(pd.Series(langs, dtype=object)).tolist()


def test_read_segments_takes_ids_stored_as_a_dictionary(tmp_path):
    path = tmp_path / "segments.parquet"
    segments = tweet_segments("abc", "de", "fgh")
    segments.assign(segment_id=segments["segment_id"].astype("category")).to_parquet(path)
    assert read_segments(path)["segment_id"].astype(str).tolist() == segments["segment_id"].tolist()


@pytest.mark.parametrize(
    ("column", "values", "line", "message"),
    [
        ("text", [5, 6, 7], None, "must hold strings"),
        ("text", ["abc", None, "fgh"], 2, "must not be null"),
        ("start", ["0", "0", "0"], None, "must hold integers"),
        ("end", [3, None, 3], None, "must hold integers"),  # a null makes the column float
        ("end", pd.array([3, None, 3], dtype="Int64"), 2, "must not be null"),
        ("segment_id", ["t:1", None, "t:3"], 2, "must not be null"),
        ("article_id", [None, "t", "t"], 1, "must not be null"),
        ("segment_id", [1, 2, 3], None, "must hold strings"),
        ("article_id", pd.Categorical([1, 2, 3]), None, "must hold strings"),
        ("lang", [1, 2, 3], 1, "not int"),
        ("lang", [None, 5, None], 2, "not float"),  # a null makes the column float
        ("lang", [True, False, True], 1, "not bool"),
        ("lang", [None, ["ru"], ["kk"]], 2, "not ndarray"),  # a list column
        ("lang", pd.Categorical([1, 1, 2]), 1, "not int"),
    ],
)
def test_read_segments_refuses_ill_typed_or_null_columns(tmp_path, column, values, line, message):
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(**{column: values}).to_parquet(path)
    with pytest.raises(InputError, match=message) as error:
        read_segments(path)
    assert (error.value.path, error.value.line, error.value.field) == (path, line, column)


@pytest.mark.parametrize(("kinds", "line", "shown"), [
    (["tweet", "retweet", "tweet"], 2, "'retweet'"),
    (["Tweet", "tweet", "paragraph"], 1, "'Tweet'"),  # kinds are lower case, as the parsers write them
    (["tweet", "translation", None], 3, "None"),
    (pd.Categorical(["paragraph", "quote", "quote"]), 2, "'quote'"),
])
def test_read_segments_refuses_a_kind_outside_the_contract(tmp_path, kinds, line, shown):
    # An unknown kind passed: the later steps then treated the row as neither paragraph nor tweet.
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(kind=kinds).to_parquet(path)
    with pytest.raises(InputError) as error:
        read_segments(path, columns=["segment_id"])
    assert (error.value.path, error.value.line, error.value.field) == (path, line, "kind")
    expected = f"unknown segment kind {shown}; expected one of paragraph, tweet, translation"
    assert error.value.message == expected


def test_read_segments_takes_every_kind_of_the_contract(tmp_path):
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(kind=["paragraph", "tweet", "translation"]).to_parquet(path)
    assert read_segments(path, columns=["kind"])["kind"].tolist() == ["paragraph", "tweet", "translation"]


@pytest.mark.parametrize(("dates", "line"), [
    (["2016-12-16", "2016-13-01", ""], 2),
    (["20161216", None, ""], 1),  # a form date.fromisoformat takes, but no day of the contract
    ([None, "", "2016-02-30"], 3),
    (pd.array([1, 2, 3]), 1),
])
def test_read_segments_refuses_a_date_that_is_no_day(tmp_path, dates, line):
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(date=dates).to_parquet(path)
    with pytest.raises(InputError, match="is not a day") as error:
        read_segments(path, columns=["segment_id", "date"])
    assert (error.value.path, error.value.line, error.value.field) == (path, line, "date")


def test_read_segments_takes_days_empty_dates_and_nulls(tmp_path):
    path = tmp_path / "segments.parquet"
    tweet_segments("abc", "de", "fgh").assign(date=["2016-12-16", "", None]).to_parquet(path)
    assert read_segments(path)["date"].tolist()[:2] == ["2016-12-16", ""]
