"""iCalendar export: parses with icalendar and vobject (two independent parsers), all-day
events, TEXT escaping, stable and bounded UIDs, byte-identical output."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
import vobject
from icalendar import Calendar
from icalendar.parser import unescape_backslash

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


def events(text: str) -> dict[str, Any]:
    cal = Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def calname(cal: Calendar) -> str:
    """X-WR-CALNAME as icalendar reads it.  icalendar does not know the property and keeps
    its raw value (``vUnknown``); RFC 5545 says an X- property is TEXT unless told otherwise,
    so the raw value is decoded with icalendar's own TEXT unescaping."""
    return unescape_backslash(str(cal["X-WR-CALNAME"]))


def test_calendar_header():
    out = ics.render(plan(), TODAY)
    assert out.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//backplan//EN\r\n")
    assert out.endswith("END:VCALENDAR\r\n")
    cal = Calendar.from_ical(out)
    assert calname(cal) == "Plan, with; punctuation"
    assert "X-WR-CALNAME:Plan\\, with\\; punctuation\r\n" in out


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


# --- TEXT escaping (RFC 5545 section 3.3.11), read back by two independent parsers ---------------

HOSTILE_TITLES = [
    "Q1, Q2; ops\\plan",
    "C:\\new\\, folder; x",  # a backslash before n and before a comma
    "a\\;b\\\\,c",
    "trailing backslash \\",
    'semi; colon: comma, quote " done',
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_every_text_property_reads_back_literally_in_two_parsers(title):
    session = plan()
    session.title = title
    session.future_state.statement = title
    session.map[0].title = title
    session.map[0].owner = title
    session.pilots[0].name = title
    session.pilots[0].hypothesis = title
    out = ics.render(session, TODAY)

    # icalendar
    cal = Calendar.from_ical(out)
    assert calname(cal) == title
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert str(found["plan-0001@backplan"]["SUMMARY"]) == f"Goal: {title}"
    assert str(found["plan-0001@backplan"]["DESCRIPTION"]) == title
    assert str(found["plan-0001-m1@backplan"]["SUMMARY"]) == title
    assert str(found["plan-0001-m1@backplan"]["DESCRIPTION"]).split("\n") == [
        f"Due date of a reverse-map item. Plan: {title}",
        "Latest start: 2027-01-30",
        f"Owner: {title}",
        "Status: todo",
    ]
    assert str(found["plan-0001-p1@backplan"]["SUMMARY"]) == title
    assert f"Hypothesis: {title}" in str(found["plan-0001-p1@backplan"]["DESCRIPTION"])
    assert [str(c) for c in found["plan-0001-m1@backplan"]["CATEGORIES"].cats] == [
        "backplan",
        "Reverse map",
    ]

    # vobject
    vcal = vobject.readOne(out)
    assert vcal.x_wr_calname.value == title
    vfound = {e.uid.value: e for e in vcal.vevent_list}
    assert sorted(vfound) == sorted(found)
    assert vfound["plan-0001@backplan"].summary.value == f"Goal: {title}"
    assert vfound["plan-0001@backplan"].description.value == title
    assert vfound["plan-0001-m1@backplan"].summary.value == title
    assert f"Owner: {title}" in vfound["plan-0001-m1@backplan"].description.value.split("\n")
    assert vfound["plan-0001-p1@backplan"].summary.value == title
    assert vfound["plan-0001-m1@backplan"].categories.value == ["backplan", "Reverse map"]
    assert vfound["plan-0001-p1@backplan"].categories.value == ["backplan", "Pilot"]


def test_categories_are_two_values_not_one_split_text():
    vcal = vobject.readOne(ics.render(plan(), TODAY))
    goal = next(e for e in vcal.vevent_list if e.uid.value == "plan-0001@backplan")
    assert goal.categories.value == ["backplan", "Goal"]


# --- UIDs: the exact id, unique, bounded, stable ----------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def uids_in_two_parsers(out: str) -> tuple[list[str], list[str]]:
    cal = Calendar.from_ical(out)
    vcal = vobject.readOne(out)
    return (
        [str(e["UID"]) for e in cal.walk("VEVENT")],
        [e.uid.value for e in vcal.vevent_list],
    )


def test_ids_that_differ_only_in_spacing_get_different_uids():
    session = plan()
    session.map[0].id = "stay  interviews"
    session.map[1].id = "stay interviews"
    session.map[1].parent = "stay  interviews"
    out = ics.render(session, TODAY)
    from_icalendar, from_vobject = uids_in_two_parsers(out)
    assert from_icalendar == from_vobject
    assert len(set(from_icalendar)) == len(from_icalendar) == 6
    # Not plain ids (a space): a hash of the exact id, worked out here with hashlib.
    assert f"plan-0001-h~{sha('stay  interviews')}@backplan" in from_icalendar
    assert f"plan-0001-h~{sha('stay interviews')}@backplan" in from_icalendar


def test_a_3000_character_id_gives_a_short_stable_uid():
    session = plan()
    long_id = "x" * 2999 + "y"
    session.map[0].id = long_id
    session.map[1].parent = long_id
    out = ics.render(session, TODAY)
    from_icalendar, from_vobject = uids_in_two_parsers(out)
    assert from_icalendar == from_vobject
    assert f"plan-0001-h~{sha(long_id)}@backplan" in from_icalendar
    assert max(len(u) for u in from_icalendar) <= 132
    assert ics.render(session, TODAY) == out  # the same on every run


@pytest.mark.parametrize(
    ("item_id", "plain"),
    [
        ("m1", True),
        ("p-12.b_c", True),
        ("a" * 60, True),
        ("a" * 61, False),
        ("-leading-dash", False),
        ("caf\u00e9", False),
        ("a~b", False),
        ("h~" + "0" * 32, False),  # a plain id can never look like a hashed one
    ],
)
def test_uid_part_keeps_plain_ids_and_hashes_the_rest(item_id, plain):
    expected = item_id if plain else f"h~{sha(item_id)}"
    assert ics.uid_part(item_id) == expected
