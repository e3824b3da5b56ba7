"""Conflicts left by a merge, in the app (issue 17, items 1 and 6): the header counts them in
words, each item with one is marked and its detail says whose value waits, ``!`` lists them
all, ``t`` takes theirs and ``m`` keeps mine as an undoable edit, a read-only session shows
them and settles none; hostile text in their value is shown literally.  Also: the person's
name in settings, the export's section and ``backplan check``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static, TextArea, Tree

from backplan_tui import cli
from backplan_tui.core import codec, templates
from backplan_tui.core.export import markdown as markdown_export
from backplan_tui.core.export import render as export_render
from backplan_tui.core.export import text as text_export
from backplan_tui.core.model import Conflict, Session
from backplan_tui.core.settings import load_settings
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.screens.conflicts import ConflictsScreen
from backplan_tui.tui.widgets.items import Detail

TODAY = date(2026, 11, 23)
HOSTILE = "[red]boom[/] [@click=app.quit]q[/]\x1b[31m\x07"
HOSTILE_SHOWN = "[red]boom[/] [@click=app.quit]q[/]"


def conflicted_session(theirs_prompt: str = "Who benefits most?") -> Session:
    """The demo, as a merge with Ben left it: four conflicts on items, one on the session."""
    s = templates.demo_session(TODAY)
    s.current_step = "questions"
    q, node, pilot, outcome = s.questions[0], s.map[0], s.pilots[0], s.future_state.outcomes[0]
    s.conflicts = [
        Conflict(field="prompt", where="questions", item=q.id, by="Ben", theirs=theirs_prompt),
        Conflict(field="title", where="map", item=node.id, by="Ben", theirs="Ben's title"),
        Conflict(field="name", where="pilots", item=pilot.id, by="Ben", theirs="Ben's pilot"),
        Conflict(
            field="metric",
            where="future_state.outcomes",
            item=outcome.id,
            by="Ben",
            theirs="Ben's metric",
        ),
        Conflict(field="team", by="Ben", theirs="Ben's team"),
    ]
    return s


def write(data_dir: Path, session: Session) -> Path:
    """The session file, written with the codec (as a merge would leave it)."""
    folder = data_dir / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{session.id}.toml"
    path.write_text(codec.dumps(session), "utf-8")
    return path


def app_for(data_dir: Path, **kwargs: object) -> BackplanApp:
    # No autosave during a test: saves are Ctrl+S, so the file is read when we say.
    return create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)


def toasts(app: BackplanApp) -> list[str]:
    return [n.message for n in app._notifications]


def row_cells(app: BackplanApp, table_id: str) -> list[str]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [str(table.get_row_at(row)[0 if table_id != "questions" else 1]) for row in range(2)]


def tree_labels(app: BackplanApp) -> list[str]:
    tree = app.screen.query_one(Tree)
    labels, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        labels.append(str(node.label))
        stack.extend(node.children)
    return labels


def dialog_text(app: BackplanApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConflictsScreen)
    listing = screen.query_one(OptionList)
    parts = [str(w.render()) for w in screen.query(Static)]
    parts += [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
    return "\n".join(parts)


async def test_the_header_counts_them_and_each_item_is_marked(data_dir: Path) -> None:
    s = conflicted_session()
    write(data_dir, s)
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.title == f"⚠ 5 conflicts · {s.title}"
        assert screen.active_bindings["exclamation_mark"].enabled  # "! Conflicts" in the footer
        prompts = row_cells(app, "questions")
        assert prompts[0].startswith("⚠ ") and not prompts[1].startswith("⚠")
        detail = str(screen.query_one("#question-detail", Static).render())
        assert "⚠ Ben also changed prompt: Who benefits most?" in detail

        await pilot.press("ctrl+n")  # the map
        await pilot.pause()
        labels = tree_labels(app)
        marked = [label for label in labels if label.startswith("⚠ ")]
        assert marked == [next(lb for lb in labels if s.map[0].title in lb)]
        assert app.screen.title.startswith("⚠ 5 conflicts · ")
        await pilot.press("down")  # onto the first condition
        await pilot.pause()
        node_detail = str(app.screen.query_one("#node-detail", Detail).render())
        assert "Ben also changed title: Ben's title" in node_detail

        await pilot.press("ctrl+n")  # the pilots
        await pilot.pause()
        names = [
            str(app.screen.query_one("#pilots", DataTable).get_row_at(r)[0])
            for r in range(len(s.pilots))
        ]
        assert names[0].startswith("⚠ ") and not any(n.startswith("⚠") for n in names[1:])
        pilot_detail = str(app.screen.query_one("#pilot-detail", Detail).render())
        assert "Ben also changed name: Ben's pilot" in pilot_detail

        await pilot.press("ctrl+b", "ctrl+b", "ctrl+b")  # the future state's outcomes
        await pilot.pause()
        metric = str(app.screen.query_one("#outcomes", DataTable).get_row_at(0)[0])
        assert metric.startswith("⚠ ")


async def test_t_takes_theirs_is_saved_and_ctrl_z_brings_the_conflict_back(
    data_dir: Path,
) -> None:
    s = conflicted_session()
    mine = s.questions[0].prompt
    path = write(data_dir, s)
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        text = dialog_text(app)
        # Every conflict in words: what, which field, yours, theirs and whose.
        assert "Conflicts — 5 to resolve" in text
        assert f"the question '{mine}' · prompt" in text
        assert f"yours: {mine}" in text and "Ben's: Who benefits most?" in text
        assert "the session · team" in text and "Ben's: Ben's team" in text

        await pilot.press("t")  # the first, highlighted: the question's prompt
        await pilot.pause()
        assert app.session.questions[0].prompt == "Who benefits most?"
        assert len(app.session.conflicts) == 4
        assert f"Took Ben's prompt of the question '{mine}': Who benefits most?" in toasts(app)
        assert "Conflicts — 4 to resolve" in dialog_text(app)

        await pilot.press("escape", "ctrl+s")
        await pilot.pause()
        saved = codec.loads(path.read_text("utf-8"))
        assert saved.questions[0].prompt == "Who benefits most?"
        assert [c.field for c in saved.conflicts] == ["title", "name", "metric", "team"]
        assert app.screen.title.startswith("⚠ 4 conflicts · ")
        assert str(app.screen.query_one(DataTable).get_row_at(0)[1]) == "Who benefits most?"

        await pilot.press("ctrl+z")  # on the step screen: the conflict is back
        await pilot.pause()
        assert app.session.questions[0].prompt == mine
        assert app.session.conflicts == s.conflicts
        assert app.screen.title.startswith("⚠ 5 conflicts · ")
        assert str(app.screen.query_one(DataTable).get_row_at(0)[1]).startswith("⚠ ")


async def test_m_keeps_mine_and_ctrl_z_in_the_dialog_undoes_it(data_dir: Path) -> None:
    s = conflicted_session()
    mine = s.questions[0].prompt
    path = write(data_dir, s)
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark", "down", "m")  # the map node's title: keep mine
        await pilot.pause()
        assert app.session.map[0].title == s.map[0].title
        assert [c.field for c in app.session.conflicts] == ["prompt", "name", "metric", "team"]
        assert any(t.startswith("Kept yours: title of the condition") for t in toasts(app))
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.conflicts == s.conflicts
        assert "Conflicts — 5 to resolve" in dialog_text(app)
        # All five, one key each: the dialog says none are left, the header says nothing.
        await pilot.press("m", "m", "m", "m", "m")
        await pilot.pause()
        assert app.session.conflicts == []
        assert "none left to resolve" in dialog_text(app)
        await pilot.press("escape", "ctrl+s")
        await pilot.pause()
        assert app.screen.title == s.title
        assert "exclamation_mark" not in app.screen.active_bindings  # gone from the footer
        saved = codec.loads(path.read_text("utf-8"))
        assert saved.conflicts == [] and saved.questions[0].prompt == mine
        assert "[[conflicts]]" not in path.read_text("utf-8")


async def test_a_value_that_cannot_be_taken_is_a_toast_and_nothing_changes(
    data_dir: Path,
) -> None:
    s = conflicted_session()
    s.conflicts = [Conflict(field="prompt", where="questions", item="gone", by="Ben", theirs="x")]
    write(data_dir, s)
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        edits = app.document.edits
        await pilot.press("exclamation_mark", "t")
        await pilot.pause()
        assert app.session.conflicts == s.conflicts
        assert app.document.edits == edits and not app.document.dirty
        assert any(
            t.startswith("Nothing changed: the question gone (deleted since) is no longer")
            for t in toasts(app)
        )


async def test_hostile_text_in_theirs_is_shown_literally(data_dir: Path) -> None:
    write(data_dir, conflicted_session(theirs_prompt=HOSTILE))
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        detail = str(app.screen.query_one("#question-detail", Static).render())
        assert f"Ben also changed prompt: {HOSTILE_SHOWN}" in detail
        assert "\x1b" not in detail and "\x07" not in detail
        await pilot.press("exclamation_mark")
        await pilot.pause()
        text = dialog_text(app)
        assert f"Ben's: {HOSTILE_SHOWN}" in text
        assert "\x1b" not in text
        await pilot.press("t")
        await pilot.pause()
        assert app.is_running  # no [@click] fired, no markup error
        taken = app.session.questions[0].prompt  # as typed, less the control characters
        assert taken.startswith(HOSTILE_SHOWN) and "\x1b" not in taken
        assert any(HOSTILE_SHOWN in t for t in toasts(app))


@pytest.mark.skipif(sys.platform == "win32", reason="session locks need fcntl")
async def test_read_only_shows_the_conflicts_and_settles_none(data_dir: Path) -> None:
    s = conflicted_session()
    write(data_dir, s)
    other_window = SessionStore(data_dir).lock("demo")
    try:
        app = app_for(data_dir)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            # team mode opens a session in use writable (saves merge); read-only on purpose
            assert app.open_session("demo", read_only=True)
            await pilot.pause()
            assert app.document is not None and app.document.read_only
            await pilot.press("exclamation_mark")
            await pilot.pause()
            assert "Read-only: it is open in another window" in dialog_text(app)
            await pilot.press("t", "m")
            await pilot.pause()
            assert app.session.conflicts == s.conflicts
            assert app.session.questions[0].prompt == s.questions[0].prompt
            refused = [t for t in toasts(app) if t.startswith("Read-only:")]
            assert len(refused) == 2 and "Nothing here can be changed" in refused[0]
    finally:
        other_window.release()


async def test_bang_without_conflicts_says_so_and_types_in_a_field(data_dir: Path) -> None:
    s = conflicted_session()
    s.conflicts = []
    s.current_step = "future_state"
    write(data_dir, s)
    app = app_for(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        statement = app.screen.query_one("#statement", TextArea)
        assert statement.has_focus
        await pilot.press("exclamation_mark")  # typed into the goal, not a dialog
        await pilot.pause()
        assert "!" in statement.text and not isinstance(app.screen, ConflictsScreen)
        await pilot.press("tab", "tab", "tab", "exclamation_mark")  # off the fields
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)
        assert app.screen.title is None  # the app's title, unchanged
        assert "No conflicts: every field has one value." in toasts(app)


async def test_the_name_in_settings_is_who_is_at_the_keyboard(data_dir: Path) -> None:
    from backplan_tui.core.identity import login

    app = create_app(data_dir, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.person_name == login()
        await pilot.press("s")  # the settings form on the home screen
        await pilot.pause()
        await pilot.press("space", *"Priya", "space", "R", "space")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.person_name == "Priya R"
        saved, problem = load_settings(app.settings_file)
        assert problem is None and saved.name == "Priya R"
        app.person_given = "Ana"  # --as NAME wins
        assert app.person_name == "Ana"


def test_the_exports_list_them_first_and_escape_their_text() -> None:
    s = conflicted_session(theirs_prompt="*bold* <b>x</b>")
    md = markdown_export.render(s, TODAY)
    section = md.split("## Conflicts to resolve", 1)[1].split("\n## ", 1)[0]
    assert md.index("## Conflicts to resolve") < md.index("## Future state")
    assert f"- **the question '{s.questions[0].prompt}'** · prompt: yours: " in section
    assert "Ben's: \\*bold\\* \\<b>x\\</b>" in section  # escaped as every section is
    assert "- **the session** · team: yours: " in section
    assert section.count("\n- ") == 5
    html = export_render("html", s, TODAY)
    assert "Conflicts to resolve" in html and "<b>x</b>" not in html
    text = text_export.render(s, TODAY)
    assert "Conflicts to resolve\n--------------------" in text
    assert "Ben's: *bold* <b>x</b>" in text

    s.conflicts = []
    assert "Conflicts to resolve" not in markdown_export.render(s, TODAY)
    assert "Conflicts to resolve" not in text_export.render(s, TODAY)


def test_check_reports_each_conflict_as_a_problem(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = templates.instantiate("hr-retention", session_id="good", title="Good", today=date.today())
    SessionStore(data_dir).create(s)
    assert cli.main(["check", "good"]) == 0  # healthy: nothing else to report
    capsys.readouterr()
    s.conflicts = [
        Conflict(field="team", by="Ben", theirs="People"),
        Conflict(field="prompt", where="questions", item=s.questions[0].id, by="Ben", theirs="Q"),
    ]
    write(data_dir, s)
    assert cli.main(["check", "good"]) == 1
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if line.startswith("PROBLEM  Conflict: ")]
    assert len(lines) == 2
    assert lines[0].startswith("PROBLEM  Conflict: the session · team: yours: ")
    assert "Ben's: People" in lines[0]
    assert out[-1].startswith("Good: 2 problems, ") and out[-1].endswith("(problems found)")


def test_the_help_lists_the_key() -> None:
    from backplan_tui.tui.screens.help import key_label, sections

    steps = dict(sections())["Workshop steps"]
    found = [b for b in steps if b.action == "conflicts"]
    assert len(found) == 1 and found[0].description == "Conflicts"
    assert key_label(found[0].key) == "!"
