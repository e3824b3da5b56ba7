"""Owners: who owns what, when, and how much of it runs at once (``core.owners``).

A table of the owners (the session's owner list, then names used on items but not listed)
with their weekly hours, open items, the most items at once and when, and their load against
the limits in the settings; below it, the highlighted owner's items with their dates and how
many of the owner's items run at once on their days.  ``a`` adds an owner to the list, ``e``
or Enter edits one (a name used on items only is added to the list), ``d`` takes one off the
list (their items keep their owner's name).  Renaming an owner offers to rename their items'
owner too, in the same undo step.

Opened with ``o`` on Track and "Owners" in the command palette; Esc goes back to the screen it
was opened over.  Not a workshop step: the step keys (next, previous, summary, Track, the
findings' jumps, the timebox) are off here, so the screen under it stays where it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from backplan_tui.core import owners
from backplan_tui.core.export.common import plural
from backplan_tui.core.model import Owner
from backplan_tui.core.owners import KIND_WORDS, Limits, OwnerLoad, Period
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.base import StepScreen
from backplan_tui.tui.text import cell, fmt, toast
from backplan_tui.tui.widgets.chrome import Footer
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import FitTable
from backplan_tui.tui.widgets.stepper import SaveIndicator

PROMPT = (
    "Who can carry what, and when? List the owners and their weekly hours for this plan; "
    "the coach flags anyone with too much at once."
)
# The workshop's step keys do not apply here (the screen under this one keeps its place).
NOT_HERE = frozenset(
    {
        "next_step",
        "previous_step",
        "summary",
        "track",
        "health",
        "home",
        "timer",
        "extend_timer",
        "reset_timer",
        "presenter",
    }
)
MAX_HOURS = 168  # a week


def when(period: Period | None) -> str:
    """ "2027-06-01..06-10", "2027-12-20..2028-01-05", "2027-05-31" or ""."""
    if period is None:
        return ""
    return span(period.first, period.last)


def span(start: date | None, end: date | None) -> str:
    """Two dates, the second without the year when it is the first's: "2027-06-01..06-10";
    "—" for an undated item."""
    if start is None and end is None:
        return "—"
    first = start.isoformat() if start else "?"
    last = end.isoformat() if end else "?"
    if first == last:
        return first
    if first[:4] == last[:4] and "?" not in (first, last):
        return f"{first}..{last[5:]}"
    return f"{first}..{last}"


def load_words(load: OwnerLoad, limits: Limits) -> tuple[str, bool]:
    """What the Load column says of ``load``, and whether it is over the limits (in words:
    "OVER", never colour alone)."""
    if not load.listed:
        return "not listed", False
    share = load.share
    over = load.peak > limits.max_at_once or (share is not None and share > limits.max_share)
    text = owners.format_share(share) if share is not None else "no hours set"
    return (f"{text} OVER" if over else text), over


class OwnersTable(FitTable):
    BINDINGS = [
        Binding("a", "screen.add_item", "Add owner", id="owners.add"),
        Binding("e", "screen.edit_item", "Edit", id="owners.edit"),
        Binding("d,delete", "screen.delete_item", "Off the list", id="owners.delete"),
    ]


class OwnersScreen(StepScreen):
    """Not a workshop step; shares the header, the save state and the session keys."""

    STEP = "owners"
    BINDINGS = [
        Binding("escape", "back", "Back", id="owners.back"),
        Binding("ctrl+l", "park", "Park it", show=False),
        Binding("f2", "details", "Details", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="◎")
        with Horizontal(id="step-bar"):
            yield Static(id="owners-status")
            yield SaveIndicator(id="save-state")
        with Vertical(id="owners-body"):
            yield Static(Content(PROMPT), id="owners-prompt", classes="hint")
            yield OwnersTable(
                ["Owner", "Hours", "Open", "Peak", "Busiest", "Load"],
                id="owner-table",
                flex={0: Flex(minimum=10)},
            )
            yield Static(id="owner-title")
            yield FitTable(
                ["Dates", "Kind", "Item", "Status", "At once"],
                id="owner-items",
                flex={2: Flex(minimum=10)},
            )
        yield Footer()

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too (save state, presenter class): no super() call here.
        self.sub_title = "Owners"
        self.reload()
        self.query_one("#owner-table").focus()

    def refresh_stepper(self) -> None:  # no stepper here
        pass

    def show_timer(self) -> None:  # no timebox here
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NOT_HERE:
            return False
        return super().check_action(action, parameters)

    @property
    def limits(self) -> Limits:
        return self.backplan.workspace.owner_limits or owners.DEFAULT_LIMITS

    # --- showing ----------------------------------------------------------------------------

    def loads(self) -> list[OwnerLoad]:
        def build() -> list[OwnerLoad]:
            plan, _ = self.backplan.health()
            return owners.loads(self.session, plan)

        return self.per_edit("owner-loads", build)

    def reload(self, select: str | None = None) -> None:
        found = self.loads()
        limits = self.limits
        over = 0
        rows: list[tuple[str, list[Text]]] = []
        for load in found:
            words, is_over = load_words(load, limits)
            over += is_over
            hours = (
                owners.format_hours(load.capacity_hours) if load.capacity_hours is not None else "—"
            )
            busiest = load.peaks[0] if load.peaks else None
            rows.append(
                (
                    load.key,
                    [
                        cell(load.name, "dim" if not load.listed else ""),
                        Text(hours, justify="right"),
                        Text(f"{load.open_count}/{len(load.items)}", justify="right"),
                        Text(str(load.peak), justify="right", style="bold" if is_over else ""),
                        Text(when(busiest) or "—"),
                        Text(
                            words, style="bold" if is_over else ("dim" if not load.listed else "")
                        ),
                    ],
                )
            )
        if not rows:
            rows.append(("", [Text("No owners yet: a adds one."), *(Text("") for _ in range(5))]))
        self.query_one(OwnersTable).fill(rows, select=select)
        listed = sum(1 for load in found if load.listed)
        status = (
            f"{listed} on the list, {len(found) - listed} not listed · limits: "
            f"{limits.max_at_once} at once, {owners.format_share(limits.max_share)} of the week "
            f"({owners.format_hours(owners.HOURS_PER_ITEM)} an item)"
        )
        self.query_one("#owners-status", Static).update(
            Content.assemble((f"{over} over the limits · " if over else "", "bold"), status)
        )
        self.show_items()

    def selected(self) -> OwnerLoad | None:
        key = self.query_one(OwnersTable).selected_key()
        return next((load for load in self.loads() if load.key == key), None)

    @on(DataTable.RowHighlighted, "#owner-table")
    def show_items(self) -> None:
        load = self.selected()
        title = self.query_one("#owner-title", Static)
        table = self.query_one("#owner-items", FitTable)
        if load is None:
            title.update(Content(""))
            table.fill([])
            return
        busiest = load.peaks[0] if load.peaks else None
        also = [s for s in load.spellings if s != load.name]
        title.update(
            fmt(
                "[b]$n[/b]: $c · $p",
                n=load.name,
                c=f"{plural(len(load.items), 'item')}, {load.open_count} open"
                + (f" · also written {', '.join(also)}" if also else ""),
                p=(f"most at once: {load.peak}, {when(busiest)}" if busiest else "nothing dated"),
            )
        )
        rows: list[tuple[str, list[Text]]] = []
        for item in load.items:
            at_once = load.at_once(item.id)
            rows.append(
                (
                    f"{item.kind}:{item.id}",
                    [
                        Text(span(item.start, item.end)),
                        Text(KIND_WORDS[item.kind]),
                        cell(item.title or "(untitled)", "" if item.open else "dim"),
                        cell(item.status),
                        Text(
                            str(at_once) if at_once else "—",
                            justify="right",
                            style="bold" if at_once > self.limits.max_at_once else "",
                        ),
                    ],
                )
            )
        table.fill(rows)

    # --- the owner list -----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#owner-table")
    def _enter_edits(self) -> None:
        if not self.refuse_read_only():
            self.action_edit_item()

    def _listed(self, load: OwnerLoad | None) -> Owner | None:
        if load is None or not load.listed:
            return None
        return next((o for o in self.session.owners if o.id == load.owner_id), None)

    def _form(self, title: str, values: dict[str, Any], done: Any) -> None:
        fields = [
            Field("name", "Name", required=True),
            Field(
                "capacity_hours",
                "Hours a week",
                kind="float",
                minimum=0,
                maximum=MAX_HOURS,
                placeholder="for this plan; empty: not said",
            ),
        ]
        hint = "Items name their owner; spelling and case do not matter (Priya = priya)."
        self.app.push_screen(FormScreen(title, fields, values, hint=hint), done)

    def action_add_item(self, name: str = "") -> None:
        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            name = result["name"]
            if self._taken(name):
                return
            owner = Owner(
                id=owners.new_owner_id(self.session),
                name=name,
                capacity_hours=result["capacity_hours"],
            )
            self.session.owners.append(owner)
            self.changed(f"add owner {name}")
            self.reload_at(owners.owner_key(name))

        self._form("Add an owner", {"name": name}, done)

    def _taken(self, name: str, besides: str = "") -> bool:
        other = owners.find_owner(self.session, name, besides=besides)
        if other is not None:
            toast(self, f"{other.name} is on the list already.", severity="warning", timeout=4)
        return other is not None

    def action_edit_item(self) -> None:
        load = self.selected()
        if load is None:
            return
        owner = self._listed(load)
        if owner is None:  # a name used on items only: put it on the list
            self.action_add_item(load.name)
            return

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            name = result["name"]
            if self._taken(name, besides=owner.id):
                return
            old = owner.name
            used = len(load.items)
            if name != old and used:
                question = fmt(
                    "Also rename the owner of [b]$n[/b] from [b]$o[/b] to [b]$w[/b]?",
                    n=plural(used, "item"),
                    o=old,
                    w=name,
                )
                self.app.push_screen(
                    ConfirmScreen(question, yes="Rename them", no="List only"),
                    lambda yes: self._apply(owner, old, name, result["capacity_hours"], bool(yes)),
                )
                return
            self._apply(owner, old, name, result["capacity_hours"], False)

        values = {"name": owner.name, "capacity_hours": owner.capacity_hours}
        self._form("Edit the owner", values, done)

    def _apply(
        self, owner: Owner, old: str, name: str, hours: float | None, rename_items: bool
    ) -> None:
        """One edit (one undo step): the owner, and their items' owner when asked."""
        owner.name, owner.capacity_hours = name, hours
        moved = owners.rename_items(self.session, old, name) if rename_items else 0
        self.changed(f"edit owner {name}" + (f" and {moved} items" if moved else ""))
        self.reload_at(owners.owner_key(name))
        if moved:
            toast(self, f"Renamed the owner of {moved} items to {name}.", timeout=3)

    def action_delete_item(self) -> None:
        load = self.selected()
        owner = self._listed(load)
        if owner is None:
            toast(self, "Not on the list: only listed owners can be taken off.", timeout=3)
            return
        self.session.owners.remove(owner)
        self.changed(f"take {owner.name} off the owner list")
        self.reload()
        toast(self, f"{owner.name} is off the list (items keep the name). Ctrl+Z undoes it.")

    def reload_at(self, key: str) -> None:
        """Show the list again with the cursor on ``key``'s row, once the dialog that
        changed it is gone (filled under the dialog, the table kept rows drawn at the
        widths of the moment it was cleared)."""
        self._select = key
        self.call_after_refresh(self._reload_selecting)

    _select = ""

    def _reload_selecting(self) -> None:
        key, self._select = self._select, ""
        self.reload(select=key)
        self.query_one(OwnersTable).focus()

    def focus_item(self, item_id: str) -> None:
        pass

    def action_back(self) -> None:
        self.app.pop_screen()
