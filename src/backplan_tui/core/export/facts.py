"""The plan facts an export shows, computed once per export.

``export.render`` computes a ``PlanFacts`` for the session and hands it to the format, which
takes everything derived from it: the backward schedule (``plan``), the coach's findings (from
that schedule, not a second one), each outcome's progress, the pilots' design flags and the
action rows (map nodes and pilots with their dates) the CSV, ICS and HTML timeline show, and
each owner's items and load (``owners.loads``; ``limits`` are the user's, for the coach).
Each is computed the first time a format asks for it, once.  A format called directly with
no facts computes its own (``of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from backplan_tui.core import coach, progress, schedule
from backplan_tui.core.model import Session
from backplan_tui.core.owners import DEFAULT_LIMITS, Limits, OwnerLoad, loads

if TYPE_CHECKING:
    from backplan_tui.core.export.actions import Action


@dataclass(frozen=True)
class PlanFacts:
    session: Session
    today: date
    plan: schedule.Schedule
    limits: Limits = DEFAULT_LIMITS  # when the coach flags an owner (the user's settings)

    @cached_property
    def findings(self) -> list[coach.Finding]:
        """The coach's review, over ``plan`` (not a second schedule)."""
        return coach.review(self.session, self.today, schedule=self.plan, limits=self.limits)

    @cached_property
    def owner_loads(self) -> list[OwnerLoad]:
        """Every owner with their items and load over ``plan`` (``owners.loads``)."""
        return loads(self.session, self.plan)

    @cached_property
    def progress(self) -> list[progress.Progress]:
        """Each outcome's progress on ``today``, in file order (``progress.progress_all``)."""
        return progress.progress_all(self.session, self.today)

    @cached_property
    def pilot_flags(self) -> dict[str, list[str]]:
        """The coach's design flags of each pilot, by pilot id (``coach.all_pilot_flags``)."""
        return coach.all_pilot_flags(self.session)

    @cached_property
    def actions(self) -> list[Action]:
        """Every map node and pilot as an action row, dated by ``plan``."""
        from backplan_tui.core.export.actions import actions

        return actions(self.session, self.today, self.plan)


def of(
    session: Session,
    today: date,
    *,
    plan: schedule.Schedule | None = None,
    findings: list[coach.Finding] | None = None,
    limits: Limits | None = None,
) -> PlanFacts:
    """The facts of ``session`` as of ``today``.  ``plan`` and ``findings`` are the schedule
    and the coach's findings when the caller has them already (the app keeps them per edit)."""
    facts = PlanFacts(
        session,
        today,
        plan if plan is not None else schedule.compute(session, today),
        limits if limits is not None else DEFAULT_LIMITS,
    )
    if findings is not None:
        vars(facts)["findings"] = findings  # what the cached property would have computed
    return facts
