"""Status cue lexicons: blocked / restricted / reachable with negation and contrast, in four languages."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns.normalize import ARABIC_PROCLITICS, NUMPY_MIN_CHARACTERS, fold_text
from kzshutdowns.platforms import compile_lexicon, find_platforms, load_platforms
from kzshutdowns.status_cues import (
    _TOKEN,
    CUES,
    NEGATION_WINDOW,
    OPPOSITE,
    POSTPOSED_NEGATORS,
    STATUS_RANK,
    STATUSES,
    Cue,
    Entry,
    Lexicon,
    _cue_list,
    _holds,
    _lexicon,
    _longest_first,
    _read_cues,
    _Readings,
    analyse_many,
    analyse_sentences,
    find_cues,
    split_sentences,
)

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


def _first_word_matches(entry: Entry, token: str) -> bool:
    stems = [token]
    if entry.arabic:
        stems += [token[len(p):] for p in ARABIC_PROCLITICS if token.startswith(p) and len(token) > len(p)]
    word, open_end = entry.words[0], entry.open_end and len(entry.words) == 1
    return any(stem.startswith(word) if open_end else stem == word for stem in stems)


def _rest_matches(entry: Entry, tokens: list[str], at: int) -> bool:
    words = entry.words
    if at + len(words) > len(tokens):
        return False
    return all(tokens[at + i].startswith(word) if entry.open_end and i == len(words) - 1
               else tokens[at + i] == word for i, word in enumerate(words) if i)


def entries_for(lang: str | None) -> Lexicon:
    """The lexicon the reference reading uses for a segment language: its own, or every language's
    entries together for a language without one (as find_cues chooses, written out here)."""
    return _lexicon(lang if lang in CUES else None)


def cues_word_by_word(text: str, lang: str | None) -> list[Cue]:
    """The cues as the module docstring defines them, read word by word: at each word not yet taken,
    the first entry in rank order whose words match from there (an Arabic entry's first word with or
    without a proclitic, an open last word as a prefix)."""
    folded, positions = fold_text(text)
    words = list(_TOKEN.finditer(folded))
    tokens = [word.group() for word in words]
    spans = [(positions[w.start()], positions[w.end() - 1] + 1) if positions else w.span() for w in words]
    cues, at = [], 0
    for index, token in enumerate(tokens):
        if index < at:
            continue
        for entry in entries_for(lang).entries:
            if _first_word_matches(entry, token) and _rest_matches(entry, tokens, index):
                n = len(entry.words)
                cues.append(Cue(entry.category, spans[index][0], spans[index + n - 1][1], index, n))
                at = index + n
                break
    return cues


# Words near the cues: a cue word, a cue of many words or another word, after a proclitic or another
# beginning, with an ending or without; separators; characters that folding drops or changes.
PHRASES = [phrase.rstrip("*") for lang in CUES.values() for phrases in lang.values() for phrase in phrases]
CUE_WORDS = sorted({word for phrase in PHRASES for word in phrase.split()}
                   | {phrase.replace(" ", gap) for phrase in PHRASES if " " in phrase for gap in (" ", " - ")}
                   | {"blo", "worker", "интернет", "Жоқ", "ВКонтакте", "بلا", "É", "can't", "1", "_", "@"})
WORD = st.tuples(st.sampled_from(["", *sorted(ARABIC_PROCLITICS), "un", "и", "َ"]), st.sampled_from(CUE_WORDS),
                 st.sampled_from(["", "ت", "ها", "а", "ed", "ё", "'s"]))
GAP = st.sampled_from([" ", "  ", ", ", ". ", "\n", "-", "#", "\ud800"])  # a lone surrogate folds to itself


@given(st.lists(st.tuples(WORD, GAP), max_size=10), st.sampled_from(["ar", "ru", "kk", "en", None]))
@settings(max_examples=500, deadline=None)
def test_find_cues_reads_word_by_word(words, lang):
    """The one regular expression per lexicon finds what reading the words one by one finds."""
    text = "".join("".join(word) + gap for word, gap in words)
    assert find_cues(text, lang) == cues_word_by_word(text, lang)


@pytest.mark.parametrize("lang", [*CUES, None])
def test_each_entry_is_read_word_by_word(lang):
    """Every entry written out alone, an Arabic one also after each proclitic, then followed by the next
    entry: where entries compete for the same words (a longer one over one that starts it, an entry
    after a proclitic against one spelled with the proclitic's letters) rank order decides as the
    word-by-word reading does. Random texts seldom hold these competing words."""
    entries = entries_for(lang).entries
    for entry, following in zip(entries, entries[1:] + entries[:1], strict=True):
        for lead in ("", *sorted(ARABIC_PROCLITICS)) if entry.arabic else ("",):
            alone = lead + " ".join(entry.words)
            for text in (alone, f"{alone} {' '.join(following.words)}"):
                assert find_cues(text, lang) == cues_word_by_word(text, lang), text


@given(st.lists(st.tuples(WORD, GAP), max_size=10), st.sampled_from(["ar", "ru", "kk", "en", None]),
       st.booleans())
@settings(max_examples=300, deadline=None)
def test_search_tree_finds_what_the_ranking_alternation_finds(words, lang, warm):
    """A lexicon's pattern (a tree of the ways entries start, without groups) finds the spans that its
    ranking pattern (the entries one after the other, in rank order) finds, and the reading of each matched
    text names the entry the ranking pattern's group names there, remembered or read anew."""
    lexicon = entries_for(lang)
    text = "".join("".join(word) + gap for word, gap in words)
    folded = " " + fold_text(text)[0].replace("\ud800", " ") + " "
    readings = lexicon.readings if warm else _Readings(lexicon.ranking)
    assert [(match.span(), readings[match.group()]) for match in lexicon.pattern.finditer(folded)] == [
        (match.span(), match.lastindex - 1) for match in lexicon.ranking.finditer(folded)]


def test_readings_kept_are_emptied_when_full():
    """A full store of readings is emptied and then read anew: the entries are those read without limit."""
    lexicon = entries_for("en")
    texts = [" blocked", " blocks", " not", " working", " blocked", " people"]
    kept = _Readings(lexicon.ranking, kept=2)
    assert [kept[text] for text in texts] == [_Readings(lexicon.ranking)[text] for text in texts]
    assert len(kept) == 2


def test_search_tree_keeps_rank_where_heads_continue_each_other():
    """Where an entry's first word continues a shorter head (here an open one that matches the same word),
    the search tree still tries them in rank order: the entry of more words takes its words."""
    lexicon = _longest_first([Entry(("ab",), True, "reachable", False), Entry(("a",), True, "witness", False),
                              Entry(("abc", "d"), False, "blocked", False)])
    for text, span in ((" abc d ", (0, 6)), (" abcx d ", (0, 5)), (" ax ", (0, 3))):
        assert [match.span() for match in lexicon.pattern.finditer(text)] == [span]
        assert [match.span() for match in lexicon.ranking.finditer(text)] == [span]
    assert [lexicon.entries[lexicon.readings[text]].category for text in (" abc d", " abcx", " ax")] == [
        "blocked", "reachable", "witness"]


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("غير ان", "ar", [("contrast", 2)]),      # the longer entry, not "غير" (negation) and another word
    ("وغير ان", "ar", [("contrast", 2)]),     # also after a proclitic
])
def test_longer_entry_wins(text, lang, expected):
    found = find_cues(text, lang)
    assert [(c.category, c.words) for c in found] == expected
    assert found == cues_word_by_word(text, lang)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Фейсбук заблокирован. Твиттер работает", "ru", ["blocked", "reachable"]),
    ("وبالحجب", "ar", ["blocked"]),           # two proclitics before the cue
    ("حجبت", "ar", ["blocked"]),              # an open cue continues its word
    ("ولا", "ar", ["negation"]),              # a closed cue after a proclitic
    ("لاعب", "ar", []),                       # a closed cue does not start a longer word
    ("the blackout went dark", "en", ["blocked", "blocked"]),
    ("went  dark", "en", ["blocked"]),        # words of a cue apart by any separators
    ("wentdark", "en", []),
    ("иблокировали", "ru", []),               # a cue starts a word
])
def test_find_cues_examples(text, lang, expected):
    found = find_cues(text, lang)
    assert [c.category for c in found] == expected
    assert found == cues_word_by_word(text, lang)


