"""The summary: the whole plan on one screen, what the Markdown export says, as lines.

The content is built as blocks (``core/summary_doc.py``: the export's words, unescaped,
never parsed as markup), laid out at the view's width (``tui/summary_layout.py``) and drawn
by a line view that paints only the rows on screen (``widgets/summary_view.py``).

A small plan is built at once (a few milliseconds: no "Building…" flash).  A bigger one is
built in a worker thread while the screen shows "Building summary…" and stays responsive:
Esc, Ctrl+Q, Ctrl+B and the scroll keys work while it builds, and leaving the screen or
quitting (a signal too) cancels the build within a few hundred items.  A new width lays the
same blocks out again (in the worker too when the plan is big).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.worker import Worker, WorkerState, get_current_worker

from backplan_tui.core.model import Session
from backplan_tui.core.summary_doc import Block, Stopped, build
from backplan_tui.tui.screens.base import StepScreen
from backplan_tui.tui.summary_layout import Line, lay_out
from backplan_tui.tui.widgets.summary_view import SummaryView

# Plans with at most this many items (map items, pilots, questions, outcomes, check-ins,
# adjustments, parked topics) are built on the UI thread: small enough not to be felt
# (benchmarks/README.md, summary).
BUILD_AT_ONCE = 60


def plan_size(session: Session) -> int:
    return (
        len(session.map)
        + len(session.pilots)
        + len(session.questions)
        + len(session.future_state.outcomes)
        + len(session.checkins)
        + len(session.adjustments)
        + len(session.facilitation.parking_lot)
    )


class SummaryScreen(StepScreen):
    STEP = "summary"
    BINDINGS = [Binding("x", "export", "Export", id="summary.export")]

    _blocks: list[Block] | None = None
    _build: Worker[tuple[list[Block], list[Line], int] | None] | None = None

    def action_export(self) -> None:
        from backplan_tui.tui.screens.export import open_export

        open_export(self.app, self.session, self.backplan.today())

    def compose_body(self) -> ComposeResult:
        yield SummaryView(id="summary")

    def prompt_blocks(self) -> list[Content]:
        intro = Content("The whole plan. x exports it; Ctrl+B goes back to the pilots; Esc home.")
        agenda = self.backplan.agenda
        if agenda is None:
            return [intro]
        return [intro, Content(f"Agenda: {agenda.line(self.backplan.clock())}")]

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.view.focus()
        self.reload()

    @property
    def view(self) -> SummaryView:
        return self.query_one(SummaryView)

    def _width(self) -> int:
        """The width to lay out for: the view's, or before its first layout the screen's
        less the view's padding and scrollbar (a different one is fixed on resize)."""
        view = self.view
        guess = self.app.size.width - view.styles.gutter.width - view.styles.scrollbar_size_vertical
        return view.content_width() or max(guess, 1)

    def reload(self) -> None:
        """Build the summary again from the session (on mount, after an edit or undo)."""
        self._blocks = None
        session = self.session
        if plan_size(session) <= BUILD_AT_ONCE:
            self._cancel_build()
            width = self._width()
            plan, findings = self.backplan.health()
            blocks = build(session, self.backplan.today(), plan=plan, findings=findings)
            self._blocks = blocks
            self.view.show(lay_out(blocks, width), width)
        else:
            self.view.show_building()
            self._cancel_build()
            self.call_after_refresh(self._start_build)  # once the view has its width

    def _start_build(self) -> None:
        if self._blocks is None and self.is_mounted:
            # The schedule and findings the stepper has just shown (kept by the app per edit):
            # not computed a second time, in the worker, for the same session and day.
            health = self.backplan.health()
            self._build = self._build_in_worker(
                self.session, self.backplan.today(), None, self._width(), health
            )

    def on_summary_view_relayout(self, event: SummaryView.Relayout) -> None:
        if self._blocks is not None:  # else still building: laid out again on arrival
            self._relayout(self._blocks, event.width)

    def _relayout(self, blocks: list[Block], width: int) -> None:
        if plan_size(self.session) <= BUILD_AT_ONCE:
            self.view.show(lay_out(blocks, width), width)
        else:
            self._build = self._build_in_worker(self.session, self.backplan.today(), blocks, width)

    def _cancel_build(self) -> None:
        if self._build is not None:
            self._build.cancel()
            self._build = None

    @work(thread=True, exclusive=True, exit_on_error=False, group="summary")
    def _build_in_worker(
        self,
        session: Session,
        today: date,
        blocks: list[Block] | None,
        width: int,
        health: tuple[Any, list[Any]] | None = None,
    ) -> tuple[list[Block], list[Line], int] | None:
        """(blocks, lines, width), or None when cancelled (the screen left, the app quits).
        ``health``: the app's (schedule, findings) for this session and day, if it has them."""
        worker = get_current_worker()
        stop: Callable[[], bool] = lambda: worker.is_cancelled  # noqa: E731
        plan, findings = health if health is not None else (None, None)
        try:
            if blocks is None:
                blocks = build(session, today, stop, plan=plan, findings=findings)
            return blocks, lay_out(blocks, width, stop), width
        except Stopped:
            return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is not self._build or worker.is_cancelled:
            return  # an older build (replaced by a newer one), or one given up
        if event.state == WorkerState.ERROR:
            self._build = None
            from backplan_tui.tui.text import toast

            toast(self, f"The summary could not be built: {worker.error}", severity="error")
            return
        if event.state != WorkerState.SUCCESS or worker.result is None:
            return
        self._build = None
        blocks, lines, width = worker.result
        self._blocks = blocks
        self.view.show(lines, width)
        now = self._width()
        if now != width:  # the view changed width while the worker ran
            self._relayout(blocks, now)
