"""Text fields hold at most 100,000 characters (issue 22.10: a 9 MB note made `show` take
18 s).  Longer text is refused where it is typed (the app's forms), and a file or an import
holding it is damaged with a reason naming the field.  The limit is one constant,
``basics.MAX_TEXT_CHARS``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from backplan_tui.cli import main
from backplan_tui.core.basics import MAX_TEXT_CHARS
from backplan_tui.core.model import FutureState, Outcome, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.track import TrackScreen
from backplan_tui.tui.widgets.form import Field, FieldError, parse_value
from helpers import TODAY


def test_the_limit_is_the_documented_one() -> None:
    assert MAX_TEXT_CHARS == 100_000
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    assert "at most **100,000 characters**" in readme


@pytest.mark.parametrize("kind", ["text", "long"])
def test_parse_value_refuses_text_over_the_limit(kind: str) -> None:
    spec = Field("notes", "Notes", kind=kind)
    assert parse_value(spec, "n" * MAX_TEXT_CHARS) == "n" * MAX_TEXT_CHARS
    with pytest.raises(FieldError) as info:
        parse_value(spec, "n" * (MAX_TEXT_CHARS + 1))
    assert str(info.value) == "Notes: at most 100,000 characters (this has 100,001)"


def kpi_session() -> Session:
    return Session(
        id="kpi",
        title="Cut first-response time",
        created=datetime(2026, 8, 31, 9, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-05-31, first response within 4 hours",
            target_date=date(2027, 5, 31),
            outcomes=[Outcome(id="o1", metric="Median first response", unit="h")],
        ),
    )


@pytest.mark.long
async def test_a_checkin_note_over_the_limit_is_refused_at_the_field(data_dir: Path) -> None:
    SessionStore(data_dir).create(kpi_session())
    app = create_app(data_dir, open_session="kpi", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-date", Input).value = "2026-11-20"
        form.query_one("#field-value_o1", Input).value = "18"
        note = form.query_one("#field-note", TextArea)
        note.text = "n" * (MAX_TEXT_CHARS + 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # still open, the note still there
        error = str(form.query_one("#form-error", Static).render())
        assert error == "Note: at most 100,000 characters (this has 100,001)"
        assert app.focused is note
        assert len(note.text) == MAX_TEXT_CHARS + 1
        note.move_cursor(note.document.end)
        await pilot.press("backspace")  # one character less: within the limit
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    [checkin] = SessionStore(data_dir).load("kpi").checkins
    assert checkin.note == "n" * MAX_TEXT_CHARS


async def test_a_one_line_field_takes_no_more_than_the_limit(data_dir: Path) -> None:
    SessionStore(data_dir).create(kpi_session())
    app = create_app(data_dir, open_session="kpi", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        field = app.screen.query_one("#field-value_o1", Input)
        assert field.max_length == MAX_TEXT_CHARS


def test_import_of_a_file_with_text_over_the_limit_names_the_field(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.toml"
    path.write_text(
        'id = "long"\ntitle = "Long"\n[[map]]\nid = "m1"\nnotes = "'
        + "n" * (MAX_TEXT_CHARS + 1)
        + '"\n',
        "utf-8",
    )
    code = main(["import", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == (
        "backplan: error: long.toml: map[0].notes: 100,001 characters is longer than the "
        "limit of 100,000\n"
    )
    assert not (data_dir / "sessions").exists() or not list((data_dir / "sessions").iterdir())
