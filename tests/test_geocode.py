"""The geocoder: the seed article, every precision guard, clitics and inflection, regions, the
cross-script fallback, the evaluation gate (micro F1 and per-language precision) and the reuse CLI."""

from __future__ import annotations

import gc
import io
import json
import pickle
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kzshutdowns import geocode
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.evaluate_geocoder import LANGUAGES, read_cases, run_cases, summarise
from kzshutdowns.evaluate_geocoder import main as evaluate_main
from kzshutdowns.files import read_text
from kzshutdowns.gazetteer import load_gazetteer
from kzshutdowns.gazetteer import main as build_main
from kzshutdowns.geocode import (
    BATCH_SIZE,
    OUTPUT_KEYS,
    Geocoder,
    PlaceFields,
    PlaceMatch,
    geocode_stream,
    main,
)
from kzshutdowns.normalize import (
    BOUNDARY,
    NUMPY_MIN_CHARACTERS,
    FoldedBatch,
    code_points,
    fold_batch,
    fold_text,
    kept_positions,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
SEED = ROOT / "data" / "raw" / "articles" / "globalvoices-ar-48274.txt"
CASES = ROOT / "tests" / "data" / "geocoder_eval.csv"

ASTANA, ALMATY, KARAGANDY, ATYRAU, ZHANAOZEN = 1526273, 1526384, 609655, 610529, 607610
PARIS, AKTAU, SEMEY, ORAL, TARAZ, PAVLODAR, MANGYSTAU = (
    2988507,
    610612,
    1519422,
    608668,
    1516905,
    1520240,
    608879,
)


@pytest.fixture(scope="module")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gazetteer with the workflow's default thresholds, built once for this module."""
    path = tmp_path_factory.mktemp("geocode") / "gazetteer.pickle"
    regions, toponyms = str(REFERENCE / "regions.csv"), str(REFERENCE / "toponyms.csv")
    assert build_main(["--regions", regions, "--toponyms", toponyms, "--output", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def geocoder(gazetteer_path: Path) -> Geocoder:
    return Geocoder.load(gazetteer_path)


def ids(matches: list[PlaceMatch]) -> list[int]:
    return [match.geonameid for match in matches]


# -- the seed article -------------------------------------------------------------------------------


def test_seed_article(geocoder: Geocoder) -> None:
    text = read_text(SEED)
    matches, _ = geocoder.resolve(text)
    for match in matches:
        assert text[match.start : match.end] == match.surface
    cities = [m for m in matches if m.kind != "country"]
    kazakh = {m.geonameid for m in cities if m.country_code == "KZ"}
    assert kazakh == {ASTANA, ALMATY, KARAGANDY, ATYRAU, ZHANAOZEN}
    foreign = [m for m in cities if m.country_code != "KZ"]
    assert [(m.surface, m.geonameid, m.country_code) for m in foreign] == [("باريس", PARIS, "FR")]
    karaganda = next(m for m in cities if m.geonameid == KARAGANDY)
    assert (karaganda.surface, karaganda.method) == ("كاراغاندا", "variant")
    assert any(m.surface == "#астана"[1:] and m.geonameid == ASTANA for m in cities)
    assert {m.geonameid for m in matches if m.kind == "country"} == {1522867, 690791}  # Kazakhstan, Ukraine


def test_match_fields(geocoder: Geocoder) -> None:
    (match,) = geocoder.geocode("Протесты в Жанаозене")
    assert match == PlaceMatch(
        start=11,
        end=20,
        surface="Жанаозене",
        geonameid=ZHANAOZEN,
        name="Zhanaozen",
        country_code="KZ",
        admin1="09",
        lat=match.lat,
        lon=match.lon,
        method="inflected",
        score=match.score,
        kind="city",
        region_code=None,
    )
    assert 43 < match.lat < 44 and 52 < match.lon < 53 and 0 < match.score <= 1


# -- precision guards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "هذا الطراز من الهواتف جديد",  # طراز "model", with the article
        "سيارة من طراز قديم",
        "على طراز العمارة الإسلامية",
        "Много семей остались без связи",  # семей "families"
        "Семей много, а связи нет",  # ... at the start of a sentence
        "Oral statements were made by the ministry.",
        "Уральский федеральный округ",  # adjective, not Uralsk
        "Он орал на всех",
        "نشرت وكالة الأنباء الخبر",  # وكالة is not و + Calais
        "رفضت المحكمة طلبا روسيًا",  # tanween adjective, not Russia
        "انتقل إلى مدينة كبيرة",  # "city", not Medina
        "Ich war beim Essen.",
    ],
)
def test_guards_reject_words_that_look_like_places(geocoder: Geocoder, text: str) -> None:
    assert geocoder.geocode(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مدينة طراز في جنوب البلاد", [TARAZ]),
        ("أستانا وطراز", [ASTANA, TARAZ]),
        ("Он живёт в Семее", [SEMEY]),
        ("Павлодар, Экибастуз и Семей", [PAVLODAR, 1524325, SEMEY]),
        ("The strike spread to Oral and Aktau.", [ORAL, AKTAU]),
        ("В Уральске нет связи", [ORAL]),
        ("Die Konferenz in Essen", [2928810]),
    ],
)
def test_the_same_names_in_place_context_are_accepted(
    geocoder: Geocoder, text: str, expected: list[int]
) -> None:
    assert ids(geocoder.geocode(text)) == expected


def test_rejections_say_why(geocoder: Geocoder) -> None:
    matches, rejections = geocoder.resolve("Oral statements were made.")
    assert matches == []
    assert [(r.surface, r.reason) for r in rejections] == [("Oral", "stopword")]
    _, rejections = geocoder.resolve("Семей много")
    assert rejections[0].reason == "stopword" and "common word" in rejections[0].detail


