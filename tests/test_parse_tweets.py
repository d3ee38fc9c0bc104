"""Tweet collections (JSON Lines) -> tweet segments: fields, languages, tags, dates, and bad input."""

import gc
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from kzshutdowns import parse_tweets as parse_tweets_module
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.parse_article import COLUMNS, TagValues, tag_values_many
from kzshutdowns.parse_tweets import (
    main,
    parse_tweet,
    parse_tweets,
    read_shard_lines,
    read_shard_raw_lines,
    tweet_batches,
    write_tweet_segments,
)

SAMPLE = Path(__file__).parent / "data" / "tweets" / "sample.jsonl"


def parse_file(path, shard=0, shards=1):
    return parse_tweets(read_shard_lines(path, shard, shards), Path(path).stem, path=path)


def write_lines(tmp_path, *lines, name="c.jsonl", newline="\n"):
    path = tmp_path / name
    path.write_bytes(("".join(line + newline for line in lines)).encode("utf-8"))
    return path


def tweet(**fields):
    return json.dumps({"id": "1", "text": "no internet in Almaty", **fields}, ensure_ascii=False)


def test_sample_collection_gives_one_tweet_segment_per_line():
    segments = parse_file(SAMPLE)
    assert list(segments.columns) == list(COLUMNS)
    assert segments["line"].tolist() == [1, 2, 3, 4]
    assert segments["segment_id"].tolist() == [
        "tweets-sample:809721634573090816",
        "tweets-sample:809740000000000001",
        "tweets-sample:3",
        "tweets-sample:4",
    ]
    assert set(segments["article_id"]) == {"tweets-sample"}
    assert set(segments["kind"]) == {"tweet"}
    assert segments["translates"].isna().all()
    # spans are into the tweet's own text
    assert (segments["start"] == 0).all()
    assert (segments["end"] == segments["text"].str.len()).all()


def test_sample_fields_languages_and_dates():
    rows = parse_file(SAMPLE).set_index("line")
    assert rows.loc[1, "handle"] == "Malik_MKZ"  # the @ is dropped
    assert rows.loc[1, "author"] == "Malik Zhumagaliyev"
    assert rows.loc[1, "lang"] == "ru"  # given
    assert rows.loc[2, "lang"] == "en"  # detected: no lang key
    assert rows.loc[3, "lang"] == "ar"
    assert rows.loc[4, "lang"] == "kk"
    assert pd.isna(rows.loc[3, "author"]) and pd.isna(rows.loc[3, "handle"])
    # ISO timestamp, Twitter API v1 timestamp, a bare date, and date + created_at that agree
    assert rows["date"].tolist() == ["2016-12-16", "2016-12-16", "2016-12-16", "2022-01-05"]


def test_sample_hashtags_and_mentions_as_written():
    rows = parse_file(SAMPLE).set_index("line")
    assert list(rows.loc[1, "mentions"]) == ["facebook", "YouTube", "instagram"]
    assert list(rows.loc[1, "hashtags"]) == ["независимость", "астана"]  # glued to @instagram
    assert list(rows.loc[2, "hashtags"]) == ["Kazakhstan"]  # "#notatag" is inside a URL
    assert list(rows.loc[3, "hashtags"]) == ["كازاخستان"]
    assert list(rows.loc[4, "hashtags"]) == ["Алматы"]


def test_cli_writes_parquet_segments(tmp_path):
    output = tmp_path / "segments.parquet"
    thresholds = gc.get_threshold()
    assert main(["--tweets", str(SAMPLE), "--output", str(output)]) == 0
    assert gc.isenabled() and gc.get_threshold() == thresholds  # the collector as it was
    written = pd.read_parquet(output)
    assert written["segment_id"].tolist() == parse_file(SAMPLE)["segment_id"].tolist()


