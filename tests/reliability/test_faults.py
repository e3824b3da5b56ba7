"""I/O faults at every step of a save: the file stays byte-identical, no temp file is left,
the session object (edits included) is unchanged, and the error is one StoreError line.
A retry after the fault succeeds."""

from __future__ import annotations

import copy
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from backplan_tui.core.model import MapNode, Session
from backplan_tui.core.storage import SessionStore, StoreError, fileio

ERRNOS = [errno.ENOSPC, errno.EIO, errno.EACCES]
# Everything the store does to the file system goes through these.
WATCHED = [
    "open",
    "write",
    "read",
    "fsync",
    "fchmod",
    "fstat",
    "close",
    "link",
    "replace",
    "rename",
    "chmod",
    "utime",
    "unlink",
    "scandir",
    "listdir",
    "lstat",
    "stat",
    "mkdir",
]


class Faults:
    """Wraps ``os`` functions; counts calls and fails the ``fail_at``-th one with ``errno``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        self.fail_at: int | None = None
        self.errno = errno.EIO
        self.armed = False
        self.failed: str | None = None
        for name in WATCHED:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name: str, real: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            if self.armed:
                index = len(self.calls)
                self.calls.append(name)
                if index == self.fail_at:
                    self.failed = name
                    if name == "close":  # a close that fails has still closed the fd
                        real(*args, **kwargs)
                    raise OSError(self.errno, os.strerror(self.errno))
            return real(*args, **kwargs)

        return wrapper

    def run(self, action: Callable, fail_at: int | None = None, err: int = errno.EIO):
        self.calls, self.fail_at, self.errno, self.failed = [], fail_at, err, None
        self.armed = True
        try:
            return action()
        finally:
            self.armed = False


def temp_files(directory: Path) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp"))


def prepared(data_dir: Path) -> tuple[SessionStore, Session]:
    store = SessionStore(data_dir)
    session = store.create(
        Session(id="plan-0001", title="Plan", map=[MapNode(id="m1", title="First step")])
    )
    store.save(session)  # there is a backup already: pruning runs too
    session.title = "Edited, not saved yet"
    session.map.append(MapNode(id="m2", title="Typed in the workshop"))
    return store, session


def test_a_clean_save_touches_the_file_system_in_the_expected_steps(data_dir, monkeypatch):
    store, session = prepared(data_dir)
    faults = Faults(monkeypatch)
    faults.run(lambda: store.save(session))
    calls = faults.calls
    # write the temp file, flush it, check the disk, keep a backup, replace, flush the folder
    for step in ("write", "fsync", "read", "link", "replace"):
        assert step in calls, calls
    assert calls.index("write") < calls.index("fsync") < calls.index("replace")
    assert calls.index("link") < calls.index("replace")  # the backup exists before the swap
    assert calls.count("fsync") == 2  # the temp file, then the folder


@pytest.mark.parametrize("err", ERRNOS, ids=errno.errorcode.get)
def test_a_fault_at_any_step_is_a_clean_failure_or_a_complete_save(data_dir, monkeypatch, err):
    faults = Faults(monkeypatch)
    store, session = prepared(data_dir / "probe")
    faults.run(lambda: store.save(session))
    steps = len(faults.calls)
    assert steps > 10
    failures = successes = 0
    for index in range(steps):
        root = data_dir / f"case-{index}"
        store, session = prepared(root)
        path = store.path_for(session.id)
        before_bytes = path.read_bytes()
        before = copy.deepcopy(session)
        try:
            faults.run(lambda: store.save(session), fail_at=index, err=err)  # noqa: B023
        except StoreError as error:
            failures += 1
            message = str(error)
            assert "\n" not in message and session.id in message, message
            assert path.read_bytes() == before_bytes, (index, faults.failed)
            assert session == before, (index, faults.failed)
            assert temp_files(store.sessions_dir) == [], (index, faults.failed)
            store.save(session)  # the retry works: no conflict with itself
            assert session.revision == before.revision + 1
        else:
            successes += 1
            assert session.revision == before.revision + 1, (index, faults.failed)
            assert temp_files(store.sessions_dir) == []
        loaded = SessionStore(root).load(session.id)
        assert loaded == session
        assert loaded.title == "Edited, not saved yet"
    assert failures and successes  # faults before the replace fail, after it cannot


@pytest.mark.parametrize("err", ERRNOS, ids=errno.errorcode.get)
@pytest.mark.parametrize("step", ["open", "write", "fsync", "replace"])
def test_faults_in_the_main_steps_are_reported(data_dir, monkeypatch, step, err):
    faults = Faults(monkeypatch)
    probe, probe_session = prepared(data_dir / "probe")
    faults.run(lambda: probe.save(probe_session))
    first = faults.calls.index(step)
    store, session = prepared(data_dir / "real")
    path = store.path_for(session.id)
    before_bytes, before = path.read_bytes(), copy.deepcopy(session)
    with pytest.raises(StoreError) as info:
        faults.run(lambda: store.save(session), fail_at=first, err=err)
    assert str(info.value) == f"could not save session 'plan-0001': {os.strerror(err)}"
    assert path.read_bytes() == before_bytes
    assert session == before
    assert temp_files(store.sessions_dir) == []


def test_a_folder_fsync_refused_with_einval_is_a_warning(data_dir, monkeypatch):
    store, session = prepared(data_dir)
    real_fsync = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store.save(session)
    assert store.load(session.id).title == "Edited, not saved yet"
    assert len(store.warnings) == 1
    assert "cannot flush folders" in store.warnings[0]


def test_a_failing_backup_is_a_warning_and_the_save_goes_on(data_dir, monkeypatch):
    store, session = prepared(data_dir)

    def no_links(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    def no_renames(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "rename", no_renames)
    store.save(session)
    assert store.load(session.id).title == "Edited, not saved yet"
    assert any("could not keep a backup" in w for w in store.warnings), store.warnings
    assert temp_files(store.sessions_dir) == []


def test_without_hard_links_backups_are_copies(data_dir, monkeypatch):
    store, session = prepared(data_dir)
    previous = store.path_for(session.id).read_bytes()
    mtime = store.path_for(session.id).stat().st_mtime_ns

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    store.save(session)
    newest = store.backups(session.id)[0]
    assert newest.revision == 2
    assert newest.path.read_bytes() == previous
    assert newest.path.stat().st_mtime_ns == mtime  # "saved" stays when it was written
    assert stat.S_IMODE(newest.path.stat().st_mode) == 0o600
    assert store.warnings == []
    assert temp_files(store.sessions_dir) == []


class FakeFcntl:
    """macOS: F_FULLFSYNC exists."""

    F_FULLFSYNC = 51

    def __init__(self, fails: bool) -> None:
        self.fails = fails
        self.calls: list[int] = []

    def fcntl(self, fd: int, cmd: int) -> int:
        self.calls.append(cmd)
        if self.fails:
            raise OSError(errno.ENOTSUP, "Operation not supported")
        return 0


@pytest.mark.parametrize("fails", [False, True], ids=["supported", "unsupported"])
def test_full_fsync_is_used_where_it_exists(data_dir, monkeypatch, fails):
    store, session = prepared(data_dir)
    fake = FakeFcntl(fails)
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(fileio, "fcntl", fake)

    def counting_fsync(fd: int) -> None:
        fsyncs.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    store.save(session)
    assert fake.calls == [FakeFcntl.F_FULLFSYNC] * 2  # the temp file and the folder
    assert len(fsyncs) == (2 if fails else 0)  # plain fsync only as the fallback
    assert store.load(session.id) == session


# --- restore of a damaged session: killed at any step ---------------------------------------


class Killed(BaseException):
    """Stands for a SIGKILL: the code after the failing call never runs (only ``finally``
    blocks, which at most remove temp files)."""


class Crash(Faults):
    def _wrap(self, name: str, real: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            if self.armed:
                index = len(self.calls)
                self.calls.append(name)
                if index == self.fail_at:
                    self.failed = name
                    raise Killed(name)
            return real(*args, **kwargs)

        return wrapper


DAMAGED = b"title = = half a file, cut by a crash\n"


def damaged_with_backup(root: Path) -> tuple[SessionStore, Path]:
    store = SessionStore(root)
    session = store.create(Session(id="plan-0001", title="Good v1"))
    session.title = "Good v2"
    store.save(session)  # revision 1 ("Good v1") is a backup now
    path = store.path_for(session.id)
    path.write_bytes(DAMAGED)
    return store, path


def test_a_restore_killed_at_any_step_never_leaves_the_session_without_its_file(
    data_dir, monkeypatch
):
    crash = Crash(monkeypatch)
    probe, _ = damaged_with_backup(data_dir / "probe")
    crash.run(lambda: probe.restore("plan-0001"))
    steps = len(crash.calls)
    assert steps > 5
    outcomes = set()
    for index in range(steps):
        root = data_dir / f"case-{index}"
        store, path = damaged_with_backup(root)
        with pytest.raises(Killed):
            crash.run(lambda: store.restore("plan-0001"), fail_at=index)  # noqa: B023
        after = SessionStore(root)  # the next start
        entries = {e.id: e for e in after.list()}
        assert "plan-0001" in entries, (index, crash.failed)  # listed: damaged or restored
        kept = [e.path.read_bytes() for e in after.backups("plan-0001") if e.kind == "damaged"]
        if entries["plan-0001"].damaged:
            assert path.read_bytes() == DAMAGED, (index, crash.failed)
            outcomes.add("still damaged")
        else:
            assert after.load("plan-0001").title == "Good v1", (index, crash.failed)
            assert kept == [DAMAGED], (index, crash.failed)  # the damaged file is not lost
            outcomes.add("restored")
    assert outcomes == {"still damaged", "restored"}
