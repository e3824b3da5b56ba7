"""GcPaused: no cyclic collection while a big list is made; the collector as it was after."""

from __future__ import annotations

import gc

from backplan_tui.core.gcpause import GcPaused


def test_the_collector_is_paused_inside_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with GcPaused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with GcPaused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_an_error_inside_still_restores_the_collector() -> None:
    try:
        with GcPaused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_freeze_leaves_what_is_alive_out_of_later_collections() -> None:
    before = gc.get_freeze_count()
    kept = [[n] for n in range(1000)]  # tracked objects made inside
    try:
        with GcPaused() as paused:
            more = [[n] for n in range(1000)]
            paused.freeze = True  # decided inside, as home does once it knows the list's size
        assert gc.get_freeze_count() >= before + len(kept) + len(more)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
