"""Timeline of all events: one mark per event, a row per scope, coloured by the most severe measure.

Workflow stage: rule ``figure_timeline`` -> ``paper/figures/timeline.{svg,pdf,png}``.

Inputs
    events CSV (``data/reference/shutdowns.csv``), columns used: ``event_id``, ``title``,
    ``start_date`` (YYYY-MM-DD or YYYY-MM), ``end_date`` (same forms, or empty when unknown),
    ``scope`` ("national" | "regional" | "city"), ``measures`` (";"-separated, from full_blackout,
    mobile_data_cut, voice_sms_cut, throttling, platform_block, website_block).

Encoding: the x axis is time from January of the first event's year; each scope has a row and
its own marker shape; the colour is the event's most severe measure (order: full blackout,
mobile data cut, voice/SMS cut, throttling, platform block, website block; grey where the sources
name none). A filled marker means the end date is known, and a bar from start to end shows the
duration (most last days, so the bar is short at this scale; the label gives the number of days);
a hollow marker means the end is unknown.
Key events are labelled: labels are tried in the order of severity (measure, then scope, then date)
and a label is drawn only where it overlaps nothing; the CLI lists the events left unlabelled.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from kzshutdowns.errors import run_main
from kzshutdowns.events import split_list
from kzshutdowns.figures import style
from kzshutdowns.figures.labels import PointLabel, place_labels
from kzshutdowns.figures.save import save_outputs
from kzshutdowns.figures.tables import check_lists, check_scopes, event_dates, read_table, require_columns

EVENT_COLUMNS = ("event_id", "title", "start_date", "end_date", "scope", "measures")
FIGURE_SIZE_IN = (style.TEXT_WIDTH_IN, 4.2)
LABEL_CHARS = 30
MARKER_PT = 5.5
# Labels go above or below their mark, straight or slanted, then farther out on a leader line.
LABEL_DIRECTIONS = (
    (0.0, 1.0, "center", "bottom"),
    (0.0, -1.0, "center", "top"),
    (0.5, 1.0, "left", "bottom"),
    (-0.5, 1.0, "right", "bottom"),
    (0.5, -1.0, "left", "top"),
    (-0.5, -1.0, "right", "top"),
)
LABEL_STEPS = (2.0, 3.2, 4.4, 5.6, 6.8, 8.0, 9.2)
# On a leader line, labels may also move well to the side, out of a dense cluster of marks.
LEADER_DIRECTIONS = (
    *LABEL_DIRECTIONS,
    (1.6, 1.0, "left", "bottom"),
    (-1.6, 1.0, "right", "bottom"),
    (1.6, -1.0, "left", "top"),
    (-1.6, -1.0, "right", "top"),
)


def prepare_events(events: pd.DataFrame, source: str = "events") -> pd.DataFrame:
    """Check the columns and values; add start, end (Timestamps), measure (most severe) and days."""
    require_columns(events, EVENT_COLUMNS, source)
    check_lists(events, ("measures",), source)
    dated = event_dates(events, source)
    check_scopes(dated, source)
    measures, days = [], []
    for _, row in dated.iterrows():
        listed = split_list(row["measures"]) or [style.NO_MEASURE]
        measures.append(style.ordered(listed, style.MEASURE_ORDER)[0])
        days.append(None if row["end"] is None else int((row["end"] - row["start"]).days) + 1)
    return dated.assign(measure=measures, days=pd.Series(days, index=dated.index, dtype="object"))


def label_priority(events: pd.DataFrame) -> pd.DataFrame:
    """Sort prepared events by how much they matter: severity of measure, breadth of scope, then date."""
    severity = (
        events["measure"]
        .map({m: i for i, m in enumerate(style.MEASURE_ORDER)})
        .fillna(len(style.MEASURE_ORDER))
    )
    breadth = events["scope"].map({s: i for i, s in enumerate(style.SCOPE_ORDER)})
    return (
        events.assign(_s=severity, _b=breadth)
        .sort_values(["_s", "_b", "start", "event_id"])
        .drop(columns=["_s", "_b"])
    )


def plot_timeline(
    events: pd.DataFrame,
    *,
    source: str = "events",
    unlabelled: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the timeline; return the Axes (a new figure when ``ax`` is None).

    If ``unlabelled`` is a list, the labels that found no room are appended to it (most important first).
    """
    prepared = prepare_events(events, source)
    if ax is None:
        ax = style.new_axes(*FIGURE_SIZE_IN)
    scopes = [scope for scope in style.SCOPE_ORDER if scope in set(prepared["scope"])]
    row_of = {scope: len(scopes) - 1 - index for index, scope in enumerate(scopes)}
    for y in row_of.values():
        ax.axhline(y, color="#E0E0E0", linewidth=0.6, zorder=0)
    for _, event in prepared.sort_values(["start", "event_id"]).iterrows():
        y = row_of[event["scope"]]
        colour = style.MEASURE_COLOURS.get(event["measure"], "#777777")
        start = mdates.date2num(event["start"])
        if event["end"] is not None:
            ax.plot(
                [start, mdates.date2num(event["end"])],
                [y, y],
                color=colour,
                linewidth=3.0,
                solid_capstyle="butt",
                zorder=2,
            )
        ax.plot(
            [start],
            [y],
            linestyle="",
            marker=style.SCOPE_MARKERS[event["scope"]],
            markersize=MARKER_PT,
            markeredgecolor=colour,
            markeredgewidth=1.0,
            zorder=3,
            markerfacecolor=colour if event["end"] is not None else "white",
        )
    first = pd.Timestamp(year=prepared["start"].min().year, month=1, day=1)
    last_end = max(value for value in [*prepared["start"], *prepared["end"].dropna()])
    last = pd.Timestamp(year=last_end.year + 1, month=7, day=1)
    ax.set_xlim(mdates.date2num(first), mdates.date2num(last))
    ax.set_ylim(-0.7, len(scopes) - 0.3)
    ax.set_yticks(list(row_of.values()), [style.SCOPE_LABELS.get(scope, scope) for scope in row_of])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for tick in ax.get_xticklabels():
        tick.set_rotation(0)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.5)
    legend = ax.legend(
        handles=_legend_handles(prepared),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=5,
        frameon=False,
        columnspacing=1.0,
        handletextpad=0.3,
    )
    labels = [
        PointLabel(
            mdates.date2num(event["start"]),
            row_of[event["scope"]],
            _label_text(event),
            radius_pt=MARKER_PT / 2,
        )
        for _, event in label_priority(prepared).iterrows()
    ]
    _, crowded = place_labels(
        ax,
        labels,
        obstacles=[legend],
        directions=LABEL_DIRECTIONS,
        leader_steps=LABEL_STEPS,
        leader_directions=LEADER_DIRECTIONS,
        drop_crowded=True,
        fontsize=5.5,
        color="#222222",
        zorder=4,
    )
    if unlabelled is not None:
        unlabelled.extend(crowded)
    return ax