def test_only_postposed_negators_act_backwards(lexicon):
    """Kazakh and Russian negators that follow their word act backwards, also in capitals; others do not
    ("not only Facebook is blocked", "Facebook was blocked, no joke")."""
    assert statuses("Ютубқа қолжетімділік ЖОҚ", "kk", lexicon) == {"youtube": "blocked"}
    assert statuses("Доступа к Фейсбуку НЕТ", "ru", lexicon) == {"facebook": "blocked"}
    assert statuses("Заблокирован не только Фейсбук", "ru", lexicon) == {"facebook": "blocked"}
    assert statuses("Facebook was blocked, no joke", "en", lexicon) == {"facebook": "blocked"}


@pytest.mark.parametrize(("text", "lang", "expected"), [
    # A contrast cue opening the sentence: its clause holds every platform, the first one is empty.
    ("But Twitter is blocked", "en", {"twitter": "blocked"}),
    # Three clauses: each cueless contrast clause takes the opposite of the last status before it.
    ("Facebook is blocked, but not Twitter, but YouTube", "en",
     {"facebook": "blocked", "twitter": "reachable", "youtube": "reachable"}),
    # A sentence with a platform and no cue gives no status, whatever the next sentence says.
    ("Facebook. Twitter is blocked", "en", {"twitter": "blocked"}),
])
def test_clauses(lexicon, text, lang, expected):
    assert statuses(text, lang, lexicon) == expected


