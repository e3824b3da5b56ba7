"""Dates out of range (issue 22.4): a session holds dates of the years 1900..2999 only.

A file with a date outside them is one damaged row -- listed with a reason naming the field,
never modified -- and the other sessions of the folder are still listed by `backplan list`,
`list --json` and the app's home (each of these once failed with OverflowError for the
whole folder).  Typing such a date is refused where it is typed; date arithmetic near the
bounds cannot overflow.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from backplan_tui.cli import main
from backplan_tui.core import coach, dates, glance, progress, schedule
from backplan_tui.core.basics import MAX_YEAR, MIN_YEAR
from backplan_tui.core.model import (
    CheckIn,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Session,
)
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.screens.track import TrackScreen
from backplan_tui.tui.widgets.session_list import SessionList
from helpers import TODAY, read_index, write_index

RANGE = "(a date must be between 1900-01-01 and 2999-12-31)"

# The three files of the adversarial run, each of which took the whole folder down.
CRASHERS = {
    "late-checkin": (
        b'id = "late-checkin"\ntitle = "Late"\n[[checkins]]\ndate = 9999-12-18\n',
        f"checkins[0].date: 9999-12-18 is out of range {RANGE}",
    ),
    "early-created": (
        b'id = "early-created"\ntitle = "Early"\ncreated = 0001-01-01T00:00:00+14:00\n',
        f"created: 0001-01-01T00:00:00+14:00 is out of range {RANGE}",
    ),
    "late-updated": (
        b'id = "late-updated"\ntitle = "Late"\nupdated = 9999-12-31T23:59:59-12:00\n',
        f"updated: 9999-12-31T23:59:59-12:00 is out of range {RANGE}",
    ),
}


def folder(data_dir: Path) -> dict[Path, bytes]:
    """A good session and the three crashers; their bytes, to check nothing is modified."""
    SessionStore(data_dir).create(Session(id="good-0001", title="Good plan"))
    sessions = data_dir / "sessions"
    files: dict[Path, bytes] = {}
    for name, (content, _) in CRASHERS.items():
        path = sessions / f"{name}.toml"
        path.write_bytes(content)
        files[path] = content
    return files


def assert_untouched(files: dict[Path, bytes]) -> None:
    for path, content in files.items():
        assert path.read_bytes() == content, path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_bounds_are_the_documented_years() -> None:
    assert (MIN_YEAR, MAX_YEAR) == (1900, 2999)
    assert dates.MIN_DATE == date(1900, 1, 1)
    assert dates.MAX_DATE == date(2999, 12, 31)
    assert dates.out_of_range(date(1900, 1, 1)) is None
    assert dates.out_of_range(date(2999, 12, 31)) is None
    assert dates.out_of_range(date(3000, 1, 1)) == f"3000-01-01 is out of range {RANGE}"
    assert dates.out_of_range(date(1899, 12, 31)) == f"1899-12-31 is out of range {RANGE}"


def test_backplan_list_shows_each_crasher_as_damaged_and_the_rest(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = folder(data_dir)
    code, out, err = run(capsys, "list")
    assert code == 0, err
    assert "Traceback" not in err
    lines = out.splitlines()
    assert any(line.startswith("good-0001") and "Good plan" in line for line in lines)
    for name, (_, reason) in CRASHERS.items():
        [line] = [line for line in lines if line.startswith(name)]
        assert f"DAMAGED: {reason}" in line
    assert_untouched(files)


def test_backplan_list_json_shows_each_crasher_as_damaged_and_the_rest(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = folder(data_dir)
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["good-0001"]["damaged"] is None
    assert rows["good-0001"]["title"] == "Good plan"
    for name, (_, reason) in CRASHERS.items():
        assert rows[name]["damaged"] == reason
        assert rows[name]["health"] is None
    assert_untouched(files)


async def test_home_lists_each_crasher_as_damaged_and_the_rest(data_dir: Path) -> None:
    files = folder(data_dir)
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(SessionList)
        rows = [" ".join(str(cell) for cell in table.cells(i)) for i in range(table.row_count)]
        assert len(rows) == 4, rows
        assert any("Good plan" in row for row in rows)
        damaged = [row for row in rows if "DAMAGED" in row]
        assert len(damaged) == 3
        for _, reason in CRASHERS.values():
            field = reason.split(":")[0]
            assert any(field in row for row in damaged), (field, damaged)
    assert_untouched(files)


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_new_with_a_target_date_out_of_range_is_one_usage_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    code, out, err = run(capsys, "new", "--title", "Far", "--target-date", day)
    assert code == 2
    assert out == ""
    assert err == f"backplan: error: argument --target-date: {day} is out of range {RANGE}\n"
    assert not (data_dir / "sessions").exists() or not list((data_dir / "sessions").iterdir())


def test_new_with_a_target_date_at_the_bounds_works(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in ("1900-01-01", "2999-12-31"):
        code, out, err = run(capsys, "new", "--title", f"At {day}", "--target-date", day)
        assert code == 0, err
        session = SessionStore(data_dir).load(out.strip())
        assert session.future_state.target_date == date.fromisoformat(day)


def test_add_days_and_add_months_clamp_instead_of_overflowing() -> None:
    assert dates.add_days(date(9999, 12, 31), 1) == date.max
    assert dates.add_days(date(1, 1, 1), -1) == date.min
    assert dates.add_days(date(2026, 1, 1), 2**63) == date.max
    assert dates.add_days(date(2026, 1, 1), -(2**63)) == date.min
    assert dates.add_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert dates.add_months(date(9999, 12, 15), 1) == date.max
    assert dates.add_months(date(1, 1, 15), -1) == date.min
    assert dates.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


@pytest.mark.parametrize("cadence", ["weekly", "fortnightly", "monthly"])
@pytest.mark.parametrize("working_days", [False, True])
@pytest.mark.parametrize("edge", [date(1900, 1, 1), date(2999, 12, 31)])
def test_dates_at_the_bounds_never_overflow(
    edge: date, working_days: bool, cadence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    at = datetime(edge.year, edge.month, edge.day, 12, tzinfo=UTC)
    session = Session(
        id="edge",
        title="At the edge",
        created=at,
        updated=at,
        future_state=FutureState(
            statement="x",
            target_date=edge,
            working_days=working_days,
            outcomes=[Outcome(id="o1", metric="m", baseline=1, target=2, due=edge)],
        ),
        map=[
            MapNode(id="m1", title="huge", duration_days=2**63 - 1),
            MapNode(id="m2", title="below", parent="m1", duration_days=5),
            MapNode(id="m3", title="pinned", duration_days=3, pinned_due=edge),
        ],
        pilots=[Pilot(id="p1", name="p", start=edge, end=edge, tests=["m2"])],
        checkins=[CheckIn(date=edge, values={"o1": 1.5})],
    )
    progress.set_review_cadence(session, cadence)
    for today in (date(1900, 1, 1), date(2999, 12, 31), TODAY):
        plan = schedule.compute(session, today)
        assert plan.ready
        assert plan.nodes["m1"].start == date.min  # clamped, not an OverflowError
        due = progress.next_checkin_due(session, today)
        assert due.due > edge
        assert glance.summarize(session, today).due
        coach.review(session, today, schedule=plan)


def test_the_next_checkin_after_the_last_day_is_clamped() -> None:
    """A check-in on 9999-12-31 (built in code; no file can hold it) still has a due day."""
    session = Session(id="x", title="x", checkins=[CheckIn(date=date(9999, 12, 31))])
    for cadence in ("weekly", "monthly"):
        progress.set_review_cadence(session, cadence)
        assert progress.next_checkin_due(session, TODAY).due == date.max


# --- typing a date in the app ----------------------------------------------------------------


def kpi_session() -> Session:
    return Session(
        id="kpi",
        title="Cut first-response time",
        created=datetime(2026, 8, 31, 9, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-05-31, first response within 4 hours",
            target_date=date(2027, 5, 31),
            outcomes=[
                Outcome(
                    id="o1",
                    metric="Median first response",
                    unit="h",
                    baseline=20.0,
                    target=4.0,
                    direction="decrease",
                    due=date(2027, 5, 31),
                )
            ],
        ),
    )


async def test_the_checkin_form_refuses_a_date_out_of_range_at_the_field(data_dir: Path) -> None:
    SessionStore(data_dir).create(kpi_session())
    app = create_app(data_dir, open_session="kpi", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-date", Input).value = "9999-12-31"
        form.query_one("#field-value_o1", Input).value = "18"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # still open: nothing typed is lost
        error = str(form.query_one("#form-error", Static).render())
        assert error == "Date: a date must be between 1900-01-01 and 2999-12-31"
        assert app.focused is form.query_one("#field-date", Input)
        assert form.query_one("#field-value_o1", Input).value == "18"
        form.query_one("#field-date", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    saved = SessionStore(data_dir).load("kpi")
    assert [(c.date, c.values) for c in saved.checkins] == [(date(2026, 11, 20), {"o1": 18.0})]


async def test_the_goal_target_date_refuses_a_date_out_of_range(data_dir: Path) -> None:
    SessionStore(data_dir).create(kpi_session())
    app = create_app(data_dir, open_session="kpi", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FutureStateScreen)
        field = app.screen.query_one("#target-date", Input)
        field.focus()
        await pilot.pause()
        field.select_all()  # typing replaces the date
        await pilot.press(*"0001-01-01")
        await pilot.pause()
        assert field.has_class("-invalid")
        assert app.session.future_state.target_date == date(2027, 5, 31)  # the last good one
        field.select_all()
        await pilot.press(*"2999-12-31")
        await pilot.pause()
        assert not field.has_class("-invalid")
        assert app.session.future_state.target_date == date(2999, 12, 31)


def test_a_forged_index_date_out_of_range_does_not_take_down_list(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """index.json lives in the user's (maybe shared) folder: its "updated" text of a record
    whose size, mtime and inode match is shown as it is, never an OverflowError."""
    SessionStore(data_dir).create(Session(id="good-0001", title="Good plan"))
    assert run(capsys, "list")[0] == 0  # writes the index
    index_path = data_dir / "index.jsonl"
    index = read_index(index_path)
    [record] = index["files"].values()
    record[6] = "0001-01-01T00:00:00+14:00"  # the "updated" of the record
    write_index(index_path, index)
    code, out, err = run(capsys, "list")
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith("good-0001")]
    assert line.endswith("0001-01-01 00:00+14:00")
