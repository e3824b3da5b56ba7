"""settings.toml: defaults, validation, a bad file left alone, atomic 0600 saves."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from backplan_tui.core.settings import (
    Settings,
    load_settings,
    save_settings,
    settings_path,
)

DEFAULT_TIMEBOXES = {"future_state": 20, "questions": 25, "reverse_map": 40, "pilots": 30}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "backplan" / "settings.toml"


def write(path: Path, text: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()


def test_defaults():
    settings = Settings()
    assert settings.theme == "backplan-dark"
    assert settings.facilitator == ""
    assert settings.timebox_minutes == DEFAULT_TIMEBOXES
    assert settings.votes_per_person == 3
    assert settings.autosave_delay == 1.0
    assert settings.extra == {}
    assert settings.from_file_ok is True


def test_defaults_do_not_share_the_timebox_dict():
    first, second = Settings(), Settings()
    first.timebox_minutes["questions"] = 99
    assert second.timebox_minutes["questions"] == 25


def test_settings_path_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert settings_path() == tmp_path / "xdg" / "backplan" / "settings.toml"


def test_missing_file_gives_defaults_and_no_problem(path):
    settings, problem = load_settings(path)
    assert problem is None
    assert settings == Settings()
    assert settings.from_file_ok is True
    assert not path.exists()


def test_round_trip(path):
    saved = Settings(
        theme="backplan-projector",
        facilitator="Ana María",
        timebox_minutes={"future_state": 15, "questions": 30, "reverse_map": 45, "pilots": 20},
        votes_per_person=5,
        autosave_delay=2.5,
    )
    save_settings(path, saved)
    loaded, problem = load_settings(path)
    assert problem is None
    assert loaded == saved
    assert loaded.from_file_ok is True
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == "backplan-projector"
    assert data["timebox_minutes"]["reverse_map"] == 45
    assert data["autosave_delay"] == 2.5


def test_a_partial_file_fills_in_defaults(path):
    write(path, 'theme = "backplan-light"\n[timebox_minutes]\nquestions = 10\n')
    settings, problem = load_settings(path)
    assert problem is None
    assert settings.theme == "backplan-light"
    assert settings.votes_per_person == 3
    assert settings.timebox_minutes == {**DEFAULT_TIMEBOXES, "questions": 10}


def test_files_are_0600_and_new_folders_0700(path):
    save_settings(path, Settings())
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path.parent.parent) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]  # no temp left


def test_save_tightens_an_existing_0644_file(path):
    write(path, 'theme = "backplan-dark"\n')
    os.chmod(path, 0o644)
    save_settings(path, Settings(theme="backplan-light"))
    assert mode(path) == 0o600
    assert load_settings(path)[0].theme == "backplan-light"


def test_bad_toml_gives_defaults_a_problem_and_leaves_the_file(path):
    before = write(path, 'theme = "backplan-light"\nvotes_per_person = \n')
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert settings.from_file_ok is False
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"{path}: (toml): ")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("votes_per_person = 13\n", "votes_per_person"),
        ("votes_per_person = 0\n", "votes_per_person"),
        ("votes_per_person = true\n", "votes_per_person"),
        ("votes_per_person = 2.5\n", "votes_per_person"),
        ("autosave_delay = 0.1\n", "autosave_delay"),
        ("autosave_delay = 11\n", "autosave_delay"),
        ("autosave_delay = nan\n", "autosave_delay"),
        ('autosave_delay = "1"\n', "autosave_delay"),
        ("theme = 3\n", "theme"),
        ('theme = "my theme [b]"\n', "theme"),
        ("facilitator = 7\n", "facilitator"),
        ("name = 7\n", "name"),
        (f'name = "{"n" * 61}"\n', "name"),
        ('timebox_minutes = "lots"\n', "timebox_minutes"),
        ("[timebox_minutes]\nquestions = 0\n", "timebox_minutes.questions"),
        ("[timebox_minutes]\npilots = 121\n", "timebox_minutes.pilots"),
        ('[timebox_minutes]\npilots = "30"\n', "timebox_minutes.pilots"),
        ("owner_max_at_once = 0\n", "owner_max_at_once"),
        ("owner_max_at_once = 21\n", "owner_max_at_once"),
        ("owner_max_share = 9\n", "owner_max_share"),
        ("owner_max_share = 1.5\n", "owner_max_share"),
    ],
)
def test_out_of_range_values(path, text, field):
    before = write(path, 'theme = "backplan-sunrise"\n' + text if "theme" not in text else text)
    settings, problem = load_settings(path)
    assert problem is not None
    assert problem.startswith(f"{path}: {field}: ")
    assert settings.from_file_ok is False
    assert path.read_bytes() == before
    if "theme" not in text:
        assert settings.theme == "backplan-sunrise"  # the good fields are kept
    assert settings.votes_per_person == 3 or "votes" not in field
    assert settings.autosave_delay == 1.0 or "autosave" not in field
    if field.startswith("timebox"):
        assert settings.timebox_minutes == DEFAULT_TIMEBOXES


def test_range_edges_are_accepted(path):
    write(
        path,
        "votes_per_person = 12\nautosave_delay = 0.2\n"
        "[timebox_minutes]\nquestions = 1\npilots = 120\n",
    )
    settings, problem = load_settings(path)
    assert problem is None
    assert (settings.votes_per_person, settings.autosave_delay) == (12, 0.2)
    assert settings.timebox_minutes["questions"] == 1
    assert settings.timebox_minutes["pilots"] == 120


def test_several_problems_are_counted_in_one_line(path):
    write(path, "votes_per_person = 99\nautosave_delay = 99\n")
    settings, problem = load_settings(path)
    assert problem == (
        f"{path}: votes_per_person: must be a whole number from 1 to 12 (and 1 more); "
        "using the default there"
    )
    assert (settings.votes_per_person, settings.autosave_delay) == (3, 1.0)


def test_control_characters_are_removed_from_the_facilitator(path):
    write(path, 'facilitator = "Ana\\u0007 \\u001b[31mBo"\n')
    settings, problem = load_settings(path)
    assert problem is None
    assert settings.facilitator == "Ana [31mBo"


def test_not_utf8_and_not_a_file(tmp_path, path):
    path.parent.mkdir(parents=True)
    path.write_bytes(b'facilitator = "caf\xe9"\n')
    settings, problem = load_settings(path)
    assert settings == Settings() and problem == f"{path}: is not UTF-8 text; using defaults"
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    settings, problem = load_settings(folder)
    assert settings.from_file_ok is False
    assert problem == f"{folder}: is not a file; using defaults"


def test_unknown_keys_are_preserved(path):
    write(
        path,
        'theme = "backplan-light"\nfuture_flag = true\nbeta = [1, 2]\n'
        '[plugins.sticky]\ncolour = "yellow"\n'
        "[timebox_minutes]\nquestions = 20\nretro = 15\n",
    )
    settings, problem = load_settings(path)
    assert problem is None
    assert settings.extra == {
        "future_flag": True,
        "beta": [1, 2],
        "plugins": {"sticky": {"colour": "yellow"}},
    }
    assert settings.timebox_minutes["retro"] == 15
    settings.votes_per_person = 4
    save_settings(path, settings)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["future_flag"] is True
    assert data["beta"] == [1, 2]
    assert data["plugins"] == {"sticky": {"colour": "yellow"}}
    assert data["timebox_minutes"]["retro"] == 15
    assert data["votes_per_person"] == 4
    assert data["theme"] == "backplan-light"


def test_saving_invalid_settings_raises_and_writes_nothing(path):
    before = write(path, 'theme = "backplan-light"\n')
    with pytest.raises(ValueError, match="^votes_per_person: "):
        save_settings(path, Settings(votes_per_person=40))
    with pytest.raises(ValueError, match=r"^timebox_minutes\.pilots: "):
        save_settings(path, Settings(timebox_minutes={"pilots": 0}))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


def test_validate_names_the_field():
    Settings().validate()
    with pytest.raises(ValueError, match="^autosave_delay: "):
        Settings(autosave_delay=0).validate()


def test_an_explicit_save_replaces_a_bad_file(path):
    write(path, "this is not toml\n")
    settings, problem = load_settings(path)
    assert problem is not None and settings.from_file_ok is False
    settings.theme = "backplan-projector"
    save_settings(path, settings)
    assert settings.from_file_ok is True
    again, problem = load_settings(path)
    assert problem is None and again.theme == "backplan-projector"


def test_the_name_is_cleaned_and_written_only_when_given(path):
    write(path, 'name = "  Priya\\u0007   R  "\n')
    settings, problem = load_settings(path)
    assert problem is None and settings.name == "Priya R"
    save_settings(path, settings)
    assert tomllib.loads(path.read_text("utf-8"))["name"] == "Priya R"
    settings.name = ""  # empty: the login is used; nothing to write
    save_settings(path, settings)
    assert "name" not in tomllib.loads(path.read_text("utf-8"))


def test_owner_limits_round_trip_and_reach_the_coach(path):
    from backplan_tui.core.owners import Limits

    assert Settings().owner_limits() == Limits(max_at_once=3, max_share=1.0)
    save_settings(path, Settings(owner_max_at_once=5, owner_max_share=80))
    loaded, problem = load_settings(path)
    assert problem is None
    assert (loaded.owner_max_at_once, loaded.owner_max_share) == (5, 80)
    assert loaded.owner_limits() == Limits(max_at_once=5, max_share=0.8)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert (data["owner_max_at_once"], data["owner_max_share"]) == (5, 80)
