"""The live checks shown on the step screens: SMART letters, step states, pilot flags."""

from __future__ import annotations

from datetime import date

from backplan_tui.core.coach import answered_count, pilot_flags, smart_check, step_state
from backplan_tui.core.model import FutureState, MapNode, Outcome, Pilot, Question, Session

TODAY = date(2026, 11, 23)


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
