"""Which backups to keep, and how to tell a person what each one holds.

No clock (``now`` is always passed in), no Textual; only ``history`` reads files (through the
store).  The store keeps and prunes the files (``SessionStore._keep_backup`` /
``prune_backups``); this module decides.

Retention (``kept``), for the revision backups of one session, by when each was saved:

- **every** backup saved in the last hour (``EVERY_FOR``);
- the newest backup of each clock hour (UTC) for backups 1 to 48 hours old (``HOURLY_FOR``);
- the newest backup of each day (UTC) for backups 2 to 60 days old (``DAILY_FOR``);
- and, whatever their age, the newest ``FLOOR`` (10): a session left alone for months still
  has its last versions.

"Newest of its hour/day" is decided among all the backups of that hour or day, so a choice
never changes as time passes: a backup dropped is never needed again later.  The whole set is
bounded: at most ``MAX_COUNT`` (200) files and ``MAX_BYTES`` (20 MB) per session.  When the
bound bites, the floor goes first, then the hourly and daily ones (newest first), then the
rest of the last hour (newest first); the newest backup is always kept.  Backups older than
60 days and past the floor are removed.

A save that changes nothing but ``current_step`` (paging through the steps) and the
bookkeeping ``updated`` / ``revision`` keeps no backup (``keeps_backup``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backplan_tui.core.model import Session
    from backplan_tui.core.store import BackupEntry, SessionStore

__all__ = [
    "DAILY_FOR",
    "BackupLine",
    "EVERY_FOR",
    "FLOOR",
    "HOURLY_FOR",
    "MAX_BYTES",
    "MAX_COUNT",
    "Kept",
    "age_text",
    "describe_changes",
    "history",
    "keeps_backup",
    "kept",
]

EVERY_FOR = timedelta(hours=1)
HOURLY_FOR = timedelta(hours=48)
DAILY_FOR = timedelta(days=60)
FLOOR = 10
MAX_COUNT = 200
MAX_BYTES = 20 * 1024 * 1024

# A top-level line the store rewrites on every save, or that a change of step alone rewrites.
_BOOKKEEPING = re.compile(
    rb"^(?:updated = \d{4}-\d\d-\d\d[ T][0-9:.]+(?:Z|[+-]\d\d:\d\d)?|revision = \d+|"
    rb'current_step = "[a-z_]*")$'
)


@dataclass(frozen=True)
class Kept:
    """One revision backup as retention sees it: a key (anything hashable), when, how big."""

    key: object
    saved: datetime
    size: int


def _content(data: bytes) -> list[bytes]:
    """The file's lines without the bookkeeping lines of its top-level table."""
    lines = data.split(b"\n")
    out: list[bytes] = []
    top = True
    for line in lines:
        if top and line.startswith(b"["):
            top = False
        if top and _BOOKKEEPING.match(line):
            continue
        out.append(line)
    return out


def keeps_backup(old: bytes, new: bytes) -> bool:
    """Whether replacing ``old`` by ``new`` is worth a backup of ``old``: anything but the
    step on screen (and ``updated`` / ``revision``) differs.  Any doubt keeps one."""
    if len(old) - len(new) not in range(-64, 65):  # the three lines differ by a few bytes
        return True
    return _content(old) != _content(new)


def _utc(when: datetime) -> datetime:
    from datetime import UTC

    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def kept(backups: Sequence[Kept], now: datetime) -> set[object]:
    """The keys of the backups to keep at ``now`` (see the module docstring)."""
    now = _utc(now)
    newest_first = sorted(backups, key=lambda b: _utc(b.saved), reverse=True)
    recent: list[Kept] = []  # the last hour, every one
    tiered: list[Kept] = []  # newest of its hour or day
    seen_hours: set[tuple[int, int, int, int]] = set()
    seen_days: set[tuple[int, int, int]] = set()
    for backup in newest_first:
        saved = _utc(backup.saved)
        age = now - saved
        hour = (saved.year, saved.month, saved.day, saved.hour)
        day = (saved.year, saved.month, saved.day)
        newest_of_hour = hour not in seen_hours
        newest_of_day = day not in seen_days
        seen_hours.add(hour)
        seen_days.add(day)
        if age <= EVERY_FOR:
            recent.append(backup)
        elif age <= HOURLY_FOR:
            if newest_of_hour:
                tiered.append(backup)
        elif age <= DAILY_FOR and newest_of_day:
            tiered.append(backup)
    order = newest_first[:FLOOR] + tiered + recent
    chosen: set[object] = set()
    count = total = 0
    for backup in order:
        if backup.key in chosen:
            continue
        if chosen and (count + 1 > MAX_COUNT or total + backup.size > MAX_BYTES):
            continue
        chosen.add(backup.key)
        count += 1
        total += backup.size
    return chosen


