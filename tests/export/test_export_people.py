"""The stakeholders and the communication plan in every export: Markdown (and so HTML), the
plain text of ``backplan show``, JSON (``computed``), CSV rows and ICS events with the
cadence's RRULE.  Expected dates are worked out by hand."""

from __future__ import annotations

import itertools
import json
from datetime import date

import vobject

from backplan_tui.core import export
from backplan_tui.core.export import csv as csv_export
from backplan_tui.core.export import ics
from backplan_tui.core.model import Communication, Session, Stakeholder

TODAY = date(2027, 2, 10)
HOSTILE = "| [b]x[/b] <script>alert(1)</script> =cmd"


def session() -> Session:
    return Session(
        id="s",
        title="Retention",
        stakeholders=[
            Stakeholder(
                id="k1",
                name="Ines",
                role="CFO",
                interest="medium",
                influence="high",
                stance="resistant",
                needs="Cost per hire",
            ),
            Stakeholder(id="k2", name=HOSTILE),
        ],
        communications=[
            Communication(
                id="c1",
                what="Figures",
                audience=["k1"],
                channel="Steering",
                cadence="monthly",
                next=date(2027, 1, 31),  # 10 days before TODAY: overdue
                owner="Dana",
            ),
            Communication(id="c2", what="Kick-off", audience=["k2"], cadence="once"),
        ],
    )


def test_markdown_and_html_list_both_tables_escaped() -> None:
    md = export.render("md", session(), TODAY)
    assert "## Stakeholders and communication" in md
    assert "| Ines | CFO | medium | high | resistant | keep satisfied | Cost per hire |" in md
    assert (
        "| Figures | Ines | Steering | monthly | 2027-01-31 (10 days ago), overdue | Dana |" in md
    )
    assert "| Kick-off |" in md and "not planned" in md
    assert "\\| \\[b\\]x\\[/b\\] \\<script>" in md  # each mark escaped
    html = export.render("html", session(), TODAY)
    assert "<h2>Stakeholders and communication</h2>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_text_of_backplan_show() -> None:
    text = export.render("txt", session(), TODAY)
    assert "- Ines (CFO): resistant, interest medium, influence high - keep satisfied." in text
    assert "- Figures to Ines (monthly, Steering): next 2027-01-31 (10 days ago), overdue;" in text


def test_no_section_without_stakeholders_or_a_plan() -> None:
    empty = Session(id="e", title="Empty")
    assert "Stakeholders" not in export.render("md", empty, TODAY)
    assert "Stakeholders" not in export.render("txt", empty, TODAY)
    assert "communications" not in json.loads(export.render("json", empty, TODAY))["computed"]


def test_json_computed() -> None:
    computed = json.loads(export.render("json", session(), TODAY))["computed"]
    assert computed["communications"] == [
        {"id": "c1", "next": "2027-01-31", "days_left": -10, "due": True, "overdue": True}
    ]
    assert computed["stakeholders"] == [
        {"id": "k1", "grid": "keep satisfied", "planned": ["c1"]},
        {"id": "k2", "grid": "monitor", "planned": []},
    ]


def test_csv_rows_with_formula_guard() -> None:
    rows = csv_export.rows(session(), TODAY)
    assert rows[1:] == [
        ["stakeholder", "k1", "", "Ines (CFO)", "", "", "", "resistant", "0"],
        ["stakeholder", "k2", "", HOSTILE, "", "", "", "neutral", "0"],
        ["communication", "c1", "", "Figures (to Ines)", "Dana", "", "2027-01-31", "monthly", "0"],
        ["communication", "c2", "", f"Kick-off (to {HOSTILE})", "", "", "", "once", "0"],
    ]
    hostile = session()
    hostile.communications[0].what = "=HYPERLINK()"
    assert csv_export.rows(hostile, TODAY)[3][3] == "'=HYPERLINK() (to Ines)"


def occurrences(text: str, uid: str, count: int) -> list[date]:
    cal = vobject.readOne(text)
    event = next(e for e in cal.vevent_list if e.uid.value == uid)
    rules = event.getrruleset()
    # the first ``count`` only: a rule without an end would be expanded to its last day
    return [d.date() for d in itertools.islice(rules, count)] if rules else [event.dtstart.value]


def test_ics_repeats_at_the_cadence_clamped_to_month_ends() -> None:
    text = export.render("ics", session(), TODAY)
    # Monthly from Jan 31, as stakeholders.next_after counts: each month's last day up to 31
    assert occurrences(text, "s-c1@backplan", 4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert "s-c2@backplan" not in text  # no next date: no event
    weekly = session()
    weekly.communications[0].cadence = "fortnightly"
    weekly.communications[0].next = date(2027, 2, 3)
    assert occurrences(export.render("ics", weekly, TODAY), "s-c1@backplan", 3) == [
        date(2027, 2, 3),
        date(2027, 2, 17),
        date(2027, 3, 3),
    ]
    quarterly = session()
    quarterly.communications[0].cadence = "quarterly"
    quarterly.communications[0].next = date(2026, 11, 30)
    # Nov 30 -> Feb 28 -> May 30 -> Aug 30 (each day 30 clamped to the month)
    assert occurrences(export.render("ics", quarterly, TODAY), "s-c1@backplan", 4) == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
    ]
    once = session()
    once.communications[0].cadence = "once"
    assert "RRULE" not in export.render("ics", once, TODAY)
    assert ics.recurrence("weekly", date(2027, 1, 31)) == {"freq": "WEEKLY"}
