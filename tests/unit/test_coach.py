"""The coach: the live checks on the step screens (SMART letters, step states, pilot flags)
and ``review``, one test per check, each both ways: it fires on a session with that flaw and
stays silent on ``good()``, a hand-written plan with nothing to say about it.

The expected dates and messages are written out by hand.  2026-11-23 is a Monday.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from backplan_tui.core import coach as coach_package
from backplan_tui.core import templates
from backplan_tui.core.coach import (
    CHECKS,
    HEALTH_STEPS,
    RULES,
    Finding,
    all_pilot_flags,
    answered_count,
    by_step,
    finding_line,
    overall_health,
    pilot_flags,
    review,
    rule,
    smart_check,
    step_health,
    step_state,
    summary_counts,
    under_way,
)
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Direction,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.progress import next_checkin_due, set_review_cadence
from backplan_tui.core.schedule import compute
from helpers import TODAY


def session_with(statement: str = "", **fs: object) -> Session:
    return Session(id="s", title="t", future_state=FutureState(statement=statement, **fs))  # type: ignore[arg-type]


def letters(session: Session) -> dict[str, bool]:
    return {letter.letter: letter.ok for letter in smart_check(session, TODAY)}


def test_a_smart_goal_passes_every_letter() -> None:
    session = session_with(
        "By 2027-12-31, 90% of new hires are still with us after 12 months.",
        target_date=date(2027, 12, 31),
        aligned_objective="Become an employer of choice",
        outcomes=[Outcome(id="o1", metric="Retention", baseline=78.0, target=90.0)],
    )
    assert letters(session) == {"S": True, "M": True, "A": True, "R": True, "T": True}


def test_an_empty_goal_fails_every_letter_and_says_what_to_add() -> None:
    result = smart_check(session_with(""), TODAY)
    assert [x.ok for x in result] == [False] * 5
    advice = {x.letter: x.advice for x in result}
    assert advice["S"] == "Write the goal as one sentence."
    assert advice["M"] == "Add a number or an outcome target."
    assert advice["R"] == "Name the organizational objective."
    assert advice["T"] == "Set a target date."


def test_vague_short_goal_is_not_specific_nor_measurable() -> None:
    result = letters(session_with("Better culture"))
    assert result["S"] is False and result["M"] is False


def test_compound_goal_is_not_specific() -> None:
    statement = "Cut attrition to 10% by 2027 and also launch a new intranet for every office"
    [specific, *_] = smart_check(session_with(statement), TODAY)
    assert specific.ok is False
    assert specific.advice == "One goal per statement: split it."


def test_target_more_than_double_the_baseline_is_flagged_not_achievable() -> None:
    session = session_with(
        "Raise weekly demos booked by the team",
        outcomes=[Outcome(id="o1", metric="Demos", baseline=10.0, target=25.0)],
    )
    achievable = smart_check(session, TODAY)[2]
    assert achievable.ok is False
    assert achievable.advice == "Target more than doubles the baseline: Demos."


def test_a_year_in_the_statement_counts_as_time_bound_and_a_past_date_does_not() -> None:
    assert letters(session_with("Reach 95% on-time delivery by 2027 across all sites"))["T"]
    past = session_with("Reach 95% on-time delivery", target_date=date(2026, 1, 1))
    timebound = smart_check(past, TODAY)[4]
    assert timebound.ok is False and timebound.advice == "The target date has passed."


def test_step_states() -> None:
    session = Session(id="s", title="t")
    assert [step_state(session, s) for s in ("future_state", "questions")] == ["empty", "empty"]

    session.future_state.statement = "By 2027, 90% retention"
    assert step_state(session, "future_state") == "in_progress"
    session.future_state.target_date = date(2027, 12, 31)
    session.future_state.outcomes.append(Outcome(id="o1", metric="Retention"))
    assert step_state(session, "future_state") == "done"

    session.questions = [Question(id="q1", prompt="a"), Question(id="q2", prompt="b")]
    assert step_state(session, "questions") == "empty"
    session.questions[0].status = "answered"
    assert step_state(session, "questions") == "in_progress"
    session.questions[1].status = "parked"
    assert step_state(session, "questions") == "done"

    session.map = [MapNode(id="m1", title="x", owner="Lee")]
    assert step_state(session, "reverse_map") == "in_progress"  # one level: not traced back
    session.map.append(MapNode(id="m2", title="y", parent="m1", owner="Sam"))
    assert step_state(session, "reverse_map") == "done"
    session.map[1].owner = ""
    assert step_state(session, "reverse_map") == "in_progress"


def test_pilot_flags_name_each_gap() -> None:
    session = Session(
        id="s",
        title="t",
        map=[MapNode(id="m1", title="x")],
        future_state=FutureState(outcomes=[Outcome(id="o1", metric="Retention")]),
    )
    bare = Pilot(id="p1", name="Try it")
    assert pilot_flags(session, bare) == [
        "tests nothing on the map",
        "no metric",
        "no end date",
        "no decision rule",
    ]
    good = Pilot(
        id="p2",
        name="Stay interviews in Sales",
        tests=["m1"],
        outcome="o1",
        start=date(2027, 1, 4),
        end=date(2027, 3, 1),
        success_rule="Scale if attrition < 8%",
    )
    assert pilot_flags(session, good) == []
    long = Pilot(**{**good.__dict__, "id": "p3", "end": date(2027, 6, 1)})
    assert pilot_flags(session, long) == ["not small (over 12 weeks)"]
    dangling = Pilot(**{**good.__dict__, "id": "p4", "tests": ["gone"]})
    assert pilot_flags(session, dangling) == ["tests nothing on the map"]


def test_all_pilot_flags_match_pilot_flags_for_every_pilot() -> None:
    session = Session(
        id="s",
        title="t",
        map=[MapNode(id="m1", title="x"), MapNode(id="m2", title="y", parent="m1")],
        future_state=FutureState(outcomes=[Outcome(id="o1", metric="Retention")]),
    )
    good = Pilot(
        id="p1",
        name="Stay interviews in Sales",
        tests=["gone", "m2"],  # one node still on the map is enough
        outcome="o1",
        start=date(2027, 1, 4),
        end=date(2027, 3, 1),
        success_rule="Scale if attrition < 8%",
    )
    session.pilots = [
        good,
        Pilot(id="p2", name="Try it", outcome="o9", metric=""),  # an outcome not in the plan
        Pilot(**{**good.__dict__, "id": "p3", "tests": ["gone"], "end": date(2027, 6, 1)}),
    ]
    assert all_pilot_flags(session) == {
        "p1": [],
        "p2": ["tests nothing on the map", "no metric", "no end date", "no decision rule"],
        "p3": ["tests nothing on the map", "not small (over 12 weeks)"],
    }
    assert step_state(session, "pilots") == "in_progress"
    session.pilots = [good]
    assert all_pilot_flags(session) == {"p1": []}
    assert step_state(session, "pilots") == "done"


def test_answered_count() -> None:
    session = Session(
        id="s",
        title="t",
        questions=[
            Question(id="q1", status="answered"),
            Question(id="q2", status="open"),
            Question(id="q3", status="parked"),
        ],
    )
    assert answered_count(session) == (1, 3)


# --- review(): a good plan, then one flaw at a time ---------------------------------------------


def good() -> Session:
    """A small, healthy plan three days after the workshop: review() has nothing to say.

    Schedule (target 2027-12-31): m1 (90 days) starts 2027-10-02; m2 (30 days) is due then
    and starts 2027-09-02.  m2 is a milestone: retention 84% by 2027-10-02.
    """
    return Session(
        id="s",
        title="Retention",
        created=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-12-31, 88% of new hires are still with us after 12 months.",
            target_date=date(2027, 12, 31),
            aligned_objective="Become an employer of choice",
            outcomes=[
                Outcome(
                    id="o1",
                    metric="Retention",
                    unit="%",
                    baseline=78.0,
                    target=88.0,
                    due=date(2027, 12, 31),
                )
            ],
        ),
        questions=[
            Question(id="q1", key="who_benefits", status="answered", answer="New hires"),
            Question(id="q2", key="success_numbers", status="answered", answer="88%"),
            Question(id="q3", key="daily_work", status="answered", answer="Stay interviews"),
        ],
        map=[
            MapNode(id="m1", title="Managers hold stay interviews", owner="Lee", duration_days=90),
            MapNode(
                id="m2",
                title="Managers trained to run stay interviews",
                parent="m1",
                owner="Sam",
                duration_days=30,
                milestone=True,
                targets={"o1": 84.0},
            ),
        ],
        pilots=[
            Pilot(
                id="p1",
                name="Stay interviews in Sales",
                tests=["m1"],
                outcome="o1",
                owner="Sam",
                start=date(2027, 1, 4),
                end=date(2027, 3, 1),
                success_rule="Scale if attrition < 8%",
            )
        ],
    )


def checks(session: Session) -> list[str]:
    return [f.check for f in review(session, TODAY)]


def only(session: Session, check: str) -> list[Finding]:
    return [f for f in review(session, TODAY) if f.check == check]


def test_the_good_plan_has_no_findings() -> None:
    assert review(good(), TODAY) == []


def test_goal_missing() -> None:
    s = good()
    s.future_state.statement = "  "
    [f] = only(s, "goal_missing")
    assert (f.severity, f.step, f.item_id) == ("problem", "future_state", "")
    assert f.message == "The goal has no statement."
    assert "goal_missing" not in checks(good())


def test_goal_no_number_and_the_tip_when_only_outcomes_have_one() -> None:
    s = good()
    s.future_state.statement = "Keep more of the people we hire, year after year"
    s.future_state.outcomes[0].target = None
    [f] = only(s, "goal_no_number")
    assert f.severity == "problem"
    assert f.fix == "Put a number in the statement or add an outcome with a target."

    s.future_state.outcomes[0].target = 88.0  # measurable through the outcome: only a tip
    assert "goal_no_number" not in checks(s)
    [tip] = only(s, "goal_number_outside")
    assert tip.severity == "tip"
    assert "goal_number_outside" not in checks(good())


def test_goal_no_date() -> None:
    s = good()
    s.future_state.target_date = None
    [f] = only(s, "goal_no_date")
    assert f.severity == "problem"
    assert f.fix == "Set a target date: the map's deadlines are computed backward from it."
    assert "goal_no_date" not in checks(good())


def test_goal_date_past() -> None:
    s = good()
    s.future_state.target_date = TODAY
    [f] = only(s, "goal_date_past")
    assert f.message == "The target date (2026-11-23) is not in the future."
    s.future_state.target_date = date(2026, 11, 24)
    assert "goal_date_past" not in checks(s)


def test_goal_vague() -> None:
    s = good()
    s.future_state.statement = "Better retention by 2027"
    [f] = only(s, "goal_vague")
    assert (f.severity, f.message) == ("warning", "The goal is vague: 4 words.")
    assert "goal_vague" not in checks(good())


def test_goal_compound() -> None:
    s = good()
    s.future_state.statement = (
        "By 2027-12-31, 88% of new hires stay 12 months and also every office moves to "
        "the new intranet."
    )
    [f] = only(s, "goal_compound")
    assert f.severity == "warning"
    assert f.message == "The goal looks like several goals in one (18 words)."
    long = good()
    long.future_state.statement = "By 2027, 88% retention " + "word " * 43  # 46 words
    assert "goal_compound" in checks(long)
    assert "goal_compound" not in checks(good())


def test_no_objective() -> None:
    s = good()
    s.future_state.aligned_objective = ""
    [f] = only(s, "no_objective")
    assert (f.severity, f.step) == ("warning", "future_state")
    assert "no_objective" not in checks(good())


def test_no_outcomes() -> None:
    s = good()
    s.future_state.outcomes = []
    s.pilots[0].metric = "Attrition in Sales"  # keep the pilot measurable
    assert checks(s) == ["no_outcomes"]
    assert "no_outcomes" not in checks(good())


def test_outcome_incomplete_names_what_is_missing() -> None:
    s = good()
    s.future_state.outcomes[0].baseline = None
    s.future_state.outcomes[0].due = None
    [f] = only(s, "outcome_incomplete")
    assert (f.severity, f.item_id) == ("warning", "o1")
    assert f.message == 'Outcome "Retention" has no baseline or due date.'
    assert f.fix == "Add its baseline and due date."

    zero = good()
    zero.future_state.outcomes[0].baseline = 0.0  # zero is a baseline, not a missing one
    zero.future_state.outcomes[0].target = 0.0
    assert "outcome_incomplete" not in checks(zero)
    assert "outcome_incomplete" not in checks(good())


def test_outcome_due_after_goal() -> None:
    s = good()
    s.future_state.outcomes[0].due = date(2028, 3, 31)
    [f] = only(s, "outcome_due_after_goal")
    assert f.message == 'Outcome "Retention" is due 2028-03-31, after the target date 2027-12-31.'
    assert "outcome_due_after_goal" not in checks(good())


@pytest.mark.parametrize(
    ("baseline", "target", "direction", "fires"),
    [
        (10.0, 25.0, "increase", True),
        (10.0, 15.0, "increase", True),  # exactly half the baseline away
        (10.0, 14.9, "increase", False),
        (12.0, 6.0, "decrease", True),
        (12.0, 8.0, "decrease", False),
        (0.0, 5.0, "increase", True),  # anything from zero is a big jump
        (10.0, 25.0, "stay_above", False),  # holding a level is not a jump
        (78.0, 88.0, "increase", False),
    ],
)
def test_target_stretch_without_a_pilot(
    baseline: float, target: float, direction: Direction, fires: bool
) -> None:
    s = good()
    outcome = s.future_state.outcomes[0]
    outcome.baseline, outcome.target, outcome.direction = baseline, target, direction
    s.pilots[0].outcome = ""
    s.pilots[0].metric = "Attrition in Sales"
    assert ("target_stretch" in checks(s)) is fires
    s.pilots[0].outcome = "o1"  # a pilot tests it: silent
    assert "target_stretch" not in checks(s)


def test_target_stretch_message() -> None:
    s = good()
    s.future_state.outcomes[0].baseline = 10.0
    s.future_state.outcomes[0].target = 25.0
    s.pilots[0].outcome = ""
    s.pilots[0].metric = "Attrition"
    [f] = only(s, "target_stretch")
    assert f.message == 'Outcome "Retention": 10 to 25 is a big jump and no pilot tests it.'


def test_method_question_missing() -> None:
    s = good()
    del s.questions[2]
    [f] = only(s, "method_question_missing")
    assert (f.severity, f.item_id) == ("warning", "")
    assert f.message == 'The method question "How will it change people\'s daily work?" is missing.'
    assert "method_question_missing" not in checks(good())


def test_method_question_open_is_a_warning_then_a_problem_once_under_way() -> None:
    s = good()
    s.questions[2].status = "open"
    [f] = only(s, "method_question_open")
    assert (f.severity, f.item_id) == ("warning", "q3")
    assert f.message == '"How will it change people\'s daily work?" is not answered.'

    s.map[1].status = "doing"  # the plan is now under way
    [f] = only(s, "method_question_open")
    assert f.severity == "problem"
    assert f.message == (
        '"How will it change people\'s daily work?" is not answered, '
        "and the plan is already under way."
    )

    parked = good()
    parked.questions[0].status = "parked"
    [f] = only(parked, "method_question_open")
    assert f.message == '"Who benefits from this initiative?" is parked.'
    assert "method_question_open" not in checks(good())


def test_question_open_is_a_tip_for_the_teams_own_questions() -> None:
    s = good()
    s.questions.append(Question(id="q4", prompt="Is pay competitive?", status="open"))
    [f] = only(s, "question_open")
    assert (f.severity, f.step, f.item_id) == ("tip", "questions", "q4")
    s.questions[3].status = "parked"
    assert "question_open" not in checks(s)
    assert "question_open" not in checks(good())


def test_map_empty() -> None:
    s = good()
    s.map = []
    s.pilots = []
    assert checks(s) == ["map_empty", "no_pilot"]
    dropped = good()
    dropped.map[0].status = "dropped"  # m2 goes with it: nothing live is left
    assert "map_empty" in checks(dropped)
    assert "map_empty" not in checks(good())


def test_map_one_level() -> None:
    s = good()
    del s.map[1]
    [f] = only(s, "map_one_level")
    assert (f.severity, f.step, f.item_id) == ("warning", "reverse_map", "")
    assert "map_one_level" not in checks(good())


def test_path_late_is_reported_where_the_late_path_starts() -> None:
    s = good()
    # m1: 400 days before 2027-12-31 is 2026-11-26 (not late); m2: 30 more, 2026-10-27.
    s.map[0].duration_days = 400
    [f] = only(s, "path_late")
    assert (f.severity, f.step, f.item_id) == ("problem", "reverse_map", "m2")
    assert f.message == (
        '"Managers trained to run stay interviews" had to start by 2026-10-27 '
        "(27 days ago): the path to the goal is late."
    )
    # Both late: only the deepest one is reported, the one that has to move first.
    s.map[0].duration_days = 500
    assert [f.item_id for f in only(s, "path_late")] == ["m2"]

    done = good()
    done.map[0].duration_days = 400
    done.map[1].status = "done"  # a finished step does not make the path late
    assert "path_late" not in checks(done)
    assert "path_late" not in checks(good())


def test_pinned_conflict_below_a_node_and_at_the_goal() -> None:
    s = good()
    s.map[1].pinned_due = date(2027, 11, 1)  # m1 must start 2027-10-02
    [f] = only(s, "pinned_conflict")
    assert (f.severity, f.item_id) == ("problem", "m2")
    assert f.message == (
        '"Managers trained to run stay interviews" is pinned to 2027-11-01, after '
        '"Managers hold stay interviews" must start (2027-10-02).'
    )
    assert f.fix == "Pin it to 2027-10-02 or earlier, or unpin it."

    top = good()
    top.map[0].pinned_due = date(2028, 1, 15)
    [f] = only(top, "pinned_conflict")
    assert f.message == (
        '"Managers hold stay interviews" is pinned to 2028-01-15, after the target date '
        "(2027-12-31)."
    )
    early = good()
    early.map[1].pinned_due = date(2027, 9, 1)
    assert "pinned_conflict" not in checks(early)
    assert "pinned_conflict" not in checks(good())


def test_node_overdue() -> None:
    s = good()
    s.map[1].status = "doing"
    s.map[1].pinned_due = date(2026, 11, 20)
    [f] = only(s, "node_overdue")
    assert (
        f.message == '"Managers trained to run stay interviews" was due 2026-11-20 and is not done.'
    )
    s.map[1].pinned_due = date(2026, 11, 23)  # due today: not overdue yet
    assert "node_overdue" not in checks(s)
    assert "node_overdue" not in checks(good())


def test_node_no_owner() -> None:
    s = good()
    s.map[1].owner = " "
    [f] = only(s, "node_no_owner")
    assert (f.severity, f.item_id) == ("warning", "m2")
    s.map[1].status = "done"  # finished work needs no owner any more
    assert "node_no_owner" not in checks(s)
    assert "node_no_owner" not in checks(good())


def test_node_no_duration() -> None:
    s = good()
    s.map[0].duration_days = None
    [f] = only(s, "node_no_duration")
    assert (f.severity, f.item_id) == ("warning", "m1")
    s.map[0].duration_days = 0  # a milestone: zero is a duration
    assert "node_no_duration" not in checks(s)
    assert "node_no_duration" not in checks(good())


def test_no_pilot() -> None:
    s = good()
    s.pilots = []
    [f] = only(s, "no_pilot")
    assert (f.severity, f.step, f.item_id) == ("warning", "pilots", "")
    assert "no_pilot" not in checks(good())


@pytest.mark.parametrize(
    ("change", "check", "message"),
    [
        (
            {"tests": []},
            "pilot_tests_nothing",
            'Pilot "Stay interviews in Sales" tests nothing on the map.',
        ),
        (
            {"tests": ["gone"]},
            "pilot_tests_nothing",
            'Pilot "Stay interviews in Sales" tests nothing on the map.',
        ),
        ({"outcome": ""}, "pilot_no_metric", 'Pilot "Stay interviews in Sales" has no metric.'),
        ({"end": None}, "pilot_no_end", 'Pilot "Stay interviews in Sales" has no end date.'),
        (
            {"end": date(2027, 6, 1)},
            "pilot_not_small",
            'Pilot "Stay interviews in Sales" runs 148 days: not small (over 12 weeks).',
        ),
        (
            {"success_rule": ""},
            "pilot_no_rule",
            'Pilot "Stay interviews in Sales" has no decision rule.',
        ),
    ],
)
def test_pilot_design_gaps(change: dict[str, object], check: str, message: str) -> None:
    s = good()
    for name, value in change.items():
        setattr(s.pilots[0], name, value)
    [f] = only(s, check)
    assert (f.severity, f.step, f.item_id, f.message) == ("warning", "pilots", "p1", message)
    assert check not in checks(good())

    s.pilots[0].status = "done"  # history: the design gaps of a finished pilot are moot
    s.pilots[0].decision = "scale"
    assert check not in checks(s)


def test_pilot_of_exactly_12_weeks_is_small() -> None:
    s = good()
    s.pilots[0].end = date(2027, 3, 29)  # 84 days after 2027-01-04
    assert "pilot_not_small" not in checks(s)


def test_pilot_ended() -> None:
    s = good()
    p = s.pilots[0]
    p.start, p.end, p.status = date(2026, 10, 1), date(2026, 11, 20), "running"
    [f] = only(s, "pilot_ended")
    assert f.message == 'Pilot "Stay interviews in Sales" ended on 2026-11-20 but is still running.'
    p.status, p.decision = "done", "adjust"
    assert "pilot_ended" not in checks(s)
    assert "pilot_ended" not in checks(good())


def test_pilot_no_decision() -> None:
    s = good()
    s.pilots[0].status = "done"
    [f] = only(s, "pilot_no_decision")
    assert (f.severity, f.item_id) == ("warning", "p1")
    s.pilots[0].decision = "stop"
    assert "pilot_no_decision" not in checks(s)
    assert "pilot_no_decision" not in checks(good())


def test_pilot_no_owner() -> None:
    s = good()
    s.pilots[0].owner = ""
    [f] = only(s, "pilot_no_owner")
    assert f.severity == "tip"
    assert "pilot_no_owner" not in checks(good())


def test_no_checkin_once_under_way() -> None:
    s = good()
    s.created = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # 53 days ago, with a map: under way
    assert under_way(s, TODAY)
    [f] = only(s, "no_checkin")
    assert (f.severity, f.step, f.item_id) == ("warning", "track", "")
    assert f.message == (
        "No check-in in the 53 days since the plan was made; it is reviewed fortnightly "
        "(a check-in was due 2026-10-15)."
    )

    s.checkins = [CheckIn(date=date(2026, 11, 9))]  # 14 days ago: due today, not late
    assert "no_checkin" not in checks(s)
    s.checkins = [CheckIn(date=date(2026, 11, 8))]  # 15 days ago
    [f] = only(s, "no_checkin")
    assert f.message == (
        "The last check-in was 15 days ago; the plan is reviewed fortnightly "
        "(a check-in was due 2026-11-22)."
    )
    s.review_cadence = "monthly"  # next due 2026-12-08
    assert "no_checkin" not in checks(s)

    fresh = good()
    fresh.created = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)  # 14 days, nothing started
    assert not under_way(fresh, TODAY)
    assert "no_checkin" not in checks(fresh)
    assert "no_checkin" not in checks(good())


def test_under_way() -> None:
    assert not under_way(good(), TODAY)
    for change in (
        lambda s: setattr(s.map[0], "status", "done"),
        lambda s: setattr(s.pilots[0], "status", "running"),
        lambda s: s.checkins.append(CheckIn(date=TODAY)),
    ):
        s = good()
        change(s)
        assert under_way(s, TODAY)
    no_map = good()
    no_map.map = []
    no_map.created = datetime(2026, 1, 1, tzinfo=UTC)
    assert not under_way(no_map, TODAY)  # nothing was planned, so nothing is under way


def test_no_adjustment_after_a_date_slipped() -> None:
    s = good()
    s.created = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    s.checkins = [CheckIn(date=date(2026, 11, 20))]
    s.map[0].duration_days = 400  # m2 had to start 2026-10-27, after the plan was made
    [f] = only(s, "no_adjustment")
    assert (f.severity, f.step) == ("warning", "track")
    assert f.message == (
        '"Managers trained to run stay interviews" slipped past 2026-10-27 and no '
        "adjustment is logged since."
    )
    s.adjustments = [Adjustment(date=date(2026, 10, 20), what="x", why="y")]  # before the slip
    assert "no_adjustment" in checks(s)
    s.adjustments = [Adjustment(date=date(2026, 10, 30), what="Cut scope", why="Freeze")]
    assert "no_adjustment" not in checks(s)

    late_from_day_one = good()
    late_from_day_one.map[0].duration_days = 400  # created 2026-11-20, after 2026-10-27
    assert "path_late" in checks(late_from_day_one)
    assert "no_adjustment" not in checks(late_from_day_one)
    assert "no_adjustment" not in checks(good())


# --- the whole report ---------------------------------------------------------------------------


def poor() -> Session:
    """A plan with a flaw in every step."""
    s = good()
    s.future_state.statement = "Better culture"
    s.future_state.target_date = None
    s.questions[1].status = "open"
    s.questions.append(Question(id="q4", prompt="Budget?", status="open"))
    s.map[1].owner = ""
    s.pilots[0].success_rule = ""
    s.pilots.append(Pilot(id="p2", name="Try it", tests=["m2"], metric="m", end=date(2027, 1, 1)))
    return s


def test_findings_are_ordered_by_severity_step_and_file_order() -> None:
    found = [(f.severity, f.step, f.item_id, f.check) for f in review(poor(), TODAY)]
    assert found == [
        ("problem", "future_state", "", "goal_no_date"),
        ("warning", "future_state", "", "goal_vague"),
        ("warning", "questions", "q2", "method_question_open"),
        ("warning", "reverse_map", "m2", "node_no_owner"),
        ("warning", "pilots", "p1", "pilot_no_rule"),
        ("warning", "pilots", "p2", "pilot_no_rule"),
        ("tip", "future_state", "", "goal_number_outside"),  # the outcome has the number
        ("tip", "questions", "q4", "question_open"),
        # no target date, no schedule: milestone m2 (not pinned) has no date
        ("tip", "reverse_map", "o1", "outcome_no_milestone"),
        ("tip", "pilots", "p2", "pilot_no_owner"),
    ]
    assert summary_counts(review(poor(), TODAY)) == (1, 5, 4)
    assert overall_health(review(poor(), TODAY)) == "problems"
    assert overall_health([]) == "healthy"


def test_every_finding_comes_from_a_declared_rule() -> None:
    s = poor()
    s.created = datetime(2026, 1, 1, tzinfo=UTC)
    s.map[0].pinned_due = date(2026, 11, 1)
    s.pilots.append(Pilot(id="p3", name="Done", status="done"))
    s.future_state.outcomes.append(Outcome(id="o2", baseline=0.0, target=9.0))
    findings = review(s, TODAY)
    assert len({f.check for f in findings}) >= 12
    for f in findings:
        declared = RULES[f.check]
        assert (f.step, CHECKS[f.check][1]) == (declared.step, declared.step)
        assert f.severity in (declared.severity, declared.under_way_severity)
        assert f.message and f.fix and "\n" not in f.message + f.fix
    assert {f.severity for f in findings if f.check == "method_question_open"} == {"problem"}


def test_only_the_registry_makes_findings_so_no_code_goes_undeclared() -> None:
    """A rule yields hits; ``registry.run`` stamps them with the rule's declared code.  A rule
    module building a ``Finding`` itself could name a code nobody declared: none may."""
    package = Path(coach_package.__file__).parent
    builders = set()
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
                builders.add(module.name)
    assert builders == {"registry.py"}
    assert (
        len(RULES) == len(CHECKS) == 43
    )  # 35 + report_due + 3 milestone + 2 owner + 2 stakeholder rules
    assert list(CHECKS)[:3] == ["goal_missing", "goal_no_number", "goal_no_date"]
    assert [r.step for r in RULES.values()] == sorted(
        (r.step for r in RULES.values()), key=HEALTH_STEPS.index
    )


def test_a_rule_cannot_be_declared_twice_or_outside_the_steps() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        rule(code="goal_missing", step="future_state", severity="problem", title="again")
    with pytest.raises(ValueError, match="unknown step"):
        rule(code="new_rule", step="nowhere", severity="tip", title="x")
    with pytest.raises(ValueError, match="unknown severity"):
        rule(code="new_rule", step="track", severity="fatal", title="x")  # type: ignore[arg-type]
    assert "new_rule" not in RULES


def test_user_text_in_messages_is_one_short_line() -> None:
    s = good()
    s.map[1].title = "A very long title\nwith a newline " + "x" * 80
    s.map[1].owner = ""
    [f] = only(s, "node_no_owner")
    assert f.message == '"A very long title with a newline xxxxxxxxxxxxxxxx…" has no owner.'


def test_as_dict_and_by_step() -> None:
    findings = review(poor(), TODAY)
    assert findings[0].as_dict() == {
        "severity": "problem",
        "step": "future_state",
        "item_id": "",
        "message": "The goal has no target date.",
        "fix": "Set a target date: the map's deadlines are computed backward from it.",
        "check": "goal_no_date",
    }
    grouped = by_step(findings)
    assert list(grouped) == list(HEALTH_STEPS)
    assert [f.check for f in grouped["pilots"]] == [
        "pilot_no_rule",
        "pilot_no_rule",
        "pilot_no_owner",
    ]
    assert grouped["track"] == []


def test_step_health() -> None:
    blank = Session(id="b", title="Blank")
    assert step_health(blank, TODAY) == dict.fromkeys(HEALTH_STEPS, "empty")

    assert step_health(good(), TODAY) == {
        "future_state": "healthy",
        "questions": "healthy",
        "reverse_map": "healthy",
        "pilots": "healthy",
        "track": "empty",  # not under way yet
    }
    assert step_health(poor(), TODAY) == {
        "future_state": "problems",
        "questions": "warnings",
        "reverse_map": "warnings",
        "pilots": "warnings",
        "track": "empty",
    }
    # Steps not reached yet stay "empty"; a step the team skipped shows its findings.
    started = Session(id="s", title="t")
    started.future_state.statement = "Better culture"
    assert step_health(started, TODAY)["questions"] == "empty"
    started.map = [MapNode(id="m1", title="x", owner="Lee", duration_days=5)]
    started.questions = [Question(id="q1", key="who_benefits")]
    health = step_health(started, TODAY)
    assert health["questions"] == "warnings"  # skipped: a method question is open
    assert health["pilots"] == "empty"


def test_every_template_is_a_plan_without_problems() -> None:
    for info in templates.list_templates():
        if info.name == "blank":
            continue
        s = templates.instantiate(info.name, session_id="t", title=info.title, today=TODAY)
        s.created = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # instantiated today
        problems = [f.message for f in review(s, TODAY) if f.severity == "problem"]
        assert problems == [], info.name


def test_review_uses_the_schedule_it_is_given() -> None:
    s = good()
    s.future_state.target_date = date(2026, 12, 4)  # a Friday
    s.map[0].duration_days = 5  # calendar: starts 11-29; working days: Fri 11-27
    s.map[1].duration_days = 5  # calendar: starts 11-24; working days: Fri 11-20
    assert "path_late" not in checks(s)
    working = compute(s, TODAY, working_days=True)
    [f] = [f for f in review(s, TODAY, schedule=working) if f.check == "path_late"]
    assert f.message == (
        '"Managers trained to run stay interviews" had to start by 2026-11-20 '
        "(3 days ago): the path to the goal is late."
    )


def test_finding_line() -> None:
    [problem, warning, *_] = review(poor(), TODAY)
    assert finding_line(problem) == (
        "PROBLEM  Future state: The goal has no target date.  "
        "Fix: Set a target date: the map's deadlines are computed backward from it."
    )
    assert finding_line(warning) == (
        "warning  Future state: The goal is vague: 2 words.  "
        "Fix: Say what changes, for whom and by how much (6 words or more)."
    )


# --- the review cadence means what Track says it means ------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "last", "late"),
    [
        # TODAY is 2026-11-23.  Weekly: due 7 days after the last check-in.
        ("weekly", date(2026, 11, 16), False),  # due today
        ("weekly", date(2026, 11, 15), True),  # due yesterday
        ("fortnightly", date(2026, 11, 9), False),
        ("fortnightly", date(2026, 11, 8), True),
        # Monthly: the same day a month later (10-23 -> 11-23 today; 10-22 -> 11-22).
        ("monthly", date(2026, 10, 23), False),
        ("monthly", date(2026, 10, 22), True),
        ("monthly", date(2026, 11, 1), False),  # 22 days: late for the old 14-day rule
    ],
)
def test_the_coach_uses_the_cadence_track_sets(cadence, last, late):
    s = good()
    s.created = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    s.checkins = [CheckIn(date=last)]
    set_review_cadence(s, cadence)  # what Track's `w` does
    assert ("no_checkin" in checks(s)) is late
    assert next_checkin_due(s, TODAY).overdue is late  # Track's "next check-in due" agrees


def test_a_weekly_cadence_set_on_track_makes_the_coach_warn_after_a_week():
    # Issue 15: after Track set "weekly" the coach still used 14 days.
    s = good()
    s.created = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    s.checkins = [CheckIn(date=date(2026, 11, 13))]  # 10 days ago
    assert "no_checkin" not in checks(s)  # fortnightly: due 11-27
    set_review_cadence(s, "weekly")
    [f] = only(s, "no_checkin")
    assert f.message == (
        "The last check-in was 10 days ago; the plan is reviewed weekly "
        "(a check-in was due 2026-11-20)."
    )


def test_under_way_after_one_cadence_since_the_workshop():
    fresh = good()
    fresh.created = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)  # 8 days ago, nothing started
    assert not under_way(fresh, TODAY)  # fortnightly: the first check-in is due 11-29
    fresh.review_cadence = "weekly"  # due 11-22, yesterday
    assert under_way(fresh, TODAY)
