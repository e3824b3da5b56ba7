"""Two processes, one session: an flock'd lock file beside the session says who holds it,
a killed holder frees it, and lock-load-change-save from many processes loses no update."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from datetime import UTC, datetime

import pytest

from backplan_tui.core.model import Session
from backplan_tui.core.storage import ConflictError, SessionStore, StoreError
from backplan_tui.core.storage import lock as locks
from reliability.harness import contention, unlocked_contention

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fcntl.flock")


@pytest.fixture
def plan(store) -> Session:
    return store.create(Session(id="plan-0001", title="Plan"))


def test_the_lock_file_says_who_holds_it(store, plan):
    with store.lock(plan.id) as held:
        assert held.path == store.sessions_dir / "plan-0001.lock"
        data = json.loads(held.path.read_text("utf-8"))
        assert data["pid"] == os.getpid()
        assert data["host"] == socket.gethostname()
        assert data["user"]
        started = datetime.fromisoformat(data["started"])
        assert abs((datetime.now(UTC) - started).total_seconds()) < 60
        assert oct(held.path.stat().st_mode & 0o777) == "0o600"
        holder = store.lock_holder(plan.id)
        assert holder is not None and holder.pid == os.getpid()
    assert not held.held
    assert store.lock_holder(plan.id) is None
    assert not held.path.exists()  # removed on release
    # the session file itself was never touched by the lock
    assert store.load(plan.id) == plan


def test_a_second_holder_is_told_who_has_it(store, plan):
    held = store.lock(plan.id)
    try:
        with pytest.raises(locks.SessionLocked) as info:
            SessionStore(store.root).lock(plan.id)  # another window, same process
        assert isinstance(info.value, StoreError)
        assert info.value.holder.pid == os.getpid()
        assert info.value.holder.host == socket.gethostname()
        message = str(info.value)
        assert message.startswith("session 'plan-0001' is open in another backplan: ")
        assert f"process {os.getpid()} on {socket.gethostname()}" in message
        assert "\n" not in message
        # a short wait is still refused while it is held
        start = time.monotonic()
        with pytest.raises(locks.SessionLocked):
            store.lock(plan.id, timeout=0.05)
        assert time.monotonic() - start >= 0.05
    finally:
        held.release()
    store.lock(plan.id).release()  # free again


def test_a_killed_holder_frees_the_lock_and_its_stale_file_is_reused(store, plan):
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child takes the lock and waits to be killed
        try:
            held = store.lock(plan.id)
            os.write(ready_w, b"1")
            time.sleep(60)
            held.release()
        finally:
            os._exit(0)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"1"
    os.close(ready_r)
    with pytest.raises(locks.SessionLocked) as info:
        store.lock(plan.id)
    assert info.value.holder.pid == pid
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    path = store.lock_path(plan.id)
    assert json.loads(path.read_text("utf-8"))["pid"] == pid  # stale, left behind
    assert store.lock_holder(plan.id) is None
    with store.lock(plan.id):
        assert json.loads(path.read_text("utf-8"))["pid"] == os.getpid()


def test_waiting_for_a_lock_that_is_released_and_removed(store, plan):
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # holds the lock a moment, then releases it (which removes the file)
        try:
            held = store.lock(plan.id)
            os.write(ready_w, b"1")
            time.sleep(0.1)
            held.release()
        finally:
            os._exit(0)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"1"
    os.close(ready_r)
    with store.lock(plan.id, timeout=None) as mine:
        # the file we locked is the one at the path (not the one the child removed)
        assert json.loads(mine.path.read_text("utf-8"))["pid"] == os.getpid()
    os.waitpid(pid, 0)


def test_unreadable_holder_details_are_unknown_not_an_error(store, plan):
    for junk in (b"", b"not json", b"[1, 2]", b'{"pid": "x", "started": "yesterday"}'):
        info = locks.LockInfo.from_bytes(junk)
        assert info == locks.LockInfo()
        assert info.describe() == "someone"
    info = locks.LockInfo.from_bytes(
        b'{"pid": 7, "host": "h\\u001b[2J", "user": "u", "started": "2026-01-02T03:04:00"}'
    )
    assert info.describe() == "u (process 7 on h[2J, since 2026-01-02 03:04 UTC)"


def test_a_symlink_at_the_lock_path_is_refused_and_its_target_untouched(store, plan, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = store.lock_path(plan.id)
    path.symlink_to(victim)
    with pytest.raises(locks.LockError, match="symbolic link"):
        store.lock(plan.id)
    assert victim.read_text() == "precious"
    assert path.is_symlink()


def test_a_hard_linked_lock_path_is_refused(store, plan, tmp_path):
    other = store.sessions_dir / "elsewhere.txt"
    other.write_text("precious")
    os.link(other, store.lock_path(plan.id))
    with pytest.raises(locks.LockError, match="hard links"):
        store.lock(plan.id)
    assert other.read_text() == "precious"


def test_a_save_over_a_changed_file_is_a_conflict_and_a_copy_keeps_the_edits(data_dir):
    mine, theirs = SessionStore(data_dir), SessionStore(data_dir)
    session = mine.create(Session(id="plan-0001", title="Plan", extra={"note": "mine"}))
    other = theirs.load(session.id)
    other.title = "Their edit"
    theirs.save(other)
    session.title = "My edit"
    with pytest.raises(ConflictError):
        mine.save(session)
    copy = mine.save_as_copy(session)
    assert copy.id != session.id
    assert copy.title == "My edit (copy)"
    assert copy.revision == 1
    assert copy.extra == {"note": "mine"}
    assert mine.load(copy.id) == copy
    assert session.title == "My edit" and session.id == "plan-0001"  # unchanged
    assert mine.load(session.id).title == "Their edit"
    named = mine.save_as_copy(session, title="Variant\x1b[2J B")
    assert named.title == "Variant[2J B"


@pytest.mark.slow  # soak
def test_eight_processes_lose_no_update(data_dir):
    # 8 x 50 here; benchmarks/soak.py runs 8 x 200 (about 20 s on 2 cores).
    expected, final, revisions = contention(data_dir, processes=8, cycles=50)
    assert expected == 400
    assert final == 400
    assert revisions == 400


@pytest.mark.slow  # soak
def test_eight_unlocked_writers_lose_no_update(data_dir):
    # Without the session lock: load -> append -> save, retrying on ConflictError.  Every
    # save that reported success must be in the file (8 x 200 in benchmarks/soak.py).
    reported, found, conflicts = unlocked_contention(data_dir, processes=8, cycles=15)
    assert reported == 120
    assert found == 120, f"{reported - found} updates lost ({conflicts} conflicts met)"


def test_a_save_landing_between_check_and_replace_is_a_conflict(data_dir):
    import threading

    mine, theirs = SessionStore(data_dir), SessionStore(data_dir)
    session = mine.create(Session(id="plan-0001", title="Plan"))
    other = theirs.load(session.id)
    other.title = "Their edit"
    outcome: list[object] = []

    def their_save() -> None:
        try:
            theirs.save(other)
            outcome.append("saved")
        except ConflictError as error:
            outcome.append(error)

    real_check = mine._check_disk

    def check_then_they_save(*args, **kwargs):
        found = real_check(*args, **kwargs)
        racer = threading.Thread(target=their_save)
        racer.start()
        racer.join(0.5)  # with the write lock held, their save waits for ours
        return found

    mine._check_disk = check_then_they_save
    session.title = "My edit"
    mine.save(session)
    for _ in range(200):
        if outcome:
            break
        time.sleep(0.01)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome
    assert SessionStore(data_dir).load(session.id).title == "My edit"
    assert other.title == "Their edit" and other.revision == 1  # their edits kept in memory
