"""What the store lists: ``SessionEntry`` (one session file) and ``BackupEntry`` (one kept
version), and the ``Summarizer`` that gives each entry its glance.

The storage knows nothing of plans: the summary the list shows beside each session (health,
risks, next due: ``core.glance``) is made by a ``Summarizer`` the store is given.  The index
keeps it as text; the entry reads it back (``SessionEntry.glance``) only when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from backplan_tui.core.storage.layout import SUFFIX

if TYPE_CHECKING:
    from backplan_tui.core.model import Session

__all__ = [
    "BackupEntry",
    "SessionEntry",
    "Summarizer",
    "default_summarizer",
    "set_default_summarizer",
]


class Summarizer(Protocol):
    """A session's summary as the index keeps it: one text that starts with ``start`` and
    then tells the day it was made (``prefix(day)``), so that a stale one is found without
    reading it.  ``core.glance.SUMMARIZER`` is the app's."""

    start: str  # every summary's text starts so

    def prefix(self, day: date) -> str:
        """How the text of a summary made on ``day`` starts."""
        ...

    def text(self, session: Session, today: date) -> str:
        """The summary of ``session`` on ``today``, as text (the domain's work)."""
        ...

    def read(self, record: Any) -> Any:
        """The summary in a text (or a record, or an object ``text`` came from); None when
        it is not as written."""
        ...

    def stale(self, record: Any, today: date) -> bool:
        """The summary (text, record or object) was made on another day than ``today``."""
        ...


_default_factory: Callable[[], Summarizer] | None = None


def set_default_summarizer(factory: Callable[[], Summarizer]) -> None:
    """Give stores made without a summarizer (``SessionStore(root)``) this one.

    Called by ``core.wiring`` when ``backplan_tui.core`` is imported: the composition root
    knows both layers, so nothing in ``core.storage`` imports the domain, not even lazily."""
    global _default_factory
    _default_factory = factory


def default_summarizer() -> Summarizer:
    """The summarizer for a store made without one; made when a summary is first needed."""
    if _default_factory is None:
        raise RuntimeError(
            "no summarizer: make the store with summarizer=..., or import backplan_tui.core"
        )
    return _default_factory()


@dataclass(frozen=True)
class SessionEntry:
    """One session file in the list.

    The entries ``SessionStore.list()`` returns make ``path`` on first use (home draws only
    the rows on screen, and making a ``Path`` costs more than the rest of an entry); it is a
    field like the others for everything else (equality, repr, the constructor).
    """

    id: str
    path: Path
    title: str
    team: str
    current_step: str
    updated: datetime | None
    revision: int
    damaged: str | None  # the reason, when the file cannot be read
    read_only_reason: str | None = None  # written by a newer backplan: view only
    has_backup: bool = False  # backups/<id>/ holds at least one backup (restore() can help)
    # The index's glance text, read on first use (a list shows the rows on screen).
    glance_record: Any = field(default=None, repr=False)

    if not TYPE_CHECKING:  # hidden from type checkers: any other name stays an error there

        def __getattr__(self, name: str) -> Any:
            # Only called for a name that is not set: ``path`` of a listed entry, and its
            # ``glance_record`` when it is in the index's glances file (read by offset).
            values = self.__dict__
            if name == "path":
                folder = values.get("_folder")
                if folder is not None:
                    path = values["path"] = folder / f"{self.id}{SUFFIX}"
                    return path
            elif name == "glance_record" and "_glance" in values:
                glances, at, length, _ = values["_glance"]
                text = values["glance_record"] = glances.text(at, length)
                return text
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _reader(self) -> Summarizer:
        # a listed entry carries its store's; one made by hand uses the app's
        return self.__dict__.get("_summarizer") or default_summarizer()

    @cached_property
    def glance(self) -> Any:
        """Health, risks and next due (``core.glance.Glance`` with the app's summarizer);
        None for a damaged file or a glance edited by hand."""
        record = self.glance_record
        if record is None:
            return None
        return self._reader().read(record)  # the index's text (or a record, an object)

    def glance_stale(self, today: date) -> bool:
        """The glance was computed on another day (cheap: the record is not parsed, nor
        read when the index says the day it was made)."""
        stored = self.__dict__.get("_glance")
        if stored is not None and "glance_record" not in self.__dict__:
            return bool(stored[3] != today.isoformat())
        record = self.glance_record
        if record is None:
            return False
        return self._reader().stale(record, today)


# A listed entry whose glance is in the index's glances file has no ``glance_record`` until it
# is read: without the class attribute the dataclass leaves for the default (its ``__init__``
# keeps the default on its own), the look-up falls through to ``__getattr__``, which reads it.
del SessionEntry.glance_record


@dataclass(frozen=True)
class BackupEntry:
    """One file in ``backups/<id>/``.

    ``kind`` is "revision" (``<revision>.toml``, a version a save replaced), "damaged" (a
    damaged file that ``restore`` moved aside; ``revision`` is None) or "pre-migration" (the
    file as it was before a schema migration; ``revision`` is None).  ``saved`` is when that
    version was written (the file's modification time, UTC).
    """

    revision: int | None
    saved: datetime | None
    path: Path
    size: int
    kind: str = "revision"
