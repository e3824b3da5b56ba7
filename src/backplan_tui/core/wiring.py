"""Where the layers meet: the storage (``core.storage``) is given the domain's summary of a
session (``core.glance``) here, and nowhere else.

``core.storage`` never imports the glance, the coach, the schedule or the progress, not even
lazily (tests/unit/test_storage_rooms.py and the import contracts in pyproject.toml check
it).  A store made with a summarizer uses that one; ``SessionStore(root)`` takes
``summarizer()``, registered below when ``backplan_tui.core`` is first imported, when it
first makes or reads a summary, so every caller keeps making stores as before.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from backplan_tui.core.storage import SessionStore, Summarizer

from backplan_tui.core.storage.entries import set_default_summarizer

__all__ = ["open_store", "summarizer"]


def summarizer() -> Summarizer:
    """The app's summary of a session: its glance (health, risks, next due)."""
    from backplan_tui.core.glance import SUMMARIZER

    return SUMMARIZER


def open_store(root: Path, *, clock: Callable[[], datetime] | None = None) -> SessionStore:
    """A store that lists sessions with their glance, the summarizer given explicitly."""
    from backplan_tui.core.storage.store import SessionStore

    return SessionStore(root, clock=clock, summarizer=summarizer())


set_default_summarizer(summarizer)
