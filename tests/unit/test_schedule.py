"""The backward schedule, checked against tables computed by hand (calendar on the right).

2026-11-23 is a Monday.  Every expected date below was worked out on paper, not produced
by ``compute``.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from backplan_tui.core.model import FutureState, MapNode, Session
from backplan_tui.core.schedule import NO_TARGET_REASON, NodeSchedule, compute, subtract_days

TODAY = date(2026, 11, 23)  # Monday


def plan(target: date | None, *nodes: MapNode) -> Session:
    return Session(id="s", title="t", future_state=FutureState(target_date=target), map=list(nodes))


def node(node_id: str, parent: str = "", days: int | None = None, **kw: object) -> MapNode:
    return MapNode(id=node_id, title=node_id, parent=parent, duration_days=days, **kw)  # type: ignore[arg-type]


def table(schedule, *ids: str) -> list[tuple[str, date, date]]:
    return [(i, schedule.nodes[i].start, schedule.nodes[i].due) for i in ids]


def test_six_levels_deep_chain_goes_back_from_the_target_date() -> None:
    s = compute(
        plan(
            date(2027, 6, 30),
            node("a", "", 30),
            node("b", "a", 20),
            node("c", "b", 10),
            node("d", "c", 45),
            node("e", "d", 60),
            node("f", "e", 7),
        ),
        TODAY,
    )
    assert s.ready and s.reason == ""
    # node, latest start, due (= start of the node it enables; the target for "a")
    assert table(s, "a", "b", "c", "d", "e", "f") == [
        ("a", date(2027, 5, 31), date(2027, 6, 30)),
        ("b", date(2027, 5, 11), date(2027, 5, 31)),
        ("c", date(2027, 5, 1), date(2027, 5, 11)),
        ("d", date(2027, 3, 17), date(2027, 5, 1)),  # 30 days of April + 15 of March
        ("e", date(2027, 1, 16), date(2027, 3, 17)),  # 17 + 28 (Feb 2027) + 15
        ("f", date(2027, 1, 9), date(2027, 1, 16)),
    ]
    assert [s.nodes[i].depth for i in "abcdef"] == [1, 2, 3, 4, 5, 6]
    assert s.nodes["f"].slack_days == 47  # 30 to 2026-12-23, 17 more to 2027-01-09
    assert s.nodes["a"].slack_days == 189
    assert all(not s.nodes[i].flags for i in "abcdef")
    assert s.critical_path == ["f", "e", "d", "c", "b", "a"]
    assert s.start_now == []  # f starts in 47 days, beyond the 14-day window
    assert s.earliest_start == date(2027, 1, 9)
    assert s.late() == []


def test_siblings_with_different_durations_and_a_node_without_duration() -> None:
    session = plan(
        date(2027, 3, 1),
        node("g1", "", 14),
        node("s1", "g1", 30),
        node("s2", "g1", 45),
        node("s3", "g1", 10),
        node("g2", "", None),
    )
    s = compute(session, date(2026, 12, 20))
    assert table(s, "g1", "s1", "s2", "s3", "g2") == [
        ("g1", date(2027, 2, 15), date(2027, 3, 1)),
        ("s1", date(2027, 1, 16), date(2027, 2, 15)),
        ("s2", date(2027, 1, 1), date(2027, 2, 15)),
        ("s3", date(2027, 2, 5), date(2027, 2, 15)),
        ("g2", date(2027, 3, 1), date(2027, 3, 1)),  # no duration: counted as 0 days
    ]
    assert s.nodes["g2"].flags == {"no_duration"}
    assert s.nodes["s2"].flags == frozenset()
    assert s.critical_path == ["s2", "g1"]  # the longest sibling starts earliest
    assert s.start_now == ["s2"]  # window ends 2027-01-03: only s2 (2027-01-01)
    assert s.earliest_start == date(2027, 1, 1)

    # Seen from 2027-01-05, s2 is already 4 days late and s1 must start within two weeks.
    later = compute(session, date(2027, 1, 5))
    assert later.nodes["s2"].flags == {"starts_in_past"}
    assert later.nodes["s2"].slack_days == -4
    assert later.nodes["s1"].slack_days == 11
    assert later.start_now == ["s2", "s1"]  # past first, then the window; s3 (Feb 5) is not
    assert later.late() == ["s2"]


def test_pinned_dates_and_conflicts() -> None:
    s = compute(
        plan(
            date(2027, 6, 30),
            node("p1", "", 30, pinned_due=date(2027, 4, 30)),  # earlier than needed: fine
            node("p2", "p1", 10, pinned_due=date(2027, 4, 10)),  # after p1 starts (03-31)
            node("p3", "p2", 5),
            node("p4", "", 20, pinned_due=date(2027, 7, 31)),  # after the goal
            node("p5", "p4", 10),
        ),
        TODAY,
    )
    assert table(s, "p1", "p2", "p3", "p4", "p5") == [
        ("p1", date(2027, 3, 31), date(2027, 4, 30)),
        ("p2", date(2027, 3, 31), date(2027, 4, 10)),  # the pinned date is kept
        ("p3", date(2027, 3, 26), date(2027, 3, 31)),  # follows the pinned p2
        ("p4", date(2027, 7, 11), date(2027, 7, 31)),
        ("p5", date(2027, 7, 1), date(2027, 7, 11)),
    ]
    assert s.nodes["p1"].flags == frozenset() and s.nodes["p1"].pinned
    assert s.nodes["p2"].flags == {"pinned_conflict"}
    assert s.nodes["p3"].flags == frozenset() and not s.nodes["p3"].pinned
    assert s.nodes["p4"].flags == {"pinned_conflict", "due_after_goal"}
    assert s.nodes["p5"].flags == {"due_after_goal"}  # its due (p4's start) is after 06-30
    assert s.critical_path == ["p3", "p2", "p1"]
    assert s.flagged("pinned_conflict") == ["p2", "p4"]


def test_the_critical_path_is_the_chain_that_must_start_earliest_even_above_its_leaf() -> None:
    s = compute(
        plan(
            date(2027, 6, 30),
            node("q1", "", 100),  # starts 2027-03-22
            node("q2", "q1", 5, pinned_due=date(2027, 5, 1)),  # conflict; starts 04-26
            node("r1", "", 50),  # starts 2027-05-11
            node("r2", "r1", 30),  # starts 2027-04-11
        ),
        TODAY,
    )
    assert table(s, "q1", "q2", "r1", "r2") == [
        ("q1", date(2027, 3, 22), date(2027, 6, 30)),
        ("q2", date(2027, 4, 26), date(2027, 5, 1)),
        ("r1", date(2027, 5, 11), date(2027, 6, 30)),
        ("r2", date(2027, 4, 11), date(2027, 5, 11)),
    ]
    # The q chain must start on 03-22 (q1 itself); the r chain on 04-11.
    assert s.critical_path == ["q2", "q1"]
    assert s.earliest_start == date(2027, 3, 22)


def test_ties_go_to_file_order() -> None:
    s = compute(
        plan(date(2026, 12, 1), node("t2", "", 5), node("t1", "", 5), node("t3", "", 8)),
        TODAY,
    )
    assert table(s, "t2", "t1", "t3") == [
        ("t2", date(2026, 11, 26), date(2026, 12, 1)),
        ("t1", date(2026, 11, 26), date(2026, 12, 1)),
        ("t3", date(2026, 11, 23), date(2026, 12, 1)),
    ]
    assert s.start_now == ["t3", "t2", "t1"]
    assert s.nodes["t3"].slack_days == 0 and s.nodes["t3"].flags == frozenset()  # today: on time
    assert s.critical_path == ["t3"]
    tied = compute(plan(date(2026, 12, 1), node("t2", "", 5), node("t1", "", 5)), TODAY)
    assert tied.critical_path == ["t2"]  # same start: the first in the file


@pytest.mark.parametrize(
    ("due", "days", "expected"),
    [
        (date(2026, 12, 4), 0, date(2026, 12, 4)),  # Fri, nothing to do
        (date(2026, 12, 4), 1, date(2026, 12, 3)),  # Fri -> Thu
        (date(2026, 12, 4), 5, date(2026, 11, 27)),  # Fri -> the Fri before
        (date(2026, 12, 4), 6, date(2026, 11, 26)),  # crosses one weekend
        (date(2026, 12, 4), 10, date(2026, 11, 20)),
        (date(2026, 12, 4), 11, date(2026, 11, 19)),
        (date(2026, 11, 30), 1, date(2026, 11, 27)),  # Mon -> Fri
        (date(2026, 11, 30), 5, date(2026, 11, 23)),  # Mon -> Mon
        (date(2026, 11, 28), 1, date(2026, 11, 27)),  # Sat -> Fri
        (date(2026, 11, 29), 5, date(2026, 11, 23)),  # Sun -> Mon
        (date(2027, 1, 29), 20, date(2027, 1, 1)),  # four weeks (holidays are not known)
    ],
)
def test_working_days_skip_weekends(due: date, days: int, expected: date) -> None:
    assert subtract_days(due, days, working_days=True) == expected


def test_calendar_days_subtract_plainly() -> None:
    assert subtract_days(date(2027, 3, 1), 1) == date(2027, 2, 28)
    assert subtract_days(date(2028, 3, 1), 1) == date(2028, 2, 29)  # leap year


def test_working_days_mode_over_a_tree() -> None:
    session = plan(
        date(2026, 12, 4),  # Friday
        node("w1", "", 5),
        node("w2", "w1", 3),
        node("w3", "w2", 1),
        node("w4", "", 1, pinned_due=date(2026, 11, 29)),  # a Sunday
    )
    work = compute(session, TODAY, working_days=True)
    assert work.working_days
    assert table(work, "w1", "w2", "w3", "w4") == [
        ("w1", date(2026, 11, 27), date(2026, 12, 4)),  # Fri -> Fri
        ("w2", date(2026, 11, 24), date(2026, 11, 27)),  # Fri -> Tue (Thu, Wed, Tue)
        ("w3", date(2026, 11, 23), date(2026, 11, 24)),  # Tue -> Mon (today)
        ("w4", date(2026, 11, 27), date(2026, 11, 29)),  # Sun -> Fri
    ]
    assert work.start_now == ["w3", "w4"]
    assert work.critical_path == ["w3", "w2", "w1"]

    calendar = compute(session, TODAY)
    assert table(calendar, "w1", "w2", "w3", "w4") == [
        ("w1", date(2026, 11, 29), date(2026, 12, 4)),
        ("w2", date(2026, 11, 26), date(2026, 11, 29)),
        ("w3", date(2026, 11, 25), date(2026, 11, 26)),
        ("w4", date(2026, 11, 28), date(2026, 11, 29)),
    ]

    # the session's own setting is the default; an explicit argument still wins
    session.future_state.working_days = True
    assert table(compute(session, TODAY), "w1", "w2")[1] == (
        "w2",
        date(2026, 11, 24),
        date(2026, 11, 27),
    )
    assert compute(session, TODAY, working_days=False).nodes["w2"].start == date(2026, 11, 26)


def test_no_target_date_is_a_clear_state_not_an_exception() -> None:
    s = compute(plan(None, node("a", "", 10), node("b", "a", 5)), TODAY)
    assert s.ready is False
    assert s.reason == NO_TARGET_REASON == "Set a target date to compute the schedule."
    assert s.nodes == {} and s.critical_path == [] and s.start_now == []
    assert s.earliest_start is None


def test_an_empty_map_is_ready_with_nothing_in_it() -> None:
    s = compute(plan(date(2027, 1, 1)), TODAY)
    assert s.ready and s.nodes == {} and s.critical_path == [] and s.earliest_start is None


def test_done_doing_dropped_and_a_node_already_late() -> None:
    today = date(2026, 12, 15)
    s = compute(
        plan(
            date(2027, 1, 31),
            node("a", "", 30),
            node("b", "a", 20),  # todo, should have started 12-12
            node("c", "b", 10, status="done"),
            node("d", "c", 5),  # below a done node: settled
            node("e", "", 40, status="dropped"),
            node("f", "e", 10),  # below a dropped node: left out
            node("g", "", 60, status="doing"),  # started; due in the future
            node("h", "", 5, status="doing", pinned_due=date(2026, 12, 10)),  # overdue
        ),
        today,
    )
    assert list(s.nodes) == ["a", "b", "c", "d", "g", "h"]
    assert table(s, "a", "b", "c", "d", "g", "h") == [
        ("a", date(2027, 1, 1), date(2027, 1, 31)),
        ("b", date(2026, 12, 12), date(2027, 1, 1)),
        ("c", date(2026, 12, 2), date(2026, 12, 12)),
        ("d", date(2026, 11, 27), date(2026, 12, 2)),
        ("g", date(2026, 12, 2), date(2027, 1, 31)),
        ("h", date(2026, 12, 5), date(2026, 12, 10)),
    ]
    assert s.nodes["b"].flags == {"starts_in_past"} and s.nodes["b"].slack_days == -3
    assert s.nodes["c"].flags == frozenset() and s.nodes["c"].settled
    assert s.nodes["d"].flags == frozenset() and s.nodes["d"].settled
    assert s.nodes["g"].flags == frozenset()  # doing: its latest start passing is fine
    assert s.nodes["h"].flags == {"overdue"}
    assert s.late() == ["b", "h"]
    # Frontier: b (its only child is done), g, h.  Chains start b 12-12, g 12-02, h 12-05.
    assert s.critical_path == ["g"]
    assert s.start_now == ["b"]  # doing nodes have already started
    assert s.earliest_start == date(2026, 12, 2)


def test_a_finished_map_has_no_critical_path() -> None:
    s = compute(plan(date(2027, 1, 31), node("a", "", 30, status="done"), node("b", "a", 5)), TODAY)
    assert s.nodes["b"].settled
    assert s.critical_path == [] and s.start_now == [] and s.earliest_start is None


def test_nodes_that_cannot_reach_the_goal_are_left_out() -> None:
    s = compute(
        plan(
            date(2027, 1, 31),
            node("a", "", 10),
            node("orphan", "missing", 5),
            node("x", "y", 5),
            node("y", "x", 5),
        ),
        TODAY,
    )
    assert list(s.nodes) == ["a"]


def test_a_deep_chain_does_not_recurse() -> None:
    nodes = [node("n0", "", 1)] + [node(f"n{i}", f"n{i - 1}", 1) for i in range(1, 3000)]
    s = compute(plan(date(2035, 1, 1), *nodes), TODAY)
    assert s.nodes["n2999"].depth == 3000
    assert s.nodes["n2999"].start == date(2026, 10, 15)  # 2035-01-01 is 3001 days after 10-14
    assert s.critical_path[0] == "n2999" and s.critical_path[-1] == "n0"


def test_an_absurd_duration_from_a_file_is_not_an_exception() -> None:
    s = compute(plan(date(2027, 1, 1), node("a", "", 2**62), node("b", "a", 5)), TODAY)
    assert s.nodes["a"].start == date.min
    assert s.nodes["b"].start == date.min  # due date.min, and nothing is before it
    assert s.late() == ["a", "b"]
    work = compute(plan(date(2027, 1, 1), node("a", "", 2**62)), TODAY, working_days=True)
    assert work.nodes["a"].start == date.min


def test_node_schedules_are_plain_frozen_values() -> None:
    s = compute(plan(date(2027, 1, 1), node("a", "", 10)), TODAY)
    made = s.nodes["a"]
    assert made == NodeSchedule(
        node_id="a",
        due=date(2027, 1, 1),
        start=date(2026, 12, 22),
        slack_days=29,
        depth=1,
        flags=frozenset(),
        duration_days=10,
        pinned=False,
        settled=False,
    )
    assert hash(made) == hash(dataclasses.replace(made))
    assert set(dataclasses.asdict(made)) == {f.name for f in dataclasses.fields(NodeSchedule)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.due = TODAY  # type: ignore[misc]


def test_the_critical_path_must_start_by_its_earliest_start_not_its_leafs() -> None:
    # The case of issue 15.  A is pinned to 2027-01-10 and lasts 10 days: it starts 12-31.
    # B, under A, is pinned to 2027-05-01 (a conflict: after A starts) and lasts 5 days:
    # 04-26.  C lasts 30 days before the target: 05-31.  The chain B -> A must start on the
    # earliest start on it, A's 2026-12-31, not B's 2027-04-26.
    s = compute(
        plan(
            date(2027, 6, 30),
            node("A", "", 10, pinned_due=date(2027, 1, 10)),
            node("B", "A", 5, pinned_due=date(2027, 5, 1)),
            node("C", "", 30),
        ),
        TODAY,
    )
    assert table(s, "A", "B", "C") == [
        ("A", date(2026, 12, 31), date(2027, 1, 10)),
        ("B", date(2027, 4, 26), date(2027, 5, 1)),
        ("C", date(2027, 5, 31), date(2027, 6, 30)),
    ]
    assert s.nodes["B"].flags == {"pinned_conflict"}
    assert s.critical_path == ["B", "A"]
    assert s.critical_start == date(2026, 12, 31)
    assert s.earliest_start == date(2026, 12, 31)


def test_critical_start_is_the_leafs_start_on_a_plain_chain_and_none_without_open_work() -> None:
    s = compute(plan(date(2027, 6, 30), node("a", "", 30), node("b", "a", 20)), TODAY)
    assert s.critical_path == ["b", "a"]
    assert s.critical_start == date(2027, 5, 11)  # 06-30 - 30 = 05-31, - 20 = 05-11
    done = compute(plan(date(2027, 1, 31), node("a", "", 30, status="done")), TODAY)
    assert done.critical_path == [] and done.critical_start is None
    assert compute(plan(None, node("a", "", 3)), TODAY).critical_start is None
