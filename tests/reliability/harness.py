"""Crash and contention harnesses shared by tests/reliability and benchmarks/soak.py.

Not a test module: it holds the machinery (a child that saves in a loop and is killed with
SIGKILL at random moments; processes that fight over one session's lock) and returns the
figures, so the CI tests run a few cycles and the soak script many.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from backplan_tui.core.model import MapNode, Session
from backplan_tui.core.storage import DamagedSessionError, SessionNotFound, SessionStore

CRASH_ID = "crash-0001"
COUNTER_ID = "counter-0001"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def crash_content(session_id: str, n: int) -> Session:
    """The session as the crash child saves it as revision ``n``: every revision's content
    differs (and so does its size), so a torn or mixed file cannot pass for a good one."""
    session = Session(id=session_id, title=f"Crash test, revision {n}", created=CREATED)
    session.future_state.statement = f"Statement {n}: " + "abcdefghij" * (n % 40)
    session.map = [
        MapNode(id=f"m{i}", title=f"Node {i} of revision {n}", duration_days=n % 90)
        for i in range(1 + n % 6)
    ]
    session.extra["counter"] = n
    return session


def matches_revision(session: Session) -> bool:
    """Whether a loaded session is exactly what the child saved as its revision."""
    expected = crash_content(session.id, session.revision)
    expected.revision = session.revision
    expected.updated = session.updated
    return session == expected


def _crash_child(root: Path, session_id: str, report_fd: int) -> None:
    """Runs in the forked child: save forever, report each committed revision."""
    store = SessionStore(root)
    lock = store.lock(session_id, timeout=5.0)  # like the app, which holds it while open
    session = store.load(session_id)
    while True:
        following = crash_content(session_id, session.revision + 1)
        following.revision = session.revision
        store.save(following)
        os.write(report_fd, f"{following.revision}\n".encode())
        session = following
    lock.release()  # pragma: no cover - never reached


@dataclass
class CrashFigures:
    cycles: int = 0
    kills_during_saves: int = 0  # cycles where the child had committed at least one save
    corrupt: int = 0  # the session file did not load, or held content of no revision
    missing: int = 0  # no session file at all
    lost_commits: int = 0  # the file is older than a save the child saw succeed
    leftover_temp_files: int = 0  # after a new store started (and cleaned)
    temp_files_cleaned: int = 0  # orphans of killed saves that the new store removed
    stale_locks: int = 0  # the killed child's lock could not be taken
    child_errors: int = 0  # the child died of something other than our SIGKILL
    bad_backups: int = 0  # a backup that does not load as one of the committed revisions
    saves_committed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.corrupt
            or self.missing
            or self.lost_commits
            or self.leftover_temp_files
            or self.stale_locks
            or self.child_errors
            or self.bad_backups
        )


def temp_files(store: SessionStore) -> list[str]:
    names: list[str] = []
    for directory in (store.sessions_dir, store.root):
        try:
            names += [n for n in os.listdir(directory) if n.endswith(".tmp")]
        except OSError:
            pass
    return names


def crash_cycles(
    root: Path,
    cycles: int,
    *,
    seed: int = 0,
    max_delay: float = 0.012,
    progress=None,
) -> CrashFigures:
    """Fork a child that saves in a loop, SIGKILL it after a random delay, check the file.

    Repeated ``cycles`` times on one session under ``root``.
    """
    rng = random.Random(seed)
    figures = CrashFigures()
    store = SessionStore(root)
    first = crash_content(CRASH_ID, 1)
    first.revision = 0
    store.create(first)
    last_committed = 1
    for cycle in range(cycles):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                os.close(read_fd)
                _crash_child(root, CRASH_ID, write_fd)
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        os.close(write_fd)
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        reported = b""
        while chunk := os.read(read_fd, 65536):
            reported += chunk
        os.close(read_fd)
        figures.cycles += 1
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            figures.child_errors += 1
            figures.problems.append(f"cycle {cycle}: child ended with status {status}")
        revisions = [int(line) for line in reported.split()]
        if revisions:
            figures.kills_during_saves += 1
            figures.saves_committed += len(revisions)
            last_committed = max(last_committed, revisions[-1])

        store = SessionStore(root)  # what the next start of the app does: cleans temp files
        figures.temp_files_cleaned += len(store.removed_temp_files)
        figures.leftover_temp_files += len(temp_files(store))
        try:
            loaded = store.load(CRASH_ID)
        except SessionNotFound:
            figures.missing += 1
            figures.problems.append(f"cycle {cycle}: the session file is missing")
            break
        except DamagedSessionError as error:
            figures.corrupt += 1
            figures.problems.append(f"cycle {cycle}: {error}")
            break
        if not matches_revision(loaded):
            figures.corrupt += 1
            figures.problems.append(f"cycle {cycle}: revision {loaded.revision} has other content")
        if loaded.revision < last_committed:
            figures.lost_commits += 1
            figures.problems.append(
                f"cycle {cycle}: revision {loaded.revision} on disk, {last_committed} committed"
            )
        last_committed = max(last_committed, loaded.revision)  # a save may land unreported
        try:
            store.lock(CRASH_ID).release()
        except Exception as error:
            figures.stale_locks += 1
            figures.problems.append(f"cycle {cycle}: {error}")
        if progress is not None:
            progress(cycle + 1)

    store = SessionStore(root)
    for entry in store.backups(CRASH_ID):
        try:
            backup = store._parse(entry.path.read_bytes())
        except Exception as error:
            figures.bad_backups += 1
            figures.problems.append(f"backup {entry.path.name}: {error}")
            continue
        backup.id = CRASH_ID
        if entry.kind == "revision" and not (
            backup.revision == entry.revision and matches_revision(backup)
        ):
            figures.bad_backups += 1
            figures.problems.append(f"backup {entry.path.name} holds other content")
    return figures


# --- many processes, one session -------------------------------------------------------------


def counter_worker(root: str, cycles: int) -> int:
    """lock -> load -> increment -> save -> unlock, ``cycles`` times; returns the saves."""
    store = SessionStore(Path(root))
    done = 0
    for _ in range(cycles):
        with store.lock(COUNTER_ID, timeout=None):
            session = store.load(COUNTER_ID)
            session.extra["counter"] = int(session.extra.get("counter", 0)) + 1
            store.save(session)
            done += 1
    return done


def contention(root: Path, processes: int, cycles: int) -> tuple[int, int, int]:
    """Run ``processes`` workers; returns (expected count, final count, revision gained)."""
    import multiprocessing

    store = SessionStore(root)
    store.create(Session(id=COUNTER_ID, title="Counter", extra={"counter": 0}))
    start_revision = store.load(COUNTER_ID).revision
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        done = pool.starmap(counter_worker, [(str(root), cycles)] * processes)
    final = store.load(COUNTER_ID)
    assert sum(done) == processes * cycles
    return processes * cycles, int(final.extra["counter"]), final.revision - start_revision


# --- many processes, one session, no session lock ----------------------------------------------

APPEND_ID = "append-0001"


def append_worker(root: str, cycles: int) -> tuple[int, int]:
    """load -> append one parked item -> save, ``cycles`` times, WITHOUT the session lock;
    a save refused with ``ConflictError`` (another one landed first) reloads and appends
    again.  Returns (saves that succeeded, conflicts met)."""
    from backplan_tui.core.storage import ConflictError

    store = SessionStore(Path(root))
    done = conflicts = 0
    while done < cycles:
        session = store.load(APPEND_ID)
        session.facilitation.parking_lot.append(f"{os.getpid()}-{done}")
        try:
            store.save(session)
        except ConflictError:
            conflicts += 1
            continue
        done += 1
    return done, conflicts


def unlocked_contention(root: Path, processes: int, cycles: int) -> tuple[int, int, int]:
    """Run ``processes`` unlocked appenders; returns (updates reported saved, updates found in
    the file, conflicts met).  Every reported save must be in the file: lost = the difference."""
    import multiprocessing

    store = SessionStore(root)
    store.create(Session(id=APPEND_ID, title="Appenders"))
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        results = pool.starmap(append_worker, [(str(root), cycles)] * processes)
    final = store.load(APPEND_ID)
    reported = sum(done for done, _ in results)
    found = len(set(final.facilitation.parking_lot))
    return reported, found, sum(conflicts for _, conflicts in results)
