"""The plan facts an export shows, computed once per export.

The backward schedule and the coach's findings used to be computed again by each part of an
export that showed them: the Markdown's map section, its plan-health section (the coach
computes the schedule itself when not given one), and the HTML's timeline.  ``of`` computes
the schedule once; the findings, from that schedule, the first time they are asked for.
Renderers take an optional ``facts`` and compute their own when given none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from backplan_tui.core import coach, schedule
from backplan_tui.core.model import Session


@dataclass(frozen=True)
class Facts:
    session: Session
    today: date
    plan: schedule.Schedule

    @cached_property
    def findings(self) -> list[coach.Finding]:
        """The coach's review, over ``plan`` (not a second schedule)."""
        return coach.review(self.session, self.today, schedule=self.plan)


def of(session: Session, today: date) -> Facts:
    """The facts of ``session`` as of ``today``."""
    return Facts(session, today, schedule.compute(session, today))