def test_paris_is_paris_france(geocoder: Geocoder) -> None:
    for text in ("Ablyazov was released near Paris.", "أطلق سراحه من سجن في ضاحية باريس", "Он уехал в Париж"):
        (match,) = geocoder.geocode(text)
        assert (match.geonameid, match.country_code) == (PARIS, "FR")


# -- clitics, inflection, elision, hashtags, accents ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "geonameid"),
    [
        ("وألماتي", "ألماتي", ALMATY),
        ("للماتي", "لماتي", ALMATY),  # ل + ألماتي: the alef of the name is not written
        ("وبكاراغاندا", "كاراغاندا", KARAGANDY),
        ("بافلودار", "بافلودار", PAVLODAR),  # ب is part of the name, not a clitic
        ("في أستانة", "أستانة", ASTANA),
        ("в Астане", "Астане", ASTANA),
        ("из Караганды", "Караганды", KARAGANDY),
        ("в Жанаозене", "Жанаозене", ZHANAOZEN),
        ("в Семее", "Семее", SEMEY),
        ("Алматыда", "Алматыда", ALMATY),
        ("Жаңаөзенде", "Жаңаөзенде", ZHANAOZEN),
        ("Ёлки в Алма-Ате", "Алма-Ате", ALMATY),
        ("les habitants d'Astana", "Astana", ASTANA),
        ("#астана", "астана", ASTANA),
        ("#Almaty", "Almaty", ALMATY),
        ("réunion à Genève", "Genève", 2660646),
    ],
)
def test_spelling_forms(geocoder: Geocoder, text: str, surface: str, geonameid: int) -> None:
    (match,) = geocoder.geocode(text)
    assert (match.surface, match.geonameid) == (surface, geonameid)
    assert text[match.start : match.end] == surface


def test_names_in_lower_case_only_as_hashtags(geocoder: Geocoder) -> None:
    """A name that must be capitalised is taken in lower case as a hashtag only, also after characters
    that folding drops (the tanween of مرحبًا): the first letter is looked up in the text itself."""
    berlin = 2950159
    assert ids(geocoder.geocode("Protest in #paris and #berlin", "en")) == [PARIS, berlin]
    assert geocoder.geocode("Protest in paris and berlin", "en") == []
    for text, found in (("مرحبًا Paris", [PARIS]), ("مرحبًا #paris", [PARIS]), ("مرحبًا paris", [])):
        assert ids(geocoder.geocode(text, "en")) == found, text


def test_longest_name_wins(geocoder: Geocoder) -> None:
    (match,) = geocoder.geocode("Protests in Mangystau Region")
    assert (match.surface, match.kind, match.region_code) == ("Mangystau Region", "region", "KZ-MAN")


@pytest.mark.parametrize(
    "text", ["Mangystau", "В Мангистауской области", "Маңғыстау облысында", "منطقة مانغيستاو"]
)
def test_regions_resolve_to_regions(geocoder: Geocoder, text: str) -> None:
    (match,) = geocoder.geocode(text)
    assert (match.geonameid, match.kind, match.region_code, match.admin1) == (
        MANGYSTAU,
        "region",
        "KZ-MAN",
        "09",
    )


def test_aktau_is_the_regional_capital(geocoder: Geocoder) -> None:
    assert ids(geocoder.geocode("Aktau")) == [AKTAU]
    assert ids(geocoder.geocode("Zhanaozen and Aktau")) == [ZHANAOZEN, AKTAU]
    assert geocoder.geocode("Aktau")[0].admin1 == "09"


# -- cross-script fallback ------------------------------------------------------------------------


def test_fallback_needs_kazakhstan_context(geocoder: Geocoder) -> None:
    (country, city) = geocoder.geocode("في كازاخستان، تحديدا في قاراغاندى، انقطع الاتصال")
    assert (city.surface, city.geonameid, city.method) == ("قاراغاندى", KARAGANDY, "transliterated")
    assert 0.6 <= city.score <= 0.9
    assert country.geonameid == 1522867
    assert geocoder.geocode("في قاراغاندى انقطع الاتصال") == []


def test_fallback_skips_adjectives(geocoder: Geocoder) -> None:
    assert ids(geocoder.geocode("قالت الشركات الكازاخستانية في أستانا")) == [ASTANA]


def test_fallback_skips_words_with_digits(geocoder: Geocoder) -> None:
    """A link id's consonants may fit a place (IcrVie8ISC: Balpyk Bi or Asyqata); a word with a digit is
    no name, and the fallback neither takes nor reports it."""
    for text, lang in (
        ("Астанада интернет жоқ https://t.co/IcrVie8ISC", "kk"),
        ("В Астане нет интернета https://t.co/IcrVie8ISC", "ru"),
        ("Жанаозен2011 Астанада", "kk"),
    ):
        matches, rejections = geocoder.resolve(text, lang)
        assert ids(matches) == [ASTANA]
        assert rejections == []
    # without its digit, the same word is transliterated and rejected as ambiguous
    _, rejections = geocoder.resolve("Астанада интернет жоқ https://t.co/IcrVieISC", "kk")
    assert [(r.surface, r.reason) for r in rejections] == [("IcrVieISC", "ambiguous")]


# -- batches: resolve_many gives what resolve gives, text by text ------------------------------------

