"""Participant mode (``backplan serve``'s app, issue 18): bound to one session, asks the name
once, adds and votes as that person; every facilitator's or host's key is refused with a
reason, and nothing is written outside the session."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from textual.content import Content

from backplan_tui.core import templates
from backplan_tui.core.model import AnyStep
from backplan_tui.core.presence import members
from backplan_tui.core.storage import SessionStore, slugify
from backplan_tui.tui.app import BackplanApp
from backplan_tui.tui.participant import (
    NOT_IN_BROWSER,
    REFUSED,
    JoinScreen,
    ParticipantApp,
    create_participant_app,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="session locks need fcntl")

TODAY = date(2026, 11, 23)


def make_session(data_dir: Path, step: AnyStep = "questions") -> str:
    demo = templates.demo_session(TODAY)
    demo.current_step = step
    SessionStore(data_dir).create(demo)
    return demo.id


def participant(data_dir: Path, session_id: str, person: str = "") -> ParticipantApp:
    app = create_participant_app(
        data_dir,
        today=lambda: TODAY,
        autosave_delay=0.05,
        person=person,
        only_session=session_id,
    )
    assert isinstance(app, ParticipantApp)
    return app


def toasts(app: ParticipantApp, title: str = "Participant") -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def until(pilot, check, rounds: int = 200) -> None:
    """Let the app work (``pilot.pause()``, no fixed sleep) until ``check()``; bounded."""
    for _ in range(rounds):
        if check():
            return
        await pilot.pause()
    assert check()


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def test_asks_the_name_once_then_shows_the_step_and_adds_a_question(
    data_dir: Path,
) -> None:
    session_id = make_session(data_dir)
    app = participant(data_dir, session_id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "FormScreen")  # "Your name"
        assert app.document is None  # nothing opened (nor locked) before the name
        await type_text(pilot, "Ana")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen")
        assert app.person == "Ana"
        assert "Ana" in app.session.participants  # so that Ana can vote
        # here for the facilitator's console: a participant's presence record
        here = members(data_dir / "presence" / session_id)
        assert [(m.name, m.role) for m in here] == [("Ana", "participant")]

        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Who pays?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.save_now()
    saved = SessionStore(data_dir).load(session_id)
    assert "Who pays?" in [q.prompt for q in saved.questions]
    assert "Ana" in saved.participants
    assert members(data_dir / "presence" / session_id) == []  # left with the app


async def test_facilitator_and_host_keys_are_refused_each_saying_why(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where an export to a path would land
    session_id = make_session(data_dir, step="summary")
    app = participant(data_dir, session_id, person="Ben")
    config = app.settings_file
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.__class__.__name__ == "SummaryScreen"
        for key, reason in [
            ("escape", REFUSED["home"]),
            ("f2", REFUSED["details"]),
            ("f3", REFUSED["timer"]),
            ("x", NOT_IN_BROWSER),  # export: a download in a browser, never a host path
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.__class__.__name__ == "SummaryScreen", key
            assert toasts(app)[-1] == reason, key
        # The home screen's verbs, however they would arrive (palette, a link): refused.
        for action, reason in [
            ("screen.delete", REFUSED["delete"]),
            ("screen.restore", REFUSED["restore"]),
            ("screen.backups", REFUSED["backups"]),
            ("screen.settings", REFUSED["settings"]),
            ("app.screenshot", NOT_IN_BROWSER),
        ]:
            assert await app.run_action(action) is True
            await pilot.pause()
            assert toasts(app)[-1] == reason, action
        # Nothing written on the host: no export, no screenshot, no download, no settings.
        assert app.deliver_text(tmp_path / "x.md") is None
        app.theme = "textual-light"
        await pilot.pause()
        assert not config.exists()
        assert not app.save_settings()
        # The footer does not offer what is refused.
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert not {"home", "details", "timer"} & shown
    assert list(tmp_path.iterdir()) == []
    assert not config.exists()
    store = SessionStore(data_dir)
    assert [e.id for e in store.list()] == [session_id]  # still there, no copy made


async def test_a_participant_votes_as_themselves_only(data_dir: Path) -> None:
    session_id = make_session(data_dir, step="reverse_map")
    app = participant(data_dir, session_id, person="Cleo")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReverseMapScreen"
        await pilot.press("down", "v")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "VoteScreen"
        await pilot.press("right")
        await pilot.pause()
        assert toasts(app)[-1] == REFUSED["voter"]
        await pilot.press("space", "space")
        await pilot.pause()
        given = {n.id: n.votes for n in app.session.map if n.votes.get("Cleo")}
        assert sum(v["Cleo"] for v in given.values()) == 2
        others = {p: n for node in app.session.map for p, n in node.votes.items() if p != "Cleo"}
        before = {p: n for node in templates.demo_session(TODAY).map for p, n in node.votes.items()}
        assert others == before  # nobody else's votes moved
        await pilot.press("escape")
        assert app.save_now()


async def test_a_session_in_use_opens_for_editing_too(data_dir: Path) -> None:
    """Team mode: the facilitator's window holding the session does not make a participant
    read-only (saves merge); the participant joins as a participant, following."""
    session_id = make_session(data_dir)
    holder = SessionStore(data_dir).lock(session_id)  # the facilitator's window
    try:
        app = participant(data_dir, session_id, person="Dee")
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.pause()
            assert app.document is not None and not app.document.read_only
            assert app.workspace.role == "participant" and app.workspace.name == "Dee"
            assert app.screen.__class__.__name__ == "QuestionsScreen"
            await pilot.press("c")  # "work on a copy" is another session: refused
            await pilot.pause()
            assert [e.id for e in SessionStore(data_dir).list()] == [session_id]
    finally:
        holder.release()


async def test_an_unknown_session_says_so_and_offers_nothing_else(data_dir: Path) -> None:
    make_session(data_dir)
    app = participant(data_dir, "no-such-session", person="Eve")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.document is None
        assert app.screen.__class__.__name__ == "JoinScreen"
        await pilot.press("escape", "enter", "n")
        await pilot.pause()
        assert app.document is None and app.screen.__class__.__name__ == "JoinScreen"


async def test_a_join_message_said_before_its_screen_is_drawn_is_shown(data_dir: Path) -> None:
    make_session(data_dir)
    app = participant(data_dir, "no-such-session", person="Eve")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = JoinScreen("Later")
        app.push_screen(screen)  # not awaited: not composed yet
        screen.show(Content("Said early"))  # no NoMatches: kept for the compose
        await until(pilot, lambda: screen.is_mounted)
        assert str(screen.query_one("#join-message").render()) == "Said early"


async def test_in_a_browser_the_export_is_a_download_never_a_host_file(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    session_id = make_session(data_dir, step="summary")
    app = participant(data_dir, session_id, person="Fay")
    monkeypatch.setattr(ParticipantApp, "in_browser", property(lambda self: True))
    delivered: list[tuple[bytes, dict[str, object]]] = []

    def deliver(self, path_or_file, **kwargs):
        delivered.append((path_or_file.read(), kwargs))
        return "key"

    monkeypatch.setattr(BackplanApp, "deliver_binary", deliver)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "FormScreen"
        assert app.screen.query("#field-format")
        assert not app.screen.query("#field-path")  # a format only: no path on the host
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert len(delivered) == 1
    data, kwargs = delivered[0]
    assert kwargs["save_filename"] == f"{slugify(app.session.title)}.md"
    assert data.startswith(b"# ")  # the Markdown export
    assert list(tmp_path.iterdir()) == []


async def test_a_name_full_of_markup_is_kept_and_shown_literally(data_dir: Path) -> None:
    session_id = make_session(data_dir)
    app = participant(data_dir, session_id)
    name = "[b]Zed[/b] [@click=app.quit]"
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "FormScreen")
        await type_text(pilot, name)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen")
        assert app.person == name
        assert app.is_running and app.screen.__class__.__name__ == "QuestionsScreen"
        await until(pilot, lambda: f"Welcome, {name}." in [n.message for n in app._notifications])
        assert app.save_now()
    assert name in SessionStore(data_dir).load(session_id).participants
