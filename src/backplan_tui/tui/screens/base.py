"""What every workshop screen shares: header, stepper, guiding prompts, step keys, autosave."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from backplan_tui.core import templates
from backplan_tui.core.model import ALL_STEPS, STEP_TITLES, Session
from backplan_tui.tui.text import safe_block
from backplan_tui.tui.widgets.stepper import SaveIndicator, Stepper


class StepScreen(Screen[None]):
    """Base of the four step screens and the summary."""

    STEP: ClassVar[str] = ""
    BINDINGS = [
        Binding("ctrl+n", "next_step", "Next step", id="step.next"),
        Binding("ctrl+b", "previous_step", "Prev step", id="step.previous"),
        Binding("ctrl+r", "summary", "Summary", id="step.summary"),
        Binding("ctrl+s", "app.save", "Save", id="step.save"),
        Binding("escape", "home", "Home", id="step.home"),
    ]

    @property
    def backplan(self) -> Any:
        return self.app

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        yield Header(icon="◎")
        with Horizontal(id="step-bar"):
            yield Stepper(id="stepper")
            yield SaveIndicator(id="save-state")
        yield Static(self.prompts_content(), id="prompts", classes="prompts")
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def prompts_content(self) -> Content:
        prompts = templates.prompts(self.session.template).get(self.STEP, [])
        return safe_block("\n".join(f"› {p}" for p in prompts))

    def on_mount(self) -> None:
        self.sub_title = STEP_TITLES.get(self.STEP, "")
        self.watch(self.app, "save_state", self._show_save_state)
        self.refresh_stepper()

    def _show_save_state(self, state: str) -> None:
        self.query_one(SaveIndicator).show(state)

    def refresh_stepper(self) -> None:
        self.query_one(Stepper).show(self.session, self.STEP)

    def commit_fields(self) -> None:
        """Copy any on-screen field into the session (screens with live fields override)."""

    def changed(self) -> None:
        """After an edit: autosave countdown and the stepper's state marks."""
        self.backplan.changed()
        self.refresh_stepper()

    # --- navigation ------------------------------------------------------------------------

    def action_next_step(self) -> None:
        index = ALL_STEPS.index(self.STEP)
        if index + 1 < len(ALL_STEPS):
            self.backplan.goto_step(ALL_STEPS[index + 1])

    def action_previous_step(self) -> None:
        index = ALL_STEPS.index(self.STEP)
        if index > 0:
            self.backplan.goto_step(ALL_STEPS[index - 1])

    def action_summary(self) -> None:
        if self.STEP != "summary":
            self.backplan.goto_step("summary")

    def action_home(self) -> None:
        self.backplan.close_document()
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_step" and self.STEP == ALL_STEPS[-1]:
            return None
        if action == "previous_step" and self.STEP == ALL_STEPS[0]:
            return None
        return True
