"""Status cue lexicons: blocked / restricted / reachable with negation and contrast, in four languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns.normalize import ARABIC_PROCLITICS
from kzshutdowns.platforms import compile_lexicon, find_platforms, load_platforms
from kzshutdowns.status_cues import CUES, _stems, analyse_sentences, find_cues, split_sentences

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lexicon():
    return compile_lexicon(load_platforms(ROOT / "data" / "reference" / "platforms.csv"))


def statuses(text: str, lang: str, lexicon) -> dict[str, str]:
    """Platform -> status over all sentences of ``text``."""
    spans = [(m.start, m.end, m.platform_id) for m in find_platforms(text, lexicon)]
    merged: dict[str, str] = {}
    for sentence in analyse_sentences(text, lang, spans):
        merged.update(sentence.statuses)
    return merged


def test_every_language_has_every_category():
    for lang in ("ar", "ru", "kk", "en"):
        assert set(CUES[lang]) == {"blocked", "restricted", "reachable", "negation", "contrast", "witness",
                                   "habitual"}
        assert all(CUES[lang][category] for category in CUES[lang])


def test_seed_first_paragraph(lexicon):
    text = ("صرح أحد نشطاء المجتمع المدني أن العديد من مواقع التواصل الاجتماعي قد تم حجبها فى البلاد، "
            "وتشمل القائمة كل من فيس بوك ويوتيوب وانستجرام وجوجل. أجرت وكالة الأنباء أحاديث مع سكان أربع مدن "
            "وأكدوا جميعًا أنه لم يعد بإمكانهم الولوج لمواقع التواصل الاجتماعي "
            "بالرغم من عدم تلقيهم أية رسائل. "
            "بارغم من بقاء مواقع أخرى شهيرة مثل تويتر وفي كونتاكت متاحة طوال اليوم .")
    spans = [(m.start, m.end, m.platform_id) for m in find_platforms(text, lexicon)]
    first, second, third = analyse_sentences(text, "ar", spans)
    assert first.statuses == {"social_media": "blocked", "facebook": "blocked", "youtube": "blocked",
                              "instagram": "blocked", "google": "blocked"}
    # "no longer able to access social media": a reachable cue under negation.
    assert second.statuses == {"social_media": "blocked"}
    assert second.witness and not first.witness
    # "despite other famous sites such as Twitter and VKontakte staying available".
    assert third.statuses == {"twitter": "reachable", "vkontakte": "reachable"}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("حُظرت فيسبوك ويوتيوب في كازاخستان", "ar", {"facebook": "blocked", "youtube": "blocked"}),
        ("ظل تويتر متاحًا", "ar", {"twitter": "reachable"}),
        ("لا نستطيع الدخول إلى فيسبوك", "ar", {"facebook": "blocked"}),
        ("لم يتم حجب تويتر", "ar", {"twitter": "reachable"}),
        ("تباطؤ شديد في يوتيوب", "ar", {"youtube": "restricted"}),
        ("В Казахстане заблокировали @facebook и @YouTube", "ru",
         {"facebook": "blocked", "youtube": "blocked"}),
        ("ВКонтакте работает", "ru", {"vkontakte": "reachable"}),
        ("Телеграм не работает", "ru", {"telegram": "blocked"}),
        ("доступа к Фейсбуку нет", "ru", {"facebook": "blocked"}),
        ("Ютуб недоступен", "ru", {"youtube": "blocked"}),
        ("Инстаграм работает с перебоями", "ru", {"instagram": "restricted"}),
        ("Фейсбук бұғатталды", "kk", {"facebook": "blocked"}),
        ("Ватсап жұмыс істемейді", "kk", {"whatsapp": "blocked"}),
        ("Телеграм жұмыс істеп тұр", "kk", {"telegram": "reachable"}),
        ("Ютубқа қолжетімділік жоқ", "kk", {"youtube": "blocked"}),
        ("We have no access to social media", "en", {"social_media": "blocked"}),
        ("Facebook and YouTube were blocked", "en", {"facebook": "blocked", "youtube": "blocked"}),
        ("Twitter was not blocked", "en", {"twitter": "reachable"}),
        ("Telegram is throttled", "en", {"telegram": "restricted"}),
        ("Users could not access Instagram", "en", {"instagram": "blocked"}),
        # A negator beside the name with no cue to negate: the service is missing.
        ("Оралда интернет жоқ #Орал", "kk", {"internet": "blocked"}),
        ("Третий день без интернета", "ru", {"internet": "blocked"}),
        ("Help, no internet in Almaty", "en", {"internet": "blocked"}),
        ("لا إنترنت في أتيراو", "ar", {"internet": "blocked"}),
    ],
)
def test_single_statements(lexicon, text, lang, expected):
    assert statuses(text, lang, lexicon) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Contrast with a cue of its own on each side.
        ("Facebook was blocked, but Twitter remained available", "en",
         {"facebook": "blocked", "twitter": "reachable"}),
        # A contrast clause without a cue takes the opposite status.
        ("Facebook was blocked, but not Twitter", "en", {"facebook": "blocked", "twitter": "reachable"}),
        ("Заблокировали Фейсбук, но ВКонтакте работает", "ru",
         {"facebook": "blocked", "vkontakte": "reachable"}),
        ("Фейсбук бұғатталды, бірақ Твиттер қолжетімді", "kk",
         {"facebook": "blocked", "twitter": "reachable"}),
        ("حجبت فيسبوك لكن تويتر", "ar", {"facebook": "blocked", "twitter": "reachable"}),
    ],
)
def test_contrast_keeps_clauses_apart(lexicon, text, lang, expected):
    assert statuses(text, lang, lexicon) == expected


def test_platform_without_cue_has_no_status(lexicon):
    assert statuses("День Независимости от социальных сетей #youtube #facebook", "ru", lexicon) == {}


def test_negation_reaches_only_three_words(lexicon):
    # "despite not receiving any messages informing them of the disruption": the negator is too far
    # from the cue to flip it.
    text = "عدم تلقيهم أية رسائل تبلغهم بتعطل يوتيوب"
    assert statuses(text, "ar", lexicon) == {"youtube": "blocked"}


def test_witness_and_habitual_cues():
    assert [c.category for c in find_cues("Residents of Almaty say", "en")] == ["witness"]
    assert [c.category for c in find_cues("Жители Алматы говорят", "ru")] == ["witness"]
    found = find_cues("تقوم الحكومة بين الحين والآخر بتعطيل", "ar")
    assert [c.category for c in found] == ["habitual", "blocked"]
    assert [c.category for c in find_cues("Власти периодически блокируют", "ru")] == ["habitual", "blocked"]


def test_longest_cue_wins():
    # "غير أن" (however) is a contrast, not the negator "غير".
    assert [c.category for c in find_cues("غير أن تويتر", "ar")] == ["contrast"]
    assert [c.category for c in find_cues("unblocked", "en")] == ["reachable"]


def test_unknown_language_uses_every_lexicon():
    assert [c.category for c in find_cues("заблокировали", "und")] == ["blocked"]


def test_sentence_split_keeps_spans():
    text = "Help! We have no access. Второе предложение\nсаксофон ؟ آخر"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["Help!", "We have no access.", "Второе предложение",
                                             "саксофон ؟", "آخر"]


CUE_LETTERS = "Facebook blocked not but . ! заблокировали не но لم حجب لكن ؟ жоқ бірақ"


@given(st.text(alphabet=CUE_LETTERS, max_size=80))
@settings(max_examples=200, deadline=None)
def test_any_text_is_analysed_without_error(text):
    sentences = analyse_sentences(text, None, [(0, min(3, len(text)), "facebook")] if text else [])
    assert all(0 <= s.start < s.end <= len(text) for s in sentences)
    assert all(set(s.statuses.values()) <= {"blocked", "restricted", "reachable"} for s in sentences)


@pytest.mark.parametrize("text, lang", [
    ("Residents of Almaty say Facebook is blocked. Authorities regularly block Twitter in Astana.", "en"),
    ("Жители Алматы говорят, что Facebook заблокирован, но Twitter работает. Периодически блокируют.", "ru"),
    ("سكان كاراغاندا يؤكدون حجب فيسبوك. تقوم الحكومة بين الحين والآخر بتعطيل تويتر", "ar"),
    ("Тұрғындар айтады: Facebook бұғатталды; үнемі шектеледі", "kk"),
])
def test_without_platforms_sentences_keep_their_spans_witness_and_habitual_cues(lexicon, text, lang):
    """The short path for a text without platforms (no clause reading) finds the same sentences, witness
    and habitual cues as the full reading, only without statuses."""
    spans = [(m.start, m.end, m.platform_id) for m in find_platforms(text, lexicon)]
    assert spans  # the full reading has platforms to give statuses to
    full = analyse_sentences(text, lang, spans)
    assert any(sentence.statuses for sentence in full)
    assert any(s.witness for s in full) and any(s.habitual for s in full)
    bare = analyse_sentences(text, lang, [])
    assert [(s.start, s.end, s.witness, s.habitual) for s in bare] == [
        (s.start, s.end, s.witness, s.habitual) for s in full]
    assert not any(sentence.statuses for sentence in bare)


@pytest.mark.parametrize("token", ["بالفيسبوك", "وللناس", "فالانترنت", "ال", "و", "facebook", "123",
                                   "интернет", "لل", "كتاب", "x"])
def test_stems_are_the_token_and_each_proclitic_stripped(token):
    """The first-letter shortcut gives what trying every proclitic gives (in the same order)."""
    stripped = [token[len(p):] for p in ARABIC_PROCLITICS if token.startswith(p) and len(token) > len(p)]
    assert _stems(token) == (token, *stripped)
