"""Language identification by script and letters: each rule of kzshutdowns.language, one case each."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kzshutdowns import language
from kzshutdowns.language import LANGUAGES, UNDETERMINED, detect_language, script_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the seed's lines
        ("حُظرت فيسبوك ويوتيوب وإنستغرام في كازاخستان بمناسبة ذكرى الاستقلال الخامسة والعشرين", "ar"),
        (
            "В Казахстане в честь 25-летия независимости заблокировали @facebook, @YouTube"
            " и @instagram#независимость",
            "ru",
        ),
        ("Independence Day from social media", "en"),
        ("Help! We have no access to social media in #Kazakhstan #test", "en"),
        ("أجرت وكالة الأنباء “TJournal” أحاديث مع سكان أربع مدن كازاخية", "ar"),
        # Kazakh: letters Russian lacks, in enough words
        ("Бүгін Алматыда әлеуметтік желілер ашылмай тұр", "kk"),
        ("Қазақстан Республикасының тәуелсіздік күні", "kk"),
        # a Russian sentence quoting one Kazakh name stays Russian
        ("Сегодня в городе Қарағанды не работали социальные сети и мессенджеры весь день", "ru"),
        # Ukrainian letters are neither Russian nor Kazakh
        ("Сьогодні в Києві не працює інтернет, їжа є", UNDETERMINED),
        # French and German by function words and letters
        ("Internet est coupé à Atyrau, quelqu'un peut confirmer ?", "fr"),
        ("Plus de Facebook à Almaty depuis ce matin", "fr"),
        ("Kein Facebook und kein YouTube in Astana heute", "de"),
        ("Straße gesperrt", "de"),
        # Persian letters in Arabic script are not Arabic
        ("امروز در تهران اینترنت قطع شد و پیام‌رسان‌ها کار نمی‌کنند", UNDETERMINED),
        # no evidence, too few letters, no majority script
        ("Independence Day", UNDETERMINED),
        ("2016 — 25!", UNDETERMINED),
        ("ok", UNDETERMINED),
        ("", UNDETERMINED),
        ("abc абв ابت 中文字", UNDETERMINED),
        ("今日はインターネットが使えません", UNDETERMINED),
        # URLs and tags are ignored, unless nothing else is left
        ("https://t.co/abcdefgh Сегодня всё работает", "ru"),
        ("#казахстан #независимость", "ru"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


@given(st.text(max_size=200))
def test_any_text_gets_a_known_code(text):
    assert detect_language(text) in (*LANGUAGES, UNDETERMINED)


@given(st.text(alphabet="aé Жқ ابپ 1_#@😀\u064e\u0301ſ中", max_size=50))
def test_main_script_is_the_most_common_script_first_come_among_equals(text):
    letters = [script_of(char) for char in text if script_of(char) is not None]
    initials = text.translate(language._SCRIPT_INITIALS)
    assert len(initials) == len(letters)  # one initial per letter
    if letters:  # Counter.most_common keeps the order of first appearance among equal counts
        assert language._main_script(initials) == Counter(letters).most_common(1)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ab Жж", ("latin", 2)), ("Жж ab", ("cyrillic", 2)), ("中 a ж", ("other", 1)),
     ("پ ab ب", ("arabic", 2))],
)
def test_main_script_ties_go_to_the_script_seen_first(text, expected):
    assert language._main_script(text.translate(language._SCRIPT_INITIALS)) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", True), ("kk", True), ("und", True), ("xx", True), ("EN", False), ("", False), ("eng", False),
     ("e", False), ("en ", False), ("en\n", False), ("ру", False), ("en-US", False)],
)
def test_is_language_code_takes_two_lower_case_letters_or_und(code, expected):
    assert language.is_language_code(code) is expected