def test_cli_writes_an_empty_table_for_an_empty_shard(tmp_path):
    output = tmp_path / "segments.parquet"
    path = write_lines(tmp_path, tweet())
    assert main(["--tweets", str(path), "--shard", "0", "--shards", "2", "--output", str(output)]) == 0
    assert main(["--tweets", str(path), "--shard", "1", "--shards", "2", "--output", str(output)]) == 0
    empty = pd.read_parquet(output)
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("", None, "blank line"),
        ("{not json", None, "not valid JSON"),
        ('["a list"]', None, "JSON object, not list"),
        (json.dumps({"text": "x"}), "id", "required"),
        (tweet(id=True), "id", "required"),
        (tweet(id=""), "id", "required"),
        (json.dumps({"id": "1"}), "text", "required"),
        (tweet(text="   "), "text", "required"),
        (tweet(text=5), "text", "required"),
        (tweet(author=3), "author", "must be a string or null"),
        (tweet(handle="@bad handle"), "handle", "is not a handle"),
        (tweet(lang="Russian"), "lang", "ISO 639-1"),
        (tweet(date="2016-02-30"), "date", "is not a date"),
        (tweet(date="16.12.2016"), "date", "is not a date"),
        (tweet(created_at="yesterday"), "created_at", "is not a timestamp"),
        # before the first tweet (2006-03-21) or after today: refused by the batch path too (below)
        (tweet(date="2006-03-20"), "date", "'2006-03-20' is before 2006-03-21, the day of the first tweet"),
        (tweet(date="2999-01-01"), "date", "'2999-01-01' is after today"),
        (tweet(created_at="1999-12-31T23:59:59Z"), "created_at", "is before 2006-03-21"),
        (tweet(created_at="Tue Jan 01 10:00:00 +0000 2999"), "created_at", "is after today"),
        (tweet(created_at="Sat Dec 16 10:00:00 +0000 2016"), "created_at", "16 December 2016 was a Friday"),
        (tweet(date="2016-12-17", created_at="2016-12-16T10:00:00Z"), "date", "disagrees"),
        # lone surrogates, escaped as JSON writes them (UTF-8 cannot hold them, so Parquet cannot either)
        (json.dumps({"id": "1", "text": "cut \ud800"}), "text", "lone UTF-16 surrogate"),
        (json.dumps({"id": "\udc00", "text": "x"}), "id", "lone UTF-16 surrogate"),
        (json.dumps({"id": "1", "text": "x", "author": "A \ud83d"}), "author", "lone UTF-16 surrogate"),
    ],
)
def test_bad_lines_name_file_line_and_field(tmp_path, line, field, message):
    path = write_lines(tmp_path, tweet(id="ok"), line)
    with pytest.raises(InputError) as caught:
        parse_file(path)
    assert caught.value.path == path
    assert caught.value.line == 2
    assert caught.value.field == field
    assert message in caught.value.message


