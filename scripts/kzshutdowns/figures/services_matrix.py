"""Services x events: which services each event blocked, which stayed reachable, which no source names.

Workflow stage: rule ``figure_services_matrix`` -> ``paper/figures/services_matrix.{svg,pdf,png}``.

Inputs
    events CSV (``data/reference/shutdowns.csv``), columns used: ``event_id``, ``title``,
    ``start_date`` (YYYY-MM-DD or YYYY-MM), ``services_blocked`` and ``services_reachable``
    (";"-separated service ids).
    platforms CSV (optional, ``data/reference/platforms.csv``), columns used: ``id``, ``label`` (the
    display names) and ``kind`` (service, platform or website: columns are grouped by it); without
    it the ids are shown in one group.

Rows are events in date order, columns the services named by any event, most often blocked first.
A cell is a filled vermillion square (blocked), a hollow blue circle (reported reachable) or a
small grey dot (not reported); shape and colour both differ, so the matrix reads in greyscale.
A service listed as both blocked and reachable for one event is an input error.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.events import split_list
from kzshutdowns.figures import style
from kzshutdowns.figures.save import save_outputs
from kzshutdowns.figures.tables import check_lists, event_dates, read_table, require_columns

EVENT_COLUMNS = ("event_id", "title", "start_date", "services_blocked", "services_reachable")
PLATFORM_COLUMNS = ("id", "label", "kind")
BLOCKED, REACHABLE, NOT_REPORTED = "blocked", "reachable", "not reported"
ROW_LABEL_CHARS = 44
COLUMN_LABEL_CHARS = 20
KIND_ORDER = ("service", "platform", "website")
KIND_LABELS = {"service": "Services", "platform": "Platforms", "website": "Websites"}


def service_states(events: pd.DataFrame, source: str = "events") -> pd.DataFrame:
    """Return a long table: event_id, service, state (blocked | reachable), in date then column order."""
    require_columns(events, EVENT_COLUMNS, source)
    check_lists(events, ("services_blocked", "services_reachable"), source)
    rows = []
    for line, event in (
        event_dates(events, source).sort_values(["start", "event_id"], kind="stable").iterrows()
    ):
        blocked = split_list(event["services_blocked"])
        reachable = split_list(event["services_reachable"])
        both = sorted(set(blocked) & set(reachable))
        if both:
            raise InputError(
                source,
                f"{both[0]!r} is listed as both blocked and reachable",
                line=int(line),
                field="services_reachable",
            )
        rows += [(event["event_id"], service, BLOCKED) for service in blocked]
        rows += [(event["event_id"], service, REACHABLE) for service in reachable]
    return pd.DataFrame(rows, columns=["event_id", "service", "state"], dtype="str")


def plot_services_matrix(
    events: pd.DataFrame,
    *,
    service_labels: Mapping[str, str] | None = None,
    service_kinds: Mapping[str, str] | None = None,
    source: str = "events",
    ax: Axes | None = None,
) -> Axes:
    """Draw the services x events matrix; return the Axes (a new figure when ``ax`` is None).

    ``service_labels`` maps ids to display names; ``service_kinds`` (optional) maps ids to a kind
    ("service", "platform", "website"): columns are then grouped by kind, each group named under
    the matrix, and ordered by how often they were blocked within the group.
    """
    states = service_states(events, source)
    ordered = event_dates(events, source).sort_values(["start", "event_id"], kind="stable")
    event_ids = list(ordered["event_id"])
    blocked_counts = states[states["state"] == BLOCKED]["service"].value_counts()
    named = states["service"].unique()
    kinds = {service: (service_kinds or {}).get(service, "") for service in named}
    kind_rank = {kind: index for index, kind in enumerate(style.ordered(list(kinds.values()), KIND_ORDER))}
    services = sorted(
        named, key=lambda service: (kind_rank[kinds[service]], -int(blocked_counts.get(service, 0)), service)
    )
    if ax is None:
        height = 1.6 + 0.16 * len(event_ids)
        ax = style.new_axes(style.TEXT_WIDTH_IN, height)
    column = {service: index for index, service in enumerate(services)}
    row = {event: index for index, event in enumerate(event_ids)}
    grid_x = [column[s] for e in event_ids for s in services]
    grid_y = [row[e] for e in event_ids for _ in services]
    ax.scatter(grid_x, grid_y, s=3, color=style.NOT_REPORTED, linewidths=0, zorder=1)
    for state, marker, face, edge in (
        (BLOCKED, "s", style.OKABE_ITO["vermillion"], style.OKABE_ITO["vermillion"]),
        (REACHABLE, "o", "white", style.OKABE_ITO["blue"]),
    ):
        chosen = states[states["state"] == state]
        ax.scatter(
            chosen["service"].map(column),
            chosen["event_id"].map(row),
            s=34,
            marker=marker,
            facecolor=face,
            edgecolor=edge,
            linewidths=1.1,
            zorder=2,
        )
    titles = dict(zip(ordered["event_id"], ordered["title"], strict=True))
    dates = dict(zip(ordered["event_id"], ordered["start_date"], strict=True))
    ax.set_yticks(range(len(event_ids)), [_row_label(dates[e], titles[e]) for e in event_ids], fontsize=6)
    labels = service_labels or {}
    ax.set_xticks(
        range(len(services)),
        [_shorten(labels.get(s, s), COLUMN_LABEL_CHARS) for s in services],
        rotation=60,
        ha="left",
        fontsize=6.5,
    )
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(services) - 0.4)
    # With column groups, one more row under the matrix holds their names.
    ax.set_ylim(len(event_ids) + (0.4 if service_kinds else -0.5), -0.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(color="#F0F0F0", linewidth=0.5)
    if service_kinds:
        _mark_groups(ax, [kinds[service] for service in services], len(event_ids))
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker="s",
            markersize=5.5,
            color=style.OKABE_ITO["vermillion"],
            label="Blocked",
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=5.5,
            markerfacecolor="white",
            markeredgecolor=style.OKABE_ITO["blue"],
            markeredgewidth=1.1,
            label="Reported reachable",
        ),
        Line2D(
            [], [], linestyle="", marker="o", markersize=2, color=style.NOT_REPORTED, label="Not reported"
        ),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3, frameon=False)
    return ax


def _mark_groups(ax: Axes, kinds: list[str], n_rows: int) -> None:
    """Separate runs of columns of one kind with a thin line and name each run under the matrix."""
    start = 0
    for index in range(1, len(kinds) + 1):
        if index < len(kinds) and kinds[index] == kinds[start]:
            continue
        if start > 0:
            ax.axvline(start - 0.5, color="#999999", linewidth=0.6, zorder=0)
        name = KIND_LABELS.get(kinds[start], kinds[start] or "Other")
        ax.text(
            (start + index - 1) / 2,
            n_rows - 0.35,
            name,
            ha="center",
            va="top",
            fontsize=6.5,
            color="#555555",
            fontstyle="italic",
        )
        start = index


def _shorten(text: str, chars: int) -> str:
    """Cut ``text`` at a word boundary to at most ``chars`` characters, marking the cut with "…"."""
    if len(text) <= chars:
        return text
    return text[: chars - 1].rsplit(" ", 1)[0].rstrip(" (,") + "…"


def _row_label(date: str, title: str) -> str:
    return f"{date}  {_shorten(title, ROW_LABEL_CHARS)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.figures.services_matrix",
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Input columns. events: event_id, title, start_date (YYYY-MM-DD or YYYY-MM), services_blocked, "
            "services_reachable (';'-separated service ids). platforms (optional): id, label, kind."
        ),
    )
    parser.add_argument("--events", required=True, help="events CSV")
    parser.add_argument("--platforms", help="platforms CSV with display labels")
    parser.add_argument("--output", required=True, nargs="+", help="figure files to write (.svg, .pdf, .png)")
    args = parser.parse_args(argv)
    events = read_table(args.events, EVENT_COLUMNS, key="event_id")
    labels = kinds = None
    if args.platforms:
        platforms = read_table(args.platforms, PLATFORM_COLUMNS, key="id")
        labels = dict(zip(platforms["id"], platforms["label"], strict=True))
        kinds = dict(zip(platforms["id"], platforms["kind"], strict=True))
    with style.paper_style():
        ax = plot_services_matrix(events, service_labels=labels, service_kinds=kinds, source=args.events)
        save_outputs(ax.figure, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
