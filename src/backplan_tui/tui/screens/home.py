"""Home: the saved sessions — filter, open, new, duplicate, rename, delete, the demo.

Why one long module: the list, its filter and its reading in a worker (a first start, or the
check of a big folder's index) share one set of entries and the indexes made of them (by id,
shared titles, matches), and every row action lists again; apart, each would reach into the
others' state.  The rows' cells are in ``home_rows``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from backplan_tui.core.gcpause import GcPaused
from backplan_tui.core.storage import SessionEntry, StoreError
from backplan_tui.core.storage.index import Listing, Rows
from backplan_tui.core.textclean import split_names
from backplan_tui.tui.screens.home_rows import (
    COLUMNS,
    NEXT_DUE,
    SharedTitles,
    glance_text,
    new_session_fields,
    row_cells,
    twin_numbers,
)
from backplan_tui.tui.text import fmt, toast
from backplan_tui.tui.typed import BackplanScreen
from backplan_tui.tui.widgets.chrome import Footer, TitleBar
from backplan_tui.tui.widgets.session_list import SessionList

EMPTY_HELP = (
    "No sessions yet.\n\n"
    "Press [b]n[/b] to start a new workshop from a template (HR, training, operations, "
    "or blank),\nor [b]D[/b] to open the demo: a retention plan already in flight."
)


class FilterHint(Static):
    """Where the filter's Input appears: a click starts filtering, as "/" does."""

    async def on_click(self) -> None:
        await self.screen.action_filter()  # type: ignore[attr-defined]


class SessionTable(SessionList):
    BINDINGS = [
        Binding("c", "screen.duplicate", "Duplicate", id="home.duplicate"),
        Binding("r", "screen.rename", "Rename", id="home.rename"),
        Binding("d,delete", "screen.delete", "Delete", id="home.delete"),
    ]


