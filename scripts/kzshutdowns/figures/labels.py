"""Deterministic placement of point labels that overlap neither each other nor the marks.

Labels are placed one by one, in the order given (put the most important first). Each label tries
a fixed list of positions around its point (right, left, above, below, then the diagonals), at the
marker's radius plus a gap; then the same positions farther out, joined to the point by a thin
leader line. The first position whose text box overlaps no placed label, no marker and no obstacle,
lies inside the Axes, and whose leader line (if any) crosses no other text, wins. A label that
fits nowhere is still drawn (at its first position) and reported (or, if the caller asks, left out
and reported), so no label is lost silently. Placement works in display space after the figure's
layout is fixed, so it holds at any output resolution: text, offsets and marks all scale together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

# Unit directions tried around a point, with the text alignment that keeps the text on that side.
DIRECTIONS = (
    (1.0, 0.0, "left", "center"),
    (-1.0, 0.0, "right", "center"),
    (0.0, 1.0, "center", "bottom"),
    (0.0, -1.0, "center", "top"),
    (0.75, 0.75, "left", "bottom"),
    (-0.75, 0.75, "right", "bottom"),
    (0.75, -0.75, "left", "top"),
    (-0.75, -0.75, "right", "top"),
)
GAP_PT = 2.0
LEADER_STEPS = (2.2, 3.6, 5.2)


@dataclass(frozen=True)
class PointLabel:
    """A label for the point (x, y) in data coordinates, whose marker has radius ``radius_pt`` points."""

    x: float
    y: float
    text: str
    radius_pt: float = 3.0
    # Extra horizontal offset of the marker in points (markers dodged side by side).
    width_pt: float = 0.0


def marker_box(ax: Axes, label: PointLabel) -> Bbox:
    """The display-space box covering the label's marker (or row of dodged markers)."""
    x, y = ax.transData.transform((label.x, label.y))
    scale = ax.figure.dpi / 72.0
    half_w = (label.radius_pt + label.width_pt / 2) * scale
    half_h = label.radius_pt * scale
    return Bbox.from_extents(x - half_w, y - half_h, x + half_w, y + half_h)


def place_labels(
    ax: Axes,
    labels: Sequence[PointLabel],
    *,
    obstacles: Sequence[Artist] = (),
    directions: Sequence[tuple[float, float, str, str]] = DIRECTIONS,
    leader_steps: Sequence[float] = LEADER_STEPS,
    leader_directions: Sequence[tuple[float, float, str, str]] | None = None,
    drop_crowded: bool = False,
    **text_kwargs: object,
) -> tuple[list[Annotation], list[str]]:
    """Place ``labels`` without overlaps; return the text artists and the labels that found no room.

    A label that finds no room is drawn overlapping at its first position, or, with
    ``drop_crowded``, left out; either way its text is in the returned list so the caller can say so.

    ``obstacles`` are artists (a legend, a scale bar, other texts) that labels must avoid. The
    figure's layout is settled first, so call this after everything else is drawn.
    """
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    taken = [marker_box(ax, label) for label in labels] + [
        item.get_window_extent(renderer) for item in obstacles
    ]
    texts: list[Annotation] = []
    crowded: list[str] = []
    # Boxes from here on are texts (obstacles and placed labels), which leader lines must not cross.
    first_text = len(labels)
    for index, label in enumerate(labels):
        own = taken[index]
        base = label.radius_pt + GAP_PT
        candidates = [(direction, base, False) for direction in directions]
        candidates += [
            (direction, base * step + 4.0, True)
            for step in leader_steps
            for direction in (leader_directions or directions)
        ]
        # The text's box at each position is its box at the first one, moved: measured once.
        (dx, dy, ha, va), distance, leader = candidates[0]
        first = _annotate(ax, label, dx, dy, ha, va, distance, leader, text_kwargs)
        measured = _text_box(first, renderer)
        first.remove()
        point = ax.transData.transform((label.x, label.y))
        chosen = None
        for (dx, dy, ha, va), distance, leader in candidates:
            box = _moved_box(measured, point, _offset(label, dx, dy, distance), ha, va, ax.figure.dpi)
            fits = (
                _contains(inside, box)
                and not any(_overlaps(box, other) for other in taken if other is not own)
                and not (leader and _leader_crosses(ax, label, box, taken[first_text:]))
            )
            if fits:
                chosen = ((dx, dy, ha, va), distance, leader)
                break
        if chosen is None and drop_crowded:
            crowded.append(label.text)
            continue
        if chosen is None:
            chosen = (directions[0], base, False)
            crowded.append(label.text)
        (dx, dy, ha, va), distance, leader = chosen
        text = _annotate(ax, label, dx, dy, ha, va, distance, leader, text_kwargs)
        texts.append(text)
        taken.append(_text_box(text, renderer))
    return texts, crowded