def test_repeated_id_names_both_lines(tmp_path):
    path = write_lines(tmp_path, tweet(id="7"), tweet(id="8"), tweet(id=7))
    with pytest.raises(InputError, match="repeats the tweet on line 1") as caught:
        parse_file(path)
    assert (caught.value.line, caught.value.field) == (3, "id")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"", 1, "file is empty"),
        (b"\xef\xbb\xbf" + tweet().encode() + b"\n", 1, "byte-order mark"),
        (tweet().encode() + b"\r\n", 1, "CR line ending"),
        (tweet(id="a").encode() + b"\n" + tweet(id="b").encode()[:-3] + b"\xff\"}\n", 2, "invalid UTF-8"),
    ],
)
def test_bad_files_are_refused_with_the_line(tmp_path, content, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        parse_file(path)
    assert caught.value.line == line
    with pytest.raises(InputError, match=message) as caught:  # the lines in UTF-8, as the CLI reads them
        list(tweet_batches(read_shard_raw_lines(path, 0, 1), "bad", path))
    assert caught.value.line == line


def test_cli_reports_bad_input_in_one_line_and_leaves_no_output(tmp_path, capsys):
    path = write_lines(tmp_path, tweet(), tweet(id="2", lang="xx-yy"))
    output = tmp_path / "out.parquet"
    assert run_main(main, ["--tweets", str(path), "--output", str(output)]) == 2
    assert capsys.readouterr().err == f"error: {path}:2: lang: 'xx-yy' is not an ISO 639-1 code or 'und'\n"
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(("line", "key"), [
    ('{"id": "2", "text": "a", "text": "b"}', "text"),  # a field parse_tweet reads
    ('{"id": "2", "text": "x", "retweets": 1, "retweets": 2}', "retweets"),  # a key it ignores
    ('{"id": "2", "text": "x", "user": {"name": "A", "name": "B"}}', "name"),  # in a nested object
])
def test_cli_refuses_a_key_given_twice_in_one_object(tmp_path, capsys, line, key):
    # json.loads kept the last value silently, and Arrow's reader took a repeated key it skips.
    path = write_lines(tmp_path, tweet(), line)
    output = tmp_path / "out.parquet"
    assert run_main(main, ["--tweets", str(path), "--output", str(output)]) == 2
    assert capsys.readouterr().err == (f"error: {path}:2: {key}: key given twice in one object "
                                       "(a JSON reader keeps one value silently)\n")
    assert not output.exists()


def test_cli_names_a_missing_collection(tmp_path, capsys):
    missing = tmp_path / "none.jsonl"
    assert run_main(main, ["--tweets", str(missing), "--output", str(tmp_path / "out.parquet")]) == 2
    assert capsys.readouterr().err == f"error: {missing}: cannot read: No such file or directory\n"


@pytest.mark.parametrize(
    ("shard", "shards", "message"),
    [("3", "3", "--shard must be one of 0..2"), ("-1", "3", "--shard must be one of 0..2"),
     ("0", "0", "--shards must be at least 1"), ("0", "-2", "--shards must be at least 1")],
)
def test_cli_refuses_a_shard_outside_the_shard_count(tmp_path, capsys, shard, shards, message):
    with pytest.raises(SystemExit) as caught:
        main(["--tweets", str(SAMPLE), "--shard", shard, "--shards", shards, "--output", str(tmp_path / "x")])
    assert caught.value.code == 2 and capsys.readouterr().err.endswith(f"error: {message}\n")
    assert not (tmp_path / "x").exists()


def test_batches_of_any_size_give_the_same_rows_and_file(tmp_path):
    whole = parse_file(SAMPLE)
    batches = list(tweet_batches(read_shard_raw_lines(SAMPLE, 0, 1), "sample", SAMPLE, batch_size=3))
    assert [batch.num_rows for batch in batches] == [3, 1]
    output = tmp_path / "segments.parquet"
    write_tweet_segments(batches, output)
    assert pq.ParquetFile(output).metadata.num_row_groups == 2
    pd.testing.assert_frame_equal(pd.read_parquet(output), whole)


def encoded(lines):
    """Numbered text lines as tweet_batches takes them: UTF-8, a lone surrogate kept (as parse_tweets)."""
    return [(number, line.encode("utf-8", "surrogatepass")) for number, line in lines]


def line_by_line(lines, collection, path):
    """The rows of parsing line after line with parse_tweet (the reference), a repeated id raising at its
    second line: what tweet_batches must give, or the error it must raise."""
    rows, first_line = [], {}
    for number, line in lines:
        row = parse_tweet(line, collection, path, number)
        seen = first_line.setdefault(row["segment_id"], number)
        if seen != number:
            raise InputError(path, f"tweet id repeats the tweet on line {seen}", number, "id")
        rows.append(row)
    return rows


def outcome(parse):
    try:
        return parse()
    except InputError as error:
        return (error.path, error.line, error.field, error.message)


MISSING = object()
FIELDS = {
    "id": [1, 2, "1", "x", "", True, None, 2.5, "\udc00", MISSING],
    "text": ["no internet in Almaty #Алматы @user", "Интернет жоқ", "   ", "", 5, None, MISSING,
             "see http://t.co/a#b and www.x.kz/@c, #tag.", "cut \ud800", "ok \ud83d\ude00"],
    "handle": ["@ab", "ab_1", "", "@", "@@ab", "a b", 3, None, MISSING],
    "lang": ["en", "und", "", "EN", "xx-yy", 2, None, MISSING],
    "author": ["A", "", 3, "A \ud83d", None, MISSING],
    "date": ["2016-12-16", "2016-12-17", "", "2016-02-30", "16.12.2016", "٢٠١٦-١٢-١٦", "0000-01-01", 7, None,
             "2006-03-20", "2006-03-21", "2999-12-31", MISSING],
    "created_at": ["2016-12-16T10:00:00Z", "2016-12-16T23:59:59Z", "2016-12-16T24:00:00Z",
                   "2016-12-16T10:00:60Z", "2016-12-16T10:00:00+06:00", "Fri Dec 16 10:00:00 +0000 2016",
                   "2016-02-30T10:00:00Z", "yesterday", "", 5, None, "2006-03-20T23:59:59Z",
                   "2006-03-21T00:00:00Z", "2999-12-31T10:00:00Z", MISSING],
}
RECORDS = st.fixed_dictionaries({key: st.sampled_from(values) for key, values in FIELDS.items()})
ODD_LINES = ["", " ", "[1]", "{not json", "\ufeff{}", ' {"id": 1, "text": "x"}', '{"id": 1, "text": "x"} ',
             '{"id": 1, "text": "x"}{}', '{"id": 1, "id": 2, "text": "x"}', '{"id": 1, "text": "a\\u0000b"}',
             '{"id": 1, "text": "x"}{"id": 2, "text": "y"}', '{"id": 3,', '"text": "x"}', '{}', '"x"', "1",
             '{"id": 4, "text": "x", "n": -Inf}', '{"id": 5, "text": "x", "n": NaN}',
             '{"id": 6, "text": "x", "u": {"id": "7", "lang": 8}}',
             '{"id": 99999999999999999999, "text": "x"}']


def record_line(record):
    present = {key: value for key, value in record.items() if value is not MISSING}
    return json.dumps(present, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.one_of(RECORDS.map(record_line), st.sampled_from(ODD_LINES)), max_size=12),
       batch_size=st.integers(1, 5), at_once=st.integers(1, 4))
