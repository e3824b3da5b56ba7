"""The milestone rules: an outcome far away with no milestone, and targets going the wrong
way.  TODAY is 2026-11-23; good() is due 2027-12-31 with milestone m2 (84%) on 2027-10-02."""

from __future__ import annotations

from datetime import date

from backplan_tui.core.coach import review
from backplan_tui.core.model import MapNode
from unit.test_coach import TODAY, good


def _found(s, code: str) -> list[tuple[str, str]]:
    return [(f.item_id, f.message) for f in review(s, TODAY) if f.check == code]


def test_an_outcome_more_than_a_quarter_away_needs_a_milestone() -> None:
    s = good()
    assert _found(s, "outcome_no_milestone") == []
    s.map[1].milestone = False
    [(item, message)] = _found(s, "outcome_no_milestone")
    assert item == "o1"
    assert message == (
        'Outcome "Retention" is due 2027-12-31, more than a quarter away, and no milestone '
        "sets a target for it before then."
    )
    s.map[1].milestone = True
    s.map[1].status = "dropped"  # a dropped milestone does not count
    assert len(_found(s, "outcome_no_milestone")) == 1


def test_a_quarter_or_less_away_or_a_passed_milestone() -> None:
    s = good()
    s.map[1].milestone = False
    # 2026-11-23 + 91 days = 2027-02-22: due then is not more than a quarter away.
    s.future_state.outcomes[0].due = date(2027, 2, 22)
    assert _found(s, "outcome_no_milestone") == []
    s.future_state.outcomes[0].due = date(2027, 2, 23)
    assert len(_found(s, "outcome_no_milestone")) == 1
    # A milestone dated before today is behind us: it does not count.
    s.map[1].milestone = True
    s.map[1].pinned_due = date(2026, 11, 1)
    assert len(_found(s, "outcome_no_milestone")) == 1
    s.map[1].pinned_due = date(2026, 11, 23)  # today counts
    assert _found(s, "outcome_no_milestone") == []


def _two_milestones(first: float, second: float):
    s = good()
    s.map[1].pinned_due = date(2027, 3, 1)
    s.map[1].targets = {"o1": first}
    s.map.append(
        MapNode(
            id="m3",
            title="Pilot scaled",
            parent="m1",
            owner="Lee",
            duration_days=10,
            pinned_due=date(2027, 6, 1),
            milestone=True,
            targets={"o1": second},
        )
    )
    return s


def test_increase_milestones_going_the_wrong_way() -> None:
    assert _found(_two_milestones(80, 84), "milestone_wrong_way") == []
    assert _found(_two_milestones(80, 80), "milestone_wrong_way") == []  # level is fine
    [(item, message)] = _found(_two_milestones(84, 81), "milestone_wrong_way")
    assert item == "m3"
    assert message == (
        'Milestone "Pilot scaled" sets "Retention" (increase) to 81, below '
        '"Managers trained to run stay interviews" before it (84).'
    )
    [(item, message)] = _found(_two_milestones(76, 80), "milestone_wrong_way")
    assert item == "m2" and message.endswith("to 76, below the baseline (78).")
    [(item, message)] = _found(_two_milestones(80, 90), "milestone_wrong_way")
    assert item == "m3" and message.endswith("to 90, above the final target (88).")


def test_decrease_is_mirrored() -> None:
    s = _two_milestones(10, 11)
    outcome = s.future_state.outcomes[0]
    outcome.baseline, outcome.target, outcome.direction = 12.0, 8.0, "decrease"
    [(item, message)] = _found(s, "milestone_wrong_way")
    assert item == "m3" and message.endswith(
        '(decrease) to 11, above "Managers trained to run stay interviews" before it (10).'
    )
    s.map[2].targets = {"o1": 7}
    [(item, message)] = _found(s, "milestone_wrong_way")
    assert item == "m3" and message.endswith("to 7, below the final target (8).")
    s.map[2].targets = {"o1": 9}
    assert _found(s, "milestone_wrong_way") == []


def test_stay_above_thresholds() -> None:
    # Holding 95 from 97: a milestone at 96 still holds it; 94 gives it up; 99 is fine.
    s = _two_milestones(96, 99)
    outcome = s.future_state.outcomes[0]
    outcome.baseline, outcome.target, outcome.direction = 97.0, 95.0, "stay_above"
    assert _found(s, "milestone_wrong_way") == []
    s.map[1].targets = {"o1": 94}
    [(item, message)] = _found(s, "milestone_wrong_way")
    assert item == "m2" and message.endswith("to 94, below the threshold it holds (95).")
    # Climbing back from 90 to hold 95: 92 then 94 is fine; 89 then 94 went back first.
    outcome.baseline = 90.0
    s.map[1].targets, s.map[2].targets = {"o1": 92}, {"o1": 94}
    assert _found(s, "milestone_wrong_way") == []
    s.map[1].targets = {"o1": 89}
    [(item, message)] = _found(s, "milestone_wrong_way")
    assert item == "m2" and message.endswith("to 89, below the baseline (90).")
    s.map[1].targets = {"o1": 96}  # then 94: a threshold loosened
    [(item, _)] = _found(s, "milestone_wrong_way")
    assert item == "m3"


def test_a_milestone_on_or_after_its_outcomes_due_date_is_flagged() -> None:
    s = good()  # Retention is due 2027-12-31; m1 is its milestone before then
    assert _found(s, "milestone_after_due") == []
    s.map[1].pinned_due = date(2027, 12, 31)  # on the due date: the line ends there
    [(item, message)] = _found(s, "milestone_after_due")
    assert item == s.map[1].id
    assert 'is dated 2027-12-31, on or after "Retention"\'s due date 2027-12-31' in message
    s.map[1].pinned_due = date(2027, 12, 30)  # the day before: on the line
    assert _found(s, "milestone_after_due") == []
    s.map[1].pinned_due = date(2028, 2, 1)
    s.map[1].status = "dropped"  # a dropped milestone does not count
    assert _found(s, "milestone_after_due") == []
