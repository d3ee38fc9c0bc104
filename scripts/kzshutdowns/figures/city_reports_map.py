"""Map of the city reports: one point per place and event, sized by the number of reports.

Workflow stage: rule ``figure_city_reports_map`` -> ``paper/figures/city_reports_map.{svg,pdf,png}``.

Inputs
    reports CSV (``data/processed/city_reports.csv``), columns used: ``scope`` ("city" | "region" |
    "national"), ``geonameid``, ``name``, ``lat``, ``lon`` (degrees; empty only on national rows),
    ``event_id``. Every other column is ignored. Rows with coordinates are counted per place and event;
    national rows have no place, so they are counted and named in the legend rather than drawn.
    basemap GeoPackage (``data/interim/basemap.gpkg``, see :mod:`kzshutdowns.basemap`).
    events CSV (optional, ``data/reference/shutdowns.csv``): ``event_id`` and ``title`` give the legend's
    event names; without it the legend shows event ids.

The focus country is drawn in an Albers equal-area projection centred on it, neighbours muted.
Points are coloured and shaped by event (both, so the events stay apart without colour vision);
a place with reports on several events gets its points side by side. Labels are placed so that
they overlap neither each other nor any point (:mod:`kzshutdowns.figures.labels`).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from kzshutdowns.basemap import load_basemap
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.figures import mapping, style
from kzshutdowns.figures.labels import PointLabel, place_labels
from kzshutdowns.figures.save import save_outputs
from kzshutdowns.figures.tables import coordinates, read_table, require_columns

REPORT_COLUMNS = ("scope", "geonameid", "name", "lat", "lon", "event_id")
EVENT_COLUMNS = ("event_id", "title")
FIGURE_SIZE_IN = (style.TEXT_WIDTH_IN, 4.3)
MAX_MARKER_AREA_PT2 = 260.0
MIN_MARKER_AREA_PT2 = 14.0


def count_reports(reports: pd.DataFrame, source: str = "reports") -> tuple[pd.DataFrame, int]:
    """Count reports per (place, event); return the counts and the number of national rows.

    The counts have columns geonameid, name, lat, lon (floats), event_id, n_reports, sorted by
    geonameid and event. A row that is not national must have coordinates (InputError otherwise).
    """
    require_columns(reports, REPORT_COLUMNS, source)
    unlocated = reports["lat"].str.strip().eq("") & reports["lon"].str.strip().eq("")
    bad = unlocated & reports["scope"].ne("national")
    if bad.any():
        line = int(reports.index[bad][0])
        raise InputError(source, "a non-national report needs coordinates", line=line, field="lat")
    located = coordinates(reports[~unlocated], source)
    counts = (
        located.groupby(["geonameid", "name", "lat", "lon", "event_id"], as_index=False)
        .size()
        .rename(columns={"size": "n_reports"})
        .sort_values(["geonameid", "event_id"], kind="stable")
        .reset_index(drop=True)
    )
    return counts, int(unlocated.sum())


def marker_areas(counts: pd.Series) -> pd.Series:
    """Marker areas in points² proportional to the counts; the largest count gets the maximum area."""
    per_report = MAX_MARKER_AREA_PT2 / max(int(counts.max()) if len(counts) else 1, 1)
    return (counts.astype(float) * per_report).clip(lower=MIN_MARKER_AREA_PT2)


def plot_city_reports_map(
    reports: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    *,
    event_labels: Mapping[str, str] | None = None,
    source: str = "reports",
    crowded_labels: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the city reports on the basemap; return the Axes (a new figure when ``ax`` is None).

    ``reports`` holds the columns in ``REPORT_COLUMNS`` as strings (as read from the CSV);
    ``countries`` is the basemap's countries layer; ``event_labels`` maps event ids to legend names.
    If ``crowded_labels`` is a list, the names that found no free spot (drawn overlapping) are
    appended to it.
    """
    counts, n_national = count_reports(reports, source)
    created = ax is None
    if ax is None:
        ax = style.new_axes(*FIGURE_SIZE_IN)
    crs = mapping.equal_area_crs(mapping.focus_country(countries))
    obstacles = mapping.draw_basemap(ax, countries, crs)
    events = sorted(counts["event_id"].unique())
    styles = {event: style.category_style(index) for index, event in enumerate(events)}
    counts = counts.assign(area=marker_areas(counts["n_reports"]))
    counts["x"], counts["y"] = mapping.project_points(counts["lon"], counts["lat"], crs)
    labels = []
    for geonameid, place in counts.groupby("geonameid", sort=False):
        diameters = [math.sqrt(area) for area in place["area"]]
        gap = 1.0
        width = sum(diameters) + gap * (len(diameters) - 1)
        left = -width / 2
        for (_, row), diameter in zip(place.iterrows(), diameters, strict=True):
            colour, marker = styles[row["event_id"]]
            shift = offset_copy(ax.transData, fig=ax.figure, x=left + diameter / 2, y=0, units="points")
            ax.scatter(
                [row["x"]],
                [row["y"]],
                s=row["area"],
                color=colour,
                marker=marker,
                edgecolor="white",
                linewidth=0.6,
                zorder=5,
                transform=shift,
            )
            left += diameter + gap
        first = place.iloc[0]
        tallest = max(diameters)
        labels.append(
            (
                int(place["n_reports"].sum()),
                str(geonameid),
                PointLabel(
                    first["x"],
                    first["y"],
                    str(first["name"]),
                    radius_pt=tallest / 2,
                    width_pt=max(width - tallest, 0.0),
                ),
            )
        )
    event_title = "Event" if not n_national else f"Event ({n_national} national report(s), not mapped)"
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=styles[event][1],
            color=styles[event][0],
            markersize=6,
            label=_event_label(event, event_labels),
        )
        for event in events
    ]
    event_legend = ax.legend(
        handles=handles,
        title=event_title,
        loc="lower left",
        ncol=1,
        alignment="left",
        frameon=False,
        borderaxespad=0.4,
    )
    ax.add_artist(event_legend)
    legends = [event_legend]
    if not counts.empty:
        legends.append(
            ax.legend(
                handles=_size_handles(counts["n_reports"]),
                title="Reports per place and event",
                loc="lower right",
                ncol=3,
                alignment="left",
                # Room for the largest circle: handle sizes are in units of the legend's font size (7 pt).
                handleheight=math.sqrt(MAX_MARKER_AREA_PT2) / 7 + 0.9,
                handlelength=math.sqrt(MAX_MARKER_AREA_PT2) / 7 + 0.2,
                frameon=False,
                columnspacing=1.0,
                handletextpad=0.4,
                borderaxespad=0.4,
            )
        )
    mapping.legend_band(ax, legends, fit_figure=created)
    obstacles += mapping.add_scale_bar(ax)
    labels.sort(key=lambda item: (-item[0], item[1]))
    _, crowded = place_labels(
        ax,
        [label for _, _, label in labels],
        obstacles=[*obstacles, *legends],
        fontsize=6.5,
        color="#222222",
        zorder=7,
        path_effects=style.HALO,
    )
    if crowded_labels is not None:
        crowded_labels.extend(crowded)
    return ax


