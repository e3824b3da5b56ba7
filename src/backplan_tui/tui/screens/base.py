"""What every workshop screen shares: header, stepper, guiding prompts, step keys, autosave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Key
from textual.widgets import DataTable, Header, Input, Static, TextArea

from backplan_tui.core import templates
from backplan_tui.core.model import ALL_STEPS, STEP_TITLES, STEPS, Session
from backplan_tui.core.textclean import split_names
from backplan_tui.core.timebox import MAX_MINUTES, MIN_MINUTES
from backplan_tui.tui import readonly
from backplan_tui.tui.contracts import HoldsFields, ShowsSession, ShowsTimer
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.text import fmt, plain, safe, safe_block, toast
from backplan_tui.tui.typed import BackplanScreen
from backplan_tui.tui.widgets.chrome import Footer  # drawn with the screen (Textual's: ~1 s later)
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import ItemTable
from backplan_tui.tui.widgets.prompts import Prompts
from backplan_tui.tui.widgets.stepper import SaveIndicator, Stepper


def agenda_steps() -> tuple[str, ...]:
    return STEPS


_T = TypeVar("_T")


def copy_bindings() -> list[Binding]:
    """``c`` in a read-only session (check_action shows it there only, first in the footer):
    work on a copy.  One binding per reason, so that the footer says which.  A screen that
    binds ``c`` itself lists these first again (a subclass's key replaces the base's)."""
    return [
        Binding(readonly.COPY_KEY, f"work_on_copy('{kind}')", description, id=f"step.copy.{kind}")
        for kind, description in readonly.COPY_LABELS.items()
    ]


class StepScreen(HoldsFields, ShowsSession, ShowsTimer, BackplanScreen[None]):
    """Base of the four step screens and the summary (and Track).

    It holds fields (``commit_fields``, filled in by screens with live text) and shows the
    timebox (``show_timer``): the app finds both by these bases (``tui.contracts``)."""

    STEP: ClassVar[str] = ""
    BINDINGS = [
        *copy_bindings(),
        # Shown (first, so it fits at 80 columns) only while the session has conflicts.
        Binding("exclamation_mark", "conflicts", "Conflicts", key_display="!", id="step.conflicts"),
        Binding("ctrl+n", "next_step", "Next step", id="step.next"),
        Binding("ctrl+b", "previous_step", "Prev step", id="step.previous"),
        Binding("ctrl+r", "summary", "Summary", id="step.summary"),
        Binding("ctrl+s", "save", "Save", id="step.save"),
        Binding("escape", "home", "Home", id="step.home"),
        Binding("ctrl+l", "park", "Park it", id="step.park"),
        Binding("f2", "details", "Details", id="step.details"),
        Binding("f9", "presenter", "Presenter", id="step.presenter"),
        Binding("ctrl+z", "undo", "Undo", id="step.undo"),
        Binding("ctrl+y", "redo", "Redo", id="step.redo"),
        Binding("ctrl+g", "health", "Health", id="step.health"),
        Binding("ctrl+t", "track", "Track", id="step.track"),
        Binding("f3", "timer", "Timer", id="step.timer"),
        Binding("f4", "extend_timer", "+5 min", id="step.extend", show=False),
        Binding("f8", "reset_timer", "Reset timer", id="step.reset_timer", show=False),
        Binding("f5,f", "follow", "Follow/browse", key_display="F5", id="step.follow"),
    ]

    @property
    def session(self) -> Session:
        return self.backplan.session

    def edit_mark(self) -> tuple[int, int, date]:
        """Changes with every edit, undo or redo, and with the day: what a cache of
        something drawn from the session (a detail panel, an index) is keyed on."""
        doc = self.backplan.document
        if doc is None:  # no session open: nothing was drawn from one
            return (0, 0, self.backplan.today())
        return (id(doc.session), doc.edits, self.backplan.today())

    def per_edit(self, name: str, build: Callable[[], _T]) -> _T:
        """``build()``, made again only after an edit, undo or redo (``edit_mark``): the
        indexes a cursor move looks things up in."""
        mark = self.edit_mark()
        if self._per_edit is None:
            self._per_edit = {}
        made = self._per_edit.get(name)
        if made is None or made[0] != mark:
            made = self._per_edit[name] = (mark, build())
        built: _T = made[1]
        return built

    _per_edit: dict[str, tuple[Any, Any]] | None = None  # name -> (edit mark, what was built)

    def compose(self) -> ComposeResult:
        yield Header(icon="◎")
        with Horizontal(id="step-bar"):
            yield Stepper(id="stepper")
            yield Static(id="timer", classes="timer")
            yield SaveIndicator(id="save-state")
        yield Prompts(self.all_prompt_blocks(), id="prompts", classes="prompts")
        yield from self.compose_body()
        yield Footer()

    # --- read-only ---------------------------------------------------------------------------

    _read_only_kind: str | None = None  # why the session is read-only (None: it is not)
    _probing = False  # check_action answers as for a writable session (see on_key)

    @property
    def read_only(self) -> bool:
        return readonly.is_read_only(self.app)

    def read_only_kind(self) -> str | None:
        """Why the session is read-only ("locked", "newer", "folder", "other"), worked out
        once per screen (it reads the lock file); None when it can be edited."""
        if not self.read_only:
            return None
        if self._read_only_kind is None:
            self._read_only_kind = readonly.kind(self.app)
        return self._read_only_kind

    def all_prompt_blocks(self) -> list[Content]:
        """The guiding prompts, after the read-only notice when the session is read-only."""
        blocks = self.prompt_blocks()
        if self.read_only:
            notice = readonly.reason(self.app) + f" {readonly.COPY_KEY} works on a copy."
            blocks = [safe(notice, "bold $warning"), *blocks]
        return blocks

    def refuse_read_only(self) -> bool:
        """In a read-only session: say why nothing can change, and return True."""
        if not self.read_only:
            return False
        toast(self, readonly.refusal(self.app), title="Read-only", severity="warning", timeout=6)
        return True

    def on_key(self, event: Key) -> None:
        """A key that would change a read-only session says why, instead of doing nothing.

        Its binding is hidden (check_action), so Textual would let the key fall through in
        silence; the bindings are read as for a writable session to know what it meant.
        ``!`` with no conflicts (hidden then too) says there are none.
        """
        if event.key == "exclamation_mark" and not self.session.conflicts:
            event.stop()
            toast(self, "No conflicts: every field has one value.", timeout=3)
            return
        if not self.read_only:
            return
        now = self.active_bindings.get(event.key)
        if now is not None and now.enabled:
            return  # a key that works read-only (c for a copy, the step keys)
        self._probing = True
        try:
            active = self.active_bindings.get(event.key)
        finally:
            self._probing = False
        if active is not None and readonly.action_name(active.binding.action) in (
            readonly.MUTATING_ACTIONS
        ):
            event.stop()
            event.prevent_default()
            self.refuse_read_only()

    def disable_fields_if_read_only(self) -> None:
        """Text fields of a read-only session cannot be typed into (they stay readable)."""
        if self.read_only:
            for field in self.query("Input, TextArea"):
                if isinstance(field, (Input, TextArea)):
                    field.disabled = True

    def action_work_on_copy(self, kind: str = "") -> None:
        """Copy the read-only session and open the copy, writable, at this step."""
        self.backplan.work_on_copy(self.STEP)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def prompt_blocks(self) -> list[Content]:
        """The guiding prompts, one block each (shown whole or left out when space is short)."""
        prompts = templates.prompts(self.session.template).get(self.STEP, [])
        return [safe_block(f"› {p}") for p in prompts]

    def on_mount(self) -> None:
        self.set_class(self.backplan.presenter, "-presenter")
        self.set_class(self.read_only, "-read-only")
        self.sub_title = STEP_TITLES.get(self.STEP, self.sub_title)
        self.show_here(self.backplan.here)
        self.watch(self.app, "save_state", self._show_save_state)
        if self.backplan.document is not None:
            self._shown_edits = self.backplan.document.edits
        self.refresh_stepper()
        self.show_conflict_count()
        self.show_timer()
        self.disable_fields_if_read_only()

    def _show_save_state(self, state: str) -> None:
        kind = self.read_only_kind() if state == "read-only" else None
        label = readonly.SHORT.get(kind) if kind is not None else None
        self.query_one(SaveIndicator).show(state, label)

    def refresh_stepper(self) -> None:
        from backplan_tui.core.coach import step_health

        _, findings = self.backplan.health()
        health = step_health(self.session, self.backplan.today(), findings)
        self.query_one(Stepper).show(self.session, self.STEP, health)

    _shown_edits: int = -1

    def on_screen_resume(self) -> None:
        """Back from a dialog (parking lot, details, undo ...): show the session as it is.

        Only when the session changed behind this screen's back: the screen's own edits
        refresh what they touch, so a 500-node tree is not rebuilt twice per edit.
        """
        doc = self.backplan.document
        if doc is None or doc.edits == self._shown_edits:
            return
        self.session_changed()

    def session_changed(self) -> None:
        """The session changed behind this screen (a dialog's edit, an undo, another
        process's save merged in): show it again, each cursor on the item it was on."""
        doc = self.backplan.document
        if doc is None:
            return
        self._shown_edits = doc.edits
        self.title = plain(self.session.title)
        self.refresh_stepper()
        self.show_conflict_count()
        self.reload()

    def show_here(self, text: str, *, again: bool = True) -> None:
        """Who else is in the session, in the header after the step's name (once the
        header is composed: its title widget follows ``sub_title``)."""
        if not self.query("HeaderTitle"):
            if again:
                self.call_after_refresh(lambda: self.show_here(self.backplan.here, again=False))
            return
        title = STEP_TITLES.get(self.STEP) or self.STEP.title()
        if text:
            self.sub_title = f"{title} · {plain(text)}"
        elif (self.sub_title or "").startswith(f"{title} · "):
            self.sub_title = title

    def reload(self) -> None:
        """Re-read every item from the session (each step screen fills this in)."""

    def commit_fields(self) -> None:
        """Copy any on-screen field into the session (screens with live fields override)."""

    def changed(self, label: str = "edit") -> None:
        """After an edit: an undo step named ``label``, autosave, the stepper's marks."""
        self.backplan.changed(label)
        if self.backplan.document is not None:
            self._shown_edits = self.backplan.document.edits
        self.refresh_stepper()
        self.show_conflict_count()

    # --- conflicts left by a merge ---------------------------------------------------------

    def show_conflict_count(self) -> None:
        """The header says "⚠ 2 conflicts" before the session's title while there are any
        (in words: the room reads it, not a colour), and the ``!`` key shows in the footer."""
        from backplan_tui.core.conflicts import count_label

        label = count_label(len(self.session.conflicts))
        if label or self.title is not None:
            title = plain(self.session.title)
            self.title = f"{label} · {title}" if label else title
        if label != self._conflict_label:
            self._conflict_label = label
            self.refresh_bindings()

    _conflict_label = ""

    def action_conflicts(self) -> None:
        """``!``: every conflict in words; one key settles each (``screens.conflicts``)."""
        from backplan_tui.tui.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen())

    # --- facilitation ----------------------------------------------------------------------

    def action_park(self) -> None:
        from backplan_tui.tui.screens.parking_lot import ParkingLotScreen

        self.app.push_screen(ParkingLotScreen())

    def action_details(self) -> None:
        """F2: who is in the room, votes per person and this session's timebox per step."""
        session = self.session
        fields = [
            Field("title", "Title", required=True),
            Field("team", "Team"),
            Field("facilitator", "Facilitator"),
            Field("participants", "Participants", placeholder="names, separated by commas"),
            Field("votes_per_person", "Votes per person", kind="int", minimum=1, maximum=12),
        ]
        values = {
            "title": session.title,
            "team": session.team,
            "facilitator": session.facilitator,
            "participants": ", ".join(session.participants),
            "votes_per_person": session.facilitation.votes_per_person,
        }
        plan = self.backplan.agenda
        for step in STEPS:
            fields.append(
                Field(
                    f"timebox_{step}",
                    f"{STEP_TITLES[step]} (min)",
                    kind="int",
                    minimum=MIN_MINUTES,
                    maximum=MAX_MINUTES,
                )
            )
            minutes = session.facilitation.timebox_minutes.get(step)
            if plan is not None:  # what the countdown uses (a bad value in the file: default)
                minutes = int(plan.timebox(step).planned_seconds // 60)
            values[f"timebox_{step}"] = minutes

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            session.title = result["title"]
            session.team = result["team"]
            session.facilitator = result["facilitator"]
            session.participants = split_names(result["participants"])
            if result["votes_per_person"] is not None:
                session.facilitation.votes_per_person = int(result["votes_per_person"])
            for step in STEPS:  # a blank field keeps the step's plan
                minutes = result[f"timebox_{step}"]
                if minutes is not None:
                    session.facilitation.timebox_minutes[step] = int(minutes)
            self.app.title = plain(session.title)
            self.changed("edit session details")
            self._replan_timer()

        hint = (
            f"Votes per person: 1-12. Timeboxes: {MIN_MINUTES}-{MAX_MINUTES} minutes per step; "
            "a running clock keeps the time it has counted."
        )
        self.app.push_screen(FormScreen("Session details", fields, values, hint=hint), done)

    def ask_adjustment(self, what: str) -> None:
        """A date or target moved: ask why (Esc skips) and log it in the adjustments."""
        from backplan_tui.core.model import Adjustment

        def done(result: dict[str, Any] | None) -> None:
            why = (result or {}).get("why", "")
            self.session.adjustments.append(
                Adjustment(date=self.backplan.today(), what=what, why=why)
            )
            self.changed(f"log adjustment {what}")

        self.app.push_screen(
            FormScreen(
                fmt("[b]$w[/b] — why? (Enter logs it; Esc logs it without a reason)", w=what),
                [Field("why", "Reason", placeholder="one line for the adjustments log")],
                {},
                submit_label="Log",
                cancel_label="Log, no reason",
            ),
            done,
        )

    def action_track(self) -> None:
        self.backplan.open_track()

    def action_health(self) -> None:
        from backplan_tui.tui.screens.health import HealthScreen

        def jump(target: tuple[str, str] | None) -> None:
            if target is None:
                return
            step, item_id = target
            if step != self.STEP and step in ALL_STEPS:
                self.goto_step(step)
                self.app.call_after_refresh(self._focus_on_new_screen, item_id)
            else:
                self.focus_item(item_id)

        self.app.push_screen(HealthScreen(self.STEP), jump)

    def _focus_on_new_screen(self, item_id: str) -> None:
        screen = self.app.screen
        if isinstance(screen, StepScreen):
            screen.focus_item(item_id)

    def focus_item(self, item_id: str) -> None:
        """Put the cursor on an item (from the findings panel); screens with items override."""

    def action_undo(self) -> None:
        label = self.backplan.undo()
        self._after_undo(f"Undone: {label}" if label else "Nothing to undo.")

    def action_redo(self) -> None:
        label = self.backplan.undo(redo=True)
        self._after_undo(f"Redone: {label}" if label else "Nothing to redo.")

    def _after_undo(self, message: str) -> None:
        doc = self.backplan.document
        if doc is not None:
            self._shown_edits = doc.edits
        self._replan_timer()  # an undone F2 edit takes its planned minutes back too
        self.refresh_stepper()
        self.show_conflict_count()
        self.reload()
        toast(self, message, timeout=2)

    # --- the timebox ------------------------------------------------------------------------

    def _replan_timer(self) -> None:
        """Planned minutes changed in the session: every step's countdown follows them."""
        agenda = self.backplan.agenda
        if agenda is not None:
            agenda.replan(self.session)
        for prompts in self.query(Prompts):  # the summary's agenda line (Track has none)
            prompts.update(self.all_prompt_blocks())
        self.show_timer()

    def show_timer(self) -> None:
        """The step's countdown: text carries the state (▶ running, ‖ paused, -mm:ss over)."""
        timer = self.query_one("#timer", Static)
        agenda = self.backplan.agenda
        if agenda is None or self.STEP not in agenda_steps():
            timer.display = False
            return
        room = self.backplan.room_timer_text(self.STEP)
        if room is not None:  # following the facilitator: the room's clock
            text, running, over = room
            timer.update(Content(f"{'▶' if running else '‖'} {text} (room)"))
            timer.set_class(over, "-overrun")
            timer.set_class(running, "-running")
            return
        box = agenda.timebox(self.STEP)
        now = self.backplan.clock()
        state = "▶" if box.running else "‖"
        timer.update(Content(f"{state} {box.clock(now)}"))
        timer.set_class(box.is_over(now), "-overrun")
        timer.set_class(box.running, "-running")

    def action_timer(self) -> None:
        if self.STEP in agenda_steps():
            self.backplan.toggle_timer(self.STEP)

    def action_extend_timer(self) -> None:
        if self.STEP in agenda_steps():
            self.backplan.extend_timer(self.STEP)

    def action_reset_timer(self) -> None:
        if self.STEP in agenda_steps():
            self.backplan.reset_timer(self.STEP)

    def action_presenter(self) -> None:
        self.backplan.toggle_presenter()

    def action_follow(self) -> None:
        self.backplan.action_follow()

    # --- navigation ------------------------------------------------------------------------

    def goto_step(self, step: str) -> None:
        """Go to ``step``.  A read-only session only changes screens: the app's step change
        marks the session changed to save its ``current_step``, and a read-only session
        cannot be saved (that would say "NOT SAVED" about edits nobody made)."""
        doc = self.backplan.document
        if doc is not None and doc.read_only and step in ALL_STEPS:
            doc.session.current_step = step
            self.app.switch_screen(self.backplan.make_step_screen(step))
            return
        self.backplan.goto_step(step)

    def action_next_step(self) -> None:
        index = ALL_STEPS.index(self.STEP)
        if index + 1 < len(ALL_STEPS):
            self.goto_step(ALL_STEPS[index + 1])

    def action_previous_step(self) -> None:
        index = ALL_STEPS.index(self.STEP)
        if index > 0:
            self.goto_step(ALL_STEPS[index - 1])

    def action_summary(self) -> None:
        if self.STEP != "summary":
            self.goto_step("summary")

    def action_save(self) -> None:
        self.backplan.action_save()

    def action_home(self) -> None:
        self.backplan.close_document()
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.backplan.refuses(action):
            return False  # not this user's (a participant's app): hidden; pressed, says why
        if action == "work_on_copy":
            return bool(parameters) and parameters[0] == self.read_only_kind()
        if action == "conflicts":  # shown while there are any; pressed anyway, on_key says none
            doc = self.backplan.document
            return doc is not None and bool(doc.session.conflicts)  # closed: leaving the step
        if action == "follow":  # a participant's key (team mode)
            return self.backplan.workspace.role == "participant"
        if action in readonly.MUTATING_ACTIONS and self.read_only and not self._probing:
            return False  # hidden; pressed anyway, on_key says why
        if action == "next_step" and self.STEP == ALL_STEPS[-1]:
            return None
        if action == "previous_step" and self.STEP == ALL_STEPS[0]:
            return None
        return True


class TableStepScreen(StepScreen):
    """A step whose items sit in one ItemTable (outcomes, questions, pilots).

    The subclass names its table and the kind of item, says where the items live, how one
    is named, and how the table is filled; the verbs every table shares (highlighted item,
    Enter edits, delete, move, focus from the findings panel) live here once.
    """

    TABLE_ID: ClassVar[str] = ""
    KIND: ClassVar[str] = "item"

    def items(self) -> list[Any]:
        raise NotImplementedError

    def item_name(self, item: Any) -> str:
        raise NotImplementedError

    def refresh_items(self, select: str | None = None) -> None:
        raise NotImplementedError

    def on_item_deleted(self, item: Any) -> None:
        """Drop references to a deleted item (e.g. pilots that moved a deleted outcome)."""

    def reload(self) -> None:
        self.refresh_items()

    def table(self) -> ItemTable:
        return self.query_one(f"#{self.TABLE_ID}", ItemTable)

    def selected_item(self) -> Any:
        key = self.table().selected_key()
        return next((item for item in self.items() if item.id == key), None)

    def focus_item(self, item_id: str) -> None:
        self.table().focus_key(item_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == self.TABLE_ID and not self.refuse_read_only():
            self.action_edit_item()

    def action_edit_item(self) -> None:
        raise NotImplementedError

    def action_delete_item(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        name = self.item_name(item)
        self.items().remove(item)
        self.on_item_deleted(item)
        self.changed(f"delete {self.KIND} {name}")
        self.refresh_items()
        toast(self, f"Deleted {self.KIND}: {name}", timeout=3)

    def action_move_item(self, delta: int) -> None:
        item = self.selected_item()
        items = self.items()
        if item is None:
            return
        index = items.index(item)
        if 0 <= index + delta < len(items):
            items[index], items[index + delta] = items[index + delta], items[index]
            self.changed(f"move {self.KIND} {self.item_name(item)}")
            self.refresh_items(select=item.id)
