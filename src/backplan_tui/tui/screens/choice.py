"""A question with a few named answers (each with its own key), plus Esc to cancel."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from backplan_tui.tui.text import safe_block


class ChoiceScreen(ModalScreen[str | None]):
    """``choices`` are (key, value, label); the result is the value, or None on Esc (its
    button says ``cancel``: "Cancel", or what Esc means here, "Not now")."""

    BINDINGS = [Binding("escape", "choose('')", "Cancel", id="choice.cancel")]

    def __init__(
        self, message: str, choices: list[tuple[str, str, str]], cancel: str = "Cancel"
    ) -> None:
        super().__init__()
        self.message = message
        self.choices = choices
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Static(safe_block(self.message), id="choice-message")
            with Horizontal(classes="dialog-buttons"):
                for key, value, label in self.choices:
                    yield Button(Content(f"{label} ({key})"), id=f"choice-{value}", compact=True)
                yield Button(Content(f"{self.cancel} (esc)"), id="choice-", compact=True)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        """Each answer's own key (the keys differ per question, so they are not BINDINGS;
        the buttons take no letters, so the key reaches the screen)."""
        for key, value, _ in self.choices:
            if event.key == key:
                event.stop()
                event.prevent_default()
                self.action_choose(value)
                return

    def action_choose(self, value: str) -> None:
        self.dismiss(value or None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "choice-").removeprefix("choice-") or None)
