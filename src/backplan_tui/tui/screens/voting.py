"""Dot voting: each participant spreads N votes over the map's conditions or the pilots.

The facilitator enters votes person by person while the room calls them out: ←/→ picks the
voter, +/space gives the highlighted item one of their votes, -/backspace takes one back,
``s`` sorts by the ranking.  Every vote is an undo step and is saved with the session.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from backplan_tui.core import votes
from backplan_tui.tui.text import cell, fmt, toast
from backplan_tui.tui.typed import BackplanModal

KIND_NAMES = {"map": "conditions on the map", "pilots": "pilots"}


class VoteTable(DataTable[Text]):
    BINDINGS = [
        Binding("plus,equals_sign,space", "screen.vote(1)", "+1 vote", id="vote.add"),
        Binding("minus,backspace", "screen.vote(-1)", "-1 vote", id="vote.remove"),
        Binding("left", "screen.voter(-1)", "Prev voter", id="vote.prev"),
        Binding("right", "screen.voter(1)", "Next voter", id="vote.next"),
        Binding("s", "screen.sort", "Sort", id="vote.sort"),
    ]


class VoteScreen(BackplanModal[None]):
    BINDINGS = [Binding("escape", "close", "Done", id="vote.close")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.voter_index = 0
        self.ranked = False

    @property
    def session(self) -> Any:
        return self.backplan.session

    def compose(self) -> ComposeResult:
        with Vertical(id="vote-dialog", classes="dialog"):
            yield Static(id="vote-title", classes="dialog-title")
            yield Static(id="voters")
            yield VoteTable(id="vote-table", cursor_type="row", zebra_stripes=True)
            hint = "+ or space: give a vote · - take one back · s sort · Esc done"
            if self.backplan.voting_as is None:  # the facilitator enters everybody's votes
                hint = "←/→ voter · " + hint
            yield Static(hint, classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(VoteTable)
        table.add_columns("Total", "Voter", "Item")
        self.refresh_all()
        table.focus()

    def items(self) -> list[Any]:
        found = self.session.map if self.kind == "map" else self.session.pilots
        if self.kind == "map":
            found = [n for n in found if n.status != "dropped"]
        if self.ranked:
            order = {
                item_id: rank
                for rank, (item_id, _) in enumerate(
                    votes.ranking(self.session, self.kind)  # type: ignore[arg-type]
                )
            }
            found = sorted(found, key=lambda item: order.get(item.id, len(order)))
        return list(found)

    def voter(self) -> str | None:
        me = self.backplan.voting_as  # a participant votes as themselves only
        if me is not None:
            folded = me.casefold()
            return next((p for p in self.session.participants if p.casefold() == folded), me)
        people = self.session.participants
        if not people:
            return None
        self.voter_index %= len(people)
        return str(people[self.voter_index])

    def refresh_all(self, select: str | None = None) -> None:
        per_person = votes.votes_per_person(self.session)
        self.query_one("#vote-title", Static).update(
            fmt(
                "Dot voting — $kind · $n votes each",
                kind=KIND_NAMES[self.kind],
                n=per_person,
            )
        )
        people = self.session.participants
        voter = self.voter()
        if voter is None:
            self.query_one("#voters", Static).update(
                Content("No participants yet: press Esc, then F2 to add them.")
            )
        else:
            parts = []
            for person in people:
                left = votes.remaining_votes(self.session, person, self.kind)  # type: ignore[arg-type]
                label = f" {person} ({left} left) "
                style = "reverse bold" if person == voter else ("dim" if left == 0 else "")
                parts.append(Content.styled(("▸" if person == voter else "") + label, style))
            self.query_one("#voters", Static).update(Content(" ").join(parts))
        table = self.query_one(VoteTable)
        keep = select or self._selected_id()
        table.clear()
        for item in self.items():
            total = sum(item.votes.values())
            mine = item.votes.get(voter, 0) if voter else 0
            title = item.title if self.kind == "map" else item.name
            table.add_row(
                Text(str(total), justify="right", style="bold" if total else "dim"),
                Text("●" * mine, style="bold"),
                cell(title, width=54),
                key=item.id,
            )
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except RowDoesNotExist:  # the item is gone: stay at the top
                table.move_cursor(row=0)

    def _selected_id(self) -> str | None:
        table = self.query_one(VoteTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A participant votes as themselves: the voter keys are not in their footer."""
        return not self.backplan.refuses(action)

    def action_vote(self, delta: int) -> None:
        voter, item_id = self.voter(), self._selected_id()
        if voter is None or item_id is None:
            return
        try:
            votes.vote(self.session, self.kind, item_id, voter, delta)  # type: ignore[arg-type]
        except votes.VoteError as error:
            toast(self, str(error), severity="warning", timeout=3)
            return
        word = "gives a vote" if delta > 0 else "takes back a vote"
        self.backplan.changed(f"{voter} {word}")
        self.refresh_all(select=item_id)

    def action_voter(self, delta: int) -> None:
        if self.session.participants:
            self.voter_index = (self.voter_index + delta) % len(self.session.participants)
            self.refresh_all()

    def action_sort(self) -> None:
        before = [item.id for item in self.items()]
        self.ranked = not self.ranked
        self.refresh_all()
        order = "map order" if self.kind == "map" else "the pilots' order"
        message = "Sorted by votes." if self.ranked else f"In {order}."
        if before == [item.id for item in self.items()]:  # nothing moved: say why
            message = f"Sorted by votes: {order} is already the ranking."
            if not self.ranked:
                message = f"In {order}: the same as the ranking."
        toast(self, message, timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
