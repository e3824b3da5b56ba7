"""The parking lot: capture a side topic in one line, keep the room moving, decide later.

Opened with Ctrl+L from any workshop screen.  Enter parks what was typed; in the list,
``q``/``m``/``p`` turn an item into a question, a map node (directly under the goal) or a
pilot, and ``d`` deletes it.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from backplan_tui.core.model import MapNode, Pilot, Question
from backplan_tui.core.textclean import clean_line
from backplan_tui.tui.text import safe, toast

KINDS = {"question": "a question", "map": "a map node", "pilot": "a pilot"}


class ParkedList(OptionList):
    BINDINGS = [
        Binding("q", "screen.convert('question')", "To question", id="park.question"),
        Binding("m", "screen.convert('map')", "To map node", id="park.map"),
        Binding("p", "screen.convert('pilot')", "To pilot", id="park.pilot"),
        Binding("d,delete", "screen.remove", "Delete", id="park.delete"),
    ]


class ParkingLotScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close", id="park.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="parking-dialog", classes="dialog"):
            yield Static(
                Content.from_markup("[b]Parking lot[/b] — park it, keep the room moving"),
                classes="dialog-title",
            )
            yield Input(placeholder="Type a topic and press Enter", id="park-input", compact=True)
            yield ParkedList(id="parked")
            yield Static(
                "Tab to the list: q question · m map node · p pilot · d delete · Esc close",
                classes="hint",
                markup=False,
            )

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one("#park-input", Input).focus()

    def refresh_list(self, highlight: int | None = None) -> None:
        parked = self.query_one(ParkedList)
        parked.clear_options()
        items = self.session.facilitation.parking_lot
        parked.add_options([Option(safe(text)) for text in items])
        if items:
            parked.highlighted = min(highlight or 0, len(items) - 1)

    @on(Input.Submitted, "#park-input")
    def _park(self, event: Input.Submitted) -> None:
        text = clean_line(event.value).strip()
        if not text:
            return
        self.session.facilitation.parking_lot.append(text)
        self.app.changed(f"park {text}")  # type: ignore[attr-defined]
        event.input.value = ""
        self.refresh_list(highlight=len(self.session.facilitation.parking_lot) - 1)

    def _take(self) -> tuple[int, str] | None:
        index = self.query_one(ParkedList).highlighted
        items = self.session.facilitation.parking_lot
        if index is None or not 0 <= index < len(items):
            return None
        return index, items[index]

    def action_convert(self, kind: str) -> None:
        taken = self._take()
        if taken is None:
            return
        index, text = taken
        session = self.session
        if kind == "question":
            session.questions.append(Question(id=session.new_id("q"), prompt=text))
        elif kind == "map":
            session.map.append(MapNode(id=session.new_id("m"), title=text))
        else:
            session.pilots.append(Pilot(id=session.new_id("p"), name=text))
        del session.facilitation.parking_lot[index]
        self.app.changed(f"turn into {KINDS[kind]}: {text}")  # type: ignore[attr-defined]
        self.refresh_list(highlight=index)
        toast(self, f"Turned into {KINDS[kind]}: {text}", timeout=3)

    def action_remove(self) -> None:
        taken = self._take()
        if taken is None:
            return
        index, _ = taken
        removed = self.session.facilitation.parking_lot.pop(index)
        self.app.changed(f"remove parked {removed}")  # type: ignore[attr-defined]
        self.refresh_list(highlight=index)

    def action_close(self) -> None:
        self.dismiss(None)
