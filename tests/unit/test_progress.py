"""Progress, pace and verdicts with hand-computed numbers; cadence, due items, what changed.

The calendar used throughout (hand-counted):
- the session was created on Mon 2027-01-04 (week 0);
- check-ins on 2027-01-18 (week 2) and 2027-02-01 (week 4);
- today is Mon 2027-02-08 (week 5);
- outcomes are due Mon 2027-07-05 = 2027-01-04 + 182 days (26 weeks), so on "today"
  there are 147 days = 21 weeks left.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Direction,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Session,
)
from backplan_tui.core.progress import (
    add_months,
    at_risk,
    changes_since,
    describe,
    due_soon,
    format_number,
    format_pace,
    format_value,
    next_checkin_due,
    next_due,
    outcome_progress,
    review_cadence,
    risks,
    set_review_cadence,
    sparkline,
)

CREATED = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
WEEK2 = date(2027, 1, 18)
WEEK4 = date(2027, 2, 1)
TODAY = date(2027, 2, 8)
DUE = date(2027, 7, 5)


def make(
    direction: Direction = "increase",
    baseline: float | None = 50.0,
    target: float | None = 80.0,
    values: tuple[tuple[date, float], ...] = (),
    due: date | None = DUE,
    goal_date: date | None = None,
    unit: str = "",
) -> Session:
    outcome = Outcome(
        id="o1",
        metric="KPI",
        unit=unit,
        baseline=baseline,
        target=target,
        direction=direction,
        due=due,
    )
    return Session(
        id="s",
        title="t",
        created=CREATED,
        future_state=FutureState(target_date=goal_date, outcomes=[outcome]),
        checkins=[CheckIn(date=d, values={"o1": v}) for d, v in values],
    )


def progress(session: Session, today: date = TODAY):
    return outcome_progress(session, session.future_state.outcomes[0], today)


# --- increase ---------------------------------------------------------------------------------


def test_increase_ahead() -> None:
    p = progress(make(values=((WEEK2, 52.0), (WEEK4, 56.0))))
    assert p.values == (52.0, 56.0)
    assert p.dates == (WEEK2, WEEK4)
    assert p.latest == 56.0 and p.latest_date == WEEK4
    assert p.percent == pytest.approx(20.0)  # 6 of 30
    assert p.weeks_left == pytest.approx(21.0)
    assert p.required_per_week == pytest.approx(24 / 21)  # 1.142857
    assert p.achieved_per_week == pytest.approx(1.5)  # 6 over 4 weeks
    assert p.verdict == "ahead"  # 1.5 > 1.142857 * 1.1 = 1.2571
    # 24/21 per week * (365.25 / 12 / 7) weeks per month = 8766 / 1764
    assert p.required_per_month == pytest.approx(8766 / 1764)


def test_increase_on_pace() -> None:
    p = progress(make(values=((WEEK4, 55.0),)))
    assert p.required_per_week == pytest.approx(25 / 21)  # 1.1905
    assert p.achieved_per_week == pytest.approx(1.25)  # in 0.9 * 1.1905 .. 1.1 * 1.1905
    assert p.verdict == "on pace"


def test_increase_behind() -> None:
    p = progress(make(values=((WEEK4, 54.0),)))
    assert p.percent == pytest.approx(4 / 30 * 100)
    assert p.required_per_week == pytest.approx(26 / 21)  # 1.238; 90% of it is 1.114
    assert p.achieved_per_week == pytest.approx(1.0)
    assert p.verdict == "behind"
    assert p.reason == "Moving slower than needed."


@pytest.mark.parametrize(
    ("baseline", "achieved", "verdict"),
    [
        (54.56, 1.11, "ahead"),  # 111% of the required pace
        (54.64, 1.09, "on pace"),  # 109%
        (55.36, 0.91, "on pace"),  # 91%
        (55.44, 0.89, "behind"),  # 89%
    ],
)
def test_the_on_pace_band_is_ten_percent(baseline: float, achieved: float, verdict: str) -> None:
    # From 59 to 80 in 21 weeks: 1.0 a week needed; baseline -> 59 over 4 weeks achieved.
    p = progress(make(baseline=baseline, values=((WEEK4, 59.0),)))
    assert p.required_per_week == pytest.approx(1.0)
    assert p.achieved_per_week == pytest.approx(achieved)
    assert p.verdict == verdict


def test_increase_moving_the_wrong_way() -> None:
    p = progress(make(values=((WEEK4, 48.0),)))
    assert p.percent == pytest.approx(-2 / 30 * 100)
    assert p.bar_fraction == 0.0
    assert p.achieved_per_week == pytest.approx(-0.5)
    assert p.verdict == "behind"
    assert p.reason == "Moving the wrong way, or not at all."


# --- decrease ---------------------------------------------------------------------------------


def test_decrease_ahead() -> None:
    p = progress(make("decrease", baseline=20.0, target=12.0, values=((WEEK4, 18.0),)))
    assert p.percent == pytest.approx(25.0)  # (20 - 18) / (20 - 12)
    assert p.bar_fraction == pytest.approx(0.25)
    assert p.required_per_week == pytest.approx(-6 / 21)  # -0.2857
    assert p.achieved_per_week == pytest.approx(-0.5)
    assert p.verdict == "ahead"


def test_decrease_behind() -> None:
    p = progress(make("decrease", baseline=20.0, target=12.0, values=((WEEK4, 19.5),)))
    assert p.percent == pytest.approx(6.25)  # 0.5 of 8
    assert p.required_per_week == pytest.approx(-7.5 / 21)  # -0.357; 90% = 0.321
    assert p.achieved_per_week == pytest.approx(-0.125)
    assert p.verdict == "behind"


def test_decrease_reached() -> None:
    p = progress(make("decrease", baseline=20.0, target=12.0, values=((WEEK4, 12.0),)))
    assert p.percent == pytest.approx(100.0)
    assert p.verdict == "target reached"
    assert p.required_per_week is None


# --- stay above / stay below --------------------------------------------------------------------


def test_stay_above_on_the_right_side_is_100_percent_and_reached() -> None:
    p = progress(make("stay_above", baseline=95.0, target=90.0, values=((WEEK4, 92.0),)))
    assert p.percent == 100.0
    assert p.verdict == "target reached"


def test_stay_above_the_threshold_itself_counts_as_right() -> None:
    p = progress(make("stay_above", baseline=95.0, target=90.0, values=((WEEK4, 90.0),)))
    assert p.percent == 100.0
    assert p.verdict == "target reached"


def test_stay_above_slipped_below_is_zero_and_behind() -> None:
    p = progress(make("stay_above", baseline=95.0, target=90.0, values=((WEEK4, 88.0),)))
    assert p.percent == 0.0
    assert p.required_per_week == pytest.approx(2 / 21)  # back up to 90 in 21 weeks
    assert p.achieved_per_week == pytest.approx(-1.75)  # 95 -> 88 in 4 weeks
    assert p.verdict == "behind"


def test_stay_above_climbing_back_from_a_low_baseline_shows_the_way() -> None:
    p = progress(make("stay_above", baseline=80.0, target=90.0, values=((WEEK4, 85.0),)))
    assert p.percent == pytest.approx(50.0)
    assert p.achieved_per_week == pytest.approx(1.25)
    assert p.required_per_week == pytest.approx(5 / 21)
    assert p.verdict == "ahead"


def test_stay_below() -> None:
    slipped = progress(make("stay_below", baseline=4.0, target=5.0, values=((WEEK4, 6.0),)))
    assert slipped.percent == 0.0
    assert slipped.verdict == "behind"
    held = progress(make("stay_below", baseline=4.0, target=5.0, values=((WEEK4, 5.0),)))
    assert held.percent == 100.0
    assert held.verdict == "target reached"
    back = progress(make("stay_below", baseline=10.0, target=5.0, values=((WEEK4, 7.0),)))
    assert back.percent == pytest.approx(60.0)  # (10 - 7) / (10 - 5)


# --- edges ------------------------------------------------------------------------------------


def test_no_checkins() -> None:
    p = progress(make())
    assert p.latest is None and p.latest_date is None
    assert p.values == () and p.dates == ()
    assert p.percent is None
    assert p.bar_fraction == 0.0
    assert p.required_per_week is None and p.achieved_per_week is None
    assert p.verdict == "no data"
    assert p.reason == "No check-in with a value yet."
    assert p.weeks_left == pytest.approx(21.0)


def test_checkins_without_this_outcome_do_not_count() -> None:
    session = make(values=((WEEK4, 55.0),))
    session.checkins.append(CheckIn(date=TODAY, values={"o2": 1.0}))
    assert progress(session).latest_date == WEEK4


def test_baseline_equals_target() -> None:
    held = progress(make(baseline=50.0, target=50.0, values=((WEEK4, 50.0),)))
    assert held.percent == 100.0
    assert held.verdict == "target reached"
    below = progress(make(baseline=50.0, target=50.0, values=((WEEK4, 48.0),)))
    assert below.percent == 0.0
    assert below.required_per_week == pytest.approx(2 / 21)
    assert below.achieved_per_week == pytest.approx(-0.5)
    assert below.verdict == "behind"


def test_due_date_passed() -> None:
    p = progress(make(values=((WEEK4, 70.0),)), today=date(2027, 7, 12))
    assert p.weeks_left == pytest.approx(-1.0)
    assert p.percent == pytest.approx(200 / 3)  # 20 of 30
    assert p.required_per_week is None
    assert p.verdict == "overdue"
    assert p.reason == "Due 2027-07-05 and not reached."


def test_target_already_reached_before_and_after_the_due_date() -> None:
    p = progress(make(values=((WEEK4, 81.0),)))
    assert p.percent == pytest.approx(31 / 30 * 100)  # 103.33: past the target
    assert p.bar_fraction == 1.0
    assert p.verdict == "target reached"
    assert p.required_per_week is None
    late = progress(make(values=((WEEK4, 81.0),)), today=date(2027, 9, 1))
    assert late.verdict == "target reached"


def test_zero_weeks_left() -> None:
    p = progress(make(values=((WEEK4, 70.0),)), today=DUE)
    assert p.weeks_left == 0
    assert p.required_per_week is None
    assert p.achieved_per_week == pytest.approx(5.0)
    assert p.verdict == "behind"
    assert p.reason == "Due today and not reached."


def test_no_baseline_starts_from_the_first_checkin() -> None:
    p = progress(make(baseline=None, values=((WEEK2, 52.0), (WEEK4, 56.0))))
    assert p.baseline == 52.0
    assert p.percent == pytest.approx(4 / 28 * 100)  # 14.29
    assert p.achieved_per_week == pytest.approx(2.0)  # 4 over 2 weeks
    assert p.required_per_week == pytest.approx(24 / 21)
    assert p.verdict == "ahead"


def test_one_point_only_gives_no_pace_yet() -> None:
    p = progress(make(baseline=None, values=((WEEK4, 56.0),)))
    assert p.percent == 0.0
    assert p.achieved_per_week is None
    assert p.required_per_week == pytest.approx(24 / 21)
    assert p.verdict == "no data"
    assert p.reason == "One value so far: the pace shows after the next check-in."


def test_checkin_on_the_creation_day_gives_no_pace_yet() -> None:
    p = progress(make(values=((CREATED.date(), 51.0),)))
    assert p.achieved_per_week is None
    assert p.verdict == "no data"


def test_no_target_value() -> None:
    p = progress(make(target=None, values=((WEEK4, 56.0),)))
    assert p.percent is None
    assert p.verdict == "no data"
    assert p.reason == "No target value."


def test_due_falls_back_to_the_goal_target_date_then_to_nothing() -> None:
    # Goal due 2027-03-08: 28 days = 4 weeks after today.
    p = progress(make(due=None, goal_date=date(2027, 3, 8), values=((WEEK4, 56.0),)))
    assert p.due == date(2027, 3, 8)
    assert p.required_per_week == pytest.approx(6.0)  # 24 in 4 weeks
    assert p.verdict == "behind"  # 1.5 a week achieved
    none = progress(make(due=None, values=((WEEK4, 56.0),)))
    assert none.due is None and none.weeks_left is None
    assert none.verdict == "no data"
    assert none.reason == "No due date: set one on the outcome or the goal."


def test_latest_is_by_date_not_file_order() -> None:
    session = make(values=((WEEK4, 56.0), (WEEK2, 52.0)))
    p = progress(session)
    assert p.latest == 56.0
    assert p.values == (52.0, 56.0)


def test_describe_line() -> None:
    p = progress(make(values=((WEEK4, 54.0),), unit="%"))
    assert describe(p) == (
        "KPI: 54% (13% of the way to 80%); needs +1.24% per week, achieving +1% per week: behind"
    )
    # one value: a pace is needed but none is achieved yet, and the line says so
    single = progress(make(values=((WEEK4, 54.0),), unit="%", baseline=None))
    assert single.verdict == "no data"
    assert describe(single).endswith(
        "needs +1.24% per week; no verdict yet (one value so far: the pace shows after the "
        "next check-in)"
    )
    assert "no data" not in describe(single)
    assert describe(progress(make())) == "KPI: no check-in yet (no data)"


# --- formatting and sparkline -------------------------------------------------------------------


def test_number_formats() -> None:
    assert format_number(80.5) == "80.5"
    assert format_number(90.0) == "90"
    assert format_number(-0.357142) == "-0.36"
    assert format_number(0.0042) == "0.0042"
    assert format_number(0.0) == "0"
    assert format_value(80.5, "%") == "80.5%"
    assert format_value(12, "days") == "12 days"
    assert format_pace(-0.5, "pts") == "-0.5 pts per week"
    assert format_pace(1.0, "", monthly=True) == "+4.35 per month"  # 365.25 / 84


def test_sparkline() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([0, 7]) == "▁█"
    assert sparkline([10, 0, 5]) == "█▁▅"  # 5 of 10 -> 3.5 rounds up to the 5th block
    assert sparkline([3, 3, 3]) == "▄▄▄"
    assert sparkline([1, 2, 3, 4, 5], width=3) == "▁▅█"  # the last three: 3, 4, 5
    assert sparkline([]) == ""
    assert sparkline([1, 2], width=0) == ""
    assert sparkline([42.0]) == "▄"


# --- review cadence -------------------------------------------------------------------------------


def test_first_checkin_due_one_fortnight_after_the_workshop() -> None:
    due = next_checkin_due(make(), TODAY)
    assert due.cadence == "fortnightly"
    assert due.last is None
    assert due.due == date(2027, 1, 18)
    assert due.days_left == -21
    assert due.overdue
    assert due.label == "Next check-in due 2027-01-18 (21 days overdue)"


def test_weekly_and_monthly_cadence() -> None:
    session = make(values=((WEEK2, 52.0), (WEEK4, 56.0)))
    set_review_cadence(session, "weekly")
    due = next_checkin_due(session, TODAY)
    assert due.due == TODAY and due.label == "Next check-in due 2027-02-08 (today)"
    set_review_cadence(session, "monthly")
    due = next_checkin_due(session, TODAY)
    assert due.due == date(2027, 3, 1)
    assert due.label == "Next check-in due 2027-03-01 (in 21 days)"
    assert not due.overdue


def test_cadence_validation_and_fallback() -> None:
    session = make()
    with pytest.raises(ValueError, match=r'^Review cadence must be .*, got "daily"\.$'):
        set_review_cadence(session, "daily")
    session.review_cadence = "daily"  # set in memory past the setter: reads as the default
    assert review_cadence(session) == "fortnightly"
    set_review_cadence(session, "monthly")
    assert review_cadence(codec.loads(codec.dumps(session))) == "monthly"  # kept in the file


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)
    assert add_months(date(2027, 3, 31), 13) == date(2028, 4, 30)


# --- due and overdue ------------------------------------------------------------------------------


def plan_with_dates() -> Session:
    session = make()
    session.map = [
        MapNode(id="m1", title="Late", owner="Lee", pinned_due=date(2027, 2, 1)),
        MapNode(id="m2", title="In 14", owner="Dana", pinned_due=date(2027, 2, 22)),
        MapNode(id="m3", title="In 15", pinned_due=date(2027, 2, 23)),
        MapNode(id="m4", title="Done", status="done", pinned_due=date(2027, 2, 1)),
        MapNode(id="m5", title="Computed", status="doing"),
        MapNode(id="m6", title="Dropped", status="dropped", pinned_due=date(2027, 2, 2)),
    ]
    session.pilots = [
        Pilot(id="p1", name="Ends today", owner="Sam", end=TODAY, status="running"),
        Pilot(id="p2", name="Finished", end=date(2027, 2, 1), status="done"),
        Pilot(id="p3", name="No end"),
    ]
    return session


def test_due_soon_lists_overdue_and_next_14_days_with_owners() -> None:
    computed = {"m5": date(2027, 2, 10), "m2": date(2027, 3, 30)}  # a pinned date wins
    items = due_soon(plan_with_dates(), TODAY, due_dates=computed)
    assert [(i.kind, i.id, i.owner, i.due, i.days_left, i.overdue) for i in items] == [
        ("node", "m1", "Lee", date(2027, 2, 1), -7, True),
        ("pilot", "p1", "Sam", TODAY, 0, False),
        ("node", "m5", "", date(2027, 2, 10), 2, False),
        ("node", "m2", "Dana", date(2027, 2, 22), 14, False),
    ]
    assert [i.id for i in due_soon(plan_with_dates(), TODAY)] == ["m1", "p1", "m2"]
    assert [i.id for i in due_soon(plan_with_dates(), TODAY, days=0)] == ["m1", "p1"]


def test_next_due_and_risks() -> None:
    session = plan_with_dates()
    assert next_due(session, TODAY).id == "m1"
    session.checkins = [
        CheckIn(date=WEEK2, values={"o1": 52.0}, confidence="on_track"),
        CheckIn(date=WEEK4, values={"o1": 54.0}, confidence="at_risk"),
    ]
    assert risks(session, TODAY) == [
        "KPI: behind",
        "Latest check-in (2027-02-01): at risk",
        "1 overdue item",
    ]
    assert at_risk(session, TODAY)


def test_a_healthy_plan_is_not_at_risk() -> None:
    session = make(values=((WEEK4, 56.0),))
    assert risks(session, TODAY) == []
    assert not at_risk(session, TODAY)
    assert next_due(session, TODAY) is None


# --- what changed ---------------------------------------------------------------------------------


def test_changes_since_lists_what_moved() -> None:
    old = plan_with_dates()
    old.future_state.target_date = date(2027, 12, 31)
    old.pilots[0].start = date(2027, 1, 11)
    old.checkins = [CheckIn(date=WEEK2, values={"o1": 52.0})]
    old.adjustments = [Adjustment(date=WEEK2, what="Old entry", why="x")]
    new = copy.deepcopy(old)
    new.future_state.target_date = date(2028, 3, 31)  # 91 days later
    new.future_state.outcomes[0].target = 85.0
    new.map[1].pinned_due = date(2027, 2, 15)  # 7 days earlier
    new.map[0].status = "done"
    new.pilots[0].end = date(2027, 2, 22)  # 14 days later
    new.pilots[0].decision = "scale"
    new.checkins.append(CheckIn(date=WEEK4, values={"o1": 56.0}, confidence="at_risk"))
    new.adjustments.append(
        Adjustment(date=WEEK4, what="Moved the target date to 2028-03-31", why="Hiring freeze")
    )
    new.map.append(MapNode(id="m7", title="New condition"))
    new.pilots.remove(new.pilots[2])
    assert changes_since(old, new) == [
        "Target date slipped 91 days: 2027-12-31 → 2028-03-31",
        'Pinned date of "In 14" brought forward 7 days: 2027-02-22 → 2027-02-15',
        'Pilot "Ends today" window moved: 2027-01-11 – 2027-02-08 → 2027-01-11 – 2027-02-22'
        " (end slipped 14 days)",
        'Target of "KPI" changed: 80 → 85',
        "New check-in on 2027-02-01 (at risk)",
        '"KPI" moved 52 → 56',
        'Done: "Late" (Lee)',
        'Decision on pilot "Ends today": scale',
        "Adjustment on 2027-02-01: Moved the target date to 2028-03-31 (why: Hiring freeze)",
        'Added map node "New condition"',
        'Removed pilot "No end"',
    ]


def test_no_changes_and_first_values() -> None:
    old = make()
    assert changes_since(old, copy.deepcopy(old)) == []
    new = copy.deepcopy(old)
    new.future_state.target_date = date(2027, 12, 31)
    new.checkins = [CheckIn(date=WEEK2, values={"o1": 51.5}, confidence="off_track")]
    new.map = [MapNode(id="m1", title="", status="doing", owner="Lee")]
    assert changes_since(old, new) == [
        "Target date set to 2027-12-31",
        "New check-in on 2027-01-18 (off track)",
        '"KPI": first actual 51.5',
        "Added map node m1",
    ]
    back = copy.deepcopy(new)
    back.checkins = []
    back.future_state.target_date = None
    assert changes_since(new, back) == [
        "Target date removed (was 2027-12-31)",
        "1 check-in was removed",
        '"KPI": no actual any more (was 51.5)',
    ]


def test_one_rounding_for_progress() -> None:
    """The table, the sentence and the exports say the same figure (19%, never 19.23%)."""
    from backplan_tui.core.progress import format_percent

    assert format_percent(19.23) == "19%"
    assert format_percent(-0.3) == "0%"
    assert format_percent(99.6) == "100%"
    p = progress(make(values=((WEEK4, 55.769),), unit="%"))
    assert f"({format_percent(p.percent)} of the way" in describe(p)
