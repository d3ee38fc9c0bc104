"""Drawing maps: an equal-area projection centred on the focus country, the basemap and a scale bar.

Geometries are stored in EPSG:4326 and drawn in an Albers equal-area conic projection whose
standard parallels sit one sixth of the way in from the focus country's southern and northern
edges (the usual rule for a country wider than it is tall), centred on the country. Area is true
everywhere; distances along the standard parallels are true and elsewhere off by at most a few per
cent inside Kazakhstan, which is what the scale bar assumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation
from pyproj import CRS, Transformer
from shapely.ops import polylabel

from kzshutdowns.figures import style

SCALE_BAR_KM = (100, 200, 250, 500, 1000, 2000)


def equal_area_crs(focus: shapely.Geometry) -> CRS:
    """An Albers equal-area CRS centred on ``focus`` (lon/lat), parallels rounded to half degrees."""
    west, south, east, north = focus.bounds
    span = north - south

    def half(value: float) -> float:
        return round(value * 2) / 2

    return CRS.from_proj4(
        f"+proj=aea +lat_0={half((south + north) / 2)} +lon_0={half((west + east) / 2)} "
        f"+lat_1={half(south + span / 6)} +lat_2={half(north - span / 6)} "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )


def focus_country(countries: gpd.GeoDataFrame) -> shapely.Geometry:
    """The union of the basemap rows whose role is "focus" (lon/lat)."""
    return shapely.union_all(countries.geometry[countries["role"].eq("focus")].values)


def project_points(lon: pd.Series, lat: pd.Series, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes/latitudes (degrees) to ``crs`` metres."""
    x, y = _from_lon_lat(crs).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


@cache
def _from_lon_lat(crs: CRS) -> Transformer:
    """The transformer from EPSG:4326 to ``crs``, made once per CRS: making one takes ~15 ms, and the
    event map projects each panel's places on their own."""
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def draw_basemap(
    ax: Axes, countries: gpd.GeoDataFrame, crs: CRS, *, margin: float = 0.04, label_neighbours: bool = True
) -> list[Text]:
    """Draw the focus country over its muted neighbours, framed on the focus country.

    Returns the neighbours' name labels (obstacles for later labels). Water (the Caspian) shows as
    the pale background.
    """
    projected = countries.to_crs(crs)
    is_focus = projected["role"].eq("focus")
    projected[~is_focus].plot(
        ax=ax, color=style.LAND_NEIGHBOUR, edgecolor=style.BORDER_NEIGHBOUR, linewidth=0.4, zorder=1
    )
    projected[is_focus].plot(
        ax=ax, color=style.LAND_FOCUS, edgecolor=style.BORDER_FOCUS, linewidth=0.7, zorder=2
    )
    west, south, east, north = shapely.union_all(projected.geometry[is_focus].values).bounds
    pad = margin * max(east - west, north - south)
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.set_aspect("equal")
    ax.set_facecolor(style.WATER)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.5)
        spine.set_color("#999999")
    if not label_neighbours:
        return []
    view = shapely.box(west - pad, south - pad, east + pad, north + pad)
    texts = []
    for _, row in projected[~is_focus].iterrows():
        visible = shapely.intersection(row.geometry, view)
        if visible.is_empty or visible.area < 0.04 * view.area:
            continue
        parts = getattr(visible, "geoms", [visible])
        largest = max((part for part in parts if part.geom_type == "Polygon"), key=lambda part: part.area)
        point = polylabel(largest, tolerance=1000.0)
        text = ax.text(
            point.x,
            point.y,
            str(row["name"]).upper(),
            ha="center",
            va="center",
            fontsize=6,
            color=style.LABEL_NEIGHBOUR,
            fontstyle="italic",
            zorder=3,
        )
        text.set_in_layout(False)
        texts.append(text)
    return texts


def legend_band(
    ax: Axes, legends: Sequence[Legend], *, fit_figure: bool = False, pad_pt: float = 4.0
) -> None:
    """Extend the map's frame downwards into a white band that holds ``legends``.

    The legends sit side by side (the first at the left, the last at the right) when they fit the
    width, and are stacked at the left otherwise (the first on top; offsets in points, so they hold
    at any scale). The band grows until they fit; with ``fit_figure`` (for a figure the plotting
    function created) the figure's height follows the map's aspect in each round, and a few rounds
    settle both.
    """
    fig = ax.figure
    y0, y1 = ax.get_ylim()
    top_of_band = y0
    points = fig.dpi / 72.0
    if fit_figure:
        fit_height(ax)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    heights_pt = [legend.get_window_extent(renderer).height / points for legend in legends]
    widths = sum(legend.get_window_extent(renderer).width for legend in legends)
    side_by_side = widths + pad_pt * points * (len(legends) + 1) <= ax.get_window_extent(renderer).width
    if side_by_side:
        needed_pt = max(heights_pt)
    else:
        needed_pt = sum(heights_pt)
        below = 0.0
        for legend, height in reversed(list(zip(legends, heights_pt, strict=True))):
            legend.set_loc("lower left")
            shift = ScaledTranslation(0, below / 72.0, fig.dpi_scale_trans)
            legend.set_bbox_to_anchor((0.0, 0.0), transform=ax.transAxes + shift)
            below += height
    for _ in range(4):
        fig.draw_without_rendering()
        box = ax.get_window_extent(fig.canvas.get_renderer())
        per_pixel = (ax.get_ylim()[1] - ax.get_ylim()[0]) / box.height
        ax.set_ylim(top_of_band - (needed_pt + pad_pt) * points * per_pixel, y1)
        if fit_figure:
            fit_height(ax)
    x0, x1 = ax.get_xlim()
    bottom = ax.get_ylim()[0]
    ax.add_patch(
        Rectangle((x0, bottom), x1 - x0, top_of_band - bottom, facecolor="white", edgecolor="none", zorder=8)
    )
    ax.plot([x0, x1], [top_of_band, top_of_band], color="#999999", linewidth=0.5, zorder=8)
    for legend in legends:
        legend.set_zorder(9)


def fit_height(ax: Axes, extra_in: float = 0.08) -> None:
    """Shrink the figure's height to the map's aspect (only for figures the plotting function created)."""
    fig = ax.figure
    width, _ = fig.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fig.set_size_inches(width, width * (y1 - y0) / (x1 - x0) + extra_in)


def add_scale_bar(ax: Axes, *, corner: str = "upper left") -> list[Artist]:
    """Draw a two-segment scale bar in km (data units are metres); return its artists."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) / 1000
    length_km = max([km for km in SCALE_BAR_KM if km <= width_km / 5] or [SCALE_BAR_KM[0]])
    length = length_km * 1000
    height = 0.012 * (y1 - y0)
    left = x0 + 0.04 * (x1 - x0) if corner.endswith("left") else x1 - 0.04 * (x1 - x0) - length
    bottom = y0 + 0.05 * (y1 - y0) if corner.startswith("lower") else y1 - 0.07 * (y1 - y0)
    artists = []
    for index in range(2):
        artists.append(
            ax.add_patch(
                Rectangle(
                    (left + index * length / 2, bottom),
                    length / 2,
                    height,
                    facecolor="#333333" if index == 0 else "white",
                    edgecolor="#333333",
                    linewidth=0.5,
                    zorder=6,
                )
            )
        )
    for fraction, text in ((0, "0"), (0.5, f"{length_km // 2:g}"), (1, f"{length_km:g} km")):
        artists.append(
            ax.text(
                left + fraction * length,
                bottom + height * 1.6,
                text,
                ha="center",
                va="bottom",
                fontsize=6,
                color="#333333",
                zorder=6,
            )
        )
    return artists
