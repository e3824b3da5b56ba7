"""Exports: one module per format, each ``render(session, today) -> str``.

Every renderer is pure and deterministic: the same session and the same ``today`` give the
same text, byte for byte.  ``today`` is passed in, never read from the clock.  The modules are
imported lazily so that a command exporting one format pays only for that format.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backplan_tui.core.model import Session

# Format name (as typed on the command line) -> module under backplan_tui.core.export.
FORMATS: dict[str, str] = {
    "md": "markdown",
    "html": "html",
    "json": "json",
    "csv": "csv",
    "ics": "ics",
    "txt": "text",
}


def render(fmt: str, session: Session, today: date) -> str:
    """Render ``session`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    module_name = FORMATS.get(fmt)
    if module_name is None:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {fmt!r} (choose from: {choices})")
    module = import_module(f"{__name__}.{module_name}")
    result: str = module.render(session, today)
    return result


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` as a new 0600 file that replaces the old one in one step.

    A symlink at ``path`` is refused (and ``os.replace`` would replace the link itself, never
    write through it); the parent directory must exist.
    """
    path = path.expanduser()
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; refusing to overwrite it")
    if path.is_dir():
        raise OSError(f"{path} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise OSError(f"cannot write {path}: directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path
