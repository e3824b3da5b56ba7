"""Help: every key binding, by screen, built from the bindings themselves (never stale)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from backplan_tui.tui.keys import APP_BINDINGS

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "escape": "Esc",
    "delete": "Del",
    "enter": "Enter",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def key_label(keys: str) -> str:
    """'ctrl+n' -> 'Ctrl+N', 'd,delete' -> 'd / Del'."""
    labels = []
    for key in keys.split(","):
        parts = key.split("+")
        *mods, last = parts
        name = KEY_NAMES.get(last, last.upper() if mods and len(last) == 1 else last)
        if len(name) > 1 and name[0] == "f" and name[1:].isdigit():
            name = name.upper()
        labels.append("+".join([m.capitalize() for m in mods] + [name]))
    return " / ".join(labels)


def sections() -> list[tuple[str, list[Binding]]]:
    from backplan_tui.tui.dialogs import FormScreen
    from backplan_tui.tui.screens.backups import BackupsScreen
    from backplan_tui.tui.screens.base import StepScreen
    from backplan_tui.tui.screens.home import HomeScreen, SessionTable
    from backplan_tui.tui.screens.owners import OwnersScreen, OwnersTable
    from backplan_tui.tui.screens.parking_lot import ParkedList, ParkingLotScreen
    from backplan_tui.tui.screens.questions import QuestionTable
    from backplan_tui.tui.screens.reverse_map import MapTree
    from backplan_tui.tui.screens.stakeholders import (
        CommunicationTable,
        StakeholdersScreen,
        StakeholderTable,
    )
    from backplan_tui.tui.screens.track import DueTable, TrackScreen
    from backplan_tui.tui.screens.voting import VoteScreen, VoteTable
    from backplan_tui.tui.widgets.items import ItemTable

    def own(*classes: Any) -> list[Binding]:
        """Each key and action once: the read-only copy key has one binding per reason,
        whose footer label says which (``StepScreen``); the help lists the first."""
        found: list[Binding] = []
        seen: set[tuple[str, str]] = set()
        for cls in classes:  # a class with BINDINGS, or a list of bindings
            for b in cls if isinstance(cls, list) else cls.BINDINGS:
                if not isinstance(b, Binding) or not b.description:
                    continue
                name = (b.key, b.action.split("(", 1)[0])
                if name not in seen:
                    seen.add(name)
                    found.append(b)
        return found

    return [
        ("Everywhere", own(APP_BINDINGS) + [Binding("ctrl+p", "", "Command palette")]),
        ("Home", own(HomeScreen, SessionTable) + [Binding("enter", "", "Open")]),
        ("Backups (b on home)", own(BackupsScreen)),
        ("Workshop steps", own(StepScreen)),
        ("Outcomes, questions, pilots", own(ItemTable, QuestionTable)),
        ("Reverse map", own(MapTree) + [Binding("enter", "", "Edit")]),
        ("Forms", own(FormScreen) + [Binding("tab", "", "Next field")]),
        ("Parking lot", own(ParkingLotScreen, ParkedList)),
        ("Track (k on home, Ctrl+T in a session)", own(TrackScreen, DueTable)),
        ("Owners (o on Track, or Owners in the palette)", own(OwnersScreen, OwnersTable)),
        (
            "Stakeholders (k on Track)",
            own(StakeholdersScreen, StakeholderTable, CommunicationTable),
        ),
        ("Dot voting (v on the map or the pilots)", own(VoteTable, VoteScreen)),
    ]


# The sections of the keys a screen offers, by the screen's class name: F1 starts with them.
CURRENT_SECTIONS: dict[str, tuple[str, ...]] = {
    "HomeScreen": ("Home",),
    "BackupsScreen": ("Backups",),
    "FutureStateScreen": ("Outcomes, questions, pilots", "Workshop steps"),
    "QuestionsScreen": ("Outcomes, questions, pilots", "Workshop steps"),
    "PilotsScreen": ("Outcomes, questions, pilots", "Workshop steps"),
    "ReverseMapScreen": ("Reverse map", "Workshop steps"),
    "SummaryScreen": ("Workshop steps",),
    "TrackScreen": ("Track",),
    "OwnersScreen": ("Owners",),
    "StakeholdersScreen": ("Stakeholders",),
    "ParkingLotScreen": ("Parking lot",),
    "FormScreen": ("Forms",),
    "VoteScreen": ("Dot voting",),
}


def ordered_sections(screen_name: str = "") -> list[tuple[str, list[Binding]]]:
    """:func:`sections`, those of the screen ``screen_name`` first (in the order named)."""
    found = sections()
    first: list[tuple[str, list[Binding]]] = []
    for prefix in CURRENT_SECTIONS.get(screen_name, ()):
        first += [section for section in found if section[0].startswith(prefix)]
    return first + [section for section in found if section not in first]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, screen_name: str = "") -> None:
        super().__init__()
        self.screen_name = screen_name
        """The class name of the screen F1 was pressed on: its keys come first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(
                Content.from_markup("[b]Keys[/b] — every action is also in the palette (Ctrl+P)"),
                classes="dialog-title",
            )
            with VerticalScroll(id="help-body"):
                for title, bindings in ordered_sections(self.screen_name):
                    lines = [Content.styled(title, "bold $accent")]
                    for binding in bindings:
                        lines.append(
                            Content.assemble(
                                (f"  {key_label(binding.key):<18}", "bold"),
                                binding.description,
                            )
                        )
                    yield Static(Content("\n").join(lines), classes="help-section")

    def action_close(self) -> None:
        self.dismiss(None)