def sentences_by_regex(text: str) -> list[tuple[int, int]]:
    """The sentence spans as the module docstring defines them, found by a regular expression: a sentence
    ends after one of ``. ! ? ؟ ؛ ;`` followed by white space or the end of the text, and after a line break;
    white space around a sentence is not part of it and sentences of white space only are skipped."""
    cuts = [0, *(match.end() for match in re.finditer(r"[.!?؟؛;](?=\s|$)|\n", text)), len(text)]
    spans = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        piece = text[begin:end]
        if piece.strip():
            spans.append((begin + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())))
    return spans


SENTENCE_TEXT = st.text(alphabet=st.sampled_from([*".!?؟؛;\n\t\r \u2003\u00a0\u2028\x1c,aZ1ä😀\U0001d400_'",
                                                  "\ud800"]), max_size=40)


@given(SENTENCE_TEXT)
@settings(max_examples=500, deadline=None)
def test_split_sentences_as_defined(text):
    assert split_sentences(text) == sentences_by_regex(text)


def test_character_tables_agree_with_the_regular_expressions():
    """The numpy tables that count words and find white space say what ``[^\\W_]`` and ``\\s`` say, for
    every BMP code point (lone surrogates included) and for characters beyond it."""
    codes = np.array([*range(0x10000), 0x1F600, 0x1D400, 0x20000, 0xE0020, 0x10FFFF], dtype=np.uint32)
    text = "".join(map(chr, codes.tolist()))
    letters = np.array([bool(re.fullmatch(r"[^\W_]", char)) for char in text])
    spaces = np.array([bool(re.fullmatch(r"\s", char)) for char in text])
    assert (_holds(codes, "isalnum") == letters).all()
    assert (_holds(codes, "isspace") == spaces).all()


# Texts for the batch: cue words (some after proclitics, with endings), platform names, a word that folding
# shortens (Arabic vowels), emoji, separators and sentence ends; a text may end inside an entry of several
# words ("went" | "dark", "غير" | "ان") that the next text completes.
BATCH_WORDS = st.one_of(WORD.map("".join), st.sampled_from(
    ["Facebook", "Twitter", "интернет", "فيسبوك", "تويتر", "Ютуб", "حُظِرت", "😀", "went", "dark", "غير", "ان",
     "при", "этом", "in", "from", "time", "to"]))
BATCH_GAPS = st.sampled_from([" ", ", ", ". ", "! ", "؟ ", "\n", " - ", "  ", ".", "\udc80"])
BATCH_TEXT = st.lists(st.tuples(BATCH_WORDS, BATCH_GAPS), max_size=8).map(
    lambda parts: "".join(word + gap for word, gap in parts))
LANGS = st.sampled_from(["ar", "ru", "kk", "en", None, "und", "fr"])
PLATFORM_IDS = st.sampled_from(["facebook", "twitter", "internet", "youtube"])


