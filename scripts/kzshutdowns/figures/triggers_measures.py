"""Counts of events by trigger and measure, as an annotated matrix with the totals beside it.

Workflow stage: rule ``figure_triggers_measures`` -> ``paper/figures/triggers_measures.{svg,pdf,png}``.

Inputs
    events CSV (``data/reference/shutdowns.csv``), columns used: ``event_id``, ``triggers`` and
    ``measures`` (";"-separated; triggers from protest, election, anniversary_holiday,
    opposition_broadcast, unrest, counter_terror; measures from full_blackout, mobile_data_cut,
    voice_sms_cut, throttling, platform_block, website_block).

An event with several triggers or measures counts once in each of their cells, so the cells add
up to more than the number of events; the row and column labels give the number of distinct
events per trigger and per measure. Events that name no trigger or no measure are counted under
"not reported", never dropped. Values outside the vocabularies above are shown after the known
ones, so the figure also works for other datasets.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kzshutdowns.errors import run_main
from kzshutdowns.events import split_list
from kzshutdowns.figures import style
from kzshutdowns.figures.save import save_outputs
from kzshutdowns.figures.tables import check_lists, read_table, require_columns

EVENT_COLUMNS = ("event_id", "triggers", "measures")
NOT_REPORTED = "not_reported"
# Full text width like every figure, so that at 100 % width its text prints at the style's sizes.
FIGURE_SIZE_IN = (style.TEXT_WIDTH_IN, 2.9)


def count_matrix(events: pd.DataFrame, source: str = "events") -> pd.DataFrame:
    """Events per (trigger, measure): a DataFrame indexed by trigger with one column per measure."""
    require_columns(events, EVENT_COLUMNS, source)
    check_lists(events, ("triggers", "measures"), source)
    pairs = []
    for _, event in events.iterrows():
        triggers = split_list(event["triggers"]) or [NOT_REPORTED]
        measures = split_list(event["measures"]) or [NOT_REPORTED]
        pairs += [(trigger, measure, event["event_id"]) for trigger in triggers for measure in measures]
    table = pd.DataFrame(pairs, columns=["trigger", "measure", "event_id"]).drop_duplicates()
    triggers = style.ordered(list(table["trigger"]), (*style.TRIGGER_ORDER, NOT_REPORTED))
    measures = style.ordered(list(table["measure"]), (*style.MEASURE_ORDER, NOT_REPORTED))
    counts = table.groupby(["trigger", "measure"]).size().unstack(fill_value=0)
    return counts.reindex(index=triggers, columns=measures, fill_value=0).astype("int64")


def plot_triggers_measures(events: pd.DataFrame, *, source: str = "events", ax: Axes | None = None) -> Axes:
    """Draw the trigger x measure counts; return the Axes (a new figure when ``ax`` is None)."""
    counts = count_matrix(events, source)
    if ax is None:
        ax = style.new_axes(*FIGURE_SIZE_IN)
    values = counts.to_numpy()
    peak = max(int(values.max()), 1)
    ax.imshow(values, cmap="Blues", vmin=0, vmax=peak * 1.15, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        ax.text(
            j,
            i,
            str(value) if value else "·",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value > 0.6 * peak else "#222222" if value else "#AAAAAA",
        )
    per_trigger = _distinct_events(events, "triggers", counts.index)
    per_measure = _distinct_events(events, "measures", counts.columns)
    trigger_names = {**style.TRIGGER_LABELS, NOT_REPORTED: "Not reported"}
    measure_names = {**style.MEASURE_LABELS, NOT_REPORTED: "Not reported"}
    ax.set_yticks(
        range(len(counts.index)), [f"{trigger_names.get(t, t)} ({per_trigger[t]})" for t in counts.index]
    )
    ax.set_xticks(
        range(len(counts.columns)),
        [f"{measure_names.get(m, m)}\n({per_measure[m]})" for m in counts.columns],
    )
    ax.set_xlabel("Measure (events)")
    ax.set_ylabel("Trigger (events)")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(counts.columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(counts.index)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    return ax


def _distinct_events(events: pd.DataFrame, column: str, categories: Sequence[str]) -> dict[str, int]:
    totals = dict.fromkeys(categories, 0)
    for value in events[column]:
        for item in split_list(value) or [NOT_REPORTED]:
            totals[item] += 1
    return totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kzshutdowns.figures.triggers_measures",
        description=__doc__.split("\n\n")[0],
        epilog="Input columns. events: event_id, triggers, measures (both ';'-separated; may be empty).",
    )
    parser.add_argument("--events", required=True, help="events CSV")
    parser.add_argument("--output", required=True, nargs="+", help="figure files to write (.svg, .pdf, .png)")
    args = parser.parse_args(argv)
    events = read_table(args.events, EVENT_COLUMNS, key="event_id")
    with style.paper_style():
        ax = plot_triggers_measures(events, source=args.events)
        save_outputs(ax.figure, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
