"""Issue 19: the coach notices an outcome whose direction goes against its numbers, and a goal
statement whose date is not the target date."""

from __future__ import annotations

from datetime import date

from backplan_tui.core.coach import review
from backplan_tui.core.coach.rules_future import guess_direction
from unit.test_coach import TODAY, good


def test_the_direction_is_guessed_from_the_numbers() -> None:
    assert guess_direction(14, 3) == "decrease"
    assert guess_direction(3, 14) == "increase"
    assert guess_direction(3, 3) is None
    assert guess_direction(None, 3) is None


def test_an_increase_from_14_to_3_is_a_contradiction() -> None:
    s = good()
    outcome = s.future_state.outcomes[0]
    outcome.baseline, outcome.target, outcome.direction = 14.0, 3.0, "increase"
    [f] = [f for f in review(s, TODAY) if f.check == "outcome_direction_contradicts"]
    assert f.severity == "problem" and f.item_id == "o1"
    assert f.message == 'Outcome "Retention" says increase but goes from 14 to 3.'
    assert f.fix == "Set its direction to decrease, or swap its baseline and target."
    outcome.direction = "decrease"
    assert not [f for f in review(s, TODAY) if f.check == "outcome_direction_contradicts"]
    outcome.direction = "stay_below"  # a limit, not a change: the numbers cannot contradict it
    assert not [f for f in review(s, TODAY) if f.check == "outcome_direction_contradicts"]


def test_a_date_in_the_goal_that_is_not_the_target_date_is_flagged() -> None:
    s = good()
    assert not [f for f in review(s, TODAY) if f.check == "goal_date_differs"]
    s.future_state.target_date = date(2028, 3, 31)
    [f] = [f for f in review(s, TODAY) if f.check == "goal_date_differs"]
    assert f.severity == "warning"
    assert f.message == "The goal says 2027-12-31 but the target date is 2028-03-31."


def test_the_prompts_agree_with_the_coach() -> None:
    """The pilots prompt names the coach's limit; a prompt that asks for milestones names
    the key that marks one (m, on the map)."""
    from backplan_tui.core import templates
    from backplan_tui.core.coach.live import PILOT_MAX_DAYS

    weeks = PILOT_MAX_DAYS // 7
    for info in templates.list_templates():
        lines = [line for step in templates.prompts(info.name).values() for line in step]
        limits = [line for line in lines if "at most" in line and "week" in line]
        assert limits and all(f"{weeks} weeks at most" in line for line in limits), info.name
        marks = [line for line in lines if "milestone" in line.lower()]
        assert marks and all("(m)" in line for line in marks), info.name
        assert all(line in templates.prompts(info.name)["reverse_map"] for line in marks)
