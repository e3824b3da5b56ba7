"""The index as lines (version 8, issue 21): a big folder's listing parses no record before a
row is drawn, the check compares the lines with the files a chunk at a time, and a write keeps
the glances of the lines it keeps (the bytes no line points to any more are counted, and made
away with once they are most of the file)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionEntry, SessionStore
from backplan_tui.core.storage.index import Index
from backplan_tui.core.storage.rows import Rows, sort_entries
from helpers import fill_store, read_index, write_index

DAY = date(2026, 12, 1)


def fill(store: SessionStore, count: int, title: str = "Plan") -> list[str]:
    return fill_store(store, count, DAY, title)


def lazy(store: SessionStore):  # a listing of a folder "too big" to check before it shows
    return store.listing(today=DAY, check_over=0)


def edit_title(store: SessionStore, session_id: str, title: str) -> None:
    session = store.load(session_id)
    session.title = title
    store.save(session)


# --- rows of index lines --------------------------------------------------------------------


def test_a_big_listing_makes_an_entry_only_for_a_row_asked_for(store: SessionStore) -> None:
    ids = fill(store, 6)
    listed = store.list(today=DAY)
    listing = lazy(store)
    assert listing.unchecked and listing.entries == []
    rows = listing.sorted_rows()
    assert rows.ids == [e.id for e in listed]  # every id, in the list's order, at once
    assert rows.made == 0 and rows.lazy()
    assert rows[2] == listed[2]  # made from its line: equal to the entry list() makes
    assert rows.made == 1
    assert rows.get(ids[0]) == next(e for e in listed if e.id == ids[0])
    assert rows.get("no-such-session") is None
    # the titles for the filter and the shared titles, without keeping an entry made
    titles = list(rows.titles())
    assert titles == [(e.id, e.title, e.team) for e in listed]
    assert rows.made == 2
    assert list(rows) == listed  # every entry, made now


def test_lines_that_name_no_session_file_are_left_out_until_the_check(
    store: SessionStore,
) -> None:
    ids = fill(store, 3)
    store.list(today=DAY)
    data = read_index(store.root)
    first = data["files"][f"{ids[0]}.toml"]
    data["files"][".hidden.toml"] = first
    data["files"]["notes.txt"] = first
    data["files"][f"{ids[1]}.toml"] = "not a record"  # the line names the file: kept
    write_index(store.root, data)
    with (store.root / "index.jsonl").open("ab") as index:
        index.write(b'{"not": "a line"}\n["' + ids[0].encode() + b'.toml", 1]\n')
    rows = lazy(store).sorted_rows()
    assert sorted(rows.ids) == sorted(ids)  # each once, no other
    # the line not as written: a stand-in that shows the id, until the check reads the file
    stand_in = rows.get(ids[1])
    assert stand_in is not None and stand_in.title == ids[1] and stand_in.updated is None


def test_a_name_with_an_escape_is_read_the_long_way(store: SessionStore) -> None:
    fill(store, 2)
    session = templates.instantiate("blank", session_id='q"uote', title="Quoted", today=DAY)
    path = store.sessions_dir / 'q"uote.toml'
    from backplan_tui.core.codec import dumps

    path.write_text(dumps(session), "utf-8")
    listed = store.list(today=DAY)
    lines = (store.root / "index.jsonl").read_text("ascii").split("\n")
    assert any(line.startswith('["q\\"uote.toml",') for line in lines)  # an escape in it
    rows = lazy(store).sorted_rows()
    assert rows.ids == [e.id for e in listed] and 'q"uote' in rows.ids
    assert rows.get('q"uote').title == "Quoted"


def test_merged_rows_keep_the_lists_order(store: SessionStore) -> None:
    rng = random.Random(5)
    fill(store, 12)
    (store.sessions_dir / "broken.toml").write_text("= nope")
    base = store.list(today=DAY)
    stamp = datetime(2026, 6, 1, tzinfo=UTC)
    for _ in range(30):
        entries = [
            replace(e, updated=stamp + timedelta(hours=rng.randint(0, 5)))
            if e.updated is not None and rng.random() < 0.5
            else e
            for e in base
        ]
        order = sort_entries(entries)
        kept = [e for e in order if rng.random() < 0.6]
        added = [e for e in order if e not in kept]
        rows = Rows.of_entries(kept).merged(set(), added)
        assert rows.ids == [e.id for e in order]
        dropped = {e.id for e in order if rng.random() < 0.3}
        assert rows.merged(dropped, []).ids == [e.id for e in order if e.id not in dropped]


# --- the check -------------------------------------------------------------------------------


def test_the_check_drops_gone_and_changed_rows_and_reads_new_and_changed_files(
    store: SessionStore,
) -> None:
    ids = fill(store, 5)
    store.list(today=DAY)
    edit_title(store, ids[1], "Edited")
    store.path_for(ids[2]).unlink()
    [new] = fill(store, 1, title="New")
    listing = lazy(store)
    before = listing.sorted_rows()
    assert sorted(before.ids) == sorted(ids)  # the index's, as it was
    seen: list[tuple[str, str, str]] = []
    gone, changed = listing.check(seen=lambda *titles: seen.append(titles))
    assert gone == {ids[2]} and changed == {ids[1], new}
    # the sessions whose lines are current, with what the check read of them
    assert sorted(seen) == sorted((i, f"Plan {n}", "") for n, i in enumerate(ids) if n in (0, 3, 4))
    assert sorted(listing.sorted_rows().ids) == sorted({*ids} - {ids[1], ids[2]})
    assert sorted(before.ids) == sorted(ids)  # rows are never changed in place
    listing.read(len(listing.pending))
    listing.finish()
    rows = listing.sorted_rows()
    assert [e.id for e in rows] == [e.id for e in store.list(today=DAY)]
    assert rows.get(ids[1]).title == "Edited"


def test_a_cancelled_check_leaves_the_listing_unchecked_and_writes_nothing(
    store: SessionStore,
) -> None:
    ids = fill(store, 4)
    store.list(today=DAY)
    edit_title(store, ids[0], "Edited")
    index = store.root / "index.jsonl"
    before = index.read_bytes()
    listing = lazy(store)
    assert listing.check(lambda: True) == (set(), set())
    assert listing.unchecked and listing.pending == []
    listing.finish()
    assert index.read_bytes() == before


# --- writes keep the glances of the lines they keep ----------------------------------------------


def glances_of(store: SessionStore) -> bytes:
    return (store.root / "index.glances").read_bytes()


def test_a_write_keeps_the_unchanged_lines_and_their_glances_and_counts_the_dead(
    store: SessionStore,
) -> None:
    ids = fill(store, 4)
    store.list(today=DAY)
    lines_before = (store.root / "index.jsonl").read_bytes().split(b"\n")[1:]
    glances_before = glances_of(store)
    old = read_index(store.root)["files"][f"{ids[2]}.toml"]
    assert read_index(store.root)["dead"] == 0
    edit_title(store, ids[2], "Edited")
    assert [e.title for e in store.list(today=DAY) if e.id == ids[2]] == ["Edited"]
    data = read_index(store.root)
    assert data["dead"] == old[14]  # the changed file's old glance: nobody points there now
    glances = glances_of(store)
    # the bytes after the token line are kept as they were; the new glance comes after
    assert glances[17 : len(glances_before)] == glances_before[17:]
    assert data["files"][f"{ids[2]}.toml"][13] == len(glances_before)
    lines = (store.root / "index.jsonl").read_bytes().split(b"\n")[1:]
    unchanged = [line for line in lines_before if not line.startswith(f'["{ids[2]}'.encode())]
    assert set(unchanged) <= set(lines)  # written back byte for byte
    for entry in store.list(today=DAY):  # and each glance still reads as its own
        assert entry.glance is not None


def test_when_most_glances_are_dead_the_glances_file_is_made_anew(store: SessionStore) -> None:
    ids = fill(store, 3)
    store.list(today=DAY)
    fresh_size = len(glances_of(store))
    seen = []
    for round_ in range(6):  # each round replaces one file's glance: the dead grow
        edit_title(store, ids[round_ % 3], f"Edited {round_}")
        store.list(today=DAY)
        dead, size = read_index(store.root)["dead"], len(glances_of(store))
        assert dead * 2 <= size  # never mostly dead
        seen.append((dead, size))
    assert seen[0][0] > 0 and seen[0][1] > fresh_size  # the first edit: one glance dead
    # and once the dead would be most of the file, it is made anew: as small as at first
    assert (0, fresh_size) in seen
    listed = {e.id: e for e in store.list(today=DAY)}
    for session_id in ids:  # every glance still the file's own
        assert listed[session_id].glance is not None
        assert json.loads(listed[session_id].glance_record)["as_of"] == DAY.isoformat()


def test_writing_version_8_removes_version_7s_index(store: SessionStore) -> None:
    fill(store, 2)
    old = store.root / "index.json"
    old.write_text('{"format": "backplan-index", "version": 7, "files": {}}', "utf-8")
    assert len(store.list(today=DAY)) == 2
    assert not old.exists() and (store.root / "index.jsonl").is_file()


def test_an_entry_made_from_a_line_equals_the_one_made_from_the_file(
    store: SessionStore,
) -> None:
    ids = fill(store, 3)
    fresh = {e.id: e for e in store.list(today=DAY)}  # parsed: made from each file
    rows = lazy(store).sorted_rows()
    for session_id in ids:
        made = rows.get(session_id)
        assert isinstance(made, SessionEntry)
        assert made == fresh[session_id] and made.glance == fresh[session_id].glance


def test_a_line_naming_a_file_outside_the_folder_is_never_listed_nor_stat_ed(
    store: SessionStore,
) -> None:
    ids = fill(store, 3)
    store.list(today=DAY)
    outside = store.root / "outside.toml"  # beside sessions/, where "../" would reach
    outside.write_text("not a session")
    data = read_index(store.root)
    record = data["files"][f"{ids[0]}.toml"]
    info = outside.stat()
    forged = [info.st_size, info.st_mtime_ns, info.st_ino, *record[3:11]]
    forged += [info.st_ctime_ns, info.st_uid, *record[13:]]
    data["files"]["../outside.toml"] = forged  # its stat right: only its name gives it away
    data["files"]["sub/x.toml"] = record
    write_index(store.root, data)
    listing = lazy(store)
    assert sorted(listing.sorted_rows().ids) == sorted(ids)
    gone, changed = listing.check()
    assert (gone, changed) == (set(), set())
    assert "../outside.toml" not in listing.records and "sub/x.toml" not in listing.records
    listing.finish()  # the forged lines are dropped from the index written now
    assert sorted(read_index(store.root)["files"]) == sorted(f"{i}.toml" for i in ids)


def test_a_version_7_index_is_upgraded_without_parsing_a_session_file(
    store: SessionStore, monkeypatch
) -> None:
    # Version 7: the same records (without the brief) in one JSON document, index.json,
    # and the same index.glances.  The first listing after the upgrade parses no file.
    fill(store, 4)
    (store.sessions_dir / "broken.toml").write_text("= nope")
    listed = store.list(today=DAY)
    data = read_index(store.root)
    old = {
        "format": "backplan-index",
        "version": 7,
        "summaries": data["summaries"],
        "glances": data["glances"],
        "files": {name: record[:15] for name, record in data["files"].items()},
    }
    old["files"]["bad.toml"] = ["not", "a", "record"]  # left out: parsed again (not a file)
    (store.root / "index.json").write_text(json.dumps(old), "utf-8")
    (store.root / "index.json").chmod(0o600)
    (store.root / "index.jsonl").unlink()
    parsed: list[str] = []
    real = Index.record

    def counting(path, *args):
        parsed.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(Index, "record", staticmethod(counting))
    again = store.list(today=DAY)
    assert parsed == []  # every record came over, each with the brief of its glance
    assert again == listed
    assert [e.brief for e in again] == [e.brief for e in listed]
    assert not (store.root / "index.json").exists()
    assert read_index(store.root)["files"] == data["files"]
