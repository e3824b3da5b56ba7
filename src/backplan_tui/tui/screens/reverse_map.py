"""Step 3 — the reverse map: from the goal, "what must be true before this?", down to now.

The map is a Tree rooted at the goal.  ``a`` adds a condition that must be true before the
highlighted item (a child), ``s`` adds a sibling, arrows with Ctrl move a node among its
siblings (up/down) or across levels (left: out, right: under the sibling above).  ``m`` marks
a condition a milestone (◆): its edit dialog then asks the KPI values expected by its date.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from backplan_tui.core.export.common import plural
from backplan_tui.core.model import NODE_STATUSES, MapNode, Outcome, by_id
from backplan_tui.tui.conflicts import MARK, conflicted_ids, notes
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.base import StepScreen
from backplan_tui.tui.text import fmt, safe, safe_block, toast
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import Detail, ItemTree
from backplan_tui.tui.widgets.timeline import Timeline

GOAL = "__goal__"
STATUS_MARKS = {"todo": "○", "doing": "◐", "done": "●", "dropped": "✗"}
MILESTONE_MARK = "◆"
TARGET_PREFIX = "target_"  # a milestone's target field: target_<outcome id>


def node_fields(participants: list[str]) -> list[Field]:
    return [
        Field("title", "What must be true?", required=True),
        Field("owner", "Owner"),
        Field("duration_days", "Duration (days)", kind="int", minimum=0, maximum=3650),
        Field("pinned_due", "Pinned due date", kind="date", placeholder="YYYY-MM-DD (optional)"),
        Field(
            "status",
            "Status",
            kind="choice",
            required=True,
            choices=[(f"{STATUS_MARKS[s]} {s}", s) for s in NODE_STATUSES],
        ),
        Field("notes", "Notes", kind="long"),
    ]


def target_fields(outcomes: list[Outcome]) -> list[Field]:
    """A milestone's KPI targets: one number per outcome, empty for no target."""
    fields = []
    for o in outcomes:
        label = f"{o.metric or o.id}" + (f" ({o.unit})" if o.unit else "")
        label = label if len(label) <= 22 else label[:21] + "…"
        fields.append(
            Field(f"{TARGET_PREFIX}{o.id}", label, kind="float", placeholder="by then (optional)")
        )
    return fields


def node_label(node: MapNode, row: Any = None, conflicted: bool = False) -> Text:
    """Title first, then owner, duration, computed dates, status and votes, as literal text.

    A late node says so in words at the front (``LATE``), never by colour alone; a node
    with a conflict left by a merge starts with "⚠".
    """
    label = Text()
    if conflicted:
        label.append(MARK, style="bold")
    mark = STATUS_MARKS.get(node.status, "?")
    flags = set(row.flags) if row is not None else set()
    if flags & {"starts_in_past", "overdue"}:
        label.append("LATE ", style="bold reverse")
    elif "pinned_conflict" in flags:
        label.append("CONFLICT ", style="bold reverse")
    label.append(f"{mark} ", style="bold")
    if node.milestone:
        label.append(f"{MILESTONE_MARK} ", style="bold")
    style = "strike dim" if node.status == "dropped" else ""
    label.append(node.title or "(untitled)", style=style)
    facts: list[str] = []
    facts.append(node.owner or "no owner")
    facts.append(f"{node.duration_days}d" if node.duration_days is not None else "no duration")
    if row is not None:
        pinned = "pinned " if node.pinned_due else ""
        facts.append(f"{row.start:%d %b} → {pinned}{row.due:%d %b %Y}")
    elif node.pinned_due:
        facts.append(f"due {node.pinned_due.isoformat()}")
    votes = sum(node.votes.values())
    if votes:
        facts.append(f"{votes} vote" + ("s" if votes != 1 else ""))
    label.append("  · " + " · ".join(facts), style="dim")
    return label


