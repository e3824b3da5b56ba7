"""The command line, through ``main(argv)``, with a temporary BACKPLAN_HOME (tests/conftest.py).

The app itself is never started here: the commands that open it get a fake ``create_app``.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import types
from datetime import date, datetime
from pathlib import Path

import pytest

import backplan_tui
from backplan_tui.cli import main, write_atomic
from backplan_tui.core.glance import DueRef, Glance
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionEntry, SessionStore
from helpers import read_index, write_index

SRC = str(Path(backplan_tui.__file__).resolve().parent.parent)
NOBODY = {"name": None, "participant": False}  # no --as, no --participant (team mode)

HOSTILE_TOML = """\
schema_version = 1
id = "evil-0001"
title = "Evil \\u001b[31mred\\u001b[0m [b]x[/b] [@click=app.quit]q[/]"
team = "Team \\u001b]0;pwned\\u0007ops"
created = 2026-11-01T09:00:00Z
updated = 2026-11-02T09:00:00Z
revision = 1
current_step = "questions"

[future_state]
statement = "Goal \\u001b[2J with \\u009b31m C1"
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, *fragments: str) -> None:
    assert err.endswith("\n")
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("backplan: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def new_session(capsys, *extra: str, title: str = "Improve retention") -> str:
    code, out, err = run(capsys, "new", "--title", title, *extra)
    assert code == 0, err
    return out.strip()


def write_session_file(data_dir: Path, name: str, text: str) -> Path:
    sessions = data_dir / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    path = sessions / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- global options ---------------------------------------------------------------------------


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, "backplan 0.1.0\n", "")


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ["open", "demo", "new", "list", "show", "export", "templates", "where"]:
        assert command in out


def test_where_uses_backplan_home(capsys, data_dir, tmp_path):
    code, out, err = run(capsys, "where")
    assert code == 0 and err == ""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "backplan"
    assert out.splitlines() == [
        f"data      {data_dir}",
        f"sessions  {data_dir / 'sessions'}",
        f"backups   {data_dir / 'backups'}",
        f"trash     {data_dir / 'trash'}",
        f"config    {config}",
    ]


@pytest.mark.parametrize("before", [True, False])
def test_data_dir_option_wins_before_or_after_the_command(capsys, tmp_path, before):
    other = tmp_path / "elsewhere"
    argv = ["--data-dir", str(other), "where"] if before else ["where", "--data-dir", str(other)]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.splitlines()[0] == f"data      {other}"


def test_templates_lists_name_and_title(capsys):
    code, out, err = run(capsys, "templates")
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert re.fullmatch(r"NAME +TITLE", rows[0])
    assert re.fullmatch(r"blank +Blank", rows[1])  # blank comes first
    assert any(re.fullmatch(r"hr-retention +Improve retention", row) for row in rows)


# --- new / list / show / export ---------------------------------------------------------------


def test_new_creates_the_session_and_prints_its_id(capsys, store):
    session_id = new_session(
        capsys,
        "--template",
        "hr-retention",
        "--target-date",
        "2027-12-31",
        "--team",
        "People Ops",
        title="Improve retention",
    )
    assert re.fullmatch(r"improve-retention-[0-9a-f]{4}", session_id)
    assert (store.sessions_dir / f"{session_id}.toml").is_file()
    session = store.load(session_id)
    assert session.title == "Improve retention"
    assert session.team == "People Ops"
    assert session.template == "hr-retention"
    assert session.future_state.target_date == date(2027, 12, 31)
    assert session.map  # the template's example plan came along


def test_new_defaults_to_the_blank_template(capsys, store):
    session = store.load(new_session(capsys, title="Q3 plan"))
    assert session.template == "blank"
    assert session.future_state.target_date is None


def test_new_strips_control_characters_from_the_title(capsys, store):
    session_id = new_session(capsys, title="Bad\x1b[31m title\x07")
    assert store.load(session_id).title == "Bad[31m title"


