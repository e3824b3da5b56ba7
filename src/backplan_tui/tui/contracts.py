"""What a screen tells the app it can do, by what it is (``isinstance``), not by the names
of its methods (``getattr`` polling).

Why base classes and not a message: the app needs a screen's typed text *now*, on its own
call stack (before a save, at Ctrl+Q, on SIGTERM), and a message would be handled after the
save or the exit it should come before.  Why not ``typing.Protocol``: a runtime-checkable
protocol matches any object with a method of that name (it is the ``getattr`` poll again),
and its metaclass clashes with Textual's screens.  A screen opts in by inheriting one of
these; the type checker then holds it to the signature.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from textual.screen import Screen


class HoldsFields:
    """A screen with text fields whose last keys may not have reached the session yet
    (their ``Changed`` message is still queued): ``commit_fields`` copies them in."""

    def commit_fields(self) -> None:
        """Copy any on-screen field into the session."""


class HoldsDraft:
    """A dialog whose typed text is kept (in the parking lot) when the app quits with it open."""

    def draft_text(self) -> str:
        """What was typed, as one line ("Draft from the ... dialog: ..."), or ""."""
        return ""


class ShowsTimer:
    """A screen that shows the running timebox: the app calls ``show_timer`` each tick."""

    def show_timer(self) -> None:
        """Show the countdown (or nothing, when no clock runs)."""


class ShowsSession:
    """A screen that shows the open session: ``reload`` shows it again after it changed
    behind the screen's back (an edit refused in a read-only session, put back);
    ``session_changed`` after another process's save was merged in (team mode: the cursor
    stays on its item); ``show_here`` says who else is in the session."""

    def reload(self) -> None:
        """Re-read what it shows from the session."""

    def session_changed(self) -> None:
        """The session was merged with another process's save: show it again."""
        self.reload()

    def show_here(self, text: str) -> None:
        """ "Ana, Ben here" (or "" when alone)."""


Kind = TypeVar("Kind")


def drawn(stack: Iterable[Screen[Any]], kind: type[Kind]) -> Iterator[Kind]:
    """The screens of ``stack`` that are ``kind`` and drawn (mounted).  A screen pushed but
    not composed yet has none of its widgets: a tick, a reload or a save that comes between
    its push and its compose passes over it (it reads the app's state on mount)."""
    for screen in stack:
        if screen.is_mounted and isinstance(screen, kind):
            yield screen