def _offset(label: PointLabel, dx: float, dy: float, distance: float) -> tuple[float, float]:
    """The text's offset from its point, in points."""
    return dx * (distance + label.width_pt / 2), dy * distance


_ALIGN_X = {"left": 0.0, "center": 0.5, "right": 1.0}
_ALIGN_Y = {"bottom": 0.0, "center": 0.5, "top": 1.0}


def _moved_box(
    measured: Bbox, point: Sequence[float], offset: tuple[float, float], ha: str, va: str, dpi: float
) -> Bbox:
    """The display box of a text of ``measured``'s size, anchored ``offset`` points from ``point``
    (display coordinates) with the alignment ``ha``/``va``."""
    x = point[0] + offset[0] * dpi / 72.0 - measured.width * _ALIGN_X[ha]
    y = point[1] + offset[1] * dpi / 72.0 - measured.height * _ALIGN_Y[va]
    return Bbox.from_bounds(x, y, measured.width, measured.height)


def _annotate(
    ax: Axes,
    label: PointLabel,
    dx: float,
    dy: float,
    ha: str,
    va: str,
    distance: float,
    leader: bool,
    text_kwargs: dict[str, object],
) -> Annotation:
    offset_x, offset_y = _offset(label, dx, dy, distance)
    arrow = (
        {"arrowstyle": "-", "linewidth": 0.4, "color": "#666666", "shrinkA": 0, "shrinkB": 2}
        if leader
        else None
    )
    text = ax.annotate(
        label.text,
        xy=(label.x, label.y),
        xytext=(offset_x, offset_y),
        textcoords="offset points",
        ha=ha,
        va=va,
        arrowprops=arrow,
        annotation_clip=False,
        **text_kwargs,
    )
    text.set_in_layout(False)
    return text


def _text_box(text: Annotation, renderer: RendererBase) -> Bbox:
    """The box of the annotation's text alone (its leader line may cross other marks)."""
    text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def _leader_crosses(ax: Axes, label: PointLabel, box: Bbox, texts: Sequence[Bbox], samples: int = 24) -> bool:
    """Whether the line from the point to the label's box passes through another text's box."""
    x0, y0 = ax.transData.transform((label.x, label.y))
    x1, y1 = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    # A box under the point itself (a larger mark the point sits on) cannot be avoided: ignore it.
    texts = [other for other in texts if not other.contains(x0, y0)]
    for step in range(1, samples):
        x, y = x0 + (x1 - x0) * step / samples, y0 + (y1 - y0) * step / samples
        if box.contains(x, y):
            break
        if any(other.contains(x, y) for other in texts):
            return True
    return False


def _overlaps(a: Bbox, b: Bbox, pad: float = 4.0) -> bool:
    return a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad


def _contains(outer: Bbox, inner: Bbox) -> bool:
    return outer.x0 <= inner.x0 and inner.x1 <= outer.x1 and outer.y0 <= inner.y0 and inner.y1 <= outer.y1
