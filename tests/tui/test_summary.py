"""The Summary screen (Ctrl+R): what it says, how it reads at 80x24, and that it never blocks.

The summary is laid out as lines by a line view (no Markdown widget): a big plan is built in
a worker while the screen stays responsive.  These tests drive the app with Pilot keys over
real session files in a temporary data folder.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from backplan_tui.core import summary_doc, templates
from backplan_tui.core.export import markdown as markdown_export
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Conflict,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens import summary as summary_screen
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.screens.summary import SummaryScreen
from backplan_tui.tui.summary_layout import lay_out
from backplan_tui.tui.widgets.summary_view import BUILDING, SummaryView
from helpers import TODAY

HOSTILE = "[b]x [@click=app.quit]q[/]"


def hostile_session() -> Session:
    return Session(
        id="hostile",
        title=HOSTILE,
        team=HOSTILE,
        current_step="pilots",
        future_state=FutureState(
            statement=f"{HOSTILE}\nsecond line",
            target_date=date(2027, 12, 31),
            outcomes=[Outcome(id="o1", metric=HOSTILE, unit="[%]", baseline=1.0, target=2.0)],
        ),
        questions=[Question(id="q1", prompt=HOSTILE, answer=HOSTILE, owner=HOSTILE)],
        map=[
            MapNode(id="m1", title=HOSTILE, owner=HOSTILE, duration_days=5, notes=HOSTILE),
            MapNode(id="m2", title=f"{HOSTILE} child", parent="m1"),
        ],
        pilots=[Pilot(id="p1", name=HOSTILE, hypothesis=HOSTILE, tests=["m1"], owner=HOSTILE)],
        checkins=[CheckIn(date=TODAY, values={"o1": 1.5}, note=HOSTILE)],
        adjustments=[Adjustment(date=TODAY, what=HOSTILE, why=HOSTILE)],
    )


def conflicted_session() -> Session:
    """Hostile text where a merge left both sides' values (team mode)."""
    session = hostile_session()
    session.conflicts = [
        Conflict(field="prompt", where="questions", item="q1", by=HOSTILE, theirs=HOSTILE),
        Conflict(field="team", by="Ben", theirs=f"{HOSTILE}\nnext line"),
        Conflict(field="title", where="map", item="gone", by="Ben"),
    ]
    return session


def big_session(nodes: int, pilots: int) -> Session:
    """A plan of ``nodes`` map items (each parent has up to four children) and ``pilots``."""
    session = templates.instantiate(
        "hr-retention", session_id="big", title="Big plan", today=TODAY, team="People Ops"
    )
    session.map = [
        MapNode(
            id=f"n{i}",
            title=f"Condition number {i}",
            parent=f"n{(i - 1) // 4}" if i else "",
            owner="Dana",
            duration_days=3,
        )
        for i in range(nodes)
    ]
    session.pilots = [
        Pilot(
            id=f"p{i}",
            name=f"Pilot number {i}",
            hypothesis="If we do X with one team, the metric moves by 5 points.",
            tests=[f"n{i % nodes}"],
            start=TODAY + timedelta(days=i % 30),
            end=TODAY + timedelta(days=40),
        )
        for i in range(pilots)
    ]
    session.current_step = "pilots"
    return session


def view_of(app: Any) -> SummaryView:
    return app.screen.query_one(SummaryView)


def painted(view: SummaryView) -> list[str]:
    """The rows the view paints now, as text (what a person sees)."""
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


# --- what it says ---------------------------------------------------------------------------


def markdown_words(source: str) -> list[str]:
    """The words a Markdown renderer shows for ``source`` (its text, without the syntax)."""
    words: list[str] = []
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.extend(child.content.split())
    return words


def summary_words(blocks: list[summary_doc.Block]) -> list[str]:
    words: list[str] = []
    for block in blocks:
        if isinstance(block, summary_doc.Heading):
            words.extend(block.text.split())
        elif isinstance(block, summary_doc.Para):
            words.extend("".join(text for text, _ in block.spans).split())
        elif isinstance(block, summary_doc.Table):
            for row in [block.header, *block.rows]:
                for value in row:
                    words.extend(value.split())
    return words