# Pieces of mixed-script text: names in every script and form (inflected, with clitics, hashtags,
# common words that need context, adjectives with tanween, cross-script spellings), cue words,
# punctuation, dropped marks (diacritics, tatweel, zero-width joiner), emoji and a NUL.
PIECES = (
    "Almaty", "almaty", "Astana", "d'Astana", "#астана", "#Almaty", "Oral", "Aktau", "Paris", "Jordan",
    "Peterson", "Essen", "Mangystau Region", "Mangystau", "Region", "Алматы", "Астане", "Семей", "семей",
    "Семее", "Жаңаөзенде", "Маңғыстау облысында", "Уральский", "Орал", "ألماتي", "وألماتي", "للماتي",
    "بافلودار", "كاراغاندا", "قاراغاندى", "طراز", "روسيًا", "كَارَاغَانْدَا", "كـازاخستان", "مدينة",
    "الكازاخستانية", "كازاخستان", "Kazakhstan", "Казахстан", "Genève", "in", "в", "and", "и", "و", "the",
    "Internet", "Freedom", "протесты", "احتجاجات", "bloqués", ",", ".", "،", "!", "?", "\n", "«", "»", "-",
    "(", ")", "…", "#", "@", "\u064b", "\u0640", "\u200c", "\u0301", "🔥", "𝔸", "\x00", " ", "  ",
    # Names that the fallback's transliteration would also take (see test_fallback_settles_names).
    "Жанатас", "жанатас", "#жанатас", "Boulder", "boulder", "Atbassar", "atbassar", "глубокое",
    # Common words naming foreign places (Bayān, Kuwait; Lyon), their cues and a word between names.
    # كلايتون (Clayton) is also ك + لايتون (Layton): the longer name wins the overlap, and is dropped.
    "بيان", "وبيان", "#بيان", "في", "كلمة", "Lyon", "à", "كلايتون",
)  # fmt: skip
LANGS = (None, "ar", "ru", "kk", "en", "fr", "de", "und")
LONG = "words without a name " * (NUMPY_MIN_CHARACTERS // 10)
mixed_text = st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join) | st.lists(
    st.sampled_from(PIECES), max_size=25
).map("".join)


def _one_by_one(geocoder: Geocoder, texts: list[str], langs: list[str | None]) -> list[tuple]:
    return [geocoder.resolve(text, lang) for text, lang in zip(texts, langs, strict=True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(mixed_text | st.text(max_size=40), st.sampled_from(LANGS)), max_size=12))
def test_batch_gives_what_single_documents_give(geocoder: Geocoder, documents: list[tuple]) -> None:
    texts = [text for text, _ in documents]
    langs = [lang for _, lang in documents]
    single = _one_by_one(geocoder, texts, langs)
    assert geocoder.resolve_many(texts, langs) == single
    assert geocoder.geocode_many(texts, langs) == [matches for matches, _ in single]
    # A long last document makes the batch large enough to be folded with numpy.
    assert geocoder.resolve_many([*texts, LONG], [*langs, "en"])[:-1] == single


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(mixed_text, st.sampled_from(("kk", "ru", "en"))), max_size=12))
def test_fallback_settles_names(geocoder: Geocoder, documents: list[tuple]) -> None:
    """The fallback sets gazetteer names aside without transliterating them (Geocoder._scanned_name):
    the results are those of a geocoder that transliterates them, in every case and context."""
    texts = [text for text, _ in documents]
    langs = [lang for _, lang in documents]
    transliterating = Geocoder(geocoder.gazetteer)
    transliterating._scanned_name = lambda word, script: False  # type: ignore[method-assign]
    settling = Geocoder(geocoder.gazetteer)
    assert settling.resolve_many(texts, langs) == transliterating.resolve_many(texts, langs)


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        (
            "Жанатас, жанатас и #жанатас; Boulder, boulder, Atbassar, atbassar, глубокое",
            "kk",
            ("жанатас", "boulder", "atbassar", "глубокое"),
        ),
        # A name that takes proclitics, with one glued to it.
        ("انقطع الإنترنت بكاراغاندا وفي أستانا", "ar", ("بكاراغاندا",)),
    ],
)
def test_fallback_settles_names_it_could_transliterate(
    geocoder: Geocoder, text: str, lang: str, words: tuple[str, ...]
) -> None:
    """In a text about Kazakhstan these names have fallback verdicts, which are never needed."""
    transliterating = Geocoder(geocoder.gazetteer)
    transliterating._scanned_name = lambda word, script: False  # type: ignore[method-assign]
    settling = Geocoder(geocoder.gazetteer)
    assert settling.resolve(text, lang) == transliterating.resolve(text, lang)
    for word in words:
        assert transliterating._fallback_cache[word] is not None and word in settling._settled


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(mixed_text, st.sampled_from(LANGS)), min_size=1, max_size=12))
def test_caches_do_not_change_results(geocoder: Geocoder, documents: list[tuple]) -> None:
    """What a document gets depends on nothing seen before it: the caches (key infos, choices, verdicts
    and settled words) are filled and emptied in any order. The reference is a new geocoder per
    document; the others are the shared (warm) geocoder on the batch in reverse, and geocoders whose
    caches are emptied at every new entry (CACHE_SIZE 1), on the batch and again on its reverse."""
    texts = [text for text, _ in documents]
    langs = [lang for _, lang in documents]
    fresh = [Geocoder(geocoder.gazetteer).resolve(text, lang) for text, lang in documents]
    assert geocoder.resolve_many(texts[::-1], langs[::-1])[::-1] == fresh
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(geocode, "CACHE_SIZE", 1)
        tiny = Geocoder(geocoder.gazetteer)
        assert tiny.resolve_many(texts, langs) == fresh
        assert tiny.resolve_many(texts[::-1], langs[::-1])[::-1] == fresh
        assert _one_by_one(tiny, texts, langs) == fresh


