"""Milestones against the trajectory: hand-computed projections and at-risk verdicts."""

from datetime import UTC, date, datetime

from backplan_tui.core import milestones
from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Session


def _session(direction: str = "increase", baseline: float = 70, target: float = 90) -> Session:
    """Start 2027-01-01 at ``baseline``; milestone "Pilot done" 82 on 2027-04-01; due
    2027-12-31."""
    s = Session(id="s", title="t", created=datetime(2027, 1, 1, 9, tzinfo=UTC))
    s.future_state = FutureState(
        target_date=date(2027, 12, 31),
        outcomes=[
            Outcome(
                id="o",
                metric="Retention",
                unit="%",
                baseline=baseline,
                target=target,
                direction=direction,  # type: ignore[arg-type]
            )
        ],
    )
    s.map = [
        MapNode(id="g", title="Goal"),
        MapNode(
            id="m1",
            title="Pilot done",
            parent="g",
            pinned_due=date(2027, 4, 1),
            milestone=True,
            targets={"o": 82},
        ),
    ]
    return s


def _check(s: Session, today: date) -> milestones.OutcomeMilestones:
    return milestones.check(s, s.future_state.outcomes[0], None, today)


def test_the_worked_example_of_the_docstring_is_at_risk():
    s = _session()
    s.checkins = [CheckIn(date=date(2027, 3, 2), values={"o": 76})]
    status = _check(s, date(2027, 3, 10))
    # 60 days from 2027-01-01 to 2027-03-02 gained 6; 30 more days to 2027-04-01: +3 = 79.
    assert status.projected == 79
    assert status.next is not None and status.next.label == "Pilot done"
    assert status.verdict == "at risk"
    # Expected on 2027-03-02: 70 + 12 * 60/90 = 78; on 2027-03-10: 70 + 12 * 68/90 = 79.0666
    assert status.expected_then == 78
    assert status.expected_today is not None and round(status.expected_today, 4) == 79.0667
    assert milestones.describe(status) == [
        "Milestone line: 79.07% expected today; 76% on 2027-03-02 (78% expected then: "
        "behind the line)",
        'Next milestone "Pilot done" 2027-04-01: 82% expected; 76% now, 79% at this pace: at risk',
    ]


def test_a_pace_that_carries_past_the_target_is_on_track():
    s = _session()
    s.checkins = [CheckIn(date=date(2027, 2, 15), values={"o": 77})]
    # 45 days gained 7; 45 more days to 2027-04-01: +7 = 84 >= 82.
    status = _check(s, date(2027, 2, 20))
    assert status.projected == 84 and status.verdict == "on track"


def test_reached_no_data_and_no_next_milestone():
    s = _session()
    assert _check(s, date(2027, 2, 1)).verdict == "no data"
    s.checkins = [CheckIn(date=date(2027, 2, 1), values={"o": 83})]
    assert _check(s, date(2027, 2, 2)).verdict == "reached"
    after = _check(s, date(2027, 5, 1))  # the milestone has passed: no next one
    assert after.next is None and after.verdict == ""
    [gone] = after.passed
    assert (gone.actual, gone.met) == (83, True)


def test_a_missed_milestone_uses_the_last_actual_by_its_date():
    s = _session()
    s.checkins = [
        CheckIn(date=date(2027, 3, 1), values={"o": 80}),
        CheckIn(date=date(2027, 4, 10), values={"o": 85}),  # after the date: not counted
    ]
    status = _check(s, date(2027, 4, 20))
    [gone] = status.passed
    assert (gone.actual, gone.met) == (80, False)
    assert 'Milestone "Pilot done" 2027-04-01: 82% expected, 80% then: missed' in (
        milestones.describe(status)
    )


def test_decrease_is_mirrored():
    s = _session("decrease", baseline=12, target=6)
    s.map[1].targets = {"o": 9}
    s.checkins = [CheckIn(date=date(2027, 3, 2), values={"o": 11})]
    # -1 in 60 days; 30 more: 10.5 > 9: at risk.
    status = _check(s, date(2027, 3, 5))
    assert status.projected == 10.5 and status.verdict == "at risk"
    s.checkins[0].values["o"] = 9.5  # -2.5 in 60 days; 30 more: 8.25 <= 9
    status = _check(s, date(2027, 3, 5))
    assert status.projected == 8.25 and status.verdict == "on track"


def test_one_point_compares_with_the_line():
    """No baseline: the first actual is the start, so the pace is unknown and the latest is
    compared with the line on its own date, which is the start itself: on track."""
    s = _session()
    s.future_state.outcomes[0].baseline = None
    s.checkins = [CheckIn(date=date(2027, 1, 10), values={"o": 60})]
    status = _check(s, date(2027, 1, 20))
    assert status.projected is None and status.verdict == "on track"


def test_rows_list_every_milestone_by_date_with_targets_in_outcome_order():
    s = _session()
    s.future_state.outcomes.append(Outcome(id="o2", metric="Attrition", unit="%"))
    s.map.append(MapNode(id="m2", title="Later", parent="g", milestone=True))
    s.map.append(
        MapNode(
            id="m3",
            title="Early",
            parent="g",
            milestone=True,
            pinned_due=date(2027, 2, 1),
            targets={"o2": 10, "o": 75, "gone": 1},
        )
    )
    found = milestones.rows(s, None)
    assert [(r.node.id, r.when) for r in found] == [
        ("m3", date(2027, 2, 1)),
        ("m1", date(2027, 4, 1)),
        ("m2", None),  # no pinned date and no schedule: undated, last
    ]
    assert milestones.targets_text(found[0]) == "Retention 75%; Attrition 10%"
    assert milestones.targets_text(found[2]) == "no KPI target"
