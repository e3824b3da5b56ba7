"""A template's stakeholders and communication plan: parsed from its TOML, built for a day.

The template file format (beside the rest in ``templates/__init__.py``)::

    [[stakeholders]]
    id = "k1"
    name = "Finance director"               # (required)
    role = "Budget holder"
    interest = "medium"                     # low | medium | high; default "medium"
    influence = "high"                      # low | medium | high; default "medium"
    stance = "resistant"                    # champion | neutral | resistant; default "neutral"
    needs = "The cost per retained hire."

    [[communications]]
    id = "c1"
    what = "Retention against the milestones"   # (required)
    audience = ["k1"]                       # stakeholder ids
    channel = "Steering meeting"
    cadence = "monthly"                     # once | weekly | fortnightly | monthly | quarterly
    next_in_days = 14                       # optional: next = today + N days
    owner = "HR lead"

Ids share the template's one id space; an audience must name stakeholders of the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backplan_tui.core.model import (
    CADENCES,
    LEVELS,
    STANCES,
    Cadence,
    Communication,
    Level,
    Stakeholder,
    Stance,
)

STAKEHOLDER_KEYS = ("id", "name", "role", "interest", "influence", "stance", "needs")
COMMUNICATION_KEYS = ("id", "what", "audience", "channel", "cadence", "next_in_days", "owner")


@dataclass(frozen=True)
class StakeholderSpec:
    id: str
    name: str
    role: str
    interest: Level
    influence: Level
    stance: Stance
    needs: str


@dataclass(frozen=True)
class CommunicationSpec:
    id: str
    what: str
    audience: tuple[str, ...]
    channel: str
    cadence: Cadence
    next_in_days: int | None
    owner: str


def parse(
    top: Any, take_id: Callable[[Any], str]
) -> tuple[tuple[StakeholderSpec, ...], tuple[CommunicationSpec, ...]]:
    """The ``[[stakeholders]]`` and ``[[communications]]`` of a template's top table (the
    loader's ``_Table``; ``take_id`` checks an id is new)."""
    people = tuple(
        StakeholderSpec(
            id=take_id(t),
            name=t.text("name", required=True),
            role=t.text("role"),
            interest=t.choice("interest", LEVELS, "medium"),
            influence=t.choice("influence", LEVELS, "medium"),
            stance=t.choice("stance", STANCES, "neutral"),
            needs=t.text("needs", multiline=True),
        )
        for t in top.tables("stakeholders", STAKEHOLDER_KEYS)
    )
    known = {p.id for p in people}
    plan = []
    for t in top.tables("communications", COMMUNICATION_KEYS):
        audience = t.text_list("audience")
        for who in audience:
            if who not in known:
                raise t.error("audience", f"no stakeholder {who!r}")
        plan.append(
            CommunicationSpec(
                id=take_id(t),
                what=t.text("what", required=True),
                audience=audience,
                channel=t.text("channel"),
                cadence=t.choice("cadence", CADENCES, "once"),
                next_in_days=t.integer("next_in_days"),
                owner=t.text("owner"),
            )
        )
    return people, tuple(plan)


def build(
    people: tuple[StakeholderSpec, ...], plan: tuple[CommunicationSpec, ...], today: date
) -> tuple[list[Stakeholder], list[Communication]]:
    """Fresh model objects for a session made on ``today``."""
    return (
        [
            Stakeholder(
                id=p.id,
                name=p.name,
                role=p.role,
                interest=p.interest,
                influence=p.influence,
                stance=p.stance,
                needs=p.needs,
            )
            for p in people
        ],
        [
            Communication(
                id=c.id,
                what=c.what,
                audience=list(c.audience),
                channel=c.channel,
                cadence=c.cadence,
                next=today + timedelta(days=c.next_in_days) if c.next_in_days is not None else None,
                owner=c.owner,
            )
            for c in plan
        ],
    )
