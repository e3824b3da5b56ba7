"""The session model: plain dataclasses, no I/O, no Textual.

A *session* is one work-backwards planning workshop and everything that follows it:
the future state (goal + measurable outcomes), the tough questions, the reverse map
(a tree rooted at the goal), the small pilots, and later the check-ins and adjustments.

Every dataclass has an ``extra`` dict: keys found in a file that this version does not
know are kept there and written back, never silently dropped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol, TypeVar, get_args

# The step names, the schema version and the default timeboxes are defined in basics (which
# start-up reads without loading this module) and are part of the model's names too.
from backplan_tui.core.basics import ALL_STEPS as ALL_STEPS
from backplan_tui.core.basics import DEFAULT_TIMEBOXES as DEFAULT_TIMEBOXES
from backplan_tui.core.basics import SCHEMA_VERSION as SCHEMA_VERSION
from backplan_tui.core.basics import STEP_TITLES as STEP_TITLES
from backplan_tui.core.basics import STEPS as STEPS
from backplan_tui.core.basics import AnyStep as AnyStep
from backplan_tui.core.basics import Step as Step

# Each field's words: one Literal type, and the tuple of its values made from it.
Direction = Literal["increase", "decrease", "stay_above", "stay_below"]
QuestionStatus = Literal["open", "answered", "parked"]
NodeStatus = Literal["todo", "doing", "done", "dropped"]
PilotStatus = Literal["planned", "running", "done"]
Decision = Literal["", "scale", "adjust", "stop"]
Confidence = Literal["on_track", "at_risk", "off_track"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
QUESTION_STATUSES: tuple[QuestionStatus, ...] = get_args(QuestionStatus)
NODE_STATUSES: tuple[NodeStatus, ...] = get_args(NodeStatus)
PILOT_STATUSES: tuple[PilotStatus, ...] = get_args(PilotStatus)
DECISIONS: tuple[Decision, ...] = get_args(Decision)
CONFIDENCES: tuple[Confidence, ...] = get_args(Confidence)
Level = Literal["low", "medium", "high"]  # a stakeholder's interest and influence
Stance = Literal["champion", "neutral", "resistant"]
Cadence = Literal["once", "weekly", "fortnightly", "monthly", "quarterly"]
LEVELS: tuple[Level, ...] = get_args(Level)
STANCES: tuple[Stance, ...] = get_args(Stance)
CADENCES: tuple[Cadence, ...] = get_args(Cadence)
# How often the plan is reviewed (a check-in is due): Track shows it, the coach warns after it.
REVIEW_CADENCES: tuple[str, ...] = ("weekly", "fortnightly", "monthly")
DEFAULT_REVIEW_CADENCE = "fortnightly"

# The three questions the method always asks.  ``Question.key`` names them.
METHOD_QUESTIONS: dict[str, str] = {
    "who_benefits": "Who benefits from this initiative?",
    "success_numbers": "What does success look like in numbers?",
    "daily_work": "How will it change people's daily work?",
}


class HasId(Protocol):
    id: str


_Item = TypeVar("_Item", bound=HasId)


def by_id(items: list[_Item]) -> dict[str, _Item]:
    """The items by id; a repeated id (a hand-edited file) keeps the first, as
    ``Session.node`` finds it."""
    found: dict[str, _Item] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found


def utc_now() -> datetime:
    """Now, in UTC, to the second (TOML datetimes round-trip exactly at this precision)."""
    return datetime.now(UTC).replace(microsecond=0)


_id_tag = ""


def set_id_tag(tag: str) -> None:
    """A suffix for the ids of new items while others edit the same session (team mode,
    ``Workspace.look_around``): two apps adding at once pick different ids ("q7-ana",
    "q7-ben") rather than one id that the merge must tell apart by renaming one side (which
    moves a cursor, and an undo, from one person's item to the other's).  "" when alone:
    ids stay short (q7)."""
    global _id_tag
    _id_tag = tag


def id_tag_for(name: str) -> str:
    """The id suffix of a person: "-ana" (letters and digits of the name, at most 8), or a
    short hash when the name has none ("-x3f9a")."""
    import hashlib

    letters = "".join(c for c in name.casefold() if c.isascii() and c.isalnum())[:8]
    if letters:
        return f"-{letters}"
    return "-x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:4]


def next_id(prefix: str, taken: set[str] | list[str]) -> str:
    """The first free id of the form ``<prefix><n>`` (o1, q2, m3, p4 ...), with this app's
    tag while others edit the same session (``set_id_tag``: q7-ana)."""
    used = set(taken)
    n = 1
    while f"{prefix}{n}" in used or f"{prefix}{n}{_id_tag}" in used:
        n += 1
    return f"{prefix}{n}{_id_tag}"


@dataclass
class Outcome:
    """A measurable outcome (KPI) of the future state."""

    id: str
    metric: str = ""
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: Direction = "increase"
    due: date | None = None
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FutureState:
    statement: str = ""
    target_date: date | None = None
    aligned_objective: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    working_days: bool = False  # the schedule counts durations in weekdays (Mon-Fri)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Question:
    """A tough question and the team's answer.  ``key`` names one of METHOD_QUESTIONS."""

    id: str
    prompt: str = ""
    answer: str = ""
    status: QuestionStatus = "open"
    owner: str = ""
    key: str = ""
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MapNode:
    """A condition on the reverse map: "what must be true before" its parent.

    ``parent`` is the id of the node this one enables; "" means it enables the goal.
    """

    id: str
    title: str = ""
    parent: str = ""
    owner: str = ""
    duration_days: int | None = None
    pinned_due: date | None = None
    status: NodeStatus = "todo"
    votes: dict[str, int] = field(default_factory=dict)
    notes: str = ""
    # A milestone marks progress on the way: its date is its due date (pinned, else the
    # computed schedule's) and ``targets`` are the KPI values expected then (Outcome id ->
    # value), the intermediate points of each outcome's trajectory.
    milestone: bool = False
    targets: dict[str, float] = field(default_factory=dict)
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pilot:
    """A small experiment that tests part of the map before a big launch."""

    id: str
    name: str = ""
    hypothesis: str = ""
    tests: list[str] = field(default_factory=list)  # MapNode ids
    outcome: str = ""  # Outcome id
    metric: str = ""
    owner: str = ""
    start: date | None = None
    end: date | None = None
    success_rule: str = ""
    status: PilotStatus = "planned"
    result: str = ""
    decision: Decision = ""
    votes: dict[str, int] = field(default_factory=dict)
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckIn:
    date: date
    values: dict[str, float] = field(default_factory=dict)  # Outcome id -> actual
    confidence: Confidence = "on_track"
    note: str = ""
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Adjustment:
    date: date
    what: str = ""
    why: str = ""
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Owner:
    """A person who owns items of the plan.  Items name their owner by ``name``; names are
    compared folded (``core.owners.owner_key``: "Priya" and "priya " are one person)."""

    id: str
    name: str = ""
    capacity_hours: float | None = None  # a week's hours for this plan; None: not said
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Stakeholder:
    """Someone the plan needs on side: who, how much they care and can sway, and what they
    need to hear."""

    id: str
    name: str = ""
    role: str = ""
    interest: Level = "medium"
    influence: Level = "medium"
    stance: Stance = "neutral"
    needs: str = ""  # what they need to hear
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Communication:
    """One line of the communication plan: what goes to whom, how often, when next, by whom."""

    id: str
    what: str = ""
    audience: list[str] = field(default_factory=list)  # Stakeholder ids
    channel: str = ""  # how: "steering meeting", "email", ...
    cadence: Cadence = "once"
    next: date | None = None
    owner: str = ""
    by: str = ""  # who added it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportMark:
    """When a progress report was made, and what the plan looked like then, so the next one
    can say what moved since: each map node's due date and the ids of items done."""

    made: date
    due: dict[str, date] = field(default_factory=dict)  # MapNode id -> due date then
    done: list[str] = field(default_factory=list)  # MapNode and Pilot ids done then
    by: str = ""  # who made it (team mode); "" when not known
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conflict:
    """Both sides of a merge changed one field: ours is in place, theirs waits here.

    ``where`` is the item list ("questions", "map", "future_state.outcomes", ...) and ``item``
    the item's id, both "" for a field of the session itself; ``field`` is the field's name
    (dotted when nested).  ``theirs`` is their value as the file holds it, ``None`` when they
    removed it.  ``core.conflicts`` resolves one with either value.
    """

    field: str
    where: str = ""
    item: str = ""
    by: str = ""
    theirs: Any = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # ``field`` is taken