def test_list_shows_a_table(capsys):
    first = new_session(capsys, "--team", "People Ops", title="Improve retention")
    second = new_session(capsys, title="On-time delivery")
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert re.fullmatch(r"ID +TITLE +HEALTH +NEXT DUE +TEAM +STEP +UPDATED", rows[0])
    assert len(rows) == 3
    row = next(r for r in rows if r.startswith(first))
    # a blank plan: no goal statement, no target date (problems), nothing dated (no next due)
    assert re.fullmatch(
        re.escape(first) + r" +Improve retention +\d+ problems? +People Ops +Future state +"
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC",
        row,
    )
    assert any(r.startswith(second) and "On-time delivery" in r for r in rows)
    # the columns line up
    assert rows[0].index("TITLE") == row.index("Improve retention")


def test_list_json(capsys, data_dir):
    session_id = new_session(capsys, "--team", "Ops", title="Improve retention")
    code, out, err = run(capsys, "list", "--json")
    assert code == 0 and err == ""
    [entry] = json.loads(out)
    assert entry["id"] == session_id
    assert entry["title"] == "Improve retention"
    assert entry["team"] == "Ops"
    assert entry["current_step"] == "future_state"
    assert entry["revision"] == 1
    assert entry["damaged"] is None
    assert entry["path"] == str(data_dir / "sessions" / f"{session_id}.toml")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["updated"])
    assert entry["health"] == "problems" and entry["problems"] >= 1
    assert (entry["next_due"], entry["overdue"], entry["at_risk"]) == (None, 0, False)


def test_list_shows_health_risk_and_next_due_as_of_today(capsys, store):
    from backplan_tui.core import templates

    store.create(templates.demo_session(date.today()))  # dates relative to today
    expected = store.list()[0].glance
    item = expected.next_due()
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    row = next(r for r in out.splitlines() if r.startswith("demo "))
    assert "AT RISK, " + expected.health_text() in row
    assert f"{item.due.isoformat()} {item.title[:20]}" in row
    code, out, _ = run(capsys, "list", "--json")
    [entry] = json.loads(out)
    assert entry["at_risk"] is True and entry["risks"] == list(expected.risks)
    assert entry["next_due"]["date"] == item.due.isoformat()
    assert entry["next_due"]["owner"] == item.owner


def test_list_shows_the_brief_and_a_brief_not_as_written_gives_way_to_the_glance(
    capsys, store, data_dir
):
    from backplan_tui.core import templates

    store.create(templates.demo_session(date.today()))
    code, before, _ = run(capsys, "list")  # from the brief in the index's record
    record = read_index(data_dir)["files"]["demo.toml"]
    assert record[15][0].startswith("AT RISK, ") and record[15][1] is not None
    row = next(r for r in before.splitlines() if r.startswith("demo "))
    assert record[15][0] in row and record[15][1] in row
    for bogus in (["bogus"], ["AT RISK, 9 problems", "not a date", "x", "y"]):
        data = read_index(data_dir)
        data["files"]["demo.toml"][15] = bogus  # a list: the record is used as it is
        write_index(data_dir, data)
        code, out, _ = run(capsys, "list")
        assert code == 0 and out == before  # read from the glance instead


def test_list_refreshes_a_glance_computed_on_an_earlier_day(capsys, store, data_dir):
    from datetime import timedelta

    from backplan_tui.core import templates

    store.create(templates.demo_session(date.today()))
    long_ago = date.today() - timedelta(days=400)
    assert store.list(today=long_ago)[0].glance.as_of == long_ago
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    index = read_index(data_dir)
    record = index["files"]["demo.toml"]
    assert record[10] == date.today().isoformat()  # the glance's day, and the glance:
    glance = (data_dir / "index.glances").read_bytes()[record[13] : record[13] + record[14]]
    assert glance.startswith(f'{{"as_of":"{date.today().isoformat()}"'.encode())


