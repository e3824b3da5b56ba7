"""What the command line's modules share: printing user text safely, and the run's store.

Light on purpose: ``backplan`` with no arguments and ``backplan list`` import it at start.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from backplan_tui.core import paths
from backplan_tui.core.textclean import cell_width, clean_line, clean_text

if TYPE_CHECKING:
    import argparse

    from backplan_tui.core.owners import Limits
    from backplan_tui.core.storage import SessionStore
    from backplan_tui.core.workspace.library import Library

PROG = "backplan"
USAGE_ERROR = 2
ERROR = 1


def out(text: str = "", stream: TextIO | None = None) -> None:
    """Print text that may hold user data: control characters are stripped first."""
    (stream or sys.stdout).write(clean_text(text) + "\n")


def columns(rows: list[list[str]], stream: TextIO | None = None) -> None:
    """Left-aligned columns, two spaces apart; cells are single lines without controls."""
    cleaned = [[clean_line(cell) for cell in row] for row in rows]
    sizes = [[cell_width(cell) for cell in row] for row in cleaned]
    widths = [max(column) for column in zip(*sizes, strict=True)]
    lines = []
    for row, row_sizes in zip(cleaned, sizes, strict=True):
        padded = [cell + " " * (widths[i] - row_sizes[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    out("\n".join(lines), stream)  # one write (the cells are clean: one line each)


def store_of(args: argparse.Namespace) -> SessionStore:
    """The store of this run (one per command, so its warnings can be printed at the end)."""
    store = getattr(args, "_store", None)
    if store is None:
        from backplan_tui.core.storage import SessionStore

        store = SessionStore(paths.data_dir(args.data_dir))
        args._store = store
    return store


def library_of(store: SessionStore) -> Library:
    """Every write goes through the library (``core.workspace``), as in the app."""
    from backplan_tui.core.workspace.library import Library

    return Library(store)


def owner_limits() -> Limits:
    """When the coach flags an owner: the user's settings (the defaults when the settings
    file is missing or has bad values there), as in the app."""
    from backplan_tui.core.settings import load_settings, settings_path

    settings, _problem = load_settings(settings_path())
    return settings.owner_limits()
