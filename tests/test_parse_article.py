"""The article parser: the seed article, four articles in other languages and layouts, the translation
rule, tags, the Parquet output, a property test, and bad input through the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys
import tempfile
from itertools import accumulate
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import read_text
from kzshutdowns.language import LANGUAGES, UNDETERMINED
from kzshutdowns.parse_article import (
    COLUMNS,
    SCHEMA,
    find_tags,
    main,
    parse_article,
    split_lines,
    tag_values,
    tag_values_many,
    write_segments,
)
from kzshutdowns.segments import KINDS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data/raw/articles/globalvoices-ar-48274.txt"
SEED_ID = "globalvoices-ar-48274"
FIXTURES = ROOT / "tests/data/articles"


def check_invariants(segments: pd.DataFrame, raw: str) -> None:
    """What must hold for every parse: spans, ids, kinds, links, languages, document order."""
    assert list(segments.columns) == list(COLUMNS)
    for row in segments.itertuples(index=False):
        assert raw[row.start : row.end] == row.text
        assert row.text == row.text.strip() and row.text
        assert raw.count("\n", 0, row.start) + 1 == row.line
        assert row.kind in KINDS
        assert row.lang in (*LANGUAGES, UNDETERMINED)
    assert segments["segment_id"].is_unique
    assert segments["start"].is_monotonic_increasing
    tweets = segments[segments["kind"] == "tweet"]
    assert tweets["handle"].notna().all() and tweets["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    translations = segments[segments["kind"] == "translation"]
    assert translations["translates"].isin(tweets["segment_id"]).all()
    assert (translations["segment_id"] == translations["translates"] + "." + translations["lang"]).all()
    others = segments[segments["kind"] != "translation"]
    assert others["translates"].isna().all()


def rows(segments: pd.DataFrame, kind: str) -> pd.DataFrame:
    return segments[segments["kind"] == kind].reset_index(drop=True)


@pytest.fixture(scope="module")
def seed() -> tuple[str, pd.DataFrame]:
    raw = read_text(SEED)
    return raw, parse_article(raw, SEED_ID, path=SEED, article_lang="ar")


# --- the seed ---------------------------------------------------------------------------------


def test_seed_has_exactly_three_tweets_with_author_handle_language_and_date(seed):
    raw, segments = seed
    check_invariants(segments, raw)
    tweets = rows(segments, "tweet")
    assert tweets["handle"].tolist() == ["Malik_MKZ", "isilmine", "joannalillis"]
    assert tweets["author"].tolist() == ["Malik Zhumagaliyev", "big ol pupper", "Joanna Lillis"]
    assert tweets["lang"].tolist() == ["ru", "ru", "en"]
    assert tweets["date"].tolist() == ["2016-12-16"] * 3
    assert tweets["line"].tolist() == [2, 6, 10]
    assert tweets["segment_id"].tolist() == [f"{SEED_ID}:t1", f"{SEED_ID}:t2", f"{SEED_ID}:t3"]
    assert tweets["text"][2] == "Help! We have no access to social media in #Kazakhstan #test"


def test_seed_translations_are_linked_to_their_tweets(seed):
    _, segments = seed
    translations = rows(segments, "translation")
    linked = {
        tweet: translations.loc[translations["translates"] == f"{SEED_ID}:{tweet}", "lang"].tolist()
        for tweet in ("t1", "t2", "t3")
    }
    assert linked == {"t1": ["en", "ar"], "t2": ["en", "ar"], "t3": ["ar"]}
    assert translations["line"].tolist() == [4, 5, 8, 9, 12]
    assert translations["text"][2] == "Independence Day from social media"
    assert translations[["author", "handle", "date"]].isna().all().all()


def test_seed_has_the_five_arabic_article_paragraphs(seed):
    _, segments = seed
    paragraphs = rows(segments, "paragraph")
    assert paragraphs["line"].tolist() == [1, 13, 14, 15, 16]
    assert paragraphs["lang"].tolist() == ["ar"] * 5
    assert paragraphs["segment_id"].tolist() == [f"{SEED_ID}:p{n}" for n in range(1, 6)]
    assert paragraphs["text"][1].startswith("صرحت وزارة المعلومات")


def test_seed_hashtags_and_mentions_are_split_as_written(seed):
    _, segments = seed
    by_id = segments.set_index("segment_id")
    first = by_id.loc[f"{SEED_ID}:t1"]
    assert list(first["mentions"]) == ["facebook", "YouTube", "instagram"]
    assert list(first["hashtags"]) == ["независимость", "казахстан", "новости", "астана"]
    assert list(by_id.loc[f"{SEED_ID}:t2", "hashtags"]) == ["казахстан", "youtube", "facebook", "instagram"]
    assert list(by_id.loc[f"{SEED_ID}:t3", "hashtags"]) == ["Kazakhstan", "test"]
    assert list(by_id.loc[f"{SEED_ID}:t1.en", "mentions"]) == ["Facebook", "YouTube", "Instagram"]
    assert sum(len(tags) for tags in by_id["hashtags"]) == 10


def test_seed_drops_nothing_but_the_attribution_lines(seed):
    raw, segments = seed
    covered = set()
    for row in segments.itertuples(index=False):
        covered.update(range(row.start, row.end))
    uncovered_lines = {
        raw.count("\n", 0, i) + 1 for i, c in enumerate(raw) if not c.isspace() and i not in covered
    }
    assert uncovered_lines == {3, 7, 11}
    assert len(segments) == 13


def test_seed_parquet_has_the_explicit_schema_and_is_byte_identical_across_writes(seed, tmp_path):
    _, segments = seed
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_segments(segments, first)
    write_segments(segments, second)
    assert first.read_bytes() == second.read_bytes()
    table = pq.read_table(first)
    assert table.schema.remove_metadata().equals(SCHEMA)
    back = pd.read_parquet(first)
    assert back["segment_id"].tolist() == segments["segment_id"].tolist()
    assert [list(tags) for tags in back["hashtags"]] == [list(tags) for tags in segments["hashtags"]]


def test_seed_article_language_is_inferred_when_not_given(seed):
    raw, segments = seed
    guessed = parse_article(raw, SEED_ID)
    pd.testing.assert_frame_equal(guessed, segments)


# --- articles of other languages and layouts ---------------------------------------------------


def parse_fixture(name: str, lang: str) -> pd.DataFrame:
    raw = read_text(FIXTURES / f"{name}.txt")
    segments = parse_article(raw, name, path=FIXTURES / f"{name}.txt", article_lang=lang)
    check_invariants(segments, raw)
    return segments


def layout(segments: pd.DataFrame) -> list[tuple]:
    """(segment suffix, kind, line, lang) per row, the shape a reader would check by eye."""
    return [
        (row.segment_id.split(":", 1)[1], row.kind, row.line, row.lang)
        for row in segments.itertuples(index=False)
    ]


def test_russian_article_with_en_dash_attributions_and_russian_dates():
    segments = parse_fixture("ru-endash", "ru")
    assert layout(segments) == [
        ("p1", "paragraph", 1, "ru"),
        ("t1", "tweet", 3, "ru"),  # in the article's language: no translation follows
        ("t2", "tweet", 6, "kk"),
        ("t2.ru", "translation", 8, "ru"),
        ("t3", "tweet", 10, "en"),
        ("t3.ru", "translation", 12, "ru"),
        ("p2", "paragraph", 13, "ru"),
    ]
    tweets = rows(segments, "tweet")
    assert tweets["date"].tolist() == ["2016-12-16", "2016-12-16", "2016-12-17"]
    assert tweets["author"].tolist() == ["Айгерим Сапарова", "Ерлан Қасымов", "Sam Rivers"]
    assert tweets["handle"].tolist() == ["aigerim_s", "erlan_kz", "sam_rivers_kz"]
    assert list(tweets["hashtags"][1]) == ["қазақстан", "тәуелсіздік"]
    assert list(tweets["mentions"][0]) == ["kaznet_watch"]


def test_english_article_with_double_hyphen_attributions_and_day_first_dates():
    segments = parse_fixture("en-doubledash", "en")
    assert layout(segments) == [
        ("p1", "paragraph", 1, "en"),
        ("t1", "tweet", 2, "ru"),
        ("t1.en", "translation", 4, "en"),
        ("t2", "tweet", 5, "fr"),
        ("t2.en", "translation", 7, "en"),
        ("t3", "tweet", 8, "en"),
        ("t4", "tweet", 10, "kk"),
        ("t4.ru", "translation", 12, "ru"),
        ("t4.en", "translation", 13, "en"),
        ("p2", "paragraph", 14, "en"),
    ]
    tweets = rows(segments, "tweet")
    assert tweets["date"].tolist() == ["2016-12-16"] * 4
    assert tweets["author"].tolist() == ["Dana K.", "Claire Martin", "Arman", "Гүлнар"]
    assert list(tweets["hashtags"][2]) == []  # '#frag' inside a URL is no hashtag
    assert list(tweets["mentions"][1]) == ["RFI"]


def test_french_article_with_em_dash_french_and_german_dates_and_blank_lines():
    segments = parse_fixture("fr-emdash", "fr")
    assert layout(segments) == [
        ("p1", "paragraph", 1, "fr"),
        ("t1", "tweet", 3, "en"),
        ("t1.fr", "translation", 6, "fr"),
        ("t2", "tweet", 8, "de"),
        ("t2.fr", "translation", 11, "fr"),
        ("p2", "paragraph", 13, "fr"),
    ]
    assert rows(segments, "tweet")["date"].tolist() == ["2016-12-16", "2016-12-16"]


def test_arabic_article_with_egyptian_levantine_and_double_month_names():
    segments = parse_fixture("ar-egyptian", "ar")
    assert layout(segments) == [
        ("p1", "paragraph", 1, "ar"),
        ("t1", "tweet", 2, "ru"),
        ("t1.ar", "translation", 4, "ar"),
        ("t2", "tweet", 5, "en"),
        ("t2.ar", "translation", 7, "ar"),
        ("p2", "paragraph", 8, "ar"),
        ("t3", "tweet", 9, "ru"),
        ("t3.ar", "translation", 11, "ar"),
    ]
    # ديسمبر (Egyptian), ١٦ كانون الأول ٢٠١٦ (Levantine, Arabic-Indic digits), كانون الأول/ديسمبر
    assert rows(segments, "tweet")["date"].tolist() == ["2016-12-16", "2016-12-16", "2016-12-17"]


# --- the translation rule and attribution lines, one case each ----------------------------------

TWEET_EN = "Help! We have no access to social media in #Kazakhstan\n— A (@a) December 16, 2016\n"


def kinds(text: str, lang: str | None = "ar") -> list[tuple[str, str]]:
    return [(row.kind, row.lang) for row in parse_article(text, "x", article_lang=lang).itertuples()]


def test_a_tweet_in_the_article_language_gets_no_translation():
    text = (
        "ساعدونا! لا نستطيع الدخول إلى مواقع التواصل\n— A (@a) December 16, 2016\nNo access to social media\n"
    )
    assert kinds(text) == [("tweet", "ar"), ("paragraph", "en")]


def test_a_line_much_longer_than_the_tweet_is_a_paragraph_not_a_translation():
    long_arabic = "صرحت وزارة المعلومات بأن تلك المواقع كانت معطلة " * 4
    assert kinds(TWEET_EN + long_arabic) == [("tweet", "en"), ("paragraph", "ar")]


def test_translations_stop_after_the_article_language_and_at_a_repeated_language():
    text = TWEET_EN + "Нет доступа к соцсетям\nساعدونا!\nيوم الاستقلال من مواقع التواصل الاجتماعي.\n"
    assert kinds(text) == [("tweet", "en"), ("translation", "ru"), ("translation", "ar"), ("paragraph", "ar")]
    assert kinds(text, lang="fr") == [
        ("tweet", "en"),
        ("translation", "ru"),
        ("translation", "ar"),
        ("paragraph", "ar"),
    ]


def test_a_line_of_undetermined_language_ends_the_translations():
    assert kinds(TWEET_EN + "2016 — 25\nساعدونا!\n") == [
        ("tweet", "en"),
        ("paragraph", "und"),
        ("paragraph", "ar"),
    ]


def test_translations_never_swallow_the_next_tweet():
    text = TWEET_EN + "Нет доступа\nДень Независимости от социальных сетей\n— B (@b) 16 декабря 2016 г.\n"
    segments = parse_article(text, "x", article_lang="ar")
    assert segments["kind"].tolist() == ["tweet", "translation", "tweet"]
    assert segments["handle"].tolist()[2] == "b"


@pytest.mark.parametrize(
    "attribution",
    [
        "—Joanna Lillis (@joannalillis)December 16, 2016",
        "– Joanna Lillis (@joannalillis) 16 December 2016",
        "-- Joanna Lillis (@joannalillis) 16 décembre 2016",
        "— Joanna Lillis (@joannalillis) 16 декабря 2016 г.",
        "— Joanna Lillis (@joannalillis) 16 كانون الأول 2016",
        "— Joanna Lillis (@joannalillis) 16 ديسمبر 2016",
        "— Joanna Lillis (@joannalillis) 16. Dezember 2016",
        "  ― Joanna Lillis   (@joannalillis)   2016-12-16  ",
    ],
)
def test_attribution_forms(attribution):
    segments = parse_article(f"Help! No social media #Kazakhstan\n{attribution}\n", "x", article_lang="en")
    tweet = segments.iloc[0]
    assert (tweet["kind"], tweet["author"], tweet["handle"], tweet["date"]) == (
        "tweet",
        "Joanna Lillis",
        "joannalillis",
        "2016-12-16",
    )


def test_a_tweet_younger_than_the_article_is_refused_with_a_day_left_for_time_zones():
    published = dt.date(2016, 12, 16)
    next_day = parse_article(
        "Help!\n— A (@a) December 17, 2016\n", "x", article_lang="en", published=published
    )
    assert next_day["date"].tolist() == ["2016-12-17"]
    with pytest.raises(InputError) as caught:
        parse_article("Text\n\nHelp!\n— A (@a) December 18, 2016\n", "x", path="a.txt", published=published)
    assert (caught.value.line, caught.value.field) == (4, "date")
    assert "after the article was published (2016-12-16)" in caught.value.message


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\t "])
def test_a_dash_line_with_a_long_run_of_white_space_is_parsed_in_one_pass(blank):
    # the attribution pattern once tried every split of such a run (cubic: 5,000 spaces took 80 s)
    run = blank * (20_000 // len(blank))
    segments = parse_article(f"— {run}x\nTweet\n— A{run}(@a){run}December 16, 2016\n", "x", article_lang="en")
    assert segments["kind"].tolist() == ["paragraph", "tweet"]
    assert segments[["author", "handle", "date"]].values.tolist()[1] == ["A", "a", "2016-12-16"]


def test_an_attribution_without_a_display_name_has_no_author():
    segments = parse_article("Help!\n— (@someone) December 16, 2016\n", "x", article_lang="en")
    assert segments["author"].isna().all() and segments["handle"].tolist() == ["someone"]


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("Tweet text\n— A (@a) February 30, 2016\n", 2, "date", "impossible date"),
        ("Tweet text\n\n— A (@a) 31 апреля 2016 г.\n", 3, "date", "impossible date"),
        ("Tweet text\n— A (@a) Decembruary 16, 2016\n", 2, "date", "unknown month name"),
        ("Tweet text\n— A (@a) 16 كانون الأول/نوفمبر 2016\n", 2, "date", "disagree"),
        ("Tweet text\n— A (@a) yesterday\n", 2, "date", "not a date"),
        # a tweet before the first tweet (2006-03-21) or after today
        ("Tweet text\n— A (@a) March 20, 2006\n", 2, "date", "'March 20, 2006' is before 2006-03-21"),
        ("Tweet text\n— A (@a) 16 декабря 2999 г.\n", 2, "date", "'16 декабря 2999 г.' is after today"),
        ("— A (@a) December 16, 2016\nText\n", 1, "tweet", "no tweet text above"),
        # an attribution whose handle is not one is not silently read as a paragraph
        ("Tweet text\n— A (@a b) December 16, 2016\n", 2, "handle", "'(@a b)' is not"),
        ("Tweet text\n— A (@a-b) December 16, 2016\n", 2, "handle", "'(@a-b)' is not"),
        ("Tweet text\n— A (@) December 16, 2016\n", 2, "handle", "'(@)' is not"),
        ("Tweet text\n-- A (@Малик) December 16, 2016\n", 2, "handle", "'(@Малик)' is not"),
        ("Tweet text\n— A (@a December 16, 2016\n", 2, "handle", "'(@a December 16, 2016' is not"),
        ("Text\n— A (@a) December 16, 2016\n— B (@b) December 16, 2016\n", 3, "tweet", "no tweet text above"),
        ("", 1, None, "no text"),
        (" \n\t\n", 1, None, "no text"),
    ],
)
def test_bad_articles_raise_input_error_with_path_line_and_field(text, line, field, problem):
    with pytest.raises(InputError) as caught:
        parse_article(text, "x", path="bad.txt")
    error = caught.value
    assert (str(error.path), error.line, error.field) == ("bad.txt", line, field)
    assert problem in error.message


# --- helpers -----------------------------------------------------------------------------------


def test_split_lines_keeps_spans_of_stripped_lines_and_skips_blank_ones():
    text = "  first line \n\n\tsecond\u00a0\nthird"
    lines = split_lines(text)
    assert [(line.number, line.text) for line in lines] == [(1, "first line"), (3, "second"), (4, "third")]
    assert all(text[line.start : line.end] == line.text for line in lines)


@pytest.mark.parametrize(
    ("text", "hashtags", "mentions"),
    [
        ("@instagram#независимость", ["независимость"], ["instagram"]),
        ("write to me@example.org or @me_2", [], ["me_2"]),
        ("see https://example.org/#section and #real", ["real"], []),
        ("#2016 is no hashtag, #2016год is", ["2016год"], []),
        ("a#b &#39; ##x", [], []),
        ("حظر #حُظرت_فيسبوك اليوم", ["حُظرت_فيسبوك"], []),
        ("@a@b (@c), #d#e", ["d"], ["a", "c"]),
    ],
)
def test_find_tags(text, hashtags, mentions):
    tags = find_tags(text)
    assert [tag.value for tag in tags if tag.kind == "hashtag"] == hashtags
    assert [tag.value for tag in tags if tag.kind == "mention"] == mentions
    assert all(text[tag.start : tag.end] == text[tag.start] + tag.value for tag in tags)


TAG_LETTERS = "ab_1 Жé ح\u064e #@&./:httpsHTTPSwW pic.twitter.com ſ\u200cıİ\u00a0\n"


@given(st.text(alphabet=TAG_LETTERS, max_size=60))
@example("mirror WWW.kz?q=@a,#b and #c")  # a URL without "/"
@example("httpſ://x.kz/@a #b pic.twitter.com/#c")
@example("PIC.TWıTTER.COM/#a www.@b http://x\u00a0@c x/#d/#e,https://y/#f")
# signs after a sign inside a URL, in its run and after white space; a prefix between two signs of a run
@example(",#a,http://x/@b,#c,@d\n,#e ,@f,www.x/#g,@h")
@settings(max_examples=500, deadline=None)
def test_tags_are_those_of_the_plain_rules(text):
    """find_tags against the rules written plainly: every regex scan always, each tag checked against
    every URL; tag_values holds the values of each kind, in order."""
    url = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
    urls = [match.span() for match in url.finditer(text)]
    outside = [m for m in re.finditer(r"(?<![\w@])@([A-Za-z0-9_]+)", text)
               if not any(a <= m.start() < b for a, b in urls)]
    expected = [("mention", m.start(), m.end(), m[1]) for m in outside]
    ends = {m.end() for m in outside}
    marks = "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c"
    for m in re.finditer(rf"#([\w{marks}]+)", text):
        before = text[m.start() - 1] if m.start() else " "
        glued = before.isalnum() or before in "_&#"
        if (not any(a <= m.start() < b for a, b in urls) and not (glued and m.start() not in ends)
                and any(char.isalpha() for char in m[1])):
            expected.append(("hashtag", m.start(), m.end(), m[1]))
    found = find_tags(text)
    assert [tuple(tag) for tag in found] == sorted(expected, key=lambda tag: tag[1])
    assert tag_values(text) == ([t.value for t in found if t.kind == "hashtag"],
                                [t.value for t in found if t.kind == "mention"])


@given(st.lists(st.text(alphabet=TAG_LETTERS, max_size=30), max_size=6))
@example(["see http://x.kz/", "@a #b"])  # a URL at the end of a text does not reach into the next
@example(["a", "#b", "@c#d", ""])
@settings(max_examples=500, deadline=None)
def test_tags_of_many_texts_are_those_of_each_text(texts):
    def by_text(found):
        assert len(found.counts) == len(texts) and sum(found.counts) == len(found.values)
        ends = list(accumulate(found.counts))
        return [found.values[end - count:end] for end, count in zip(ends, found.counts, strict=True)]

    hashtags, mentions = tag_values_many(texts)
    assert list(zip(by_text(hashtags), by_text(mentions), strict=True)) == [tag_values(t) for t in texts]


# --- property: arbitrary text parses or raises InputError with path and line ---------------------

LINE_PIECES = st.sampled_from(
    [
        "— Malik Zhumagaliyev (@Malik_MKZ) December 16, 2016",
        "—Joanna Lillis (@joannalillis)December 16, 2016",
        "-- X (@x) 16 décembre 2016",
        "– Y (@y) 16 декабря 2016 г.",
        "— Z (@z) 30 February 2016",
        "— W (@w) 16 كانون الأول/ديسمبر 2016",
        "— V (@v) soon",
        "В Казахстане заблокировали @facebook и @instagram#независимость",
        "Help! We have no access to social media in #Kazakhstan #test",
        "ساعدونا! لا نستطيع الدخول إلى مواقع التواصل الاجتماعية في كازاخستان",
        "Бүгін әлеуметтік желілер ашылмай тұр",
        "",
        "   ",
    ]
)
ARTICLES = st.lists(st.one_of(LINE_PIECES, st.text(max_size=60)), max_size=12).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLES, lang=st.sampled_from([None, "ar", "ru", "en"]))
def test_any_text_parses_or_raises_input_error_with_path_and_line(text, lang):
    try:
        segments = parse_article(text, "prop", path="prop.txt", article_lang=lang)
    except InputError as error:
        assert str(error.path) == "prop.txt"
        assert isinstance(error.line, int) and 1 <= error.line <= text.count("\n") + 1
        assert str(error).startswith(f"prop.txt:{error.line}:")
    else:
        check_invariants(segments, text)


# --- the CLI: the seed end to end, and bad input --------------------------------------------------


def write_article(folder: Path, data: bytes, drop: str | None = None, sha256: str | None = None) -> Path:
    """Write NAME.txt with ``data`` and a valid NAME.yml (optionally without a field or with another hash)."""
    text_path = folder / "article.txt"
    text_path.write_bytes(data)
    fields = {
        "description": "Test article.",
        "source_url": "https://example.org/article",
        "publisher": "Example",
        "language": "en",
        "published": "2016-12-16",
        "licence": "CC-BY-3.0",
        "licence_url": "https://creativecommons.org/licenses/by/3.0/",
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
    }
    lines = [f"{key}: {value}" for key, value in fields.items() if key != drop]
    text_path.with_suffix(".yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return text_path


def run_cli(text_path: Path, output: Path, capsys) -> tuple[int, str]:
    code = run_main(
        main,
        ["--text", str(text_path), "--meta", str(text_path.with_suffix(".yml")), "--output", str(output)],
    )
    return code, capsys.readouterr().err


def test_cli_parses_the_seed(tmp_path):
    output = tmp_path / "out" / f"{SEED_ID}.parquet"
    meta = SEED.with_suffix(".yml")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kzshutdowns.cli",
            "parse",
            "--text",
            str(SEED),
            "--meta",
            str(meta),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    segments = pd.read_parquet(output)
    assert segments["kind"].value_counts().to_dict() == {"paragraph": 5, "translation": 5, "tweet": 3}
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]


SEED_BYTES = SEED.read_bytes()


@pytest.mark.parametrize(
    ("data", "drop", "sha256", "where", "line", "problem"),
    [
        (b"", None, None, "txt", 1, "file is empty"),
        (b"Hello world\n\xff\xfe broken\n", None, None, "txt", 2, "invalid UTF-8"),
        (b"\xef\xbb\xbf" + SEED_BYTES, None, None, "txt", 1, "byte-order mark"),
        (SEED_BYTES.replace(b"\n", b"\r\n"), None, None, "txt", 1, "CR line ending"),
        (b"Help!\n\xe2\x80\x94 A (@a) February 30, 2016\n", None, None, "txt", 2, "date: attribution of @a"),
        (SEED_BYTES, "licence_url", None, "yml", 7, "licence_url: required field is missing"),
        (SEED_BYTES, None, "0" * 64, "yml", 8, "sha256: does not match"),
    ],
    ids=["empty", "invalid-utf8", "bom", "crlf", "impossible-date", "missing-field", "sha256-mismatch"],
)
def test_cli_bad_input_gives_one_line_error_exit_2_and_no_output(
    tmp_path, capsys, data, drop, sha256, where, line, problem
):
    text_path = write_article(tmp_path, data, drop=drop, sha256=sha256)
    output = tmp_path / "out" / "article.parquet"
    code, err = run_cli(text_path, output, capsys)
    assert code == 2
    bad_file = text_path if where == "txt" else text_path.with_suffix(".yml")
    assert re.fullmatch(rf"error: {re.escape(str(bad_file))}:{line}: .*{re.escape(problem)}.*\n", err), err
    assert not output.exists()
    assert not output.parent.exists() or list(output.parent.iterdir()) == []


def test_cli_refuses_metadata_of_another_article(tmp_path, capsys):
    text_path = write_article(tmp_path, SEED_BYTES)
    other = tmp_path / "other.yml"
    text_path.with_suffix(".yml").rename(other)
    code = run_main(
        main, ["--text", str(text_path), "--meta", str(other), "--output", str(tmp_path / "o.parquet")]
    )
    assert code == 2 and "does not match the article" in capsys.readouterr().err


def test_column_types_do_not_depend_on_what_the_article_holds(seed):
    _, segments = seed
    plain = parse_article("Only one paragraph, no tweets at all.", "plain", article_lang="en")
    assert plain.dtypes.equals(segments.dtypes)
    assert plain[["translates", "author", "handle", "date"]].isna().all().all()
    assert plain["hashtags"].tolist() == [[]] and plain["mentions"].tolist() == [[]]


# --- the workflow: rules check_raw_manifest and parse_article -----------------------------------


def snakemake(tree: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", *targets],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflow_checks_the_manifest_then_parses_and_leaves_nothing_on_failure(workflow_tree):
    target = f"data/interim/segments/{SEED_ID}.parquet"
    done = snakemake(workflow_tree, target)
    assert done.returncode == 0, done.stderr
    assert (workflow_tree / "data/interim/raw_manifest.tsv").read_bytes() == (
        workflow_tree / "data/raw/MANIFEST.tsv"
    ).read_bytes()
    assert pd.read_parquet(workflow_tree / target)["kind"].value_counts()["tweet"] == 3

    # an edited raw file: the manifest check fails with its one-line error, nothing is parsed
    (workflow_tree / target).unlink()
    meta = workflow_tree / f"data/raw/articles/{SEED_ID}.yml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("Global Voices", "Global-Voices"), encoding="utf-8"
    )
    failed = snakemake(workflow_tree, target)
    assert failed.returncode != 0
    log = (workflow_tree / "logs/check_raw_manifest/check_raw_manifest.log").read_text(encoding="utf-8")
    assert re.fullmatch(r"error: data/raw/MANIFEST\.tsv:3: sha256: articles/.*\n", log), log
    assert not (workflow_tree / target).exists()
    assert not (workflow_tree / "data/interim/raw_manifest.tsv").exists()


def test_cli_names_a_missing_input_file(tmp_path, capsys):
    text_path = write_article(tmp_path, SEED_BYTES)
    text_path.with_suffix(".yml").unlink()
    code, err = run_cli(text_path, tmp_path / "o.parquet", capsys)
    missing = text_path.with_suffix(".yml")
    assert code == 2 and err == f"error: {missing}: cannot read: No such file or directory\n"


def spoil(text: str, flaw: str) -> bytes:
    """Encode ``text`` as UTF-8 with one of the flaws read_text refuses (or none)."""
    data = text.encode("utf-8")
    return {
        "crlf": data.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + data,
        "latin1": b"\xff" + data,
    }.get(flaw, data)


FILE_CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.builds(spoil, ARTICLES, st.sampled_from(["none", "crlf", "bom", "latin1"])),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=FILE_CONTENTS)
def test_any_file_content_gives_exit_0_with_output_or_exit_2_with_one_line_and_none(tmp_path, capsys, data):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    text_path = write_article(folder, data)
    output = folder / "out" / "article.parquet"
    code, err = run_cli(text_path, output, capsys)
    if code == 0:
        assert output.exists() and err == ""
    else:
        assert code == 2 and err.startswith(f"error: {text_path}") and err.count("\n") == 1
        assert not output.exists()
