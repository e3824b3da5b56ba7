"""The report rule (core/coach/rules_report.py): a tip once check-ins run and leaders have
had no progress report for more than two review cadences."""

from __future__ import annotations

from datetime import date

from backplan_tui.core.coach import review
from backplan_tui.core.model import CheckIn, ReportMark, Session
from unit.test_coach import good


def findings(session: Session, today: date) -> list[str]:
    return [f.message for f in review(session, today) if f.check == "report_due"]


def with_checkins() -> Session:
    session = good()  # fortnightly
    session.checkins = [
        CheckIn(date=date(2026, 12, 1), values={"o1": 79}),
        CheckIn(date=date(2026, 12, 15), values={"o1": 80}),
    ]
    return session


def test_no_checkin_no_tip() -> None:
    assert findings(good(), date(2027, 3, 1)) == []


def test_two_cadences_after_the_first_checkin() -> None:
    session = with_checkins()
    # first check-in 2026-12-01; fortnightly twice: 12-15, then 12-29
    assert findings(session, date(2026, 12, 29)) == []
    [message] = findings(session, date(2026, 12, 30))
    assert message == (
        "No progress report since the first check-in (2026-12-01). The plan is reviewed "
        "fortnightly; leaders have not heard since."
    )
    [finding] = [f for f in review(session, date(2026, 12, 30)) if f.check == "report_due"]
    assert finding.severity == "tip" and finding.step == "track"


def test_counted_from_the_last_report() -> None:
    session = with_checkins()
    session.reports = [ReportMark(made=date(2027, 1, 10))]
    session.review_cadence = "monthly"
    # monthly twice from 2027-01-10: 02-10, then 03-10
    assert findings(session, date(2027, 3, 10)) == []
    [message] = findings(session, date(2027, 3, 11))
    assert message.startswith("The last progress report was made 2027-01-10. The plan is")
