"""BackplanApp: the screens, navigation between the workshop steps, settings and themes,
wired to the one :class:`~backplan_tui.core.workspace.Workspace` that owns the open session
and every write.  Its other parts: ``saving`` (edits, autosave, quit), ``timer`` (the
timebox on screen), ``signals`` (ending on SIGTERM/SIGHUP), ``palette``, ``keys``.

Construct it with :func:`create_app` so tests and the headless smoke run choose the data
directory, the clock and the autosave delay; nothing here reads the real user directories
unless asked to.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import Theme

from backplan_tui.core import paths
from backplan_tui.core.basics import ALL_STEPS, STEPS
from backplan_tui.core.settings import load_settings, save_settings
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.core.workspace import Workspace
from backplan_tui.tui import themes
from backplan_tui.tui.keys import APP_BINDINGS
from backplan_tui.tui.palette import BindingsProvider
from backplan_tui.tui.saving import Saving
from backplan_tui.tui.signals import SignalExit
from backplan_tui.tui.team import Team
from backplan_tui.tui.teamsync import TeamSync, sync_command
from backplan_tui.tui.text import plain, toast
from backplan_tui.tui.timer import TimeboxTicker

if TYPE_CHECKING:
    # Imported where first used, once a session opens: start-up needs none of them (with
    # the codec, about 12 ms of imports).
    from backplan_tui.core.document import Document
    from backplan_tui.core.model import Session
    from backplan_tui.core.timebox import Agenda
    from backplan_tui.core.undo import History
    from backplan_tui.core.visits import Visits


LATE_THEMES_DELAY = 0.2
"""Seconds after the first paint before the themes not shown at start are registered."""


class BackplanApp(Saving, TimeboxTicker, Team, TeamSync, SignalExit):
    """The backplan terminal app: composition and wiring.

    The open session and every write belong to one :class:`Workspace` (``core.workspace``);
    the parts of the app are in their own modules: edits and saves (``saving.Saving``), the
    timebox on screen (``timer.TimeboxTicker``), ending on a signal (``signals.SignalExit``),
    the palette (``palette``) and the app's keys (``keys``), several apps in one session
    (``team.Team``: live merges, presence, following the facilitator), syncing a team folder
    through git (``teamsync.TeamSync``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "backplan"
    last_session_id: str | None = None  # the session last closed: home highlights it
    COMMANDS = App.COMMANDS | {BindingsProvider}
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        store: SessionStore,
        *,
        today: Callable[[], date] = date.today,
        open_session: str | None = None,
        demo: bool = False,
        autosave_delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        config_dir: Path | None = None,
        theme: str | None = None,
        name: str | None = None,
        participant: bool = False,
    ) -> None:
        self.config_dir = config_dir
        self._theme_config_dir = config_dir or paths.config_dir()
        self.settings_file = self._theme_config_dir / "settings.toml"
        self.settings, self._settings_problem = load_settings(self.settings_file)
        self._cli_theme = theme
        self._previewing_theme = False
        # Set before App.__init__, which already asks for a theme (get_theme) and for the
        # CSS variables.  _themes_pending: some themes are still to be registered (see
        # ensure_themes), as register_start_theme says below.
        self._themes_pending = False
        self._theme_warnings: list[str] = []
        self._started = False  # on_mount has shown the start-up toasts
        super().__init__()
        self.clock = clock
        self.today = today
        from backplan_tui.core.identity import resolve

        self.workspace = Workspace(
            store,
            today=lambda: self.today(),
            clock=lambda: self.clock(),
            name=resolve(name, getattr(self.settings, "name", None)),
            role="participant" if participant else "facilitator",
        )
        self.workspace.owner_settings = self.settings.owner_limit_values()  # the coach's
        self.autosave_delay = (
            autosave_delay if autosave_delay is not None else self.settings.autosave_delay
        )
        self._initial_session = open_session
        self._initial_demo = demo
        self._init_saving()
        self._init_team(participant)
        self._init_teamsync()
        self._init_signals()  # ending on a signal (see signals.SignalExit)
        self.exit_note = ""  # printed on stderr after exit: where unsaved edits were kept
        self._theme_before_presenter: str | None = None
        self.presenter = False
        # The theme is registered and chosen now, before Textual first parses the
        # stylesheet; on_mount (STYLE.md 7) is too late: the whole CSS was parsed and applied
        # with Textual's default theme, then parsed and applied again with ours.  Only the
        # theme shown is read now (every theme when it may be a user's); the others are
        # registered once the first screen is painted, or when something asks for them first
        # (see ensure_themes).  The warnings wait for on_mount, where they can be shown.
        start = self._cli_theme or self.settings.theme
        complete, warnings = themes.register_start_theme(self, start, self._theme_config_dir)
        self._theme_warnings.extend(warnings)
        self._themes_pending = not complete
        self._theme_fallback = self._start_theme(start)

    # --- start-up --------------------------------------------------------------------------

    def run(self, **kwargs: Any) -> None:
        """``App.run``, after ``gc.freeze()``: what start-up has made so far (the modules,
        Textual's and ours, this app) lives as long as the process, so the garbage collector
        stops going through it.  A full collection that falls before the first paint costs
        20-30 ms otherwise, and every later full collection is shorter too.  (``run_test``
        is left alone: a test process builds many apps.)"""
        import gc

        gc.freeze()
        try:
            return super().run(**kwargs)
        finally:
            if self.exit_note:  # the terminal is restored: say where the edits went
                print(self.exit_note, file=sys.stderr, flush=True)
                self.exited_note_shown = True

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """backplan's own colours ($late, $problem, $timer-overrun ...) for every theme."""
        return themes.theme_variable_defaults(self.current_theme)

    def _start_theme(self, name: str | None) -> str | None:
        """Start in ``name`` (else the default theme), as ``themes.apply_theme`` would, but
        before the app runs: the CSS variables and the App's theme classes are set directly,
        so the first stylesheet parse uses them.  (Setting ``App.theme`` here would queue a
        second full parse and restyle, and its validator asks ``available_themes``, which
        registers every theme, user files included, before the first paint.)  What the
        watcher does is checked against ``App.theme`` on each Textual by
        tests/unit/test_textual_compat.py.  Returns a warning for a toast, or None."""
        from backplan_tui.tui import compat

        name, message = themes.choose_theme(self, name)
        if name is None:
            self.stylesheet.set_variables(self.get_css_variables())
            return message
        self.set_reactive(App.theme, name)
        theme = self.current_theme
        # What setting App.theme does, less its CSS refresh (nothing is parsed or shown yet).
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)
        self.add_class(f"-theme-{name}", update=False)
        compat.refresh_ansi_filter(self)
        self.stylesheet.set_variables(self.get_css_variables())
        return message

    def get_default_screen(self) -> Screen[Any]:
        """Home is the app's first screen (not pushed over Textual's blank default one,
        which cost a screen's mount and styling at every start)."""
        from backplan_tui.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self._start_ticker()
        self._start_team()
        self._started = True
        self._show_theme_warnings(self._theme_warnings)
        self._theme_warnings = []
        if self._theme_fallback:
            toast(self, self._theme_fallback, title="Theme", severity="warning", timeout=8)
        if self._settings_problem:
            toast(self, self._settings_problem, title="Settings", severity="error", timeout=10)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for warning in self.workspace.library.warnings:
            toast(self, warning, title="Data folder", severity="warning", timeout=10)
        self._install_signal_handlers()
        if self._initial_demo:
            self.open_demo()
        elif self._initial_session:
            self.open_session(self._initial_session)
        self.offer_sync_on_open()
        # The other themes: once the first screen is painted, and a moment later still (it
        # may be filling in); anything that needs them before that registers them at once.
        self.call_after_refresh(self.set_timer, LATE_THEMES_DELAY, self.ensure_themes)

    def on_unmount(self) -> None:
        """However the app ends (quit, ``app.exit()``, the end of ``run_test``), its presence
        record goes with it: the others no longer see it in the session."""
        self.workspace.remember_visit()
        self.workspace.release_lock()
        self._restore_signal_handlers()
        self._exited.set()

    # --- settings and themes ---------------------------------------------------------------

    def ensure_themes(self) -> None:
        """Register every theme not registered at start (see ``__init__``); once only.

        Runs shortly after the first paint, or sooner when something needs a theme the app
        does not have yet: ``available_themes`` (the picker's preview, the palette's theme
        list, presenter view) and setting ``App.theme`` both come here first.
        """
        if not self._themes_pending:
            return
        self._themes_pending = False
        warnings = themes.register_themes(self, self._theme_config_dir)
        if self._started:
            self._show_theme_warnings(warnings)
        else:
            self._theme_warnings.extend(warnings)

    def _show_theme_warnings(self, warnings: list[str]) -> None:
        for warning in warnings:
            toast(self, warning, title="Theme skipped", severity="warning", timeout=10)

    @property
    def available_themes(self) -> dict[str, Theme]:
        """Every theme (``App.available_themes``): the late ones are registered first."""
        self.ensure_themes()
        return super().available_themes

    def get_theme(self, theme_name: str) -> Theme | None:
        """``App.get_theme``, which Textual calls for the current theme at every restyle:
        a registered name is found without registering the late themes."""
        theme = super().available_themes.get(theme_name)
        return theme if theme is not None else super().get_theme(theme_name)

    def _remember_theme(self, theme: Any) -> None:
        """Keep the chosen theme for the next start (not while previewing, not presenter)."""
        if self._previewing_theme or self.presenter or self._cli_theme:
            return
        name = getattr(theme, "name", str(theme))
        if name != self.theme:
            return  # a late signal from an earlier preview
        self.keep_theme(name)

    def keep_theme(self, name: str) -> None:
        """Make ``name`` the theme of the next start (saved unless settings.toml is bad)."""
        self._previewing_theme = False
        if name == self.settings.theme:
            return
        self.settings.theme = name
        if self.settings.from_file_ok:  # a damaged settings file waits for an explicit save
            self.save_settings(quiet=True)

    person_given: str | None = None
    """The name given with ``--as NAME`` (set by the command line before the app runs)."""

    @property
    def person_name(self) -> str:
        """Who is at this keyboard: ``--as NAME`` (``person_given``), else the name in
        settings, else the login (``core.identity.resolve``)."""
        from backplan_tui.core import identity

        return identity.resolve(self.person_given, self.settings.name)

    def save_settings(self, quiet: bool = False) -> bool:
        try:
            save_settings(self.settings_file, self.settings)
        except (OSError, ValueError) as error:
            toast(self, str(error), title="Settings not saved", severity="error")
            return False
        if not quiet:
            toast(self, f"Settings saved to {self.settings_file}.", timeout=3)
        return True

    def preview_theme(self, name: str, previewing: bool = True) -> None:
        """Show ``name`` without remembering it (the picker is open while ``previewing``)."""
        self._previewing_theme = previewing
        self.theme = name

    # --- who may do what (everything, here; see tui.participant for the room) --------------

    participant = False
    """A browser participant's app (``tui.participant.ParticipantApp``)."""

    @property
    def voting_as(self) -> str | None:
        """Whose votes the voting screen gives (None: the facilitator picks each voter)."""
        return None

    def refuses(self, action: str) -> str | None:
        """Why ``action`` is not for this app's user (None: it is; screens hide the rest)."""
        return None

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.document is not None and not self.document.read_only:
            yield SystemCommand("Save now", "Save the open session", self.action_save)
        team = sync_command(self)
        if team is not None:
            yield SystemCommand(*team)
        if self.document is not None:
            yield SystemCommand(
                "Owners", "Who owns what, when, and how much at once", self.open_owners
            )
            yield from self._stakeholder_commands(screen)

    def _stakeholder_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The stakeholders and the communication plan, from anywhere in a session."""
        from backplan_tui.tui.screens.stakeholders import StakeholdersScreen

        own_key = any(b.binding.action == "stakeholders" for b in screen.active_bindings.values())
        if not own_key and not isinstance(screen, StakeholdersScreen):  # Track: its own k
            yield SystemCommand(
                "Stakeholders",
                "Stakeholders and the communication plan (k on Track)",
                lambda: self.push_screen(StakeholdersScreen()),
            )

    # --- the open session (the workspace's) ------------------------------------------------

    @property
    def store(self) -> SessionStore:
        """The workspace's store: to read what it says of itself (tests patch it here).
        Nothing in the app writes through it but the workspace."""
        return self.workspace.store

    @property
    def document(self) -> Document | None:
        return self.workspace.document

    @property
    def agenda(self) -> Agenda | None:
        return self.workspace.agenda

    @property
    def history(self) -> History:
        return self.workspace.history

    @property
    def visits(self) -> Visits:
        return self.workspace.visits

    @property
    def since_last_visit(self) -> tuple[list[str], datetime | None]:
        return self.workspace.since_last_visit

    @property
    def session(self) -> Session:
        return self.workspace.session

    def health(self) -> tuple[Any, list[Any]]:
        """(schedule, findings) for the open session, recomputed only after an edit."""
        return self.workspace.health()

    # --- opening and closing sessions ------------------------------------------------------

    def open_session(
        self, id_or_title: str, step: str | None = None, *, read_only: bool = False
    ) -> bool:
        """Open a session: load it, join its presence, show ``step`` (or where it was left).

        Several apps may have one session open (team mode): saves merge, and the header
        says who else is here.  A file from a newer backplan opens read-only.  A sessions
        folder that cannot be written (read-only, a symbolic link, not ours) opens it
        read-only, saying why.
        """
        from backplan_tui.core.codec import CodecError

        workspace = self.workspace
        try:
            session_id = workspace.library.resolve(id_or_title)
        except (StoreError, OSError) as error:
            self.report_error(str(error), "Cannot open session")
            return False
        try:
            opening = workspace.prepare(session_id, read_only=read_only)
        except (StoreError, CodecError, OSError) as error:
            self.report_error(str(error), "Cannot open session")
            return False
        self.close_document()
        document = workspace.adopt(opening)
        if opening.cannot_write:
            toast(
                self,
                f"Opened read-only: nothing can be saved, because {opening.cannot_write}",
                title="Read-only",
                severity="warning",
                timeout=10,
            )
        elif opening.newer:
            toast(
                self,
                "This session was saved by a newer backplan: it opens read-only.",
                title="Read-only",
                severity="warning",
                timeout=8,
            )
        self.save_state = document.state
        self.title = plain(document.session.title)
        wanted = step or document.session.current_step
        if wanted == "track":
            from backplan_tui.tui.screens.track import TrackScreen

            self.push_screen(TrackScreen())
        else:
            self.push_screen(self.make_step_screen(wanted if wanted in ALL_STEPS else STEPS[0]))
        if self.since_last_visit[0]:
            self.show_since_last_visit()
        return True

    def show_since_last_visit(self) -> None:
        from backplan_tui.tui.screens.since import SinceLastVisitScreen

        lines, when = self.since_last_visit
        if self.document is not None:
            self.push_screen(SinceLastVisitScreen(self.document.session.title, lines, when))

    def work_on_copy(self, step: str) -> None:
        """The read-only open session copied, and the copy opened, writable, at ``step``."""
        if self.document is None or not self.document.read_only:
            return
        try:
            copy = self.workspace.copy_for_editing()
        except (StoreError, OSError) as error:
            self.report_error(str(error), "Cannot copy session")
            return
        self.close_document()
        self.pop_screen()
        if self.open_session(copy.id, step):
            toast(
                self,
                f"You are working on a copy: {copy.title}. The original is left as it was.",
                title="Copy",
                timeout=6,
            )

    def open_track(self) -> None:
        """The Track screen of the open session (not a workshop step: current_step stays)."""
        from backplan_tui.tui.screens.track import TrackScreen

        if self.document is None or isinstance(self.screen, TrackScreen):
            return
        self._timer_follows("track")
        self.save_now()
        self.switch_screen(TrackScreen(came_from=self.document.session.current_step))
        self.workspace.publish_room("track")

    def open_owners(self) -> None:
        """The Owners screen of the open session, over the screen shown (Esc comes back)."""
        from backplan_tui.tui.screens.owners import OwnersScreen

        if self.document is None or isinstance(self.screen, OwnersScreen):
            return
        self.push_screen(OwnersScreen())

    def open_demo(self) -> None:
        try:
            demo_id = self.workspace.library.ensure_demo(self.today())
        except (StoreError, OSError) as error:
            self.report_error(str(error), "Cannot create the demo")
            return
        self.open_session(demo_id)

    def create_session(self, values: dict[str, Any]) -> None:
        """Create a session from the new-session form's values and open step 1."""
        from backplan_tui.core import templates

        try:
            session = self.workspace.library.create_from_form(
                values,
                today=self.today(),
                timebox_minutes=self.settings.timebox_minutes,
                votes=self.settings.votes_per_person,
            )
        except (StoreError, templates.TemplateError, OSError) as error:
            self.report_error(str(error), "Cannot create session")
            return
        self.open_session(session.id, step=STEPS[0])

    def make_step_screen(self, step: str) -> Screen[Any]:
        from backplan_tui.tui.screens import step_screen_class

        return step_screen_class(step)()

    def goto_step(self, step: str) -> None:
        """Switch the workshop to ``step``, saving first."""
        if self.document is None or step not in ALL_STEPS:
            return
        self.workspace.go_to_step(step)
        self._timer_follows(step)
        self.save_now()
        self.switch_screen(self.make_step_screen(step))
        self.workspace.publish_room(step)

    def close_document(self) -> None:
        """Flush and forget the open session (back to home)."""
        if self.document is not None:
            self.last_session_id = self.document.session.id
            self.save_now()
        self.workspace.close()
        self._ticker.pause()
        # open_session closes the previous document first, then opens: once it is done,
        # say whether dialogs were left open at the last quit (see _keep_dialog_drafts).
        self.call_later(self._announce_drafts)
        self.title = self.TITLE

    # --- presenter view, help --------------------------------------------------------------

    def toggle_presenter(self) -> None:
        """Presenter view: no footer, header or side panels; the projector theme if present."""
        on = not self.presenter
        self.presenter = on
        if on:
            self._theme_before_presenter = self.theme
            if "backplan-projector" in self.available_themes:
                self.theme = "backplan-projector"
        elif self._theme_before_presenter:
            self.theme = self._theme_before_presenter
        # On the screen, not the App: Textual re-matches a screen's class for its widgets.
        self.screen.set_class(on, "-presenter")
        self.notify("Presenter view: F9 to leave." if on else "Presenter view off.", timeout=2)

    def action_help(self) -> None:
        from backplan_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(type(self.screen).__name__))


def create_app(
    data_dir: Path | None = None,
    *,
    open_session: str | None = None,
    demo: bool = False,
    today: Callable[[], date] | None = None,
    autosave_delay: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    config_dir: Path | None = None,
    theme: str | None = None,
    name: str | None = None,
    participant: bool = False,
    app_class: type[BackplanApp] | None = None,
    **extra: Any,
) -> BackplanApp:
    """The app over the data directory (``--data-dir``, ``BACKPLAN_HOME`` or the default).

    ``name`` (``--as NAME``) is who this app is to the others; ``participant`` follows the
    facilitator (``--participant``).  ``app_class`` and ``extra``: a subclass and its own
    options (a browser participant's app: ``tui.participant.create_participant_app``).
    """
    store = SessionStore(paths.data_dir(data_dir))
    return (app_class or BackplanApp)(
        store,
        today=today or date.today,
        open_session=open_session,
        demo=demo,
        autosave_delay=autosave_delay,
        clock=clock,
        config_dir=config_dir,
        theme=theme,
        name=name,
        participant=participant,
        **extra,
    )
