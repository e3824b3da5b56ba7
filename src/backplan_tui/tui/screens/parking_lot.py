"""The parking lot: capture a side topic in one line, keep the room moving, decide later.

Opened with Ctrl+L from any workshop screen.  Enter parks what was typed; in the list,
``q``/``m``/``p`` turn the highlighted item into a question, a map node (directly under the
goal) or a pilot, and Delete removes it.

What a facilitator typing fast expects, and what keeps a typed word from being lost:

- the typing line has the focus whenever there is nothing to act on (an empty list never
  takes it), and gets it back after every conversion or delete, so the next letters are
  text again, never the next command;
- in the list, any printable key other than ``q``/``m``/``p`` goes to the typing line
  (type-to-capture), so a topic typed there is not swallowed;
- no letter deletes (Delete does), and each conversion or delete says in the dialog what
  it did; Ctrl+Z in the dialog undoes it (Ctrl+Y redoes);
- Esc with a topic typed parks it before closing, and says so.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key, Paste
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from backplan_tui.core.model import MapNode, Pilot, Question
from backplan_tui.core.textclean import clean_line
from backplan_tui.tui.contracts import ShowsSession
from backplan_tui.tui.text import fmt, safe, toast
from backplan_tui.tui.typed import BackplanModal

KINDS = {"question": "a question", "map": "a map node", "pilot": "a pilot"}
COMMAND_LETTERS = frozenset("qmp")  # the list's own letters; any other one is text


class ParkedList(OptionList):
    BINDINGS = [
        Binding("q", "screen.convert('question')", "To question", id="park.question"),
        Binding("m", "screen.convert('map')", "To map node", id="park.map"),
        Binding("p", "screen.convert('pilot')", "To pilot", id="park.pilot"),
        Binding("delete", "screen.remove", "Delete", id="park.delete"),
    ]

    def on_key(self, event: Key) -> None:
        """Type-to-capture: a printable key that is not one of the list's letters is text,
        and goes to the typing line (with the focus)."""
        if event.is_printable and event.character and event.character not in COMMAND_LETTERS:
            event.stop()
            event.prevent_default()
            self.screen.capture(event.character)  # type: ignore[attr-defined]

    def on_paste(self, event: Paste) -> None:
        event.stop()
        self.screen.capture(event.text)  # type: ignore[attr-defined]


class ParkInput(Input):
    """The typing line: Enter hands its text over and empties the line at once, in the
    order the keys came.  (An Input's Enter is a binding, run once the key has bubbled up to
    the app, while the letters typed after it are already going into the line: in a burst,
    "A⏎B⏎" parked "AB" twice.  Here Enter is handled with the letters, one key at a time.)"""

    async def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler; prevent_default() skips it for Enter only.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    async def action_submit(self) -> None:
        value, self.value = self.value, ""
        self.post_message(self.Submitted(self, value))


class ParkingLotScreen(ShowsSession, BackplanModal[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="park.close"),
        Binding("ctrl+z", "undo", "Undo", id="park.undo"),
        Binding("ctrl+y", "redo", "Redo", id="park.redo"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="parking-dialog", classes="dialog"):
            yield Static(
                Content.from_markup("[b]Parking lot[/b] — park it, keep the room moving"),
                classes="dialog-title",
            )
            # Not select_on_focus: back from the list, the next key would replace a
            # half-typed topic instead of going on with it.
            yield ParkInput(
                placeholder="Type a topic and press Enter",
                id="park-input",
                compact=True,
                select_on_focus=False,
            )
            yield ParkedList(id="parked")
            yield Static(id="park-status")
            yield Static(
                "Enter parks it · Tab to the list: q question · m map node · p pilot · "
                "Del delete · Ctrl+Z undo · Esc close",
                classes="hint",
                markup=False,
            )

    @property
    def session(self) -> Any:
        return self.backplan.session

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one("#park-status").display = False  # until there is something to say
        self.query_one("#park-input", Input).focus()

    def refresh_list(self, highlight: int | None = None) -> None:
        parked = self.query_one(ParkedList)
        parked.clear_options()
        items = self.session.facilitation.parking_lot
        parked.add_options([Option(safe(text)) for text in items])
        # An empty list cannot take the focus: what is typed then always reaches the line.
        parked.disabled = not items
        if items:
            parked.highlighted = min(highlight or 0, len(items) - 1)
        else:
            self.focus_input()

    def reload(self) -> None:
        """The session changed behind the dialog (an undo, a refused edit): show it."""
        self.refresh_list(self.query_one(ParkedList).highlighted)

    def focus_input(self) -> None:
        self.query_one("#park-input", Input).focus()

    def capture(self, text: str) -> None:
        """Text typed (or pasted) while the list had the focus: onto the typing line."""
        line = self.query_one("#park-input", Input)
        line.focus()
        line.cursor_position = len(line.value)
        line.insert_text_at_cursor(text)

    def say(self, message: Content) -> None:
        """What the last action did, in the dialog itself (a toast may be missed)."""
        status = self.query_one("#park-status", Static)
        status.update(message)
        status.display = True

    @on(Input.Submitted, "#park-input")
    def _park(self, event: Input.Submitted) -> None:
        if not self.park(event.value) and event.value.strip() and not event.input.value:
            event.input.value = event.value  # not parked: the text stays where it was typed

    def park(self, value: str) -> bool:
        text = clean_line(value).strip()
        if not text:
            return False
        self.session.facilitation.parking_lot.append(text)
        self.backplan.changed(f"park {text}")
        self.refresh_list(highlight=len(self.session.facilitation.parking_lot) - 1)
        self.say(fmt("Parked [b]$t[/b].", t=text))
        return True

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
        self.backplan.changed(f"turn into {KINDS[kind]}: {text}")
        self.refresh_list(highlight=index)
        self.say(fmt("Turned [b]$t[/b] into $k. Ctrl+Z undoes it.", t=text, k=KINDS[kind]))
        self.focus_input()

    def action_remove(self) -> None:
        taken = self._take()
        if taken is None:
            return
        index, _ = taken
        removed = self.session.facilitation.parking_lot.pop(index)
        self.backplan.changed(f"remove parked {removed}")
        self.refresh_list(highlight=index)
        self.say(fmt("Deleted [b]$t[/b]. Ctrl+Z undoes it.", t=removed))
        self.focus_input()

    def action_undo(self, redo: bool = False) -> None:
        label = self.backplan.undo(redo=redo)
        self.reload()
        if label:
            self.say(fmt("Redone: $l." if redo else "Undone: $l.", l=label))
        else:
            self.say(Content("Nothing to redo." if redo else "Nothing to undo."))
        self.focus_input()

    def action_redo(self) -> None:
        self.action_undo(redo=True)

    def action_close(self) -> None:
        """Close; a topic still on the typing line is parked first (and said), not lost."""
        typed = self.query_one("#park-input", Input).value
        if self.park(typed):
            toast(self.app, f"Parked on close: {clean_line(typed).strip()}", timeout=4)
        self.dismiss(None)