def _through_the_guards(geocoder: Geocoder) -> Geocoder:
    """A geocoder on the same gazetteer that takes none of the batch shortcuts of Geocoder._find_names:
    every text with a name goes through the guards and disambiguation on its own spans (every name is
    guarded, and no common word is settled before the guard)."""
    reference = Geocoder(geocoder.gazetteer)
    key_info = reference._key_info
    reference._key_info = lambda key: key_info(key)._replace(shortcut=geocode._GUARDED)  # type: ignore[method-assign]

    def to_the_guard(
        common: np.ndarray, hits: object, document: np.ndarray, *rest: object
    ) -> tuple[np.ndarray, dict]:
        accepted = rest[-1]
        accepted[document[common]] = False  # type: ignore[index]
        return np.ones(len(document), dtype=bool), {}

    reference._common_words = to_the_guard  # type: ignore[method-assign]
    return reference


# Words the fallback takes (or rejects) in a text about Kazakhstan, and the same in other forms and
# contexts: lower case, glued to a name, covered by a name (بكاراغاندا), with a digit.
FALLBACK_PIECES = (
    "قاراغاندى", "وقاراغاندى", "بكاراغاندا", "IcrVieISC", "icrvieisc", "t.co/IcrVieISC", "IcrVie8ISC",
    "Астанада", "Kazakhstan", "كازاخستان", "Paris", "Aktau", "Актау", "Казахстан",
)  # fmt: skip
batch_text = mixed_text | st.lists(st.sampled_from(PIECES + FALLBACK_PIECES), max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(batch_text | st.text(max_size=40), st.sampled_from(LANGS)), max_size=12))
def test_batch_shortcuts_give_what_the_guards_give_text_by_text(
    geocoder: Geocoder, documents: list[tuple]
) -> None:
    """resolve_many's shortcuts for a whole batch (plain texts, names the guards accept as found, the
    fallback's words looked at for all texts at once, so a word may be placeful in one text and not
    in another) give, pickled byte for byte, what the guards and disambiguation give text by text."""
    texts = [text for text, _ in documents]
    langs = [lang for _, lang in documents]
    reference = _through_the_guards(geocoder)
    expected = pickle.dumps([reference.resolve(text, lang) for text, lang in documents])
    assert pickle.dumps(geocoder.resolve_many(texts, langs)) == expected
    assert pickle.dumps(geocoder.resolve_many([*texts, LONG], [*langs, "en"])[:-1]) == expected
    assert _rows_of_matches(geocoder.resolve_batch(texts, langs).match_rows()) == _rows_of_matches(
        pickle.loads(expected)
    )


def _rows_of_matches(found: tuple | list) -> list[tuple]:
    """(text index, start, end, the other fields) of each match, sorted: of ResolvedBatch.match_rows
    (a tuple of columns), or of the matches of resolve_many (a list of results)."""
    if isinstance(found, tuple):
        documents, starts, ends, fields = found
        rows = zip(documents.tolist(), starts, ends, fields, strict=True)
    else:
        rows = ((index, m.start, m.end, m[3:]) for index, (matches, _) in enumerate(found) for m in matches)
    return sorted((index, start, end, *PlaceFields._make(row)) for index, start, end, row in rows)


def test_batch_shortcuts_on_every_kind_of_name(geocoder: Geocoder) -> None:
    """The same, on one batch of every kind of name (plain, common word, small place, several
    candidates, too ambiguous to take, with clitics, with dropped marks) in every kind of place in a
    sentence: at its start, after a cue, inside a title-case phrase, in a list, as a hashtag, before a
    word that the fallback takes in texts about Kazakhstan."""
    names = (
        "Almaty", "almaty", "Jordan", "Oral", "Essen", "Paris", "Aktau", "Lyon", "Genève", "Mangystau Region",
        "Достық", "Семей", "семей", "Алматы", "Астане", "Актау", "Жанатас", "Казахстан", "طراز", "بيان",
        "وألماتي", "ألماتي", "كلايتون", "كَارَاغَانْدَا", "قاراغاندى", "Kazakhstan", "Aberdeen", "Alamo", "Aksay",
    )  # fmt: skip
    befores = (
        "",
        "Today ",
        "Today in ",
        "Сегодня в ",
        "Hi. ",
        "Hi.",
        "2016 ",
        "Today\t",
        "« ",
        "#",
        "Internet ",
        "في ",
        "Oral, ",
        "و",
        "أستانا، ",
        "à ",
    )
    afters = (
        "",
        " Peterson",
        " Freedom",
        " internet",
        ", Almaty",
        " и Семей",
        ". Aktau",
        " و أستانا",
        " او أستانا",
        " كلمة أستانا",
        " كلمة كلمة أستانا",
        " بيان",
        " IcrVieISC",
    )
    texts = [before + name + after for before in befores for name in names for after in afters]
    langs = [LANGS[index % len(LANGS)] for index in range(len(texts))]
    reference = _through_the_guards(geocoder)
    expected = [reference.resolve(text, lang) for text, lang in zip(texts, langs, strict=True)]
    assert pickle.dumps(geocoder.resolve_many(texts, langs)) == pickle.dumps(expected)
    assert sum(1 for matches, _ in expected if matches) > len(texts) // 2  # the batch is not all misses
    resolved = geocoder.resolve_batch(texts, langs)
    assert _rows_of_matches(resolved.match_rows()) == _rows_of_matches(expected)
    # plain texts (matches as columns), settled ones, and plain ones the fallback settled are all there
    plain = {index for index, (first, last) in enumerate(pairwise(resolved.plain.cuts)) if first != last}
    assert plain - set(resolved.settled) and set(resolved.settled) - plain and plain & set(resolved.settled)


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_the_word_before_in_folded_text_is_the_last_word(texts: list[str]) -> None:
    """In a folded batch the only white space is the space: _folded_word_before reads the word before a
    position as _last_word does, everywhere (at document starts and ends, after runs of spaces)."""
    folded = fold_batch(texts).folded
    for end in range(len(folded) + 1):
        assert geocode._folded_word_before(folded, end) == geocode._last_word(folded, end)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(batch_text | st.text(max_size=40), st.sampled_from(LANGS)), min_size=2, max_size=12)
)
def test_two_batches_give_what_one_gives(geocoder: Geocoder, documents: list[tuple]) -> None:
    """resolve_many and geocode_many geocode texts in Arabic or Cyrillic script apart from the others
    when each part has SEPARATE_BATCH_MIN texts (here 1): the results are those of one batch."""
    texts = [text for text, _ in documents]
    langs = [lang for _, lang in documents]
    single = _one_by_one(geocoder, texts, langs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(geocode, "SEPARATE_BATCH_MIN", 1)
        known = geocode._languages(texts, langs)
        if len({lang in geocode._ARABIC_OR_CYRILLIC for lang in known}) == 2:
            assert len(geocoder._grouped(texts, langs)[1]) == 2
        assert geocoder.resolve_many(texts, langs) == single
        assert geocoder.geocode_many(texts, langs) == [matches for matches, _ in single]


def _overlaps_one_by_one(
    overlap: np.ndarray, document: np.ndarray, starts: np.ndarray, ends: np.ndarray, clitics: np.ndarray
) -> np.ndarray:
    """_without_overlaps as its docstring says, plainly: in each text with overlaps, the names in order
    of preference each taken unless it overlaps (clitic included) one taken before."""
    kept = np.ones(len(document), dtype=bool)
    for index in set(document[overlap].tolist()):
        taken: list[tuple[int, int]] = []
        rows = np.flatnonzero(document == index).tolist()
        for row in sorted(rows, key=lambda row: (starts[row] - ends[row], clitics[row], starts[row], row)):
            left, right = starts[row] - clitics[row], ends[row]
            if any(start < right and left < end for start, end in taken):
                kept[row] = False
            else:
                taken.append((left, right))
    return kept


@pytest.mark.parametrize(
    ("starts", "ends", "kept"),
    [
        ([0, 2, 5], [3, 7, 14], [True, False, True]),  # a chain: the longest, then what it leaves
        ([0, 2, 5], [6, 7, 8], [True, False, False]),  # the longest overlaps both others
        ([0, 4], [9, 9], [True, False]),  # a pair: the longer
    ],
)
def test_overlapping_names_in_a_chain(starts: list[int], ends: list[int], kept: list[bool]) -> None:
    nothing = np.zeros(len(starts), dtype=np.int64)  # one text; no clitics
    arrays = [nothing, np.array(starts), np.array(ends), nothing]
    overlap = np.arange(len(starts) - 1)
    assert geocode._without_overlaps(overlap, *arrays).tolist() == kept
    assert _overlaps_one_by_one(overlap, *arrays).tolist() == kept


OVERLAPPING = ("Mangystau Region", "Mangystau", "Region", "Мангистауской области", "Маңғыстау облысында",
               "منطقة مانغيستاو", "مانغيستاو", "كلايتون", "وألماتي", "بكاراغاندا")  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(OVERLAPPING + PIECES[:8]), max_size=8).map(" ".join), max_size=12))
