"""A server's collector: start-up frozen and young collections further apart while serving, Python's after."""

from __future__ import annotations

import gc

from kernel.collector import SERVER_GC_THRESHOLD, tuned_collector


def test_serving_freezes_start_up_and_spaces_young_collections_then_restores_them():
    before = gc.get_threshold()

    with tuned_collector():
        serving = gc.get_threshold()
        frozen = gc.get_freeze_count()

    assert serving == (SERVER_GC_THRESHOLD, *before[1:])
    assert frozen > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_unfrozen_when_asked_and_restored_after_a_failure():
    before = gc.get_threshold()
    try:
        with tuned_collector(5_000, freeze=False):
            assert gc.get_freeze_count() == 0
            assert gc.get_threshold()[0] == 5_000
            raise RuntimeError("the server stopped")
    except RuntimeError:
        pass

    assert gc.get_threshold() == before