def _label_text(event: pd.Series) -> str:
    title = str(event["title"])
    if len(title) > LABEL_CHARS:
        title = title[: LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"
    duration = "" if event["days"] is None else f" ({event['days']} d)"
    return f"{title}{duration}"


def _legend_handles(prepared: pd.DataFrame) -> list[Line2D]:
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=MARKER_PT,
            color=style.MEASURE_COLOURS[m],
            label=style.MEASURE_LABELS[m],
        )
        for m in (*style.MEASURE_ORDER, style.NO_MEASURE)
        if m in set(prepared["measure"])
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=MARKER_PT,
            markerfacecolor="white",
            markeredgecolor="#333333",
            label="End unknown (hollow)",
        )
    )
    return handles


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.figures.timeline",
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Input columns. events: event_id, title, start_date and end_date (YYYY-MM-DD or YYYY-MM; end may "
            "be empty), scope (national|regional|city), measures (';'-separated: full_blackout, "
            "mobile_data_cut, voice_sms_cut, throttling, platform_block, website_block)."
        ),
    )
    parser.add_argument("--events", required=True, help="events CSV")
    parser.add_argument("--output", required=True, nargs="+", help="figure files to write (.svg, .pdf, .png)")
    args = parser.parse_args(argv)
    events = read_table(args.events, EVENT_COLUMNS, key="event_id")
    with style.paper_style():
        crowded: list[str] = []
        ax = plot_timeline(events, source=args.events, unlabelled=crowded)
        for text in crowded:
            print(f"timeline: no room to label {text!r}", file=sys.stderr)
        save_outputs(ax.figure, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
