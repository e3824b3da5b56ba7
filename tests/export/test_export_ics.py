"""iCalendar export: parses with icalendar, all-day events, stable UIDs, byte-identical output."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from backplan_tui.core.export import ics
from backplan_tui.core.model import FutureState, MapNode, Pilot, Session

TODAY = date(2026, 11, 22)


def plan() -> Session:
    return Session(
        id="plan-0001",
        title="Plan, with; punctuation",
        created=datetime(2026, 11, 1, tzinfo=UTC),
        updated=datetime(2026, 11, 2, 10, 30, 15, tzinfo=UTC),
        revision=7,
        future_state=FutureState(statement="Ship\nit", target_date=date(2027, 3, 1)),
        map=[
            MapNode(id="m1", title="Top", owner="Ann", duration_days=30),
            MapNode(id="m2", title="Pinned", parent="m1", pinned_due=date(2027, 1, 10)),
            MapNode(id="m3", title="Dropped", status="dropped", pinned_due=date(2027, 2, 1)),
        ],
        pilots=[
            Pilot(
                id="p1",
                name="Window",
                hypothesis="If A then B",
                start=date(2026, 12, 1),
                end=date(2026, 12, 20),
            ),
            Pilot(id="p2", name="Only a start", start=date(2027, 1, 5)),
            Pilot(id="p3", name="No dates"),
        ],
    )


def events(text: str) -> dict[str, object]:
    cal = Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_calendar_header():
    out = ics.render(plan(), TODAY)
    assert out.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//backplan//EN\r\n")
    assert out.endswith("END:VCALENDAR\r\n")
    cal = Calendar.from_ical(out)
    assert str(cal["X-WR-CALNAME"]) == "Plan, with; punctuation"


def test_events_dates_and_uids():
    found = events(ics.render(plan(), TODAY))
    assert sorted(found) == [
        "plan-0001-m1@backplan",
        "plan-0001-m2@backplan",
        "plan-0001-m3@backplan",
        "plan-0001-p1@backplan",
        "plan-0001-p2@backplan",
        "plan-0001@backplan",  # the goal
    ]
    # (summary, first day, exclusive end) written out by hand.
    expected = {
        "plan-0001@backplan": ("Goal: Plan, with; punctuation", date(2027, 3, 1), date(2027, 3, 2)),
        # m1 is due on the target date (computed backward from the goal).
        "plan-0001-m1@backplan": ("Top", date(2027, 3, 1), date(2027, 3, 2)),
        "plan-0001-m2@backplan": ("Pinned", date(2027, 1, 10), date(2027, 1, 11)),
        "plan-0001-m3@backplan": ("Dropped", date(2027, 2, 1), date(2027, 2, 2)),
        # A pilot runs from its first to its last day: DTEND is the day after.
        "plan-0001-p1@backplan": ("Window", date(2026, 12, 1), date(2026, 12, 21)),
        "plan-0001-p2@backplan": ("Only a start", date(2027, 1, 5), date(2027, 1, 6)),
    }
    for uid, (summary, start, end) in expected.items():
        event = found[uid]
        assert str(event["SUMMARY"]) == summary
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTEND") == end
        assert event["DTSTART"].params["VALUE"] == "DATE"  # all-day
        assert event.decoded("DTSTAMP") == datetime(2026, 11, 2, 10, 30, 15, tzinfo=UTC)
        assert event.decoded("SEQUENCE") == 7
        assert str(event["TRANSP"]) == "TRANSPARENT"


def test_dropped_nodes_are_cancelled_and_descriptions_say_what():
    found = events(ics.render(plan(), TODAY))
    assert str(found["plan-0001-m3@backplan"]["STATUS"]) == "CANCELLED"
    assert "STATUS" not in found["plan-0001-m1@backplan"]
    description = str(found["plan-0001-m1@backplan"]["DESCRIPTION"])
    assert description.splitlines() == [
        "Due date of a reverse-map item. Plan: Plan, with; punctuation",
        "Latest start: 2027-01-30",
        "Owner: Ann",
        "Status: todo",
    ]
    pilot = str(found["plan-0001-p1@backplan"]["DESCRIPTION"])
    assert "Hypothesis: If A then B" in pilot.splitlines()
    goal = found["plan-0001@backplan"]
    assert str(goal["DESCRIPTION"]) == "Ship / it"


def test_byte_identical_and_independent_of_the_clock():
    assert ics.render(plan(), TODAY) == ics.render(plan(), TODAY)
    # today only matters through the schedule's flags, never through the dates written
    assert ics.render(plan(), TODAY) == ics.render(plan(), date(2026, 12, 25))


def test_uids_survive_edits_so_a_reimport_updates():
    before = events(ics.render(plan(), TODAY))
    edited = plan()
    edited.map[0].title = "Top, renamed"
    edited.map[1].pinned_due = date(2027, 1, 20)
    edited.revision = 8
    after = events(ics.render(edited, TODAY))
    assert sorted(before) == sorted(after)
    assert str(after["plan-0001-m1@backplan"]["SUMMARY"]) == "Top, renamed"
    assert after["plan-0001-m2@backplan"].decoded("DTSTART") == date(2027, 1, 20)
    assert after["plan-0001-m1@backplan"].decoded("SEQUENCE") == 8


def test_no_target_date_means_only_pinned_dates_and_pilots():
    session = plan()
    session.future_state.target_date = None
    found = events(ics.render(session, TODAY))
    assert sorted(found) == [
        "plan-0001-m2@backplan",
        "plan-0001-m3@backplan",
        "plan-0001-p1@backplan",
        "plan-0001-p2@backplan",
    ]


def test_text_cannot_break_out_of_its_property():
    session = plan()
    session.map[0].title = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil"
    session.map[0].owner = "a;b,c\\d"
    out = ics.render(session, TODAY)
    cal = Calendar.from_ical(out)
    assert len(cal.walk("VEVENT")) == 6
    found = events(out)
    assert str(found["plan-0001-m1@backplan"]["SUMMARY"]) == "x END:VEVENT BEGIN:VEVENT UID:evil"
    assert "Owner: a;b,c\\d" in str(found["plan-0001-m1@backplan"]["DESCRIPTION"])
    assert "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil" not in out
