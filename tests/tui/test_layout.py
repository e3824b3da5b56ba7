"""Every screen reads at 80x24 (and the step screens at 60x20): the column or value that
matters most on each screen shows whole, read from what the screen actually draws."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.text import Text

from backplan_tui.core import templates
from backplan_tui.core.model import AnyStep
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.widgets.fit import Flex, share_widths
from backplan_tui.tui.widgets.session_list import SessionList
from helpers import settle, wait_until

TODAY = date(2026, 11, 23)


def screen_lines(app: BackplanApp) -> list[str]:
    """The text of each terminal row, as drawn."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def shown(app: BackplanApp) -> str:
    return "\n".join(screen_lines(app))


def demo_app(data_dir: Path, step: AnyStep) -> BackplanApp:
    demo = templates.demo_session(TODAY)
    demo.current_step = step
    SessionStore(data_dir).create(demo)
    return create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)


# --- the width-sharing rule -----------------------------------------------------------------


def test_short_columns_keep_their_width_and_free_text_shares_the_rest() -> None:
    # Status 10, Question 70, Answer 200, Owner 17 in 62 cells: the status stays whole.
    flex = {1: Flex(3, 12), 2: Flex(2, 8), 3: Flex(1, 8)}
    widths = share_widths(62, [10, 70, 200, 17], flex)
    assert widths[0] == 10
    assert sum(widths) <= 62
    assert widths[1] > widths[2] > widths[3] >= 8
    # Room to spare: nothing is cut, a short column gives back what it does not need.
    assert share_widths(400, [10, 70, 200, 17], flex) == [10, 70, 200, 17]
    assert share_widths(60, [10, 5, 90, 4], {1: Flex(1, 4), 2: Flex(1, 8)}) == [10, 5, 41, 4]
    # Short of room even at the minimums: the squeezable columns narrow, in order.
    assert share_widths(30, [10, 40, 12], {1: Flex(1, 10)}, squeeze={2: 6, 0: 8}) == [10, 10, 10]
    assert share_widths(20, [10, 40, 12], {1: Flex(1, 10)}, squeeze={2: 6, 0: 8}) == [8, 10, 6]


# --- each screen at 80x24 -----------------------------------------------------------------------


async def test_future_state_shows_each_due_date_whole(data_dir: Path) -> None:
    app = demo_app(data_dir, "future_state")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
        for outcome in app.session.future_state.outcomes:
            assert outcome.due is not None
            assert outcome.due.isoformat() in text  # it showed only "2027" at 80
        assert "Direction" in text and "↑ increase" in text
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        text = shown(app)
        for outcome in app.session.future_state.outcomes:
            assert outcome.metric in text  # at 120 the metric is no longer cut at 28


async def test_questions_show_status_and_owner_whole(data_dir: Path) -> None:
    app = demo_app(data_dir, "questions")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)
        header = next(line for line in lines if "Status" in line and "Question" in line)
        assert header.split()[-1] == "Owner"  # not pushed off the screen
        assert sum("✓ answered" in line for line in lines) == 4
        assert any(line.rstrip().endswith("HR lead") for line in lines)


async def test_map_detail_gives_the_cut_row_facts_in_full(data_dir: Path) -> None:
    app = demo_app(data_dir, "reverse_map")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        text = shown(app)
        assert "owner People managers  90 days  ○ todo  5 votes" in text
        assert "latest start 2027-07-14  due 2027-10-12" in text


async def test_pilots_show_the_window_status_and_decision_rule(data_dir: Path) -> None:
    app = demo_app(data_dir, "pilots")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "running" in text and "planned" in text
        assert "rule: Scale to Sales if 90% of interviews are held" in text
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        text = shown(app)
        for item in app.session.pilots:  # no longer cut at 22 at 120
            assert item.name[:50] in text