# A text long enough that its lexicon's texts are folded with numpy (fold_batch), as analyse_many's batches
# of many segments are, while a short text alone is folded with str.translate.
LONG_TEXT = ("Facebook is not blocked, but Twitter is. Residents: حُظِرت فيسبوك 😀 \udc80 "
             "интернета нет, ВКонтакте работает с перебоями.\n") * (NUMPY_MIN_CHARACTERS // 100)


@st.composite
def batch_item(draw):
    text = draw(st.one_of(BATCH_TEXT, st.just(""), BATCH_TEXT.map(lambda text: text + LONG_TEXT)))
    spans = draw(st.lists(st.tuples(st.integers(-2, len(text) + 2), st.integers(0, 6), PLATFORM_IDS),
                          max_size=4))
    return text, draw(LANGS), [(start, start + length, pid) for start, length, pid in spans]


def sentence_fields(sentences):
    return [(s.start, s.end, list(s.statuses.items()), s.witness, s.habitual) for s in sentences]


@given(st.lists(batch_item(), max_size=12))
@settings(max_examples=400, deadline=None)
def test_many_texts_read_together_as_each_alone(items):
    """analyse_many over a mix of languages, texts and platform spans (some outside their text) gives each
    text what analyse_sentences gives it alone, statuses in the same order; find_cues agrees too."""
    texts, langs, platforms = (list(column) for column in zip(*items, strict=True)) if items else ([], [], [])
    together = analyse_many(texts, langs, platforms)
    assert len(together) == len(items)
    for (text, lang, spans), sentences in zip(items, together, strict=True):
        assert sentence_fields(sentences) == sentence_fields(analyse_sentences(text, lang, spans))
        assert [(s.start, s.end) for s in sentences] == sentences_by_regex(text)
    cues = _cue_list(_read_cues(texts, langs))
    at = 0
    for text, lang in zip(texts, langs, strict=True):
        alone = find_cues(text, lang)
        assert cues[at:at + len(alone)] == alone
        at += len(alone)
    assert at == len(cues)


def test_no_cue_runs_from_one_text_into_the_next():
    texts = ["the network went", "dark today", "غير", "ان تويتر", "при", "этом"]
    langs = ["en", "en", "ar", "ar", "ru", "ru"]
    # غير alone, nothing else
    assert [(cue.category, cue.words) for cue in _cue_list(_read_cues(texts, langs))] == [("negation", 1)]
    assert [cue.category for cue in find_cues("the network went dark", "en")] == ["blocked"]
    assert [cue.category for cue in find_cues("غير ان", "ar")] == ["contrast"]
    assert analyse_many(texts, langs, [[]] * 6) == [analyse_sentences(t, g, []) for t, g in zip(texts, langs,
                                                                                                 strict=True)]


def _beside(text: str, end: int, start: int) -> bool:
    return end <= start and not text[end:start].strip(" \t,.;:!?،")


def statuses_clause_by_clause(text: str, lang: str | None, spans: list[tuple[int, int, str]]
                              ) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """Each sentence's span and statuses as :func:`analyse_sentences` defines them, read sentence by
    sentence and clause by clause from the cues :func:`find_cues` finds, platform by platform."""
    cues = find_cues(text, lang)
    sentences = []
    for start, end in split_sentences(text):
        clauses: list[list[Cue]] = [[]]
        for cue in (cue for cue in cues if start <= cue.start < end):
            if cue.category == "contrast":
                clauses.append([])
            clauses[-1].append(cue)
        bounds = [start, *(clause[0].start for clause in clauses[1:]), end]
        given: dict[str, str] = {}
        previous = None
        for number, clause in enumerate(clauses):
            negators = [cue for cue in clause if cue.category == "negation"]
            used, effective = set(), []
            for cue in (cue for cue in clause if cue.category in STATUSES):
                negated = False
                for neg in negators:
                    postposed = fold_text(text[neg.start:neg.end])[0] in POSTPOSED_NEGATORS
                    if (0 < cue.word - (neg.word + neg.words - 1) <= NEGATION_WINDOW
                            or postposed and 0 < neg.word - (cue.word + cue.words - 1) <= NEGATION_WINDOW):
                        negated = True
                        used.add(neg)
                effective.append((cue, OPPOSITE[cue.category] if negated else cue.category))
            for name_start, name_end, pid in spans:
                if not (bounds[number] <= name_start < bounds[number + 1]):
                    continue
                if effective:
                    cue, status = min(effective, key=lambda item, at=name_start: (abs(item[0].start - at),
                                                                                  item[0].start))
                    if status == "reachable" and any(other == "restricted" for _, other in effective):
                        status = "restricted"
                elif number and previous:
                    status = OPPOSITE[previous]
                elif any(_beside(text, neg.end, name_start) or _beside(text, name_end, neg.start)
                         for neg in negators if neg not in used):
                    status = "blocked"
                else:
                    continue
                if pid not in given or STATUS_RANK[status] < STATUS_RANK[given[pid]]:
                    given[pid] = status
            if effective:
                previous = effective[-1][1]
        sentences.append((start, end, list(given.items())))
    return sentences


# Texts of one language's cue phrases and platform names (whose spans are known), with separators that
# keep a negator beside a name or not; some spans are drawn anywhere, and the spans come in any order.
NAMES = ["Facebook", "Twitter", "интернет", "Ютуб", "تويتر", "YouTube"]
LANG_PHRASES = {lang: sorted({phrase.rstrip("*") for phrases in CUES[lang].values() for phrase in phrases})
                for lang in CUES}
# Also gaps that folding shortens (an Arabic vowel, a tatweel), an astral character and a lone surrogate.
STATUS_GAPS = st.sampled_from([" ", ", ", ". ", " - ", "\n", " ! ", ",", " ? ", "\u064e ", " \u0640, ",
                               " \U0001f600 ", "\ud800 ", "\U0001f600"])


@st.composite
def status_item(draw):
    lang = draw(st.sampled_from([*CUES, None]))
    phrases = LANG_PHRASES[lang] if lang else PHRASES
    text, spans = "", []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 2)):
            text += draw(st.sampled_from(phrases))
        else:
            name = draw(st.sampled_from(NAMES))
            spans.append((len(text), len(text) + len(name), name.lower()))
            text += name
        text += draw(STATUS_GAPS)
    extra = draw(st.lists(st.tuples(st.integers(-1, len(text)), st.integers(0, 8), PLATFORM_IDS), max_size=2))
    spans += [(start, start + length, pid) for start, length, pid in extra]
    return text, lang, draw(st.permutations(spans))