def test_list_when_empty(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    assert out.startswith("No sessions in ")
    code, out, _ = run(capsys, "list", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_list_marks_a_damaged_file_and_keeps_the_rest(capsys, data_dir):
    good = new_session(capsys, title="Fine plan")
    write_session_file(data_dir, "broken-0001", "title = = not toml\n")
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert any(r.startswith(good) and "Fine plan" in r for r in rows)
    broken = next(r for r in rows if r.startswith("broken-0001"))
    assert re.search(r"broken-0001 +DAMAGED: \S", broken)
    code, out, _ = run(capsys, "list", "--json")
    damaged = [e for e in json.loads(out) if e["id"] == "broken-0001"]
    assert damaged and damaged[0]["damaged"]


def test_show_prints_the_text_summary(capsys):
    session_id = new_session(capsys, "--target-date", "2027-12-31", title="Improve retention")
    code, out, err = run(capsys, "show", session_id, "--width", "40")
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert rows[:2] == ["Improve retention", "================="]
    assert "Target date: 2027-12-31" in out
    assert "Tough questions (0 of 3 answered)" in rows
    assert max(len(r) for r in rows) <= 40


def test_show_accepts_a_title_or_an_id_prefix(capsys):
    session_id = new_session(capsys, title="Improve retention")
    for query in ["improve RETENTION", session_id[:-2]]:
        code, out, _ = run(capsys, "show", query)
        assert code == 0
        assert out.startswith("Improve retention\n")


@pytest.mark.parametrize(
    ("fmt", "first_line"),
    [("md", "# Improve retention"), ("txt", "Improve retention"), ("json", "{")],
)
def test_export_to_stdout(capsys, fmt, first_line):
    session_id = new_session(capsys, title="Improve retention")
    code, out, err = run(capsys, "export", session_id, "--format", fmt)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == first_line
    assert out.endswith("\n")
    if fmt == "json":
        data = json.loads(out)
        assert (data["id"], data["title"]) == (session_id, "Improve retention")


def test_export_to_a_file_is_private_and_replaces_a_regular_file_with_force(capsys, tmp_path):
    session_id = new_session(capsys, title="Improve retention")
    target = tmp_path / "out" / "plan.json"
    target.parent.mkdir()
    target.write_text("old content")
    code, out, err = run(capsys, "export", session_id, "-f", "json", "-o", str(target), "--force")
    assert code == 0 and err == ""
    assert out == f"Wrote {target}\n"
    assert json.loads(target.read_text())["id"] == session_id
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.json"]  # no temp left


def test_export_refuses_to_write_through_a_symlink(capsys, tmp_path):
    session_id = new_session(capsys, title="Improve retention")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.md"
    link.symlink_to(victim)
    code, out, err = run(capsys, "export", session_id, "-f", "md", "-o", str(link))
    assert code == 1 and out == ""
    assert_one_error_line(err, "symbolic link")
    assert victim.read_text() == "keep me"
    assert link.is_symlink()


def test_export_into_a_missing_directory_fails_cleanly(capsys, tmp_path):
    session_id = new_session(capsys, title="Improve retention")
    code, out, err = run(
        capsys, "export", session_id, "-f", "md", "-o", str(tmp_path / "nope" / "x.md")
    )
    assert code == 1 and out == ""
    assert_one_error_line(err, "does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_export_into_an_unwritable_directory_fails_cleanly(capsys, tmp_path):
    session_id = new_session(capsys, title="Improve retention")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run(capsys, "export", session_id, "-f", "md", "-o", str(locked / "x.md"))
    assert code == 1
    assert_one_error_line(err, "Permission denied")


def test_export_reports_an_unwritable_target_in_one_line(capsys, tmp_path, monkeypatch):
    session_id = new_session(capsys, title="Improve retention")
    target = tmp_path / "x.md"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr("backplan_tui.core.storage.fileio.write_temp", refuse)
    code, out, err = run(capsys, "export", session_id, "-f", "md", "-o", str(target))
    assert code == 1 and out == ""
    assert_one_error_line(err, "Permission denied", str(tmp_path))
    assert not target.exists()


def test_write_atomic_replaces_the_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["show", "no-such-session"], 1, "no-such-session"),
        (["export", "no-such-session", "--format", "md"], 1, "no-such-session"),
        (["open", "no-such-session"], 1, "no-such-session"),
        (["new", "--title", "x", "--target-date", "2027-13-01"], 2, "--target-date"),
        (["new", "--title", "x", "--target-date", "31/12/2027"], 2, "YYYY-MM-DD"),
        (["new", "--title", "x", "--target-date", "20271231"], 2, "YYYY-MM-DD"),
        (["new", "--title", "x", "--template", "nope"], 2, "unknown template 'nope'"),
        (["new", "--title", "   "], 2, "title"),
        (["new"], 2, "--title"),
        (["export", "x", "--format", "docx"], 2, "docx"),
        (["export", "x"], 2, "--format"),
        (["show"], 2, "ID|TITLE"),
        (["frobnicate"], 2, "frobnicate"),
        (["list", "--bogus"], 2, "--bogus"),
        (["show", "x", "--width", "zero"], 2, "--width"),
    ],
)
def test_errors_are_one_line_and_non_zero(capsys, argv, code, fragment):
    new_session(capsys, title="Something else")
    got, out, err = run(capsys, *argv)
    assert got == code
    assert out == ""
    assert_one_error_line(err, fragment)


