"""backplan report: prints or writes the progress report, and records when it was made (a
ReportMark, through the library) so the next one says what moved since."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from backplan_tui import cli
from backplan_tui.core import report, schedule, templates
from backplan_tui.core.storage import SessionStore


@pytest.fixture
def demo_store(data_dir: Path) -> SessionStore:
    store = SessionStore(data_dir)
    store.create(templates.demo_session(date.today()))
    return store


def test_report_prints_then_the_second_says_since_the_first(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    today = date.today()
    made = today - timedelta(days=12)  # the demo's last report
    assert demo_store.load("demo").reports[0].made == made
    assert cli.main(["report", "demo"]) == 0
    first = capsys.readouterr()
    assert first.err == ""
    assert first.out.startswith("# Progress report: Demo: Improve 12-month retention\n")
    assert f"- **What moved:** since the last report, {made.isoformat()}" in first.out
    # the demo's mark had the recognition channel a week earlier, and the guide not done
    recognition = today + timedelta(days=7)  # pinned 7 days after today
    assert (
        "- Peer-recognition channel and a monthly thank-you round in team meetings: due "
        f"{(recognition - timedelta(days=7)).isoformat()} → {recognition.isoformat()} "
        "(7 days later)"
    ) in first.out
    assert "### Done\n\n- Map item: Stay-interview guide drafted" in first.out
    session = demo_store.load("demo")
    assert len(session.reports) == 1
    mark = session.reports[0]
    assert mark.made == today
    assert mark.due == report.due_dates(session, schedule.compute(session, today))
    assert sorted(mark.done) == sorted(n.id for n in session.map if n.status == "done")
    revision = session.revision

    assert cli.main(["report", "demo"]) == 0
    second = capsys.readouterr().out
    assert f"- **What moved:** since the last report, {today.isoformat()}" in second
    assert f"Nothing moved since the last report, {today.isoformat()}" in second
    again = demo_store.load("demo")
    assert len(again.reports) == 1  # only the latest is kept
    assert again.revision == revision + 1

    # show and the Markdown export say when the last one was made, and by whom (--as)
    assert cli.main(["report", "demo", "--as", "Dana Lee", "--no-mark"]) == 0
    capsys.readouterr()
    assert cli.main(["show", "demo", "--width", "100"]) == 0
    assert f"Last progress report: {today.isoformat()} by " in capsys.readouterr().out
    assert cli.main(["report", "demo", "--as", "Dana Lee"]) == 0
    capsys.readouterr()
    assert cli.main(["export", "demo", "--format", "md"]) == 0
    assert f"Last progress report: {today.isoformat()} by Dana Lee." in capsys.readouterr().out


def test_report_o_writes_html_by_its_suffix_and_no_mark_records_nothing(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    before = demo_store.load("demo").reports
    assert cli.main(["report", "demo", "-o", str(target), "--no-mark"]) == 0
    assert capsys.readouterr().out == f"Wrote {target}\n"
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert demo_store.load("demo").reports == before  # a preview

    assert cli.main(["report", "demo", "-o", str(target)]) == 1  # exists: refused
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "use --force" in err
    assert demo_store.load("demo").reports == before

    md = tmp_path / "report.txt"
    assert cli.main(["report", "demo", "-o", str(md), "--format", "md"]) == 0
    assert md.read_text("utf-8").startswith("# Progress report:")
    assert [m.made for m in demo_store.load("demo").reports] == [date.today()]


def test_report_errors_are_one_line(
    demo_store: SessionStore, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = demo_store.load("demo").reports
    assert cli.main(["report", "nope"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "backplan: error: no session matches 'nope'\n"

    unwritable = tmp_path / "missing" / "r.md"
    assert cli.main(["report", "demo", "-o", str(unwritable)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("backplan: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert demo_store.load("demo").reports == before  # not written: no new mark

    assert cli.main(["report", "demo", "--format", "pdf"]) == 2
    assert capsys.readouterr().err.count("\n") == 1

    (data_dir / "sessions" / "demo.toml").write_text("[[[ damaged", "utf-8")
    assert cli.main(["report", "demo"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("backplan: error: ") and err.count("\n") == 1
