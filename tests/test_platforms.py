"""The platform lexicon: its content, its validation errors, and matching its names in four languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns.errors import InputError
from kzshutdowns.normalize import fold_text
from kzshutdowns.platforms import (
    _is_word,
    _left_ok,
    check_platform_ids,
    compile_lexicon,
    find_platforms,
    find_platforms_many,
    load_platforms,
)

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "data" / "reference" / "platforms.csv"
REQUIRED_IDS = {
    "facebook", "instagram", "youtube", "google", "twitter", "vkontakte", "telegram", "whatsapp", "viber",
    "signal", "moi_mir", "periscope", "gmail", "google_play", "odnoklassniki", "tiktok", "internet",
    "mobile_internet", "fixed_internet", "voice", "sms", "news_websites", "rferl_websites", "vpn",
}


@pytest.fixture(scope="module")
def platforms():
    return load_platforms(LEXICON)


@pytest.fixture(scope="module")
def lexicon(platforms):
    return compile_lexicon(platforms)


def found(text, lexicon):
    return [(m.surface, m.platform_id) for m in find_platforms(text, lexicon)]


def test_lexicon_holds_every_required_id_with_a_kind(platforms):
    assert set(platforms["id"]) >= REQUIRED_IDS
    assert set(platforms["kind"]) == {"platform", "service", "website"}
    assert platforms.loc[platforms["id"] == "vpn", "kind"].item() == "service"
    assert platforms.loc[platforms["id"] == "news_websites", "kind"].item() == "website"


def test_loaded_columns_are_strings_without_missing_values(platforms):
    assert list(platforms.columns) == ["id", "label", "kind", "aliases_en", "aliases_ru", "aliases_kk",
                                       "aliases_ar"]
    assert not platforms.isna().any().any()


def copy_lexicon(tmp_path: Path, edit) -> Path:
    target = tmp_path / "platforms.csv"
    shutil.copy(LEXICON.with_name("platforms.schema.json"), tmp_path / "platforms.schema.json")
    target.write_text(edit(LEXICON.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("edit", "line", "field", "words"),
    [
        (lambda s: s.replace("facebook,Facebook,platform", "facebook,Facebook,network"), 2, "kind", "kind"),
        (lambda s: s.replace("instagram,Instagram,", "facebook,Instagram,"), 3, "id", "duplicate"),
        (lambda s: s.replace("youtube,YouTube,", "You Tube,YouTube,"), 4, "id", "pattern"),
        (lambda s: s.replace("Вайбер,Вайбер,", "Вайбер|Фейсбук,Вайбер,"), 10, "aliases_ru", "facebook"),
        (lambda s: s.replace("Twitter|@twitter", "|Twitter|@twitter"), 6, "aliases_en", "pattern"),
        # A header alone loaded as an empty lexicon: every event's services were then "unknown".
        (lambda s: s.split("\n")[0] + "\n", 2, None, "no data rows"),
        # Line numbers count the lines of a quoted label that spans two (the alias clash is on line 5).
        (lambda s: s.replace("facebook,Facebook,", 'facebook,"Face\nbook",').replace(
            "youtube,YouTube,platform,YouTube|", "youtube,YouTube,platform,YouTube|FB|"), 5, "aliases_en",
         "facebook"),
    ],
)
def test_bad_lexicon_rows_name_line_and_field(tmp_path, edit, line, field, words):
    path = copy_lexicon(tmp_path, edit)
    with pytest.raises(InputError) as error:
        load_platforms(path)
    assert error.value.line == line
    assert error.value.field == field
    assert words in str(error.value)
    assert str(path) in str(error.value)


def test_missing_schema_is_an_input_error(tmp_path):
    path = tmp_path / "platforms.csv"
    shutil.copy(LEXICON, path)
    with pytest.raises(InputError, match="Table Schema"):
        load_platforms(path)


def test_seed_first_paragraph_list_with_glued_conjunctions(lexicon):
    text = "وتشمل القائمة كل من فيس بوك ويوتيوب وانستجرام وجوجل."
    assert found(text, lexicon) == [("فيس بوك", "facebook"), ("يوتيوب", "youtube"),
                                    ("انستجرام", "instagram"), ("جوجل", "google")]


def test_arabic_names_with_clitics_hamza_and_article(lexicon):
    assert found("مثل تويتر وفي كونتاكت متاحة", lexicon) == [
        ("تويتر", "twitter"), ("في كونتاكت", "vkontakte")]
    assert found("حُظرت فيسبوك وإنستغرام", lexicon) == [("فيسبوك", "facebook"), ("إنستغرام", "instagram")]
    assert found("انقطع الاتصال بالإنترنت", lexicon) == [("الإنترنت", "internet")]
    assert found("تيليجرام", lexicon) == [("تيليجرام", "telegram")]


def test_arabic_names_inside_other_words_are_not_matched(lexicon):
    # "فيسبوكي" (my Facebook) has a suffix; "بجوجلي" likewise: no boundary after the name.
    assert found("فيسبوكي بجوجلي", lexicon) == []


def test_russian_and_kazakh_case_endings(lexicon):
    assert found("Вчера в Фейсбуке и ВКонтакте, а в Твиттере нет", lexicon) == [
        ("Фейсбуке", "facebook"), ("ВКонтакте", "vkontakte"), ("Твиттере", "twitter")]
    assert found("Телеграмда және Ютубта", lexicon) == [("Телеграмда", "telegram"), ("Ютубта", "youtube")]
    assert found("отключили мобильный интернет", lexicon) == [("мобильный интернет", "mobile_internet")]
    assert found("Ютубер", lexicon) == []


def test_handles_hashtags_and_case(lexicon):
    text = "заблокировали @facebook, @YouTube и @instagram#независимость #YOUTUBE #Facebook"
    assert found(text, lexicon) == [("@facebook", "facebook"), ("@YouTube", "youtube"),
                                    ("@instagram", "instagram"), ("#YOUTUBE", "youtube"),
                                    ("#Facebook", "facebook")]


def test_longest_match_wins_and_latin_needs_word_boundaries(lexicon):
    assert found("Google Play, Gmail and Google", lexicon) == [
        ("Google Play", "google_play"), ("Gmail", "gmail"), ("Google", "google")]
    assert found("Facebooking and Googled and bookface", lexicon) == []
    assert found("Facebook's ban", lexicon) == [("Facebook", "facebook")]


def test_common_words_are_not_platforms(lexicon):
    # "signal" and "contact" are ordinary words; only the messenger's explicit names count.
    assert found("the mobile signal was weak, no contact", lexicon) == []
    assert found("Signal app and WhatsApp", lexicon) == [("Signal app", "signal"), ("WhatsApp", "whatsapp")]


def test_spans_round_trip_even_with_diacritics(lexicon):
    text = "حُظِرَت يُوتيُوب في كازاخستان"
    matches = find_platforms(text, lexicon)
    assert [m.platform_id for m in matches] == ["youtube"]
    assert all(text[m.start:m.end] == m.surface for m in matches)
    assert matches[0].surface == "يُوتيُوب"


def test_check_platform_ids_rejects_unknown_ids(platforms):
    check_platform_ids(["facebook", "vkontakte"], platforms, "shutdowns.csv", 3, "services_blocked")
    with pytest.raises(InputError) as error:
        check_platform_ids(["facebook", "myspace"], platforms, "shutdowns.csv", 3, "services_blocked")
    assert "myspace" in str(error.value)
    assert error.value.line == 3 and error.value.field == "services_blocked"


@given(st.text(alphabet="Facebook ВКонтакте فيس بوك وفي كونتاكت #@ َُ\u0640é", max_size=60))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_spans_that_round_trip(lexicon, text):
    for match in find_platforms(text, lexicon):
        assert text[match.start:match.end] == match.surface


def per_text(texts, lexicon):
    """find_platforms_many regrouped per text as (start, end, surface, id), for comparison."""
    found = [[] for _ in texts]
    for index, start, end, surface, platform_id in zip(*find_platforms_many(texts, lexicon), strict=True):
        found[index].append((start, end, surface, platform_id))
    return found


def reference_matches(text, lexicon):
    """The matching rules written plainly, text by text (the package's first matcher): the reference
    that the batch matcher must agree with."""
    folded, positions = fold_text(text)
    candidates = []
    for last, (length, platform_id) in lexicon.automaton.iter(folded):
        start, end = last - length + 1, last + 1
        right = end == len(folded) or not _is_word(folded[end]) or not _is_word(folded[end - 1])
        if _left_ok(folded, start) and right:
            candidates.append((start, end, platform_id))
    candidates.sort(key=lambda item: (item[0], -item[1]))
    matches, covered = [], 0
    for start, end, platform_id in candidates:
        if start < covered:
            continue
        covered = end
        raw_start, raw_end = (start, end) if positions is None else (positions[start], positions[end])
        if raw_start > 0 and text[raw_start - 1] in "@#":
            raw_start -= 1
        matches.append((raw_start, raw_end, text[raw_start:raw_end], platform_id))
    return matches


def one_by_one(texts, lexicon):
    return [reference_matches(text, lexicon) for text in texts]


# Aliases in four scripts, Arabic clitics and vowels (dropped by folding), signs, word characters and
# a character beyond the Basic Multilingual Plane: the batch path's folding, word-boundary arrays,
# clitic fallback and mapping back to the text all get exercised.
PLATFORM_LETTERS = "Facebook Google Play ВКонтакте Фейсбуке فيس بوك وفي كونتاكت بالإنترنت #@_1 َُ\u0640é😀\n"


@given(st.lists(st.text(alphabet=PLATFORM_LETTERS, max_size=50), max_size=40))
@settings(max_examples=200, deadline=None)
def test_batches_find_what_single_texts_find(lexicon, texts):
    # 40 texts of up to 50 characters cross fold_batch's numpy threshold (1,000 characters) often
    assert per_text(texts, lexicon) == one_by_one(texts, lexicon)


def test_batches_of_the_seed_and_the_fixtures_match_single_texts(lexicon):
    lines = [line for path in [ROOT / "data/raw/articles/globalvoices-ar-48274.txt",
                               *sorted((ROOT / "tests/data").rglob("*.txt")),
                               *sorted((ROOT / "tests/data").rglob("*.jsonl"))]
             for line in path.read_text(encoding="utf-8").split("\n")]
    found = per_text(lines, lexicon)
    assert found == one_by_one(lines, lexicon)
    assert sum(map(len, found)) > 50  # the comparison covers real matches
    assert find_platforms_many([], lexicon) == ([], [], [], [], [])


def test_find_platforms_is_the_batch_matcher_for_one_text(lexicon):
    text = "В Фейсбуке и #YouTube тишина, وفي كونتاكت يعمل"
    assert [(m.start, m.end, m.surface, m.platform_id) for m in find_platforms(text, lexicon)] == (
        reference_matches(text, lexicon)
    )
    assert [m.platform_id for m in find_platforms(text, lexicon)] == ["facebook", "youtube", "vkontakte"]
