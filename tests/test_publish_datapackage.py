"""Publishing the data package: frictionless accepts it, it records licence, hashes and bytes, it is
byte-identical across builds, extra resources join by flag, and bad input stops it cleanly."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kzshutdowns import __version__
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.publish_datapackage import check_package, main, parse_resource_flag

ROOT = Path(__file__).resolve().parents[1]
# The frictionless command of this interpreter's environment (else the one on PATH).
FRICTIONLESS = Path(sys.executable).with_name("frictionless")
if not FRICTIONLESS.exists():
    FRICTIONLESS = Path(shutil.which("frictionless") or "frictionless")
REFERENCE = ROOT / "data" / "reference"


def publish(out: Path, *extra: str, events: Path = REFERENCE / "shutdowns.csv") -> int:
    return main([
        "--events", str(events), "--sources", str(REFERENCE / "sources.csv"),
        "--platforms", str(REFERENCE / "platforms.csv"), "--regions", str(REFERENCE / "regions.csv"),
        "--output-events", str(out / "shutdowns.csv"), "--output-sources", str(out / "sources.csv"),
        *extra, "--output", str(out / "datapackage.json"),
    ])


def frictionless_validate(package: Path) -> subprocess.CompletedProcess:
    """Run the frictionless command line on a package, from the package's folder."""
    return subprocess.run([str(FRICTIONLESS), "validate", str(package)], capture_output=True, text=True,
                          cwd=package.parent, check=False)


@pytest.fixture
def package(tmp_path) -> Path:
    out = tmp_path / "processed"
    assert publish(out) == 0
    return out / "datapackage.json"


def test_frictionless_validate_accepts_the_package(package):
    result = frictionless_validate(package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shutdowns" in result.stdout and "sources" in result.stdout


def test_frictionless_refuses_a_tampered_copy(package):
    published = package.with_name("sources.csv")
    text = published.read_text(encoding="utf-8").replace("Kazinform", "Kazinforn")
    published.write_text(text, encoding="utf-8")
    result = frictionless_validate(package)
    assert result.returncode != 0
    with pytest.raises(InputError, match="hash-count"):
        check_package(package)


def test_descriptor_has_licence_sources_contributors_version_and_hashes(package):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["name"] == "kz-shutdowns"
    assert descriptor["version"] == __version__
    assert [licence["name"] for licence in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert "GeoNames" in descriptor["description"] and "attributed" in descriptor["description"]
    assert any("geonames.org" in source["path"] for source in descriptor["sources"])
    assert descriptor["contributors"][0]["roles"] == ["creator"]
    assert "16 events are reported by two or more independent publishers" in descriptor["description"]
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == ["shutdowns", "sources"]
    for resource in resources.values():
        data = (package.parent / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
        assert resource["type"] == "table" and resource["mediatype"] == "text/csv"
    assert resources["sources"]["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "shutdowns", "fields": ["event_id"],
    }
    assert resources["shutdowns"]["schema"]["primaryKey"] == ["event_id"]


def test_published_tables_are_the_reference_tables(package):
    for name in ("shutdowns.csv", "sources.csv"):
        assert (package.parent / name).read_bytes() == (REFERENCE / name).read_bytes()


def test_rebuild_is_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert publish(first) == 0 and publish(second) == 0
    for name in ("datapackage.json", "shutdowns.csv", "sources.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert b"created" not in (first / "datapackage.json").read_bytes()


def test_extra_table_and_file_resources_join_by_flag(tmp_path):
    out = tmp_path / "processed"
    out.mkdir()
    (out / "city_reports.csv").write_text("report_id,place\nr1,Almaty\nr2,Aktobe\n", encoding="utf-8")
    schema = tmp_path / "city_reports.schema.json"
    schema.write_text(json.dumps({
        "title": "Reports", "description": "Test table.",
        "fields": [{"name": "report_id", "type": "string", "constraints": {"unique": True}},
                   {"name": "place", "type": "string"}],
        "primaryKey": ["report_id"],
    }), encoding="utf-8")
    geojson = out / "city_reports.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": []}) + "\n", encoding="utf-8")
    assert publish(out, "--resource", f"{out / 'city_reports.csv'}={schema}", "--resource", str(geojson)) == 0
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == ["shutdowns", "sources", "city_reports", "city_reports-geojson"]
    assert resources["city_reports"]["schema"]["primaryKey"] == ["report_id"]
    assert resources["city_reports"]["title"] == "Reports"
    assert resources["city_reports-geojson"]["mediatype"] == "application/geo+json"
    assert "schema" not in resources["city_reports-geojson"]
    result = frictionless_validate(out / "datapackage.json")
    assert result.returncode == 0, result.stdout


def test_extra_table_that_breaks_its_schema_stops_the_build(tmp_path):
    out = tmp_path / "processed"
    out.mkdir()
    (out / "city_reports.csv").write_text("report_id\nr1\nr1\n", encoding="utf-8")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"fields": [{"name": "report_id", "type": "string",
                                              "constraints": {"unique": True}}]}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish(out, "--resource", f"{out / 'city_reports.csv'}={schema}")
    assert caught.value.line == 3 and caught.value.field == "report_id"
    assert "unique" in caught.value.message
    assert not (out / "datapackage.json").exists()


