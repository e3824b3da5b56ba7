"""Export from the app: choose a format and a path; asks before overwriting; written in a
worker thread, atomically (0600); a toast says where it went or why it could not."""

from __future__ import annotations

import copy
from collections.abc import Callable
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


def default_folder(remembered: str = "") -> Path:
    """Where an export goes: the folder of the last export while it exists, else the user's
    Downloads folder, else home (never the directory the app happened to start in)."""
    candidates = [Path(remembered).expanduser()] if remembered else []
    candidates += [Path.home() / "Downloads", Path.home()]
    return next((folder for folder in candidates if folder.is_dir()), Path.home())


def default_path(session: Session, fmt: str, folder: Path | None = None) -> Path:
    return (folder or default_folder()) / f"{slugify(session.title) or 'session'}.{fmt}"


def with_format(path_text: str, fmt: str) -> str:
    """``path_text`` with its export suffix (.md, .html ...) changed to ``fmt``'s; a name
    the user gave some other suffix is left alone."""
    path = Path(path_text)
    if path.suffix.lstrip(".") in FORMATS and path.suffix != f".{fmt}":
        return str(path.with_suffix(f".{fmt}"))
    return path_text


def open_export(app: App[Any], session: Session, today: date) -> None:
    from textual.widgets import Input

    from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
    from backplan_tui.tui.widgets.form import Field

    settings = getattr(app, "settings", None)  # a BackplanApp's; remembered across starts

    def format_chosen(form: FormScreen, name: str, value: Any) -> None:
        """The file name follows the format as it is chosen (``…q3.md`` -> ``.html``)."""
        if name == "format" and isinstance(value, str):
            field = form.query_one("#field-path", Input)
            field.value = with_format(field.value, value)

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
    folder = default_folder(getattr(settings, "export_folder", ""))
    values = {"format": "md", "path": str(default_path(session, "md", folder))}

    def chosen(result: dict[str, Any] | None) -> None:
        if result is None:
            return
        fmt = result["format"]
        path = Path(with_format(result["path"], fmt)).expanduser()
        if not path.is_absolute():
            path = folder / path

        def write() -> None:
            _export_in_background(app, copy.deepcopy(session), fmt, path, today, remember)

        if path.exists() or path.is_symlink():

            def confirmed(yes: bool | None) -> None:
                if yes:
                    write()

            app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", yes="Replace"), confirmed)
        else:
            write()

    def remember(where: Path) -> None:
        if settings is None or str(where) == settings.export_folder:
            return
        settings.export_folder = str(where)
        if settings.from_file_ok:  # a damaged settings file waits for an explicit save
            app.save_settings(quiet=True)  # type: ignore[attr-defined]

    app.push_screen(
        FormScreen(
            "Export the plan",
            fields,
            values,
            submit_label="Export",
            hint="The file is written in one step, readable only by you (0600).",
            on_choice=format_chosen,
        ),
        chosen,
    )


def _export_in_background(
    app: App[Any],
    session: Session,
    fmt: str,
    path: Path,
    today: date,
    done: Callable[[Path], None] | None = None,
) -> None:
    limits = getattr(getattr(app, "workspace", None), "owner_limits", None)  # the settings'

    def work() -> None:
        try:
            output = render(fmt, session, today, limits=limits)
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
        if done is not None:
            app.call_from_thread(done, Path(written).parent)

    app.run_worker(work, thread=True, group="export", exit_on_error=False)