def test_unknown_template_error_lists_the_templates(capsys):
    _, _, err = run(capsys, "new", "--title", "x", "--template", "nope")
    assert_one_error_line(err, "blank", "hr-retention")


@pytest.mark.parametrize("command", [["show"], ["export", "--format", "md"], ["open"]])
def test_a_damaged_session_is_one_error_line(capsys, data_dir, command, monkeypatch):
    bad = 'schema_version = 1\nid = "bad-0001"\ntitle = "Bad"\nrevision = "x"\n'
    write_session_file(data_dir, "bad-0001", bad)
    calls = fake_app_module(monkeypatch)
    code, out, err = run(capsys, command[0], "bad-0001", *command[1:])
    assert code == 1 and out == ""
    assert_one_error_line(err, "damaged", "revision")
    assert calls == []  # `open` fails before the app starts


def test_ambiguous_title_is_one_error_line(capsys):
    new_session(capsys, title="Same")
    new_session(capsys, title="Same")
    code, out, err = run(capsys, "show", "same")
    assert code == 1 and out == ""
    assert_one_error_line(err, "matches 2 sessions")


# --- untrusted text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["list"], ["list", "--json"], ["show", "evil-0001"], ["export", "evil-0001", "-f", "md"]],
)
def test_hostile_session_text_is_printed_without_control_characters(capsys, data_dir, argv):
    write_session_file(data_dir, "evil-0001", HOSTILE_TOML)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    if argv[0] in ("list", "show"):
        assert "Evil [31mred[0m [b]x[/b] [@click=app.quit]q[/]" in out
        assert "Team ]0;pwnedops" in out
    if argv == ["list", "--json"]:
        assert json.loads(out)[0]["title"] == "Evil [31mred[0m [b]x[/b] [@click=app.quit]q[/]"


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["list", "--json"],
        ["show", "raw-0001"],
        ["export", "raw-0001", "-f", "md"],
        ["export", "raw-0001", "-f", "txt"],
        ["export", "raw-0001", "-f", "json"],
    ],
)
def test_cli_cleans_text_even_when_the_store_does_not(capsys, monkeypatch, tmp_path, argv):
    # Bypass the codec (which cleans on load) to check the CLI's own last line of defence.
    raw = "Raw \x1b[31mred \x9b2J\x07 [b]x[/b]"
    entry = SessionEntry(
        id="raw-0001",
        path=tmp_path / "raw-0001.toml",
        title=raw,
        team=raw,
        current_step="questions",
        updated=None,
        revision=1,
        damaged=None,
        glance_record=Glance(date.today(), 0, 0, (raw,), (DueRef(date.today(), "node", raw, raw),)),
    )
    session = Session(id="raw-0001", title=raw, team=raw, participants=[raw])
    session.future_state.statement = raw
    monkeypatch.setattr(SessionStore, "list", lambda self, **kw: [entry])
    monkeypatch.setattr(SessionStore, "resolve", lambda self, query: "raw-0001")
    monkeypatch.setattr(SessionStore, "load", lambda self, session_id, **kw: session)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "[31mred 2J" in out


def test_error_messages_strip_control_characters(capsys):
    code, _, err = run(capsys, "show", "evil\x1b[2J\nsecond line")
    assert code == 1
    assert "\x1b" not in err
    assert_one_error_line(err, "no session matches")


# --- the app is only imported by the commands that open it ------------------------------------

