"""Write the tiny Natural Earth look-alike archives used by tests/test_basemap.py.

Run from the repository root: ``python tests/data/figures/make_natural_earth_fixture.py``. It writes
``ne_admin0_fixture.zip`` and ``ne_admin1_fixture.zip`` (zipped shapefiles with Natural Earth's
attribute names and upper-case admin-0 fields, squares instead of real outlines) and
``SHA256SUMS`` beside this file. The zips are committed, so tests never regenerate them.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

HERE = Path(__file__).parent
# A fixed timestamp inside the zip, so rerunning the script gives the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def write_zipped_shapefile(frame: gpd.GeoDataFrame, stem: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        frame.to_file(Path(folder) / f"{stem}.shp", driver="ESRI Shapefile")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                info = zipfile.ZipInfo(path.name, date_time=ZIP_TIME)
                archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)


def main() -> None:
    admin0 = gpd.GeoDataFrame(
        {
            "ISO_A2": ["KZ", "UZ", "-99", "US"],
            "ISO_A2_EH": ["KZ", "UZ", "XK", "US"],
            "ADM0_A3": ["KAZ", "UZB", "KOS", "USA"],
            "NAME": ["Kazakhstan", "Uzbekistan", "Somewhere", "Far away"],
        },
        geometry=[box(47, 41, 87, 55), box(56, 37, 73, 45), box(60, 50, 62, 52), box(-100, 30, -90, 40)],
        crs="EPSG:4326",
    )
    admin1 = gpd.GeoDataFrame(
        {
            "iso_a2": ["KZ", "KZ", "UZ"],
            "iso_3166_2": ["KZ-MAN", "KZ-75", "UZ-AN"],
            "name": ["Mangystau", "Almaty", "Andijan"],
        },
        geometry=[box(50, 42, 56, 46), box(76.7, 43.1, 77.1, 43.4), box(72, 40.5, 73, 41)],
        crs="EPSG:4326",
    )
    sums = []
    for frame, stem in ((admin0, "ne_admin0_fixture"), (admin1, "ne_admin1_fixture")):
        target = HERE / f"{stem}.zip"
        write_zipped_shapefile(frame, stem, target)
        sums.append(f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {target.name}\n")
    (HERE / "SHA256SUMS").write_text("".join(sums))


if __name__ == "__main__":
    main()