class MapTree(ItemTree):
    """The reverse map.  Its screen watches ``cursor_line`` to show the detail (in the same
    frame as the cursor); nothing above listens for NodeHighlighted, so it stops here rather
    than bubbling through every container to the app on each cursor move."""

    BINDINGS = [
        Binding("a", "screen.add_child", "Add before", id="map.add_child"),
        Binding("s", "screen.add_sibling", "Add sibling", id="map.add_sibling"),
        Binding("e", "screen.edit_item", "Edit", id="map.edit"),
        Binding("x", "screen.cycle_status", "Status", id="map.status"),
        Binding("d,delete", "screen.delete_item", "Delete", id="map.delete"),
        Binding("v", "screen.vote", "Vote", id="map.vote"),
        # Hidden from the footer (full at 80 columns): the title's hint and the help name it.
        Binding("m", "screen.toggle_milestone", "Milestone", id="map.milestone", show=False),
        Binding("t", "screen.timeline", "Timeline", id="map.timeline"),
        Binding(
            "w", "screen.working_days", "Working days on/off", id="map.working_days", show=False
        ),
        Binding("ctrl+up", "screen.move_item(-1)", "Move up", id="map.up", show=False),
        Binding("ctrl+down", "screen.move_item(1)", "Move down", id="map.down", show=False),
        Binding("ctrl+left", "screen.outdent", "Move out", id="map.outdent", show=False),
        Binding("ctrl+right", "screen.indent", "Move in", id="map.indent", show=False),
    ]

    def _on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()


class TimelineScroll(VerticalScroll):
    BINDINGS = [Binding("t,escape", "screen.timeline", "Tree view", id="timeline.back")]


