"""Owners and their load: who owns what, when, and how much of it runs at once.  Pure: the
schedule (and through it ``today``) is passed in; nothing here reads a clock or a file.

Definitions (the numbers the Owners screen, the coach, ``backplan show`` and the exports print)
-----------------------------------------------------------------------------------------------

*Key*: ``owner_key(name)`` is the name with its whitespace collapsed and case folded, so
"Priya", "priya " and "PRIYA" are one person.  An empty key is nobody.

*The owners of a session*: the people on ``session.owners`` (the owner list, in its order;
two entries with one key are one person: the first entry's id and name, the first capacity
given), then every other name used as the owner of a map node, a pilot or a question, in the
order first met (map, pilots, questions, file order); such an owner is *not listed*.  Items
keep their free-text ``owner``; an item belongs to the owner whose key its owner has.

*Owned items*: the map nodes, pilots and questions whose owner has the owner's key, each with
its window, as shown:

- a map node: from its latest start to its due date, both from the backward schedule
  (``schedule.compute``); a node the schedule leaves out (no target date, dropped, not
  connected to the goal) has no window;
- a pilot: from its ``start`` to its ``end``; no window unless both are set;
- a question: never a window (it has no dates).

*Open*: a map node that is todo or doing and not settled (done, or below a done node); a pilot
that is planned or running; a question that is open.  Done, dropped, answered and parked items
are listed but never count.

*Running days*: the days an open item takes up.  A map node runs from its start to the day
before its due date (``duration_days`` days: by its due date it is done, and the node it
enables starts that day, so a chain of one person's nodes never overlaps itself); a node of
zero days runs no day.  A pilot runs from its start to its end, both days included.
Undated items run no day.

*At once* on a day: how many of the owner's open items run that day.  A *period* is a
longest run of days on which the same items run.  The *peak* is the most items at once on any
day (0 when nothing runs); the *peak periods* are the periods at the peak, earliest first.

*Time share* (only when the owner's weekly ``capacity_hours`` is given): the model has no
effort per item, so each running item is taken to need ``HOURS_PER_ITEM`` (4) hours a week,
half a working day.  The share at the peak is ``peak * HOURS_PER_ITEM / capacity_hours``
(1.0 = all of the hours they have for this plan; a capacity of 0 with anything running is an
infinite share).  The hours are an estimate to compare owners by, not a timesheet.

*Limits* (the user's settings): more than ``max_at_once`` items at once (default 3), or a
share over ``max_share`` (default 1.0, i.e. 100 %), is flagged by the coach
(``coach.rules_owners``), for listed owners only: the list is optional, a name nobody put
on it is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from math import inf

from backplan_tui.core.dates import add_days
from backplan_tui.core.model import (
    Communication,
    MapNode,
    Owner,
    Pilot,
    Question,
    Session,
    next_id,
)
from backplan_tui.core.schedule import Schedule

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_AT_ONCE",
    "DEFAULT_MAX_SHARE",
    "HOURS_PER_ITEM",
    "KIND_WORDS",
    "Limits",
    "OwnedItem",
    "OwnerLoad",
    "Period",
    "find_owner",
    "format_hours",
    "format_share",
    "load_of",
    "loads",
    "new_owner_id",
    "owner_key",
    "rename_items",
]

HOURS_PER_ITEM = 4.0  # a week's hours a running item is taken to need (no effort per item)
DEFAULT_MAX_AT_ONCE = 3
DEFAULT_MAX_SHARE = 1.0
KIND_WORDS = {"node": "map", "pilot": "pilot", "question": "question"}
_KIND_RANK = {"node": 0, "pilot": 1, "question": 2}
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """When the coach flags an owner (the user's settings)."""

    max_at_once: int = DEFAULT_MAX_AT_ONCE
    max_share: float = DEFAULT_MAX_SHARE  # 1.0 = 100 % of their weekly hours


DEFAULT_LIMITS = Limits()


def owner_key(name: str) -> str:
    """``name`` folded for comparing people: whitespace collapsed, case folded."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class OwnedItem:
    """One item an owner owns.  ``start``/``end`` are the dates shown (a node's latest start
    and due date, a pilot's start and end); ``first``/``last`` the days it runs (see the
    module's definitions), None when it runs no day."""

    kind: str  # "node" | "pilot" | "question"
    id: str
    title: str
    status: str
    open: bool
    start: date | None = None
    end: date | None = None
    first: date | None = None
    last: date | None = None

    @property
    def running(self) -> bool:
        """Open and running at least one day: it counts toward the load."""
        return self.open and self.first is not None and self.last is not None


@dataclass(frozen=True)
class Period:
    """A longest run of days (``first`` to ``last``, both included) on which the same items
    (``items``: ids, in the owner's item order) run."""

    first: date
    last: date
    items: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class OwnerLoad:
    """One person, what they own and their load (see the module's definitions)."""

    key: str
    name: str  # the list's spelling, else the first spelling met
    owner_id: str  # the Owner's id; "" when not listed
    capacity_hours: float | None
    items: tuple[OwnedItem, ...]
    periods: tuple[Period, ...]  # every period with something running, earliest first
    spellings: tuple[str, ...] = ()  # the distinct spellings the items use

    @property
    def listed(self) -> bool:
        return bool(self.owner_id)

    @property
    def peak(self) -> int:
        return max((p.count for p in self.periods), default=0)

    @property
    def peaks(self) -> tuple[Period, ...]:
        """The periods at the peak, earliest first (none when nothing runs)."""
        top = self.peak
        return tuple(p for p in self.periods if top and p.count == top)

    def over(self, limit: int) -> tuple[Period, ...]:
        """The periods with more than ``limit`` items at once, earliest first."""
        return tuple(p for p in self.periods if p.count > limit)

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.items if item.open)

    @property
    def hours_at_peak(self) -> float:
        return self.peak * HOURS_PER_ITEM

    @property
    def share(self) -> float | None:
        """The time share at the peak; None when no capacity is given."""
        if self.capacity_hours is None:
            return None
        if self.capacity_hours <= 0:
            return inf if self.peak else 0.0
        return self.hours_at_peak / self.capacity_hours

    def at_once(self, item_id: str) -> int:
        """The most items at once on the days ``item_id`` runs, itself included (0 when it
        runs no day): how much it overlaps the owner's other work."""
        return max((p.count for p in self.periods if item_id in p.items), default=0)

    def item(self, item_id: str) -> OwnedItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def _node_items(session: Session, plan: Schedule | None) -> list[tuple[str, OwnedItem]]:
    out = []
    for node in session.map:
        ns = plan.get(node.id) if plan is not None and plan.ready else None
        start = end = first = last = None
        settled = False
        if ns is not None:
            start, end, settled = ns.start, ns.due, ns.settled
            if ns.due > ns.start:
                first, last = ns.start, ns.due - _ONE_DAY
        is_open = node.status in ("todo", "doing") and not settled
        item = OwnedItem("node", node.id, node.title, node.status, is_open, start, end, first, last)
        out.append((node.owner, item))
    return out


def _pilot_items(session: Session) -> list[tuple[str, OwnedItem]]:
    out = []
    for p in session.pilots:
        dated = p.start is not None and p.end is not None and p.start <= p.end
        out.append(
            (
                p.owner,
                OwnedItem(
                    "pilot",
                    p.id,
                    p.name,
                    p.status,
                    p.status in ("planned", "running"),
                    p.start,
                    p.end,
                    p.start if dated else None,
                    p.end if dated else None,
                ),
            )
        )
    return out


def _question_items(session: Session) -> list[tuple[str, OwnedItem]]:
    return [
        (q.owner, OwnedItem("question", q.id, q.prompt, q.status, q.status == "open"))
        for q in session.questions
    ]


def _periods(items: list[OwnedItem]) -> tuple[Period, ...]:
    """The periods of ``items`` (see the module's definitions): a sweep over the days on
    which an item starts or stops running.  O(n log n) in the number of items."""
    running = [i for i in items if i.running]
    if not running:
        return ()
    changes: set[date] = set()
    for i in running:
        assert i.first is not None and i.last is not None
        changes.add(i.first)
        changes.add(add_days(i.last, 1))
    days = sorted(changes)
    out: list[Period] = []
    for day, following in zip(days, days[1:], strict=False):
        ids = tuple(
            i.id
            for i in running
            if i.first is not None and i.last is not None and i.first <= day <= i.last
        )
        if ids:
            out.append(Period(day, following - _ONE_DAY, ids))
    return tuple(out)


def _order(item: OwnedItem) -> tuple[date, int]:
    return (item.start or item.end or date.max, _KIND_RANK[item.kind])


def loads(session: Session, plan: Schedule | None) -> list[OwnerLoad]:
    """Every owner of ``session`` with their items and load: the listed owners in the list's
    order, then the names used on items but not listed, in the order first met.

    ``plan`` is the session's schedule (``schedule.compute``); None or not ready: map nodes
    have no window.  Items within an owner: by start date (undated last), map before
    pilots before questions, then file order."""
    people: dict[str, tuple[str, str, float | None]] = {}  # key -> (name, id, capacity)
    for owner in session.owners:
        key = owner_key(owner.name)
        if not key:
            continue
        if key not in people:
            people[key] = (" ".join(owner.name.split()), owner.id, owner.capacity_hours)
        elif people[key][2] is None and owner.capacity_hours is not None:
            name, owner_id, _ = people[key]
            people[key] = (name, owner_id, owner.capacity_hours)

    owned: dict[str, list[OwnedItem]] = {}
    spellings: dict[str, list[str]] = {}
    pairs = _node_items(session, plan) + _pilot_items(session) + _question_items(session)
    for name, item in pairs:
        key = owner_key(name)
        if not key:
            continue
        if key not in people:
            people[key] = (" ".join(name.split()), "", None)
        owned.setdefault(key, []).append(item)
        shown = " ".join(name.split())
        seen = spellings.setdefault(key, [])
        if shown not in seen:
            seen.append(shown)

    out = []
    for key, (name, owner_id, capacity) in people.items():
        items = sorted(owned.get(key, []), key=_order)  # stable: file order within a tie
        out.append(
            OwnerLoad(
                key=key,
                name=name,
                owner_id=owner_id,
                capacity_hours=capacity,
                items=tuple(items),
                periods=_periods(items),
                spellings=tuple(spellings.get(key, ())),
            )
        )
    return out


def load_of(session: Session, plan: Schedule | None, name: str) -> OwnerLoad | None:
    """The load of the owner whose key ``name`` has; None when nobody has it."""
    key = owner_key(name)
    return next((load for load in loads(session, plan) if load.key == key), None)


def find_owner(session: Session, name: str, *, besides: str = "") -> Owner | None:
    """The listed owner whose name has the key of ``name`` (not the one with id
    ``besides``); None when there is none."""
    key = owner_key(name)
    return next(
        (o for o in session.owners if o.id != besides and key and owner_key(o.name) == key),
        None,
    )


def new_owner_id(session: Session) -> str:
    """A fresh id for an owner: w1, w2, ..."""
    return next_id("w", [o.id for o in session.owners])


def rename_items(session: Session, old_name: str, new_name: str) -> int:
    """Set the owner of every question, map node, pilot and communication owned by the key of
    ``old_name`` to ``new_name``; how many items changed."""
    key = owner_key(old_name)
    if not key:
        return 0
    changed = 0
    items: list[Question | MapNode | Pilot | Communication] = [
        *session.questions,
        *session.map,
        *session.pilots,
        *session.communications,
    ]
    for item in items:
        if owner_key(item.owner) == key and item.owner != new_name:
            item.owner = new_name
            changed += 1
    return changed


def format_hours(hours: float) -> str:
    """8 -> "8 h", 7.5 -> "7.5 h"."""
    return f"{hours:g} h"


def format_share(share: float | None) -> str:
    """0.5 -> "50%"; inf (a capacity of 0 h) -> "no hours"; None -> ""."""
    if share is None:
        return ""
    if share == inf:
        return "no hours"
    return f"{round(share * 100)}%"