def test_overlapping_names_are_settled_as_one_by_one(geocoder: Geocoder, texts: list[str]) -> None:
    """_without_overlaps (isolated pairs with array operations) keeps the names that taking them one
    by one in order of preference keeps."""
    langs = [LANGS[len(text) % len(LANGS)] for text in texts]
    expected = geocoder.resolve_many(texts, langs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(geocode, "_without_overlaps", _overlaps_one_by_one)
        assert Geocoder(geocoder.gazetteer).resolve_many(texts, langs) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(batch_text | st.text(max_size=40), max_size=12))
def test_the_scan_finds_every_key(geocoder: Geocoder, texts: list[str]) -> None:
    """_scan reads only the documents that may hold a glued key with the automaton of all keys: it
    finds what that automaton finds over the whole batch, in the same order, wherever such documents
    stand in the batch (first, last, between others, none)."""
    gazetteer = geocoder.gazetteer
    for batch in (texts, [*texts, LONG], [LONG, *texts, "Алматы"], ["في ألماتي", *texts]):
        folded = fold_batch(batch).folded
        codes = None if folded.isascii() else code_points(folded)
        assert geocoder._scan(folded, codes) == list(gazetteer.full.iter(folded))


@given(st.text(alphabet="aZ1 .!\n\t#«\"-", max_size=40), st.data())
def test_a_sentence_starts_after_a_sentence_end_or_at_the_text_start(text: str, data: st.DataObject) -> None:
    """_sentence_initial, fast path included: the text before the word, less spaces, quotes, brackets
    and hashes, is empty or ends a sentence (texts under 40 characters, all of which it reads)."""
    start = data.draw(st.integers(0, len(text)))
    before = text[:start].rstrip(" \t\"'«“‘(#")
    assert geocode._sentence_initial(text, start) == (not before or before[-1] in ".!?\n…")


@given(st.lists(st.text(st.characters(blacklist_characters=" "), min_size=1, max_size=8), max_size=20))
def test_the_fallback_looks_at_long_words_without_a_digit(words: list[str]) -> None:
    """_TRANSLITERABLE, run once over a batch's words joined by spaces, picks the words the fallback
    looks at: those of at least FALLBACK_MIN_LETTERS characters without a decimal digit."""
    expected = [
        word
        for word in words
        if len(word) >= geocode.FALLBACK_MIN_LETTERS and not any(char.isdecimal() for char in word)
    ]
    assert geocode._TRANSLITERABLE.findall(" ".join(words)) == expected


