"""backplan check / import / themes / --theme, and exports that keep their line ends."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from backplan_tui import cli
from backplan_tui.core import codec, templates
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore


@pytest.fixture
def demo_store(data_dir: Path) -> SessionStore:
    store = SessionStore(data_dir)
    store.create(templates.demo_session(date.today()))
    return store


def test_check_reports_the_demos_late_path_and_exits_1(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "demo"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PROBLEM  Reverse map: ")
    assert "the path to the goal is late" in out[0]
    # The second tip: 90-day attrition is due in about 200 days and no milestone targets it.
    assert any(
        line.startswith('tip      Reverse map: Outcome "90-day new-hire attrition" is due ')
        and "no milestone sets a target for it before then." in line
        for line in out
    ), out
    # The demo's HR lead has two items at once for 6 hours a week: 8 h needed, a warning.
    assert out[1].startswith('warning  Reverse map: "HR lead" needs about 8 h a week')
    assert out[-1] == (
        "Demo: Improve 12-month retention: 1 problem, 1 warning, 2 tips (problems found)"
    )


def test_check_uses_the_owner_limits_in_the_settings(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """150% of the week allowed (settings.toml): 133% is not flagged, so no warning."""
    from backplan_tui.core.settings import Settings, save_settings, settings_path

    save_settings(settings_path(), Settings(owner_max_share=150))
    assert cli.main(["check", "demo"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert not [line for line in out if "HR lead" in line]
    assert out[-1].endswith(": 1 problem, 0 warnings, 2 tips (problems found)")
    # and a limit of 1 at once flags the same two items as too many at once
    save_settings(settings_path(), Settings(owner_max_at_once=1, owner_max_share=150))
    assert cli.main(["check", "demo"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if '"HR lead" has 2 items at once' in line]


def test_check_on_a_poor_session_names_each_gap(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    SessionStore(data_dir).create(Session(id="poor", title="Be better"))
    assert cli.main(["check", "poor", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    checks = {f["check"] for f in report["findings"]}
    assert report["problems"] >= 2
    assert {f["severity"] for f in report["findings"]} <= {"problem", "warning", "tip"}
    assert any(
        f["step"] == "future_state" and f["severity"] == "problem" for f in report["findings"]
    )
    assert {"goal_missing", "goal_no_date", "map_empty"} <= checks


def test_check_of_a_healthy_plan_exits_0(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = templates.instantiate(
        "hr-retention", session_id="good", title="Good", today=date.today()
    )
    SessionStore(data_dir).create(session)
    assert cli.main(["check", "good"]) == 0
    assert "(no problems)" in capsys.readouterr().out


def test_import_adds_a_file_and_gives_a_new_id_on_collision(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "from-a-colleague.toml"
    source.write_text(codec.dumps(demo_store.load("demo")), "utf-8")
    assert cli.main(["import", str(source)]) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id != "demo" and new_id.startswith("demo-improve-12-month-retention-")
    imported = demo_store.load(new_id)
    assert imported.title == "Demo: Improve 12-month retention"
    assert len(demo_store.list()) == 2


@pytest.mark.parametrize("bad_id", ["../../escape", "a/b", ".hidden", " padded "])
def test_import_of_a_file_whose_id_cannot_name_a_file_gets_a_new_id(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_id: str
) -> None:
    source = tmp_path / "odd.toml"
    source.write_text(
        codec.dumps(Session(id="x", title="Odd plan")).replace(
            'id = "x"', f"id = {json.dumps(bad_id)}"
        ),
        "utf-8",
    )
    assert cli.main(["import", str(source)]) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id.startswith("odd-plan-") and len(new_id) == len("odd-plan-") + 4
    store = SessionStore(data_dir)
    assert [e.id for e in store.list()] == [new_id]
    assert store.load(new_id).title == "Odd plan"
    assert not (data_dir.parent / "escape.toml").exists()
    assert sorted(p.name for p in store.sessions_dir.iterdir()) == [f"{new_id}.toml"]


def test_import_of_a_bad_file_is_one_line_and_adds_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = "T"\n[[map]]\nid = "m1"\nduration_days = "soon"\n')
    assert cli.main(["import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "map[0].duration_days" in err
    assert "Traceback" not in err
    assert SessionStore(data_dir).list() == []


def test_csv_and_ics_exports_keep_crlf(
    demo_store: SessionStore, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    for fmt in ("csv", "ics"):
        assert cli.main(["export", "demo", "--format", fmt]) == 0
        out = capsysbinary.readouterr().out
        lines = out.split(b"\n")[:-1]
        assert lines and all(line.endswith(b"\r") for line in lines), fmt


def test_themes_lists_builtins_without_loading_the_app(data_dir: Path) -> None:
    code = (
        "import sys; from backplan_tui import cli; rc = cli.main(['themes']);"
        "assert 'textual.app' not in sys.modules, 'textual.app was imported'; sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    names = [
        line.split()[1] if line.startswith("*") else line.split()[0]
        for line in done.stdout.splitlines()[1:]
    ]
    for theme in ("backplan-dark", "backplan-light", "backplan-projector", "nord"):
        assert theme in names


def test_unknown_theme_is_a_usage_error_before_the_app_starts(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr("backplan_tui.tui.app.create_app", lambda **kw: started.append(kw))
    assert cli.main(["--theme", "no-such-theme"]) == 2
    assert "unknown theme 'no-such-theme'" in capsys.readouterr().err
    assert started == []


class _StartedApp:
    return_code = 0

    def run(self) -> None:
        pass


@pytest.mark.parametrize("theme", ["backplan-light", "nord", "harbour"])
def test_a_known_theme_starts_the_app_in_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    from backplan_tui.core import paths

    folder = paths.config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "harbour.toml").write_text('name = "harbour"\nprimary = "#4DA3FF"\n', "utf-8")
    started: list[dict[str, object]] = []

    def create_app(**kwargs: object) -> _StartedApp:
        started.append(kwargs)
        return _StartedApp()

    monkeypatch.setattr("backplan_tui.tui.app.create_app", create_app)
    assert cli.main(["--theme", theme]) == 0
    assert [kwargs["theme"] for kwargs in started] == [theme]


def test_show_lists_the_demos_milestones(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["show", "demo", "--width", "100"]) == 0
    out = capsys.readouterr().out
    section = " ".join(out[out.index("Milestones:") :].split("\n\n")[0].split())
    assert section.startswith("Milestones: - ")
    assert " Career ladders published for the five largest job families: Regretted " in section
    assert (
        " Buddy programme: a trained volunteer buddy for every new hire: 12-month new-hire "
        "retention 84%; Regretted attrition (annualised) 9% (12-month new-hire retention: "
    ) in section
