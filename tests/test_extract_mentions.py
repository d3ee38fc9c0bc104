"""Mention extraction: places through the geocoder, platforms, dates, all with spans into the raw text."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns import extract_mentions as extract_mentions_module
from kzshutdowns.extract_mentions import (
    COLUMNS,
    TYPE_ORDER,
    DateMention,
    extract_mentions,
    find_dates,
    find_dates_many,
    main,
    mention_table,
    write_mention_table,
    write_mentions,
)
from kzshutdowns.files import read_text
from kzshutdowns.geocode import Geocoder
from kzshutdowns.parse_article import parse_article, write_segments
from kzshutdowns.parse_tweets import parse_tweets, read_shard_lines
from kzshutdowns.platforms import compile_lexicon, find_platforms, load_platforms
from kzshutdowns.segments import SEGMENT_COLUMNS, read_segments

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "articles" / "globalvoices-ar-48274.txt"
PLATFORMS = ROOT / "data" / "reference" / "platforms.csv"


@pytest.fixture(scope="module")
def seed_mentions():
    raw = read_text(SEED)
    segments = parse_article(raw, SEED.stem, path=SEED, article_lang="ar")
    mentions = extract_mentions(segments, Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS)))
    return raw, mentions


def values(mentions: pd.DataFrame, kind: str, segment: str | None = None) -> list[str]:
    rows = mentions[mentions["type"] == kind]
    if segment is not None:
        rows = rows[rows["segment_id"] == f"{SEED.stem}:{segment}"]
    return list(rows["value"])


def test_every_mention_span_round_trips_against_the_raw_file(seed_mentions):
    raw, mentions = seed_mentions
    assert len(mentions) > 40
    for row in mentions.itertuples():
        assert raw[row.start : row.end] == row.surface, row


def test_seed_places_with_their_geonames_ids(seed_mentions):
    _, mentions = seed_mentions
    assert values(mentions, "place", "p1") == ["1522867", "1526273", "1526384", "609655", "610529"]
    assert values(mentions, "place", "p4") == ["1522867", "607610"]  # Kazakhstan, Zhanaozen
    paris = mentions[mentions["surface"] == "باريس"].iloc[0]
    assert (paris["type"], paris["country_code"], paris["name"]) == ("place", "FR", "Paris")
    astana = mentions[(mentions["segment_id"] == f"{SEED.stem}:t1") & (mentions["value"] == "1526273")]
    assert list(astana["surface"]) == ["астана"]  # from the hashtag #астана
    assert set(mentions.loc[mentions["type"] == "place", "kind"]) == {"city", "country"}


def test_seed_platforms_including_glued_conjunctions_and_handles(seed_mentions):
    _, mentions = seed_mentions
    assert values(mentions, "platform", "p1") == [
        "social_media",
        "facebook",
        "youtube",
        "instagram",
        "google",
        "social_media",
        "twitter",
        "vkontakte",
    ]
    t1 = mentions[(mentions["segment_id"] == f"{SEED.stem}:t1") & (mentions["type"] == "platform")]
    assert list(t1["surface"]) == ["@facebook", "@YouTube", "@instagram"]


def test_seed_dates_keep_their_written_precision(seed_mentions):
    _, mentions = seed_mentions
    dates = mentions[mentions["type"] == "date"]
    assert list(zip(dates["surface"], dates["value"], strict=True)) == [
        ("9 كانون الأول/ديسمبر", "XXXX-12-09"),
        ("2011", "2011"),
        ("أيار/مايو", "XXXX-05"),
    ]


def test_rejected_place_like_words_are_kept_with_a_reason(seed_mentions):
    _, mentions = seed_mentions
    rejected = mentions[mentions["type"] == "place_rejected"]
    independence = rejected[rejected["surface"] == "Independence"]
    assert list(independence["reason"]) == ["stopword"]
    assert list(independence["segment_id"]) == [f"{SEED.stem}:t2.en"]
    assert rejected["value"].isna().all() and rejected["name"].isna().all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ففي عام 2011، سقط", [("2011", "2011")]),
        ("مؤخرًا في أيار/مايو، قُطع", [("أيار/مايو", "XXXX-05")]),
        ("في 9 كانون الأول/ديسمبر بعد", [("9 كانون الأول/ديسمبر", "XXXX-12-09")]),
        ("١٦ كانون الأول (ديسمبر) ٢٠١٦", [("١٦ كانون الأول (ديسمبر) ٢٠١٦", "2016-12-16")]),
        ("حتى بديسمبر 2016", [("ديسمبر 2016", "2016-12")]),
        ("в 2011 году и 16 декабря 2016 г.", [("2011", "2011"), ("16 декабря 2016 г.", "2016-12-16")]),
        ("с 9 мая", [("9 мая", "XXXX-05-09")]),
        ("В декабре 2011 года, а в мае", [("декабре 2011", "2011-12"), ("мае", "XXXX-05")]),
        ("желтоқсанда 2011", [("желтоқсанда 2011", "2011-12")]),
        ("2011 жылы 16 желтоқсан 2016 ж.", [("2011", "2011"), ("16 желтоқсан 2016 ж.", "2016-12-16")]),
        (
            "On December 16, 2016 and in May 2016",
            [("December 16, 2016", "2016-12-16"), ("May 2016", "2016-05")],
        ),
        ("since March, then 2016-12-16", [("March", "XXXX-03"), ("2016-12-16", "2016-12-16")]),
        ("le 16 décembre 2016", [("16 décembre 2016", "2016-12-16")]),
        ("am 16. Dezember 2016", [("16. Dezember 2016", "2016-12-16")]),
    ],
)
def test_dates_in_running_text(text, expected):
    assert [(d.surface, d.value) for d in find_dates(text)] == expected
    assert all(text[d.start : d.end] == d.surface for d in find_dates(text))


@pytest.mark.parametrize(
    "text",
    [
        "we may go and May we",  # the verb, and a month with no preposition before it
        "أب الأسرة",  # "father", which folds like the Levantine August آب
        "2000 people in 1999 words",  # "in 1999" is a year; the bare 2000 is not
        "30 February 2016",  # impossible
        "on 31 April",
        "25-летия независимости",
        "в казане",  # a cauldron, not Kazakh October in the locative
    ],
)
def test_not_dates(text):
    found = [(d.surface, d.value) for d in find_dates(text)]
    assert found in ([], [("1999", "1999")])
    if "1999" in text:
        assert found == [("1999", "1999")]


def test_a_long_text_of_many_month_names_is_searched_in_one_pass():
    # each month name once searched all the text before it for its day (50,000 took minutes)
    text = "December " * 50_000 + "1er\u00a0\u00a0 décembre 2016, a16 Dec 2017 et le 16. Dezember"
    found = find_dates(text)
    assert [(mention.surface, mention.value) for mention in found] == [
        ("1er\u00a0\u00a0 décembre 2016", "2016-12-01"), ("Dec 2017", "2017-12"),
        ("16. Dezember", "XXXX-12-16"),
    ]
    assert all(text[mention.start:mention.end] == mention.surface for mention in found)


def test_tweet_collection_segments_keep_offsets_into_each_tweet():
    segments = pd.DataFrame(
        {
            "article_id": ["tweets-demo-0"] * 2,
            "segment_id": ["tweets-demo-0:1", "tweets-demo-0:2"],
            "kind": ["tweet", "tweet"],
            "start": [0, 0],
            "end": [33, 30],
            "text": ["Facebook заблокирован в Караганде", "Telegram works in Almaty today"],
            "lang": ["ru", "en"],
        }
    )
    mentions = extract_mentions(segments, Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS)))
    first = mentions[mentions["segment_id"] == "tweets-demo-0:1"]
    assert list(zip(first["type"], first["surface"], first["value"], strict=True)) == [
        ("platform", "Facebook", "facebook"),
        ("place", "Караганде", "609655"),
    ]
    second = mentions[mentions["segment_id"] == "tweets-demo-0:2"]
    assert list(second["start"]) == [0, 18]


def test_cli_writes_the_contract_columns(tmp_path):
    raw = read_text(SEED)
    segments_path, output = tmp_path / "seed.parquet", tmp_path / "mentions" / "seed.parquet"
    write_segments(parse_article(raw, SEED.stem, path=SEED, article_lang="ar"), segments_path)
    thresholds = gc.get_threshold()
    assert (
        main(["--segments", str(segments_path), "--platforms", str(PLATFORMS), "--output", str(output)]) == 0
    )
    # the garbage collector as it was: enabled, same thresholds, nothing left frozen
    assert gc.isenabled() and gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    written = pd.read_parquet(output)
    assert tuple(written.columns) == COLUMNS
    assert written["start"].dtype == "int64"
    assert set(written["type"]) == {"place", "place_rejected", "platform", "date"}


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys):
    from kzshutdowns.errors import run_main

    path = tmp_path / "not-parquet.parquet"
    path.write_text("hello", encoding="utf-8")
    code = run_main(
        main,
        ["--segments", str(path), "--platforms", str(PLATFORMS), "--output", str(tmp_path / "out.parquet")],
    )
    assert code == 2
    assert capsys.readouterr().err.startswith(f"error: {path}: cannot read segments Parquet")
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("segment_id", 2, "globalvoices-ar-48274:p1", "repeats the segment of row 1"),
        ("lang", 1, "EN", "'EN' is not an ISO 639-1 code or 'und'"),
        ("lang", 3, "arabic", "'arabic' is not an ISO 639-1 code or 'und'"),
    ],
)
def test_cli_refuses_repeated_segment_ids_and_malformed_languages(tmp_path, capsys, column, row, value,
                                                                   message):
    from kzshutdowns.errors import run_main

    segments = parse_article(read_text(SEED), SEED.stem, path=SEED, article_lang="ar")
    segments.loc[row, column] = value
    path, output = tmp_path / "segments.parquet", tmp_path / "out.parquet"
    write_segments(segments, path)
    code = run_main(main, ["--segments", str(path), "--platforms", str(PLATFORMS), "--output", str(output)])
    assert code == 2
    assert capsys.readouterr().err == f"error: {path}:{row + 1}: {column}: {message}\n"
    assert not output.exists()


DATE_LETTERS = "0123456789 -/.,()_x May Dec декабря أيار/مايو كانون الأول عام году жылы in"


@given(st.text(alphabet=DATE_LETTERS, max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_dates_that_round_trip(text):
    for date in find_dates(text):
        assert text[date.start:date.end] == date.surface
        assert date.value[:4].isdigit() or date.value.startswith("XXXX-")


@given(st.lists(st.text(alphabet=DATE_LETTERS + "\n\t٠١٢٦", max_size=40), max_size=30))
@settings(max_examples=300, deadline=None)
def test_dates_of_a_batch_are_the_dates_of_each_text(texts):
    found = find_dates_many(texts)
    assert [found.get(index, []) for index in range(len(texts))] == [find_dates(text) for text in texts]
    assert all(found.values())  # texts without dates are left out


@given(st.lists(st.text(alphabet="ab2016 \n\t\u00a0\u2003\x1c", max_size=12), max_size=20),
       st.sets(st.text(alphabet="ab2016", min_size=1, max_size=4), max_size=4))
@settings(max_examples=300, deadline=None)
def test_texts_holding_a_token_are_those_whose_split_holds_it(texts, tokens):
    # Unicode white space (no-break and em space, the file separator) separates tokens as split() does
    holding = extract_mentions_module._texts_holding(texts, "\n".join(texts), tokens)
    assert holding == {index for index, text in enumerate(texts) if not tokens.isdisjoint(text.split())}



def test_texts_holding_more_tokens_than_are_searched_for():
    # Many tokens (distinct numbers): the texts are split instead; text 5 holds 0005, text 40 only 0005x
    texts = [f"a {number:04d}\u00a0b" for number in range(40)] + ["0005x", ""]
    tokens = {f"{number:04d}" for number in range(0, 40, 2)} | {"0005"}
    assert len(tokens) > extract_mentions_module._TOKENS_SEARCHED
    holding = extract_mentions_module._texts_holding(texts, "\n".join(texts), tokens)
    assert holding == {*range(0, 40, 2), 5}

ASCII_DATE_PIECES = st.sampled_from(
    ["May", "MAY", "may", "Mayo", "dec", "Dez", "SEPT", "sept", "Janvier", "JUNI", "ma", "y", "2016", "201",
     "1", "0000", "https", "://t.co/", "AbC9", "_", "-", ".", "#", "@", "é", "x", "Q"])


@given(st.lists(st.lists(ASCII_DATE_PIECES, max_size=8).map("".join), max_size=25))
@settings(max_examples=300, deadline=None)
def test_ascii_tokens_are_checked_at_once_as_one_by_one(tokens):
    tokens = [token for token in dict.fromkeys(tokens) if token and token.isascii()]
    assert extract_mentions_module._ascii_date_tokens(tokens) == {
        token for token in tokens if extract_mentions_module._may_hold_date(token)}


@given(st.text(alphabet=st.characters(max_codepoint=127, categories=["L"]), min_size=1, max_size=10)
       | st.sampled_from(sorted(extract_mentions_module.MONTHS)).map(lambda name: name.split()[0]))
@settings(max_examples=300, deadline=None)
def test_ascii_month_words_are_the_words_the_lookups_pass(word):
    if word.isascii():
        for written in (word, word.upper(), word.title()):
            assert (written.lower().encode() in extract_mentions_module._ASCII_MONTH_WORDS) == bool(
                extract_mentions_module._month_of(written)
                or extract_mentions_module._starts_two_word_month(written))


def test_every_ascii_month_name_is_a_word_the_lookups_pass():
    words = extract_mentions_module._ASCII_MONTH_WORDS
    assert {b"may", b"dec", b"septembre", b"dezember"} <= words
    for word in words:
        assert word.isalpha()
        assert extract_mentions_module._month_of(word.decode().title())


def test_only_digits_that_may_begin_a_year_make_a_text_searched(monkeypatch):
    """Four digits trigger a search only where a date's year may begin (no word character or hyphen
    before them, no word character after): the dates found are still those of each text alone."""
    texts = ["2016-12-16", "x2016-12-16", "on 2016-12-16.", "since 2016", "since 2016x", "since _2016",
             "https://t.co/2016 in 2016", "ab1234cd", "https://t.co/Ab2016", "в 2016 году", "(2016-12-16)",
             "عام ٢٠١٦", "в2016 году", "в 2016г"]  # digits of another script; a year glued to a letter
    searched = []
    monkeypatch.setattr(extract_mentions_module, "find_dates",
                        lambda text: searched.append(text) or find_dates(text))
    found = find_dates_many(texts)
    assert [found.get(index, []) for index in range(len(texts))] == [find_dates(text) for text in texts]
    assert sorted(found) == [0, 2, 3, 6, 9, 10, 11]
    # not x2016, 2016x, _2016, Ab2016, в2016, 2016г
    assert searched == [texts[index] for index in (0, 2, 3, 6, 9, 10, 11)]


def test_dates_in_links_and_handles_are_found_as_one_by_one():
    texts = ["see https://t.co/Ab2016x in 2016", "https://t.co/xMayZ", "https://t.co/x/May/9 in May",
             "@user_dec 16 Dec 2016", "no date https://t.co/12345", "16 DEC. 2016", "в мае 2016 года"]
    found = find_dates_many(texts)
    assert [found.get(index, []) for index in range(len(texts))] == [find_dates(text) for text in texts]
    assert sorted(found) == [0, 2, 3, 5, 6]


@given(st.integers(0, 5000), st.lists(st.lists(st.integers(), max_size=4), max_size=12))
def test_found_numbers_each_mention_by_its_document(first, per_document):
    found = extract_mentions_module._found(first, per_document)
    orders, objects = [], []
    for order, mentions in enumerate(per_document, start=first):  # as the batch loop did it
        orders.extend([order] * len(mentions))
        objects.extend(mentions)
    assert found.orders.dtype == np.int64
    assert found.orders.tolist() == orders
    assert found.objects == objects


def mentions_row_by_row(segments, geocoder, lexicon):
    """The mentions as built before the column-wise code: one dict per mention, one frame, one sort."""
    rows = []
    for order, segment in enumerate(segments.itertuples(index=False)):
        base = {"article_id": segment.article_id, "segment_id": segment.segment_id, "_order": order}
        offset, lang = int(segment.start), None if segment.lang in {"und", ""} else segment.lang
        places, rejections = geocoder.resolve(segment.text, lang)
        rows += [base | {"type": "place", "start": offset + p.start, "end": offset + p.end,
                         "surface": p.surface, "value": str(p.geonameid), "name": p.name,
                         "country_code": p.country_code,
                         "admin1": p.admin1, "lat": float(p.lat), "lon": float(p.lon), "kind": p.kind,
                         "region_code": p.region_code, "method": p.method, "score": float(p.score)}
                 for p in places]
        rows += [base | {"type": "place_rejected", "start": offset + r.start, "end": offset + r.end,
                         "surface": r.surface, "reason": r.reason, "detail": r.detail} for r in rejections]
        rows += [base | {"type": "platform", "start": offset + m.start, "end": offset + m.end,
                         "surface": m.surface, "value": m.platform_id}
                 for m in find_platforms(segment.text, lexicon)]
        rows += [base | {"type": "date", "start": offset + d.start, "end": offset + d.end,
                         "surface": d.surface, "value": d.value} for d in find_dates(segment.text)]
    table = pd.DataFrame(rows)
    table["_type"] = table["type"].map(TYPE_ORDER)
    table = table.sort_values(["_order", "start", "end", "_type"], kind="stable")
    for column in COLUMNS:
        if column not in table.columns:
            table[column] = None
    return table[list(COLUMNS)].reset_index(drop=True)


def tweet_segments(*texts):
    return pd.DataFrame({
        "article_id": "tweets-t-0", "segment_id": [f"tweets-t-0:{n}" for n in range(len(texts))],
        "kind": "tweet", "start": 0, "end": [len(text) for text in texts], "text": list(texts), "lang": "und",
    })


# Texts for segments that repeat texts (retweets): each is one document however often it occurs.
REPEATED = [
    "RT Facebook заблокирован в Караганде 16 декабря 2016",
    "no mention at all here",
    "Independence Day in Almaty, Instagram is down",
    "RT Facebook заблокирован в Караганде 16 декабря 2016",
    "в казане",
    "no mention at all here",
    "Independence Day in Almaty, Instagram is down",
    "Oral statements by Telegram in May 2016",
    "RT Facebook заблокирован в Караганде 16 декабря 2016",
]


def repeated_segments(object_ids=False):
    """Segments of :data:`REPEATED` as paragraphs of one text (spans not at 0), with the same text
    sometimes in another language (so another document), and languages missing (None: each such
    segment is a document of its own)."""
    starts = [100 * number for number in range(len(REPEATED))]
    frame = pd.DataFrame({
        "article_id": "a", "segment_id": [f"a:p{n}" for n in range(len(REPEATED))], "kind": "paragraph",
        "start": starts, "end": [start + len(text) for start, text in zip(starts, REPEATED, strict=True)],
        "text": REPEATED, "lang": ["ru", "en", "en", "ru", "und", "en", None, "en", "kk"],
    })
    if object_ids:  # ids of dtype object, not str
        frame = frame.astype({"article_id": object, "segment_id": object})
    return frame


CASES = ["seed", "tweets", "platforms only", "dates only", "places without regions", "rejections and dates",
         "repeated texts", "object ids"]


def case_segments(case):
    if case == "seed":
        return parse_article(read_text(SEED), SEED.stem, path=SEED, article_lang="ar")
    if case == "tweets":
        paths = sorted((ROOT / "tests" / "data" / "tweets").glob("*.jsonl"))
        parsed = [parse_tweets(read_shard_lines(path, 0, 1), path.stem, path) for path in paths]
        return pd.concat([frame[list(SEGMENT_COLUMNS)] for frame in parsed], ignore_index=True)
    if case in ("repeated texts", "object ids"):
        return repeated_segments(object_ids=case == "object ids")
    return tweet_segments(*{
        "platforms only": ["Facebook and WhatsApp are down", "no Telegram today"],
        "dates only": ["since March, then 2016-12-16", "в 2011 году"],
        "places without regions": ["Almaty and Astana are offline, Facebook too", "in May 2016 in Paris"],
        "rejections and dates": ["Independence Day, 16 December 2016", "в казане"],
    }[case])


@pytest.mark.parametrize("batch_size", [extract_mentions_module.BATCH_SIZE, 2])
@pytest.mark.parametrize("case", CASES)
def test_columns_frame_and_file_equal_the_row_by_row_build(case, batch_size, tmp_path, monkeypatch):
    """Same values, same order, same dtypes (a column null throughout is float64 or object as
    pandas made it from dicts), and so the same Parquet bytes, pandas metadata included; whether
    the documents are searched in one batch or in batches of two (so that a column's blocks differ
    from batch to batch), and whether the file is written from the frame or from mention_table."""
    monkeypatch.setattr(extract_mentions_module, "BATCH_SIZE", batch_size)
    segments = case_segments(case)
    geocoder, lexicon = Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS))
    expected = mentions_row_by_row(segments, geocoder, lexicon)
    mentions = extract_mentions(segments, geocoder, lexicon)
    pd.testing.assert_frame_equal(mentions, expected, check_exact=True)
    assert list(mentions.dtypes) == list(expected.dtypes)
    write_mentions(mentions, tmp_path / "columns.parquet")
    write_mentions(expected, tmp_path / "rows.parquet")
    write_mention_table(mention_table(segments, geocoder, lexicon), tmp_path / "table.parquet")
    assert (tmp_path / "columns.parquet").read_bytes() == (tmp_path / "rows.parquet").read_bytes()
    assert (tmp_path / "table.parquet").read_bytes() == (tmp_path / "rows.parquet").read_bytes()
    kinds = {  # each small case has the kinds of mention it is named after
        "platforms only": {"platform"},
        "dates only": {"date"},
        "places without regions": {"place", "platform", "date"},
        "rejections and dates": {"place_rejected", "date"},
        "repeated texts": {"place", "place_rejected", "platform", "date"},
    }
    if case in kinds:
        assert set(mentions["type"]) == kinds[case]
        assert case != "places without regions" or mentions["region_code"].isna().all()
    if case == "object ids":  # the ids keep the dtype pandas gives Python strings
        assert mentions["segment_id"].dtype == "str"


def test_repeated_texts_are_searched_once_per_language(monkeypatch):
    """A text repeated in the same language is geocoded once; in another language, or with no
    language, again; and each segment still gets its own mentions, with spans into its own text."""
    geocoder, lexicon = Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS))
    searched = []
    resolve_batch = geocoder.resolve_batch

    def counting(texts, langs):
        searched.extend(zip(texts, langs, strict=True))
        return resolve_batch(texts, langs)

    monkeypatch.setattr(geocoder, "resolve_batch", counting)
    segments = repeated_segments()
    mentions = extract_mentions(segments, geocoder, lexicon)
    # 9 segments: p3 and p5 repeat the (text, language) of p0 and p1; p8 is p0's text in Kazakh;
    # "und" and a missing language (NaN) are passed on as None: the geocoder detects the language
    assert [text for text, _ in searched] == [REPEATED[n] for n in (0, 1, 2, 4, 6, 7, 8)]
    assert [lang for _, lang in searched] == ["ru", "en", "en", None, None, "en", "kk"]
    rt = mentions[mentions["surface"] == "Караганде"]
    assert list(rt["segment_id"]) == ["a:p0", "a:p3", "a:p8"]
    assert list(rt["start"]) == [start + REPEATED[0].index("Караганде") for start in (0, 300, 800)]
    # In a column of objects, a missing language may be None, NaN or pd.NA: each such segment is
    # searched on its own, its language left to the geocoder to detect.
    searched.clear()
    mentions = extract_mentions(tweet_segments("в Актау", "в Актау", "в Актау").assign(
        lang=pd.Series([None, np.nan, pd.NA], dtype=object)), geocoder, lexicon)
    assert [lang for _, lang in searched] == [None, None, None]
    assert list(mentions.loc[mentions["type"] == "place", "name"]) == ["Aktau"] * 3


def test_mentions_at_the_same_span_are_ordered_by_type(monkeypatch):
    """Place, rejected place, platform, date: here a fake date finder that reads every platform's and
    place's span as a date, so that two types share each span."""
    texts = ["Facebook in Almaty", "Almaty: Telegram"]

    def dates_at_names(batch):
        spans = {"Facebook", "Almaty", "Telegram"}
        return {index: [DateMention(m.start(), m.end(), m.group(), "2016")
                        for m in re.finditer(r"\w+", text) if m.group() in spans]
                for index, text in enumerate(batch)}

    monkeypatch.setattr(extract_mentions_module, "find_dates_many", dates_at_names)
    mentions = extract_mentions(tweet_segments(*texts), Geocoder.load(),
                                compile_lexicon(load_platforms(PLATFORMS)))
    assert list(zip(mentions["surface"], mentions["type"], strict=True)) == [
        ("Facebook", "platform"), ("Facebook", "date"), ("Almaty", "place"), ("Almaty", "date"),
        ("Almaty", "place"), ("Almaty", "date"), ("Telegram", "platform"), ("Telegram", "date")]


