"""The paper's figure style: the packaged style sheet, figure sizes and the colours of categories.

The style sheet ``paper.mplstyle`` beside this module holds fonts (DejaVu Sans, shipped with
Matplotlib), font sizes, line widths and the colour cycle (Okabe & Ito's colour-blind-safe
palette). Figure sizes match the paper's A4 page with 2.5 cm margins: a 16 cm text width, and
half of it (less a gutter) for figures set side by side. Measures and scopes have fixed colours and
marker shapes so that every figure uses the same encoding.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.axes import Axes

STYLE = "kzshutdowns.figures.paper"

CM_PER_INCH = 2.54
TEXT_WIDTH_IN = 16.0 / CM_PER_INCH
HALF_WIDTH_IN = (TEXT_WIDTH_IN - 0.5 / CM_PER_INCH) / 2

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Categorical colours in the order the style sheet cycles them (yellow last: weak on white).
CATEGORY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Marker shapes paired with the categorical colours, so categories differ in shape as well as hue.
CATEGORY_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")

# Measures from the most to the least severe; an event with several is drawn in its most severe one.
MEASURE_ORDER = (
    "full_blackout",
    "mobile_data_cut",
    "voice_sms_cut",
    "throttling",
    "platform_block",
    "website_block",
)
# The category of an event whose sources name no measure.
NO_MEASURE = "not_reported"
MEASURE_COLOURS = {
    NO_MEASURE: "#999999",
    "full_blackout": OKABE_ITO["black"],
    "mobile_data_cut": OKABE_ITO["vermillion"],
    "voice_sms_cut": OKABE_ITO["reddish_purple"],
    "throttling": OKABE_ITO["orange"],
    "platform_block": OKABE_ITO["blue"],
    "website_block": OKABE_ITO["sky_blue"],
}
MEASURE_LABELS = {
    NO_MEASURE: "Measure not reported",
    "full_blackout": "Full blackout",
    "mobile_data_cut": "Mobile data cut",
    "voice_sms_cut": "Voice/SMS cut",
    "throttling": "Throttling",
    "platform_block": "Platform block",
    "website_block": "Website block",
}
TRIGGER_ORDER = (
    "protest",
    "election",
    "anniversary_holiday",
    "opposition_broadcast",
    "unrest",
    "counter_terror",
)
TRIGGER_LABELS = {
    "protest": "Protest",
    "election": "Election",
    "anniversary_holiday": "Anniversary/holiday",
    "opposition_broadcast": "Opposition broadcast",
    "unrest": "Unrest",
    "counter_terror": "Counter-terror",
}
SCOPE_ORDER = ("national", "regional", "city")
SCOPE_MARKERS = {"national": "s", "regional": "^", "city": "o"}
SCOPE_LABELS = {"national": "National", "regional": "Regional", "city": "City"}
SCOPE_COLOURS = {
    "national": OKABE_ITO["vermillion"],
    "regional": OKABE_ITO["blue"],
    "city": OKABE_ITO["bluish_green"],
}

# Map colours: the focus country, its neighbours (muted), and water (the background).
LAND_FOCUS = "#F2F0EB"
LAND_NEIGHBOUR = "#E3E3E3"
BORDER_FOCUS = "#4D4D4D"
BORDER_NEIGHBOUR = "#B3B3B3"
LABEL_NEIGHBOUR = "#8C8C8C"
NOT_REPORTED = "#D9D9D9"
WATER = "#E6EFF5"
# A thin white outline behind map labels keeps them legible over borders and filled areas.
HALO = [patheffects.withStroke(linewidth=1.6, foreground="white")]


@contextmanager
def paper_style() -> Iterator[None]:
    """Apply the paper style sheet inside the block."""
    with plt.style.context(STYLE):
        yield


def new_axes(width_in: float, height_in: float) -> Axes:
    """Create a figure of the given size in inches with one Axes, and return the Axes."""
    fig, ax = plt.subplots(figsize=(width_in, height_in))
    return ax


def ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    """Return the distinct ``values`` in the order of ``order``; values it lacks follow, sorted."""
    seen = set(values)
    known = [value for value in order if value in seen]
    return known + sorted(seen - set(order))


def category_style(index: int) -> tuple[str, str]:
    """Colour and marker of the ``index``-th category; beyond eight, shapes keep categories apart."""
    colour = CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]
    marker = CATEGORY_MARKERS[(index + index // len(CATEGORY_COLOURS)) % len(CATEGORY_MARKERS)]
    return colour, marker
