"""Where backplan keeps its files.  Nothing here creates a directory except ``ensure_dir``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "BACKPLAN_HOME"
APP_NAME = "backplan"
DIR_MODE = 0o700


def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory: ``override`` > ``$BACKPLAN_HOME`` > the platform's user data dir.

    Always absolute (``~`` expanded, resolved).  Not created here.
    """
    if override is not None and str(override) != "":
        return _absolute(override)
    env = os.environ.get(ENV_VAR, "")
    if env:
        return _absolute(env)
    return _absolute(platformdirs.user_data_path(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings and user themes live here (``settings.toml``, ``themes/*.toml``).  Not created."""
    return _absolute(platformdirs.user_config_path(APP_NAME, appauthor=False))


def ensure_dir(path: Path) -> Path:
    """``mkdir -p`` where every directory created is 0700, whatever the umask.

    An existing ``path`` is tightened to 0700 (its parents are left alone).
    """
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise
        os.chmod(directory, DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a directory")
    if (path.stat().st_mode & 0o777) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path