def test_batches_give_the_rows_or_the_first_error_of_parsing_line_by_line(lines, batch_size, at_once):
    numbered = list(enumerate(lines, start=1))
    expected = outcome(lambda: line_by_line(numbered, "c", "c.jsonl"))
    with pytest.MonkeyPatch.context() as patch:  # a batch filled in several goes
        patch.setattr(parse_tweets_module, "_LINES_AT_ONCE", at_once)
        batches = lambda: tweet_batches(encoded(numbered), "c", "c.jsonl", batch_size=batch_size)  # noqa: E731
        found = outcome(lambda: [row for batch in batches() for row in batch.to_pylist()])
    assert found == expected


def test_a_line_that_cannot_be_read_comes_after_the_errors_of_the_lines_before_it(tmp_path):
    bad_json = write_lines(tmp_path, tweet(id="a"), "{not json", name="first.jsonl")
    bad_json.write_bytes(bad_json.read_bytes() + b'{"id": "b", "text": "\xff"}\n')
    with pytest.raises(InputError, match="not valid JSON") as caught:
        parse_file(bad_json)
    assert caught.value.line == 2
    repeated = write_lines(tmp_path, tweet(id="a"), tweet(id="a"), name="second.jsonl")
    repeated.write_bytes(repeated.read_bytes() + b"\r\n")
    with pytest.raises(InputError, match="repeats the tweet on line 1") as caught:
        parse_file(repeated)
    assert caught.value.line == 2


@settings(max_examples=300)
@given(st.binary(max_size=12) | st.text(max_size=6).map(lambda text: text.encode("utf-8", "surrogatepass")))
@example(b"\xed\xa0\x80")  # a surrogate in UTF-8 form
@example(b"\xc0\x80")  # an overlong NUL
@example(b"\xf4\x90\x80\x80")  # past U+10FFFF
def test_utf8_is_checked_as_decoding_would(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert not parse_tweets_module._is_utf8(data)
    else:
        assert parse_tweets_module._is_utf8(data)


@pytest.mark.parametrize("shards", [1, 2, 3, 5])
def test_lines_read_in_small_blocks_are_the_lines_read_in_one(monkeypatch, shards):
    whole = [list(read_shard_lines(SAMPLE, k, shards)) for k in range(shards)]
    monkeypatch.setattr(parse_tweets_module, "_BLOCK", 7)  # blocks end inside lines and characters
    assert [list(read_shard_lines(SAMPLE, k, shards)) for k in range(shards)] == whole
    assert [number for part in whole for number, _ in part] == [1, 2, 3, 4]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.text(alphabet="ab{é\u0661", max_size=9), min_size=1, max_size=12),
       final_newline=st.booleans(), shards=st.integers(1, 9),
       block=st.integers(1, 20), chunk=st.integers(1, 20))
def test_shards_read_in_small_blocks_hold_every_line_once_with_its_number(
        tmp_path_factory, lines, final_newline, shards, block, chunk):
    """Blocks and the lines counted before a shard are read a few bytes at a time (ending inside lines
    and characters), over blank lines and a file with or without its last newline."""
    data = "\n".join(lines).encode() + b"\n" * final_newline
    assume(data)
    path = tmp_path_factory.mktemp("c") / "c.jsonl"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse_tweets_module, "_BLOCK", block)
        patch.setattr(parse_tweets_module, "_CHUNK", chunk)
        found = [numbered for k in range(shards) for numbered in read_shard_raw_lines(path, k, shards)]
    assert found == list(enumerate(data.removesuffix(b"\n").split(b"\n"), start=1))


