"""An open session: the in-memory plan, whether it has unsaved edits, and saving it.

The app edits ``document.session`` in place, calls :meth:`Document.touch` after each edit,
and saves when the autosave timer fires (in a worker thread), on step change and on quit
(synchronously).  A save that fails leaves the edits in memory and the document dirty, so
nothing typed is lost.

Saving in the background works on a snapshot (a deep copy taken on the caller's thread, made
by a pickle round trip: a quarter of the time of ``copy.deepcopy``, and the UI thread waits
for it), so the UI can keep editing while the file is written; one lock serializes all saves, so a
synchronous save never races a background one into a false conflict.
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections.abc import Callable
from datetime import datetime

from backplan_tui.core.model import Session, utc_now
from backplan_tui.core.storage import ConflictError, SessionStore, StoreError


class Document:
    def __init__(self, store: SessionStore, session: Session, *, read_only: bool = False) -> None:
        self.store = store
        self.session = session
        self.read_only = read_only
        self.dirty = False
        self.saved_at: datetime | None = None
        self.error: str | None = None
        self.conflict = False  # the last failure: the file changed on disk underneath
        self.edits = 0  # edits since open; a save covers the edits made before its snapshot
        self._lock = threading.Lock()
        # How a snapshot is written: the store's plain save, or (the workspace sets it) a
        # save that merges what another process saved meanwhile.  Returns what was written.
        self.write: Callable[[Session], Session] = store.save

    @property
    def save_lock(self) -> threading.Lock:
        """Held by every save (and by the workspace while it reads the file to merge it)."""
        return self._lock

    def touch(self) -> None:
        """Record that the session changed and needs saving."""
        self.dirty = True
        self.edits += 1

    def snapshot(self) -> tuple[Session, int]:
        """A private copy of the session to save, and the edit count it contains."""
        try:  # plain data only (as undo snapshots): our own bytes, unpickled at once
            copied = pickle.loads(pickle.dumps(self.session, protocol=pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            copied = copy.deepcopy(self.session)
        return copied, self.edits

    def save(self) -> bool:
        """Save now, on this thread, when dirty.  True when the file holds every edit."""
        if not self.dirty:
            return True
        # On this thread nothing edits the session meanwhile: no copy needed.
        return self.save_snapshot(self.session, self.edits)

    def save_snapshot(self, snapshot: Session, edits: int, *, wait: float = -1) -> bool:
        """Write ``snapshot`` (taken when ``edits`` edits had been made).  Thread-safe.

        A failure is remembered in ``error`` (one line for the user) and the document stays
        dirty; the exception is not raised, so the caller can keep the app running.
        ``wait``: seconds to wait for a save already writing (-1: as long as it takes); the
        exit watchdog cannot wait for a save that hangs.
        """
        if self.read_only:
            self.error = "This session is open read-only; edits are not saved."
            return False
        if not self._lock.acquire(timeout=wait):
            self.error = "Another save of this session is still writing."
            return False
        try:
            # Another save may have finished while this snapshot waited: carry its revision.
            snapshot.revision = self.session.revision
            try:
                written = self.write(snapshot)
            except StoreError as error:
                self.error = str(error)
                self.conflict = isinstance(error, ConflictError)
                return False
            self.session.revision = written.revision
            self.session.updated = written.updated
            self.error = None
            self.conflict = False
            self.saved_at = utc_now()
            self.dirty = self.edits != edits
            return not self.dirty
        finally:
            self._lock.release()

    @property
    def state(self) -> str:
        """One of: "read-only", "error", "unsaved", "saved", "clean"."""
        if self.read_only:
            return "read-only"
        if self.error:
            return "error"
        if self.dirty:
            return "unsaved"
        return "saved" if self.saved_at else "clean"