def test_a_placeful_word_counts_only_where_the_fallback_looks(geocoder: Geocoder) -> None:
    """The fallback looks at the words of a batch's texts about Kazakhstan together: a word it takes is
    found in such a text, but not in a text that is not about Kazakhstan, nor in lower case, nor where
    a name covers it, whatever the other texts of the batch hold."""
    texts = [
        "في قاراغاندى انقطع الاتصال",  # not about Kazakhstan: nothing
        "في كازاخستان، تحديدا في قاراغاندى، انقطع الاتصال",  # the country, then the word: found
        "Астанада интернет жоқ https://t.co/IcrVieISC",  # Kazakh: rejected as ambiguous
        "Астанада интернет жоқ icrvieisc",  # lower case: not looked at
        "Aktau and Paris",  # about Kazakhstan, without the word
        "حجب في بكاراغاندا",  # covered by a name (كاراغاندا with its clitic)
    ]
    langs = ["ar", "ar", "kk", "kk", "en", "ar"]
    batched = geocoder.resolve_many(texts, langs)
    assert batched == [geocoder.resolve(text, lang) for text, lang in zip(texts, langs, strict=True)]
    assert batched[0] == ([], [])
    assert [(m.surface, m.method) for m in batched[1][0]] == [
        ("كازاخستان", "variant"),
        ("قاراغاندى", "transliterated"),
    ]
    assert [(r.surface, r.reason) for r in batched[2][1]] == [("IcrVieISC", "ambiguous")]
    assert batched[3][1] == [] and ids(batched[3][0]) == [ASTANA]
    assert ids(batched[4][0]) == [AKTAU, PARIS] and batched[4][1] == []
    assert ids(batched[5][0]) == [KARAGANDY] and batched[5][1] == []


def test_choices_cached_per_sequence_of_names_follow_their_context(geocoder: Geocoder) -> None:
    """Aksay (several candidates) is chosen by its text's context, which the choices cached per sequence
    of names (Geocoder._choices_of) must carry: in Russia on its own, in Kazakhstan for Kazakh text or
    beside a place in Kazakhstan, and surely so beside Oral (same region). Each order of the batch, on
    one shared geocoder, gives every text what a new geocoder gives it."""
    aksay_ru, aksay_kz = 583673, 610613
    documents = [
        ("Aksay", "en", (aksay_ru, 1.0)),
        ("Aksay", "kk", (aksay_kz, 0.781)),
        ("Aksay and Astana", "en", (aksay_kz, 0.781)),
        ("Aksay and Oral", "en", (aksay_kz, 1.0)),
        ("Aksay and Astana", "kk", (aksay_kz, 0.781)),
    ]
    for batch in (documents, documents[::-1]):
        shared = Geocoder(geocoder.gazetteer)
        texts, langs = [text for text, _, _ in batch], [lang for _, lang, _ in batch]
        for (text, lang, aksay), (matches, _) in zip(batch, shared.resolve_many(texts, langs), strict=True):
            assert (matches[0].geonameid, matches[0].score) == aksay, (text, lang)
        assert _one_by_one(shared, texts, langs) == _one_by_one(Geocoder(geocoder.gazetteer), texts, langs)


def test_batch_of_the_evaluation_set_and_the_seed(geocoder: Geocoder) -> None:
    cases = read_cases(CASES)
    texts = [case.text for case in cases] + [read_text(SEED), ""]
    langs: list[str | None] = [case.lang for case in cases] + [None, None]
    batched = geocoder.resolve_many(texts, langs)
    assert batched == _one_by_one(geocoder, texts, langs)
    assert {m.geonameid for m in batched[-2][0]} >= {ASTANA, ALMATY, KARAGANDY, ATYRAU, ZHANAOZEN}
    assert batched[-1] == ([], [])
    assert geocoder.resolve_many(texts) == _one_by_one(geocoder, texts, [None] * len(texts))


def test_no_name_runs_from_one_document_into_the_next(geocoder: Geocoder) -> None:
    # "Mangystau Region" is one name, but not across two documents.
    assert ids(geocoder.geocode("Mangystau Region")) == [MANGYSTAU]
    assert [m.surface for ms in geocoder.geocode_many(["Mangystau", "Region"]) for m in ms] == ["Mangystau"]
    assert geocoder.resolve_many([]) == []
    with pytest.raises(ValueError):
        geocoder.resolve_many(["Almaty"], ["en", "ru"])


def folded_documents(batch: FoldedBatch, texts: list[str]) -> list[tuple[str, list[int] | None]]:
    """Each document of ``batch`` as its users read it: its folded text, and (as fold_text gives it) the
    positions of the characters kept when folding dropped some, which shows in a shorter folded text."""
    return [
        (batch.folded[start:end], None if end - start == len(text) else kept_positions(text))
        for start, end, text in zip(batch.starts, batch.ends, texts, strict=True)
    ]


# Any text, lone surrogates included (JSON's "\\udf1d" makes one), beside astral characters too.
any_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=30)


@given(st.lists(any_text, max_size=8), st.booleans())
def test_fold_batch_folds_each_document_as_fold_text(texts: list[str], large: bool) -> None:
    if large:  # folded with numpy, not text by text
        texts = [*texts, LONG]
    batch = fold_batch(texts)
    assert folded_documents(batch, texts) == [fold_text(t) for t in texts]
    assert batch.folded.count(BOUNDARY) == max(len(texts) - 1, 0)  # a NUL in a text folds to a space


def test_a_lone_surrogate_folds_alike_beside_an_astral_character() -> None:
    # fold_text translates through the fold table, fold_batch looks code points up in a numpy array.
    for text in ("🔥\udf1d", "\ud910🔥", "Almaty\udc80"):
        assert fold_text(text)[0] == fold_text(text.replace("🔥", " "))[0]
        batch = fold_batch([text, LONG])
        assert folded_documents(batch, [text, LONG]) == [fold_text(text), fold_text(LONG)]


