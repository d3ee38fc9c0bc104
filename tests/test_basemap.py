"""Tests for kzshutdowns.basemap: the embedded outlines, the Natural Earth loader, the GeoPackage."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from kzshutdowns import basemap
from kzshutdowns.errors import InputError, run_main

DATA = Path(__file__).parent / "data" / "figures"
SUMS = dict(reversed(line.split("  ")) for line in (DATA / "SHA256SUMS").read_text().splitlines())
ADMIN0, ADMIN1 = DATA / "ne_admin0_fixture.zip", DATA / "ne_admin1_fixture.zip"


@pytest.fixture(scope="module")
def kazakhstan():
    return basemap.embedded_countries("KZ")


def test_embedded_focus_and_its_neighbours(kazakhstan):
    focus = kazakhstan[kazakhstan["role"] == "focus"]
    assert list(focus["iso_a2"]) == ["KZ"] and list(focus["iso_a3"]) == ["KAZ"]
    # Every country Kazakhstan borders is there, muted as a neighbour.
    neighbours = set(kazakhstan.loc[kazakhstan["role"] == "neighbour", "iso_a2"])
    assert {"RU", "CN", "UZ", "KG", "TM"} <= neighbours
    assert "US" not in neighbours and "BR" not in neighbours
    assert list(kazakhstan.columns) == [*basemap.COUNTRY_COLUMNS, "geometry"]


def test_embedded_outlines_are_clipped_to_the_frame_and_valid(kazakhstan):
    focus = kazakhstan.geometry[kazakhstan["role"] == "focus"].iloc[0]
    west, south, east, north = focus.bounds
    # Kazakhstan spans roughly 46.5-87.4 E and 40.5-55.5 N.
    assert 45 < west < 48 and 86 < east < 88 and 40 < south < 41.5 and 55 < north < 56
    frame = basemap.frame_around(focus)
    assert all(frame.buffer(1e-6).contains(geometry) for geometry in kazakhstan.geometry)
    assert kazakhstan.geometry.is_valid.all()
    assert kazakhstan.crs.to_epsg() == 4326


def test_embedded_works_for_another_country():
    uzbekistan = basemap.embedded_countries("UZB")
    assert list(uzbekistan.loc[uzbekistan["role"] == "focus", "iso_a2"]) == ["UZ"]
    assert "KZ" in set(uzbekistan["iso_a2"]) and "AF" in set(uzbekistan["iso_a2"])


def test_unknown_focus_is_an_input_error():
    with pytest.raises(InputError) as error:
        basemap.embedded_countries("QQQ")
    assert error.value.field == "focus"


def test_geopackage_is_byte_identical_and_round_trips(tmp_path, kazakhstan):
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    basemap.write_basemap(first, kazakhstan)
    basemap.write_basemap(second, kazakhstan)
    assert first.read_bytes() == second.read_bytes()
    countries, regions = basemap.load_basemap(first)
    assert regions is None
    assert list(countries["iso_a2"]) == list(kazakhstan["iso_a2"])
    # GeoPackage stores every outline as a MultiPolygon; the shapes themselves are unchanged.
    assert shapely.equals(countries.geometry.values, kazakhstan.geometry.values).all()


def test_natural_earth_countries_from_the_fixture():
    countries = basemap.natural_earth_countries(ADMIN0, SUMS[ADMIN0.name], "KZ")
    # The far-away square is outside the frame; the "-99" code falls back to ISO_A2_EH.
    assert list(countries["iso_a2"]) == ["KZ", "XK", "UZ"]
    assert list(countries["role"]) == ["focus", "neighbour", "neighbour"]
    assert list(countries["iso_a3"]) == ["KAZ", "KOS", "UZB"]


def test_natural_earth_regions_of_the_focus_only():
    regions = basemap.natural_earth_regions(ADMIN1, SUMS[ADMIN1.name], "KZ")
    assert list(regions["region_code"]) == ["KZ-75", "KZ-MAN"]
    assert list(regions["name"]) == ["Almaty", "Mangystau"]


def test_natural_earth_basemap_has_a_regions_layer(tmp_path):
    output = tmp_path / "basemap.gpkg"
    argv = [
        "build",
        "--source",
        "natural_earth",
        "--admin0",
        str(ADMIN0),
        "--admin0-sha256",
        SUMS[ADMIN0.name],
        "--admin1",
        str(ADMIN1),
        "--admin1-sha256",
        SUMS[ADMIN1.name],
        "--output",
        str(output),
    ]
    assert run_main(basemap.main, argv) == 0
    countries, regions = basemap.load_basemap(output)
    assert set(countries["iso_a2"]) == {"KZ", "UZ", "XK"}
    assert list(regions["region_code"]) == ["KZ-75", "KZ-MAN"]


def test_wrong_checksum_is_refused():
    with pytest.raises(InputError) as error:
        basemap.natural_earth_countries(ADMIN0, "0" * 64, "KZ")
    assert error.value.field == "sha256" and str(ADMIN0) in str(error.value)


def test_archive_without_a_required_attribute_is_refused(tmp_path):
    # The admin-1 archive has no adm0_a3 column, so it is not an admin-0 layer.
    with pytest.raises(InputError) as error:
        basemap.natural_earth_countries(ADMIN1, SUMS[ADMIN1.name], "KZ")
    assert error.value.field == "adm0_a3"


def test_download_keeps_only_a_matching_file(tmp_path):
    url = ADMIN0.resolve().as_uri()
    output = tmp_path / "admin0.zip"
    basemap.download(url, output, SUMS[ADMIN0.name])
    assert hashlib.sha256(output.read_bytes()).hexdigest() == SUMS[ADMIN0.name]
    refused = tmp_path / "refused.zip"
    with pytest.raises(InputError):
        basemap.download(url, refused, "f" * 64)
    assert not refused.exists() and list(tmp_path.iterdir()) == [output]


def test_natural_earth_without_its_archives_exits_2(capsys, tmp_path):
    argv = ["build", "--source", "natural_earth", "--output", str(tmp_path / "x.gpkg")]
    assert run_main(basemap.main, argv) == 2
    assert "--admin0" in capsys.readouterr().err


def test_load_basemap_reports_a_missing_file(tmp_path):
    with pytest.raises(InputError) as error:
        basemap.load_basemap(tmp_path / "none.gpkg")
    assert "none.gpkg" in str(error.value)


def test_cli_help_documents_the_layers():
    result = subprocess.run(
        [sys.executable, "-m", "kzshutdowns.basemap", "--help"], capture_output=True, text=True, check=True
    )
    assert "countries" in result.stdout and "iso_a2" in result.stdout and "region_code" in result.stdout


def test_failed_download_is_one_clear_error(tmp_path):
    url = (tmp_path / "missing.zip").as_uri()
    with pytest.raises(InputError) as error:
        basemap.download(url, tmp_path / "out.zip", "0" * 64)
    assert str(error.value).startswith(url) and "download failed" in str(error.value)
    assert list(tmp_path.iterdir()) == []