NO_TEXTUAL = """\
import sys
import time
from backplan_tui.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
assert not loaded, loaded[:5]
assert "backplan_tui.tui" not in sys.modules
sys.exit(code)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["list", "--json"],
        ["export", "improve-retention-0001", "--format", "md"],
        ["export", "improve-retention-0001", "--format", "json"],
        ["show", "improve-retention-0001"],
        ["new", "--title", "Another"],
        ["templates"],
        ["where"],
    ],
)
def test_commands_do_not_import_textual(tmp_path, store, argv):
    from backplan_tui.core import templates

    session = templates.instantiate(
        "hr-retention", session_id="improve-retention-0001", title="Improve", today=date.today()
    )
    store.create(session)
    env = dict(os.environ, PYTHONPATH=SRC, BACKPLAN_HOME=str(store.root))
    result = subprocess.run(
        [sys.executable, "-c", NO_TEXTUAL, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout


class FakeApp:
    def __init__(self, calls: list[dict], kwargs: dict) -> None:
        calls.append(kwargs)
        self.return_code = 0

    def run(self) -> None:
        pass


def fake_app_module(monkeypatch) -> list[dict]:
    """Replace ``backplan_tui.tui.app`` with a module whose create_app records its arguments."""
    calls: list[dict] = []
    module = types.ModuleType("backplan_tui.tui.app")
    module.create_app = lambda data_dir=None, **kwargs: FakeApp(  # type: ignore[attr-defined]
        calls, {"data_dir": data_dir, **kwargs}
    )
    monkeypatch.setitem(sys.modules, "backplan_tui.tui.app", module)
    return calls


def test_no_command_opens_the_home_screen(capsys, monkeypatch, data_dir):
    calls = fake_app_module(monkeypatch)
    code, _, err = run(capsys)
    assert (code, err) == (0, "")
    assert calls == [
        {"data_dir": data_dir, "open_session": None, "demo": False, "theme": None, **NOBODY}
    ]


def test_open_as_a_named_participant_passes_both_to_the_app(capsys, monkeypatch, data_dir):
    session_id = new_session(capsys, title="Team plan")
    calls = fake_app_module(monkeypatch)
    code, _, err = run(capsys, "open", session_id, "--as", "Ben", "--participant")
    assert (code, err) == (0, "")
    assert calls[0]["name"] == "Ben" and calls[0]["participant"] is True
    calls.clear()
    assert run(capsys, "--as", "Ana", "open", session_id)[0] == 0  # before the command too
    assert calls[0]["name"] == "Ana" and calls[0]["participant"] is False


def test_open_resolves_the_session_before_starting_the_app(capsys, monkeypatch, data_dir):
    session_id = new_session(capsys, title="Improve retention")
    calls = fake_app_module(monkeypatch)
    code, _, err = run(capsys, "open", "Improve Retention")
    assert (code, err) == (0, "")
    assert calls == [
        {"data_dir": data_dir, "open_session": session_id, "demo": False, "theme": None, **NOBODY}
    ]


def test_open_unknown_session_never_starts_the_app(capsys, monkeypatch):
    calls = fake_app_module(monkeypatch)
    code, _, err = run(capsys, "open", "nothing-here")
    assert code == 1
    assert_one_error_line(err, "nothing-here")
    assert calls == []


def test_open_uses_the_data_dir_option(capsys, monkeypatch, tmp_path):
    other = tmp_path / "other"
    SessionStore(other)  # nothing created until a write
    calls = fake_app_module(monkeypatch)
    code, _, _ = run(capsys, "--data-dir", str(other))
    assert code == 0
    assert calls[0]["data_dir"] == other


def test_demo_creates_the_demo_once_and_opens_it(capsys, monkeypatch, data_dir, store):
    calls = fake_app_module(monkeypatch)
    code, _, err = run(capsys, "demo")
    assert (code, err) == (0, "")
    assert calls == [
        {"data_dir": data_dir, "open_session": "demo", "demo": True, "theme": None, **NOBODY}
    ]
    demo = store.load("demo")
    assert demo.title == "Demo: Improve 12-month retention"
    path = data_dir / "sessions" / "demo.toml"
    path.write_text(path.read_text().replace("Demo: Improve", "My own"))  # edited since
    code, _, _ = run(capsys, "demo")
    assert code == 0 and len(calls) == 2
    assert store.load("demo").title == "My own 12-month retention"  # not recreated


def test_app_exit_code_is_returned(capsys, monkeypatch):
    calls = fake_app_module(monkeypatch)
    module = sys.modules["backplan_tui.tui.app"]
    original = module.create_app

    def failing(**kwargs):
        app = original(**kwargs)
        app.return_code = 3
        return app

    module.create_app = failing  # type: ignore[attr-defined]
    code, _, _ = run(capsys)
    assert code == 3 and len(calls) == 1


# --- backups, restore, read-only, warnings (issue 3) ------------------------------------------


def saved_versions(store: SessionStore, session_id: str, titles: list[str]) -> None:
    session = store.load(session_id)
    for title in titles:
        session.title = title
        store.save(session)


def test_backups_lists_the_kept_versions_newest_first(capsys, store):
    session_id = new_session(capsys, title="v1")
    saved_versions(store, session_id, ["v2", "v3"])
    backups = store.backups_dir / session_id
    now = time.time()
    os.utime(backups / "2.toml", (now - 3 * 3600 - 60, now - 3 * 3600 - 60))
    os.utime(backups / "1.toml", (now - 41 * 86400, now - 41 * 86400))
    code, out, err = run(capsys, "backups", session_id)
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert re.fullmatch(r"REVISION +SAVED +AGE +SIZE +CHANGED AFTER IT", rows[0])
    assert len(rows) == 3
    two = datetime.fromtimestamp(now - 3 * 3600 - 60).strftime("%Y-%m-%d %H:%M")
    # revision 2 (3 h old, or "yesterday" just after midnight) became v3: a rename
    assert re.fullmatch(
        rf"2 +{two} +(3 h ago|yesterday) +\d+(\.\d)? (B|KB) +renamed \"v2\" → \"v3\"",
        rows[1],
    ), rows[1]
    assert re.fullmatch(r"1 +\S+ \S+ +41 days ago +.* renamed \"v1\" → \"v2\"", rows[2]), rows[2]


def test_backups_when_there_are_none(capsys):
    session_id = new_session(capsys, title="Fresh")
    code, out, err = run(capsys, "backups", session_id)
    assert (code, err) == (0, "")
    assert out.startswith(f"No backups of {session_id} yet")


def test_restore_the_newest_or_a_given_revision(capsys, store):
    session_id = new_session(capsys, title="v1")
    saved_versions(store, session_id, ["v2", "v3"])  # revision 3 on disk
    code, out, err = run(capsys, "restore", session_id)
    assert (code, err) == (0, "")
    assert out == f"Restored {session_id} from the backup of revision 2; it is now revision 4.\n"
    assert store.load(session_id).title == "v2"
    code, out, _ = run(capsys, "restore", session_id, "--revision", "1")
    assert code == 0
    assert out.endswith("from the backup of revision 1; it is now revision 5.\n")
    assert store.load(session_id).title == "v1"
    assert not store.lock_path(session_id).exists()  # the lock was taken and released


def test_restore_a_damaged_session_from_list_to_fixed(capsys, store, data_dir):
    session_id = new_session(capsys, title="Precious plan")
    saved_versions(store, session_id, ["Precious plan, edited"])
    path = store.path_for(session_id)
    path.write_bytes(b"title = = half-written\n")
    code, out, _ = run(capsys, "list")
    assert f"(a backup exists: backplan restore {session_id})" in out
    code, out, _ = run(capsys, "list", "--json")
    [entry] = json.loads(out)
    assert entry["damaged"] and entry["has_backup"] is True
    code, out, err = run(capsys, "restore", session_id)
    assert (code, err) == (0, "")
    assert store.load(session_id).title == "Precious plan"
    kept = [e for e in store.backups(session_id) if e.kind == "damaged"]
    assert kept and kept[0].path.read_bytes() == b"title = = half-written\n"
    code, out, _ = run(capsys, "backups", session_id)
    assert any(row.startswith("damaged ") for row in out.splitlines())


def test_restore_refuses_while_the_session_is_open_elsewhere(capsys, store):
    session_id = new_session(capsys, title="v1")
    saved_versions(store, session_id, ["v2"])
    before = store.path_for(session_id).read_bytes()
    with store.lock(session_id):
        code, out, err = run(capsys, "restore", session_id)
    assert code == 1 and out == ""
    assert_one_error_line(err, "is open in another backplan", f"process {os.getpid()}")
    assert store.path_for(session_id).read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["restore", "nothing-here"], 1, "nothing-here"),
        (["backups", "nothing-here"], 1, "nothing-here"),
        (["restore", "x", "--revision", "two"], 2, "--revision"),
        (["restore", "x", "--revision", "-1"], 2, "--revision"),
    ],
)
def test_backup_command_errors(capsys, argv, code, fragment):
    got, out, err = run(capsys, *argv)
    assert got == code and out == ""
    assert_one_error_line(err, fragment)


def test_restore_without_backups_is_one_error_line(capsys):
    session_id = new_session(capsys, title="v1")
    code, _, err = run(capsys, "restore", session_id)
    assert code == 1
    assert_one_error_line(err, "has no readable backup")
    code, _, err = run(capsys, "restore", session_id, "--revision", "9")
    assert code == 1
    assert_one_error_line(err, "no backup of revision 9")


def test_restore_a_deleted_session_by_its_id(capsys, store):
    session_id = new_session(capsys, title="v1")
    saved_versions(store, session_id, ["v2"])
    store.delete(session_id)
    code, out, err = run(capsys, "restore", session_id)
    assert (code, err) == (0, "")
    assert store.load(session_id).title == "v1"


NEWER_TOML = """\
schema_version = 5
id = "future-0001"
title = "From a newer backplan"
revision = 3
"""


def test_a_newer_session_is_listed_read_only_and_can_be_shown(capsys, data_dir):
    path = write_session_file(data_dir, "future-0001", NEWER_TOML)
    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    assert re.search(r"future-0001 +From a newer backplan \(read-only\)", out)
    code, out, _ = run(capsys, "list", "--json")
    [entry] = json.loads(out)
    assert entry["damaged"] is None
    assert entry["read_only_reason"].startswith("written by a newer backplan (schema 5")
    code, out, err = run(capsys, "show", "future-0001")
    assert (code, err) == (0, "")
    assert out.startswith("From a newer backplan\n")
    assert path.read_text("utf-8") == NEWER_TOML


BIDI_TOML = """\
schema_version = 1
id = "bidi-0001"
title = "Budget \\u202eevil\\u202c plan"
team = "Ops \\u2066x\\u2069"
revision = 1

