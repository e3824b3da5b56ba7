"""paths: where the data and config live; directories are 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backplan_tui.core import paths


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_env_var_name():
    assert paths.ENV_VAR == "BACKPLAN_HOME"


def test_override_beats_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPLAN_HOME", str(tmp_path / "from-env"))
    assert paths.data_dir(tmp_path / "override") == tmp_path / "override"
    assert paths.data_dir(str(tmp_path / "as-str")) == tmp_path / "as-str"


def test_env_beats_platform_default(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPLAN_HOME", str(tmp_path / "from-env"))
    assert paths.data_dir() == tmp_path / "from-env"


def test_platform_default_follows_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKPLAN_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_dir() == tmp_path / "xdg" / "backplan"


def test_empty_env_var_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPLAN_HOME", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_dir() == tmp_path / "xdg" / "backplan"


def test_result_is_absolute_with_tilde_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.data_dir("~/plans") == tmp_path / "plans"
    monkeypatch.chdir(tmp_path)
    relative = paths.data_dir("rel/dir")
    assert relative.is_absolute()
    assert relative == tmp_path.resolve() / "rel" / "dir"


def test_data_dir_does_not_create_anything(tmp_path):
    target = tmp_path / "not-yet"
    assert paths.data_dir(target) == target
    assert not target.exists()


def test_config_dir_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert paths.config_dir() == tmp_path / "cfg" / "backplan"
    assert not (tmp_path / "cfg").exists()


def test_ensure_dir_creates_parents_0700_even_with_umask_0(tmp_path):
    old = os.umask(0)
    try:
        target = tmp_path / "a" / "b" / "c"
        assert paths.ensure_dir(target) == target
    finally:
        os.umask(old)
    assert target.is_dir()
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700
    assert mode(target) == 0o700


def test_ensure_dir_tightens_an_existing_dir(tmp_path):
    parent = tmp_path / "parent"
    target = parent / "loose"
    target.mkdir(parents=True)
    parent.chmod(0o755)
    target.chmod(0o755)
    paths.ensure_dir(target)
    assert mode(target) == 0o700
    assert mode(parent) == 0o755  # existing parents are left alone


def test_ensure_dir_refuses_a_file_in_the_way(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        paths.ensure_dir(blocker)
    with pytest.raises(OSError):
        paths.ensure_dir(blocker / "below")
    assert blocker.read_text() == "x"
