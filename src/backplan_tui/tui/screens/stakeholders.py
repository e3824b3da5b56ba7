"""Stakeholders and the communication plan: who must be on side, and what each hears when.

Opened with ``k`` on Track, or from the command palette ("Stakeholders") anywhere in a
session.  Two tables: the stakeholders (name, role, interest, influence, stance) and the
communication plan (what, to whom, channel, cadence, next date, owner).  ``a`` adds to the
table that has the focus, Enter or ``e`` edits, ``d`` deletes (asked first), ``s`` marks the
highlighted communication sent (its next date moves along its cadence:
``core.stakeholders.mark_sent``), Tab goes from one table to the other, Ctrl+Z / Ctrl+Y undo
and redo, Esc closes.  Every change goes through the app's ``changed`` (the workspace: an
undo step and an autosave); user text reaches the tables only through ``tui.text``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from backplan_tui.core import stakeholders as plan
from backplan_tui.core.model import CADENCES, LEVELS, STANCES, Communication, Session, Stakeholder
from backplan_tui.tui import readonly
from backplan_tui.tui.contracts import ShowsSession
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.text import cell, fmt, toast
from backplan_tui.tui.typed import BackplanModal
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import FitTable

PROMPT = (
    "Who must be on side, and what does each need to hear? Plan a communication for "
    "everyone who could stop the plan, resistant leaders first."
)
KEYS_HINT = "a add · Enter edit · d delete · s sent · Tab table · ^Z undo · Esc close"
NONE = "none"  # the key of an empty table's placeholder row
STANCE_MARKS = {"champion": "champion", "neutral": "neutral", "resistant": "resistant ⚠"}


def stakeholder_fields() -> list[Field]:
    levels = [(level, level) for level in LEVELS]
    return [
        Field("name", "Name", required=True, placeholder="who: a person or a group"),
        Field("role", "Role", placeholder="e.g. CFO, budget holder"),
        Field("interest", "Interest", kind="choice", required=True, choices=levels),
        Field("influence", "Influence", kind="choice", required=True, choices=levels),
        Field("stance", "Stance", kind="choice", required=True, choices=[(s, s) for s in STANCES]),
        Field("needs", "Needs to hear", kind="long", placeholder="the evidence that moves them"),
    ]


def communication_fields(session: Session) -> list[Field]:
    people = [(k.name or k.id, k.id) for k in session.stakeholders]
    return [
        Field("what", "What", required=True, placeholder="e.g. retention against milestones"),
        Field(
            "audience",
            "To whom",
            kind="multi",
            choices=people,
            extra={"title": "Who hears it", "noun": "stakeholder"},
        ),
        Field("channel", "Channel", placeholder="steering meeting, email, 1:1 ..."),
        Field(
            "cadence", "Cadence", kind="choice", required=True, choices=[(c, c) for c in CADENCES]
        ),
        Field("next", "Next date", kind="date"),
        Field("owner", "Owner", placeholder="who sends it"),
    ]


class StakeholderTable(FitTable):
    BINDINGS = [
        Binding("a", "screen.add('stakeholder')", "Add stakeholder", id="stakeholders.add"),
        Binding("e,enter", "screen.edit('stakeholder')", "Edit", id="stakeholders.edit"),
        Binding("d,delete", "screen.delete('stakeholder')", "Delete", id="stakeholders.delete"),
    ]


class CommunicationTable(FitTable):
    BINDINGS = [
        Binding("a", "screen.add('communication')", "Add communication", id="comms.add"),
        Binding("e,enter", "screen.edit('communication')", "Edit", id="comms.edit"),
        Binding("d,delete", "screen.delete('communication')", "Delete", id="comms.delete"),
        Binding("s", "screen.sent", "Mark sent", id="comms.sent"),
    ]


class StakeholdersScreen(ShowsSession, BackplanModal[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="stakeholders.close"),
        Binding("ctrl+z", "undo", "Undo", id="stakeholders.undo"),
        Binding("ctrl+y", "undo(True)", "Redo", id="stakeholders.redo"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="stakeholders-dialog", classes="dialog"):
            yield Static(
                Content.styled("Stakeholders and communication plan", "bold"),
                classes="dialog-title",
            )
            yield Static(PROMPT, classes="hint", markup=False)
            yield StakeholderTable(
                ["Name", "Role", "Interest", "Influence", "Stance"],
                id="stakeholder-table",
                flex={0: Flex(2, 10), 1: Flex(1, 8)},
            )
            yield Static(id="stakeholder-detail", classes="plan-line")
            yield CommunicationTable(
                ["What", "To", "Channel", "Cadence", "Next", "Owner"],
                id="comm-table",
                flex={0: Flex(3, 10), 1: Flex(2, 6), 2: Flex(1, 6), 5: Flex(1, 5)},
            )
            yield Static(id="comm-detail", classes="plan-line")
            yield Static(KEYS_HINT, classes="hint", markup=False)

    def __init__(self, focus: str = "") -> None:
        super().__init__()
        self.focus_id = focus
        """A stakeholder's or a communication's id: its row has the cursor and the focus."""

    @property
    def session(self) -> Session:
        return self.backplan.session

    def on_mount(self) -> None:
        self.reload(self.focus_id or None)
        if any(c.id == self.focus_id for c in self.session.communications):
            self.query_one(CommunicationTable).focus()
        else:
            self.query_one(StakeholderTable).focus()

    # --- showing ----------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        today = self.backplan.today()
        session = self.session
        people: list[tuple[str, list[Text]]] = [
            (
                k.id,
                [
                    cell(k.name),
                    cell(k.role),
                    Text(k.interest),
                    Text(k.influence),
                    Text(STANCE_MARKS.get(k.stance, k.stance), style=_stance_style(k)),
                ],
            )
            for k in session.stakeholders
        ]
        if not people:
            people = [(NONE, [Text("No stakeholders yet: a adds one."), *[Text("")] * 4])]
        self.query_one(StakeholderTable).fill(people, select=select)
        comms: list[tuple[str, list[Text]]] = []
        for c in session.communications:
            late = c.next is not None and c.next < today
            comms.append(
                (
                    c.id,
                    [
                        cell(c.what),
                        cell(", ".join(plan.audience_names(session, c))),
                        cell(c.channel),
                        Text(c.cadence),
                        Text(c.next.isoformat() if c.next else "—", style="bold" if late else ""),
                        cell(c.owner),
                    ],
                )
            )
        if not comms:
            comms = [(NONE, [Text("No communication planned: a adds one."), *[Text("")] * 5])]
        self.query_one(CommunicationTable).fill(comms, select=select)
        self.show_details()

    @on(DataTable.RowHighlighted)
    def show_details(self) -> None:
        today = self.backplan.today()
        person = self._selected_stakeholder()
        if person is None:
            shown = Content("Stakeholders: interest and influence place them on the grid.")
        else:
            planned = len(plan.planned_for(self.session, person.id))
            shown = fmt(
                "[b]$q[/b] · $p planned · needs: $n",
                q=plan.quadrant(person).capitalize(),
                p=f"{planned} communication{'s' if planned != 1 else ''}",
                n=person.needs or "(not said)",
            )
        self.query_one("#stakeholder-detail", Static).update(shown)
        comm = self._selected_communication()
        if comm is None:
            said = Content("The plan: what goes to whom, how often, when next, by whom.")
        elif comm.next is None:
            said = Content("No next date: " + ("done." if comm.cadence == "once" else "set one."))
        else:
            left = (comm.next - today).days
            when = (
                "today"
                if left == 0
                else (f"in {left} days" if left > 0 else f"{-left} days overdue")
            )
            said = fmt(
                "Next $d ($w) · $c · s marks it sent",
                d=comm.next.isoformat(),
                w=when,
                c=comm.cadence,
            )
        self.query_one("#comm-detail", Static).update(said)

    def _selected_stakeholder(self) -> Stakeholder | None:
        key = self.query_one(StakeholderTable).selected_key()
        return next((k for k in self.session.stakeholders if k.id == key), None)

    def _selected_communication(self) -> Communication | None:
        key = self.query_one(CommunicationTable).selected_key()
        return next((c for c in self.session.communications if c.id == key), None)

    # --- editing ----------------------------------------------------------------------------

    def _refused(self) -> bool:
        if not readonly.is_read_only(self.app):
            return False
        toast(self, readonly.refusal(self.app), title="Read-only", severity="warning", timeout=6)
        return True

    def _changed(self, label: str, select: str | None = None) -> None:
        self.backplan.changed(label)
        self.reload(select)

    def action_add(self, kind: str) -> None:
        if kind == "stakeholder":
            self._edit_stakeholder(None)
        else:
            self._edit_communication(None)

    def action_edit(self, kind: str) -> None:
        if kind == "stakeholder":
            person = self._selected_stakeholder()
            if person is not None:
                self._edit_stakeholder(person)
            else:
                self.action_add(kind)
            return
        comm = self._selected_communication()
        if comm is not None:
            self._edit_communication(comm)
        else:
            self.action_add(kind)

    def _edit_stakeholder(self, person: Stakeholder | None) -> None:
        if self._refused():
            return
        values: dict[str, Any] = {"interest": "medium", "influence": "medium", "stance": "neutral"}
        if person is not None:
            values = {
                "name": person.name,
                "role": person.role,
                "interest": person.interest,
                "influence": person.influence,
                "stance": person.stance,
                "needs": person.needs,
            }

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            target = person
            if target is None:
                target = Stakeholder(id=plan.new_stakeholder_id(self.session))
                self.session.stakeholders.append(target)
            target.name, target.role = result["name"], result["role"]
            target.interest, target.influence = result["interest"], result["influence"]
            target.stance, target.needs = result["stance"], result["needs"]
            verb = "add" if person is None else "edit"
            self._changed(f"{verb} stakeholder {target.name}", select=target.id)

        title = "Add a stakeholder" if person is None else fmt("Edit $n", n=person.name)
        hint = "Interest: how much they care. Influence: how much they can sway the plan."
        self.app.push_screen(FormScreen(title, stakeholder_fields(), values, hint=hint), done)

    def _edit_communication(self, comm: Communication | None) -> None:
        if self._refused():
            return
        values: dict[str, Any] = {"cadence": "monthly", "audience": []}
        person = self._selected_stakeholder()
        if comm is None and person is not None:
            values["audience"] = [person.id]  # most often: a line of the plan for them
        if comm is not None:
            values = {
                "what": comm.what,
                "audience": list(comm.audience),
                "channel": comm.channel,
                "cadence": comm.cadence,
                "next": comm.next,
                "owner": comm.owner,
            }

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            target = comm
            if target is None:
                target = Communication(id=plan.new_communication_id(self.session))
                self.session.communications.append(target)
            target.what, target.audience = result["what"], list(result["audience"])
            target.channel, target.cadence = result["channel"], result["cadence"]
            target.next, target.owner = result["next"], result["owner"]
            verb = "add" if comm is None else "edit"
            self._changed(f"{verb} communication {target.what}", select=target.id)

        title = "Plan a communication" if comm is None else fmt("Edit $w", w=comm.what)
        hint = "What they hear, how and how often; the next date shows on Track when due."
        fields = communication_fields(self.session)
        self.app.push_screen(FormScreen(title, fields, values, hint=hint), done)

    def action_delete(self, kind: str) -> None:
        if self._refused():
            return
        if kind == "stakeholder":
            person = self._selected_stakeholder()
            if person is None:
                return
            question = fmt("Delete [b]$n[/b]? (taken out of every audience)", n=person.name)

            def gone(yes: bool | None) -> None:
                if yes and plan.remove_stakeholder(self.session, person.id) is not None:
                    self._changed(f"delete stakeholder {person.name}")

            self.app.push_screen(ConfirmScreen(question), gone)
            return
        comm = self._selected_communication()
        if comm is None:
            return

        def dropped(yes: bool | None) -> None:
            if yes and comm in self.session.communications:
                self.session.communications.remove(comm)
                self._changed(f"delete communication {comm.what}")

        self.app.push_screen(ConfirmScreen(fmt("Delete [b]$w[/b]?", w=comm.what)), dropped)

    def action_sent(self) -> None:
        comm = self._selected_communication()
        if comm is None or self._refused():
            return
        following = plan.mark_sent(comm, self.backplan.today())
        self._changed(f"sent: {comm.what}", select=comm.id)
        then = f"next {following.isoformat()}" if following else "done (no next date)"
        toast(self, f"Sent: {comm.what}; {then}.", timeout=3)

    def action_undo(self, redo: bool = False) -> None:
        label = self.backplan.undo(redo=redo)
        self.reload()
        if label:
            toast(self, f"{'Redone' if redo else 'Undone'}: {label}", timeout=2)
        else:
            toast(self, "Nothing to redo." if redo else "Nothing to undo.", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)


def _stance_style(person: Stakeholder) -> str:
    if person.stance == "resistant":
        return "bold" if person.influence == "high" else ""
    return "dim" if person.stance == "neutral" else ""
