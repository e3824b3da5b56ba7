"""Track: living with the plan after the workshop.

Where the numbers stand (a bar, a sparkline, the pace still needed and a plain verdict per
outcome; the highlighted one against its milestone line, and whether its next milestone is at
risk), what is due in the next 14 days or overdue (mark it done, record a pilot's result),
the check-ins (add, edit, delete; the review cadence and when the next one is due) and the
adjustments log.  Reached with ``k`` on the home screen or Ctrl+T from any workshop step.

Communications due (``core.stakeholders``) are listed with the due items (``x`` marks one
sent); ``k`` here opens the stakeholders and the communication plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from backplan_tui.core import progress, stakeholders
from backplan_tui.core.export.common import plural
from backplan_tui.core.model import CONFIDENCES, DECISIONS, Adjustment, CheckIn
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.base import StepScreen, copy_bindings
from backplan_tui.tui.text import cell, fmt, safe, toast
from backplan_tui.tui.typed import BackplanModal
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import Detail, FitTable
from backplan_tui.tui.widgets.stepper import SaveIndicator

VERDICT_MARKS = {
    "target reached": ("✓ reached", "bold $healthy"),
    "ahead": ("▲ ahead", "$healthy"),
    "on pace": ("● on pace", "$healthy"),
    "behind": ("▼ behind", "bold $problem"),
    "overdue": ("✗ overdue", "bold $problem"),
    "no data": ("· no data", "dim"),
}
NOT_ON_TRACK = frozenset(
    {"next_step", "previous_step", "timer", "extend_timer", "reset_timer", "presenter"}
)
SHORT_UNIT = 4  # "%", "days", "€": longer units are shown after the metric's name
CONFIDENCE_LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}


def bar(fraction: float, width: int = 10) -> str:
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


class DueTable(FitTable):
    BINDINGS = [
        Binding("x", "screen.mark_done", "Mark done", id="track.done"),
        Binding("r", "screen.result", "Pilot result", id="track.result"),
    ]


class TrackScreen(StepScreen):
    """Not a workshop step, but shares the header, the save state and the session keys."""

    STEP = "track"
    BINDINGS = [
        # The session keys still work here; hidden from the footer so Track's own fit at 80.
        Binding("ctrl+l", "park", "Park it", show=False),
        Binding("f2", "details", "Details", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("ctrl+g", "health", "Health", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
        # Opened from a step (Ctrl+T), Esc and Ctrl+B go back to it; from home, Esc goes home.
        Binding("escape", "back_to_step", "Back", id="track.back"),
        Binding("escape", "home", "Home", id="track.home"),
        Binding(
            "ctrl+b", "back_to_step(True)", "Back to the step", show=False, id="track.previous"
        ),
        *copy_bindings(),  # c: a copy of a read-only session, else c checks in
        Binding("c", "checkin", "Check in", id="track.checkin"),
        Binding("h", "checkins", "Check-ins", id="track.checkins"),
        Binding("j", "adjust", "Log adjustment", id="track.adjust"),
        Binding("w", "cadence", "Cadence", id="track.cadence"),
        Binding("l", "since", "Since last visit", id="track.since"),
        # Not in the footer (it is full at 120 columns): the help and the palette list it.
        Binding("o", "owners", "Owners", show=False, id="track.owners"),
        Binding("e", "export", "Export", show=False, id="track.export"),
        Binding("p", "report", "Progress report", show=False, id="track.report"),
        # Hidden: Track's footer is full at 80 and 120 columns; the due list's title says it.
        Binding("k", "stakeholders", "Stakeholders", show=False, id="track.stakeholders"),
    ]

    def __init__(self, came_from: str | None = None) -> None:
        super().__init__()
        self.came_from = came_from
        """The workshop step Track was opened from (Ctrl+T), None from the home screen."""

    def compose(self) -> ComposeResult:
        yield Header(icon="◎")
        with Horizontal(id="step-bar"):
            yield Static(id="track-status")
            yield SaveIndicator(id="save-state")
        with VerticalScroll(id="track-body"):
            yield Static(Content.styled("Outcomes", "bold"), classes="section-title")
            # The verdict and the numbers keep their width; the metric takes what is left
            yield FitTable(
                ["Metric", "Latest", "Target", "Progress", "Trend", "Verdict"],
                id="kpis",
                flex={0: Flex(minimum=12)},
            )
            yield Detail(id="kpi-detail", classes="detail")
            yield Static(
                Content.assemble(
                    ("Due in the next 14 days, and overdue", "bold"), (DUE_TITLE_KEYS, "dim")
                ),
                classes="section-title",
            )
            yield DueTable(
                ["Due", "Kind", "Item", "Owner", "Status"],
                id="due",
                flex={2: Flex(3, 12), 3: Flex(1, 8)},
            )
            yield Static(id="adjustments", classes="detail")
        yield Footer()

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too (save state, presenter class): no super() call here.
        self.sub_title = "Track"
        self.reload()
        self.query_one("#kpis").focus()

    def refresh_stepper(self) -> None:  # no stepper here
        pass

    def _since_note(self) -> str:
        n = len(self.backplan.since_last_visit[0])
        return f" · {n} change{'s' if n != 1 else ''} since your last visit (l)" if n else ""

    def action_since(self) -> None:
        lines, when = self.backplan.since_last_visit
        if lines:
            self.backplan.show_since_last_visit()
        elif when is not None:
            toast(self, "Nothing changed since your last visit.", timeout=4)
        else:
            toast(self, "This is your first visit to this session on this computer.", timeout=4)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The workshop-only keys (step moves, timebox, presenter) do not apply here; the
        ones that change the session are hidden in a read-only session (StepScreen)."""
        if action in NOT_ON_TRACK:
            return False
        if action == "back_to_step":
            return self.came_from is not None or bool(parameters)  # Esc only from a step
        if action == "home":
            return self.came_from is None
        if action == "previous_step":
            return False  # Ctrl+B is back_to_step here
        return super().check_action(action, parameters)

    def show_timer(self) -> None:  # no timebox here
        pass

    # --- showing ----------------------------------------------------------------------------

    def reload(self) -> None:
        today = self.backplan.today()
        session = self.session
        due = progress.next_checkin_due(session, today)
        style = "bold $problem" if due.overdue else ""
        self.query_one("#track-status", Static).update(
            Content.assemble(
                (due.label, style),
                # before the cadence: at 80 columns the end of this line is cut
                (self._since_note(), "bold"),
                (f" · {due.cadence} · {plural(len(session.checkins), 'check-in')}", "dim"),
            )
        )
        self._progress = progress.progress_all(session, today)
        rows = []
        for p in self._progress:
            mark, mark_style = VERDICT_MARKS.get(p.verdict, (p.verdict, ""))
            # A long unit goes with the metric: in the number columns it pushed the verdict off
            unit = p.unit if len(p.unit) <= SHORT_UNIT else ""
            metric = p.metric if unit == p.unit else f"{p.metric} ({p.unit})"
            latest = progress.format_value(p.latest, unit) if p.latest is not None else "—"
            target = progress.format_value(p.target, unit) if p.target is not None else "—"
            percent = f" {progress.format_percent(p.percent)}" if p.percent is not None else ""
            cells = [
                cell(metric),
                Text(latest, justify="right"),
                Text(target, justify="right"),
                Text(bar(p.bar_fraction, 8) + percent),
                Text(progress.sparkline(list(p.values), width=8) or "—"),
                Text(mark, style=_rich(mark_style)),
            ]
            rows.append((p.outcome_id, cells))
        self.query_one("#kpis", FitTable).fill(rows)
        self.show_kpi_detail()
        self.refresh_due(today)
        self.refresh_adjustments()

    def refresh_due(self, today: date) -> None:
        plan, _ = self.backplan.health()
        due_dates = {k: v.due for k, v in plan.nodes.items()} if plan and plan.ready else None
        self._due = progress.due_soon(self.session, today, days=14, due_dates=due_dates)
        self._due = _with_communications(self._due, self.session, today)
        rows: list[tuple[str, list[Text]]] = []
        for item in self._due:
            when = f"{-item.days_left}d overdue" if item.days_left < 0 else f"in {item.days_left}d"
            cells = [
                Text(f"{item.due:%d %b} ({when})", style="bold" if item.days_left < 0 else ""),
                Text(DUE_KINDS.get(item.kind, item.kind)),
                cell(item.title),
                cell(item.owner),
                Text(item.status),
            ]
            rows.append((f"{item.kind}:{item.id}", cells))
        if not self._due:
            empty = [Text(""), Text(""), Text("Nothing due in the next 14 days.")]
            empty += [Text(""), Text("")]
            rows.append(("none", empty))
        self.query_one(DueTable).fill(rows)

    def refresh_adjustments(self) -> None:
        adjustments = self.session.adjustments
        if not adjustments:
            self.query_one("#adjustments", Static).update(
                Content("Adjustments: none logged yet (j logs what changed and why).")
            )
            return
        lines = [Content.styled(f"Adjustments ({len(adjustments)})", "bold")]
        # Newest first, also within a day (the later entry of a day was logged later).
        for adj in sorted(reversed(adjustments), key=lambda a: a.date, reverse=True)[:5]:
            lines.append(
                fmt("$d  $w — [dim]$y[/dim]", d=adj.date.isoformat(), w=adj.what, y=adj.why)
            )
        self.query_one("#adjustments", Static).update(Content("\n").join(lines))

    @on(DataTable.RowHighlighted, "#kpis")
    def show_kpi_detail(self) -> None:
        detail = self.query_one("#kpi-detail", Static)
        table = self.query_one("#kpis", DataTable)
        if not self._progress or table.row_count == 0:
            detail.update(Content("No outcomes yet: add them in step 1 (the future state)."))
            return
        p = self._progress[min(table.cursor_row, len(self._progress) - 1)]
        parts = [Content(progress.describe(p)), *self.milestone_lines(p.outcome_id)]
        detail.update(Content("\n").join(parts))

    def milestone_lines(self, outcome_id: str) -> list[Content]:
        """The outcome against its milestone line: expected today, the next milestone's
        verdict (``core.milestones``); nothing when no milestone targets it."""
        from backplan_tui.core import milestones

        outcome = next((o for o in self.session.future_state.outcomes if o.id == outcome_id), None)
        if outcome is None:
            return []
        plan, _ = self.backplan.health()
        status = milestones.check(self.session, outcome, plan, self.backplan.today())
        return [safe(line) for line in milestones.describe(status)]

    # --- check-ins --------------------------------------------------------------------------

    def checkin_fields(self) -> list[Field]:
        fields = [Field("date", "Date", kind="date", required=True)]
        for outcome in self.session.future_state.outcomes:
            unit = f" ({outcome.unit})" if outcome.unit else ""
            fields.append(
                Field(f"value_{outcome.id}", f"{outcome.metric}{unit}"[:22], kind="float")
            )
        fields.append(
            Field(
                "confidence",
                "Confidence",
                kind="choice",
                required=True,
                choices=[(CONFIDENCE_LABELS[c], c) for c in CONFIDENCES],
            )
        )
        fields.append(Field("note", "Note", kind="long"))
        return fields

    def _latest(self, outcome_id: str) -> str:
        for p in getattr(self, "_progress", []):
            if p.outcome_id == outcome_id and p.latest is not None:
                return progress.format_value(p.latest, p.unit)
        return ""

    def _checkin_from(self, values: dict[str, Any], into: CheckIn | None = None) -> CheckIn:
        actuals = {
            o.id: float(values[f"value_{o.id}"])
            for o in self.session.future_state.outcomes
            if values.get(f"value_{o.id}") is not None
        }
        checkin = into or CheckIn(date=values["date"])
        checkin.date = values["date"]
        checkin.values = actuals
        checkin.confidence = values["confidence"]
        checkin.note = values["note"]
        return checkin

    def action_checkin(self, existing: CheckIn | None = None) -> None:
        values: dict[str, Any] = {"date": self.backplan.today(), "confidence": "on_track"}
        if existing is not None:
            values = {
                "date": existing.date,
                "confidence": existing.confidence,
                "note": existing.note,
                **{f"value_{k}": v for k, v in existing.values.items()},
            }

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            checkin = self._checkin_from(result, existing)
            if existing is None:
                self.session.checkins.append(checkin)
            self.session.checkins.sort(key=lambda c: c.date)
            self.changed(f"check-in {checkin.date.isoformat()}")
            self.reload()

        title = "Record a check-in" if existing is None else "Edit the check-in"
        self.app.push_screen(FormScreen(title, self.checkin_fields(), values), done)

    def action_checkins(self) -> None:
        self.app.push_screen(CheckinsScreen(), self._after_checkins)

    def _after_checkins(self, choice: tuple[str, int] | None) -> None:
        if choice is None or self.refuse_read_only():
            self.reload()
            return
        verb, index = choice
        checkins = self.session.checkins
        if not 0 <= index < len(checkins):
            return
        if verb == "edit":
            self.action_checkin(checkins[index])
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                removed = checkins.pop(index)
                self.changed(f"delete check-in {removed.date.isoformat()}")
                self.reload()

        self.app.push_screen(
            ConfirmScreen(f"Delete the check-in of {checkins[index].date.isoformat()}?"),
            confirmed,
        )

    def action_cadence(self) -> None:
        current = progress.review_cadence(self.session)
        following = (
            progress.CADENCES[(progress.CADENCES.index(current) + 1) % len(progress.CADENCES)]
            if current in progress.CADENCES
            else progress.CADENCES[0]
        )
        progress.set_review_cadence(self.session, following)
        self.changed(f"review cadence {following}")
        self.reload()
        toast(self, f"Review cadence: {following}.", timeout=2)

    # --- due items --------------------------------------------------------------------------

    def _selected_due(self) -> progress.DueItem | None:
        table = self.query_one(DueTable)
        if not self._due or table.row_count == 0:
            return None
        return self._due[min(table.cursor_row, len(self._due) - 1)]

    def action_mark_done(self) -> None:
        item = self._selected_due()
        if item is None:
            return
        if item.kind == stakeholders.COMM_KIND:
            self.mark_sent(item)
            return
        if item.kind == "node":
            node = self.session.node(item.id)
            if node is None:
                return
            node.status = "done"
        else:
            pilot = next((p for p in self.session.pilots if p.id == item.id), None)
            if pilot is None:
                return
            pilot.status = "done"
        self.changed(f"mark done: {item.title}")
        self.reload()
        toast(self, f"Done: {item.title}", timeout=2)

    def action_result(self) -> None:
        item = self._selected_due()
        pilot = None
        if item is not None and item.kind == "pilot":
            pilot = next((p for p in self.session.pilots if p.id == item.id), None)
        if pilot is None:
            toast(self, "Highlight a pilot in the due list to record its result.", timeout=3)
            return
        fields = [
            Field("result", "Result", kind="long", placeholder="what the numbers showed"),
            Field("decision", "Decision", kind="choice", choices=[(d, d) for d in DECISIONS if d]),
            Field(
                "status",
                "Status",
                kind="choice",
                required=True,
                choices=[(s, s) for s in ("planned", "running", "done")],
            ),
        ]
        values = {"result": pilot.result, "decision": pilot.decision, "status": pilot.status}

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            pilot.result, pilot.decision, pilot.status = (
                result["result"],
                result["decision"],
                result["status"],
            )
            self.changed(f"result of {pilot.name}")
            self.reload()

        self.app.push_screen(FormScreen(fmt("Result: $n", n=pilot.name), fields, values), done)

    # --- adjustments ------------------------------------------------------------------------

    def action_adjust(self) -> None:
        fields = [
            Field("what", "What changed", required=True),
            Field("why", "Why", kind="long"),
        ]

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            self.session.adjustments.append(
                Adjustment(date=self.backplan.today(), what=result["what"], why=result["why"])
            )
            self.changed(f"log adjustment {result['what']}")
            self.reload()

        self.app.push_screen(FormScreen("Log an adjustment", fields, {}), done)

    def action_owners(self) -> None:
        """Who owns what and when, and who has too much at once (``screens.owners``)."""
        self.backplan.open_owners()

    # --- stakeholders and the communication plan ----------------------------------------------

    def action_stakeholders(self, item_id: str = "") -> None:
        from backplan_tui.tui.screens.stakeholders import StakeholdersScreen

        self.app.push_screen(StakeholdersScreen(focus=item_id))

    def focus_item(self, item_id: str) -> None:
        """From the findings panel: a stakeholder or a communication opens their screen."""
        session = self.session
        ids = {k.id for k in session.stakeholders} | {c.id for c in session.communications}
        if item_id in ids:
            self.action_stakeholders(item_id)

    def mark_sent(self, item: progress.DueItem) -> None:
        """x on a communication in the due list: sent today, its next date moves on."""
        comm = next((c for c in self.session.communications if c.id == item.id), None)
        if comm is None:
            return
        following = stakeholders.mark_sent(comm, self.backplan.today())
        self.changed(f"sent: {comm.what}")
        self.reload()
        then = f"next {following.isoformat()}" if following else "done"
        toast(self, f"Sent: {comm.what}; {then}.", timeout=2)

    def action_home(self) -> None:
        self.backplan.close_document()
        self.app.pop_screen()

    def action_export(self) -> None:
        from backplan_tui.tui.screens.export import open_export

        open_export(self.app, self.session, self.backplan.today())

    def action_report(self) -> None:
        """The progress report: the export form with "Progress report, Markdown" chosen
        (HTML one choice away); the path can be changed before it is written."""
        from backplan_tui.tui.screens.export import open_export

        open_export(self.app, self.session, self.backplan.today(), fmt="report-md")

    def action_back_to_step(self, from_ctrl_b: bool = False) -> None:
        """Back to the step Track was opened from (from home: the session's current step)."""
        self.goto_step(self.came_from or self.session.current_step)


