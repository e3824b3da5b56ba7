"""The summary: the whole plan on one screen, rendered from the Markdown export.

The Markdown export escapes every piece of user text, so the Markdown widget shows it as
literal text (no links, no emphasis, no markup from the session).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown  # loaded with this screen only (about 40 ms of import)

from backplan_tui.core.export import markdown as markdown_export
from backplan_tui.tui.screens.base import StepScreen


class SummaryScreen(StepScreen):
    STEP = "summary"
    BINDINGS = [Binding("x", "export", "Export", id="summary.export")]

    def action_export(self) -> None:
        from backplan_tui.tui.screens.export import open_export

        open_export(self.app, self.session, self.backplan.today())

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="summary-scroll"):
            yield Markdown(
                markdown_export.render(self.session, self.backplan.today()),
                id="summary",
                open_links=False,
            )

    def prompt_blocks(self) -> list[Content]:
        intro = Content("The whole plan. x exports it; Ctrl+B goes back to the pilots; Esc home.")
        agenda = self.backplan.agenda
        if agenda is None:
            return [intro]
        return [intro, Content(f"Agenda: {agenda.line(self.backplan.clock())}")]

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#summary-scroll").focus()

    def reload(self) -> None:
        self.query_one(Markdown).update(markdown_export.render(self.session, self.backplan.today()))
