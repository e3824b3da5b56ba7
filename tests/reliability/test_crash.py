"""kill -9 during saves: the session always loads, equals a committed revision, and no temp
file survives the next start.  Also: which temp files a starting store removes."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore, fileio
from reliability.harness import CRASH_ID, crash_content, crash_cycles, matches_revision, temp_files

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")


@pytest.mark.slow  # soak
def test_100_kill_9_cycles_never_corrupt_or_lose_a_session(tmp_path):
    figures = crash_cycles(tmp_path / "data", 100, seed=3, max_delay=0.02)
    assert figures.problems == []
    assert figures.cycles == 100
    assert (figures.corrupt, figures.missing, figures.lost_commits) == (0, 0, 0)
    assert figures.leftover_temp_files == 0
    assert figures.stale_locks == 0  # a killed holder never keeps the session locked
    assert figures.child_errors == 0
    assert figures.bad_backups == 0
    # the kills did land inside saves: some left a temp file behind that start-up removed
    assert figures.temp_files_cleaned > 0
    store = SessionStore(tmp_path / "data")
    assert matches_revision(store.load(CRASH_ID))
    assert temp_files(store) == []


def test_the_crash_content_tells_revisions_apart():
    # the harness's own check must be able to fail
    session = crash_content(CRASH_ID, 7)
    session.revision = 7
    assert matches_revision(session)
    session.revision = 8
    assert not matches_revision(session)
    other = crash_content(CRASH_ID, 7)
    other.revision = 7
    other.map[0].title = "torn"
    assert not matches_revision(other)


# --- orphaned temp files ---------------------------------------------------------------------


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def _touch(path: Path, age: float = 0.0) -> Path:
    path.write_bytes(b"partial")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_start_removes_only_our_orphaned_temp_files(data_dir):
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    sessions = store.sessions_dir
    dead, alive = _dead_pid(), os.getpid()
    orphans = [
        _touch(sessions / f".plan-0001.toml.{dead}.0123abcd.tmp"),  # its process is gone
        _touch(sessions / f".plan-0001.toml.{alive}.89abcdef.tmp", age=120),  # too old
        _touch(sessions / ".plan-0001.toml.0badc0de.tmp", age=120),  # older name, old
        _touch(data_dir / f".index.json.{dead}.0123abcd.tmp"),
    ]
    kept = [
        _touch(sessions / f".plan-0001.toml.{alive}.00112233.tmp"),  # a save in progress
        _touch(sessions / ".plan-0001.toml.0badc0de.tmp.bak", age=120),  # not our name
        _touch(sessions / f".notes.txt.{dead}.0123abcd.tmp"),  # not a session's temp
        _touch(sessions / "plan-0001.toml.0123abcd.tmp", age=120),  # not hidden
        _touch(sessions / ".plan-0001.toml.0123abcd.tmp"),  # older name, recent
    ]
    elsewhere = store.root / "trash"
    elsewhere.mkdir()
    foreign = _touch(elsewhere / f".plan-0001.toml.{dead}.0123abcd.tmp")
    target = data_dir / "victim"
    target.write_text("keep")
    link = sessions / f".plan-0001.toml.{dead}.feedface.tmp"
    link.symlink_to(target)

    again = SessionStore(data_dir)
    assert sorted(again.removed_temp_files) == sorted(orphans)
    for path in orphans:
        assert not path.exists()
    for path in [*kept, foreign]:
        assert path.exists()
    assert link.is_symlink() and target.read_text() == "keep"
    assert again.load(session.id) == session


def test_a_store_does_not_remove_a_temp_file_of_a_save_in_progress(data_dir, monkeypatch):
    # Another store starting while this process is between writing and renaming.
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    started: list[SessionStore] = []
    real_replace = os.replace

    def replace_after_another_start(src, dst):
        started.append(SessionStore(data_dir))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_another_start)
    session.title = "Edited"
    store.save(session)
    assert started and started[0].removed_temp_files == []
    assert store.load(session.id).title == "Edited"


def test_temp_names_carry_the_pid():
    name = fileio.temp_name("plan-0001.toml")
    match = fileio.TEMP_NAME.fullmatch(name)
    assert match is not None
    assert match["target"] == "plan-0001.toml"
    assert int(match["pid"]) == os.getpid()
