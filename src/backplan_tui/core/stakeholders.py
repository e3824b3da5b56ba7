"""Stakeholders and the communication plan: what is due, what comes next, who needs what.

The method's guides say it plainly: leaders who prefer the old way resist, and clear,
evidence-backed communication carries a plan through.  A session keeps its stakeholders
(``Session.stakeholders``: name, role, interest, influence, stance, what they need to hear)
and its communication plan (``Session.communications``: what goes to whom, how, how often,
when next, by whom).  Pure: ``today`` is passed in; no Textual, no I/O.

Definitions:

- **Due**: a communication whose ``next`` date is on or before ``today + days`` (``days``
  defaults to :data:`DUE_DAYS`, Track's window); **overdue** when ``next`` is before
  ``today``.  A communication with no ``next`` date is not planned (or, once sent, done).
- **Sent**: marking a communication sent moves ``next`` along its cadence: the first date
  of the series ``next + k * cadence`` (k = 1, 2, ...) after both the planned date and the
  day it was sent.  Cadences: weekly +7 days, fortnightly +14 days, monthly and quarterly
  +1 and +3 months counted from the planned date (``dates.add_months``: the same day, clamped
  to the month's end, so 2027-01-31 monthly gives 2027-02-28, then 2027-03-31).  ``once``
  has no next date: sent, it is done (``next`` becomes None).  A date past the last one a
  session may hold (``dates.MAX_DATE``) gives None too.
- **Planned for a stakeholder**: a communication that names them in its ``audience`` and
  has a ``next`` date.
- **The power/interest grid**: a level counts as high only when it is ``high``.  High
  influence and high interest: *manage closely*; high influence only: *keep satisfied*;
  high interest only: *keep informed*; neither: *monitor*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backplan_tui.core.dates import MAX_DATE, add_days, add_months
from backplan_tui.core.model import Communication, Session, Stakeholder, next_id
from backplan_tui.core.progress import DueItem

DUE_DAYS = 14  # Track's "due in the next 14 days"
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14}
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3}
COMM_KIND = "comm"  # the kind of a communication's row among Track's due items
QUADRANTS = ("manage closely", "keep satisfied", "keep informed", "monitor")
STAKEHOLDER_PREFIX = "k"
COMMUNICATION_PREFIX = "c"


def quadrant(stakeholder: Stakeholder) -> str:
    """Where ``stakeholder`` sits on the power/interest grid (one of :data:`QUADRANTS`)."""
    power = stakeholder.influence == "high"
    interest = stakeholder.interest == "high"
    if power:
        return QUADRANTS[0] if interest else QUADRANTS[1]
    return QUADRANTS[2] if interest else QUADRANTS[3]


def _step(anchor: date, cadence: str, k: int) -> date:
    if cadence in CADENCE_MONTHS:
        return add_months(anchor, k * CADENCE_MONTHS[cadence])
    return add_days(anchor, k * CADENCE_DAYS[cadence])


def next_after(planned: date, cadence: str, sent_on: date) -> date | None:
    """The next date of a communication planned for ``planned`` and sent on ``sent_on``:
    the first ``planned + k * cadence`` (k >= 1) after both days; None for ``once`` (or an
    unknown cadence) and past ``dates.MAX_DATE``."""
    if cadence not in CADENCE_DAYS and cadence not in CADENCE_MONTHS:
        return None
    after = max(planned, sent_on)
    if cadence in CADENCE_DAYS:
        k = max(1, (after - planned).days // CADENCE_DAYS[cadence])
    else:
        months = (after.year - planned.year) * 12 + after.month - planned.month
        k = max(1, months // CADENCE_MONTHS[cadence])
    candidate = _step(planned, cadence, k)
    while candidate <= after and candidate < MAX_DATE:
        k += 1
        candidate = _step(planned, cadence, k)
    return candidate if after < candidate <= MAX_DATE else None


def mark_sent(communication: Communication, sent_on: date) -> date | None:
    """Record that ``communication`` went out on ``sent_on``: its ``next`` moves along the
    cadence (None: done).  Returns the new ``next``.  Nothing else is logged."""
    planned = communication.next or sent_on
    communication.next = next_after(planned, communication.cadence, sent_on)
    return communication.next


def audience_names(session: Session, communication: Communication) -> list[str]:
    """The names of a communication's audience, in its order (an unknown id as itself)."""
    names = {k.id: k.name or k.id for k in session.stakeholders}
    return [names.get(item, item) for item in communication.audience]


def planned_for(session: Session, stakeholder_id: str) -> list[Communication]:
    """The communications that name ``stakeholder_id`` in their audience and have a date."""
    return [
        c for c in session.communications if stakeholder_id in c.audience and c.next is not None
    ]


@dataclass(frozen=True)
class CommDue:
    """A communication due within the window (or overdue)."""

    communication: Communication
    audience: str  # the names, joined
    days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def communications_due(session: Session, today: date, days: int = DUE_DAYS) -> list[CommDue]:
    """Communications whose next date is on or before ``today + days``, earliest first
    (overdue ones included; file order within a day)."""
    found = []
    for comm in session.communications:
        if comm.next is None:
            continue
        left = (comm.next - today).days
        if left <= days:
            found.append(CommDue(comm, ", ".join(audience_names(session, comm)), left))
    found.sort(key=lambda d: d.days_left)
    return found


def overdue(session: Session, today: date) -> list[CommDue]:
    """The communications whose next date has passed."""
    return communications_due(session, today, days=-1)


def due_items(session: Session, today: date, days: int = DUE_DAYS) -> list[DueItem]:
    """:func:`communications_due` as Track's due items (kind :data:`COMM_KIND`; the title
    says what and to whom, the status the cadence)."""
    items = []
    for d in communications_due(session, today, days):
        comm = d.communication
        title = f"{comm.what} → {d.audience}" if d.audience else comm.what
        assert comm.next is not None
        items.append(
            DueItem(COMM_KIND, comm.id, title, comm.owner, comm.next, d.days_left, comm.cadence)
        )
    return items


def _taken(session: Session) -> set[str]:
    return {
        *(o.id for o in session.future_state.outcomes),
        *(q.id for q in session.questions),
        *(n.id for n in session.map),
        *(p.id for p in session.pilots),
        *(o.id for o in session.owners),
        *(k.id for k in session.stakeholders),
        *(c.id for c in session.communications),
    }


def new_stakeholder_id(session: Session) -> str:
    """A fresh id (k1, k2, ...) unique among every item of the session."""
    return next_id(STAKEHOLDER_PREFIX, _taken(session))


def new_communication_id(session: Session) -> str:
    """A fresh id (c1, c2, ...) unique among every item of the session."""
    return next_id(COMMUNICATION_PREFIX, _taken(session))


def remove_stakeholder(session: Session, stakeholder_id: str) -> Stakeholder | None:
    """Delete a stakeholder and take their id out of every audience (links name existing
    items).  Returns the one removed, None when there was none."""
    found = next((k for k in session.stakeholders if k.id == stakeholder_id), None)
    if found is None:
        return None
    session.stakeholders.remove(found)
    for comm in session.communications:
        comm.audience = [item for item in comm.audience if item != stakeholder_id]
    return found