def test_fast_match_is_a_place_match(geocoder: Geocoder) -> None:
    """Matches are made with tuple.__new__ (geocode._match): they are PlaceMatch objects all the same,
    with the class's repr, pickle and attributes, and each keeps its own span."""
    (match,) = geocoder.geocode("Протесты в Жанаозене")
    assert type(match) is PlaceMatch
    assert repr(match).startswith("PlaceMatch(start=11, end=20, surface='Жанаозене', geonameid=607610, ")
    again = pickle.loads(pickle.dumps(match))
    assert again == match and type(again) is PlaceMatch
    assert (match.surface, match.method, match.kind) == ("Жанаозене", "inflected", "city")
    with pytest.raises(AttributeError):
        match.start = 0  # type: ignore[misc]
    # two matches of one name (one template) each keep their own span
    first, second = geocoder.geocode("Протесты в Жанаозене и Жанаозене")
    assert (first.start, second.start) == (11, 23) and first[3:] == second[3:]


# -- the evaluation gate --------------------------------------------------------------------------


def test_evaluation_set_shape() -> None:
    cases = read_cases(CASES)
    assert len(cases) >= 200
    assert {case.lang for case in cases} == set(LANGUAGES)
    assert sum(case.kind != "place" for case in cases) * 3 >= len(cases)


def test_evaluation_gate(geocoder: Geocoder) -> None:
    table = summarise(run_cases(geocoder, read_cases(CASES)))
    overall = table[-1]
    assert overall["lang"] == "all" and overall["f1"] >= 0.95
    for row in table:
        assert row["precision"] >= 0.95, row


