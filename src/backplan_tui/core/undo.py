"""Undo / redo of item edits: a bounded history of whole-session snapshots.  Pure, no Textual.

How the app uses it (``doc`` is the open ``Document``, ``history`` one ``History`` per open
session, kept for as long as the session is open, so it survives autosaves):

    history.record(doc.session, f"delete node {node.title}")   # BEFORE changing anything
    ...change doc.session in place...; doc.touch()

    restored = history.undo(doc.session)          # or history.redo(doc.session)
    if restored is not None:
        doc.session = restored; doc.touch(); refresh the screen

``record`` clears the redo list (a new edit after undoing forgets the undone future).  If
the edit is then cancelled or turns out to change nothing, call :meth:`History.discard_last`.

What is one undo step is the app's choice; the rule is one step per *user action*, never per
keystroke: a form submitted (add/edit an item), a delete, a move, a vote, a status change.
For text typed straight into a screen field (the goal statement, an answer), record once
when the field gains focus and drop that record on focus-leave if the text did not change;
Textual's own TextArea/Input undo keeps working inside the field meanwhile.

What a snapshot is: the session pickled to bytes in memory (never written to disk, only
ever unpickled from bytes this process made).  Measured on a 500-node session (2 cores):
pickling took ~1.5 ms and unpickling ~2-3 ms, against ~11-14 ms for ``copy.deepcopy`` and
~15-20 ms for a ``codec.to_dict``/``from_dict`` round trip; a snapshot is ~55 KB of bytes
against ~300 KB of objects for a deep copy, so 100 steps of a 500-node session hold ~6 MB.

Restoring keeps the *bookkeeping* of the session being replaced, so undo never fights
autosave or navigation: ``revision`` and ``updated`` (the conflict check compares the
revision on disk with the one loaded), ``current_step`` (undo is not navigation; the step an
entry was recorded on is in :attr:`Entry.step` if the app wants to go there), and the
timebox usage in ``facilitation.used_seconds`` / ``added_seconds`` (see ``core.timebox``).
"""

from __future__ import annotations

import copy
import pickle
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from backplan_tui.core.model import Session

__all__ = ["DEFAULT_LIMIT", "MIN_LIMIT", "Entry", "History", "snapshot"]

DEFAULT_LIMIT = 100
MIN_LIMIT = 1


@dataclass(frozen=True)
class Entry:
    """One undo (or redo) step: what it undoes, the step it was made on, the snapshot."""

    label: str
    step: str
    data: bytes
    seq: int = 0  # how many rebases (:meth:`History.rebase`) its snapshot has seen


def snapshot(session: Session) -> bytes:
    """The session as undo-history bytes (kept in memory only)."""
    return pickle.dumps(session, protocol=pickle.HIGHEST_PROTOCOL)


_snapshot = snapshot


def _restore(entry: Entry, current: Session) -> Session:
    session: Session = pickle.loads(entry.data)  # our own bytes, made in this process
    session.revision = current.revision
    session.updated = current.updated
    session.current_step = current.current_step
    session.facilitation.used_seconds = copy.deepcopy(current.facilitation.used_seconds)
    session.facilitation.added_seconds = copy.deepcopy(current.facilitation.added_seconds)
    return session


class History:
    """Undo and redo lists of session snapshots, at most ``limit`` undo steps deep."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < MIN_LIMIT:
            raise ValueError(f"An undo history keeps at least {MIN_LIMIT} step, got {limit}.")
        self.limit = limit
        self._undo: deque[Entry] = deque(maxlen=limit)
        self._redo: list[Entry] = []
        # Changes that came from elsewhere after snapshots were taken (team mode: another
        # app's save merged into memory), in order: a snapshot restored later gets each
        # one it has not seen, so an undo takes back this app's edit, not their additions.
        self._rebases: list[Callable[[Session], Session]] = []

    def record(self, session: Session, label: str) -> None:
        """Remember ``session`` as it is *before* an edit described by ``label``
        ("delete node Budget", "vote"); forgets the redo list; the oldest step goes when
        ``limit`` is reached."""
        self._undo.append(Entry(label, session.current_step, _snapshot(session), self._seq))
        self._redo.clear()

    @property
    def _seq(self) -> int:
        return len(self._rebases)

    def rebase(self, change: Callable[[Session], Session]) -> None:
        """Something changed the session from outside the history (another app's save,
        merged in): ``change`` brings the same change into an older snapshot.  Applied to
        each snapshot when it is restored, never eagerly (a merge per step would be paid
        on every arrival)."""
        self._rebases.append(change)

    def _restored(self, entry: Entry, current: Session) -> Session:
        session = _restore(entry, current)
        for change in self._rebases[entry.seq :]:
            session = change(session)
        return session

    def record_snapshot(self, data: bytes, label: str, step: str) -> None:
        """Like :meth:`record`, for a state already taken with :func:`snapshot` (the app keeps
        the state after each change, so the state *before* the next one is at hand)."""
        self._undo.append(Entry(label, step, data, self._seq))
        self._redo.clear()

    def discard_last(self) -> None:
        """Forget the most recent record (the edit was cancelled or changed nothing)."""
        if self._undo:
            self._undo.pop()

    def undo(self, current: Session) -> Session | None:
        """The session as it was before the last recorded edit, or None when there is none.
        ``current`` goes on the redo list; the app must use the returned session from now."""
        if not self._undo:
            return None
        entry = self._undo.pop()
        self._redo.append(Entry(entry.label, entry.step, _snapshot(current), self._seq))
        return self._restored(entry, current)

    def redo(self, current: Session) -> Session | None:
        """The session as it was before the last undo, or None when there is nothing to redo."""
        if not self._redo:
            return None
        entry = self._redo.pop()
        self._undo.append(Entry(entry.label, entry.step, _snapshot(current), self._seq))
        return self._restored(entry, current)

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._rebases.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_depth(self) -> int:
        return len(self._undo)

    @property
    def redo_depth(self) -> int:
        return len(self._redo)

    def peek_undo(self) -> Entry | None:
        return self._undo[-1] if self._undo else None

    def peek_redo(self) -> Entry | None:
        return self._redo[-1] if self._redo else None

    @property
    def undo_label(self) -> str:
        """ "Undo: delete node Budget", or "Nothing to undo".  User text: show it literally."""
        entry = self.peek_undo()
        return f"Undo: {entry.label}" if entry else "Nothing to undo"

    @property
    def redo_label(self) -> str:
        entry = self.peek_redo()
        return f"Redo: {entry.label}" if entry else "Nothing to redo"
