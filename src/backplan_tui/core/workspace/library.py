"""The sessions that are not open: listing and reading them, and every write to them.

Part of the one write path (``core.workspace``): home's create, rename, delete, undelete,
duplicate and restore, and an import, go through here, never to the store directly.
"""

from __future__ import annotations

import builtins
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backplan_tui.core.storage import SessionStore

if TYPE_CHECKING:
    from backplan_tui.core.model import ReportMark, Session
    from backplan_tui.core.storage import BackupEntry, SessionEntry
    from backplan_tui.core.storage.index import Listing
    from backplan_tui.core.storage.lock import LockInfo


class Library:
    """The sessions folder, for what is done to sessions that are not open: listing them,
    reading one, and every write (create, rename, delete, undelete, duplicate, restore,
    import).  Errors are the store's (``StoreError``, ``OSError``), for the caller to show."""

    def __init__(self, store: SessionStore) -> None:
        self._store = store

    # --- reading ---------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._store.root

    @property
    def sessions_dir(self) -> Path:
        return self._store.sessions_dir

    @property
    def warnings(self) -> list[str]:
        return list(self._store.warnings)

    def list(self, *, today: date | None = None, refresh: bool = False) -> list[SessionEntry]:
        return self._store.list(today=today, refresh=refresh)

    def listing(self, *, today: date | None = None, check_over: int | None = None) -> Listing:
        """``list()`` in steps (``SessionStore.listing``): home reads the files an index does
        not cover in a worker, in batches, and shows the list as it grows; with many
        sessions it shows the index's list first and checks it against the files in that
        worker (``check_over``)."""
        return self._store.listing(today=today, check_over=check_over)

    def load(self, session_id: str, *, allow_newer: bool = False) -> Session:
        return self._store.load(session_id, allow_newer=allow_newer)

    def exists(self, session_id: str) -> bool:
        return self._store.exists(session_id)

    def resolve(self, id_or_title: str) -> str:
        return self._store.resolve(id_or_title)

    def lock_holder(self, session_id: str) -> LockInfo | None:
        return self._store.lock_holder(session_id)

    def backups(self, session_id: str) -> builtins.list[BackupEntry]:
        return self._store.backups(session_id)

    def backup_history(self, session_id: str, now: datetime) -> builtins.list[Any]:
        """What each kept revision changed (``core.history.history``); reads only."""
        from backplan_tui.core.history import history

        return history(self._store, session_id, now)

    # --- writing ---------------------------------------------------------------------------

    def create(self, session: Session) -> Session:
        return self._store.create(session)

    def import_session(self, session: Session) -> Session:
        """A session read from elsewhere (a file, another format), created as a new file:
        never over another, and never under an id that cannot name a file ("../x")."""
        from backplan_tui.core.storage import valid_id

        if not valid_id(session.id) or self._store.exists(session.id):
            session.id = self._store.new_id(session.title)
        session.revision = 0
        return self._store.create(session)

    def create_from_form(
        self, values: dict[str, Any], *, today: date, timebox_minutes: dict[str, int], votes: int
    ) -> Session:
        """A session from the new-session form's values (a template filled in), created."""
        from backplan_tui.core import templates

        session_id = self._store.new_id(values["title"])
        session = templates.instantiate(
            values.get("template") or "blank",
            session_id=session_id,
            title=values["title"],
            today=today,
            team=values.get("team", ""),
            facilitator=values.get("facilitator", ""),
            participants=values.get("participants", []),
            target_date=values.get("target_date"),
        )
        session.facilitation.timebox_minutes = dict(timebox_minutes)
        session.facilitation.votes_per_person = votes
        return self._store.create(session)

    def ensure_demo(self, today: date) -> str:
        """The demo session's id, created first when it is not there."""
        from backplan_tui.core import templates

        if not self._store.exists(templates.DEMO_ID):
            self._store.create(templates.demo_session(today))
        return templates.DEMO_ID

    def here(self, session_id: str) -> builtins.list[str]:
        """Who has the session open now (``core.presence``), each name once."""
        from backplan_tui.core.presence import PRESENCE_DIR, members

        names: list[str] = []
        for member in members(self._store.root / PRESENCE_DIR / session_id):
            if member.name not in names:
                names.append(member.name)
        return names

    def _refuse_while_here(self, session_id: str, action: str) -> None:
        names = self.here(session_id) if self._store.exists(session_id) else []
        if names:
            from backplan_tui.core.storage import StoreError

            who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
            verb = "is" if len(names) == 1 else "are"
            raise StoreError(f"{who} {verb} in this session right now; {action}")

    def rename(self, session_id: str, title: str) -> Session:
        """A new title; refused (``StoreError`` naming who) while someone has it open."""
        self._refuse_while_here(session_id, "not renaming it")
        return self._store.rename(session_id, title)

    def delete(self, session_id: str) -> Path:
        """Into the trash; returns where it went (for ``undelete``).  Refused (``StoreError``
        naming who) while someone has it open."""
        self._refuse_while_here(session_id, "not moving it to the trash")
        return self._store.delete(session_id)

    def undelete(self, trash_path: Path) -> str:
        return self._store.undelete(trash_path)

    def duplicate(self, session_id: str) -> Session:
        return self._store.duplicate(session_id)

    def save_as_copy(self, session: Session) -> Session:
        return self._store.save_as_copy(session)

    def restore(self, session_id: str, revision: int) -> Session:
        """A kept revision saved as the newest, holding the session's lock meanwhile."""
        with self._store.lock(session_id):
            return self._store.restore(session_id, revision)

    def record_report(self, session_id: str, mark: ReportMark) -> Session:
        """A progress report was made (``backplan report``): ``mark`` replaces the session's
        report marks (only the latest is kept).  Saved merging with what is on disk, so an
        app that has the session open keeps its edits and takes this one in."""
        session = self._store.load(session_id)
        session.reports = [mark]

        def merge(on_disk: Session) -> Session:
            on_disk.reports = [mark]
            return on_disk

        written, _ = self._store.save_merging(session, merge)
        return written
