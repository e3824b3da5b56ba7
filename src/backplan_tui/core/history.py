"""How to tell a person what each kept backup holds: ``history`` (the ``b`` screen and
``backplan backups``) and ``describe_changes`` (one line per version).

Outside ``core.storage`` on purpose: describing a plan's changes needs the domain
(``core.progress``), which the storage never imports.  Which backups are kept is the
storage's (``core.storage.backups``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from backplan_tui.core.storage.backups import age_text
from backplan_tui.core.storage.errors import StoreError

if TYPE_CHECKING:
    from backplan_tui.core.model import Session
    from backplan_tui.core.storage import BackupEntry, SessionStore

__all__ = ["BackupLine", "age_text", "describe_changes", "history"]


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
    copied.current_step = ""  # type: ignore[assignment]  # no step: the step is not a change
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