class HomeScreen(BackplanScreen[None]):
    READ_AT_ONCE = 20  # files without a current index record parsed before home shows
    # With more sessions than this, home shows the index's list before it stats the files:
    # a worker checks each record against its file once the screen is painted (stat'ing
    # 10,000 files takes about as long as the rest of the start), and corrects the rows of
    # files changed, gone or new.  Opening a session always reads its file.
    CHECK_LATER_OVER = 2000
    BATCH_SECONDS = 0.2  # a worker reading more adds them to the list about this often
    BINDINGS = [
        Binding("n", "new", "New", id="home.new"),
        Binding("slash", "filter", "Filter", key_display="/", id="home.filter"),
        Binding("D", "demo", "Demo", id="home.demo"),
        Binding("k", "track", "Track", id="home.track"),
        Binding("e", "export", "Export", id="home.export"),
        Binding("b", "backups", "Backups", id="home.backups"),
        Binding("t", "theme", "Theme", id="home.theme"),
        Binding("s", "settings", "Settings", id="home.settings"),
        Binding("u", "undo_delete", "Undo delete", id="home.undo"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # the sessions in the list's order; with a big folder, each entry is made when its
        # row is first drawn (``core.storage.rows``: the index's lines until then)
        self.entries: Rows = Rows.of_entries([])
        self._listed: Rows | None = None  # the entries the indexes below are made of
        self._haystacks: dict[str, str] | None = None  # id -> "title team id", lower-cased
        self._matches: dict[str, list[str]] = {}  # filter text -> ids, for these entries
        self._glance_shown: tuple[SessionEntry, date] | None = None  # what #glance shows
        self.last_trashed: Path | None = None
        self._listing: Listing | None = None  # files being read in a worker (first start)
        self._reload_after: tuple[str | None] | None = None  # a reload asked for meanwhile
        self._shown = False
        self._was_empty: bool | None = None
        # From "/" until the filter's Input has focus: what was typed meanwhile (its text)
        self._typed: list[str] | None = None
        self._opening_filter = False

    def compose(self) -> ComposeResult:
        # TitleBar and chrome.Footer look like Textual's Header and Footer and cost less to
        # start (widgets/chrome.py): home is the screen every start waits for.
        yield TitleBar("◎")
        with Vertical(id="home-body"):
            # The filter's Input is mounted on the first "/" (or click): it costs about 30 ms
            # of start-up, and most visits never filter.
            yield FilterHint("/ filter sessions", id="filter-hint")
            yield SessionTable(COLUMNS, self._row_cells, id="sessions")
            yield Static(id="glance")
            yield Static(Content.from_markup(EMPTY_HELP), id="empty", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "work-backwards planning"
        self.reload()
        self.query_one(SessionTable).focus()

    def on_screen_resume(self) -> None:
        if not self._shown:  # the first show follows on_mount, which has just loaded
            self._shown = True
            return
        # Back from a session: the highlight returns to it, so Enter reopens the same plan
        # (it may have moved: the list is newest first, and the filter may hide it)
        self.reload(select=self.backplan.last_session_id)

    # --- listing ---------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """List the sessions.  Files the index does not cover (a first start, a synced
        folder) are parsed here when they are few (``READ_AT_ONCE``); when there are more,
        home shows what the index had at once and a worker reads the rest, newest first,
        the list growing under a progress line (``_read_pending``)."""
        if self._listing is not None:  # a first read is under way: list again once done
            self._reload_after = (select,)
            return
        today = self.backplan.today()
        listing: Listing | None = None
        with GcPaused() as paused:  # thousands of objects, no cycles: nothing to collect
            try:
                listing = self.backplan.workspace.library.listing(
                    today=today, check_over=self.CHECK_LATER_OVER
                )
                if len(listing.pending) <= self.READ_AT_ONCE and not listing.unchecked:
                    listing.read(len(listing.pending))
                    listing.finish()
                self.entries = listing.sorted_rows()
            except (StoreError, OSError) as error:
                toast(self, str(error), title="Cannot list sessions", severity="error")
                self.entries = Rows.of_entries([])
                listing = None
            self.show_entries(select)
            # A big list at start-up (the app's first): what exists now lives as long as
            # the app, so later collections need not walk it again (``GcPaused``)
            paused.freeze = not self._shown and len(self.entries) > self.CHECK_LATER_OVER
        if listing is not None and listing.unchecked:  # checked once the list is painted
            self._listing = listing
            self.call_after_refresh(self._read_pending, listing)
        elif listing is not None and listing.pending:
            self._listing = listing
            self._show_progress(len(listing.entries), listing.total)
            self._read_pending(listing)
        elif listing is not None and listing.stale:  # counted by the listing: no entry read
            self._refresh_glances(today)

    class SessionsRead(Message):
        """From the worker reading files (``_read_pending``): the rows after the check or
        a batch of new entries, then ``done`` (or ``error``).  Posted, not called: the
        worker never waits for a paint."""

        def __init__(
            self,
            listing: Listing,
            rows: Rows | None,
            *,
            done: bool = False,
            error: str | None = None,
            twins: dict[str, int] | None = None,
        ) -> None:
            super().__init__()
            self.listing = listing
            self.rows = rows  # the sessions listed now (None: as before)
            self.total = listing.total  # counted in the worker's thread, where it reads
            self.read = self.total - len(listing.pending)
            self.done = done
            self.error = error
            # the shared titles' numbers (``twin_numbers``) of ``rows`` when they are index
            # lines not yet made: read in the worker
            self.twins = twins

    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def _read_pending(self, listing: Listing) -> None:
        """Parse the files the index did not cover, in batches of about ``BATCH_SECONDS``,
        off the UI thread; after each batch the list on screen grows (``SessionsRead``).
        An unchecked listing (``CHECK_LATER_OVER``) is checked against the files first:
        the rows of files gone go, those of files changed or new come with the batches."""
        worker = get_current_worker()
        try:
            shared = SharedTitles()
            if listing.unchecked:
                gone, changed = listing.check(lambda: worker.is_cancelled, shared.add)
                if worker.is_cancelled:  # the app quits: the index stays as it was
                    return
                if gone or changed:
                    self.post_message(self.SessionsRead(listing, listing.sorted_rows()))
            while listing.pending:
                started = perf_counter()
                listing.read(1)
                while (
                    listing.pending
                    and perf_counter() - started < self.BATCH_SECONDS
                    and not worker.is_cancelled  # the app quits: at once, not after the batch
                ):
                    listing.read(1)
                if worker.is_cancelled:  # the app quits: keep what was read for next time
                    listing.finish()
                    return
                self.post_message(self.SessionsRead(listing, listing.sorted_rows()))
            listing.finish()  # the index, for the next start
            rows = listing.sorted_rows()
            twins = None
            if listing.rows is not None:  # index lines (a big folder): the titles the check
                # saw and those of the files read since, here, not on the screen's thread
                for entry in listing.entries:
                    shared.add(entry.id, entry.title)
                twins = shared.twins(rows.titles())
            self.post_message(self.SessionsRead(listing, rows, done=True, twins=twins))
        except (StoreError, OSError) as error:
            self.post_message(self.SessionsRead(listing, None, done=True, error=str(error)))

    def on_home_screen_sessions_read(self, message: SessionsRead) -> None:
        listing = message.listing
        if listing is not self._listing:
            return
        if message.rows is not None and (
            message.rows.ids != self.entries.ids or message.twins is not None
        ):
            table = self.query_one(SessionTable)
            at_top = table.cursor_row == 0  # stays on the first row; else on its session
            self.entries = message.rows
            if message.twins is not None:  # read in the worker: none to read here
                self._lazy_twins = (message.rows, message.twins)
                self._listed = None  # the same rows maybe, with their numbers now
            self.show_entries()
            if at_top:
                table.move_cursor(0)
        if message.error is not None:
            toast(self, message.error, title="Cannot list sessions", severity="error")
        if not message.done:
            if message.read < message.total or self.query("#progress"):
                self._show_progress(message.read, message.total)
            return
        self._listing = None
        self._show_progress(None)
        if self._reload_after is not None:  # asked for while reading: list again (cheap now)
            (select,) = self._reload_after
            self._reload_after = None
            self.reload(select)
        elif listing.stale:  # glances of an earlier day (counted, not read): made again
            self._refresh_glances(self.backplan.today())

    def _show_progress(self, done: int | None, total: int = 0) -> None:
        """ "Reading sessions… 340 of 1,000" above the list while a worker reads files;
        mounted only then (``None`` removes it)."""
        found = self.query("#progress")
        if done is None:
            found.remove()
            return
        text = f"Reading sessions… {done:,} of {total:,}"
        if found:
            found.first(Static).update(text)
        else:
            self.query_one("#home-body").mount(
                Static(text, id="progress", markup=False), before=self.query_one(SessionTable)
            )

    @work(thread=True, exclusive=True, group="glances", exit_on_error=False)
    def _refresh_glances(self, today: date) -> None:
        """Health and risks computed on an earlier day: parse those files again, off the UI
        thread (start-up never waits for it), then show the fresh figures."""
        try:
            entries = self.backplan.workspace.library.list(today=today, refresh=True)
        except (StoreError, OSError):
            return  # the list on screen stays; the next reload tries again
        self.app.call_from_thread(self._show_refreshed, entries)

    def _show_refreshed(self, entries: list[SessionEntry]) -> None:
        self.entries = Rows.of_entries(entries)
        self.show_entries()

    def _row_cells(self, session_id: str) -> tuple[Text, ...]:
        entry = self.entries.get(session_id)
        assert entry is not None  # the table shows only the ids of these rows
        return row_cells(entry, self.backplan.today(), self._twins.get(entry.id, 0))

    _twins: dict[str, int] = {}  # replaced, never changed in place
    # id -> 1, 2 ... among the sessions that share a title (by id); others are not in it

    def show_entries(self, select: str | None = None) -> None:
        """List the sessions that match the filter; a row's cells are built when it shows."""
        table = self.query_one(SessionTable)
        keep = select or self.selected_id()
        needle = self.filter_text().strip().lower()
        rows = self.entries
        same_rows = self._listed is rows  # only the filter changed
        if not same_rows:  # new entries: index them (once, not per key)
            self._listed = rows
            self._haystacks = None
            self._matches.clear()
            if rows.lazy():
                # Index lines not yet made (a big folder): the titles come from the worker
                # that checks the lines (``SessionsRead.twins``); until then no row has a
                # twin number, and the Next due column stays (reading every glance to
                # hide it would make every entry)
                known = self._lazy_twins
                self._twins = known[1] if known is not None and known[0] is rows else {}
                dated = True
            else:
                self._twins = twin_numbers((e.id, e.title, e.team) for e in rows)
                # No session has anything dated open: no Next due column, the titles take it
                dated = any(e.glance is not None and e.glance.next_due() for e in rows)
            table.hide_columns(() if dated else (NEXT_DUE,))
        if needle:
            keys = self._matches.get(needle)
            if keys is None:
                keys = self._match(needle)
        else:
            keys = rows.ids
        table.set_rows(keys, select=keep, same_rows=same_rows)
        shown = len(keys)
        if self._was_empty != (shown == 0):  # only when the row actions appear or go
            self._was_empty = shown == 0
            self.refresh_bindings()
        empty = self.query_one("#empty", Static)
        empty.display = not self.entries
        table.display = bool(self.entries)
        if not self.entries:
            empty.update(Content.from_markup(EMPTY_HELP))
        elif shown == 0:
            empty.display = True
            empty.update(fmt("No session matches “$q”. Esc clears the filter.", q=needle))
        self.show_glance()

    def _match(self, needle: str) -> list[str]:
        """The ids whose "title team id" holds ``needle`` (any case).  A longer needle is
        looked for among the matches of a shorter one already found (typing on narrows);
        the results are kept until the entries change (backspace goes back to one)."""
        if self._haystacks is None:  # what the filter searches, lower-cased on first use
            titles = self.entries.titles()
            self._haystacks = {key: f"{title} {team} {key}".lower() for key, title, team in titles}
        haystacks = self._haystacks
        base = self.entries.ids
        for n in range(len(needle) - 1, 0, -1):
            found = self._matches.get(needle[:n])
            if found is not None:
                base = found
                break
        keys = [k for k in base if needle in haystacks[k]]
        if len(self._matches) >= 64:
            self._matches.clear()
        self._matches[needle] = keys
        return keys

    def show_glance(self) -> None:
        """Under the table: the selected session's next due item, risks and health in full."""
        entry = self.selected_entry()
        box = self.query_one("#glance", Static)
        box.display = entry is not None
        if entry is None:
            return
        today = self.backplan.today()
        if self._glance_shown != (entry, today):  # a filter key on the same row: no change
            self._glance_shown = (entry, today)
            twin = self._twins.get(entry.id, 0)
            box.update(glance_text(entry, today, twin), layout=False)  # its height is fixed

    def selected_id(self) -> str | None:
        return self.query_one(SessionTable).cursor_key

    def selected_entry(self) -> SessionEntry | None:
        session_id = self.selected_id()
        return None if session_id is None else self.entries.get(session_id)

    # rows of index lines not yet made, and their shared titles' numbers (from the worker)
    _lazy_twins: tuple[Rows, dict[str, int]] | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Row actions only when a session is selected; undo only after a delete; none
        while the filter opens (the keys typed then are its text, see ``action_filter``)."""
        if self._typed is not None and action != "filter":
            return False
        if action in ("duplicate", "rename", "delete", "track", "export", "backups"):
            return self.selected_entry() is not None
        if action == "undo_delete":
            return self.last_trashed is not None
        return True

    # --- filter ----------------------------------------------------------------------------

    def filter_input(self) -> Any:
        """The filter's Input, or None before the first "/"."""
        found = self.query("#filter")
        return found.first() if found else None

    def filter_text(self) -> str:
        filter_input = self.filter_input()
        return "" if filter_input is None else filter_input.value

    async def action_filter(self) -> None:
        """Focus the filter, mounting its Input the first time.

        A terminal sends "/keep" all at once: the letters reach home (where k is Track)
        before the new Input has focus.  From the "/" (``on_key``) until it has, they are
        kept instead and become its text (``_flush_typed``)."""
        filter_input = self.filter_input()
        if filter_input is None:
            if self._opening_filter:
                return
            from backplan_tui.tui.compat import steady_input_class

            self._opening_filter = True
            if self._typed is None:  # opened by a click or the palette, not by "/"
                self._typed = []
            hint = self.query_one("#filter-hint")
            # an Input that typing does not lay the screen out again (10,000 rows: issue 21)
            filter_input = steady_input_class()(
                placeholder="/ filter sessions", id="filter", compact=True
            )
            await self.query_one("#home-body").mount(filter_input, before=hint)
            await hint.remove()
            self._opening_filter = False
            self.call_after_refresh(self._flush_typed)  # in case focus goes elsewhere
        filter_input.focus()

    def on_descendant_focus(self, event: Any) -> None:
        if event.widget.id == "filter":
            self._flush_typed()

    def _flush_typed(self) -> None:
        """What was typed while the filter opened goes into it; home's keys work again."""
        if self._typed is None:
            return
        typed, self._typed = "".join(self._typed), None
        filter_input = self.filter_input()
        if typed and filter_input is not None:
            filter_input.insert_text_at_cursor(typed)

    def on_input_changed(self, event: Any) -> None:
        if event.input.id == "filter":
            self.show_entries()

    def on_input_submitted(self, event: Any) -> None:
        if event.input.id == "filter":
            self.query_one(SessionTable).focus()

    def on_key(self, event: Any) -> None:
        if self._typed is not None:  # the filter is opening: typing is its text
            if event.key == "backspace" and self._typed:
                self._typed.pop()
            elif event.is_printable and event.character:
                self._typed.append(event.character)
            event.stop()
            return
        filter_input = self.filter_input()
        if filter_input is None:
            if event.key == "slash":  # the binding opens the filter; keep what follows
                self._typed = []
            return
        if event.key == "escape" and (filter_input.has_focus or filter_input.value):
            filter_input.value = ""
            self.query_one(SessionTable).focus()
            event.stop()
        elif event.key == "down" and filter_input.has_focus:
            self.query_one(SessionTable).focus()
            event.stop()

    # --- actions ---------------------------------------------------------------------------

    @on(SessionList.Highlighted, "#sessions")
    def _highlighted(self, event: SessionList.Highlighted) -> None:
        if isinstance(event, SessionList.Selected):
            return  # _open handles it (Selected is a Highlighted)
        self.show_glance()

    @on(SessionList.Selected, "#sessions")
    def _open(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        if entry.damaged:
            toast(
                self,
                f"{entry.path.name} cannot be opened: {entry.damaged}. The file is left untouched.",
                title="Damaged session",
                severity="error",
                timeout=10,
            )
            return
        self.backplan.open_session(entry.id)

    def action_new(self) -> None:
        from backplan_tui.tui.dialogs import FormScreen

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            values["participants"] = split_names(values.get("participants") or "")
            self.backplan.create_session(values)

        self.app.push_screen(
            FormScreen(
                "New workshop session",
                new_session_fields(),
                {"template": "blank", "facilitator": self.backplan.settings.facilitator},
                submit_label="Create",
                hint="A template fills in example content you can edit or delete.",
            ),
            done,
        )

    def action_track(self) -> None:
        entry = self._usable()
        if entry is not None:
            self.backplan.open_session(entry.id, step="track")

    def action_backups(self) -> None:
        from backplan_tui.tui.screens.backups import BackupsScreen

        entry = self.selected_entry()
        if entry is None:
            return

        def done(restored: str | None) -> None:
            if restored:
                self.reload(select=restored)

        self.app.push_screen(BackupsScreen(entry.id, entry.title or entry.id), done)

    def action_export(self) -> None:
        from backplan_tui.tui.screens.export import open_export

        entry = self._usable()
        if entry is None:
            return
        try:
            session = self.backplan.workspace.library.load(entry.id, allow_newer=True)
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot export", severity="error")
            return
        open_export(self.app, session, self.backplan.today())

    def action_theme(self) -> None:
        from backplan_tui.tui.screens.settings import ThemePickerScreen

        self.app.push_screen(ThemePickerScreen())

    def action_settings(self) -> None:
        from backplan_tui.tui.screens.settings import open_settings

        open_settings(self.app)

    def action_demo(self) -> None:
        self.backplan.open_demo()

    def _usable(self) -> SessionEntry | None:
        entry = self.selected_entry()
        if entry is not None and entry.damaged:
            toast(self, "That file is damaged; it is left untouched.", severity="warning")
            return None
        return entry

    def action_duplicate(self) -> None:
        entry = self._usable()
        if entry is None:
            return
        try:
            copy = self.backplan.workspace.library.duplicate(entry.id)
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot duplicate", severity="error")
            return
        self.reload(select=copy.id)
        toast(self, f"Created {copy.title}.", timeout=3)

    def action_rename(self) -> None:
        from backplan_tui.tui.dialogs import FormScreen
        from backplan_tui.tui.widgets.form import Field

        entry = self._usable()
        if entry is None:
            return
        library = self.backplan.workspace.library

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            try:  # refused while the session is open in another window or process
                library.rename(entry.id, values["title"])
            except (StoreError, OSError) as error:
                toast(self, str(error), title="Cannot rename", severity="error")
                return
            self.reload(select=entry.id)

        self.app.push_screen(
            FormScreen(
                fmt("Rename $t", t=entry.title),
                [Field("title", "Title", required=True)],
                {"title": entry.title},
            ),
            done,
        )

    def action_delete(self) -> None:
        from backplan_tui.tui.dialogs import ConfirmScreen

        entry = self._usable()
        if entry is None:
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.last_trashed = self.backplan.workspace.library.delete(entry.id)
            except (StoreError, OSError) as error:
                toast(self, str(error), title="Cannot delete", severity="error")
                return
            self.reload()
            toast(self, f"Moved {entry.title} to the trash. Press u to undo.", timeout=6)

        self.app.push_screen(
            ConfirmScreen(fmt("Move [b]$t[/b] to the trash?", t=entry.title), yes="Delete"), done
        )

    def action_undo_delete(self) -> None:
        if self.last_trashed is None:
            return
        try:
            session_id = self.backplan.workspace.library.undelete(self.last_trashed)
        except (StoreError, OSError) as error:
            toast(self, str(error), title="Cannot undo", severity="error")
            return
        self.last_trashed = None
        self.reload(select=session_id)
        toast(self, "Restored from the trash.", timeout=3)
