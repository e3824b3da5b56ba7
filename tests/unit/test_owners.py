"""Owners and their load: key folding, windows, periods, peaks and shares, by hand.

The plan of ``_session`` (target 2027-06-30, calendar days), worked out by hand:

- C, top level, 60 days, "PRIYA": due 2027-06-30, start 2027-05-01, runs 05-01..06-29;
- A, top level, 30 days, "Priya": due 2027-06-30, start 2027-05-31, runs 05-31..06-29;
- B, under A, 10 days, "priya ": due 2027-05-31 (A's start), start 2027-05-21, runs
  05-21..05-30 (it is done the day A starts: no overlap with A);
- D, top level, 5 days, "Sam", done: listed, never counts;
- pilot P, "Priya", 2027-06-01..2027-06-10 (both days);
- question Q1 "priya" open (no dates), Q2 "Priya" answered.

Priya's periods: 05-01..05-20 C; 05-21..05-30 C B; 05-31 C A; 06-01..06-10 C A P;
06-11..06-29 C A.  Peak 3, on 06-01..06-10.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from math import inf

from backplan_tui.core import coach, schedule
from backplan_tui.core.model import (
    FutureState,
    MapNode,
    Owner,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.owners import (
    Limits,
    Period,
    find_owner,
    format_share,
    load_of,
    loads,
    owner_key,
    rename_items,
)

TODAY = date(2027, 1, 10)
D = date


def _session(owners: list[Owner] | None = None) -> Session:
    s = Session(id="s", title="t", created=datetime(2027, 1, 1, 9, tzinfo=UTC))
    s.future_state = FutureState(statement="goal", target_date=date(2027, 6, 30))
    s.map = [
        MapNode(id="A", title="Alpha", owner="Priya", duration_days=30),
        MapNode(id="B", title="Beta", parent="A", owner="priya ", duration_days=10),
        MapNode(id="C", title="Gamma", owner="PRIYA", duration_days=60),
        MapNode(id="D", title="Delta", owner="Sam", duration_days=5, status="done"),
    ]
    s.pilots = [Pilot(id="P", name="Pilot", owner="Priya", start=D(2027, 6, 1), end=D(2027, 6, 10))]
    s.questions = [
        Question(id="Q1", prompt="Who?", owner="priya"),
        Question(id="Q2", prompt="What?", owner="Priya", status="answered"),
    ]
    s.owners = owners if owners is not None else [Owner(id="w1", name="Priya", capacity_hours=8)]
    return s


def test_owner_key_folds_case_and_spacing():
    assert owner_key("Priya") == owner_key("priya ") == owner_key("  PRIYA\t") == "priya"
    assert owner_key("Ana  Maria") == owner_key("ana maria")
    assert owner_key("   ") == ""


def test_one_person_under_three_spellings():
    s = _session()
    by_key = {load.key: load for load in loads(s, schedule.compute(s, TODAY))}
    assert list(by_key) == ["priya", "sam"]  # the listed owner first, then names met
    priya = by_key["priya"]
    assert priya.listed and priya.owner_id == "w1" and priya.name == "Priya"
    assert priya.capacity_hours == 8
    # Spellings in the order met: map (A, B, C), pilots, questions.
    assert priya.spellings == ("Priya", "priya", "PRIYA")
    # By start date, undated last (map before pilots before questions, then file order).
    assert [i.id for i in priya.items] == ["C", "B", "A", "P", "Q1", "Q2"]
    assert not by_key["sam"].listed and by_key["sam"].name == "Sam"


def test_windows_and_running_days():
    s = _session()
    priya = load_of(s, schedule.compute(s, TODAY), "PRIYA")
    assert priya is not None
    got = {i.id: (i.start, i.end, i.first, i.last, i.open) for i in priya.items}
    assert got["C"] == (D(2027, 5, 1), D(2027, 6, 30), D(2027, 5, 1), D(2027, 6, 29), True)
    assert got["A"] == (D(2027, 5, 31), D(2027, 6, 30), D(2027, 5, 31), D(2027, 6, 29), True)
    assert got["B"] == (D(2027, 5, 21), D(2027, 5, 31), D(2027, 5, 21), D(2027, 5, 30), True)
    assert got["P"] == (D(2027, 6, 1), D(2027, 6, 10), D(2027, 6, 1), D(2027, 6, 10), True)
    assert got["Q1"] == (None, None, None, None, True)
    assert got["Q2"][4] is False  # answered: listed, not open


def test_periods_peak_and_share():
    s = _session()
    priya = load_of(s, schedule.compute(s, TODAY), "priya")
    assert priya is not None
    assert priya.periods == (
        Period(D(2027, 5, 1), D(2027, 5, 20), ("C",)),
        Period(D(2027, 5, 21), D(2027, 5, 30), ("C", "B")),
        Period(D(2027, 5, 31), D(2027, 5, 31), ("C", "A")),
        Period(D(2027, 6, 1), D(2027, 6, 10), ("C", "A", "P")),
        Period(D(2027, 6, 11), D(2027, 6, 29), ("C", "A")),
    )
    assert priya.peak == 3
    assert priya.peaks == (Period(D(2027, 6, 1), D(2027, 6, 10), ("C", "A", "P")),)
    assert priya.over(2) == (Period(D(2027, 6, 1), D(2027, 6, 10), ("C", "A", "P")),)
    assert priya.open_count == 5  # C B A P Q1
    # Each item's worst overlap: B meets only C; A and C meet P on 06-01..06-10.
    assert [priya.at_once(i) for i in ("C", "B", "A", "P", "Q1")] == [3, 2, 3, 3, 0]
    # 3 items x 4 h = 12 h a week against 8 h: 150 %.
    assert priya.hours_at_peak == 12
    assert priya.share == 1.5
    assert format_share(priya.share) == "150%"


def test_done_work_and_zero_days_do_not_count():
    s = _session()
    s.map[2].status = "done"  # C done
    s.map[0].duration_days = 0  # A runs no day (start == due)
    priya = load_of(s, schedule.compute(s, TODAY), "Priya")
    assert priya is not None
    # B is due on A's start, now 06-30: runs 06-20..06-29; P runs 06-01..06-10.
    assert priya.periods == (
        Period(D(2027, 6, 1), D(2027, 6, 10), ("P",)),
        Period(D(2027, 6, 20), D(2027, 6, 29), ("B",)),
    )
    assert priya.peak == 1
    sam = load_of(s, schedule.compute(s, TODAY), "sam")
    assert sam is not None and sam.peak == 0 and sam.peaks == () and sam.share is None


def test_no_target_date_leaves_map_nodes_undated():
    s = _session()
    s.future_state.target_date = None
    priya = load_of(s, schedule.compute(s, TODAY), "Priya")
    assert priya is not None
    assert [p.items for p in priya.periods] == [("P",)]
    assert all(i.start is None for i in priya.items if i.kind == "node")


def test_two_list_entries_for_one_person_merge():
    s = _session(
        [
            Owner(id="w1", name="priya", capacity_hours=None),
            Owner(id="w2", name="PRIYA ", capacity_hours=20),
        ]
    )
    found = loads(s, schedule.compute(s, TODAY))
    assert [(x.key, x.owner_id, x.name, x.capacity_hours) for x in found][0] == (
        "priya",
        "w1",
        "priya",
        20,
    )
    assert find_owner(s, " Priya") is s.owners[0]
    assert find_owner(s, "Priya", besides="w1") is s.owners[1]
    assert find_owner(s, "Nobody") is None


def test_zero_capacity_is_an_infinite_share():
    s = _session([Owner(id="w1", name="Priya", capacity_hours=0)])
    priya = load_of(s, schedule.compute(s, TODAY), "Priya")
    assert priya is not None and priya.share == inf


def test_rename_items_moves_every_spelling():
    s = _session()
    assert rename_items(s, "PRIYA", "Priya Shah") == 6  # A B C P Q1 Q2
    assert {n.owner for n in s.map} == {"Priya Shah", "Sam"}
    assert s.pilots[0].owner == "Priya Shah"
    assert rename_items(s, "", "x") == 0


# --- the coach --------------------------------------------------------------------------------


def _owner_findings(s: Session, limits: Limits | None = None) -> list[coach.Finding]:
    return [f for f in coach.review(s, TODAY, limits=limits) if f.check.startswith("owner_")]


def test_three_at_once_is_within_the_default_limit_but_over_the_hours():
    found = _owner_findings(_session())
    assert [f.check for f in found] == ["owner_over_capacity"]
    assert found[0].severity == "warning" and found[0].step == "reverse_map"
    assert found[0].message == (
        '"Priya" needs about 12 h a week from 2027-06-01 to 2027-06-10 (3 items x 4 h), '
        '150% of the 8 h they have (allowed: 100%): "Gamma", "Alpha", "Pilot".'
    )


def test_a_lower_limit_flags_the_items_and_dates():
    found = _owner_findings(_session(), Limits(max_at_once=2, max_share=2.0))
    assert [f.check for f in found] == ["owner_too_many"]
    assert found[0].message == (
        '"Priya" has 3 items at once from 2027-06-01 to 2027-06-10: "Gamma", "Alpha", '
        '"Pilot" (the limit is 2).'
    )
    # Limit 1: every period with two or more is over; the peak is named, the rest counted.
    found = _owner_findings(_session(), Limits(max_at_once=1, max_share=2.0))
    assert found[0].message.endswith("(the limit is 1) (and 3 other periods).")


def test_names_not_on_the_list_are_not_judged():
    s = _session(owners=[])
    assert _owner_findings(s, Limits(max_at_once=1, max_share=0.1)) == []
    # Listed under another spelling: the same person, judged.
    s.owners = [Owner(id="w9", name="  priya")]
    found = _owner_findings(s, Limits(max_at_once=2))
    assert [f.check for f in found] == ["owner_too_many"]
    assert found[0].message.startswith('"priya" has 3 items at once')