@dataclass
class Facilitation:
    timebox_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TIMEBOXES))
    votes_per_person: int = 3
    parking_lot: list[str] = field(default_factory=list)
    # The timeboxes' use, per step, in whole seconds (``core.timebox`` reads and writes them).
    used_seconds: dict[str, int] = field(default_factory=dict)  # time counted
    added_seconds: dict[str, int] = field(default_factory=dict)  # "+5 min" extensions
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Session:
    id: str
    title: str
    team: str = ""
    facilitator: str = ""
    participants: list[str] = field(default_factory=list)
    template: str = "blank"
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    revision: int = 0
    current_step: AnyStep = "future_state"
    schema_version: int = SCHEMA_VERSION
    future_state: FutureState = field(default_factory=FutureState)
    questions: list[Question] = field(default_factory=list)
    map: list[MapNode] = field(default_factory=list)
    pilots: list[Pilot] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    facilitation: Facilitation = field(default_factory=Facilitation)
    review_cadence: str = DEFAULT_REVIEW_CADENCE  # one of REVIEW_CADENCES
    owners: list[Owner] = field(default_factory=list)
    stakeholders: list[Stakeholder] = field(default_factory=list)
    communications: list[Communication] = field(default_factory=list)
    reports: list[ReportMark] = field(default_factory=list)  # the latest last
    conflicts: list[Conflict] = field(default_factory=list)  # left by merges, to resolve
    extra: dict[str, Any] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------------

    def node(self, node_id: str) -> MapNode | None:
        return next((n for n in self.map if n.id == node_id), None)

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.future_state.outcomes if o.id == outcome_id), None)

    def children(self, parent_id: str) -> list[MapNode]:
        """Nodes that must be true before ``parent_id`` ("" = the goal), in file order."""
        return [n for n in self.map if n.parent == parent_id]

    def descendants(self, node_id: str) -> list[MapNode]:
        """Every node below ``node_id`` (depth first)."""
        out: list[MapNode] = []
        stack = [node_id]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            for child in reversed(self.children(current)):
                if child.id not in seen:
                    seen.add(child.id)
                    out.append(child)
                    stack.append(child.id)
        return out

    def depth(self, node_id: str) -> int:
        """1 for a node that enables the goal directly, 2 for its children, ..."""
        d = 0
        seen: set[str] = set()
        current = self.node(node_id)
        while current is not None and current.id not in seen:
            seen.add(current.id)
            d += 1
            current = self.node(current.parent) if current.parent else None
        return d

    def new_id(self, prefix: str) -> str:
        """A fresh item id for outcomes (o), questions (q), map nodes (m) or pilots (p)."""
        taken = (
            [o.id for o in self.future_state.outcomes]
            + [q.id for q in self.questions]
            + [n.id for n in self.map]
            + [p.id for p in self.pilots]
            + [w.id for w in self.owners]
            + [k.id for k in self.stakeholders]
            + [c.id for c in self.communications]
        )
        return next_id(prefix, taken)

    def step_reached(self) -> str:
        return STEP_TITLES.get(self.current_step, self.current_step)
