"""What every export says about the stakeholders and the communication plan, as one-line
texts (``common.line``): each format escapes them for itself.

A stakeholder's row: name, role, interest, influence, stance, where they sit on the
power/interest grid (``stakeholders.quadrant``) and what they need to hear.  A
communication's row: what, to whom (the audience's names), channel, cadence, the next date
and how far it is from ``today`` ("in 5 days", "3 days ago": overdue), and the owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backplan_tui.core import stakeholders
from backplan_tui.core.export.common import iso, line, lines, relative
from backplan_tui.core.model import Session

TITLE = "Stakeholders and communication"
STAKEHOLDER_HEADER = ("Stakeholder", "Role", "Interest", "Influence", "Stance", "Grid", "Needs")
COMMUNICATION_HEADER = ("Communication", "To", "Channel", "Cadence", "Next", "Owner")


@dataclass(frozen=True)
class CommRow:
    id: str
    what: str
    audience: str
    channel: str
    cadence: str
    next: date | None
    when: str  # "in 5 days", "today", "3 days ago"; "" without a date
    overdue: bool
    owner: str

    def cells(self) -> tuple[str, ...]:
        shown = f"{iso(self.next)} ({self.when})" if self.next else "not planned"
        if self.overdue:
            shown += ", overdue"
        return (self.what, self.audience, self.channel, self.cadence, shown, self.owner)


def has_any(session: Session) -> bool:
    return bool(session.stakeholders or session.communications)


def stakeholder_rows(session: Session) -> list[tuple[str, ...]]:
    return [
        (
            line(k.name) or line(k.id),
            line(k.role),
            k.interest,
            k.influence,
            k.stance,
            stakeholders.quadrant(k),
            " / ".join(lines(k.needs)),
        )
        for k in session.stakeholders
    ]


def communication_rows(session: Session, today: date) -> list[CommRow]:
    return [
        CommRow(
            id=line(c.id),
            what=" / ".join(lines(c.what)) or "(untitled)",
            audience=", ".join(line(n) for n in stakeholders.audience_names(session, c)),
            channel=line(c.channel),
            cadence=c.cadence,
            next=c.next,
            when=relative(c.next, today) if c.next else "",
            overdue=c.next is not None and c.next < today,
            owner=line(c.owner),
        )
        for c in session.communications
    ]