VALID = {"id": "1", "text": "no internet in Almaty", "handle": "ab", "lang": "en", "author": "A",
         "date": MISSING, "created_at": "2016-12-16T10:00:00Z"}
SINGLE_FIELD_CASES = [{**VALID, key: value} for key, values in FIELDS.items() for value in values]
DATE_CASES = [{**VALID, "date": date, "created_at": created}
              for date in FIELDS["date"] for created in FIELDS["created_at"]]


@pytest.mark.parametrize("record", SINGLE_FIELD_CASES + DATE_CASES)
def test_every_field_value_gives_the_row_or_the_error_of_parse_tweet(record):
    numbered = [(1, tweet(id="0")), (2, record_line(record))]
    expected = outcome(lambda: line_by_line(numbered, "c", "c.jsonl"))
    found = outcome(lambda: [row for batch in tweet_batches(encoded(numbered), "c", "c.jsonl")
                             for row in batch.to_pylist()])
    assert found == expected


def test_repeated_texts_give_the_rows_of_parse_tweet_and_are_scanned_once_a_batch(monkeypatch):
    """Retweets repeat texts: the tags of a batch's distinct texts are found in one scan and its
    detected languages are kept, and every row is still the row parse_tweet makes of its line."""
    texts = ["RT #Алматы интернет жоқ @user", "no internet in #Almaty", "سكان أتيراو #كازاخستان"]
    numbered = [(n, tweet(id=str(n), text=texts[n % 3])) for n in range(1, 31)]  # no lang: detected
    parse_tweets_module._text_language.cache_clear()
    tagged = []
    monkeypatch.setattr(parse_tweets_module, "tag_values_many",
                        lambda batch: tagged.append(batch) or tag_values_many(batch))
    monkeypatch.setattr(parse_tweets_module, "_LINES_AT_ONCE", 7)  # five batches
    rows = [row for batch in tweet_batches(encoded(numbered), "c", "c.jsonl") for row in batch.to_pylist()]
    assert rows == line_by_line(numbered, "c", "c.jsonl")
    assert [sorted(batch) for batch in tagged] == [  # each distinct text of a batch once
        sorted({texts[n % 3] for n in range(first, min(first + 7, 31))}) for first in range(1, 31, 7)]
    assert parse_tweets_module._text_language.cache_info().hits == 27
    assert [(row["lang"], row["hashtags"]) for row in rows[:3]] == [
        ("en", ["Almaty"]), ("ar", ["كازاخستان"]), ("kk", ["Алматы"])]


@pytest.mark.parametrize(("value", "expected"), [
    ("plain ASCII", False), ("Алматы", False), ("cut \ud800", True), ("A \udfff", True),
    ("ok \ud83d\ude00", True),  # a pair written as two characters is still two lone surrogates
    ("ok \U0001f600", False),
])
def test_lone_surrogates_are_found_outside_ascii(value, expected):
    assert parse_tweets_module._has_surrogate(value) is expected