def _event_label(event: str, event_labels: Mapping[str, str] | None) -> str:
    title = (event_labels or {}).get(event)
    if not title:
        return event
    return f"{event}: {title if len(title) <= 80 else title[:79] + '…'}"


def _size_handles(counts: pd.Series) -> list[Line2D]:
    largest = int(counts.max())
    references = sorted({1, max(1, round(largest / 2)), largest})
    areas = marker_areas(pd.Series(references))
    return [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=math.sqrt(area),
            markerfacecolor="none",
            markeredgecolor="#555555",
            markeredgewidth=0.7,
            label=str(count),
        )
        for count, area in zip(references, areas, strict=True)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.figures.city_reports_map",
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Input columns. reports: scope (city|region|national), geonameid, name, lat, lon (degrees, "
            "empty on national rows), event_id. events (optional): event_id, title. basemap: a GeoPackage "
            "with a 'countries' layer (iso_a2, iso_a3, name, role focus|neighbour)."
        ),
    )
    parser.add_argument("--reports", required=True, help="city reports CSV")
    parser.add_argument("--basemap", required=True, help="basemap GeoPackage")
    parser.add_argument("--events", help="events CSV, for the legend's event titles")
    parser.add_argument("--output", required=True, nargs="+", help="figure files to write (.svg, .pdf, .png)")
    args = parser.parse_args(argv)
    reports = read_table(args.reports, REPORT_COLUMNS)
    countries, _ = load_basemap(args.basemap)
    titles = None
    if args.events:
        events = read_table(args.events, EVENT_COLUMNS, key="event_id")
        titles = dict(zip(events["event_id"], events["title"], strict=True))
        for line, event_id in reports["event_id"].items():
            if event_id not in titles:
                raise InputError(args.reports, f"event {event_id!r} is not in {args.events}", line=int(line),
                                 field="event_id")
    with style.paper_style():
        crowded: list[str] = []
        ax = plot_city_reports_map(
            reports, countries, event_labels=titles, source=args.reports, crowded_labels=crowded
        )
        for name in crowded:
            print(
                f"city_reports_map: no free spot for the label {name!r}; drawn overlapping", file=sys.stderr
            )
        save_outputs(ax.figure, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
