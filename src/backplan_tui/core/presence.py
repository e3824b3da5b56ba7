"""Who is in a session right now, and where the facilitator is: presence records.

Each open app writes one small JSON record, ``<data>/presence/<session id>/<host>-<pid>.json``,
when it joins, when its step or its running timebox changes, and as a heartbeat every
``BEAT_EVERY`` seconds; it removes the record when it leaves.  A record is somebody *here*
while its heartbeat is younger than ``STALE_AFTER`` seconds and, on this host, while its
process lives.  Stale records are removed by whoever reads them.

This replaces the whole-session "in use" lock for team work: several apps may have a session
open at once (saves merge), and the header says who they are.

The room's state (the facilitator's step and running clock) lives in the facilitator's
record rather than in the session file, deliberately: it changes every few minutes in a
workshop, means something only while the facilitator is here, and writing it into the
session would make a save, a backup and a merge of every step change.  Presence is local to
one data folder (one machine, SSH or tmux, or the browser room); git carries the plan, not
the room.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from backplan_tui.core.identity import clean_name
from backplan_tui.core.storage import fileio

PRESENCE_DIR = "presence"
BEAT_EVERY = 5.0
STALE_AFTER = 30.0
MAX_RECORD_BYTES = 4096
ROLES = ("facilitator", "participant")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_instances = itertools.count()


@dataclass(frozen=True)
class RoomClock:
    """The facilitator's running timebox as the room sees it."""

    step: str
    remaining: float  # seconds left when ``at`` was written (negative: over time)
    running: bool
    at: float  # time.time() of the writing

    def remaining_now(self, now: float) -> float:
        return self.remaining - (now - self.at) if self.running else self.remaining


@dataclass(frozen=True)
class Member:
    """One open app in a session."""

    name: str
    role: str
    step: str
    since: float
    beat: float
    pid: int
    host: str
    key: str = ""
    clock: RoomClock | None = field(default=None, compare=False)

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def _parse(data: bytes, key: str) -> Member | None:
    """A record, or None for anything that is not one (never an exception)."""
    if len(data) > MAX_RECORD_BYTES:
        return None
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(raw, dict):
        return None
    name = clean_name(raw.get("name"))
    role = raw.get("role")
    step = raw.get("step")
    since, beat = raw.get("since"), raw.get("beat")
    pid = raw.get("pid")
    host = raw.get("host")
    if not name or role not in ROLES or not isinstance(step, str) or len(step) > 40:
        return None
    since_at, beat_at = _number(since), _number(beat)
    if since_at is None or beat_at is None:
        return None
    if type(pid) is not int or pid <= 0 or not isinstance(host, str):
        return None
    return Member(
        name=name,
        role=role,
        step=step,
        since=since_at,
        beat=beat_at,
        pid=pid,
        host=host[:255],
        key=key,
        clock=_clock(raw.get("clock")),
    )


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _clock(raw: object) -> RoomClock | None:
    if not isinstance(raw, dict):
        return None
    step, running = raw.get("step"), raw.get("running")
    remaining, at = _number(raw.get("remaining")), _number(raw.get("at"))
    if not isinstance(step, str) or not isinstance(running, bool):
        return None
    if remaining is None or at is None:
        return None
    return RoomClock(step[:40], remaining, running, at)


class Presence:
    """This app's record in one session, and a view of everybody else's."""

    def __init__(
        self,
        root: Path,
        session_id: str,
        name: str,
        role: str = "facilitator",
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self.folder = Path(root) / PRESENCE_DIR / session_id
        self.host = socket.gethostname() or "localhost"
        self.pid = os.getpid()
        # One record per app: a second app in one process (tests, a server's rooms) gets
        # its own key, so the two see each other.
        n = next(_instances)
        key = f"{self.host}-{self.pid}" + (f"-{n}" if n else "")
        self.key = _SAFE.sub("_", key)[:120]
        self.path = self.folder / f"{self.key}.json"
        self.name = clean_name(name) or "user"
        self.role = role
        self._clock = clock
        self.step = ""
        self.room_clock: RoomClock | None = None
        self.since = clock()
        self._written = 0.0
        self.joined = False
        self.problem: str | None = None

    def _record(self, now: float) -> bytes:
        raw: dict[str, object] = {
            "name": self.name,
            "role": self.role,
            "step": self.step,
            "since": self.since,
            "beat": now,
            "pid": self.pid,
            "host": self.host,
        }
        if self.room_clock is not None:
            c = self.room_clock
            raw["clock"] = {
                "step": c.step,
                "remaining": c.remaining,
                "running": c.running,
                "at": c.at,
            }
        return json.dumps(raw, sort_keys=True).encode("utf-8")

    def _write(self) -> bool:
        now = self._clock()
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fileio.write_atomic(self.path, self._record(now))
        except OSError as err:  # presence is a courtesy: a read-only folder is no error
            self.problem = f"could not record presence in {self.folder}: {err.strerror or err}"
            return False
        self._written = now
        self.problem = None
        return True

    def join(self, step: str) -> bool:
        self.step = step
        self.joined = self._write()
        return self.joined

    def update(self, *, step: str | None = None, clock: RoomClock | None | bool = False) -> bool:
        """Record a new step and/or room clock (``clock=None`` clears it; ``False`` keeps it)."""
        changed = False
        if step is not None and step != self.step:
            self.step = step
            changed = True
        if clock is not False and clock != self.room_clock:
            self.room_clock = clock  # type: ignore[assignment]
            changed = True
        if changed or self._clock() - self._written >= BEAT_EVERY:
            return self._write()
        return False

    def beat(self) -> bool:
        """Rewrite the record when a heartbeat is due; True when it was written."""
        if self._clock() - self._written >= BEAT_EVERY:
            return self._write()
        return False

    def leave(self) -> None:
        fileio.remove_quietly(self.path)
        self.joined = False

    def everyone(self) -> list[Member]:
        """Every live record, this app's own included, oldest first."""
        return members(self.folder, now=self._clock(), host=self.host)

    def others(self) -> list[Member]:
        return [m for m in self.everyone() if m.key != self.key]

    def facilitator(self) -> Member | None:
        """The facilitator who joined first, other than this app."""
        return next((m for m in self.others() if m.is_facilitator), None)


def members(folder: Path, *, now: float | None = None, host: str | None = None) -> list[Member]:
    """The live records in one session's presence folder; stale ones are removed."""
    now = time.time() if now is None else now
    host = socket.gethostname() if host is None else host
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found: list[Member] = []
    for entry in entries:
        if not entry.name.endswith(".json") or entry.name.startswith("."):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            with open(entry.path, "rb") as handle:
                data = handle.read(MAX_RECORD_BYTES + 1)
        except OSError:
            continue
        member = _parse(data, entry.name[: -len(".json")])
        if member is None:
            continue
        gone = now - member.beat > STALE_AFTER
        if not gone and member.host == host and member.pid != os.getpid():
            gone = not _pid_alive(member.pid)
        if gone:
            fileio.remove_quietly(Path(entry.path))
            continue
        found.append(member)
    found.sort(key=lambda m: (m.since, m.key))
    return found


def here_text(people: Iterable[Member], *, limit: int = 3) -> str:
    """ "Ana, Ben here" - each name once, in the order they joined; "and 2 more" past ``limit``."""
    names: list[str] = []
    seen: set[str] = set()
    for m in people:
        folded = m.name.casefold()
        if folded not in seen:
            seen.add(folded)
            names.append(m.name)
    if not names:
        return ""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more here"
    return ", ".join(names) + " here"
