"""One SVG snapshot per screen at 80x24 (and the busiest at 120x40).

Review a changed snapshot in the report (``snapshot_report.html``) before accepting it with
``pytest --snapshot-update``.  The data is fixed: the demo session for a fixed day, written to
disk with fixed timestamps, and autosave never fires during a snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backplan_tui.core import codec, templates
from backplan_tui.core.model import Session
from backplan_tui.tui.app import BackplanApp, create_app
from helpers import TODAY, settle, wait_until

STAMP = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def write_session(data_dir: Path, session: Session) -> None:
    folder = data_dir / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{session.id}.toml").write_text(codec.dumps(session), "utf-8")


@pytest.fixture
def demo_dir(data_dir: Path) -> Path:
    demo = templates.demo_session(TODAY)  # its created date is derived from TODAY
    demo.updated = STAMP
    write_session(data_dir, demo)
    for name, title, team in (
        ("ops-customer-service", "Customer service standards", "Support"),
        ("td-program", "Sales academy tied to win rate", "Enablement"),
    ):
        session = templates.instantiate(name, session_id=name, title=title, today=TODAY, team=team)
        session.created = session.updated = STAMP
        write_session(data_dir, session)
    return data_dir


def app_for(data_dir: Path, open_session: str | None = None) -> BackplanApp:
    # A long autosave delay: nothing writes to disk while the snapshot is taken.
    return create_app(data_dir, open_session=open_session, today=lambda: TODAY, autosave_delay=600)


async def opened(pilot: Pilot) -> None:
    """After ``open_session``: wait until the session's screen is up, mounted, and what
    opening it started is done (under load one pause may not see it yet)."""
    await wait_until(
        pilot,
        lambda: type(pilot.app.screen).__name__ != "HomeScreen" and pilot.app.screen.is_mounted,
        "the session's screen",
    )
    await settle(pilot)


def test_home_empty(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir))


def test_home_with_sessions(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir))


def test_home_filtered(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir), press=["slash", "s", "a", "l", "e", "s"])


def test_new_session_form(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir), press=["n"])


@pytest.mark.parametrize("step", ["future_state", "questions", "reverse_map", "pilots", "summary"])
def test_step_screens(snap_compare, demo_dir: Path, step: str) -> None:
    app = app_for(demo_dir)

    async def open_step(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step=step)  # type: ignore[attr-defined]
        await opened(pilot)

    assert snap_compare(app, run_before=open_step)


@pytest.mark.parametrize("step", ["future_state", "questions", "reverse_map", "pilots", "summary"])
def test_step_screens_at_60x20(snap_compare, demo_dir: Path, step: str) -> None:
    """A laptop's split screen: every step, the timer and the save state stay in the bar."""
    app = app_for(demo_dir)

    async def open_step(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step=step)  # type: ignore[attr-defined]
        await opened(pilot)

    assert snap_compare(app, run_before=open_step, terminal_size=(60, 20))


def test_reverse_map_large(snap_compare, demo_dir: Path) -> None:
    async def open_step(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="reverse_map")  # type: ignore[attr-defined]
        await opened(pilot)

    assert snap_compare(app_for(demo_dir), run_before=open_step, terminal_size=(120, 40))


def test_outcome_editor(snap_compare, demo_dir: Path) -> None:
    async def edit_outcome(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="future_state")  # type: ignore[attr-defined]
        await opened(pilot)
        pilot.app.screen.query_one("#outcomes").focus()
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(app_for(demo_dir), run_before=edit_outcome)


def test_pilot_editor(snap_compare, demo_dir: Path) -> None:
    async def edit_pilot(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="pilots")  # type: ignore[attr-defined]
        await opened(pilot)
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(app_for(demo_dir), run_before=edit_pilot)


def open_demo_then(*keys: str, step: str = "reverse_map"):  # noqa: ANN201
    async def run(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step=step)  # type: ignore[attr-defined]
        await opened(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_help_screen(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then("f1"))


def test_parking_lot(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then("ctrl+l"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_presenter_view(snap_compare, demo_dir: Path, size: tuple[int, int]) -> None:
    assert snap_compare(
        app_for(demo_dir), run_before=open_demo_then("f9", step="questions"), terminal_size=size
    )


def test_vote_screen(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then("v", "right"))


BUILTIN_THEMES = [
    "backplan-dark",
    "backplan-light",
    "backplan-high-contrast",
    "backplan-projector",
    "backplan-sunrise",
]


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_home_in_each_theme(snap_compare, demo_dir: Path, theme: str) -> None:
    app = create_app(demo_dir, today=lambda: TODAY, autosave_delay=600, theme=theme)
    assert snap_compare(app)


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_reverse_map_in_each_theme(snap_compare, demo_dir: Path, theme: str) -> None:
    app = create_app(demo_dir, today=lambda: TODAY, autosave_delay=600, theme=theme)
    assert snap_compare(app, run_before=open_demo_then("down", "down"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_timeline_view(snap_compare, demo_dir: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then("t"), terminal_size=size)


def test_health_panel(snap_compare, demo_dir: Path) -> None:
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then("ctrl+g"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_track_screen(snap_compare, demo_dir: Path, size: tuple[int, int]) -> None:
    async def open_track(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="track")  # type: ignore[attr-defined]
        await opened(pilot)

    assert snap_compare(app_for(demo_dir), run_before=open_track, terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_owners_screen(snap_compare, demo_dir: Path, size: tuple[int, int]) -> None:
    """The demo's owners from Track (o): the HR lead over their hours, then the names used
    on items only; the HR lead's items below."""

    async def open_owners(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="track")  # type: ignore[attr-defined]
        await opened(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(app_for(demo_dir), run_before=open_owners, terminal_size=size)


def test_stakeholders_screen(snap_compare, demo_dir: Path) -> None:
    """k on Track: the demo's stakeholders (a resistant finance director) and its plan."""

    async def open_stakeholders(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step="track")  # type: ignore[attr-defined]
        await opened(pilot)
        await pilot.press("k")
        await settle(pilot)

    assert snap_compare(app_for(demo_dir), run_before=open_stakeholders)