class ReverseMapScreen(StepScreen):
    STEP = "reverse_map"

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(
                fmt(
                    "[b]Reverse map[/b] — from the goal back to today · "
                    "[dim]a what must be true before this? · m milestone · ctrl+arrows move[/]"
                ),
                id="map-title",
                classes="section-title",
            )
            # The tree and the timeline take turns (t); the screen's -timeline class says
            # which (app.tcss).  No ContentSwitcher in between: every key and message on the
            # tree bubbles through each container above it, and each one is painted.
            tree: MapTree = MapTree(Text("Goal"), data=GOAL, id="map")
            tree.auto_expand = False
            tree.show_root = True
            yield tree
            with TimelineScroll(id="timeline-view"):
                yield Timeline(id="timeline")
            yield Detail(id="node-detail", classes="detail")

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.rebuild()
        tree = self.query_one(MapTree)
        # The detail follows the cursor as it moves, so both repaint in one frame; through
        # Tree.NodeHighlighted it came a frame later: two paints a key on a big map.
        self.watch(tree, "cursor_line", self.show_detail, init=False)
        tree.focus()

    # --- building the tree -----------------------------------------------------------------

    def goal_label(self) -> Text:
        fs = self.session.future_state
        label = Text("◎ GOAL ", style="bold")
        label.append(fs.statement or "(no goal yet — write it in step 1)")
        if fs.target_date:
            label.append(f"  · by {fs.target_date.isoformat()}", style="dim")
        return label

    def reload(self) -> None:
        self.rebuild()

    def rebuild(self, select: str | None = None) -> None:
        tree = self.query_one(MapTree)
        keep = select if select is not None else self.selected_id()
        plan, _ = self.backplan.health()
        rows = plan.nodes if plan is not None and plan.ready else {}
        tree.clear()
        tree.root.set_label(self.goal_label())
        tree.root.data = GOAL
        found: dict[str, TreeNode[str]] = {GOAL: tree.root}
        conflicted = conflicted_ids(self.session, "map")
        kids: dict[str, list[MapNode]] = {}  # Session.children of every node, in one pass
        for node in self.session.map:
            kids.setdefault(node.parent, []).append(node)

        def add(parent_id: str, parent: TreeNode[str]) -> None:
            for node in kids.get(parent_id, []):
                if node.id in found:
                    continue  # a cycle in a hand-edited file: show each node once
                children = kids.get(node.id)
                label = node_label(node, rows.get(node.id), node.id in conflicted)
                if children:
                    branch = parent.add(label, data=node.id, expand=True)
                    found[node.id] = branch
                    add(node.id, branch)
                else:
                    found[node.id] = parent.add_leaf(label, data=node.id)

        add("", tree.root)
        tree.root.expand()
        target = found.get(keep or GOAL, tree.root)
        self.call_after_refresh(tree.move_cursor, target)
        self.call_after_refresh(self.show_detail)

    def selected_id(self) -> str | None:
        node = self.query_one(MapTree).cursor_node
        return node.data if node is not None else None

    def selected(self) -> MapNode | None:
        node_id = self.selected_id()
        return self.nodes_by_id().get(node_id) if node_id and node_id != GOAL else None

    def nodes_by_id(self) -> dict[str, MapNode]:
        """The map's nodes by id, made once per edit (a cursor move looks up two)."""
        session = self.session
        return self.per_edit("nodes", lambda: by_id(session.map))

    def show_detail(self) -> None:
        """The highlighted node's detail, built once per node and edit (Detail.show); the
        nodes above and below are drawn after the paint, ready for the next move."""
        if self.backplan.document is None:  # left at once: the tree's late build lands here
            return
        try:
            tree = self.query_one(MapTree)
            detail = self.query_one("#node-detail", Detail)
        except NoMatches:  # the screen was left (a jump to another step) before this ran:
            return  # its widgets go one by one, in no set order (the detail may go first)
        mark = self.edit_mark()
        node = tree.cursor_node
        node_id = node.data if node is not None else None
        detail.show((node_id, mark), partial(self.detail_content, node_id))
        around = []
        for line in (tree.cursor_line - 1, tree.cursor_line + 1):
            near = tree.get_node_at_line(line) if 0 <= line <= tree.last_line else None
            if near is not None:
                around.append(((near.data, mark), partial(self.detail_content, near.data)))
        detail.prepare_later(around)

    def detail_content(self, node_id: str | None) -> Content:
        if self.backplan.document is None:  # drawn ahead after the screen was left
            return Content("")
        nodes = self.nodes_by_id()
        node = nodes.get(node_id) if node_id and node_id != GOAL else None
        plan, _ = self.backplan.health()
        if node is None:
            return self.plan_overview(plan)
        parent = nodes.get(node.parent)
        enables = parent.title if parent else "the goal"
        # Assembled from pieces, not fmt(): parsing markup on every cursor move was most of
        # this method's time.  User text goes through safe(); the str pieces are our own.
        # The row's facts in full (at 80 columns the tree cuts them at the right edge)
        facts: list[Any] = [("owner", "dim"), " ", safe(node.owner or "—"), "  "]
        if node.duration_days is not None:
            facts += [f"{node.duration_days} days", "  "]
        facts += [STATUS_MARKS.get(node.status, "?"), f" {node.status}"]
        votes_total = sum(node.votes.values())
        if votes_total:
            facts.append(f"  {votes_total} vote{'s' if votes_total != 1 else ''}")
        parts = [
            safe(node.title, "bold"),
            *notes(self.session, "map", node.id),  # a merge kept theirs too
            Content.assemble(*facts),
        ]
        row = plan.get(node.id) if plan is not None and plan.ready else None
        if row is not None:
            from backplan_tui.core.schedule import FLAG_LABELS

            words = "; ".join(FLAG_LABELS[f] for f in sorted(row.flags) if f in FLAG_LABELS)
            parts.append(
                Content.assemble(
                    ("latest start", "dim"),
                    f" {row.start.isoformat()}  ",
                    ("due", "dim"),
                    f" {row.due.isoformat()}  ",
                    ("slack", "dim"),
                    f" {row.slack_days} days  ",
                    (words, "b $late"),
                )
            )
        if node.milestone:
            parts.append(self.milestone_line(node, plan))
        parts.append(Content.assemble(("must be true before:", "dim"), " ", safe(enables)))
        if node.votes:
            votes = ", ".join(f"{who} {n}" for who, n in sorted(node.votes.items()))
            parts.append(Content.assemble(("votes:", "dim"), " ", safe(votes)))
        if node.notes:
            parts.append(safe_block(node.notes))
        return Content("\n").join(parts)

    def milestone_line(self, node: MapNode, plan: Any) -> Content:
        """ "◆ milestone by 2027-04-30: Retention 82%; Attrition 10%" (targets via safe())."""
        from backplan_tui.core import milestones
        from backplan_tui.core.trajectory import milestone_date

        when = milestone_date(node, plan)
        outcomes = self.session.future_state.outcomes
        targets = tuple((o, node.targets[o.id]) for o in outcomes if o.id in node.targets)
        text = milestones.targets_text(milestones.MilestoneRow(node, when, targets))
        if not targets:
            text += " (e sets the values expected then)"
        by = f" by {when.isoformat()}" if when else " (no date yet)"
        return Content.assemble((f"{MILESTONE_MARK} milestone{by}:", "b"), " ", safe(text))

    def plan_overview(self, plan: Any) -> Content:
        """With the goal highlighted: what to start now, and the critical path."""
        if plan is None or not plan.ready:
            reason = plan.reason if plan is not None else ""
            n = plural(len(self.session.map), "condition")
            return fmt("$n on the map. $r", n=n, r=reason)
        titles = {n.id: n.title for n in self.session.map}
        start_now = [titles.get(i, i) for i in plan.start_now]
        path = [titles.get(i, i) for i in plan.critical_path]
        return Content("\n").join(
            [
                fmt(
                    "[b]Start now[/b] ($n): $items",
                    n=len(start_now),
                    items="; ".join(start_now) or "nothing due to start in the next 14 days",
                ),
                fmt(
                    "[b]Critical path[/b] (starts $d, in $unit): $p",
                    d=plan.earliest_start.isoformat() if plan.earliest_start else "—",
                    unit="working days" if plan.working_days else "calendar days",
                    p=" → ".join(path) or "—",
                ),
            ]
        )

    def action_working_days(self) -> None:
        """Count durations in weekdays (Mon-Fri) or in calendar days; the dates follow."""
        fs = self.session.future_state
        fs.working_days = not fs.working_days
        self.changed("working days" if fs.working_days else "calendar days")
        self.rebuild()
        unit = "working days (Mon–Fri)" if fs.working_days else "calendar days"
        toast(self, f"Durations now count {unit}; the schedule is recomputed.", timeout=4)

    def focus_item(self, item_id: str) -> None:
        self.rebuild(select=item_id or GOAL)
        self.query_one(MapTree).focus()

    def action_timeline(self) -> None:
        if not self.has_class("-timeline"):
            plan, _ = self.backplan.health()
            self.query_one(Timeline).show(self.session, plan, self.backplan.today())
            self.add_class("-timeline")
            self.query_one("#timeline-view").focus()
        else:
            self.remove_class("-timeline")
            self.query_one(MapTree).focus()

    # --- editing ---------------------------------------------------------------------------

    def _ask_new(self, parent_id: str, after: MapNode | None = None) -> None:
        parent = self.session.node(parent_id)
        question = (
            fmt("What must be true before: $t?", t=parent.title)
            if parent
            else Content("What must be true before the goal is reached?")
        )

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            node = MapNode(id=self.session.new_id("m"), parent=parent_id, **values)
            if after is not None and after in self.session.map:
                self.session.map.insert(self.session.map.index(after) + 1, node)
            else:
                self.session.map.append(node)
            self.changed(f"add {node.title}")
            self.rebuild(select=node.id)

        fields = node_fields(self.session.participants)
        self.app.push_screen(FormScreen(question, fields, {"status": "todo"}), done)

    def action_add_child(self) -> None:
        node = self.selected()
        self._ask_new(node.id if node else "")

    def action_add_sibling(self) -> None:
        node = self.selected()
        if node is None:
            self._ask_new("")
        else:
            self._ask_new(node.parent, after=node)

    def action_edit_item(self) -> None:
        node = self.selected()
        if node is None:
            if self.selected_id() == GOAL:
                self.goto_step("future_state")
            return
        fields = node_fields(self.session.participants)
        values = {f.name: getattr(node, f.name) for f in fields}
        hint: Content | str = ""
        if node.milestone:
            outcomes = self.session.future_state.outcomes
            fields += target_fields(outcomes)
            values |= {f"{TARGET_PREFIX}{k}": v for k, v in node.targets.items()}
            hint = (
                f"{MILESTONE_MARK} A milestone: the KPI values expected by its date "
                "(empty: no target)."
                if outcomes
                else f"{MILESTONE_MARK} A milestone: add outcomes in step 1 to give it targets."
            )

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            before = node.pinned_due
            targets = {k: v for k, v in result.items() if k.startswith(TARGET_PREFIX)}
            if node.milestone:
                # Targets of outcomes no longer in the session stay (nothing is dropped).
                shown = {o.id for o in self.session.future_state.outcomes}
                kept = {k: v for k, v in node.targets.items() if k not in shown}
                set_ = {k.removeprefix(TARGET_PREFIX): v for k, v in targets.items()}
                node.targets = kept | {k: float(v) for k, v in set_.items() if v is not None}
            for name, value in result.items():
                if not name.startswith(TARGET_PREFIX):
                    setattr(node, name, value)
            self.changed(f"edit {node.title}")
            self.rebuild(select=node.id)
            if before is not None and node.pinned_due != before:
                self.ask_adjustment(
                    f"Pinned date of {node.title} moved from {before} to {node.pinned_due or '—'}"
                )

        title = fmt("Edit: $t", t=node.title)
        self.app.push_screen(FormScreen(title, fields, values, hint=hint), done)

    @on(Tree.NodeSelected, "#map")
    def _selected_node(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if self.selected_id() == GOAL:  # the goal: its step
            self.goto_step("future_state")
        elif not self.refuse_read_only():
            self.action_edit_item()

    def action_vote(self) -> None:
        from backplan_tui.tui.screens.voting import VoteScreen

        self.app.push_screen(VoteScreen("map"))

    def action_toggle_milestone(self) -> None:
        """Mark the highlighted condition a milestone (◆), or unmark it; its targets stay."""
        node = self.selected()
        if node is None:
            toast(self, "The goal is the end point: highlight a condition to mark.", timeout=3)
            return
        node.milestone = not node.milestone
        self.changed(f"{'milestone' if node.milestone else 'not a milestone'}: {node.title}")
        self.rebuild(select=node.id)
        if node.milestone:
            toast(self, f"{MILESTONE_MARK} Milestone: e sets the KPI values expected by its date.")
        else:
            toast(self, "No longer a milestone.", timeout=2)

    def action_cycle_status(self) -> None:
        node = self.selected()
        if node is None:
            return
        index = NODE_STATUSES.index(node.status)
        node.status = NODE_STATUSES[(index + 1) % len(NODE_STATUSES)]
        self.changed(f"mark {node.status}: {node.title}")
        self.rebuild(select=node.id)

    def action_delete_item(self) -> None:
        node = self.selected()
        if node is None:
            return
        below = self.session.descendants(node.id)
        if not below:
            self._delete(node, [])
            return
        question = fmt(
            "Delete [b]$t[/b] and the $n below it?",
            t=node.title,
            n=plural(len(below), "condition"),
        )

        def done(yes: bool | None) -> None:
            if yes:
                self._delete(node, below)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), done)

    def _delete(self, node: MapNode, below: list[MapNode]) -> None:
        gone = {node.id, *(n.id for n in below)}
        siblings = self.session.children(node.parent)
        index = siblings.index(node)
        neighbour = siblings[index + 1] if index + 1 < len(siblings) else None
        if neighbour is None and index > 0:
            neighbour = siblings[index - 1]
        self.session.map = [n for n in self.session.map if n.id not in gone]
        for pilot in self.session.pilots:
            pilot.tests = [t for t in pilot.tests if t not in gone]
        self.changed(f"delete {node.title}")
        self.rebuild(select=neighbour.id if neighbour else node.parent or GOAL)
        extra = f" and {len(below)} below it" if below else ""
        toast(self, f"Deleted {node.title}{extra}.", timeout=3)

    def action_move_item(self, delta: int) -> None:
        node = self.selected()
        if node is None:
            return
        siblings = self.session.children(node.parent)
        index = siblings.index(node)
        if not 0 <= index + delta < len(siblings):
            return
        other = siblings[index + delta]
        items = self.session.map
        a, b = items.index(node), items.index(other)
        items[a], items[b] = items[b], items[a]
        self.changed(f"move {node.title}")
        self.rebuild(select=node.id)

    def action_outdent(self) -> None:
        """Move the node up a level: it now enables what its parent enables."""
        node = self.selected()
        parent = self.session.node(node.parent) if node else None
        if node is None or parent is None:
            return
        node.parent = parent.parent
        self.session.map.remove(node)
        self.session.map.insert(self.session.map.index(parent) + 1, node)
        self.changed(f"move out {node.title}")
        self.rebuild(select=node.id)

    def action_indent(self) -> None:
        """Move the node under the sibling above it."""
        node = self.selected()
        if node is None:
            return
        siblings = self.session.children(node.parent)
        index = siblings.index(node)
        if index == 0:
            return
        node.parent = siblings[index - 1].id
        self.changed(f"move in {node.title}")
        self.rebuild(select=node.id)