def age_text(saved: datetime, now: datetime) -> str:
    """ "just now", "12 min ago", "3 h ago" (same day), "yesterday", "41 days ago" (calendar
    days in ``now``'s time zone)."""
    saved_here = saved.astimezone(now.tzinfo) if now.tzinfo and saved.tzinfo else saved
    seconds = (now - saved_here).total_seconds()
    if seconds < 0:
        return "in the future"
    days = (now.date() - saved_here.date()).days
    if days == 0:
        if seconds < 60:
            return "just now"
        if seconds < 3600:
            return f"{int(seconds // 60)} min ago"
        return f"{int(seconds // 3600)} h ago"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _count_changes(kind: str, old: dict[str, object], new: dict[str, object]) -> list[str]:
    added = sum(1 for key in new if key not in old)
    removed = sum(1 for key in old if key not in new)
    edited = sum(1 for key in new if key in old and old[key] != new[key])
    out = []
    if added:
        out.append(f"{_count(added, kind)} added")
    if removed:
        out.append(f"{_count(removed, kind)} removed")
    if edited:
        out.append(f"{_count(edited, kind)} edited")
    return out


def describe_changes(old: Session, new: Session, *, limit: int = 4) -> str:
    """What changed from ``old`` to ``new`` in one line, most telling first: "2 questions
    added; Target date slipped 92 days: 2026-06-30 → 2026-09-30; …".  "no change to the plan"
    when only the step on screen (or nothing) differs."""
    from backplan_tui.core.progress import changes_since

    lines: list[str] = []
    if old.title != new.title:
        lines.append(f'renamed "{old.title}" → "{new.title}"')
    # dates, targets, KPIs, statuses, adjustments (changes_since's own words); what it says
    # about items added or removed is counted below instead, with the edits
    lines += [
        line
        for line in changes_since(old, new)
        if not line.startswith(("Added outcome", "Added map node", "Added pilot", "Removed "))
    ]
    fs_old, fs_new = old.future_state, new.future_state
    if (fs_old.statement, fs_old.aligned_objective) != (fs_new.statement, fs_new.aligned_objective):
        lines.append("goal statement edited")
    lines += _count_changes(
        "question", {q.id: q for q in old.questions}, {q.id: q for q in new.questions}
    )
    lines += _count_changes(
        "outcome", {o.id: o for o in fs_old.outcomes}, {o.id: o for o in fs_new.outcomes}
    )
    lines += _count_changes("map node", {n.id: n for n in old.map}, {n.id: n for n in new.map})
    lines += _count_changes("pilot", {p.id: p for p in old.pilots}, {p.id: p for p in new.pilots})
    parked_old, parked_new = old.facilitation.parking_lot, new.facilitation.parking_lot
    if parked_old != parked_new:
        diff = len(parked_new) - len(parked_old)
        if diff > 0:
            lines.append(f"{_count(diff, 'parked item')} added")
        elif diff < 0:
            lines.append(f"{_count(-diff, 'parked item')} removed")
        else:
            lines.append("parking lot edited")
    people_old = (old.team, old.facilitator, old.participants)
    if people_old != (new.team, new.facilitator, new.participants):
        lines.append("team or participants changed")
    if not lines:
        rest_old, rest_new = _comparable(old), _comparable(new)
        return "other details changed" if rest_old != rest_new else "no change to the plan"
    if len(lines) > limit:
        lines = [*lines[:limit], f"{len(lines) - limit} more"]
    return "; ".join(lines)


def _comparable(session: Session) -> object:
    """The session without what every save or step change rewrites."""
    import copy

    copied = copy.copy(session)
    copied.updated = copied.created
    copied.revision = 0
    copied.current_step = ""
    return copied


@dataclass(frozen=True)
class BackupLine:
    """One kept version as the ``b`` screen and ``backplan backups`` show it."""

    entry: BackupEntry
    when: str  # local date and time, "2026-11-23 14:05"
    age: str  # "3 h ago", "yesterday", "41 days ago"
    changed: str  # what the next newer version (or the current file) changed


def history(store: SessionStore, session_id: str, now: datetime) -> list[BackupLine]:
    """The backups of ``session_id``, newest first, each with when, its age at ``now`` (an
    aware datetime in the reader's zone) and what the next newer version changed.  A file
    that cannot be read says so in ``changed``; nothing here raises for one bad file."""
    from backplan_tui.core.store import StoreError

    entries = store.backups(session_id)
    newer: Session | None = None
    try:
        newer = store.load(session_id, allow_newer=True)
    except (
        StoreError,
        OSError,
        ValueError,
    ):  # damaged or gone: the newest backup is compared with nothing
        missing = "the current file cannot be read (or is gone)"
    else:
        missing = ""
    lines: list[BackupLine] = []
    for entry in entries:
        saved = entry.saved
        when = saved.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M") if saved else "?"
        age = age_text(saved, now) if saved else ""
        if entry.kind == "damaged":
            lines.append(BackupLine(entry, when, age, "the damaged file, set aside by a restore"))
            continue
        try:
            this = store.read_backup(entry)
        except (StoreError, OSError, ValueError) as error:  # the store's one-line reason
            lines.append(BackupLine(entry, when, age, f"cannot be read: {error}"))
            continue
        if entry.kind == "pre-migration":
            changed = f"as written by an older backplan (schema {this.schema_version})"
        elif newer is None:
            changed = missing
        else:
            changed = describe_changes(this, newer)
        lines.append(BackupLine(entry, when, age, changed))
        if entry.kind == "revision":
            newer = this
    return lines
