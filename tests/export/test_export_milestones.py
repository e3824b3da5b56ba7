"""Milestones in every export: JSON (flag, targets, date, verdict), CSV columns, an ICS event,
the Markdown/HTML "Milestones" table and the plain text of `backplan show`.

The plan (hand-computed): made 2026-10-01, retention 70% -> 90% by 2027-12-31; "Pilot done"
is a milestone pinned to 2027-04-30 with retention 82%; a check-in of 72% on 2026-11-16.
The pace (2 points in 46 days) carries 72 + 2 * 165/46 = 79.17 to 2027-04-30: at risk.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from icalendar import Calendar

from backplan_tui.core import export
from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Session

TODAY = date(2026, 11, 23)


def plan() -> Session:
    return Session(
        id="ms",
        title="Retention",
        created=datetime(2026, 10, 1, 9, tzinfo=UTC),
        updated=datetime(2026, 11, 20, 9, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-12-31, 90% of new hires stay a year.",
            target_date=date(2027, 12, 31),
            outcomes=[Outcome(id="o1", metric="Retention", unit="%", baseline=70, target=90)],
        ),
        map=[
            MapNode(id="m1", title="Managers hold stay interviews", duration_days=90),
            MapNode(
                id="m2",
                title="Pilot done",
                parent="m1",
                duration_days=30,
                pinned_due=date(2027, 4, 30),
                milestone=True,
                targets={"o1": 82.0},
            ),
        ],
        checkins=[CheckIn(date=date(2026, 11, 16), values={"o1": 72.0})],
    )


def test_json_has_the_flag_the_targets_the_date_and_the_verdict():
    data = json.loads(export.render("json", plan(), TODAY))
    assert data["map"][1]["milestone"] is True and data["map"][1]["targets"] == {"o1": 82}
    assert "milestone" not in data["map"][0]
    assert data["computed"]["milestones"] == [
        {"id": "m2", "date": "2027-04-30", "targets": {"o1": 82}, "next_for": {"o1": "at risk"}}
    ]


def test_csv_marks_the_milestone_row():
    rows = [row.split(",") for row in export.render("csv", plan(), TODAY).split("\r\n")[1:3]]
    assert rows[0][1] == "m1" and rows[0][9:11] == ["", ""]  # milestone, targets
    assert rows[1][1] == "m2" and rows[1][9:11] == ["yes", "o1=82"]


def test_ics_has_a_milestone_event_with_a_stable_uid():
    cal = Calendar.from_ical(export.render("ics", plan(), TODAY))
    [event] = [e for e in cal.walk("VEVENT") if str(e["UID"]) == "ms-m2@backplan"]
    assert str(event["SUMMARY"]) == "Milestone: Pilot done"
    assert event.decoded("DTSTART") == date(2027, 4, 30)
    assert event.decoded("DTEND") == date(2027, 5, 1)
    assert "Targets by then: Retention 82%" in str(event["DESCRIPTION"])
    assert "Milestone" in [str(c) for c in event["CATEGORIES"].cats]
    [other] = [e for e in cal.walk("VEVENT") if str(e["UID"]) == "ms-m1@backplan"]
    assert str(other["SUMMARY"]) == "Managers hold stay interviews"


def test_markdown_and_html_list_the_milestones():
    md = export.render("md", plan(), TODAY)
    assert (
        "### Milestones\n\n| Date | Milestone | Targets | Status |\n| --- | --- | --- | --- |\n"
        "| 2027-04-30 | Pilot done | Retention 82% | Retention: at risk |\n"
    ) in md
    html = export.render("html", plan(), TODAY)
    assert "<h3>Milestones</h3>" in html
    assert '<td class="date">2027-04-30</td>\n<td>Pilot done</td>' in html


def test_the_text_of_backplan_show_lists_them():
    text = export.render("txt", plan(), TODAY)
    assert "Milestones:\n- 2027-04-30 Pilot done: Retention 82% (Retention: at risk)\n" in text


def test_no_milestone_no_section():
    s = plan()
    s.map[1].milestone = False
    assert "Milestones" not in export.render("md", s, TODAY)
    assert "Milestones:" not in export.render("txt", s, TODAY)
    assert json.loads(export.render("json", s, TODAY))["computed"]["milestones"] == []
