"""Export from the app: choose a format and a path; asks before overwriting; written in a
worker thread, atomically (0600); a toast says where it went or why it could not."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App

from backplan_tui.core.export import FORMATS, render, write_atomic
from backplan_tui.core.model import Session
from backplan_tui.core.storage import slugify
from backplan_tui.tui.text import toast

FORMAT_LABELS = {
    "md": "Markdown (.md) — wiki, email",
    "html": "HTML (.html) — print, share; one file",
    "json": "JSON (.json) — the full session",
    "csv": "CSV (.csv) — actions for a spreadsheet",
    "ics": "iCalendar (.ics) — due dates and pilots",
    "txt": "Text (.txt) — plain summary",
}


def default_path(session: Session, fmt: str, folder: Path | None = None) -> Path:
    return (folder or Path.cwd()) / f"{slugify(session.title) or 'session'}.{fmt}"


def open_export(app: App[Any], session: Session, today: date) -> None:
    from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
    from backplan_tui.tui.widgets.form import Field

    fields = [
        Field(
            "format",
            "Format",
            kind="choice",
            required=True,
            choices=[(FORMAT_LABELS[f], f) for f in FORMATS],
        ),
        Field("path", "Save to", required=True),
    ]
    values = {"format": "md", "path": str(default_path(session, "md"))}

    def chosen(result: dict[str, Any] | None) -> None:
        if result is None:
            return
        fmt = result["format"]
        path = Path(result["path"]).expanduser()
        if path.suffix.lstrip(".") in FORMATS and path.suffix != f".{fmt}":
            path = path.with_suffix(f".{fmt}")  # the default name follows the format
        if not path.is_absolute():
            path = Path.cwd() / path

        def write() -> None:
            _export_in_background(app, copy.deepcopy(session), fmt, path, today)

        if path.exists() or path.is_symlink():

            def confirmed(yes: bool | None) -> None:
                if yes:
                    write()

            app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", yes="Replace"), confirmed)
        else:
            write()

    app.push_screen(
        FormScreen(
            "Export the plan",
            fields,
            values,
            submit_label="Export",
            hint="The file is written in one step, readable only by you (0600).",
        ),
        chosen,
    )


def _export_in_background(
    app: App[Any], session: Session, fmt: str, path: Path, today: date
) -> None:
    def work() -> None:
        try:
            output = render(fmt, session, today)
            written = write_atomic(path, output)
        except (OSError, ValueError) as error:
            app.call_from_thread(
                toast,
                app,
                f"{path}: {getattr(error, 'strerror', None) or error}",
                title="Export failed",
                severity="error",
                timeout=10,
            )
            return
        app.call_from_thread(toast, app, f"Exported to {written}", title="Export", timeout=6)

    app.run_worker(work, thread=True, group="export", exit_on_error=False)
