"""store: atomic saves, conflicts, damaged files, trash, the listing index."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import MapNode, Session
from backplan_tui.core.storage import (
    ConflictError,
    DamagedSessionError,
    SessionNotFound,
    SessionStore,
    StoreError,
)
from helpers import read_index, write_index


def make(store: SessionStore, title: str = "Improve retention", **kw) -> Session:
    session = Session(id=store.new_id(title), title=title, **kw)
    return store.create(session)


def files_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def count_loads(monkeypatch):
    """Counts calls of codec.loads (the full parse + validation of a file)."""
    calls: list[str] = []
    real = codec.loads

    def counting(text, source="", **kw):
        calls.append(text)
        return real(text, source, **kw)

    monkeypatch.setattr(codec, "loads", counting)
    return calls


# --- save / load -------------------------------------------------------------------------


def test_create_and_load_round_trip(store):
    session = make(store, map=[MapNode(id="m1", title="First")])
    path = store.sessions_dir / f"{session.id}.toml"
    assert store.path_for(session.id) == path
    assert path.is_file()
    assert store.exists(session.id)
    loaded = store.load(session.id)
    assert loaded == session
    assert loaded is not session
    assert loaded.map == [MapNode(id="m1", title="First")]


def test_revision_increments_and_updated_is_now(store):
    session = make(store)
    assert session.revision == 1
    session.updated = datetime(2000, 1, 1, tzinfo=UTC)
    store.save(session)
    assert session.revision == 2
    assert datetime.now(UTC) - session.updated < timedelta(minutes=1)
    store.save(session)
    on_disk = tomllib.loads(store.path_for(session.id).read_text("utf-8"))
    assert on_disk["revision"] == 3
    assert store.load(session.id).revision == 3


def test_saving_leaves_no_temp_files(store):
    session = make(store)
    for _ in range(3):
        store.save(session)
    assert files_in(store.sessions_dir) == [f"{session.id}.toml"]


def test_permissions_are_0700_and_0600_whatever_the_umask(store):
    old = os.umask(0)
    try:
        session = make(store)
        store.list()
        other = make(store, "Other")
        store.delete(other.id)
    finally:
        os.umask(old)
    assert mode(store.root) == 0o700
    assert mode(store.sessions_dir) == 0o700
    assert mode(store.trash_dir) == 0o700
    assert mode(store.path_for(session.id)) == 0o600
    assert mode(store.root / "index.jsonl") == 0o600
    for name in files_in(store.trash_dir):
        assert mode(store.trash_dir / name) == 0o600


def test_root_is_created_lazily(store, data_dir):
    assert store.list() == []
    assert not data_dir.exists()
    assert not store.exists("anything")
    make(store)
    assert data_dir.is_dir()


def test_save_of_a_brand_new_session_creates_it(store):
    session = Session(id="fresh-0001", title="Fresh")
    store.save(session)
    assert session.revision == 1
    assert store.load("fresh-0001") == session


def test_create_refuses_a_used_id(store):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    with pytest.raises(StoreError, match="already exists"):
        store.create(Session(id=session.id, title="Intruder"))
    assert store.path_for(session.id).read_bytes() == before


def test_file_name_is_the_session_id(store):
    session = make(store)
    copy_path = store.sessions_dir / "hand-made-copy.toml"
    copy_path.write_bytes(store.path_for(session.id).read_bytes())
    loaded = store.load("hand-made-copy")
    assert loaded.id == "hand-made-copy"
    assert loaded.title == session.title
    assert sorted(e.id for e in store.list()) == sorted([session.id, "hand-made-copy"])


def test_a_utf8_bom_is_tolerated(store):
    store.sessions_dir.mkdir(parents=True)
    (store.sessions_dir / "bom.toml").write_bytes(b'\xef\xbb\xbfid = "bom"\ntitle = "B"\n')
    assert store.load("bom").title == "B"


def test_load_missing_or_bad_ids(store):
    make(store)
    with pytest.raises(SessionNotFound, match="no session with the id 'nope'"):
        store.load("nope")
    with pytest.raises(SessionNotFound):
        store.load("../sessions/x")
    with pytest.raises(StoreError, match="not a usable session id"):
        store.path_for("../escape")
    for bad in ("", ".hidden", "a/b", "tab\there", " padded"):
        assert not store.exists(bad)


# --- failed saves leave everything as it was ---------------------------------------------


def _assert_untouched(store, session, before_bytes, revision, updated):
    assert store.path_for(session.id).read_bytes() == before_bytes
    assert files_in(store.sessions_dir) == [f"{session.id}.toml"]
    assert session.revision == revision
    assert session.updated == updated


def test_failing_replace_leaves_the_original_and_no_temp_file(store, monkeypatch):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    revision, updated = session.revision, session.updated
    session.title = "Edited"

    def broken_replace(src, dst):
        raise OSError("simulated disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError, match="simulated disk full") as info:
        store.save(session)
    assert type(info.value) is StoreError
    _assert_untouched(store, session, before, revision, updated)
    assert session.title == "Edited"  # the user's edit is still in memory


def test_failing_fsync_leaves_the_original_and_no_temp_file(store, monkeypatch):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    revision, updated = session.revision, session.updated

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(StoreError, match="Input/output error"):
        store.save(session)
    _assert_untouched(store, session, before, revision, updated)


def test_an_invalid_session_is_refused_before_writing(store):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    revision, updated = session.revision, session.updated
    session.map.append(MapNode(id="m1", duration_days="5"))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match=r"map\[0\]\.duration_days: expected an integer"):
        store.save(session)
    _assert_untouched(store, session, before, revision, updated)


def test_an_unwritable_value_is_refused_before_writing(store):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    revision, updated = session.revision, session.updated
    session.extra["weird"] = object()
    with pytest.raises(StoreError, match="cannot save session"):
        store.save(session)
    _assert_untouched(store, session, before, revision, updated)


def test_a_session_too_large_to_read_back_is_not_saved(store, monkeypatch):
    session = make(store)
    before = store.path_for(session.id).read_bytes()
    revision, updated = session.revision, session.updated
    limit = len(before) + 100  # the store's own check, and the codec's
    monkeypatch.setattr("backplan_tui.core.storage.sessionfile.MAX_FILE_BYTES", limit)
    monkeypatch.setattr(codec, "MAX_FILE_BYTES", limit)
    session.future_state.statement = "x" * 500
    with pytest.raises(StoreError, match="limit"):
        store.save(session)
    _assert_untouched(store, session, before, revision, updated)


# --- conflicts -----------------------------------------------------------------------------


def test_conflict_when_another_writer_saved_in_between(data_dir):
    first, second = SessionStore(data_dir), SessionStore(data_dir)
    created = make(first)
    mine = first.load(created.id)
    theirs = second.load(created.id)
    theirs.title = "Their title"
    second.save(theirs)
    after_theirs = first.path_for(created.id).read_bytes()

    mine.title = "My title"
    revision, updated = mine.revision, mine.updated
    with pytest.raises(ConflictError, match="changed on disk"):
        first.save(mine)
    _assert_untouched(first, mine, after_theirs, revision, updated)
    assert mine.title == "My title"
    assert first.load(created.id).title == "Their title"


def test_conflict_when_the_file_changed_without_a_new_revision(store):
    session = make(store)
    path = store.path_for(session.id)
    edited = path.read_text("utf-8").replace("Improve retention", "Edited by hand")
    path.write_text(edited, "utf-8")
    with pytest.raises(ConflictError):
        store.save(session)
    assert path.read_text("utf-8") == edited


def test_conflict_when_the_file_was_removed(store):
    session = make(store)
    store.path_for(session.id).unlink()
    with pytest.raises(ConflictError, match="removed"):
        store.save(session)
    assert files_in(store.sessions_dir) == []
    assert session.revision == 1


def test_a_file_damaged_after_loading_is_not_overwritten(store):
    session = make(store)
    path = store.path_for(session.id)
    path.write_bytes(b"this is = = not toml")
    with pytest.raises(DamagedSessionError, match="not overwriting"):
        store.save(session)
    assert path.read_bytes() == b"this is = = not toml"
    assert files_in(store.sessions_dir) == [path.name]


# --- damaged files -------------------------------------------------------------------------

BIG = int(12.3 * 1024 * 1024)

DAMAGED = [
    ("bad-toml", b'id = "bad-toml"\ntitle = \n', r"^\(toml\): .*line 2"),
    (
        "wrong-type",
        b'id = "wrong-type"\ntitle = "T"\nrevision = "three"\n',
        r"^revision: expected an integer, got 'three'$",
    ),
    (
        "too-large",
        b'id = "too-large"\ntitle = "T"\n#' + b"x" * BIG,
        r"^file is 12\.3 MB, larger than the 10 MB limit$",
    ),
    (
        "not-utf8",
        b'id = "not-utf8"\ntitle = "caf\xe9"\n',
        r"^not valid UTF-8 \(byte 0xe9 at offset 28\)$",
    ),
    (
        "too-deep",
        b'id = "too-deep"\ntitle = "T"\ndeep = ' + b"[" * 40 + b"]" * 40 + b"\n",
        r"^deep: nested more than 32 levels deep$",
    ),
    (
        "missing-id",
        b'title = "No id"\n',
        r"^id: required but missing$",
    ),
]


@pytest.mark.parametrize(("name", "content", "reason"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_damaged_file_is_listed_with_a_reason_and_never_touched(
    store, count_loads, name, content, reason
):
    good = make(store, "Still fine")
    store.list()  # the good one is in the index now
    path = store.sessions_dir / f"{name}.toml"
    path.write_bytes(content)
    count_loads.clear()

    entries = {e.id: e for e in store.list()}
    assert set(entries) == {good.id, name}
    assert entries[good.id].damaged is None
    assert entries[name].damaged is not None
    assert re.search(reason, entries[name].damaged), entries[name].damaged
    assert entries[name].path == path
    if name == "too-large":
        assert count_loads == []  # never parsed

    with pytest.raises(DamagedSessionError) as info:
        store.load(name)
    assert info.value.path == path
    assert re.search(reason, info.value.reason)
    assert str(path) in str(info.value)

    with pytest.raises(StoreError):
        store.save(Session(id=name, title="Overwrite attempt", revision=1))
    with pytest.raises(StoreError):
        store.save(Session(id=name, title="Overwrite attempt", revision=0))
    with pytest.raises(StoreError):
        store.create(Session(id=name, title="Overwrite attempt"))
    with pytest.raises(DamagedSessionError):
        store.delete(name)
    with pytest.raises(DamagedSessionError):
        store.duplicate(name)
    store.list()

    assert path.read_bytes() == content
    assert files_in(store.sessions_dir) == sorted([f"{good.id}.toml", f"{name}.toml"])
    assert not store.trash_dir.exists()
    assert store.load(good.id).title == "Still fine"


def test_damaged_entries_sort_last(store):
    make(store)
    (store.sessions_dir / "aaa-broken.toml").write_text("nope")
    entries = store.list()
    assert [e.damaged is None for e in entries] == [True, False]


# --- listing and the index ---------------------------------------------------------------


def _write_session(store: SessionStore, session_id: str, title: str, updated: datetime) -> Path:
    store.sessions_dir.mkdir(parents=True, exist_ok=True)
    session = Session(id=session_id, title=title, team="Ops", updated=updated, revision=4)
    path = store.sessions_dir / f"{session_id}.toml"
    path.write_text(codec.dumps(session), "utf-8")
    return path


def test_list_gives_entry_fields_newest_first(store):
    _write_session(store, "old", "Old one", datetime(2020, 1, 1, tzinfo=UTC))
    _write_session(store, "new", "New one", datetime(2026, 1, 1, tzinfo=UTC))
    _write_session(store, "mid", "Middle", datetime(2024, 1, 1, tzinfo=UTC))
    entries = store.list()
    assert [e.id for e in entries] == ["new", "mid", "old"]
    first = entries[0]
    assert first.title == "New one"
    assert first.team == "Ops"
    assert first.current_step == "future_state"
    assert first.revision == 4
    assert first.updated == datetime(2026, 1, 1, tzinfo=UTC)
    assert first.path == store.sessions_dir / "new.toml"
    assert first.damaged is None
    # the same answer from the index
    assert store.list() == entries


def test_list_ignores_temp_hidden_and_other_files(store):
    session = make(store)
    (store.sessions_dir / f".{session.id}.toml.1a2b3c4d.tmp").write_text("partial")
    (store.sessions_dir / ".hidden.toml").write_text("x")
    (store.sessions_dir / "notes.txt").write_text("x")
    (store.sessions_dir / "folder.toml").mkdir()
    assert [e.id for e in store.list()] == [session.id]


def test_second_list_reuses_the_index(store, count_loads):
    ids = [make(store, f"Plan {n}").id for n in range(3)]
    count_loads.clear()
    assert len(store.list()) == 3
    assert len(count_loads) == 3  # no index yet: every file parsed once
    index = store.root / "index.jsonl"
    assert index.is_file()
    before = index.stat()

    count_loads.clear()
    assert sorted(e.id for e in store.list()) == sorted(ids)
    assert count_loads == []
    after = index.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rewritten

    data = read_index(index)
    record = data["files"][f"{ids[0]}.toml"]
    st = store.path_for(ids[0]).stat()
    assert record[:3] == [st.st_size, st.st_mtime_ns, st.st_ino]
    assert record[3] == "Plan 0"
    assert record[8] is None  # not damaged


def test_only_changed_new_and_vanished_files_are_reconsidered(store, count_loads):
    a, b, c = (make(store, title) for title in ("Alpha", "Beta", "Gamma"))
    store.list()

    b.title = "Beta, renamed"
    store.save(b)
    count_loads.clear()
    entries = {e.id: e for e in store.list()}
    assert len(count_loads) == 1
    assert entries[b.id].title == "Beta, renamed"
    assert entries[b.id].revision == 2

    store.path_for(c.id).unlink()
    count_loads.clear()
    assert sorted(e.id for e in store.list()) == sorted([a.id, b.id])
    assert count_loads == []
    data = read_index(store.root)
    assert sorted(data["files"]) == sorted([f"{a.id}.toml", f"{b.id}.toml"])

    d = make(store, "Delta")
    count_loads.clear()
    assert d.id in {e.id for e in store.list()}
    assert len(count_loads) == 1


def test_a_file_edited_by_hand_is_seen(store):
    session = make(store, "Before")
    store.list()
    path = store.path_for(session.id)
    path.write_text(path.read_text("utf-8").replace('"Before"', '"After the edit"'), "utf-8")
    assert store.list()[0].title == "After the edit"


def test_damaged_reason_is_cached_too(store, count_loads):
    make(store)
    (store.sessions_dir / "broken.toml").write_text("= nope")
    store.list()
    count_loads.clear()
    entries = {e.id: e for e in store.list()}
    assert count_loads == []
    assert entries["broken"].damaged.startswith("(toml): ")


@pytest.mark.parametrize(
    "index_text",
    [
        "not json at all {",
        "[]",
        '{"format": "backplan-index", "version": 0, "files": {}}',
        '{"format": "backplan-index", "version": 1, "files": {"x.toml": {"stat": "bad"}}}',
        "",
        # a record as version 3 wrote it, once valid: not read by version 4
        '{"format": "backplan-index", "version": 3, "files": {"x.toml": {"stat": [1, 2, 3], '
        '"id": "x", "title": "X", "team": "", "current_step": "future_state", '
        '"updated": "2026-01-01T00:00:00+00:00", "revision": 1, "damaged": null, '
        '"read_only": null, "glance": null}}}',
        '{"format": "backplan-index", "version": 4, "files": []}',
        '{"format": "backplan-index", "version": 4}',
        '{"format": "other", "version": 4, "files": {}}',
        '{"format": "backplan-index", "version": 4, "files": {"x.toml": ' + "[" * 100_000,
        "\ufeff{}",
    ],
    ids=[
        "garbage",
        "wrong-shape",
        "old-version",
        "bad-record",
        "empty",
        "version-3",
        "files-not-an-object",
        "no-files",
        "other-format",
        "nested-deep",
        "bom",
    ],
)
def test_a_corrupt_or_old_index_is_rebuilt(store, count_loads, index_text):
    ids = sorted(make(store, title).id for title in ("One", "Two"))
    index = store.root / "index.jsonl"
    index.write_text(index_text, "utf-8")
    count_loads.clear()
    assert sorted(e.id for e in store.list()) == ids
    assert len(count_loads) == 2
    data = read_index(index)
    assert sorted(data["files"]) == [f"{i}.toml" for i in ids]
    count_loads.clear()
    store.list()
    assert count_loads == []


def test_a_deleted_index_is_simply_rebuilt(store, count_loads):
    session = make(store)
    store.list()
    (store.root / "index.jsonl").unlink()
    count_loads.clear()
    assert [e.id for e in store.list()] == [session.id]
    assert len(count_loads) == 1
    assert (store.root / "index.jsonl").is_file()


def test_an_index_that_cannot_be_written_does_not_break_listing(store, monkeypatch):
    session = make(store)

    def broken_replace(src, dst):
        raise OSError("read-only")

    monkeypatch.setattr(os, "replace", broken_replace)
    assert [e.id for e in store.list()] == [session.id]
    assert not (store.root / "index.jsonl").exists()
    assert [n for n in files_in(store.root) if n.endswith(".tmp")] == []


# --- trash ---------------------------------------------------------------------------------


def test_delete_moves_to_trash_and_undelete_brings_it_back(store):
    session = make(store, map=[MapNode(id="m1", title="Keep me")])
    original = store.path_for(session.id).read_bytes()
    trashed = store.delete(session.id)
    assert trashed.parent == store.trash_dir
    assert re.fullmatch(re.escape(session.id) + r"\.\d{8}T\d{6}Z(-\d+)?\.toml", trashed.name)
    assert trashed.read_bytes() == original
    assert not store.exists(session.id)
    assert store.list() == []
    with pytest.raises(SessionNotFound):
        store.load(session.id)
    assert store.trash() == [trashed]

    assert store.undelete(trashed) == session.id
    assert not trashed.exists()
    assert store.load(session.id) == session
    # and it can be saved again after coming back
    store.save(store.load(session.id))


def test_deleting_the_same_id_twice_keeps_both_copies(store):
    session = make(store)
    first = store.delete(session.id)
    store.create(Session(id=session.id, title="Second life"))
    second = store.delete(session.id)
    assert first != second
    assert first.exists() and second.exists()


def test_undelete_gives_a_new_id_when_the_old_one_was_reused(store):
    session = make(store, "Reused title")
    trashed = store.delete(session.id)
    store.create(Session(id=session.id, title="Newcomer"))
    restored = store.undelete(trashed)
    assert restored != session.id
    assert re.fullmatch(r"reused-title-[0-9a-f]{4}", restored)
    assert store.load(restored).title == "Reused title"
    assert store.load(session.id).title == "Newcomer"


def test_undelete_refuses_paths_outside_the_trash(store, tmp_path):
    session = make(store)
    with pytest.raises(SessionNotFound):
        store.undelete(store.path_for(session.id))
    with pytest.raises(SessionNotFound):
        store.undelete(tmp_path / "whatever.toml")
    assert store.exists(session.id)


def test_delete_unknown_id(store):
    with pytest.raises(SessionNotFound):
        store.delete("ghost")


# --- duplicate, resolve, new_id ----------------------------------------------------------


def test_duplicate_copies_under_a_new_id(store):
    original = make(store, "Quarterly plan", map=[MapNode(id="m1", title="Step")])
    store.save(original)
    copy = store.duplicate(original.id)
    assert copy.id != original.id
    assert copy.title == "Copy of Quarterly plan"
    assert re.fullmatch(r"copy-of-quarterly-plan-[0-9a-f]{4}", copy.id)
    assert copy.revision == 1
    assert copy.map == original.map
    assert store.load(copy.id) == copy
    assert store.load(original.id) == original

    named = store.duplicate(original.id, title="Variant B")
    assert named.title == "Variant B"
    assert named.id.startswith("variant-b-")


def test_resolve(store):
    _write_session(store, "improve-retention-3f9a", "Improve retention", datetime.now(UTC))
    _write_session(store, "hiring-plan-0001", "Hiring plan", datetime.now(UTC))
    _write_session(store, "hiring-plan-0002", "Hiring plan", datetime.now(UTC))
    _write_session(store, "budget-aaaa", "Budget", datetime.now(UTC))
    assert store.resolve("budget-aaaa") == "budget-aaaa"
    assert store.resolve("IMPROVE retention") == "improve-retention-3f9a"
    assert store.resolve("  budget ") == "budget-aaaa"
    assert store.resolve("improve") == "improve-retention-3f9a"  # unique prefix
    assert store.resolve("hiring-plan-0002") == "hiring-plan-0002"
    with pytest.raises(StoreError, match="matches 2 sessions") as info:
        store.resolve("hiring plan")
    assert not isinstance(info.value, SessionNotFound)
    assert "hiring-plan-0001" in str(info.value)
    with pytest.raises(StoreError, match="matches 2 sessions"):
        store.resolve("hiring-")
    with pytest.raises(SessionNotFound):
        store.resolve("nothing like it")
    with pytest.raises(SessionNotFound):
        store.resolve("   ")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Improve 12-month retention", "improve-12-month-retention"),
        ("  Café Über-Planung!  ", "cafe-uber-planung"),
        ("", "session"),
        ("!!! ???", "session"),
        ("日本語", "session"),
        (
            "one two three four five six seven eight nine ten",
            "one-two-three-four-five-six-seven-eight",
        ),
        ("x" * 50, "x" * 40),
    ],
)
def test_new_id_format(store, title, slug):
    new = store.new_id(title)
    assert re.fullmatch(re.escape(slug) + r"-[0-9a-f]{4}", new), new
    assert len(slug) <= 40


def test_new_id_skips_ids_in_use(store, monkeypatch):
    store.create(Session(id="plan-aaaa", title="Plan"))
    suffixes = iter([bytes.fromhex("aaaa"), bytes.fromhex("aaaa"), bytes.fromhex("bbbb")])
    monkeypatch.setattr(os, "urandom", lambda n: next(suffixes))  # (only new_id draws here)
    assert store.new_id("Plan") == "plan-bbbb"


# --- issue 3 additions: entry fields, copies, warnings -----------------------------------------


def test_list_entries_tell_backups_and_read_only(store, count_loads):
    plain = make(store, "Plain")
    saved = make(store, "Saved twice")
    saved.team = "Ops"  # a change worth a backup (a step change alone is not)
    store.save(saved)
    _write_session(store, "future", "Future", datetime(2026, 1, 1, tzinfo=UTC))
    path = store.sessions_dir / "future.toml"
    path.write_text(path.read_text("utf-8").replace("schema_version = 1", "schema_version = 4"))
    entries = {e.id: e for e in store.list()}
    assert entries[plain.id].has_backup is False
    assert entries[saved.id].has_backup is True
    assert entries["future"].damaged is None
    assert entries["future"].read_only_reason == (
        "written by a newer backplan (schema 4; this version reads up to 1)"
    )
    assert entries[plain.id].read_only_reason is None
    count_loads.clear()
    assert {e.id: e for e in store.list()} == entries  # the same from the index
    assert count_loads == []
    data = read_index(store.root)
    assert data["version"] == 8
    assert data["files"]["future.toml"][9] == (
        "written by a newer backplan (schema 4; this version reads up to 1)"
    )


def test_save_as_copy_keeps_unsaved_edits_under_a_new_id(store):
    session = make(store, "Workshop")
    session.future_state.statement = "typed but not saved"
    copy = store.save_as_copy(session)
    assert (copy.title, copy.revision) == ("Workshop (copy)", 1)
    assert re.fullmatch(r"workshop-copy-[0-9a-f]{4}", copy.id)
    assert store.load(copy.id).future_state.statement == "typed but not saved"
    assert store.load(session.id).future_state.statement == ""
    assert session.revision == 1 and session.title == "Workshop"


def test_a_healthy_store_has_no_warnings(store):
    session = make(store)
    store.save(session)
    store.list()
    store.delete(session.id)
    assert store.warnings == []
    assert SessionStore(store.root).warnings == []


def test_lock_path_is_beside_the_session_file(store):
    assert store.lock_path("plan-0001") == store.sessions_dir / "plan-0001.lock"
    with pytest.raises(StoreError):
        store.lock_path("../x")


# --- the glance in the index (health, risks, next due) ---------------------------------------


def test_the_index_keeps_each_sessions_glance(store, count_loads):
    from datetime import date

    from backplan_tui.core.model import FutureState, Pilot

    day = date(2026, 12, 1)
    session = make(
        store,
        "Dated",
        future_state=FutureState(statement="Ship it", target_date=date(2027, 1, 31)),
        map=[MapNode("m1", "Train managers", owner="Ana", duration_days=10)],
        pilots=[Pilot("p1", "Sales pilot", owner="Sam", end=date(2026, 12, 15))],
    )
    (entry,) = store.list(today=day)
    assert entry.glance is not None
    assert [(d.due, d.title) for d in entry.glance.due] == [
        (date(2026, 12, 15), "Sales pilot"),
        (date(2027, 1, 31), "Train managers"),
    ]
    assert entry.glance.problems >= 1  # "Ship it" has no number: not measurable
    assert entry.glance.as_of == day

    # the next day, without refresh: no file parsed, yesterday's glance (marked stale)
    count_loads.clear()
    (entry,) = store.list(today=date(2026, 12, 2))
    assert count_loads == [] and entry.glance.as_of == day
    assert entry.glance.stale(date(2026, 12, 2))

    # with refresh: that file parsed once, and then the index is current again
    (entry,) = store.list(today=date(2026, 12, 20), refresh=True)
    assert len(count_loads) == 1 and entry.glance.as_of == date(2026, 12, 20)
    assert "1 overdue item" in entry.glance.risks
    count_loads.clear()
    store.list(today=date(2026, 12, 20), refresh=True)
    assert count_loads == []
    assert session.id == entry.id


def test_a_damaged_file_has_no_glance(store):
    good = make(store)
    (store.sessions_dir / "broken.toml").write_text("= nope")
    entries = {e.id: e for e in store.list()}
    assert entries["broken"].damaged and entries["broken"].glance is None
    assert entries[good.id].glance is not None


def test_one_record_edited_by_hand_is_rebuilt_alone(store, count_loads):
    ids = sorted(make(store, title).id for title in ("One", "Two", "Three"))
    store.list()
    index = store.root / "index.jsonl"
    data = read_index(index)
    data["files"][f"{ids[1]}.toml"][10] = "not a day"
    third = data["files"][f"{ids[2]}.toml"]
    glances = store.root / "index.glances"
    text = glances.read_bytes()
    at, length = third[13:15]
    assert text[at : at + length].count(b'"problems":') == 1
    spoilt = text[at : at + length].replace(b'"problems":', b'"problems":"')  # same length +1
    glances.write_bytes(text[:at] + spoilt[:length] + text[at + length :])
    write_index(index, data)
    count_loads.clear()
    entries = {e.id: e for e in store.list()}
    assert len(count_loads) == 1  # only the bad record's file, not all three
    assert isinstance(entries[ids[1]].glance.problems, int)
    data = read_index(index)
    assert data["files"][f"{ids[1]}.toml"][10] == date.today().isoformat()
    # a glance whose inside is wrong is read only when shown: it shows nothing, never a crash
    assert entries[ids[2]].glance is None and entries[ids[2]].damaged is None


# --- the index's format (version 8: a line for each file, checked by its stat alone; the
# glances in index.glances) ----------------------------------------------------------------------


def test_the_index_holds_one_array_per_file(store):
    from datetime import date

    path = _write_session(
        store, "plan", "Plan, \"quoted\" and 'single'", datetime(2026, 1, 1, tzinfo=UTC)
    )
    (store.sessions_dir / "broken.toml").write_text("= nope")
    store.list(today=date(2026, 12, 1))
    data = read_index(store.root)
    assert (data["format"], data["version"], sorted(data["files"])) == (
        "backplan-index",
        8,
        ["broken.toml", "plan.toml"],
    )
    assert data["summaries"] == '{"as_of":"' and len(data["glances"]) == 16
    assert data["dead"] == 0  # no glance left behind yet
    # one JSON array a line, in the list's order (the readable one first), ASCII only
    lines = (store.root / "index.jsonl").read_bytes().split(b"\n")
    assert [json.loads(line)[0] for line in lines[1:-1]] == ["plan.toml", "broken.toml"]
    assert lines[-1] == b"" and all(line.isascii() for line in lines)
    st = path.stat()
    record = data["files"]["plan.toml"]
    assert record[:10] == [
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
        "Plan, \"quoted\" and 'single'",
        "Ops",
        "future_state",
        "2026-01-01T00:00:00+00:00",
        4,
        None,
        None,
    ]
    assert record[10] == "2026-12-01"  # the glance's day; the glance itself:
    glances = (store.root / "index.glances").read_bytes()
    assert glances.startswith(data["glances"].encode() + b"\n")
    at, length = record[13:15]
    assert at == 17 and at + length == len(glances)
    assert glances[at:].startswith(b'{"as_of":"2026-12-01","problems":')
    assert record[11:13] == [st.st_ctime_ns, st.st_uid]  # no digest: the stat alone (issue 21)
    # what `backplan list` shows of the glance (the brief): no glance read to list
    assert record[15] == ["2 problems", None, "", ""]  # (no goal, no outcome: the coach)
    assert len(record) == 16
    st = (store.sessions_dir / "broken.toml").stat()
    broken = data["files"]["broken.toml"]
    assert broken[:8] == [st.st_size, st.st_mtime_ns, st.st_ino, "", "", "", None, 0]
    assert broken[8].startswith("(toml): ")
    assert broken[9:] == [None, None, st.st_ctime_ns, st.st_uid, 0, 0, None]


def _index_record(store: SessionStore, name: str) -> list:
    return read_index(store.root)["files"][name]


def _damaged_like(record: list) -> list:
    return [*record[:3], "", "", "", None, 0, "a reason", None, None, *record[11:13], 0, 0, None]


# Each edit makes the record of "two.toml" not as written.  (Its file holds title "Two",
# team "Ops", revision 4, updated 2026-02-02T00:00:00+00:00.)
BAD_RECORDS = {
    "null": lambda r: None,
    "an object": lambda r: {"title": "Two"},
    "text": lambda r: json.dumps(r),
    "too short": lambda r: r[:12],
    "too long": lambda r: [*r, None],
    "size as text": lambda r: [str(r[0]), *r[1:]],
    "size as a float": lambda r: [float(r[0]), *r[1:]],  # 123.0 == 123 in Python
    "mtime as a float": lambda r: [r[0], float(r[1]), *r[2:]],
    "inode as a bool": lambda r: [*r[:2], True, *r[3:]],
    "title not text": lambda r: [*r[:3], 2, *r[4:]],
    "team null": lambda r: [*r[:4], None, *r[5:]],
    "step a list": lambda r: [*r[:5], ["future_state"], *r[6:]],
    "updated without an offset": lambda r: [*r[:6], "2026-02-02T00:00:00", *r[7:]],
    "updated not a time": lambda r: [*r[:6], "yesterday", *r[7:]],
    "updated a number": lambda r: [*r[:6], 20260202, *r[7:]],
    "revision negative": lambda r: [*r[:7], -4, *r[8:]],
    "revision a float": lambda r: [*r[:7], 4.0, *r[8:]],
    "revision as text": lambda r: [*r[:7], "4", *r[8:]],
    "damaged and readable": lambda r: [*r[:8], "a reason", *r[9:]],
    "read-only not text": lambda r: [*r[:9], 1, *r[10:]],
    "glance day null": lambda r: [*r[:10], None, *r[11:]],
    "glance day an object": lambda r: [*r[:10], {"as_of": "2026-12-01"}, *r[11:]],
    "glance day another form": lambda r: [*r[:10], "1 Dec 2026", *r[11:]],
    "glance text (version 6) instead": lambda r: [*r[:10], '{"as_of":"2026-12-01"}', *r[11:]],
    "ctime as a float": lambda r: [*r[:11], float(r[11]), *r[12:]],
    "ctime missing": lambda r: [*r[:11], None, *r[12:]],
    "owner as text": lambda r: [*r[:12], str(r[12]), *r[13:]],
    "owner as a bool": lambda r: [*r[:12], r[12] == 0, *r[13:]],
    "glance place as text": lambda r: [*r[:13], str(r[13]), *r[14:]],
    "glance place zero": lambda r: [*r[:13], 0, *r[14:]],
    "glance length a float": lambda r: [*r[:14], float(r[14]), *r[15:]],
    "glance length missing": lambda r: [*r[:14], *r[15:]],
    "glance past the glances file's end": lambda r: [*r[:14], r[14] + 10**6, *r[15:]],
    "brief missing": lambda r: r[:15],
    "brief not a list": lambda r: [*r[:15], "healthy"],
    "brief null on a readable file": lambda r: [*r[:15], None],
    "a head digest (version 5) instead": lambda r: [*r[:11], hashlib.sha256(b"x").hexdigest()],
    "damaged with a title": lambda r: [*_damaged_like(r)[:3], "Two", *_damaged_like(r)[4:]],
    "damaged with a revision": lambda r: [*_damaged_like(r)[:7], 4, *_damaged_like(r)[8:]],
    "damaged with a glance day": lambda r: [*_damaged_like(r)[:10], r[10], *r[11:13], 0, 0, None],
    "damaged with a glance": lambda r: [*_damaged_like(r)[:13], *r[13:15], None],
    "damaged with a brief": lambda r: [*_damaged_like(r)[:15], r[15]],
    "damaged without a reason": lambda r: [*_damaged_like(r)[:8], None, *_damaged_like(r)[9:]],
}


@pytest.mark.parametrize("edit", list(BAD_RECORDS.values()), ids=list(BAD_RECORDS))
def test_a_record_not_as_written_is_parsed_again_alone(store, count_loads, edit):
    from datetime import date

    _write_session(store, "one", "One", datetime(2026, 1, 1, tzinfo=UTC))
    _write_session(store, "two", "Two", datetime(2026, 2, 2, tzinfo=UTC))
    _write_session(store, "three", "Three", datetime(2026, 3, 3, tzinfo=UTC))
    store.list(today=date(2026, 12, 1))
    index = store.root / "index.jsonl"
    data = read_index(index)
    data["files"]["two.toml"] = edit(data["files"]["two.toml"])
    write_index(index, data)

    count_loads.clear()
    entries = store.list(today=date(2026, 12, 1))
    assert len(count_loads) == 1  # that file alone: the other two records are kept
    assert [(e.id, e.title, e.revision, e.damaged) for e in entries] == [
        ("three", "Three", 4, None),
        ("two", "Two", 4, None),
        ("one", "One", 4, None),
    ]
    assert entries[1].updated == datetime(2026, 2, 2, tzinfo=UTC)
    assert entries[1].glance is not None and entries[1].glance.as_of == date(2026, 12, 1)
    record = _index_record(store, "two.toml")  # written again, as it should be
    assert record[3:10] == [
        "Two",
        "Ops",
        "future_state",
        "2026-02-02T00:00:00+00:00",
        4,
        None,
        None,
    ]
    count_loads.clear()
    store.list(today=date(2026, 12, 1))
    assert count_loads == []


@pytest.mark.parametrize(
    "item", [0, 1, 2, 11, 12], ids=["size", "mtime_ns", "inode", "ctime_ns", "uid"]
)
def test_a_record_of_another_stat_is_never_trusted(store, count_loads, item):
    _write_session(store, "plan", "From the file", datetime(2026, 1, 1, tzinfo=UTC))
    store.list()
    index = store.root / "index.jsonl"
    data = read_index(index)
    record = data["files"]["plan.toml"]
    record[item] += 1
    record[3] = "From the index"
    write_index(index, data)
    count_loads.clear()
    (entry,) = store.list()
    assert len(count_loads) == 1
    assert entry.title == "From the file"
    assert _index_record(store, "plan.toml")[3] == "From the file"


def test_a_forged_record_with_the_right_stat_is_not_trusted(store, count_loads):
    # issue 22.8: the file changed in place (same size, its mtime put back, same inode),
    # and the index record (from before) claims the old title: the ctime tells (nobody but
    # the clock sets it), with no file read to check a record (issue 21)
    path = _write_session(store, "plan", "Title AAAA", datetime(2026, 1, 1, tzinfo=UTC))
    store.list()
    st = path.stat()
    with open(path, "r+b") as f:  # in place: the inode stays
        text = f.read().replace(b"Title AAAA", b"Title BBBB")
        f.seek(0)
        f.write(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )
    count_loads.clear()
    (entry,) = store.list()
    assert entry.title == "Title BBBB"
    assert len(count_loads) == 1


def test_a_same_size_same_mtime_file_of_another_owner_is_parsed_again(store, count_loads):
    # issue 21: records are checked by their stat alone.  Another user's file put in place
    # of ours, same size, the mtime put back; even were its ctime the one in the record (the
    # record edited to match: only root can set the clock back), the owner tells.
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = _write_session(store, "plan", "Title AAAA", datetime(2026, 1, 1, tzinfo=UTC))
    store.list()
    st = path.stat()
    forged = path.read_bytes().replace(b"Title AAAA", b"Title BBBB")
    assert len(forged) == st.st_size
    path.write_bytes(forged)
    os.chown(path, 65534, 65534)  # nobody
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )
    index = store.root / "index.jsonl"
    data = read_index(index)
    data["files"]["plan.toml"][11] = after.st_ctime_ns
    write_index(index, data)
    count_loads.clear()
    (entry,) = store.list()
    assert entry.title == "Title BBBB"
    assert len(count_loads) == 1
    assert _index_record(store, "plan.toml")[11:13] == [after.st_ctime_ns, 65534]


def test_a_current_index_is_checked_without_opening_a_session_file(store, monkeypatch):
    # issue 21: 10,000 sessions must not cost 10,000 reads on every start
    for n in range(3):
        _write_session(store, f"plan-{n}", f"Plan {n}", datetime(2026, 1, 1 + n, tzinfo=UTC))
    store.list()
    opened: list[str] = []
    real_open = os.open

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    assert [e.title for e in store.list()] == ["Plan 2", "Plan 1", "Plan 0"]
    assert str(store.index_path) in opened  # the index was read...
    assert [p for p in opened if p.endswith(".toml")] == []  # ...and no session file


@pytest.mark.parametrize("how", ["writable by others", "owned by another user"])
def test_an_index_that_is_not_this_users_private_file_is_not_trusted(store, count_loads, how):
    _write_session(store, "plan", "From the file", datetime(2026, 1, 1, tzinfo=UTC))
    store.list()
    index = store.root / "index.jsonl"
    data = read_index(index)
    data["files"]["plan.toml"][3] = "Forged by someone else"
    write_index(index, data)  # right stat, forged title
    if how == "writable by others":
        os.chmod(index, 0o666)
    elif os.geteuid() == 0:
        os.chown(index, 65534, 65534)  # nobody
    else:
        print("not root: cannot give the index to another user; checking a 0666 one instead")
        os.chmod(index, 0o666)
    count_loads.clear()
    (entry,) = store.list()
    assert entry.title == "From the file"
    assert len(count_loads) == 1
    assert _index_record(store, "plan.toml")[3] == "From the file"  # rewritten, ours again
    assert mode(index) == 0o600 and index.stat().st_uid == os.geteuid()


def test_an_index_record_of_a_file_that_is_gone_is_dropped(store, count_loads):
    _write_session(store, "plan", "Plan", datetime(2026, 1, 1, tzinfo=UTC))
    store.list()
    index = store.root / "index.jsonl"
    data = read_index(index)
    data["files"]["ghost.toml"] = data["files"]["plan.toml"]
    write_index(index, data)
    count_loads.clear()
    assert [e.id for e in store.list()] == ["plan"]
    assert count_loads == []
    assert sorted(read_index(index)["files"]) == ["plan.toml"]


def test_a_listed_entry_is_the_entry_the_constructor_makes(store):
    from dataclasses import fields

    from backplan_tui.core.storage import SessionEntry

    _write_session(store, "plan", "Plan", datetime(2026, 1, 1, tzinfo=UTC))
    for n, entry in enumerate((store.list()[0], store.list()[0])):  # parsed, then indexed
        # the glance: in memory when parsed, else where it is in index.glances until read
        glance = "glance_record" if n == 0 else "_glance"
        assert set(vars(entry)) == {
            "id",
            "_folder",
            "_summarizer",  # the store's: what reads the glance back
            "title",
            "team",
            "current_step",
            "updated",
            "revision",
            "damaged",
            "read_only_reason",
            "has_backup",
            "brief",  # (not compared: entries of one file are equal with or without it)
            glance,
        }  # ``path`` is made on first use
        assert {f.name for f in fields(SessionEntry)} == set(vars(entry)) - {
            "_folder",
            "_summarizer",
            "_glance",
        } | {"path", "glance_record"}
        made = SessionEntry(
            id="plan",
            path=store.sessions_dir / "plan.toml",
            title="Plan",
            team="Ops",
            current_step="future_state",
            updated=datetime(2026, 1, 1, tzinfo=UTC),
            revision=4,
            damaged=None,
            read_only_reason=None,
            has_backup=False,
            glance_record=entry.glance_record,  # the index's text (its tests: test_glance)
        )
        assert entry == made and hash(entry) == hash(made)
        assert repr(entry) == repr(made)
        assert entry.path == store.sessions_dir / "plan.toml"
        assert vars(entry)["path"] is entry.path  # made once
        with pytest.raises(AttributeError):
            entry.no_such_thing  # noqa: B018
        with pytest.raises(AttributeError):
            entry.title = "changed"
    with pytest.raises(AttributeError):
        made.no_such_thing  # type: ignore[attr-defined]  # noqa: B018


def test_equal_times_sort_by_id_and_damaged_last(store):
    same = datetime(2026, 1, 1, tzinfo=UTC)
    # the file names sort the other way round ("-" < "."): the order is by id
    _write_session(store, "a-b", "Second", same)
    _write_session(store, "a", "First", same)
    _write_session(store, "z", "Newest", datetime(2026, 6, 1, tzinfo=UTC))
    _write_session(store, "0-old", "Oldest", datetime(2020, 1, 1, tzinfo=UTC))
    (store.sessions_dir / "0-broken.toml").write_text("= nope")
    expected = ["z", "a", "a-b", "0-old", "0-broken"]
    assert [e.id for e in store.list()] == expected
    assert [e.id for e in store.list()] == expected  # from the index


def test_a_glance_from_the_index_is_stale_on_another_day(store, count_loads):
    from datetime import date

    _write_session(store, "plan", "Plan", datetime(2026, 1, 1, tzinfo=UTC))
    store.list(today=date(2026, 12, 1))
    count_loads.clear()
    (entry,) = store.list(today=date(2026, 12, 1))
    assert count_loads == [] and "glance_record" not in vars(entry)  # not read yet
    assert not entry.glance_stale(date(2026, 12, 1))  # the index's day: still not read
    assert entry.glance_stale(date(2026, 12, 2)) and "glance_record" not in vars(entry)
    assert isinstance(entry.glance_record, str)  # read when asked for
    assert not entry.glance_stale(date(2026, 12, 1))
    assert entry.glance_stale(date(2026, 12, 2))
    assert entry.glance.as_of == date(2026, 12, 1)
    (entry,) = store.list(today=date(2026, 12, 2), refresh=True)
    assert len(count_loads) == 1 and entry.glance.as_of == date(2026, 12, 2)
    assert _index_record(store, "plan.toml")[10] == "2026-12-02"


# --- issue 22.3: rename and delete respect another instance's lock -------------------------------


def test_rename_and_delete_are_refused_while_another_instance_has_the_session_open(store):
    session = make(store, "Open elsewhere")
    path = store.path_for(session.id)
    before = path.read_bytes()
    other = SessionStore(store.root)  # another window or process
    held = other.lock(session.id)
    try:
        for attempt in (
            lambda: store.rename(session.id, "New name"),
            lambda: store.delete(session.id),
        ):
            with pytest.raises(StoreError) as info:
                attempt()
            message = str(info.value)
            assert "is open in another backplan" in message
            assert f"process {os.getpid()}" in message  # who holds it
            assert "\n" not in message
        assert path.read_bytes() == before
    finally:
        held.release()
    renamed = store.rename(session.id, "  New\x1b[2J   name ")
    assert renamed.title == "New[2J name" and store.load(session.id).title == "New[2J name"
    assert not store.lock_path(session.id).exists()  # taken for the rename, then released
    with pytest.raises(StoreError, match="needs a title"):
        store.rename(session.id, "   ")
    store.delete(session.id)
    assert not store.exists(session.id)


@pytest.mark.parametrize("how", ["deleted", "another token", "cut short", "writable by others"])
def test_a_glances_file_that_does_not_go_with_the_index_rebuilds_it(store, count_loads, how):
    # index.glances is half of the cache: without it (or with one of another index) the
    # index is rebuilt from the files, never read against the wrong glances
    from datetime import date

    _write_session(store, "one", "One", datetime(2026, 1, 1, tzinfo=UTC))
    _write_session(store, "two", "Two", datetime(2026, 2, 2, tzinfo=UTC))
    made = {e.id: e.glance for e in store.list(today=date(2026, 12, 1))}
    glances = store.root / "index.glances"
    if how == "deleted":
        glances.unlink()
    elif how == "another token":
        glances.write_bytes(b"0123456789abcdef" + glances.read_bytes()[16:])
    elif how == "cut short":  # the token is right, the glances are not all there
        glances.write_bytes(glances.read_bytes()[:40])
    else:
        os.chmod(glances, 0o666)
    count_loads.clear()
    entries = store.list(today=date(2026, 12, 1))
    # rebuilt from the files (cut short: the pair matches, but no record's glance is there)
    assert len(count_loads) == 2
    assert {e.id: e.glance for e in entries} == made
    assert mode(glances) == 0o600
    count_loads.clear()
    assert {e.id: e.glance for e in store.list(today=date(2026, 12, 1))} == made
    assert count_loads == []