def _reports_schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"fields": [{"name": "report_id", "type": "string"},
                                             {"name": "lat", "type": "number"},
                                             {"name": "place", "type": "string"}]}), encoding="utf-8")
    return schema


def test_a_bad_cell_of_an_extra_table_is_named_by_the_path_given(tmp_path):
    # The error named the file relative to the package folder ("city_reports.csv"), not as given.
    out = tmp_path / "processed"
    out.mkdir()
    table = out / "city_reports.csv"
    table.write_text("report_id,lat,place\nr1,43.2,Almaty\nr2,north,Aktobe\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish(out, "--resource", f"{table}={_reports_schema(tmp_path)}")
    assert (Path(caught.value.path), caught.value.line, caught.value.field) == (table, 3, "lat")


def test_an_extra_table_without_a_column_of_its_schema_names_that_column(tmp_path):
    # frictionless compares labels by position: a missing "lat" was reported as a missing last label.
    out = tmp_path / "processed"
    out.mkdir()
    table = out / "city_reports.csv"
    table.write_text("report_id,place\nr1,Almaty\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header must be report_id,lat,place \(missing lat\)") as caught:
        publish(out, "--resource", f"{table}={_reports_schema(tmp_path)}")
    assert (Path(caught.value.path), caught.value.line) == (table, 1)
    assert not (out / "datapackage.json").exists()


def test_resource_outside_the_package_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(InputError, match="must lie inside the package folder"):
        publish(tmp_path / "processed", "--resource", str(outside))


def test_bad_events_stop_the_build_before_anything_is_written(tmp_path, capsys):
    bad = tmp_path / "reference"
    shutil.copytree(REFERENCE, bad, ignore=shutil.ignore_patterns("regions*", "toponyms*"))
    path = bad / "shutdowns.csv"
    text = path.read_text(encoding="utf-8").replace("2016-12-16,day,2016-12-16", "2016-12-16,day,2016-12-06")
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "processed"
    code = run_main(main, [
        "--events", str(path), "--sources", str(bad / "sources.csv"),
        "--platforms", str(bad / "platforms.csv"),
        "--output-events", str(out / "shutdowns.csv"), "--output-sources", str(out / "sources.csv"),
        "--output", str(out / "datapackage.json"),
    ])
    assert code == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("kz-2016-12-16,"))
    assert capsys.readouterr().err == (
        f"error: {path}:{line}: end_date: end_date 2016-12-06 is before start_date 2016-12-16\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("flag", "path", "schema"),
    [("a/b.csv=s.json", "a/b.csv", "s.json"), ("a/b.geojson", "a/b.geojson", None)],
)
def test_resource_flag(flag, path, schema):
    spec = parse_resource_flag(flag)
    assert spec.path == Path(path)
    assert spec.schema_path == (Path(schema) if schema else None)


# CITATION.cff: cffconvert is not in the environment, so these check the CFF 1.2.0 rules the file relies on.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
    "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
    "repository-artifact", "repository-code", "title", "type", "url", "version",
}


def test_citation_file_is_cff_1_2_0_with_mit_code_and_cc_by_data():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert set(citation) <= CFF_KEYS
    assert {"cff-version", "message", "title", "authors"} <= set(citation)
    assert citation["cff-version"] == "1.2.0"
    assert (citation["type"], citation["license"], citation["version"]) == ("software", "MIT", __version__)
    assert all("name" in author or "family-names" in author for author in citation["authors"])
    dataset = next(reference for reference in citation["references"] if reference["type"] == "dataset")
    assert dataset["license"] == "CC-BY-4.0" and dataset["version"] == __version__
    geonames = next(reference for reference in citation["references"] if "GeoNames" in reference["title"])
    assert geonames["license"] == "CC-BY-4.0"