@pytest.mark.parametrize(
    "session",
    [
        templates.demo_session(TODAY),
        hostile_session(),
        big_session(40, 5),
        Session(id="empty", title=""),
        conflicted_session(),
    ],
    ids=["demo", "hostile", "big", "empty", "conflicts"],
)
def test_the_summary_says_what_the_markdown_export_says(session: Session) -> None:
    """Word for word, in the same order: goal, outcomes table, questions, the map with its
    computed dates, start now, critical path, pilots, plan health, check-ins, adjustments,
    parking lot."""
    expected = markdown_words(markdown_export.render(session, TODAY))
    assert len(expected) > 20
    assert summary_words(summary_doc.build(session, TODAY)) == expected


def test_every_line_fits_and_tables_keep_whole_headers() -> None:
    blocks = summary_doc.build(hostile_session(), TODAY) + summary_doc.build(
        templates.demo_session(TODAY), TODAY
    )
    for width in (20, 33, 57, 78, 118):
        lines = lay_out(blocks, width)
        assert all(line.text().cell_len <= width for line in lines), width
    demo = lay_out(summary_doc.build(templates.demo_session(TODAY), TODAY), 76)
    headers = [line.plain.split() for line in demo if line.kind == "th"]
    assert ["Metric", "Unit", "Baseline", "Target", "Direction", "Due"] in headers
    assert ["Date", "Confidence", "Values", "Note"] in headers
    # the due dates are whole (a column keeps its longest word, a date)
    rows = [line.plain for line in demo if line.kind == "body"]
    assert any(r.startswith("12-month new-hire retention") and "2027-10-12" in r for r in rows)


def test_a_table_too_wide_becomes_one_bullet_per_row() -> None:
    table = summary_doc.Table(("Date", "Confidence", "Values", "Note"), (False,) * 4)
    table.rows.append(("2026-11-23", "on track", "Retention: 80%", "Fine"))
    lines = [line.plain.rstrip() for line in lay_out([table], 24)]
    assert lines == [
        "• Date: 2026-11-23",
        "  Confidence: on track",
        "  Values: Retention: 80%",  # 24 cells: just fits
        "  Note: Fine",
    ]


# --- on screen ------------------------------------------------------------------------------


