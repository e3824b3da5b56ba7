"""The Conflicts dialog (``!`` on every step screen): each conflict in words, one key each.

A merge that met two edits of one field kept ours in place and theirs aside
(``core.conflicts``).  Here the room reads every one (what, which field, yours, theirs, and
whose) and settles the highlighted one: ``m`` keeps yours, ``t`` takes theirs.  Settling is
an edit like any other: one undo step (Ctrl+Z, here or on the step screen, brings the
conflict back), autosaved.  A read-only session shows the list and refuses to settle, saying
why.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backplan_tui.core import conflicts
from backplan_tui.core.textclean import clean_line, shorten
from backplan_tui.tui import readonly
from backplan_tui.tui.text import safe, toast
from backplan_tui.tui.typed import BackplanModal

VALUE_CHARS = 160  # a value in a toast is cut here (the item's screen shows it all)
LINE_CHARS = 64  # each line of a conflict fits the dialog (78 columns) on one line


def _cut(text: str, room: int) -> str:
    return shorten(" ".join(clean_line(text).split()), max(room, 8))


def conflict_option(shown: conflicts.Shown) -> Content:
    """Three lines, each cut to fit the dialog: what and which field; yours; theirs, and
    whose."""
    label = conflicts.whose(shown.by)
    width = max(len("yours"), len(label)) + 2
    field = _cut(shown.field, 24)
    what = _cut(shown.what, LINE_CHARS - len(field) - 5)
    room = LINE_CHARS - width - 2
    return Content("\n").join(
        [
            Content.assemble(("⚠ ", "bold"), safe(what, "bold"), " · ", safe(field)),
            Content.assemble(("  " + "yours:".ljust(width), "dim"), safe(_cut(shown.mine, room))),
            Content.assemble(
                ("  " + f"{label}:".ljust(width), "dim"), safe(_cut(shown.theirs, room))
            ),
        ]
    )


class ConflictsScreen(BackplanModal[None]):
    """Every conflict of the open session; ``m`` keeps yours, ``t`` takes theirs."""

    BINDINGS = [
        Binding("m", "settle('mine')", "Keep mine", id="conflicts.mine"),
        Binding("t", "settle('theirs')", "Take theirs", id="conflicts.theirs"),
        Binding("ctrl+z", "undo", "Undo", id="conflicts.undo"),
        Binding("escape", "close", "Close", id="conflicts.close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-dialog", classes="dialog"):
            yield Static(id="conflicts-title", classes="dialog-title")
            yield OptionList(id="conflict-list")
            yield Static(id="conflicts-hint", classes="hint")

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self, highlight: int = 0) -> None:
        session = self.backplan.session
        shown = conflicts.describe_all(session)
        count = len(shown)
        title = "[b]Conflicts[/b]" + (
            f" — {count} to resolve" if count else " — none left to resolve"
        )
        self.query_one("#conflicts-title", Static).update(Content.from_markup(title))
        if self.backplan.document is not None and self.backplan.document.read_only:
            hint = readonly.reason(self.app) + " Esc closes."
        elif count:
            hint = "m keep yours · t take theirs · Ctrl+Z undo · Esc close"
        else:
            hint = "Both sides agree everywhere. Ctrl+Z undo · Esc close"
        self.query_one("#conflicts-hint", Static).update(safe(hint))
        listing = self.query_one(OptionList)
        listing.clear_options()
        for number, item in enumerate(shown):
            if number:
                listing.add_option(None)  # a rule between two conflicts
            listing.add_option(Option(conflict_option(item)))
        if not shown:
            listing.add_option(
                Option(Content("No conflicts: every field has one value."), disabled=True)
            )
            return
        listing.highlighted = min(max(highlight, 0), count - 1)

    def action_settle(self, choice: str) -> None:
        app = self.backplan
        doc = app.document
        if doc is None:
            return
        if doc.read_only:
            toast(self, readonly.refusal(app), title="Read-only", severity="warning", timeout=6)
            return
        index = self.query_one(OptionList).highlighted
        session = doc.session
        if index is None or not 0 <= index < len(session.conflicts):
            return
        shown = conflicts.describe(session, index)
        try:
            settled = conflicts.resolve(session, index, "theirs" if choice == "theirs" else "mine")
        except conflicts.ResolveError as error:
            toast(self, f"Nothing changed: {error}", title="Not resolved", severity="error")
            return
        where = f"{clean_line(shown.field)} of {clean_line(shown.what)}"
        if choice == "theirs":
            theirs = conflicts.whose(shown.by)
            label = f"take {theirs} {where}"
            message = f"Took {theirs} {where}: {shorten(shown.theirs, VALUE_CHARS)}"
        else:
            label = f"keep yours: {where}"
            message = f"Kept yours: {where} stays {shorten(shown.mine, VALUE_CHARS)}"
        app.workspace.replace_session(settled)
        app.changed(label)
        toast(self, message, title="Conflict resolved", timeout=5)
        self.refresh_list(index)

    def action_undo(self) -> None:
        app = self.backplan
        if app.document is None:
            return
        if app.document.read_only:
            toast(self, readonly.refusal(app), title="Read-only", severity="warning", timeout=6)
            return
        label = app.undo()
        toast(self, f"Undone: {label}" if label else "Nothing to undo.", timeout=2)
        self.refresh_list(self.query_one(OptionList).highlighted or 0)

    def action_close(self) -> None:
        self.dismiss(None)