[future_state]
statement = "Goal \\u202d with override"
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["show", "bidi-0001"],
        ["export", "bidi-0001", "-f", "txt"],
        ["export", "bidi-0001", "-f", "md"],
    ],
)
def test_bidi_overrides_from_a_session_are_printed_visibly(capsys, data_dir, argv):
    write_session_file(data_dir, "bidi-0001", BIDI_TOML)
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert char not in out
    shown = out.replace("\\+", "+")  # Markdown escapes the "+"
    assert "Budget ⟨U+202E⟩evil⟨U+202C⟩ plan" in shown
    if argv[0] != "list":
        assert "Goal ⟨U+202D⟩ with override" in shown


def test_where_shows_a_relative_data_dir_as_absolute(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--data-dir", "rel/plans", "where")
    assert code == 0
    assert out.splitlines()[0] == f"data      {tmp_path.resolve() / 'rel' / 'plans'}"
    monkeypatch.setenv("BACKPLAN_HOME", "from-env")
    code, out, _ = run(capsys, "where")
    assert out.splitlines()[0] == f"data      {tmp_path.resolve() / 'from-env'}"


def test_store_warnings_go_to_stderr_and_do_not_fail_the_command(capsys, data_dir, monkeypatch):
    from backplan_tui.core import paths as paths_module

    data_dir.mkdir()
    monkeypatch.setattr(paths_module, "_geteuid", lambda: os.lstat(data_dir).st_uid + 1)
    code, out, err = run(capsys, "list")
    assert code == 0
    assert out.startswith("No sessions in ")
    assert err == (
        f"backplan: warning: the data folder {data_dir} belongs to another user "
        f"(uid {os.lstat(data_dir).st_uid}); they can read and change your sessions\n"
    )
