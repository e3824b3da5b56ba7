"""Exports: one module per format, each ``render(session, today, facts=None) -> str``.

Every renderer is pure and deterministic: the same session and the same ``today`` give the
same text, byte for byte.  ``today`` is passed in, never read from the clock.  The modules are
imported lazily so that a command exporting one format pays only for that format.

``render`` computes the plan facts (``facts.PlanFacts``: schedule, findings, progress, pilot
flags, action rows) once and passes them to the format; no format recomputes them.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import TYPE_CHECKING

from backplan_tui.core.storage.fileio import write_atomic as write_atomic  # the exports' writer

if TYPE_CHECKING:
    from backplan_tui.core.model import Session
    from backplan_tui.core.owners import Limits

# Format name (as typed on the command line) -> module under backplan_tui.core.export.
FORMATS: dict[str, str] = {
    "md": "markdown",
    "html": "html",
    "json": "json",
    "csv": "csv",
    "ics": "ics",
    "txt": "text",
}


def render(fmt: str, session: Session, today: date, limits: Limits | None = None) -> str:
    """Render ``session`` in format ``fmt`` (a key of :data:`FORMATS`); ``limits``: when the
    coach flags an owner (the user's settings; None: the defaults)."""
    module_name = FORMATS.get(fmt)
    if module_name is None:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {fmt!r} (choose from: {choices})")
    from backplan_tui.core.export.facts import of

    module = import_module(f"{__name__}.{module_name}")
    result: str = module.render(session, today, facts=of(session, today, limits=limits))
    return result
