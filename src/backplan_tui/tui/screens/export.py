"""Export from the app: choose a format and a path; asks before overwriting; written in a
worker thread, atomically (0600); a toast says where it went or why it could not.

Besides the exports, the progress report for leaders (``core.report``, Markdown or HTML):
once it is written its mark (``ReportMark``) is recorded in the session like any edit (the
open session through the workspace, one that is not open through the library), so the next
report says what moved since this one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App

from backplan_tui.core.export import FORMATS, render, write_atomic
from backplan_tui.core.model import ReportMark, Session
from backplan_tui.core.storage import slugify
from backplan_tui.tui.text import toast

# The progress report's choices in the format list: value -> (the file's suffix, label).
REPORTS: dict[str, tuple[str, str]] = {
    "report-md": ("md", "Progress report, Markdown (.md) — for leaders"),
    "report-html": ("html", "Progress report, HTML (.html) — one printed page"),
}
REPORT_STEM = "-report"

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
    stem = slugify(session.title) or "session"
    if fmt in REPORTS:
        stem, fmt = stem + REPORT_STEM, REPORTS[fmt][0]
    return (folder or default_folder()) / f"{stem}.{fmt}"


def with_format(path_text: str, fmt: str, *, rename: bool = False) -> str:
    """``path_text`` with its export suffix (.md, .html ...) changed to ``fmt``'s; a name
    the user gave some other suffix is left alone.  ``rename`` (the format just chosen in
    the form): a report's name ends in "-report" (``plan.md`` -> ``plan-report.md`` and
    back); the name the form is sent with is kept as typed."""
    path = Path(path_text)
    report = fmt in REPORTS
    suffix = REPORTS[fmt][0] if report else fmt
    if path.suffix.lstrip(".") not in FORMATS:
        return path_text
    stem = path.stem
    if rename and report and not stem.endswith(REPORT_STEM):
        stem += REPORT_STEM
    elif rename and not report and stem.endswith(REPORT_STEM):
        stem = stem.removesuffix(REPORT_STEM) or stem
    return str(path.with_name(f"{stem}.{suffix}"))


def open_export(app: App[Any], session: Session, today: date, fmt: str = "md") -> None:
    """The export form; ``fmt`` is the format chosen at first (``report-md`` from Track's
    ``p``)."""
    from textual.widgets import Input

    from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
    from backplan_tui.tui.widgets.form import Field

    settings = getattr(app, "settings", None)  # a BackplanApp's; remembered across starts

    def format_chosen(form: FormScreen, name: str, value: Any) -> None:
        """The file name follows the format as it is chosen (``…q3.md`` -> ``.html``)."""
        if name == "format" and isinstance(value, str):
            field = form.query_one("#field-path", Input)
            field.value = with_format(field.value, value, rename=True)

    fields = [
        Field(
            "format",
            "Format",
            kind="choice",
            required=True,
            choices=[(FORMAT_LABELS[f], f) for f in FORMATS]
            + [(label, value) for value, (_, label) in REPORTS.items()],
        ),
        Field("path", "Save to", required=True),
    ]
    folder = default_folder(getattr(settings, "export_folder", ""))
    values = {"format": fmt, "path": str(default_path(session, fmt, folder))}

    def chosen(result: dict[str, Any] | None) -> None:
        if result is None:
            return
        fmt = result["format"]
        path = Path(with_format(result["path"], fmt)).expanduser()
        if not path.is_absolute():
            path = folder / path

        def write() -> None:
            if fmt in REPORTS:
                _report_in_background(app, copy.deepcopy(session), fmt, path, today, remember)
                return
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
            hint="The file is written in one step, readable only by you (0600). A progress "
            "report remembers when it was made: the next says what moved since.",
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


def _report_in_background(
    app: App[Any],
    session: Session,
    fmt: str,
    path: Path,
    today: date,
    done: Callable[[Path], None] | None = None,
) -> None:
    """The progress report written in a worker; then its mark recorded (``record_report``)."""
    from backplan_tui.core import report, schedule

    workspace = getattr(app, "workspace", None)
    by = str(getattr(workspace, "name", "") or "")

    def work() -> None:
        try:
            plan = schedule.compute(session, today)
            facts = report.build(session, today, plan, report.last_mark(session))
            if REPORTS[fmt][0] == "html":
                from backplan_tui.core.export.report_html import render_report
            else:
                from backplan_tui.core.export.report_md import render_report
            written = write_atomic(path, render_report(facts))
        except (OSError, ValueError) as error:
            app.call_from_thread(
                toast,
                app,
                f"{path}: {getattr(error, 'strerror', None) or error}",
                title="Report failed",
                severity="error",
                timeout=10,
            )
            return
        mark = report.make_mark(session, today, plan, by)
        app.call_from_thread(record_report, app, session.id, mark)
        app.call_from_thread(
            toast, app, f"Progress report written to {written}", title="Report", timeout=6
        )
        if done is not None:
            app.call_from_thread(done, Path(written).parent)

    app.run_worker(work, thread=True, group="export", exit_on_error=False)


def record_report(app: App[Any], session_id: str, mark: ReportMark) -> None:
    """Keep ``mark`` as the session's only report mark: in the open session as an edit (saved
    like any other), else in the session's file through the library.  A read-only session
    keeps none (the report is written all the same)."""
    from backplan_tui.core.storage import StoreError

    workspace = getattr(app, "workspace", None)
    if workspace is None:
        return
    doc = workspace.document
    if doc is not None and doc.session.id == session_id:
        if doc.read_only:
            return
        doc.session.reports = [mark]
        app.changed("progress report")  # type: ignore[attr-defined]
        return
    try:
        workspace.library.record_report(session_id, mark)
    except (StoreError, OSError, ValueError) as error:
        toast(
            app,
            f"The report was written, but when it was made could not be kept: {error}",
            title="Report",
            severity="warning",
            timeout=8,
        )
