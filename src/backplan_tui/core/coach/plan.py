"""What every coach rule looks at: the session, ``today`` and the indexes built from them once
(``Plan``), with the small helpers the rules' messages share."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from backplan_tui.core import schedule as schedule_mod
from backplan_tui.core.coach.live import pilot_gaps
from backplan_tui.core.model import Pilot, Session
from backplan_tui.core.owners import DEFAULT_LIMITS, Limits, OwnerLoad, loads
from backplan_tui.core.progress import cadence_after, review_cadence
from backplan_tui.core.textclean import shorten

STRETCH_SHARE = 0.5  # a target at least 50% of the baseline away from it is a big jump


def under_way(session: Session, today: date) -> bool:
    """Whether the plan is being carried out (so check-ins are due).

    True when any map node is doing/done, any pilot is running/done or a check-in exists;
    also when the map has nodes and the session was created more than one review cadence
    before ``today`` (the workshop made a plan and time has passed, whether or not anyone
    updated a status).
    """
    if any(n.status in ("doing", "done") for n in session.map):
        return True
    if any(p.status in ("running", "done") for p in session.pilots) or session.checkins:
        return True
    first_due = cadence_after(session.created.date(), review_cadence(session))
    return bool(session.map) and today > first_due


def quote(text: str, fallback: str) -> str:
    return f'"{shorten(" ".join(text.split()) or fallback, 50)}"'


def num(value: float) -> str:
    return f"{value:g}"


def stretched(baseline: float | None, target: float | None, direction: str) -> bool:
    if baseline is None or target is None or direction not in ("increase", "decrease"):
        return False
    if baseline == 0:
        return target != 0
    return abs(target - baseline) >= STRETCH_SHARE * abs(baseline)


class Plan:
    """What every check needs, indexed once (O(size of the session))."""

    def __init__(
        self,
        session: Session,
        today: date,
        sched: schedule_mod.Schedule | None,
        limits: Limits | None = None,
    ) -> None:
        self.session = session
        self.today = today
        self.limits = limits if limits is not None else DEFAULT_LIMITS  # the owners' limits
        self.schedule = sched if sched is not None else schedule_mod.compute(session, today)
        # The schedule walked the map already (when it could: it needs a target date).
        self.live = self.schedule.live if self.schedule.ready else schedule_mod.walk(session)
        self.node_ids = {n.id for n in session.map}
        self.outcome_ids = {o.id for o in session.future_state.outcomes}
        self.titles: dict[str, str] = {}
        for n in session.map:
            self.titles.setdefault(n.id, n.title)
        self.under_way = under_way(session, today)

    def node_name(self, node_id: str) -> str:
        return quote(self.titles.get(node_id, ""), node_id)

    @cached_property
    def pilot_gaps(self) -> list[tuple[Pilot, frozenset[str]]]:
        """Each pilot not done yet (in file order) with the codes of its design gaps."""
        has_node, has_outcome = self.node_ids.__contains__, self.outcome_ids.__contains__
        return [
            (p, frozenset(code for code, _ in pilot_gaps(p, has_node, has_outcome)))
            for p in self.session.pilots
            if p.status != "done"
        ]

    @cached_property
    def owner_loads(self) -> list[OwnerLoad]:
        """Every owner with their items and load (``owners.loads``), over this schedule."""
        return loads(self.session, self.schedule)
