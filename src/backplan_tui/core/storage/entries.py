"""What the store lists: ``SessionEntry`` (one session file) and ``BackupEntry`` (one kept
version), and the ``Summarizer`` that gives each entry its glance.

The storage knows nothing of plans: the summary the list shows beside each session (health,
risks, next due: ``core.glance``) is made by a ``Summarizer`` the store is given.  The index
keeps it as text; the entry reads it back (``SessionEntry.glance``) only when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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
    "glance_records",
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

    def brief(self, text: str) -> list[Any]:
        """The little of the summary (``text``) that ``backplan list`` shows, kept in the
        index's record so that listing 10,000 sessions reads no summary: JSON types, in a
        list; the summarizer checks it when it reads it back."""
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
    # What ``backplan list`` shows of the glance (``Summarizer.brief``), from the index's
    # record; not part of what an entry is (two entries of one file are equal without it)
    brief: Any = field(default=None, repr=False, compare=False)

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


def glance_records(entries: Iterable[SessionEntry]) -> Iterator[Any]:
    """``entry.glance_record`` of each entry, in order, for a caller that wants them all
    (``backplan list``): the index's glances file is read once, whole, not by one read an
    entry; an entry keeps nothing it did not hold before."""
    whole: dict[int, tuple[Any, bytes | None]] = {}  # id(glances) -> (glances, its bytes)
    for entry in entries:
        values = entry.__dict__
        if "glance_record" in values or "_glance" not in values:
            yield entry.glance_record
            continue
        glances, at, length, _ = values["_glance"]
        held = whole.get(id(glances))
        if held is None:
            held = whole[id(glances)] = (glances, glances.tail(0))
        data = held[1]
        if data is None or at <= 0 or length <= 0 or at + length > len(data):
            yield glances.text(at, length)  # as an entry reads it (None when not there)
            continue
        try:
            yield data[at : at + length].decode("utf-8")
        except UnicodeDecodeError:
            yield None


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
