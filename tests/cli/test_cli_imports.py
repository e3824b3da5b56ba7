"""`backplan list` starts fast: it imports only what listing needs.

The exports (which pull in coach, schedule and progress), the templates, the TOML parser
and writer, platformdirs and logging are left out when the index is current; the helpers
the CLI uses instead must say the same as the ones they stand for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backplan_tui import cli
from backplan_tui.core import templates
from backplan_tui.core.export import text as text_export

SRC = str(Path(__file__).resolve().parents[2] / "src")

PROBE = """\
import sys
from backplan_tui.cli import main
code = main(sys.argv[1:])
print(" ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""

NOT_FOR_LIST = [
    "textual",
    "backplan_tui.tui",
    "backplan_tui.core.export.text",
    "backplan_tui.core.export.common",
    "backplan_tui.core.coach",
    "backplan_tui.core.schedule",
    "backplan_tui.core.progress",
    "backplan_tui.core.templates",
    "tomllib",
    "tomli_w",
    "platformdirs",
    "logging",
]


def _modules(store, argv: list[str]) -> set[str]:
    env = dict(os.environ, PYTHONPATH=SRC, BACKPLAN_HOME=str(store.root))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_list_with_a_current_index_imports_only_what_it_needs(store):
    store.create(templates.demo_session(date.today()))
    store.list()  # the index is current
    loaded = _modules(store, ["list"])
    assert "backplan_tui.core.storage.store" in loaded
    assert sorted(name for name in NOT_FOR_LIST if name in loaded) == []


def test_export_md_does_not_import_the_templates_or_the_toml_writer(store):
    store.create(templates.demo_session(date.today()))
    loaded = _modules(store, ["export", templates.DEMO_ID, "--format", "md"])
    assert "backplan_tui.core.export.markdown" in loaded
    for name in ("textual", "backplan_tui.core.templates", "tomli_w", "platformdirs"):
        assert name not in loaded


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (datetime(2026, 11, 22, 14, 10, 59, tzinfo=UTC), "2026-11-22 14:10 UTC"),
        (
            datetime(2026, 11, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
            "2026-11-23 04:30 UTC",
        ),
        (datetime(2026, 1, 2, 3, 4), "2026-01-02 03:04 UTC"),  # naive: shown as it is
    ],
)
def test_one_stamp_for_the_cli_and_the_exports(value, shown):
    from backplan_tui.core.textclean import stamp

    assert stamp(value) == shown
    assert text_export.stamp is stamp  # the exports use the same function


@pytest.mark.parametrize(
    ("value", "cells"),
    [("", 0), ("plain", 5), ("é…", 2), ("日本語", 6), ("e\u0301", 1), ("a\u200bb", 3), ("Ａ", 2)],
)
def test_one_cell_width_for_the_cli_and_the_exports(value, cells):
    from backplan_tui.core.textclean import cell_width

    assert cell_width(value) == cells
    assert text_export.cell_width is cell_width


def test_a_template_error_is_still_one_error_line(monkeypatch, capsys):
    def broken(args):
        from backplan_tui.core.templates import TemplateError

        raise TemplateError("broken.toml: map[0].title: must not be empty")

    monkeypatch.setitem(cli.COMMANDS, "templates", broken)
    assert cli.main(["templates"]) == cli.ERROR
    err = capsys.readouterr().err
    assert err == "backplan: error: broken.toml: map[0].title: must not be empty\n"


def test_another_exception_is_not_swallowed(monkeypatch):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli.COMMANDS, "templates", broken)
    with pytest.raises(RuntimeError):
        cli.main(["templates"])


def test_a_store_error_is_still_one_error_line(monkeypatch, capsys):
    def broken(args):
        from backplan_tui.core.storage import SessionNotFound

        raise SessionNotFound("no session matches 'nope'")

    monkeypatch.setitem(cli.COMMANDS, "templates", broken)
    assert cli.main(["templates"]) == cli.ERROR
    assert capsys.readouterr().err == "backplan: error: no session matches 'nope'\n"


# --- `backplan` alone: the app's start-up ------------------------------------------------------

NO_ARGUMENTS = {
    "data_dir": None,
    "theme": None,
    "as_name": None,
    "participant": False,
    "command": None,
}


def test_no_arguments_is_what_the_parser_makes_of_none():
    assert vars(cli.build_parser().parse_args([])) == NO_ARGUMENTS
    assert vars(cli.no_arguments()) == NO_ARGUMENTS


APP_PROBE = """\
import sys
import textual.app
textual.app.App.run = lambda self, **kwargs: None  # built (settings, theme), never run
from backplan_tui.cli import main
code = main([])
print(" ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""

NOT_BEFORE_THE_APP_RUNS = [  # (tomllib is: it reads the start theme's file)
    "argparse",
    "tomli_w",
    "backplan_tui.core.export",
    "backplan_tui.core.model",  # home lists from the index: no session is read
    "backplan_tui.core.codec",
    "backplan_tui.core.document",
    "backplan_tui.core.timebox",
    "backplan_tui.core.undo",
    "backplan_tui.core.templates",
]


@pytest.mark.parametrize("settings_file", [False, True])
def test_the_app_is_built_without_argparse_the_toml_writer_or_the_session_modules(
    store, monkeypatch, settings_file
):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "backplan"
    if settings_file:  # as backplan writes it
        config.mkdir(parents=True)
        (config / "settings.toml").write_text(
            'theme = "backplan-light"\nfacilitator = "Dana"\nvotes_per_person = 3\n'
            "autosave_delay = 1.0\n\n[timebox_minutes]\nfuture_state = 20\n",
            encoding="utf-8",
        )
    env = dict(os.environ, PYTHONPATH=SRC, BACKPLAN_HOME=str(store.root))
    done = subprocess.run(
        [sys.executable, "-c", APP_PROBE], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert "backplan_tui.tui.app" in loaded
    assert sorted(name for name in NOT_BEFORE_THE_APP_RUNS if name in loaded) == []
