"""SessionStore.listing: list() in steps, for home's first start without an index."""

from __future__ import annotations

from datetime import date

from backplan_tui.core.storage import SessionStore
from backplan_tui.core.storage.index import sort_entries
from helpers import fill_store, read_index

DAY = date(2026, 12, 1)


def fill(store: SessionStore, count: int, title: str = "Plan") -> list[str]:
    return fill_store(store, count, DAY, title)


def test_a_listing_read_in_batches_ends_as_list_does(store: SessionStore) -> None:
    fill(store, 7)
    (store.root / "index.jsonl").unlink(missing_ok=True)
    listing = store.listing(today=DAY)
    assert listing.entries == [] and len(listing.pending) == 7 and listing.total == 7
    mtimes = [info.st_mtime_ns for _, info in listing.pending]
    assert mtimes == sorted(mtimes, reverse=True)  # newest files first
    first = listing.read(3)
    assert first == listing.entries  # what was read, added to the entries
    assert len(listing.entries) == 3 and len(listing.pending) == 4
    listing.read(10)
    assert listing.pending == []
    listing.finish()
    assert (store.root / "index.jsonl").exists()
    assert sort_entries(listing.entries) == store.list(today=DAY)


def test_a_listing_stopped_half_way_keeps_what_it_read(store: SessionStore) -> None:
    fill(store, 6)
    (store.root / "index.jsonl").unlink(missing_ok=True)
    listing = store.listing(today=DAY)
    read = {e.id for e in listing.read(2)}
    listing.finish()  # the app quit while reading: the index holds the two read
    again = store.listing(today=DAY)
    assert {e.id for e in again.entries} == read
    assert len(again.pending) == 4
    assert {name for name, _ in again.pending}.isdisjoint(f"{i}.toml" for i in read)


def test_a_listing_counts_glances_of_another_day(store: SessionStore) -> None:
    fill(store, 3)
    store.list(today=DAY)  # the index, with glances made on DAY
    assert store.listing(today=DAY).stale == 0
    later = store.listing(today=date(2026, 12, 5))
    assert later.pending == [] and later.stale == 3


def test_entries_in_any_order_sort_the_same_and_the_index_keeps_that_order(
    store: SessionStore,
) -> None:
    import random
    from dataclasses import replace
    from datetime import UTC, datetime

    fill(store, 6)
    (store.sessions_dir / "broken-b.toml").write_text("= nope")
    (store.sessions_dir / "broken-a.toml").write_text("= nope")
    entries = store.list(today=DAY)
    same = datetime(2026, 1, 1, tzinfo=UTC)  # equal times: by id
    entries = [replace(e, updated=same) if n in (1, 2, 3) else e for n, e in enumerate(entries)]
    expected = [e.id for e in sort_entries(entries)]
    assert expected[-2:] == ["broken-a", "broken-b"]
    rng = random.Random(7)
    for _ in range(20):
        shuffled = entries[:]
        rng.shuffle(shuffled)
        assert [e.id for e in sort_entries(shuffled)] == expected
    # the index is written in the list's order: the next listing finds it sorted
    listed = [e.id for e in store.list(today=DAY)]
    names = list(read_index(store.root)["files"])
    assert names == [f"{i}.toml" for i in listed]
    assert [e.id for e in store.listing(today=DAY, check_over=0).sorted_rows()] == listed
