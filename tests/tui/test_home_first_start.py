"""A first start with no index: home is usable at once and the list grows as files are read."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.core.storage.index import Index
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.widgets.session_list import SessionList

TODAY = date(2026, 11, 23)
SESSIONS = 8
READ_BEFORE_GATE = 3  # the fake parse lets this many files through, then waits


def make_app(data_dir: Path) -> BackplanApp:
    return create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)


def rows(app: BackplanApp) -> list[str]:
    table = app.screen.query_one(SessionList)
    return [str(table.cells(i)[0]) for i in range(table.row_count)]


async def wait_until(pilot: Any, condition: Any) -> None:
    for _ in range(500):  # each pause waits for the app to process its messages
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")


async def test_home_is_usable_while_a_worker_reads_the_files(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(data_dir)
    for n in range(SESSIONS):
        title = f"Plan {n}"
        store.create(
            templates.instantiate("blank", session_id=store.new_id(title), title=title, today=TODAY)
        )
    (data_dir / "index.jsonl").unlink(missing_ok=True)  # a first start: every file to parse
    expected = [e.title for e in SessionStore(data_dir).list(today=TODAY)]
    (data_dir / "index.jsonl").unlink()
    newest_first = sorted(
        store.sessions_dir.glob("*.toml"), key=lambda f: f.stat().st_mtime_ns, reverse=True
    )

    gate = threading.Event()
    parsed: list[str] = []
    original = Index.record

    def slow_parse(path: Path, info: os.stat_result, today: date, summarize: Any) -> Any:
        parsed.append(path.name)
        if len(parsed) > READ_BEFORE_GATE:
            gate.wait(timeout=60)
        return original(path, info, today, summarize)

    monkeypatch.setattr(Index, "record", staticmethod(slow_parse))
    monkeypatch.setattr(HomeScreen, "READ_AT_ONCE", 2)  # 8 files: read in the worker
    monkeypatch.setattr(HomeScreen, "BATCH_SECONDS", 0)  # one file a batch

    app = make_app(data_dir)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            await wait_until(pilot, lambda: len(rows(app)) == READ_BEFORE_GATE)
            progress = home.query_one("#progress")
            assert str(progress.render()) == f"Reading sessions… {READ_BEFORE_GATE} of {SESSIONS}"
            # newest files first, and the rows so far in the list's order
            assert parsed[:READ_BEFORE_GATE] == [f.name for f in newest_first[:READ_BEFORE_GATE]]
            assert rows(app) == [t for t in expected if t in rows(app)]
            assert not gate.is_set()

            # usable meanwhile: the cursor moves, the filter opens and filters
            table = home.query_one(SessionList)
            await pilot.press("home")
            await pilot.press("down")
            assert table.cursor_row == 1
            await pilot.press("slash", "P", "l", "a", "n", " ", "0")
            await pilot.pause()
            assert home.filter_text() == "Plan 0"
            await pilot.press("escape")
            assert home.filter_text() == ""
            assert len(parsed) == READ_BEFORE_GATE + 1  # still waiting on the fourth file

            gate.set()
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: not home.query("#progress"))
            assert rows(app) == expected  # complete, newest first
            assert (data_dir / "index.jsonl").exists()  # the next start is a warm one
    finally:
        gate.set()


async def test_a_few_new_files_are_read_before_home_shows(data_dir: Path) -> None:
    store = SessionStore(data_dir)
    for n in range(3):
        title = f"Plan {n}"
        store.create(
            templates.instantiate("blank", session_id=store.new_id(title), title=title, today=TODAY)
        )
    (data_dir / "index.jsonl").unlink(missing_ok=True)
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)):
        assert sorted(rows(app)) == ["Plan 0", "Plan 1", "Plan 2"]
        assert not app.screen.query("#progress")


async def test_a_big_folder_shows_the_index_first_then_corrects_it_from_the_files(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over CHECK_LATER_OVER sessions home shows the index's list before it stats the files;
    # a worker then compares each record with its file: a changed, a gone and a new file
    # all show as they are on disk once it is done.
    store = SessionStore(data_dir)
    made = []
    for n in range(5):
        title = f"Plan {n}"
        made.append(
            store.create(
                templates.instantiate(
                    "blank", session_id=store.new_id(title), title=title, today=TODAY
                )
            )
        )
    store.list(today=TODAY)  # the index is current
    changed, gone = made[1], made[2]
    path = store.path_for(changed.id)
    path.write_text(path.read_text("utf-8").replace('"Plan 1"', '"Plan 1, edited outside"'))
    store.path_for(gone.id).unlink()
    new = templates.instantiate("blank", session_id="new-one", title="Plan new", today=TODAY)
    (store.sessions_dir / "new-one.toml").write_text(_dumps(new), "utf-8")
    monkeypatch.setattr(HomeScreen, "CHECK_LATER_OVER", 3)
    checked = threading.Event()
    original = Index.listing

    def listing(self: Index, *args: Any, **kwargs: Any) -> Any:
        made = original(self, *args, **kwargs)
        if made.unchecked:  # what home shows first: the index's five, as recorded
            rows = made.sorted_rows()
            assert rows.made == 0  # index lines: each made into an entry when first drawn
            titles = sorted(title for _, title, _ in rows.titles())
            assert titles == [f"Plan {n}" for n in range(5)]
            checked.set()
        return made

    monkeypatch.setattr(Index, "listing", listing)
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        # the reading is done when the new file is listed and the progress line is gone
        # (the worker's last message: the list grows before it comes)
        await wait_until(
            pilot, lambda: "Plan new" in rows(app) and not app.screen.query("#progress")
        )
        assert checked.is_set()
        assert sorted(rows(app)) == [
            "Plan 0",
            "Plan 1, edited outside",
            "Plan 3",
            "Plan 4",
            "Plan new",
        ]
        assert sorted(rows(app)) == sorted(
            e.title for e in SessionStore(data_dir).list(today=TODAY)
        )
    # the index written by the check is current: a plain listing parses nothing
    listing_now = SessionStore(data_dir).listing(today=TODAY)
    assert listing_now.pending == [] and len(listing_now.entries) == 5


async def test_a_big_folder_numbers_shared_titles_and_filters_once_checked(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over CHECK_LATER_OVER sessions the rows are the index's lines until drawn: the shared
    # titles' numbers come from the worker that checks them (no entry is made for them), and
    # the filter reads every title.  The two "Same" are the oldest: the last rows, off screen.
    store = SessionStore(data_dir)
    titles = ["Same", "SAME"] + [f"Plan {n}" for n in range(10)]
    for title in titles:
        session_id = store.new_id(title)
        store.create(
            templates.instantiate("blank", session_id=session_id, title=title, today=TODAY)
        )
    store.list(today=TODAY)  # the index is current
    monkeypatch.setattr(HomeScreen, "CHECK_LATER_OVER", 3)
    app = make_app(data_dir)
    async with app.run_test(size=(100, 14)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        await wait_until(pilot, lambda: home.entries.ids)
        assert home.entries.made < len(titles)  # the rows not drawn are still lines
        table = home.query_one(SessionList)
        await pilot.press("end")  # the two oldest: drawn now

        def last() -> list[str]:
            return [str(table.cells(i)[0]) for i in range(table.row_count - 2, table.row_count)]

        # their numbers come with the worker's last message (the check, then the titles)
        await wait_until(pilot, lambda: sorted(row[-3:] for row in last()) == [" #1", " #2"])
        last_rows = last()
        assert sorted(row[:-3] for row in last_rows) == ["SAME", "Same"]
        await pilot.press("slash", *"same")
        await wait_until(pilot, lambda: len(rows(app)) == 2)
        assert sorted(rows(app)) == sorted(last_rows)


def _dumps(session: Any) -> str:
    from backplan_tui.core.codec import dumps

    return dumps(session)
