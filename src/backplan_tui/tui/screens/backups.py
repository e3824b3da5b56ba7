"""The kept revisions of one session: when, how long ago, and what the next version changed;
Enter restores the highlighted one (as a new revision, so the restore itself can be undone by
restoring again), holding the session's lock.

What changed needs every backup parsed: that runs in a worker, and the rows show when and how
long ago at once, their "changed" cell filled in when it is done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from backplan_tui.core.storage import StoreError
from backplan_tui.tui.text import cell, fmt, safe, toast
from backplan_tui.tui.typed import BackplanModal

CHANGED_WIDTH = 60  # a cell holds this much; the line under the table shows it all


def _local_now() -> datetime:
    return datetime.now().astimezone()


class BackupsScreen(BackplanModal[str | None]):
    """Result: the id of the restored session, or None."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="backups.close"),
        Binding("enter", "restore", "Restore", id="backups.restore", priority=True),
    ]

    def __init__(
        self, session_id: str, title: str, *, now: Callable[[], datetime] = _local_now
    ) -> None:
        super().__init__()
        self.session_id = session_id
        self.session_title = title
        self.now = now  # an aware datetime in the reader's zone (tests pass a fixed one)
        self.entries: list[Any] = []
        self.changed: dict[int, str] = {}  # row -> what the next version changed

    def compose(self) -> ComposeResult:
        with Vertical(id="backups-dialog", classes="dialog"):
            yield Static(
                fmt("[b]Backups of[/b] $t — Enter restores one", t=self.session_title),
                classes="dialog-title",
            )
            yield DataTable(id="backup-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="backup-changed", classes="hint")
            yield Static(
                "Kept: every save of the last hour, one an hour for 2 days, one a day for 60 "
                "days. A restore is saved as a new revision; the current one stays here.",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        from backplan_tui.core.history import age_text

        library = self.backplan.workspace.library
        table = self.query_one(DataTable)
        table.add_column("Revision", key="revision")
        table.add_column("Saved", key="saved")
        table.add_column("Age", key="age")
        table.add_column("Changed after it", key="changed")
        try:
            self.entries = [e for e in library.backups(self.session_id) if e.kind == "revision"]
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot list backups", severity="error")
        now = self.now()
        for row, entry in enumerate(self.entries):
            saved = entry.saved
            table.add_row(
                Text(str(entry.revision), justify="right"),
                Text(saved.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M") if saved else "?"),
                Text(age_text(saved, now) if saved else ""),
                Text("…", style="dim"),
                key=str(row),
            )
        if not self.entries:
            table.add_row(
                Text(""),
                Text("No backups yet: one is kept each time a save changes the plan"),
                Text(""),
                Text(""),
            )
        else:
            self._describe(now)
        table.focus()

    @work(thread=True, exclusive=True, group="backups", exit_on_error=False)
    def _describe(self, now: datetime) -> None:
        """Parse the backups off the UI thread; then fill in what each next version changed."""
        try:
            lines = self.backplan.workspace.library.backup_history(self.session_id, now)
        except (StoreError, OSError):
            return
        by_path = {line.entry.path: line.changed for line in lines}
        changed = {row: by_path.get(entry.path, "") for row, entry in enumerate(self.entries)}
        self.app.call_from_thread(self._show_changed, changed)

    def _show_changed(self, changed: dict[int, str]) -> None:
        self.changed = changed
        table = self.query_one(DataTable)
        for row, text in changed.items():
            table.update_cell(str(row), "changed", cell(text, width=CHANGED_WIDTH))
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one(DataTable)
        text = self.changed.get(table.cursor_row, "")
        self.query_one("#backup-changed", Static).update(
            safe(f"Changed after it: {text}") if text else safe("")
        )

    def action_restore(self) -> None:
        table = self.query_one(DataTable)
        if not self.entries or table.row_count == 0:
            return
        entry = self.entries[min(table.cursor_row, len(self.entries) - 1)]
        try:
            restored = self.backplan.workspace.library.restore(self.session_id, entry.revision)
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot restore", severity="error", timeout=8)
            return
        toast(
            self,
            f"Restored revision {entry.revision} of {restored.title}; "
            f"it is now revision {restored.revision}.",
            timeout=6,
        )
        self.dismiss(restored.id)

    def action_close(self) -> None:
        self.dismiss(None)
