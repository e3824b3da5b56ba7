"""Stakeholders and the communication plan (``core.stakeholders``) and the coach's two
stakeholder rules.  Every expected date is worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from backplan_tui.core import stakeholders
from backplan_tui.core.coach import review
from backplan_tui.core.dates import MAX_DATE
from backplan_tui.core.model import Communication, Session, Stakeholder
from backplan_tui.core.stakeholders import (
    communications_due,
    mark_sent,
    new_communication_id,
    new_stakeholder_id,
    next_after,
    planned_for,
    quadrant,
    remove_stakeholder,
)


def ines(**changes: object) -> Stakeholder:
    values: dict[str, object] = {
        "name": "Ines",
        "role": "CFO",
        "interest": "high",
        "influence": "high",
        "stance": "resistant",
        "needs": "The cost per retained hire.",
    }
    values.update(changes)
    return Stakeholder(id="k1", **values)  # type: ignore[arg-type]


def plan(*communications: Communication, people: list[Stakeholder] | None = None) -> Session:
    return Session(
        id="s",
        title="Retention",
        stakeholders=people if people is not None else [ines()],
        communications=list(communications),
    )


# --- next dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "cadence", "sent_on", "expected"),
    [
        # monthly from a month end: clamped to February's end ...
        (date(2027, 1, 31), "monthly", date(2027, 1, 31), date(2027, 2, 28)),
        # ... and counted from the planned day, so March keeps the 31st (not the 28th)
        (date(2027, 1, 31), "monthly", date(2027, 3, 5), date(2027, 3, 31)),
        # 2028 is a leap year
        (date(2028, 1, 31), "monthly", date(2028, 1, 31), date(2028, 2, 29)),
        # weekly: +7; sent two days late, the rhythm stays on Wednesdays
        (date(2027, 2, 3), "weekly", date(2027, 2, 3), date(2027, 2, 10)),
        (date(2027, 2, 3), "weekly", date(2027, 2, 5), date(2027, 2, 10)),
        # weekly, sent 15 days late: Feb 10 and Feb 17 have passed by Feb 18 -> Feb 24
        (date(2027, 2, 3), "weekly", date(2027, 2, 18), date(2027, 2, 24)),
        # fortnightly: +14, across a month end
        (date(2027, 1, 25), "fortnightly", date(2027, 1, 25), date(2027, 2, 8)),
        # quarterly: +3 months, clamped (Nov 30 + 3 months = Feb 28)
        (date(2026, 11, 30), "quarterly", date(2026, 11, 30), date(2027, 2, 28)),
        # sent early: the next one is still one cadence after the planned day
        (date(2027, 3, 10), "monthly", date(2027, 3, 1), date(2027, 4, 10)),
    ],
)
def test_next_after_moves_along_the_cadence(
    planned: date, cadence: str, sent_on: date, expected: date
) -> None:
    assert next_after(planned, cadence, sent_on) == expected


def test_once_has_no_next_date_and_the_last_date_stops() -> None:
    assert next_after(date(2027, 2, 1), "once", date(2027, 2, 1)) is None
    # MAX_DATE is the last day a session may hold: nothing after it
    assert next_after(MAX_DATE - timedelta(days=3), "weekly", MAX_DATE) is None
    assert next_after(MAX_DATE - timedelta(days=7), "weekly", MAX_DATE - timedelta(days=7)) == (
        MAX_DATE
    )


def test_mark_sent_moves_next_and_once_is_done() -> None:
    monthly = Communication(id="c1", what="Figures", cadence="monthly", next=date(2027, 1, 31))
    assert mark_sent(monthly, date(2027, 1, 31)) == date(2027, 2, 28)
    assert monthly.next == date(2027, 2, 28)
    once = Communication(id="c2", what="Kick-off", cadence="once", next=date(2027, 1, 31))
    assert mark_sent(once, date(2027, 1, 31)) is None
    assert once.next is None


# --- due and overdue --------------------------------------------------------------------------


def test_due_within_the_window_and_overdue_before_today() -> None:
    today = date(2027, 2, 10)
    session = plan(
        Communication(id="c1", what="Late", audience=["k1"], next=date(2027, 2, 9)),
        Communication(id="c2", what="Today", audience=["k1"], next=date(2027, 2, 10)),
        Communication(id="c3", what="Edge", next=date(2027, 2, 24)),  # today + 14
        Communication(id="c4", what="Beyond", next=date(2027, 2, 25)),  # today + 15
        Communication(id="c5", what="No date"),
    )
    due = communications_due(session, today)
    assert [(d.communication.id, d.days_left, d.overdue) for d in due] == [
        ("c1", -1, True),
        ("c2", 0, False),
        ("c3", 14, False),
    ]
    assert due[0].audience == "Ines"
    assert [d.communication.id for d in stakeholders.overdue(session, today)] == ["c1"]
    items = stakeholders.due_items(session, today)
    assert [(i.kind, i.id, i.title, i.due) for i in items][:1] == [
        ("comm", "c1", "Late → Ines", date(2027, 2, 9))
    ]


def test_planned_for_needs_the_audience_and_a_date() -> None:
    session = plan(
        Communication(id="c1", what="To all", audience=["k2"], next=date(2027, 3, 1)),
        Communication(id="c2", what="Undated", audience=["k1"]),
    )
    assert planned_for(session, "k1") == []
    session.communications.append(
        Communication(id="c3", what="Dated", audience=["k1"], next=date(2027, 3, 1))
    )
    assert [c.id for c in planned_for(session, "k1")] == ["c3"]


def test_the_power_interest_grid() -> None:
    assert quadrant(ines()) == "manage closely"
    assert quadrant(ines(interest="medium")) == "keep satisfied"
    assert quadrant(ines(influence="medium")) == "keep informed"
    assert quadrant(ines(influence="low", interest="low")) == "monitor"


def test_new_ids_skip_every_id_in_the_session_and_removal_clears_audiences() -> None:
    session = plan(Communication(id="c1", what="x", audience=["k1", "k2"]))
    session.stakeholders.append(Stakeholder(id="k2", name="Lee"))
    assert new_stakeholder_id(session) == "k3"
    assert new_communication_id(session) == "c2"
    removed = remove_stakeholder(session, "k1")
    assert removed is not None and removed.name == "Ines"
    assert session.communications[0].audience == ["k2"]
    assert remove_stakeholder(session, "k9") is None


# --- the coach --------------------------------------------------------------------------------


def stakeholder_findings(session: Session, today: date) -> list[tuple[str, str, str]]:
    return [
        (f.check, f.item_id, f.message)
        for f in review(session, today)
        if f.check in ("resistant_unplanned", "communication_overdue")
    ]


def test_coach_flags_a_resistant_high_influence_stakeholder_with_no_plan() -> None:
    today = date(2027, 2, 10)
    session = plan()
    assert stakeholder_findings(session, today) == [
        (
            "resistant_unplanned",
            "k1",
            '"Ines" resists the plan, has high influence and no communication is planned for them.',
        )
    ]
    # An undated line of the plan is not planned either
    session.communications.append(Communication(id="c1", what="Figures", audience=["k1"]))
    assert [f[0] for f in stakeholder_findings(session, today)] == ["resistant_unplanned"]
    # Dated: silent
    session.communications[0].next = date(2027, 2, 20)
    assert stakeholder_findings(session, today) == []
    # Neutral, or resistant with medium influence: silent even with no plan
    session.communications.clear()
    session.stakeholders = [ines(stance="neutral"), ines(influence="medium")]
    assert stakeholder_findings(session, today) == []


def test_coach_names_an_overdue_communication_and_its_audience() -> None:
    session = plan(Communication(id="c1", what="Figures", audience=["k1"], next=date(2027, 2, 7)))
    # 2027-02-07 to 2027-02-10: 3 days
    assert stakeholder_findings(session, date(2027, 2, 10)) == [
        ("communication_overdue", "c1", '"Figures" to Ines was due 2027-02-07 (3 days ago).')
    ]
    # On its day it is due, not overdue
    assert stakeholder_findings(session, date(2027, 2, 7)) == []


def test_the_workspace_stamps_who_added_a_stakeholder(tmp_path: Path) -> None:
    from backplan_tui.core import templates
    from backplan_tui.core.storage import SessionStore
    from backplan_tui.core.workspace import Workspace

    store = SessionStore(tmp_path)
    store.create(templates.demo_session(date(2026, 11, 23)))
    ws = Workspace(store, today=lambda: date(2026, 11, 23), clock=lambda: 0.0, name="Ben")
    ws.adopt(ws.prepare("demo"))
    ws.session.stakeholders.append(Stakeholder(id=new_stakeholder_id(ws.session), name="Raj"))
    ws.session.communications.append(
        Communication(id=new_communication_id(ws.session), what="Note", audience=["k4"])
    )
    assert ws.record_edit("add")
    assert (ws.session.stakeholders[-1].id, ws.session.stakeholders[-1].by) == ("k4", "Ben")
    assert (ws.session.communications[-1].id, ws.session.communications[-1].by) == ("c3", "Ben")
    # the demo's own were there before: not stamped
    assert ws.session.stakeholders[0].by == ""


# --- templates --------------------------------------------------------------------------------

TEMPLATE_HEAD = (
    'title = "T"\ncategory = "HR"\ndescription = "D"\n'
    + "".join(
        f'[[questions]]\nid = "q{i}"\nkey = "{k}"\n'
        for i, k in enumerate(("who_benefits", "success_numbers", "daily_work"), 1)
    )
    + '[[stakeholders]]\nid = "k1"\nname = "CFO"\ninfluence = "high"\nstance = "resistant"\n'
)


def test_a_template_plans_its_communications_from_the_day_it_is_used() -> None:
    from backplan_tui.core import templates

    text = TEMPLATE_HEAD + (
        '[[communications]]\nid = "c1"\nwhat = "Figures"\naudience = ["k1"]\n'
        'cadence = "monthly"\nnext_in_days = 30\n'
    )
    spec = templates._parse(text, "ok.toml")
    assert [(k.id, k.name, k.interest, k.influence, k.stance) for k in spec.stakeholders] == [
        ("k1", "CFO", "medium", "high", "resistant")
    ]
    people, plan_ = templates.people.build(spec.stakeholders, spec.communications, date(2027, 1, 1))
    # 2027-01-01 + 30 days = 2027-01-31
    assert [(c.id, c.audience, c.cadence, c.next) for c in plan_] == [
        ("c1", ["k1"], "monthly", date(2027, 1, 31))
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[communications]]\nid = "c1"\nwhat = "x"\naudience = ["k7"]\n', "no stakeholder 'k7'"),
        ('[[communications]]\nid = "k1"\nwhat = "x"\n', "duplicate id 'k1'"),
        ('[[communications]]\nid = "c1"\nwhat = "x"\ncadence = "daily"\n', "must be one of"),
        ('[[communications]]\nid = "c1"\nwhat = "x"\nnext_in_days = -1\n', "must be 0 or more"),
        ('[[stakeholders]]\nid = "k2"\nname = "x"\nmood = "sad"\n', "unknown key"),
    ],
)
def test_a_malformed_plan_in_a_template_names_the_field(extra: str, message: str) -> None:
    from backplan_tui.core import templates

    with pytest.raises(templates.TemplateError, match=message):
        templates._parse(TEMPLATE_HEAD + extra, "bad.toml")


def test_a_merge_conflict_names_the_stakeholder_or_the_communication() -> None:
    from backplan_tui.core.conflicts import describe
    from backplan_tui.core.model import Conflict

    session = plan(Communication(id="c1", what="Figures", audience=["k1"]))
    on_ines = Conflict(field="stance", where="stakeholders", item="k1", by="Ben", theirs="neutral")
    on_figures = Conflict(field="channel", where="communications", item="c1", by="Ben", theirs="x")
    session.conflicts = [on_ines, on_figures]
    assert describe(session, 0).what == "the stakeholder 'Ines'"
    assert describe(session, 1).what == "the communication 'Figures'"
