"""Normalisation shared by the gazetteer and the text: per-script folding, offsets, case forms, skeletons."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st
from kzshutdowns.normalize import (
    _DIGRAPHS,
    _SKELETON_MAP,
    ARABIC_PROCLITICS,
    CodeTable,
    code_points,
    consonant_skeleton,
    cyrillic_case_forms,
    fold_char,
    fold_name,
    fold_text,
    script_of,
)


@pytest.mark.parametrize(
    ("variants", "why"),
    [
        (["أستانة", "استانه", "آستانة", "إستانة", "ٱستانة"], "alef/hamza forms and taa marbuta"),
        (["ألماتي", "آلماتي", "الماتی", "ألماتى"], "madda, Persian yeh, alef maqsura"),
        (["كاراغاندا", "کاراگاندا", "كـاراغـاندا", "كَارَاغَانْدَا"], "Persian kaf/gaf, tatweel, diacritics"),
        (["جاناوزن", "ژاناوزن"], "Persian zhe folds to jim"),
        (["پاولودار", "باولودار"], "Persian pe folds to be"),
        (["Семей", "СЕМЕЙ", "семей"], "case"),
        (["Алёшино", "Алешино"], "yo"),
        (["Қарағанды", "Караганды"], "Kazakh letters fold to their Russian neighbours"),
        (["Жаңаөзен", "Жанаозен"], "Kazakh letters"),
        (["Genève", "Geneve", "GENEVE"], "accents and case"),
        (["Aqtöbe", "Aqtobe"], "umlaut"),
    ],
)
def test_spelling_variants_fold_to_one_key(variants: list[str], why: str) -> None:
    assert len({fold_name(variant) for variant in variants}) == 1, why


def test_different_names_stay_different() -> None:
    assert fold_name("Astana") != fold_name("Almaty")
    assert fold_name("طراز") != fold_name("تاراز")
    assert fold_name("ß") == "ß"


def test_punctuation_hashtags_and_elision_become_spaces_keeping_length() -> None:
    text = "d’Astana, #астана! Усть-Каменогорск"
    folded, positions = fold_text(text)
    assert positions is None and len(folded) == len(text)
    assert folded == "d astana   астана  усть каменогорск"


def test_dropped_marks_map_back_to_original_offsets() -> None:
    text = "في كَارَاغَانْدَا اليوم"
    folded, positions = fold_text(text)
    assert positions is not None
    assert "كاراغاندا" in folded
    start = folded.index("كاراغاندا")
    end = start + len("كاراغاندا")
    assert text[positions[start] : positions[end]].startswith("كَارَاغَانْدَا")
    assert len(positions) == len(folded) + 1 and positions[-1] == len(text)


def test_emoji_are_word_boundaries() -> None:
    folded, positions = fold_text("Алматы🔥Астана")
    assert folded.split() == ["алматы", "астана"]
    assert positions is None


@given(st.text(max_size=60))
def test_fold_text_offsets_property(text: str) -> None:
    folded, positions = fold_text(text)
    if positions is None:
        assert len(folded) == len(text)
        assert all(folded[i] == (fold_char(text[i]) or "?") for i in range(len(text)))
    else:
        assert len(positions) == len(folded) + 1
        assert positions == sorted(set(positions))
        assert all(folded[i] == fold_char(text[positions[i]]) for i in range(len(folded)))


ANY_CHARACTER = st.characters(exclude_categories=()) | st.sampled_from("\ud800\udfffAaЖж٣#")  # surrogates too


@given(st.lists(st.text(ANY_CHARACTER, max_size=30), max_size=4))
def test_code_table_gives_its_function_of_each_code_point(texts: list[str]) -> None:
    """CodeTable computes a character's value when first met, then looks it up: the same values
    either way, surrogates included (code_points keeps them)."""
    upper, alnum = CodeTable(str.isupper, np.uint8, 2), CodeTable(str.isalnum, np.uint8, 2)
    for text in texts:  # the later texts meet code points of the earlier ones again
        codes = code_points(text)
        assert codes.tolist() == [ord(char) for char in text]
        assert upper(codes).tolist() == [char.isupper() for char in text]
        assert alnum(codes).view(bool).tolist() == [char.isalnum() for char in text]


def test_script_of() -> None:
    assert script_of("ألماتي") == "arabic"
    assert script_of("#Алматы") == "cyrillic"
    assert script_of("Almaty") == "latin"
    assert script_of("阿拉木图") == "other"
    assert script_of("123") == "other"


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("семей", {"семея", "семее", "семею", "семейде"}),
        ("астана", {"астаны", "астане", "астану", "астаной", "астанада", "астанадан"}),
        ("караганда", {"караганды", "караганде"}),
        ("жанаозен", {"жанаозена", "жанаозене", "жанаозеном", "жанаозенде"}),
        ("алматы", {"алматыда", "алматыга"}),
        ("мангистауская область", {"мангистауской области", "мангистаускую область"}),
    ],
)
def test_cyrillic_case_forms(name: str, forms: set[str]) -> None:
    generated = set(cyrillic_case_forms(name))
    assert forms <= generated
    assert name not in generated


def test_cyrillic_case_forms_without_kazakh_endings() -> None:
    generated = set(cyrillic_case_forms("москва", kazakh=False))
    assert {"москвы", "москве"} <= generated
    assert "москвада" not in generated
    assert "алматыа" not in cyrillic_case_forms("алматы")  # indeclinable in Russian


@pytest.mark.parametrize(
    ("spellings", "skeleton"),
    [
        (["كاراغاندا", "قراغندا", "Караганда", "Karaganda", "Қарағанды", "Qaraghandy"], "krgnd"),
        (["جاناوزين", "جاناوزن", "ژاناوزن", "Жанаозен", "Zhanaozen"], "jnzn"),
        (["بافلودار", "Павлодар", "Pavlodar"], "bfldr"),
    ],
)
def test_consonant_skeletons_meet_across_scripts(spellings: list[str], skeleton: str) -> None:
    assert {consonant_skeleton(anyascii(fold_name(s))) for s in spellings} == {skeleton}


def test_arabic_proclitics() -> None:
    assert {"و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "بال", "وب", "ولل"} <= ARABIC_PROCLITICS
    assert "" not in ARABIC_PROCLITICS
    assert "من" not in ARABIC_PROCLITICS


def _skeleton_step_by_step(romanised: str) -> str:
    """consonant_skeleton as first written: digraphs, letter merges, every character but the consonants
    dropped, runs of one consonant made one."""
    text = romanised.lower()
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    text = "".join(char for char in text.translate(_SKELETON_MAP) if char in "bdfgjklmnrstz")
    return "".join(char for char, _ in itertools.groupby(text))


# Letters of the digraphs (with and without an "h"), in both cases, make them often; then any ASCII, any text.
DIGRAPH_LETTERS = "dzkhgsctnDZKHGSCTNae "


@given(st.text(alphabet=DIGRAPH_LETTERS, max_size=20) | st.text(alphabet=st.characters(max_codepoint=0x7F),
                                                              max_size=20) | st.text(max_size=20))
def test_consonant_skeleton_equals_the_step_by_step_skeleton(romanised: str) -> None:
    assert consonant_skeleton(romanised) == _skeleton_step_by_step(romanised)


@pytest.mark.parametrize(
    "romanised", ["Atbassar", "Kkkarr", "xxq", "Zhanaozen", "\u212aaraganda", "İssyk", ""]
)
def test_consonant_skeleton_merges_runs_and_drops_what_is_not_ascii(romanised: str) -> None:
    assert consonant_skeleton(romanised) == _skeleton_step_by_step(romanised)
