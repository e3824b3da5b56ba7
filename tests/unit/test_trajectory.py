"""The milestone trajectory: hand-computed points and expected values."""

from datetime import UTC, date, datetime

from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Session
from backplan_tui.core.trajectory import expected, trajectory


def _session(**node_kw) -> Session:
    s = Session(id="s", title="t", created=datetime(2027, 1, 1, 9, tzinfo=UTC))
    s.future_state = FutureState(
        target_date=date(2027, 12, 31),
        outcomes=[Outcome(id="o", metric="retention", baseline=70, target=90)],
    )
    s.map = [
        MapNode(id="g", title="Goal"),
        MapNode(id="m1", title="Pilot done", parent="g", pinned_due=date(2027, 4, 1), **node_kw),
    ]
    return s


def test_no_milestone_is_the_straight_line():
    s = _session()
    t = trajectory(s, s.future_state.outcomes[0], None)
    assert [(p.when, p.value, p.kind) for p in t.points] == [
        (date(2027, 1, 1), 70, "start"),
        (date(2027, 12, 31), 90, "end"),
    ]
    # 2027-07-02 is 182 of 364 days in: halfway, 80.
    assert t.expected(date(2027, 7, 2)) == 80


def test_a_milestone_bends_the_line():
    s = _session(milestone=True, targets={"o": 82})
    t = trajectory(s, s.future_state.outcomes[0], None)
    assert [p.value for p in t.points] == [70, 82, 90]
    assert t.milestones[0].label == "Pilot done"
    # 2027-02-15: 45 of the 90 days to 2027-04-01, halfway from 70 to 82 = 76.
    assert t.expected(date(2027, 2, 15)) == 76
    # 2027-04-01 + 137 days (2027-08-16) of 274 to 2027-12-31: halfway from 82 to 90 = 86.
    assert t.expected(date(2027, 8, 16)) == 86
    assert t.expected(date(2026, 6, 1)) == 70 and t.expected(date(2028, 6, 1)) == 90


def test_milestones_left_out():
    outside = _session(milestone=True, targets={"o": 82})
    outside.map[1].pinned_due = date(2028, 2, 1)  # after the due date
    dropped = _session(milestone=True, targets={"o": 82}, status="dropped")
    other = _session(milestone=True, targets={"x": 5})  # another outcome's target
    unmarked = _session(targets={"o": 82})  # targets but not a milestone
    for s in (outside, dropped, other, unmarked):
        t = trajectory(s, s.future_state.outcomes[0], None)
        assert len(t.points) == 2


def test_no_trajectory_without_start_target_or_due():
    s = _session()
    s.future_state.outcomes[0].baseline = None
    assert trajectory(s, s.future_state.outcomes[0], None) is None  # no baseline, no actual
    s.checkins = [CheckIn(date=date(2027, 2, 1), values={"o": 71})]
    t = trajectory(s, s.future_state.outcomes[0], None)
    assert t.points[0].when == date(2027, 2, 1) and t.points[0].value == 71
    s.future_state.target_date = None
    assert trajectory(s, s.future_state.outcomes[0], None) is None


def test_expected_on_a_point_and_between_two_on_one_day():
    s = _session(milestone=True, targets={"o": 82})
    t = trajectory(s, s.future_state.outcomes[0], None)
    assert expected(t.points, date(2027, 4, 1)) == 82
