"""The progress report's facts (core.report), on a hand-built session with hand-computed
numbers: the trajectory's expected values, slipped days, items done, adjustments, decisions
and the next milestones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backplan_tui.core import report, schedule
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Conflict,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    ReportMark,
    Session,
)

TODAY = date(2027, 2, 15)
MARK = ReportMark(
    made=date(2027, 2, 1),
    due={
        "m1": date(2027, 2, 20),  # now 2027-03-01 (pinned): 9 days later
        "m2": date(2027, 2, 20),  # now 2027-02-15 (m1's latest start): 5 days earlier
        "m3": date(2027, 7, 1),  # now 2027-07-01: did not move
    },
    done=["p2"],
)


def plan() -> Session:
    return Session(
        id="plan",
        title="Plan",
        created=datetime(2027, 1, 1, 9, 0, tzinfo=UTC),
        future_state=FutureState(
            statement="Keep people",
            target_date=date(2027, 7, 1),
            outcomes=[
                Outcome(id="o1", metric="Retention", unit="%", baseline=70, target=90),
                Outcome(
                    id="o2",
                    metric="Cost",
                    unit="k",
                    baseline=100,
                    target=80,
                    direction="decrease",
                    due=date(2027, 5, 1),
                ),
            ],
        ),
        map=[
            MapNode(
                id="m1",
                title="Pilot live",
                duration_days=14,
                pinned_due=date(2027, 3, 1),
                milestone=True,
                targets={"o1": 76},
            ),
            MapNode(id="m2", title="Train managers", parent="m1", duration_days=10),
            MapNode(id="m3", title="Survey", duration_days=5, status="done"),
            MapNode(id="m4", title="New item", duration_days=3),
            MapNode(
                id="m5",
                title="Halfway",
                duration_days=1,
                pinned_due=date(2027, 5, 1),
                milestone=True,
                targets={"o1": 82},
            ),
            MapNode(
                id="m6",
                title="First step",
                duration_days=1,
                pinned_due=date(2027, 2, 1),
                milestone=True,
                targets={"o1": 72},
            ),
            MapNode(
                id="m7",
                title="Done milestone",
                duration_days=1,
                pinned_due=date(2027, 3, 10),
                milestone=True,
                status="done",
            ),
            MapNode(
                id="m8",
                title="Final check",
                duration_days=1,
                pinned_due=date(2027, 6, 1),
                milestone=True,
                targets={"o2": 82},
            ),
            MapNode(id="m9", title="Late June", pinned_due=date(2027, 6, 15), milestone=True),
        ],
        pilots=[
            Pilot(id="p1", name="Buddy pilot", status="done"),
            Pilot(id="p2", name="Old pilot", status="done", decision="scale"),
            Pilot(id="p3", name="Running", status="running"),
        ],
        questions=[
            Question(id="q1", key="who_benefits", prompt="Who benefits?", status="answered"),
            Question(id="q2", key="success_numbers", prompt="Success in numbers?"),
            Question(id="q3", prompt="Not a key question"),
        ],
        checkins=[
            CheckIn(date=date(2027, 1, 20), values={"o1": 71}),
            CheckIn(date=date(2027, 2, 10), values={"o1": 73, "o2": 90}),
        ],
        adjustments=[
            Adjustment(date=date(2027, 1, 25), what="Before the mark"),
            Adjustment(date=date(2027, 2, 1), what="On the mark's day"),
            Adjustment(date=date(2027, 2, 5), what="Moved the pilot", why="Cohort too small"),
        ],
        conflicts=[Conflict(field="title", where="map", item="m4", by="Ben", theirs="Other")],
    )


def facts(session: Session, mark: ReportMark | None = MARK) -> report.Report:
    return report.build(session, TODAY, schedule.compute(session, TODAY), mark)


def test_kpis_against_the_trajectory() -> None:
    r = facts(plan())
    retention, cost = r.kpis
    # o1's points: 2027-01-01 70 (baseline), m6 2027-02-01 72, m1 2027-03-01 76,
    # m5 2027-05-01 82, 2027-07-01 90 (target on the goal's date).
    assert [(p.when, p.value) for p in retention.points] == [
        (date(2027, 1, 1), 70),
        (date(2027, 2, 1), 72),
        (date(2027, 3, 1), 76),
        (date(2027, 5, 1), 82),
        (date(2027, 7, 1), 90),
    ]
    # today 02-15 is 14 of the 28 days from 02-01 (72) to 03-01 (76): 72 + 4 * 14/28 = 74
    assert retention.expected_today == pytest.approx(74)
    # the latest, 73 on 02-10, 9 days in: 72 + 4 * 9/28 = 73.2857; 73 is 0.2857 below
    assert retention.latest == 73 and retention.latest_date == date(2027, 2, 10)
    assert retention.expected_then == pytest.approx(72 + 36 / 28)
    assert retention.gap == pytest.approx(-(36 / 28 - 1))
    assert retention.position == "below" and retention.good_side is False
    # pace: 3 points in 40 days = 0.525 a week; needed (90 - 73) / (136 days / 7) = 0.875
    assert retention.verdict == "behind"
    assert retention.target == 90 and retention.due == date(2027, 7, 1)
    assert retention.actuals == ((date(2027, 1, 20), 71), (date(2027, 2, 10), 73))
    # o2 (decrease, due 05-01, m8 is after its due date): a straight line 100 -> 80 over 120
    # days. Today, day 45: 100 - 20 * 45/120 = 92.5; on 02-10, day 40: 93.333; 90 is
    # 3.333 below, the good side for a decrease.
    assert len(cost.points) == 2
    assert cost.expected_today == pytest.approx(92.5)
    assert cost.expected_then == pytest.approx(100 - 20 * 40 / 120)
    assert cost.gap == pytest.approx(90 - (100 - 20 * 40 / 120))
    assert cost.position == "below" and cost.good_side is True


def test_what_moved_since_the_mark() -> None:
    r = facts(plan())
    assert r.since == date(2027, 2, 1) and r.since_report
    # m1 pinned 2027-03-01 (was 02-20): 9 days later; m2 is due on m1's latest start,
    # 03-01 - 14 days = 02-15 (was 02-20): 5 days earlier; m3 did not move; m4 is new.
    assert [(m.node_id, m.before, m.now, m.days) for m in r.moved] == [
        ("m1", date(2027, 2, 20), date(2027, 3, 1), 9),
        ("m2", date(2027, 2, 20), date(2027, 2, 15), -5),
    ]
    assert [m.node_id for m in r.slipped] == ["m1"]
    assert [m.node_id for m in r.earlier] == ["m2"]
    # done now and not in the mark: m3, m7 and p1 (p2 was done already)
    assert [(d.kind, d.id) for d in r.done] == [("map", "m3"), ("map", "m7"), ("pilot", "p1")]
    # after 02-01 only (the report that day listed the adjustments of that day)
    assert [a.what for a in r.adjustments] == ["Moved the pilot"]
    assert not r.nothing_moved


def test_decisions_needed() -> None:
    r = facts(plan())
    kinds = [(d.kind, d.id) for d in r.decisions]
    # p1 done with no decision; the conflict; q2 (key, open; q1 is answered, q3 has no key);
    # m1 (03-01) is Retention's next milestone: the pace 70 -> 73 in the 40 days from 01-01 to
    # 02-10, carried 19 days more to 03-01, gives 73 + 3 * 19 / 40 = 74.4 < 76: at risk.  m6
    # (02-01) wanted 72: missed (71 on 01-20, the last actual by then) but caught up (73 now):
    # not listed.  m5 (05-01) is not the next milestone yet.
    assert kinds == [("pilot", "p1"), ("conflict", "m4"), ("question", "q2"), ("milestone", "m1")]
    texts = [d.text for d in r.decisions]
    assert texts[0] == 'Pilot "Buddy pilot" is done: scale it, adjust it or stop it?'
    assert "New item" in texts[1] and "title" in texts[1]
    assert texts[2] == "Open question: Success in numbers?"
    assert texts[3] == 'Milestone "Pilot live" due 2027-03-01: Retention 73%, target 76%'


def test_a_passed_milestone_behind_its_target_is_at_risk() -> None:
    session = plan()
    first = session.node("m6")
    assert first is not None
    first.targets = {"o1": 75}  # was due 02-01; Retention is 73
    texts = [d.text for d in facts(session).decisions if d.kind == "milestone"]
    assert texts[0] == 'Milestone "First step" was due 2027-02-01: Retention 73%, target 75%'


def test_a_far_milestone_the_pace_misses_is_at_risk_and_one_it_reaches_is_not() -> None:
    session = plan()
    session.map = [n for n in session.map if n.id not in ("m1", "m6")]  # m5 (05-01) is next
    # Retention: 70 -> 73 in 40 days, carried 80 days more to 05-01: 73 + 3 * 80 / 40 = 79,
    # short of m5's 82 though it is 75 days away.
    texts = [d.text for d in facts(session).decisions if d.kind == "milestone"]
    assert texts == ['Milestone "Halfway" due 2027-05-01: Retention 73%, target 82%']
    node = session.node("m5")
    assert node is not None
    node.targets = {"o1": 79}  # the pace reaches it exactly: not at risk
    assert [d for d in facts(session).decisions if d.kind == "milestone"] == []


def test_next_milestones() -> None:
    r = facts(plan())
    # open milestones dated 02-15 or later: m1 03-01, m5 05-01, m8 06-01, m9 06-15 (the
    # fourth is left out); m6 has passed, m7 is done
    assert [(m.node_id, m.when) for m in r.next_milestones] == [
        ("m1", date(2027, 3, 1)),
        ("m5", date(2027, 5, 1)),
        ("m8", date(2027, 6, 1)),
    ]
    assert r.next_milestones[0].targets == (("Retention", "%", 76),)
    assert r.next_milestones[2].targets == (("Cost", "k", 82),)


def test_no_mark_is_since_the_session_began() -> None:
    r = facts(plan(), None)
    assert r.since == date(2027, 1, 1) and not r.since_report
    assert r.moved == ()  # no earlier plan to compare with
    assert [d.id for d in r.done] == ["m3", "m7", "p1", "p2"]
    assert [a.what for a in r.adjustments] == [
        "Before the mark",
        "On the mark's day",
        "Moved the pilot",
    ]


def test_make_mark_then_nothing_moved() -> None:
    session = plan()
    plan_now = schedule.compute(session, TODAY)
    mark = report.make_mark(session, TODAY, plan_now, "Ann")
    assert mark.made == TODAY and mark.by == "Ann"
    assert mark.due["m1"] == date(2027, 3, 1)
    assert mark.due["m2"] == date(2027, 2, 15)
    assert mark.due["m3"] == date(2027, 7, 1)  # a top-level node is due on the goal's date
    assert mark.done == ["m3", "m7", "p1", "p2"]
    again = report.build(session, TODAY, plan_now, mark)
    assert again.since == TODAY and again.nothing_moved
