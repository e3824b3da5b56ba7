"""Screens that know their app is a ``BackplanApp``: ``self.backplan`` is ``self.app``, typed.

``self.app`` is Textual's ``App[Any]``, so ``self.app.open_session(...)`` needed a
``# type: ignore[attr-defined]`` at every call.  As posting does, the cast is made once, behind
a property; the import is for the type checker only (``app.py`` imports the screens).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from backplan_tui.tui.app import BackplanApp

ResultT = TypeVar("ResultT")


class BackplanScreen(Screen[ResultT]):
    """A full screen of backplan."""

    @property
    def backplan(self) -> BackplanApp:
        return cast("BackplanApp", self.app)


class BackplanModal(ModalScreen[ResultT]):
    """A dialog of backplan."""

    @property
    def backplan(self) -> BackplanApp:
        return cast("BackplanApp", self.app)
