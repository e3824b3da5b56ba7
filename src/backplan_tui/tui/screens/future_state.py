"""Step 1 — the future state: what success looks like, in numbers, by when."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.events import DescendantFocus
from textual.widgets import Input, Label, Static, TextArea

from backplan_tui.core.coach import smart_check
from backplan_tui.core.coach.rules_future import guess_direction
from backplan_tui.core.dates import parse_date
from backplan_tui.core.model import DIRECTIONS, Outcome
from backplan_tui.core.textclean import clean_text
from backplan_tui.tui.conflicts import conflicted_ids, marked
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.screens.base import TableStepScreen
from backplan_tui.tui.text import cell, fmt, plain
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import ItemTable

DIRECTION_LABELS = {
    "increase": "increase ↑",
    "decrease": "decrease ↓",
    "stay_above": "stay above ≥",
    "stay_below": "stay below ≤",
}

# In the table the arrow comes first: a narrow column cuts the word, never the arrow
TABLE_DIRECTIONS = {
    "increase": "↑ increase",
    "decrease": "↓ decrease",
    "stay_above": "≥ stay above",
    "stay_below": "≤ stay below",
}


def number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def fmt_value(value: object) -> str:
    return number(value) if isinstance(value, float) else str(value or "—")


class GoalArea(TextArea):
    """The goal's text box: Ctrl+Z / Ctrl+Y undo its typing first, then the step's edits.

    A TextArea keeps its own history and takes the keys, so with nothing typed in it yet
    Ctrl+Z did nothing at all, though the footer offers Undo."""

    def action_undo(self) -> None:
        if self.history.undo_stack:
            super().action_undo()
        else:
            self.call_later(self.run_action, "screen.undo")

    def action_redo(self) -> None:
        if self.history.redo_stack:
            super().action_redo()
        else:
            self.call_later(self.run_action, "screen.redo")


def outcome_fields(guess: bool = False) -> list[Field]:
    """The outcome form; with ``guess`` (a new outcome) Direction may stay blank: it is then
    guessed from the baseline and the target (14 -> 3 decreases)."""
    return [
        Field("metric", "Metric", required=True, placeholder="what you measure"),
        Field("unit", "Unit", placeholder="%, days, €, people ..."),
        Field("baseline", "Baseline", kind="float", placeholder="where it is today"),
        Field("target", "Target", kind="float"),
        Field(
            "direction",
            "Direction",
            kind="choice",
            required=not guess,
            choices=[(DIRECTION_LABELS[d], d) for d in DIRECTIONS],
            placeholder="guess from the numbers" if guess else "",
        ),
        Field("due", "Due", kind="date"),
    ]


class FutureStateScreen(TableStepScreen):
    STEP = "future_state"
    TABLE_ID = "outcomes"
    KIND = "outcome"

    def items(self) -> list[Outcome]:
        return self.session.future_state.outcomes

    def item_name(self, item: Outcome) -> str:
        return item.metric

    def refresh_items(self, select: str | None = None) -> None:
        self.refresh_outcomes(select)

    def on_item_deleted(self, item: Outcome) -> None:
        for pilot in self.session.pilots:
            if pilot.outcome == item.id:
                pilot.outcome = ""

    def compose_body(self) -> ComposeResult:
        fs = self.session.future_state
        with Vertical(id="body"):
            with Grid(id="goal-form"):
                yield Label("Goal")
                statement = GoalArea(
                    clean_text(fs.statement),
                    id="statement",
                    soft_wrap=True,
                    compact=True,
                    placeholder="By <date>, <who> <what changes> from <baseline> to <target>",
                )
                statement.show_line_numbers = False
                yield statement
                yield Label("Target date")
                yield Input(
                    fs.target_date.isoformat() if fs.target_date else "",
                    id="target-date",
                    placeholder="YYYY-MM-DD",
                    compact=True,
                    select_on_focus=False,  # a Tab too many must not let typing replace it
                )
                yield Label("", classes="field-error")
                yield Static(id="target-date-error", classes="field-error")
                yield Label("Serves")
                yield Input(
                    plain(fs.aligned_objective),
                    id="aligned-objective",
                    placeholder="the organizational objective this goal supports",
                    compact=True,
                    select_on_focus=False,
                )
            yield Static(id="smart", classes="smart")
            yield Static(id="outcomes-title", classes="section-title")
            # The metric shares what the short columns leave: the due date shows whole
            yield ItemTable(
                ["Metric", "Unit", "Baseline", "Target", "Direction", "Due"],
                id="outcomes",
                flex={0: Flex(minimum=10)},
                squeeze={4: 6, 2: 4, 3: 4},  # at 60: "↑ inc…" before the due date goes
            )

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.refresh_outcomes()
        self.refresh_smart()
        if self.read_only:  # the goal's fields cannot be typed into: start on the table
            self.query_one(ItemTable).focus()
        else:
            self.query_one("#statement", TextArea).focus()

    # --- the goal fields ---------------------------------------------------------------------

    @on(TextArea.Changed, "#statement")
    @on(Input.Changed, "#aligned-objective")
    @on(Input.Changed, "#target-date")
    def _field_changed(self) -> None:
        self.commit_fields()

    def commit_fields(self) -> None:
        """Read the goal fields into the session; mark changed only when something differs."""
        fs = self.session.future_state
        statement = clean_text(self.query_one("#statement", TextArea).text).strip()
        objective = plain(self.query_one("#aligned-objective", Input).value).strip()
        date_field = self.query_one("#target-date", Input)
        text = date_field.value.strip()
        target = fs.target_date
        error = ""
        try:
            target = parse_date(text) if text else None  # 1900..2999 (core.dates)
        except ValueError as problem:  # keep the last good date, and say so by the field
            kept = f"; {fs.target_date} is kept" if fs.target_date else ""
            said = str(problem) if "out of range" in str(problem) else "not a date like 2027-12-31"
            error = f"✗ {said}{kept}"
        date_field.set_class(bool(error), "-invalid")
        self.query_one("#target-date-error", Static).update(Content(error))
        for widget in self.query(".field-error"):
            widget.display = bool(error)
        if (statement, objective, target) != (fs.statement, fs.aligned_objective, fs.target_date):
            fs.statement, fs.aligned_objective, fs.target_date = statement, objective, target
            self.changed("type: the goal")

    def reload(self) -> None:
        fs = self.session.future_state
        statement = self.query_one("#statement", TextArea)
        if clean_text(statement.text).strip() != fs.statement:
            statement.text = fs.statement
        objective = self.query_one("#aligned-objective", Input)
        if plain(objective.value).strip() != fs.aligned_objective:
            objective.value = plain(fs.aligned_objective)
        date_field = self.query_one("#target-date", Input)
        shown = fs.target_date.isoformat() if fs.target_date else ""
        if date_field.value.strip() != shown:
            date_field.value = shown
        self.refresh_outcomes()
        self.refresh_smart()

    @on(Input.Blurred, "#target-date")
    def _target_date_left(self) -> None:
        """Leaving the target date after changing it: ask why the goal moved."""
        before = getattr(self, "_date_on_focus", self.session.future_state.target_date)
        self.commit_fields()
        after = self.session.future_state.target_date
        if before is not None and after is not None and before != after:
            self.ask_adjustment(f"Target date moved from {before} to {after}")
        self._date_on_focus = after

    @on(DescendantFocus)
    def _remember_date(self, event: DescendantFocus) -> None:
        if getattr(event.widget, "id", None) == "target-date":
            self._date_on_focus = self.session.future_state.target_date

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        self.focus_next()

    def changed(self, label: str = "edit") -> None:
        super().changed(label)
        self.refresh_smart()

    def refresh_smart(self) -> None:
        letters = smart_check(self.session, self.backplan.today())
        parts = [Content.styled("SMART ", "bold")]
        for letter in letters:
            mark = "✓" if letter.ok else "✗"
            style = "$success" if letter.ok else "$warning bold"
            parts.append(Content.styled(f"{letter.letter}{mark} ", style))
        missing = [letter for letter in letters if not letter.ok]
        if missing:
            parts.append(fmt("— $name: $advice", name=missing[0].name, advice=missing[0].advice))
        else:
            parts.append(Content("— a SMART goal."))
        self.query_one("#smart", Static).update(Content("").join(parts))

    # --- outcomes ----------------------------------------------------------------------------

    def refresh_outcomes(self, select: str | None = None) -> None:
        outcomes = self.session.future_state.outcomes
        self.query_one("#outcomes-title", Static).update(
            fmt(
                "[b]Outcomes[/b] ($n) — measurable KPIs · [dim]a add · enter edit · d delete[/]",
                n=len(outcomes),
            )
        )
        conflicted = conflicted_ids(self.session, "future_state.outcomes")
        rows = [
            (
                o.id,
                [
                    marked(o.metric, o.id in conflicted),
                    cell(o.unit),
                    Text(number(o.baseline), justify="right"),
                    Text(number(o.target), justify="right"),
                    Text(TABLE_DIRECTIONS.get(o.direction, o.direction)),
                    Text(o.due.isoformat() if o.due else ""),
                ],
            )
            for o in outcomes
        ]
        self.query_one(ItemTable).fill(rows, select)

    def action_add_item(self) -> None:
        defaults = {"due": self.session.future_state.target_date}

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            if not values["direction"]:
                values["direction"] = (
                    guess_direction(values["baseline"], values["target"]) or "increase"
                )
            outcome = Outcome(id=self.session.new_id("o"), **values)
            self.session.future_state.outcomes.append(outcome)
            self.changed(f"add outcome {outcome.metric}")
            self.refresh_outcomes(select=outcome.id)

        self.app.push_screen(FormScreen("New outcome", outcome_fields(guess=True), defaults), done)

    def action_edit_item(self) -> None:
        outcome = self.selected_item()
        if outcome is None:
            self.action_add_item()
            return
        values = {f.name: getattr(outcome, f.name) for f in outcome_fields()}

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            moved = [
                f"{label} of {outcome.metric} moved from {fmt_value(getattr(outcome, name))} "
                f"to {fmt_value(result[name])}"
                for name, label in (("target", "Target"), ("due", "Due date"))
                if getattr(outcome, name) is not None and result[name] != getattr(outcome, name)
            ]
            for name, value in result.items():
                setattr(outcome, name, value)
            self.changed(f"edit outcome {outcome.metric}")
            self.refresh_outcomes(select=outcome.id)
            if moved:
                self.ask_adjustment("; ".join(moved))

        self.app.push_screen(
            FormScreen(fmt("Edit outcome: $m", m=outcome.metric), outcome_fields(), values), done
        )