async def test_track_shows_the_verdict_in_words(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.future_state.outcomes[0].unit = "people a quarter"  # wide Latest and Target cells
    SessionStore(data_dir).create(demo)
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_session("demo", step="track")
        await pilot.pause()
        lines = screen_lines(app)
        verdicts = [line for line in lines if line.rstrip().endswith(("behind", "ahead", "data"))]
        assert [line.rstrip().split("  ")[-1].strip() for line in verdicts[:4]] == [
            "▼ behind",
            "▲ ahead",
            "▲ ahead",
            "· no data",
        ]
        assert "fortnightly" in lines[1]  # the header line is not cut before the cadence


async def test_summary_outcomes_table_headers_are_whole(data_dir: Path) -> None:
    app = demo_app(data_dir, "summary")
    async with app.run_test(size=(80, 24)) as pilot:
        from backplan_tui.tui.widgets.summary_view import SummaryView

        def built() -> bool:  # the summary is built in a worker, started after the paint
            views = app.screen.query(SummaryView)
            return bool(views) and any(
                line.startswith("Metric") for line in views.first().text().splitlines()
            )

        await wait_until(pilot, built, "the summary built")
        view = app.screen.query_one(SummaryView)
        assert view.laid_out_width <= 80
        lines = view.text().splitlines()
        header = next(line for line in lines if line.startswith("Metric"))
        assert header.split() == ["Metric", "Unit", "Baseline", "Target", "Direction", "Due"]


# --- the step screens at 60x20 ------------------------------------------------------------------


@pytest.mark.parametrize("step", ["future_state", "questions", "reverse_map", "pilots", "summary"])
async def test_at_60_every_step_the_timer_and_the_save_state_show(
    data_dir: Path, step: AnyStep
) -> None:
    app = demo_app(data_dir, step)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        app.save_state = "unsaved"
        await pilot.pause()
        bar = screen_lines(app)[1]
        assert "● unsaved" in bar
        for mark in ("1", "2", "3", "4"):
            assert mark in bar
        assert "Σ" in bar or "Summary" in bar
        if step != "summary":
            assert "‖" in bar  # the step's timebox


# --- home ---------------------------------------------------------------------------------------


def seed_home(data_dir: Path, *titles: str) -> SessionStore:
    # saved a day ago: a save now is newer (saves in the same second would tie, by id)
    store = SessionStore(data_dir, clock=lambda: datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    for title in titles:
        store.create(
            templates.instantiate("blank", session_id=store.new_id(title), title=title, today=TODAY)
        )
    return store


def list_lines(app: BackplanApp) -> list[str]:
    table = app.screen.query_one(SessionList)
    return [table.render_line(y).text for y in range(table.row_count + 1)]


async def test_home_title_takes_the_room_no_session_needs_for_next_due(data_dir: Path) -> None:
    title = "Onboarding for the new regional support hubs"  # 44 characters
    seed_home(data_dir, title)
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = list_lines(app)
        assert "Next due" not in lines[0]  # nothing dated anywhere: no empty column
        assert title in lines[1]


async def test_home_tells_sessions_with_one_title_apart(data_dir: Path) -> None:
    store = seed_home(data_dir, "Retention plan for the customer support teams")
    first = store.list()[0].id
    store.duplicate(first, title="Retention plan for the customer support teams")
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = list_lines(app)
        marks = sorted(
            next(word for word in line.split() if word.startswith("#")) for line in lines[1:]
        )
        assert marks == ["#1", "#2"]
        glance = shown(app)
        selected = app.screen.query_one(SessionList).cursor_key
        assert f"id {selected}" in glance


async def test_home_highlights_the_session_just_left(data_dir: Path) -> None:
    seed_home(data_dir, "Alpha plan", "Beta plan", "Gamma plan")
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(SessionList)
        await pilot.press("end", "enter")
        await settle(pilot)
        opened = app.session.id
        await pilot.press("ctrl+n")  # a change of step: the session is saved, now the newest
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await wait_until(
            pilot, lambda: table.keys[:1] == [opened], "the session left on top", timeout=30
        )
        assert table.keys[0] == opened  # it moved to the top ...
        assert table.cursor_key == opened  # ... and the highlight went with it
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.id == opened


def test_fit_cells_cut_only_the_flex_columns() -> None:
    from backplan_tui.tui.widgets.fit import fit_cells

    rows = [[Text("2027-10-21"), Text("A metric with a rather long name indeed")]]
    fitted, widths = fit_cells(rows, ["Due", "Metric"], 30, {1: Flex(minimum=8)})
    assert widths == [10, 20]
    assert fitted[0][0].plain == "2027-10-21"
    assert fitted[0][1].plain.endswith("…") and fitted[0][1].cell_len == 20


@pytest.mark.parametrize("step", ["reverse_map", "pilots", "questions", "future_state"])
async def test_leaving_a_step_at_once_does_not_crash(data_dir: Path, step: str) -> None:
    """Esc before the tree's first build (or a table's first fit): a late cursor move or a
    detail drawn ahead must not read the closed session (it ended the app)."""
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_session("demo", step=step)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.document is None
        assert app.screen.__class__.__name__ == "HomeScreen"
