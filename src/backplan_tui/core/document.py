"""An open session: the in-memory plan, whether it has unsaved edits, and saving it.

The app edits ``document.session`` in place, calls :meth:`Document.touch` after each edit,
and :meth:`Document.save` when the autosave timer fires, on step change and on quit.  A save
that fails leaves the edits in memory and the document dirty, so nothing typed is lost.
"""

from __future__ import annotations

from datetime import datetime

from backplan_tui.core.model import Session, utc_now
from backplan_tui.core.store import SessionStore, StoreError


class Document:
    def __init__(self, store: SessionStore, session: Session, *, read_only: bool = False) -> None:
        self.store = store
        self.session = session
        self.read_only = read_only
        self.dirty = False
        self.saved_at: datetime | None = None
        self.error: str | None = None
        self.edits = 0  # edits since open; lets a caller tell "never changed" from "saved"

    def touch(self) -> None:
        """Record that the session changed and needs saving."""
        self.dirty = True
        self.edits += 1

    def save(self) -> bool:
        """Save when dirty.  True when the file on disk now holds every edit.

        A failure is remembered in ``error`` (one line for the user) and the document stays
        dirty; the exception is not raised, so the caller can keep the app running.
        """
        if not self.dirty:
            return True
        if self.read_only:
            self.error = "This session is open read-only; edits are not saved."
            return False
        try:
            self.store.save(self.session)
        except StoreError as error:
            self.error = str(error)
            return False
        self.dirty = False
        self.error = None
        self.saved_at = utc_now()
        return True

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