async def test_hostile_text_shows_literally_in_the_summary(data_dir: Path) -> None:
    SessionStore(data_dir).create(hostile_session())
    app = create_app(data_dir, open_session="hostile", today=lambda: TODAY, autosave_delay=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        view = view_of(app)
        rows = painted(view)
        assert rows[0].rstrip() == HOSTILE  # the title, as typed: no bold, no link, no crash
        assert rows[1].rstrip() == "═" * len(HOSTILE)
        assert f"• Team: {HOSTILE}" in [row.rstrip() for row in rows]
        flat = " ".join(view.text().split())
        assert flat.count(HOSTILE) >= 12  # every field that carries it
        await pilot.press("end")  # scrolling paints the rest without a markup error
        await pilot.pause()
        assert any("Exported by backplan on 2026-11-23." in row for row in painted(view))
        assert app.is_running and app.return_code is None


async def test_the_summary_reads_at_80x24(demo_at) -> None:
    app = demo_at("summary", autosave_delay=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = view_of(app)
        assert app.focused is view
        assert not view.building
        assert painted(view)[0].startswith("Demo: Improve 12-month retention")
        width = view.scrollable_content_region.width
        assert view.laid_out_width == width
        assert all(len(line) <= width for line in view.text().splitlines())
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_offset.y > 0


async def test_a_big_summary_builds_in_a_worker_and_is_painted(data_dir: Path) -> None:
    SessionStore(data_dir).create(big_session(300, 100))
    app = create_app(data_dir, open_session="big", today=lambda: TODAY, autosave_delay=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = view_of(app)
        assert not view.building
        text = view.text()
        assert "• Condition number 299 (owner: Dana; 3 days; start" in text
        assert "Pilot number 99" in text
        await pilot.press("end")
        await pilot.pause()
        assert any("Exported by backplan on 2026-11-23." in row for row in painted(view))
        # A new width lays the lines out again (in the worker: the plan is big).
        await pilot.resize_terminal(100, 30)
        await app.workers.wait_for_complete()
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert view.laid_out_width == width > 80
        assert max(len(line) for line in view.text().splitlines()) > 80


class HeldBuild:
    """``summary_doc.build`` held at its start until the test lets it go (a real build of
    these plans takes a fraction of a second here): "while it builds" is certain, not a
    race.  Records whether the build was stopped (its worker cancelled)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()
        self.stopped: list[bool] = []

    def __call__(self, session: Session, today: date, stop: Any, **given: Any) -> Any:
        self.started.set()
        self.release.wait(timeout=30)
        try:
            return summary_doc.build(session, today, stop, **given)
        except summary_doc.Stopped:
            self.stopped.append(True)
            raise
        finally:
            self.finished.set()


async def open_summary_while_held(app: Any, pilot: Any, held: HeldBuild) -> SummaryView:
    await pilot.pause()
    await pilot.press("ctrl+r")
    assert isinstance(app.screen, SummaryScreen)
    assert await asyncio.to_thread(held.started.wait, 30)
    await pilot.pause()
    view = view_of(app)
    assert view.building
    assert painted(view)[0].rstrip() == BUILDING
    return view


async def test_escape_is_answered_while_the_summary_builds(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc goes home while the build of a big plan is still under way, and the build stops."""
    held = HeldBuild()
    monkeypatch.setattr(summary_screen, "build", held)
    SessionStore(data_dir).create(big_session(300, 100))
    app = create_app(data_dir, open_session="big", today=lambda: TODAY, autosave_delay=60)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_summary_while_held(app, pilot, held)
            await pilot.press("down", "pagedown")  # scroll keys are taken, nothing breaks
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)
            assert not held.release.is_set()  # the build had not finished: not even begun
            held.release.set()
            await asyncio.to_thread(held.finished.wait, 30)  # the worker's thread, not its task
            assert held.stopped == [True]  # leaving the screen cancelled the build
            assert app.is_running
    finally:
        held.release.set()


async def test_ctrl_q_quits_while_the_summary_builds(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+Q saves and quits while the build is under way; the build stops with the app."""
    held = HeldBuild()
    monkeypatch.setattr(summary_screen, "build", held)
    SessionStore(data_dir).create(big_session(300, 100))
    app = create_app(data_dir, open_session="big", today=lambda: TODAY, autosave_delay=60)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_summary_while_held(app, pilot, held)
            await pilot.press("ctrl+q")
            assert not held.release.is_set()
        assert not app.is_running  # the app ended with the build still held
        held.release.set()
        await asyncio.to_thread(held.finished.wait, 30)
        assert held.stopped == [True]
        assert SessionStore(data_dir).load("big").current_step == "summary"  # saved on quit
    finally:
        held.release.set()


def test_the_build_stops_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    session = big_session(1000, 300)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(summary_doc.Stopped):
        summary_doc.build(session, TODAY, stop)
    assert len(calls) == 3
    blocks = summary_doc.build(session, TODAY)
    with pytest.raises(summary_doc.Stopped):
        lay_out(blocks, 80, lambda: True)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("aa bb cc", 5, ["aa bb", "cc"]),
        ("aa bb cc", 8, ["aa bb cc"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # a word longer than a line is broken
        ("ab abcdefghij", 4, ["ab", "abcd", "efgh", "ij"]),
        ("x\n\ny", 10, ["x", "", "y"]),  # line breaks are kept, an empty line too
        ("日本語 日本", 6, ["日本語", "日本"]),  # wide characters take two cells
        ("日本語日本", 4, ["日本", "語日", "本"]),
        ("é é é", 3, ["é é", "é"]),
        ("", 5, [""]),
    ],
)
def test_lines_break_at_spaces_by_cells(text: str, width: int, lines: list[str]) -> None:
    from backplan_tui.tui.summary_layout import breaks

    assert [text[start:end] for start, end in breaks(text, width)] == lines


def test_the_apps_schedule_and_findings_give_the_same_summary() -> None:
    """The screen passes the schedule and findings the app keeps per edit (not computed a
    second time): the summary is the same as when build computes them itself."""
    from backplan_tui.core import coach, schedule

    session = templates.demo_session(TODAY)
    plan = schedule.compute(session, TODAY)
    findings = coach.review(session, TODAY, schedule=plan)
    assert findings  # the demo has findings: the plan health section is not empty
    given = summary_doc.build(session, TODAY, plan=plan, findings=findings)
    assert given == summary_doc.build(session, TODAY)
