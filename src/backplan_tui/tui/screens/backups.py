"""The kept revisions of one session: Enter restores the highlighted one (as a new revision,
so the restore itself can be undone by restoring again), holding the session's lock."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backplan_tui.core.store import StoreError
from backplan_tui.tui.text import fmt, toast


class BackupsScreen(ModalScreen[str | None]):
    """Result: the id of the restored session, or None."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="backups.close"),
        Binding("enter", "restore", "Restore", id="backups.restore", priority=True),
    ]

    def __init__(self, session_id: str, title: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.session_title = title
        self.entries: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="backups-dialog", classes="dialog"):
            yield Static(
                fmt("[b]Backups of[/b] $t — Enter restores one", t=self.session_title),
                classes="dialog-title",
            )
            yield DataTable(id="backup-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                "A restore is saved as a new revision; the current one stays in the backups.",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        store: Any = self.app.store  # type: ignore[attr-defined]
        table = self.query_one(DataTable)
        table.add_columns("Revision", "Saved (UTC)", "Size")
        try:
            self.entries = [e for e in store.backups(self.session_id) if e.kind == "revision"]
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot list backups", severity="error")
        for entry in self.entries:
            saved = entry.saved.strftime("%Y-%m-%d %H:%M") if entry.saved else "?"
            table.add_row(
                Text(str(entry.revision), justify="right"),
                Text(saved),
                Text(f"{entry.size / 1024:.1f} KB", justify="right"),
            )
        if not self.entries:
            table.add_row(Text(""), Text("No backups yet: one is kept each time a save"), Text(""))
        table.focus()

    def action_restore(self) -> None:
        table = self.query_one(DataTable)
        if not self.entries or table.row_count == 0:
            return
        entry = self.entries[min(table.cursor_row, len(self.entries) - 1)]
        store: Any = self.app.store  # type: ignore[attr-defined]
        try:
            with store.lock(self.session_id):
                restored = store.restore(self.session_id, entry.revision)
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
