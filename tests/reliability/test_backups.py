"""Backups: tiered retention (every revision of the last hour, hourly for 2 days, daily for
60 days), listed and restorable; a damaged session with a good backup can be restored, and
the damaged file is kept, never deleted."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime, timedelta

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import Session
from backplan_tui.core.storage import (
    DamagedSessionError,
    SessionNotFound,
    SessionReadOnly,
    SessionStore,
    StoreError,
)


def saved_titles(store: SessionStore, session: Session, titles: list[str]) -> Session:
    for title in titles:
        session.title = title
        store.save(session)
    return session


def backup_titles(store: SessionStore, session_id: str) -> list[tuple[int | None, str]]:
    out = []
    for entry in store.backups(session_id):
        data = entry.path.read_text("utf-8")
        out.append((entry.revision, codec.loads(data).title))
    return out


@pytest.fixture
def plan(store) -> Session:
    return store.create(Session(id="plan-0001", title="v1"))


def test_each_save_keeps_the_previous_version(store, plan):
    assert store.backups(plan.id) == []  # creating a session replaces nothing
    saved_titles(store, plan, ["v2", "v3"])
    assert backup_titles(store, plan.id) == [(2, "v2"), (1, "v1")]
    newest = store.backups(plan.id)[0]
    assert newest.kind == "revision"
    assert newest.path == store.backups_dir / plan.id / "2.toml"
    assert newest.size == newest.path.stat().st_size
    assert datetime.now(UTC) - newest.saved < timedelta(minutes=1)
    assert stat.S_IMODE(newest.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((store.backups_dir / plan.id).stat().st_mode) == 0o700
    assert stat.S_IMODE(store.backups_dir.stat().st_mode) == 0o700


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def seventy_days() -> dict[int, datetime]:
    """100 revisions over 70 days (as in tests/unit/test_backup_policy.py)."""
    saved: dict[int, datetime] = {}
    for r in range(1, 21):  # one a day at 08:00, 70 .. 51 days ago
        saved[r] = NOW - timedelta(days=70 - (r - 1), hours=4)
    for k in range(10):  # two a day (08:00 and 09:00), 50 .. 41 days ago
        day = NOW - timedelta(days=50 - k)
        saved[21 + 2 * k] = day - timedelta(hours=4)
        saved[22 + 2 * k] = day - timedelta(hours=3)
    for r in range(41, 51):  # every 30 min from 47 h ago
        saved[r] = NOW - timedelta(hours=47) + timedelta(minutes=30 * (r - 41))
    for r in range(51, 61):  # every 10 min from 40 h ago
        saved[r] = NOW - timedelta(hours=40) + timedelta(minutes=10 * (r - 51))
    for r in range(61, 101):  # the last hour: every 90 s, the newest 30 s ago
        saved[r] = NOW - timedelta(seconds=(100 - r) * 90 + 30)
    return saved


def test_a_hundred_saves_over_seventy_days_keep_the_tiers(data_dir):
    # the schedule and hand-computed expectation of tests/unit/test_backup_policy.py, through
    # real saves: revision r is written at saved[r] (its mtime), the save of r + 1 keeps it
    # as a backup and prunes at that moment; the last save happens at NOW.
    saved = seventy_days()
    clock = {"now": saved[1]}
    store = SessionStore(data_dir, clock=lambda: clock["now"])
    session = store.create(Session(id="plan-0001", title="v1"))
    path = store.path_for(session.id)
    for r in range(1, 101):
        written = saved[r].timestamp()
        os.utime(path, (written, written))  # revision r was written at saved[r]
        clock["now"] = saved[r + 1] if r < 100 else NOW
        session.title = f"v{r + 1}"
        store.save(session)
    kept = sorted(e.revision or 0 for e in store.backups(session.id))
    expected = sorted(
        set(range(12, 21))
        | set(range(22, 41, 2))
        | {42, 44, 46, 48, 50, 56, 60}
        | set(range(61, 101))
    )
    assert kept == expected
    assert backup_titles(store, session.id)[0] == (100, "v100")


def test_a_change_of_step_alone_keeps_no_backup(store, plan):
    for step in ("questions", "reverse_map", "pilots", "future_state"):
        plan.current_step = step
        store.save(plan)
    assert store.backups(plan.id) == []
    plan.future_state.statement = "Keep 90 % of new hires for a year"
    store.save(plan)
    assert [e.revision for e in store.backups(plan.id)] == [5]


def test_a_save_killed_between_keeping_and_pruning_is_tidied_when_next_opened(data_dir):
    class Killed(BaseException):
        pass

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    store = SessionStore(data_dir, clock=lambda: now)
    session = store.create(Session(id="plan-0001", title="v1"))
    directory = store.backup_dir(session.id)
    directory.mkdir(parents=True)
    for r in range(1, 13):  # 12 backups, all 90 + days old: the policy keeps the newest 10
        (directory / f"{r}.toml").write_text(f'title = "old {r}"\n')
        when = (now - timedelta(days=110 - r)).timestamp()
        os.utime(directory / f"{r}.toml", (when, when))

    def killed(session_id):
        raise Killed

    store._prune_backups = killed  # the save is killed right after keeping its backup
    session.title = "v2"
    with pytest.raises(Killed):
        store.save(session)
    assert len(store.backups(session.id)) == 13  # one over what the policy keeps
    again = SessionStore(data_dir, clock=lambda: now)
    again.lock(session.id).release()  # the next open
    assert [e.revision for e in again.backups(session.id)] == [1, 12, 11, 10, 9, 8, 7, 6, 5, 4]
    again.lock(session.id).release()  # and again: nothing more goes
    assert len(again.backups(session.id)) == 10


def test_restore_a_revision_saves_it_as_a_new_revision_on_top(store, plan):
    saved_titles(store, plan, ["v2", "v3", "v4"])  # on disk: revision 4 "v4"
    restored = store.restore(plan.id, 2)
    assert (restored.revision, restored.title) == (5, "v2")
    assert store.load(plan.id) == restored
    # the version it replaced is a backup now, so the restore can be undone
    assert backup_titles(store, plan.id)[0] == (4, "v4")
    undone = store.restore(plan.id, 4)
    assert (undone.revision, undone.title) == (6, "v4")


def test_restore_without_a_revision_takes_the_newest_readable_backup(store, plan):
    saved_titles(store, plan, ["v2", "v3"])
    (store.backups_dir / plan.id / "2.toml").unlink()  # hard links: replace, not edit
    (store.backups_dir / plan.id / "2.toml").write_text("= broken")
    assert store.newest_backup(plan.id).revision == 1
    restored = store.restore(plan.id)
    assert (restored.revision, restored.title) == (4, "v1")


def test_restore_errors(store, plan):
    with pytest.raises(SessionNotFound, match="has no backups"):
        store.restore(plan.id)
    saved_titles(store, plan, ["v2"])
    with pytest.raises(SessionNotFound, match="no backup of revision 7"):
        store.restore(plan.id, 7)
    (store.backups_dir / plan.id / "1.toml").unlink()
    (store.backups_dir / plan.id / "1.toml").write_text("= broken")
    before = store.path_for(plan.id).read_bytes()
    with pytest.raises(DamagedSessionError, match="not restoring it"):
        store.restore(plan.id, 1)
    with pytest.raises(StoreError, match="no backup of session 'plan-0001' can be read"):
        store.restore(plan.id)
    assert store.path_for(plan.id).read_bytes() == before


def test_restore_refuses_when_the_file_changed_underneath(data_dir):
    mine, theirs = SessionStore(data_dir), SessionStore(data_dir)
    session = mine.create(Session(id="plan-0001", title="v1"))
    saved_titles(mine, session, ["v2"])
    other = theirs.load(session.id)
    real_read = mine._read_raw
    calls: list[object] = []

    def read_then_someone_saves(path):
        data = real_read(path)
        if path == mine.path_for(session.id) and not calls:
            calls.append(path)
            other.title = "their edit"
            theirs.save(other)
        return data

    mine._read_raw = read_then_someone_saves  # type: ignore[assignment]
    from backplan_tui.core.storage import ConflictError

    with pytest.raises(ConflictError):
        mine.restore(session.id, 1)
    assert theirs.load(session.id).title == "their edit"


def test_a_damaged_session_with_a_backup_is_listed_as_restorable(store, plan):
    saved_titles(store, plan, ["v2", "v3"])
    other = store.create(Session(id="other-0001", title="No backups"))
    path = store.path_for(plan.id)
    damaged_bytes = b"title = = broken by a crash of another program\n"
    path.write_bytes(damaged_bytes)
    store.path_for(other.id).write_bytes(b"also = = broken\n")
    entries = {e.id: e for e in store.list()}
    assert entries[plan.id].damaged is not None
    assert entries[plan.id].has_backup is True
    assert entries[other.id].has_backup is False

    restored = store.restore(plan.id)
    assert restored.title == "v2"  # the newest backup: "v3" was in the file that broke
    assert restored.revision == 4  # above the damaged file's (3): revisions never repeat
    assert store.load(plan.id) == restored
    # the damaged file was moved aside, not deleted
    damaged = [e for e in store.backups(plan.id) if e.kind == "damaged"]
    assert len(damaged) == 1
    assert re.fullmatch(r"damaged-\d{8}T\d{6}Z\.toml", damaged[0].path.name)
    assert damaged[0].path.read_bytes() == damaged_bytes
    assert damaged[0].revision is None
    assert {e.id: e.damaged for e in store.list()}[plan.id] is None


def test_restore_after_delete_brings_the_session_back(store, plan):
    saved_titles(store, plan, ["v2"])
    store.delete(plan.id)
    assert not store.exists(plan.id)
    restored = store.restore(plan.id)
    assert (restored.title, restored.revision) == ("v1", 3)
    assert store.load(plan.id).title == "v1"


def test_restore_does_not_overwrite_a_newer_backplans_file(store, plan):
    saved_titles(store, plan, ["v2"])
    path = store.path_for(plan.id)
    newer = path.read_text("utf-8").replace("schema_version = 1", "schema_version = 9")
    path.write_text(newer, "utf-8")
    with pytest.raises(SessionReadOnly):
        store.restore(plan.id)
    assert path.read_text("utf-8") == newer


def test_a_reused_id_does_not_lose_its_new_backups(store, plan):
    saved_titles(store, plan, [f"old {n}" for n in range(12)])  # all kept: the last hour
    old_mtime = max(e.path.stat().st_mtime_ns for e in store.backups(plan.id))
    store.delete(plan.id)
    fresh = store.create(Session(id=plan.id, title="new 1"))
    os.utime(store.path_for(plan.id), ns=(old_mtime + 10**9, old_mtime + 10**9))
    saved_titles(store, fresh, ["new 2"])
    newest = store.backups(plan.id)[0]
    assert codec.loads(newest.path.read_text("utf-8")).title == "new 1"
    assert len([e for e in store.backups(plan.id) if e.kind == "revision"]) == 13
    assert store.new_id("Plan") != plan.id


def test_backups_of_unknown_or_bad_ids(store):
    assert store.backups("never-0001") == []
    with pytest.raises(StoreError):
        store.backups("../escape")


# --- migrations ----------------------------------------------------------------------------

V0_FILE = """\
schema_version = 0
id = "old-0001"
name = "Written by an old backplan"
revision = 3
"""


@pytest.fixture
def v0_migration(monkeypatch):
    """A fake schema 0 whose session title was called ``name``."""

    def v0_to_v1(data: dict) -> dict:
        data = dict(data)
        data["title"] = data.pop("name")
        data["schema_version"] = 1
        return data

    monkeypatch.setitem(codec.MIGRATIONS, 0, v0_to_v1)


def test_an_older_file_is_migrated_and_kept_before_the_first_save(store, v0_migration):
    store.sessions_dir.mkdir(parents=True)
    path = store.sessions_dir / "old-0001.toml"
    path.write_text(V0_FILE, "utf-8")
    session = store.load("old-0001")
    assert session.title == "Written by an old backplan"
    assert session.schema_version == 0  # tells where it came from
    assert path.read_text("utf-8") == V0_FILE  # loading never writes

    store.save(session)
    assert session.schema_version == 1
    kept = store.backup_dir("old-0001") / "pre-migration-v0.toml"
    assert kept.read_text("utf-8") == V0_FILE
    assert "schema_version = 1\n" in path.read_text("utf-8")
    assert 'title = "Written by an old backplan"' in path.read_text("utf-8")
    kinds = {e.kind for e in store.backups("old-0001")}
    assert kinds == {"revision", "pre-migration"}

    store.save(session)  # later saves keep no further pre-migration copy
    for _ in range(12):
        store.save(session)
    assert kept.read_text("utf-8") == V0_FILE  # and pruning never removes it
    assert [e.kind for e in store.backups("old-0001")].count("pre-migration") == 1


def test_without_a_migration_an_old_file_is_damaged(store):
    store.sessions_dir.mkdir(parents=True)
    (store.sessions_dir / "old-0001.toml").write_text(V0_FILE, "utf-8")
    with pytest.raises(DamagedSessionError, match="schema_version: expected 1 or more, got 0"):
        store.load("old-0001")


def test_a_migration_that_fails_is_a_codec_error(monkeypatch):
    monkeypatch.setitem(codec.MIGRATIONS, 0, lambda data: data["missing"])
    with pytest.raises(codec.CodecError, match="cannot migrate from schema 0: 'missing'"):
        codec.loads(V0_FILE)