@pytest.mark.parametrize("texts", [["nothing here", "nor here"], []])
def test_segments_without_mentions_give_the_empty_frame_and_file(texts, tmp_path):
    """No mention (or no segment): an empty frame with the contract's dtypes, and its file from
    mention_table byte for byte the file of the frame."""
    geocoder, lexicon = Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS))
    segments = tweet_segments(*texts)
    mentions = extract_mentions(segments, geocoder, lexicon)
    expected = pd.DataFrame({column: pd.Series(dtype=SCHEMA_DTYPES[column]) for column in COLUMNS})
    pd.testing.assert_frame_equal(mentions, expected, check_exact=True)
    write_mentions(expected, tmp_path / "frame.parquet")
    write_mention_table(mention_table(segments, geocoder, lexicon), tmp_path / "table.parquet")
    assert (tmp_path / "table.parquet").read_bytes() == (tmp_path / "frame.parquet").read_bytes()


SCHEMA_DTYPES = {column: "int64" if column in ("start", "end") else "float64"
                 if column in ("lat", "lon", "score") else "str" for column in COLUMNS}


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_string_dtype_languages_give_the_mentions_of_str_dtype_languages(tmp_path, storage):
    """A file written from pandas' "string" dtype holds its nulls as pd.NA when read back (the
    geocoder once failed on them: boolean value of NA is ambiguous); it gives the mentions a file
    written from the str dtype (nulls NaN) gives."""
    segments = tweet_segments("в Актау", "Facebook in Almaty", "в Актау").assign(lang=["ru", None, None])
    segments.astype({"lang": pd.StringDtype(storage)}).to_parquet(tmp_path / "string.parquet")
    segments.astype({"lang": "str"}).to_parquet(tmp_path / "str.parquet")
    read, expected = read_segments(tmp_path / "string.parquet"), read_segments(tmp_path / "str.parquet")
    assert read["lang"].isna().tolist() == expected["lang"].isna().tolist() == [False, True, True]
    geocoder, lexicon = Geocoder.load(), compile_lexicon(load_platforms(PLATFORMS))
    mentions = extract_mentions(read, geocoder, lexicon)
    pd.testing.assert_frame_equal(mentions, extract_mentions(expected, geocoder, lexicon))
    assert {"tweets-t-0:1", "tweets-t-0:2"} <= set(mentions.loc[mentions["type"] == "place", "segment_id"])