class CheckinsScreen(BackplanModal[tuple[str, int] | None]):
    """The check-in history: e/Enter edits, d deletes, Esc closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="checkins.close"),
        Binding("e,enter", "pick('edit')", "Edit", id="checkins.edit"),
        Binding("d,delete", "pick('delete')", "Delete", id="checkins.delete"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="checkins-dialog", classes="dialog"):
            yield Static(Content.styled("Check-ins", "bold"), classes="dialog-title")
            yield DataTable(id="checkin-table", cursor_type="row", zebra_stripes=True)
            yield Static("e edit · d delete · Esc close", classes="hint", markup=False)

    def on_mount(self) -> None:
        session: Any = self.backplan.session
        metrics = {o.id: o.metric for o in session.future_state.outcomes}
        table = self.query_one(DataTable)
        table.add_columns("Date", "Confidence", "Values", "Note")
        for index, checkin in enumerate(session.checkins):
            values = ", ".join(
                f"{metrics.get(k, k)} {progress.format_number(v)}"
                for k, v in checkin.values.items()
            )
            table.add_row(
                Text(checkin.date.isoformat()),
                Text(CONFIDENCE_LABELS.get(checkin.confidence, checkin.confidence)),
                cell(values, width=36),
                cell(checkin.note, width=24),
                key=str(index),
            )
        table.focus()

    def action_pick(self, verb: str) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.dismiss((verb, table.cursor_row))

    def action_close(self) -> None:
        self.dismiss(None)


DUE_TITLE_KEYS = " · k stakeholders and communication"
DUE_KINDS = {"node": "map", "pilot": "pilot", stakeholders.COMM_KIND: "comm"}


def _with_communications(
    due: list[progress.DueItem], session: Any, today: date
) -> list[progress.DueItem]:
    """The due map nodes and pilots, with the communications due beside them (by date;
    stable: nodes, pilots, then communications within a day)."""
    return sorted([*due, *stakeholders.due_items(session, today)], key=lambda item: item.due)


def _rich(style: str) -> str:
    """Theme variables are for Content; rich Text cells get plain styles."""
    return " ".join(part for part in style.split() if not part.startswith("$"))