def test_evaluate_cli_writes_the_table(gazetteer_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "evaluation.csv"
    assert (
        evaluate_main(["--cases", str(CASES), "--gazetteer", str(gazetteer_path), "--output", str(output)])
        == 0
    )
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("lang,cases,traps_and_negatives,")
    assert [line.split(",")[0] for line in lines[1:]] == [*LANGUAGES, "all"]


def test_bad_evaluation_row(tmp_path: Path) -> None:
    bad = tmp_path / "cases.csv"
    bad.write_text("case_id,lang,kind,text,expected,note\nx1,xx,place,Almaty,1526384,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_cases(bad)
    assert (caught.value.line, caught.value.field) == (2, "lang")


# -- the reuse CLI --------------------------------------------------------------------------------


def _run(args: list[str], stdin: bytes | str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if monkeypatch is not None:  # standard input as the CLI gets it: text over a binary buffer
        data = stdin if isinstance(stdin, bytes) else stdin.encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return run_main(main, args)


def test_cli_file_to_file(gazetteer_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    documents = [
        {"id": "t1", "text": "Протесты в Жанаозене и #астана", "lang": "ru"},
        {"id": "t2", "text": "No place here"},
        {"id": "t3", "text": "سافر من باريس إلى ألماتي", "lang": None},
    ]
    source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    thresholds = gc.get_threshold()
    assert _run([str(source), "-o", str(output), "--gazetteer", str(gazetteer_path)]) == 0
    # The CLI loads the gazetteer out of the collector's way and leaves the collector as it was.
    assert gc.isenabled() and gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["geonameid"]) for r in records] == [
        ("t1", ZHANAOZEN),
        ("t1", ASTANA),
        ("t3", PARIS),
        ("t3", ALMATY),
    ]
    assert all(tuple(record) == OUTPUT_KEYS for record in records)
    assert records[0] | {"lat": 0, "lon": 0} == {
        "id": "t1",
        "start": 11,
        "end": 20,
        "surface": "Жанаозене",
        "geonameid": ZHANAOZEN,
        "name": "Zhanaozen",
        "country_code": "KZ",
        "admin1": "09",
        "lat": 0,
        "lon": 0,
        "method": "inflected",
        "score": 0.9,
    }


def test_cli_stdin_to_stdout(gazetteer_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    stdin = json.dumps({"id": "a", "text": "Oral statements; strikes in Atyrau"}) + "\n"
    assert _run(["-", "-o", "-", "--gazetteer", str(gazetteer_path)], stdin, monkeypatch) == 0
    out = capsys.readouterr()
    assert [json.loads(line)["geonameid"] for line in out.out.splitlines()] == [ATYRAU]
    assert out.err == ""  # no progress bar: stderr is not a terminal


def test_cli_batches_give_what_single_documents_give(geocoder: Geocoder) -> None:
    cases = read_cases(CASES)
    picked = [cases[n % len(cases)] for n in range(2 * BATCH_SIZE + 7)]  # three batches, the last short
    documents = [(f"d{n}", case.text, case.lang) for n, case in enumerate(picked)]
    lines = [json.dumps({"id": i, "text": text, "lang": lang}) + "\n" for i, text, lang in documents]
    source = io.StringIO("".join(lines))
    sink = io.StringIO()
    geocode_stream(geocoder, source, sink, "<test>")
    expected = [
        geocode.mention_record(document_id, match)
        for document_id, text, lang in documents
        for match in geocoder.geocode(text, lang)
    ]
    assert [json.loads(line) for line in sink.getvalue().splitlines()] == expected


def test_progress_goes_to_the_given_stream_only(geocoder: Geocoder) -> None:
    count = BATCH_SIZE + 500
    source = io.StringIO("".join(json.dumps({"id": str(n), "text": "Almaty"}) + "\n" for n in range(count)))
    sink, progress = io.StringIO(), io.StringIO()
    assert geocode_stream(geocoder, source, sink, "<test>", progress) == (count, count)
    assert f"geocoded {BATCH_SIZE:,} documents" in progress.getvalue()
    assert progress.getvalue().endswith(f"geocoded {count:,} documents, {count:,} mentions\n")
    assert len(sink.getvalue().splitlines()) == count and "geocoded" not in sink.getvalue()


def test_cli_empty_input_gives_empty_output(gazetteer_path: Path, tmp_path: Path) -> None:
    source, output = tmp_path / "empty.jsonl", tmp_path / "out.jsonl"
    source.write_text("", encoding="utf-8")
    assert _run([str(source), "-o", str(output), "--gazetteer", str(gazetteer_path)]) == 0
    assert output.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize(
    ("second_line", "message"),
    [
        ("{not json", "in.jsonl:2: not valid JSON"),
        ('{"id": "b"}', "in.jsonl:2: text: missing"),
        ('{"id": 7, "text": "Almaty"}', "in.jsonl:2: id: must be a string"),
        ('{"text": "Almaty"}', "in.jsonl:2: id: missing"),
        ('{"id": "b", "text": 5}', "in.jsonl:2: text: must be a string"),
        ('["id", "text"]', "in.jsonl:2: a line must hold a JSON object, not list"),
        ("", "in.jsonl:2: blank line"),
        ('{"id": "b", "text": "\\ud800"}', "in.jsonl:2: text: contains a lone surrogate"),
        ('{"id": "b", "text": "Almaty", "lang": "EN"}', "in.jsonl:2: lang: 'EN' is not an ISO 639-1 code"),
        ('{"id": "b", "text": "Almaty", "lang": ""}', "in.jsonl:2: lang: '' is not an ISO 639-1 code"),
        ('{"id": "b", "text": "Almaty"}\r', "in.jsonl:2: CR line ending"),
        ('{"id": "b",\r"text": "Almaty"}', "in.jsonl:2: CR line ending"),
    ],
)
def test_cli_bad_lines(gazetteer_path: Path, tmp_path: Path, capsys, second_line: str, message: str) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "Almaty"}\n' + second_line + "\n", encoding="utf-8")
    assert _run([str(source), "-o", str(output), "--gazetteer", str(gazetteer_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not output.exists()  # nothing half-written


@pytest.mark.parametrize("stdin", [False, True])
def test_cli_names_the_line_of_invalid_utf8(
    gazetteer_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, stdin: bool
) -> None:
    data = b'{"id": "a", "text": "Almaty"}\n{"id": "b", "text": "Ast\xffana"}\n'
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(data)
    args = ["-" if stdin else str(source), "-o", str(output), "--gazetteer", str(gazetteer_path)]
    assert _run(args, data, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err == f"error: {'<stdin>' if stdin else source}:2: invalid UTF-8 at byte 24 of the line\n"
    assert not output.exists()


def test_cli_ends_quietly_when_its_reader_stops_early(gazetteer_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"  # batches of more mentions than a pipe holds: writing blocks on the reader
    source.write_text(
        "".join(
            json.dumps({"id": str(n), "text": "Almaty, Astana. " * 10}) + "\n" for n in range(3 * BATCH_SIZE)
        )
    )
    command = [
        sys.executable,
        "-m",
        "kzshutdowns.geocode",
        str(source),
        "-o",
        "-",
        "--gazetteer",
        str(gazetteer_path),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert json.loads(process.stdout.readline())["surface"] == "Almaty"
        process.stdout.close()  # as `| head -1` does
        err = process.stderr.read().decode()
    assert process.returncode == 141 and err == ""  # as a filter killed by SIGPIPE, without a traceback


def test_cli_input_that_is_a_folder(gazetteer_path: Path, tmp_path: Path, capsys) -> None:
    assert _run([str(tmp_path), "-o", "-", "--gazetteer", str(gazetteer_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path}: cannot read: Is a directory\n"


def test_cli_missing_input_file(gazetteer_path: Path, tmp_path: Path, capsys) -> None:
    assert _run([str(tmp_path / "nope.jsonl"), "-o", "-", "--gazetteer", str(gazetteer_path)]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("unit", "places", "rejected"),
    [
        ("Oral Aktau ", ["Aktau"], ["Oral"]),
        ("باريس ", ["Paris"], []),
        ("Paris, Bayan ", ["Paris", "Bayan"], []),
    ],
)
def test_a_long_text_of_many_names_is_resolved_name_by_name(geocoder: Geocoder, unit, places, rejected):
    # the guards once looked at every other name, and split the text before each, for every name (cubic)
    count = 20_000
    matches, rejections = geocoder.resolve(unit * count)
    assert [match.name for match in matches] == places * count
    assert [rejection.surface for rejection in rejections] == rejected * count


def test_load_without_path_uses_the_workflow_gazetteer(
    gazetteer_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geocode, "DEFAULT_GAZETTEER", gazetteer_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    geocoder = Geocoder.load()
    assert ids(geocoder.geocode("Almaty")) == [ALMATY]
    assert not (tmp_path / "kzshutdowns").exists()  # found, so nothing was built or cached


def test_load_without_path_rebuilds_a_cache_of_another_format(
    gazetteer_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache written by an older version of the package (another format) or damaged was an error that
    # asked the user to rebuild it by hand; it is a cache: rebuilt, and written over.
    stale = tmp_path / "stale.pickle"
    stale.write_bytes(pickle.dumps({"settings": {"format": 0}}))
    cache = tmp_path / "kzshutdowns" / "gazetteer.pickle"
    cache.parent.mkdir()
    cache.write_bytes(b"junk")
    monkeypatch.setattr(geocode, "DEFAULT_GAZETTEER", stale)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = load_gazetteer(gazetteer_path)
    built.settings["reference"] = geocode.reference_fingerprint()
    monkeypatch.setattr(geocode, "build_default_gazetteer", lambda: built)
    assert ids(Geocoder.load().geocode("Almaty")) == [ALMATY]
    assert load_gazetteer(cache).settings["reference"] == geocode.reference_fingerprint()


def test_bad_gazetteer_file(tmp_path: Path) -> None:
    (tmp_path / "bad.pickle").write_bytes(b"junk")
    with pytest.raises(InputError):
        Geocoder.load(tmp_path / "bad.pickle")
