"""Running Python's cyclic garbage collector less often in jobs that build many objects at once.

The per-shard jobs (tweet parsing, mention extraction) create hundreds of thousands of containers
(records, rows, mention objects) that form no reference cycles, next to, for mention extraction,
the gazetteer's millions of long-lived objects. With Python's default thresholds the collector
scans them over and over: a fifth of a second of a 62,500-tweet parse, a second of its mention
extraction. :func:`fewer_collections` makes young collections rarer (or, with ``young=0``, stops
them, for jobs whose objects are all alive until the end: the report assembly, the gazetteer build)
and lets a job freeze what it has loaded (``gc.freeze``) out of every later collection; nothing else
changes, and everything is restored on leaving.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# Allocations between young collections inside fewer_collections (Python's default: 700).
YOUNG_THRESHOLD = 50_000


@contextmanager
def fewer_collections(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Inside the block, young collections every ``young`` allocations (none at all with 0, as a zero
    threshold means to Python); on leaving, the thresholds, the enabled state and (when none were
    frozen before) the frozen objects as before."""
    thresholds, enabled, frozen = gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()
    gc.set_threshold(young, *thresholds[1:])
    try:
        yield
    finally:
        if not frozen:
            gc.unfreeze()
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()
        else:
            gc.disable()


def load_frozen(load: Callable[[], T]) -> T:
    """``load()`` with the collector off, then everything alive frozen out of later collections: for
    large long-lived data (the gazetteer's millions of objects). Call it inside
    :func:`fewer_collections`, which undoes the freeze on leaving."""
    gc.disable()
    try:
        return load()
    finally:
        gc.freeze()
        gc.enable()
