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
    """Left-aligned columns, two spaces apart; cells are single lines without controls.

    Worked out column by column (10,000 rows: issue 21): a column whose text is printable
    needs no cleaning, one of ASCII is as wide as its text is long, and only the cells of
    other columns are measured one by one."""
    if not rows:
        out("", stream)
        return
    cols = [list(col) for col in zip(*rows, strict=True)]
    widths: list[int] = []
    shift: list[list[int] | None] = []  # a cell's width minus its length, where they differ
    for n, col in enumerate(cols):
        joined = "".join(col)
        if not joined.isprintable():
            cols[n] = col = [clean_line(cell) for cell in col]
            joined = "".join(col)
        if joined.isascii():
            widths.append(max(map(len, col)))
            shift.append(None)
            continue
        sizes = [len(cell) if cell.isascii() else cell_width(cell) for cell in col]
        widths.append(max(sizes))
        differ = [size - len(cell) for size, cell in zip(sizes, col, strict=True)]
        shift.append(differ if any(differ) else None)
    padded = [
        [cell.ljust(width) for cell in col]
        if differ is None
        else [cell.ljust(width - d) for cell, d in zip(col, differ, strict=True)]
        for col, width, differ in zip(cols[:-1], widths, shift, strict=False)
    ]
    lines = ["  ".join(parts).rstrip() for parts in zip(*padded, cols[-1], strict=True)]
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
