"""Sync with the team from the app: in a team folder (a git repository with a remote, see
``core.gitsync``) the app offers ``backplan sync`` when it opens and when it quits.

- **On open**: "Get the team's changes now?": sync now, not now, or always (the setting
  ``team_sync``: ask | always | never).  What arrives shows at once: home lists the sessions
  again and an open session takes the merge in like any other process's save (``team``).
- **On quit**, only when this machine has something the team has not (a session changed
  since the last commit, or commits not pushed): "Share your changes before you go?".  Every
  edit is saved first, as at any quit; the sync runs, then the app ends and says on the
  terminal what the sync did, or why it failed (the edits are saved here either way).
- **Any time**: the palette's "Sync with the team".

While git runs, a small modal says so: no edit can slip in between the save and the sync
(an edit made then would be saved after git read the folder, and at quit, not at all), and
no autosave writes a session file while git merges it.  A participant's app (``serve``,
``--participant``) never syncs: the facilitator's machine does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from backplan_tui.tui.contracts import drawn
from backplan_tui.tui.text import safe_block, toast

if TYPE_CHECKING:
    from backplan_tui.core.gitsync import SyncResult
    from backplan_tui.core.settings import Settings
    from backplan_tui.core.workspace import Workspace

Done = Callable[[str | None, str], None]
"""What runs after a sync: (the error, or None) and the one line that says what happened."""


class SyncingScreen(ModalScreen[None]):
    """ "Syncing with the team..." while git runs; it takes no keys (Ctrl+Q included: the
    quit waits for git, which has a time limit of its own)."""

    BINDINGS = [Binding("ctrl+q", "noop", show=False, priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Static(safe_block("Syncing with the team (git)..."), id="syncing-message")

    def action_noop(self) -> None:
        """Ctrl+Q while git runs: the quit comes when the sync ends."""


class TeamSync(App[None]):
    """The app's part in syncing a team folder (a base of ``BackplanApp``)."""

    workspace: Workspace
    settings: Settings
    participant: bool

    def _init_teamsync(self) -> None:
        self.syncs = 0  # syncs finished, whatever their result (tests wait on it)
        self.sync_running = False
        self._quit_sync_asked = False

    if TYPE_CHECKING:  # the app's and ``saving.Saving``'s

        def save_settings(self, quiet: bool = False) -> bool: ...

        def save_now(self) -> bool: ...

    # --- when to offer ---------------------------------------------------------------------

    def team_folder(self) -> Path | None:
        """The data folder when it is a team folder with a remote, for this app to sync."""
        from backplan_tui.core import gitsync

        root = self.workspace.library.root
        if self.participant or not gitsync.is_team(root):
            return None
        try:
            return root if gitsync.has_remote(root) else None
        except gitsync.GitError:  # no git here: nothing to offer
            return None

    def offer_sync_on_open(self) -> None:
        if self.settings.team_sync == "never" or self.team_folder() is None:
            return
        if self.settings.team_sync == "always":
            self.start_sync(self._tell_sync)
            return
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice == "always":
                self.settings.team_sync = "always"
                self.save_settings(quiet=True)
            if choice in ("sync", "always"):
                self.start_sync(self._tell_sync)

        self.push_screen(
            ChoiceScreen(
                "This data folder is shared with your team through git. Get the team's "
                "changes now (and share yours)?",
                [("s", "sync", "Sync now"), ("a", "always", "Always sync")],
                cancel="Not now",
            ),
            chosen,
        )

    def offer_sync_on_quit(self, quit_now: Callable[[bool], None]) -> bool:
        """Ask before quitting when there is something to share; True when it asked (then
        ``quit_now(sync)`` runs on the answer), False when the quit goes on as usual."""
        if self._quit_sync_asked or self.settings.team_sync == "never":
            return False
        root = self.team_folder()
        if root is None or not self._has_news(root):
            return False
        self._quit_sync_asked = True
        if self.settings.team_sync == "always":
            quit_now(True)
            return True
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice is None:  # Esc: stay; Ctrl+Q asks again
                self._quit_sync_asked = False
                return
            quit_now(choice == "sync")

        self.push_screen(
            ChoiceScreen(
                "You have changes the team does not have yet. Share them before you go?",
                [("s", "sync", "Sync and quit"), ("q", "quit", "Just quit")],
                cancel="Stay",
            ),
            chosen,
        )
        return True

    def _has_news(self, root: Path) -> bool:
        from backplan_tui.core import gitsync

        doc = self.workspace.document
        if doc is not None and doc.dirty and not doc.read_only:
            return True
        try:
            return gitsync.pending(root)
        except gitsync.GitError:
            return False

    # --- syncing ---------------------------------------------------------------------------

    def action_sync(self) -> None:
        """The palette's "Sync with the team"."""
        if self.team_folder() is None:
            toast(
                self,
                "This data folder is not a team folder with a remote: run "
                "backplan team init --remote URL (see README, Run a session as a team).",
                title="Sync",
                severity="warning",
                timeout=8,
            )
            return
        self.start_sync(self._tell_sync)

    def start_sync(self, done: Done) -> None:
        """Save, then sync in a worker behind the "Syncing" modal; ``done`` runs after."""
        root = self.team_folder()
        if root is None or self.sync_running:
            return
        doc = self.workspace.document
        if doc is not None and not doc.read_only:
            self.save_now()
        self.sync_running = True
        self.push_screen(SyncingScreen())
        self._sync(root, done)

    @work(thread=True, group="team-sync", exit_on_error=False)
    def _sync(self, root: Path, done: Done) -> None:
        from backplan_tui.core import gitsync

        result: SyncResult | None = None
        error: str | None = None
        try:
            result = gitsync.sync(root)
        except gitsync.GitError as failed:
            error = str(failed)
        except Exception as failed:  # noqa: BLE001 - said to the room, the app goes on
            error = f"sync failed: {failed}"
        line = f"Synced: {result.describe()}." if result is not None else f"Not synced: {error}"
        self.call_from_thread(self._synced, error, line, done)

    def _synced(self, error: str | None, line: str, done: Done) -> None:
        self.sync_running = False
        self.syncs += 1
        if isinstance(self.screen, SyncingScreen):
            self.screen.dismiss()
        self._after_sync()
        # After this call returns: the worker ends first, then ``done`` (which may exit the app;
        # ending the app inside the worker's call would cancel the worker mid-way).
        self.call_later(done, error, line)

    def _after_sync(self) -> None:
        """What came in shows: home lists the sessions again (an open session takes the
        merge in at its next look at the disk, ``team``)."""
        from backplan_tui.tui.screens.home import HomeScreen

        for screen in drawn(self.screen_stack, HomeScreen):
            screen.reload()

    def _tell_sync(self, error: str | None, line: str) -> None:
        if error is None:
            toast(self, line, title="Team", timeout=6)
        else:
            toast(self, line, title="Team", severity="error", timeout=10)


def sync_command(app: Any) -> tuple[str, str, Callable[[], None]] | None:
    """The palette's system command, when the data folder is a team folder."""
    if not isinstance(app, TeamSync) or app.team_folder() is None:
        return None
    return ("Sync with the team", "Commit, pull the team's changes, push (git)", app.action_sync)
