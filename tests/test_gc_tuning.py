"""fewer_collections: rarer young collections inside, the collector's state as before outside; load_frozen."""

import gc

import pytest
from kzshutdowns.gc_tuning import YOUNG_THRESHOLD, fewer_collections, load_frozen


def test_thresholds_inside_and_everything_restored_after():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        gc.disable()
        kept = [[] for _ in range(10)]
        gc.freeze()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == before
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_state_restored_after_an_error_and_a_disabled_collector_stays_disabled():
    before = gc.get_threshold()
    gc.disable()
    try:
        with pytest.raises(ValueError), fewer_collections(young=1234):
            assert gc.get_threshold()[0] == 1234
            gc.enable()
            raise ValueError("inside")
        assert not gc.isenabled() and gc.get_threshold() == before
    finally:
        gc.enable()


def test_objects_frozen_before_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with fewer_collections():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_load_frozen_loads_without_collections_then_freezes():
    seen = []

    def load():
        seen.append(gc.isenabled())
        return [[] for _ in range(10)]

    with fewer_collections():
        loaded = load_frozen(load)
        assert seen == [False] and gc.isenabled()
        assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_load_frozen_restores_the_collector_when_loading_fails():
    def fail():
        raise OSError("unreadable")

    with fewer_collections(), pytest.raises(OSError):
        load_frozen(fail)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_young_zero_stops_automatic_collections_until_leaving():
    started = []

    def record(phase, info):
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    try:
        with fewer_collections(young=0):
            kept = [[] for _ in range(100_000)]  # far beyond any threshold
            assert started == [] and gc.get_threshold()[0] == 0
        assert gc.isenabled() and gc.get_threshold()[0] != 0
        more = [[] for _ in range(100_000)]
        assert started  # collections run again after the block
    finally:
        gc.callbacks.remove(record)
    assert len(kept) == len(more)
