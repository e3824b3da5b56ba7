"""glance: the home list's health, risk and next-due facts, and their index record.

The plan used here (dates hand-computed, calendar days):
- goal target date Sun 2027-01-31;
- m1 "Managers trained" (top, 10 days, Ana): due 2027-01-31, starts 2027-01-21;
- m2 "Book the trainer" (below m1, 5 days, Bo): due 2027-01-21, starts 2027-01-16;
- m3 "Old idea" (top, done): never due;
- p1 "Sales pilot" (Sam) ends 2026-12-15; p2 (done) ends 2026-11-01.
Open dated items, earliest first: p1 2026-12-15, m2 2027-01-21, m1 2027-01-31.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backplan_tui.core.glance import MAX_DUE, DueRef, Glance, summarize, text_prefix
from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Pilot, Session

TODAY = date(2026, 12, 1)


def plan(**kw) -> Session:
    session = Session(
        id="plan",
        title="Plan",
        created=datetime(2026, 11, 2, tzinfo=UTC),
        future_state=FutureState(
            statement="Raise 12-month retention from 78% to 90% by 31 January 2027",
            target_date=date(2027, 1, 31),
            aligned_objective="People strategy 2027",
            outcomes=[
                Outcome("o1", "Retention", "%", 78.0, 90.0, "increase", date(2027, 1, 31)),
            ],
        ),
        map=[
            MapNode("m1", "Managers trained", owner="Ana", duration_days=10),
            MapNode("m2", "Book the trainer", parent="m1", owner="Bo", duration_days=5),
            MapNode("m3", "Old idea", status="done", duration_days=3),
        ],
        pilots=[
            Pilot("p1", "Sales pilot", owner="Sam", tests=["m1"], end=date(2026, 12, 15)),
            Pilot("p2", "Done pilot", status="done", end=date(2026, 11, 1)),
        ],
    )
    for key, value in kw.items():
        setattr(session, key, value)
    return session


def test_dated_items_earliest_first_with_owners():
    g = summarize(plan(), TODAY)
    assert [(d.due, d.kind, d.title, d.owner) for d in g.due] == [
        (date(2026, 12, 15), "pilot", "Sales pilot", "Sam"),
        (date(2027, 1, 21), "node", "Book the trainer", "Bo"),
        (date(2027, 1, 31), "node", "Managers trained", "Ana"),
    ]
    assert g.open_dated == 3
    assert g.as_of == TODAY


def test_next_due_and_overdue_follow_the_day_they_are_shown():
    g = summarize(plan(), TODAY)
    assert g.due_text(TODAY) == "2026-12-15 Sales pilot (Sam)"
    assert g.overdue(TODAY) == 0
    later = date(2027, 1, 25)  # the same glance, shown weeks later: two items have passed
    assert g.due_text(later) == "OVERDUE 2026-12-15 Sales pilot (Sam)"
    assert g.overdue(later) == 2
    assert g.stale(later) and not g.stale(TODAY)


def test_a_plan_with_nothing_dated_has_no_next_due():
    session = plan(map=[], pilots=[])
    g = summarize(session, TODAY)
    assert g.next_due() is None and g.due_text(TODAY) == ""


def test_health_counts_problems_then_warnings():
    assert Glance(TODAY, 2, 5, (), ()).health_text() == "2 problems"
    assert Glance(TODAY, 1, 5, (), ()).health_text() == "1 problem"
    assert Glance(TODAY, 0, 1, (), ()).health_text() == "1 warning"
    assert Glance(TODAY, 0, 0, (), ()).health_text() == "healthy"
    assert Glance(TODAY, 0, 3, (), ()).health == "warnings"


def test_a_goal_without_a_date_is_a_problem():
    session = plan()
    session.future_state.target_date = None
    g = summarize(session, TODAY)
    assert g.problems >= 1 and g.health == "problems"
    # without a target date nothing on the map is dated: only the pilot remains
    assert [d.kind for d in g.due] == ["pilot"]


def test_risks_name_what_is_wrong():
    # a check-in the day before, on track and ahead of the pace needed (+7 in 4 weeks)
    on_track = [CheckIn(date(2026, 11, 30), {"o1": 85.0}, "on_track")]
    calm = summarize(plan(checkins=on_track), TODAY)
    assert calm.risks == () and not calm.at_risk
    quiet = summarize(plan(), TODAY)  # created 2026-11-02: the first check-in was due 11-16
    assert quiet.risks == ("Check-in 15 days overdue",)
    worried = plan(checkins=[CheckIn(date(2026, 11, 30), {"o1": 79.0}, "off_track")])
    g = summarize(worried, TODAY)
    assert g.at_risk
    assert "Latest check-in (2026-11-30): off track" in g.risks
    overdue = summarize(plan(checkins=on_track), date(2026, 12, 20))  # p1 ended on the 15th
    assert "1 overdue item" in overdue.risks


def test_long_titles_are_cut_and_the_list_is_capped():
    nodes = [
        MapNode(f"m{i}", "x" * 200 if i == 0 else f"Node {i}", duration_days=i + 1)
        for i in range(MAX_DUE + 4)
    ]
    g = summarize(plan(map=nodes, pilots=[]), TODAY)
    assert len(g.due) == MAX_DUE and g.open_dated == MAX_DUE + 4
    assert max(len(d.title) for d in g.due) == 80
    assert any(d.title.endswith("…") for d in g.due)


def test_the_record_round_trips():
    g = summarize(plan(checkins=[CheckIn(date(2026, 11, 30), {"o1": 79.0}, "at_risk")]), TODAY)
    assert Glance.from_record(g.to_record()) == g


@pytest.mark.parametrize(
    "change",
    [
        {"problems": -1},
        {"problems": True},
        {"warnings": "2"},
        {"risks": "late"},
        {"risks": [1]},
        {"due": [["2026-12-15", "meeting", "x", ""]]},
        {"due": [["not a date", "node", "x", ""]]},
        {"due": [["2026-12-15", "node", "x"]]},
        {"due": "none"},
        {"as_of": 20261201},
        {"open_dated": None},
    ],
)
def test_a_record_edited_by_hand_is_refused(change):
    record = Glance(TODAY, 1, 2, ("a",), (DueRef(TODAY, "node", "t", "o"),), 1).to_record()
    assert Glance.from_record(record) is not None
    record.update(change)
    assert Glance.from_record(record) is None


def test_a_missing_key_or_a_non_dict_is_refused():
    record = Glance(TODAY, 0, 0, (), ()).to_record()
    del record["risks"]
    assert Glance.from_record(record) is None
    assert Glance.from_record(["not", "a", "dict"]) is None


# --- the index's text (to_text / from_text) ----------------------------------------------------


def test_the_text_is_compact_ascii_json():
    g = Glance(
        TODAY,
        1,
        2,
        ('Ana\'s "big" risk',),
        (DueRef(date(2026, 12, 15), "node", "Café \\ 5", "Bo"),),
        3,
    )
    # no spaces, ASCII only (é is \u00e9), the quote and the backslash escaped
    expected = (
        '{"as_of":"2026-12-01","problems":1,"warnings":2,'
        '"risks":["Ana\'s \\"big\\" risk"],'
        '"due":[["2026-12-15","node","Caf\\u00e9 \\\\ 5","Bo"]],"open_dated":3}'
    )
    assert g.to_text() == expected
    assert Glance.from_text(expected) == g
    assert expected.startswith(text_prefix(TODAY))
    assert text_prefix(TODAY) == '{"as_of":"2026-12-01"'
    assert not expected.startswith(text_prefix(date(2026, 12, 2)))


def test_a_summary_round_trips_through_the_text():
    g = summarize(plan(checkins=[CheckIn(date(2026, 11, 30), {"o1": 79.0}, "at_risk")]), TODAY)
    assert Glance.from_text(g.to_text()) == g


@pytest.mark.parametrize(
    "text",
    [
        None,
        5,
        {"as_of": "2026-12-01"},
        "",
        "not a glance",
        '{"as_of":"2026-12-01"',  # cut short
        "{'as_of':'2026-12-01','problems':1,'warnings':2,'risks':[],'due':[],'open_dated':0}",
        '{"as_of":"2026-12-01","problems":"many","warnings":2,"risks":[],"due":[],"open_dated":0}',
        "[" * 100_000,
    ],
    ids=["null", "number", "object", "empty", "words", "cut", "single-quotes", "bad-count", "deep"],
)
def test_a_text_not_as_written_gives_no_glance(text):
    assert Glance.from_text(text) is None