# Lines Arrow's JSON reader reads otherwise than json.loads, alone or next to their neighbours: each
# must leave its batch to parse_tweet.
ARROW_TRAPS = [
    [tweet(id="1") + tweet(id="2")],  # two objects on one line: two rows for the reader
    [tweet(id="1") + " " + tweet(id="2"), ""],  # ... and a blank line (skipped by the reader) after them
    [tweet(id="1") + "\n" + tweet(id="2"), ""],  # a "line" holding a newline (not from a file)
    ['{"id": "1",', '"text": "an object over two lines"}'],
    [tweet(id="1"), "   ", tweet(id="2")],
    [tweet(id="1"), "\ufeff" + tweet(id="2")],  # a byte-order mark starting a line that is not the first
    ['{"id": "1", "\\u0069d": "2", "text": "x"}'],  # the same key twice, once escaped
    ['{"id": "1", "text": "x", "n": 1, "n": 2}'],  # a key parse_tweet ignores, twice
    [tweet(id="1"), '{"id": "2", "text": "x", "u": {"a": 1, "a": 2}}'],  # twice in a nested object
    ['{"id": "1", "text": "x", "u": [{"a": 1}, {"a": 2, "a": 3}]}'],  # twice in an object in an array
    [tweet(id="1", n=1), tweet(id="2", n="one")],  # a key it ignores, of two types: the reader refuses
    ['{"t\\u0065xt": "an escaped key", "id": "1"}'],
    [tweet(id="1"), tweet(id=2)],  # ids as strings and integers
    [tweet(id=2), tweet(id=-3), tweet(id=0)],
    [tweet(id=123456789012345678901234567890)],
    ['{"id": 1e3, "text": "x"}', '{"id": 1.0, "text": "x"}', '{"id": -0, "text": "x"}'],
    *([f'{{"id": "1", "text": "x", "n": {value}}}']
      for value in ("Inf", "-Inf", "-NaN", "NaN", "Infinity", "1e999")),
    [tweet(id="1", text="Inf: NaN, [Inf"), tweet(id="2", text="xInfNaN")],
    [tweet(id="1", user={"id": 5, "text": ["nested", {"lang": None}]}, lang="kk")],
    [tweet(id="1", text="a\tb")],  # a raw tab in a string: refused by both
    ['{"id": "1", "text": "a\\ud83d\\ude00b"}'],  # an escaped surrogate pair: one character for both
    [tweet(id="1", text="a\u2028b\x7f\x00")],
    # integers of more digits than Python converts (sys.get_int_max_str_digits(), 4300), where json.loads
    # raises a ValueError, in a key read or not; and of as many, which both take
    *([line] for value in ("1" * 4301, "-" + "2" * 4301, "3" * 4300)
      for line in (f'{{"id": "1", "text": "x", "n": {value}}}', f'{{"id": {value}, "text": "x"}}')),
    # values nested deeper than json.loads recurses (1,000 by default), and not so deep
    *([f'{{"id": "1", "text": "x", "n": {opening * depth}1{closing * depth}}}']
      for opening, closing in (("[", "]"), ('{"a": ', "}")) for depth in (100, 1000, 5000)),
]


@pytest.mark.parametrize("lines", ARROW_TRAPS)
def test_lines_the_json_reader_reads_otherwise_give_the_rows_or_error_of_parse_tweet(lines):
    numbered = list(enumerate([tweet(id="0"), *lines, tweet(id="z")], start=1))
    expected = outcome(lambda: line_by_line(numbered, "c", "c.jsonl"))
    found = outcome(lambda: [row for batch in tweet_batches(encoded(numbered), "c", "c.jsonl")
                             for row in batch.to_pylist()])
    assert found == expected


@pytest.mark.parametrize(("text", "expected"), [
    (b'{"a": Inf}\n', True), (b'{"a": [1, -Inf]}\n', True), (b'{"a":-NaN}\n', True),
    (b'{"a":\t NaN}\n', True), (b'{"a": "x: Inf"}\n', True),
    (b'{"a": "xInf", "b": "NaNa"}\n', False), (b'{"a": 1}\n', False),
])
def test_non_finite_numbers_are_found_before_the_json_reader_takes_them(text, expected):
    assert parse_tweets_module._may_hold_non_finite(text) is expected


OPTIONAL_TEXT = st.one_of(st.none(), st.text(max_size=5).filter(lambda text: not any(
    "\ud800" <= char <= "\udfff" for char in text)))


@given(st.lists(OPTIONAL_TEXT, max_size=8))
def test_string_arrays_are_those_pyarrow_makes(values):
    built = parse_tweets_module._string_array(values)
    built.validate(full=True)
    assert built.equals(pa.array(values, pa.string()))
    present = [value or "" for value in values]
    lists = [present, [], present[:1]]
    tags = TagValues([value for values in lists for value in values], [len(values) for values in lists])
    assert parse_tweets_module._string_lists(tags).equals(pa.array(lists, pa.list_(pa.string())))
    assert parse_tweets_module._repeated_string("ä@", len(values)).equals(
        pa.array(["ä@"] * len(values), pa.string()))
    assert parse_tweets_module._int64_array(list(range(len(values)))).equals(
        pa.array(range(len(values)), pa.int64()))


def test_the_cli_never_imports_pandas(tmp_path):
    """pandas costs a job 0.4 s CPU to import, and pyarrow imports it on any conversion of Python
    objects (pa.array, pa.scalar, a Python value given to a compute function)."""
    script = ("import sys; from kzshutdowns.parse_tweets import main; "
              f"main(['--tweets', {str(SAMPLE)!r}, '--output', {str(tmp_path / 'out.parquet')!r}]); "
              "print('pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "False\n"
    assert pd.read_parquet(tmp_path / "out.parquet").equals(parse_file(SAMPLE))