@given(st.lists(status_item(), min_size=1, max_size=6))
@settings(max_examples=500, deadline=None)
def test_statuses_as_read_clause_by_clause(items):
    """The statuses analyse_many gives every platform mention of many texts at once, with arrays, are those
    read sentence by sentence and clause by clause from the cues of each text alone."""
    texts, langs, platforms = (list(column) for column in zip(*items, strict=True))
    for (text, lang, spans), sentences in zip(items, analyse_many(texts, langs, platforms), strict=True):
        assert [(s.start, s.end, list(s.statuses.items())) for s in sentences] == statuses_clause_by_clause(
            text, lang, spans)


def test_a_span_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        analyse_sentences("Facebook is blocked", "en", [(0, -1, "facebook")])


@pytest.mark.parametrize(("text", "expected"), [
    # Twitter starts as far from both cues: the earlier one gives its status.
    ("blocked Twitter works", {"twitter": "blocked"}),
    # The negator's last word three words before the cue, two cues between them.
    ("Facebook: no people users blocked", {"facebook": "reachable"}),
    ("Facebook: no people users residents blocked", {"facebook": "blocked"}),
])
def test_nearest_cue_and_negation_window(text, expected):
    spans = [(text.index(name), text.index(name) + len(name), name.lower())
             for name in ("Twitter", "Facebook") if name in text]
    assert statuses_clause_by_clause(text, "en", spans) == [(0, len(text), list(expected.items()))]
    assert [s.statuses for s in analyse_sentences(text, "en", spans)] == [expected]


def test_statuses_come_clause_by_clause():
    """A sentence's statuses are in clause order, whatever the order of the spans."""
    text = "Facebook is blocked, but Twitter is available"
    spans = [(25, 32, "twitter"), (0, 8, "facebook")]
    assert list(analyse_sentences(text, "en", spans)[0].statuses.items()) == [
        ("facebook", "blocked"), ("twitter", "reachable")]
