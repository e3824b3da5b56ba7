"""BackplanApp: screens, navigation between the workshop steps, autosave, the palette.

Construct it with :func:`create_app` so tests and the headless smoke run choose the data
directory, the clock and the autosave delay; nothing here reads the real user directories
unless asked to.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.timer import Timer

from backplan_tui.core import paths
from backplan_tui.core.basics import ALL_STEPS, STEP_TITLES, STEPS
from backplan_tui.core.settings import load_settings, save_settings
from backplan_tui.core.store import SessionStore, StoreError
from backplan_tui.tui import themes
from backplan_tui.tui.text import plain, toast

if TYPE_CHECKING:
    # Imported where first used, once a session opens: start-up needs none of them (with
    # the codec, about 12 ms of imports).
    from backplan_tui.core.document import Document
    from backplan_tui.core.model import Session
    from backplan_tui.core.timebox import Agenda
    from backplan_tui.core.undo import History


class BindingsProvider(Provider):
    """Every binding active on the current screen, as a palette command."""

    def _commands(self) -> list[tuple[str, str, Any, str]]:
        seen: set[str] = set()
        commands: list[tuple[str, str, Any, str]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.app.get_key_display(binding)
            commands.append((binding.description, binding.action, active.node, shown or key))
        return commands

    async def discover(self) -> Hits:
        for description, action, node, key in self._commands():
            yield DiscoveryHit(
                Content(description),
                self._runner(action, node),
                text=description,
                help=Content(f"Key: {key}"),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, node, key in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    self._runner(action, node),
                    text=description,
                    help=Content(f"Key: {key}"),
                )

    def _runner(self, action: str, node: Any) -> Callable[[], Any]:
        async def run() -> None:
            await self.app.run_action(action, node)

        return run


LATE_THEMES_DELAY = 0.2
"""Seconds after the first paint before the themes not shown at start are registered."""

EXIT_GRACE = 1.2
"""Seconds the event loop gets to save and exit after SIGTERM/SIGHUP before the watchdog
saves from its own thread and ends the process (the whole exit stays under 2 s)."""

DRAFTS_KEY = "drafts_at_quit"
"""facilitation.extra[DRAFTS_KEY]: how many dialogs' drafts the last quit parked (told, then
removed, when the session opens again)."""

AUTOSAVE_MAX_WAIT = 5.0
"""Seconds of the app clock after the first unsaved edit by which autosave runs, however
steadily the typing goes on (the debounce alone would wait for a pause forever)."""


class BackplanApp(App[None]):
    """The backplan terminal app."""

    CSS_PATH = "app.tcss"
    TITLE = "backplan"
    COMMANDS = App.COMMANDS | {BindingsProvider}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("f1,question_mark", "help", "Help", key_display="F1", id="app.help"),
    ]

    save_state: reactive[str] = reactive("clean")

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
        self._history: History | None = None
        self.agenda: Agenda | None = None
        self._state = b""
        self._last_label = ""
        self._last_record_at = 0.0
        self._last_tick = 0.0
        self._health_key: tuple[Any, ...] | None = None
        self._lock: Any = None
        self._health: tuple[Any, list[Any]] = (None, [])
        self.store = store
        self.today = today
        self.autosave_delay = (
            autosave_delay if autosave_delay is not None else self.settings.autosave_delay
        )
        self.document: Document | None = None
        self._initial_session = open_session
        self._initial_demo = demo
        self._autosave_timer: Timer | None = None
        # Ending on a signal (see _install_signal_handlers)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous_handlers: dict[int, Any] = {}
        self._ending = threading.Event()  # a signal came (or the app is gone)
        self._flushed = threading.Event()  # the loop kept the edits
        self._exited = threading.Event()  # the app has unmounted
        self._watchdog_stop = False
        self.exit_note = ""  # printed on stderr after exit: where unsaved edits were kept
        self._unsaved_since: float | None = None  # app clock at the first unsaved edit
        self._theme_before_presenter: str | None = None
        self.presenter = False
        self._visits: Any = None
        # (changes, when) since this person's previous visit to the open session
        self.since_last_visit: tuple[list[str], datetime | None] = ([], None)
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
        # What App._watch_theme does, less its CSS refresh (nothing is parsed or shown yet).
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
        self._ticker = self.set_interval(1, self._tick, pause=True)
        self._started = True
        self._show_theme_warnings(self._theme_warnings)
        self._theme_warnings = []
        if self._theme_fallback:
            toast(self, self._theme_fallback, title="Theme", severity="warning", timeout=8)
        if self._settings_problem:
            toast(self, self._settings_problem, title="Settings", severity="error", timeout=10)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for warning in self.store.warnings:
            toast(self, warning, title="Data folder", severity="warning", timeout=10)
        self._install_signal_handlers()
        if self._initial_demo:
            self.open_demo()
        elif self._initial_session:
            self.open_session(self._initial_session)
        # The other themes: once the first screen is painted, and a moment later still (it
        # may be filling in); anything that needs them before that registers them at once.
        self.call_after_refresh(self.set_timer, LATE_THEMES_DELAY, self.ensure_themes)

    def _install_signal_handlers(self) -> None:
        """Terminal closed (SIGHUP) or logout/kill (SIGTERM): save, then exit within 2 s.

        A ``signal.signal`` handler, not the event loop's: Python runs it on the main
        thread between two bytecodes even while that thread is busy (a long build froze
        the loop, and with it a loop handler, for minutes).  The handler asks the loop to
        save and exit, and wakes the exit watchdog (a thread started here, idle until then):
        if the app has not exited ``EXIT_GRACE`` seconds later, the watchdog keeps the edits
        itself and ends the process (see ``_watchdog``)."""
        import signal

        if threading.current_thread() is not threading.main_thread():
            return  # no signals here (Textual in a thread)
        self._loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                self._previous_handlers[sig] = signal.signal(sig, self._on_signal)
            except (OSError, RuntimeError, ValueError):
                pass  # no signal support here (Windows)
        if self._previous_handlers:
            threading.Thread(target=self._watchdog, name="backplan-exit", daemon=True).start()

    def _restore_signal_handlers(self) -> None:
        import signal

        for sig, handler in self._previous_handlers.items():
            try:
                signal.signal(sig, handler)
            except (OSError, RuntimeError, ValueError, TypeError):
                pass
        self._previous_handlers = {}
        self._watchdog_stop = True
        self._ending.set()  # the watchdog wakes and, stopped, leaves

    def _on_signal(self, signum: int, frame: Any) -> None:
        """On the main thread, between two bytecodes of whatever it was doing: touch
        nothing; ask the loop to flush and exit, and start the watchdog's countdown."""
        if self._ending.is_set():
            return
        self._ending.set()
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._flush_and_exit)
            except RuntimeError:
                pass  # the loop is closed: the watchdog does it

    def _flush_and_exit(self) -> None:
        """On the loop, after SIGTERM or SIGHUP: keep every edit, then exit."""
        _, note = self._save_before_exit()
        self._flushed.set()
        self._release_lock()
        self.exit_note = note  # printed by run(), unwrapped: it may end with a path
        self.exit(return_code=0)

    def _watchdog(self) -> None:
        """The exit guarantee.  Wakes on a signal; when the loop has not saved within
        ``EXIT_GRACE`` seconds (the main thread is busy), takes a copy of the session,
        saves it (or a recovery copy), restores the terminal and ends the process.  When
        the loop saved but the app is still not gone a moment later, ends it too."""
        self._ending.wait()
        if self._watchdog_stop:
            return
        if self._flushed.wait(EXIT_GRACE):
            if self._exited.wait(EXIT_GRACE / 2) or self._watchdog_stop:
                return
            note = self.exit_note  # saved, but Textual is slow to let go: end it here
        else:
            note = self._emergency_save()
        self._restore_terminal()
        if note:
            try:
                print(note, file=sys.__stderr__, flush=True)
            except (OSError, ValueError):
                pass
        os._exit(0)

    def _emergency_save(self) -> str:
        """On the watchdog thread, the main thread stuck: save what can be taken safely.

        The session is copied (pickled) as it is; if that fails (the main thread was
        changing it) the state after the last edit (the undo snapshot) is used.  Returns a
        line for stderr."""
        import pickle

        doc = self.document
        if doc is None or doc.read_only or not (doc.dirty or doc.error):
            self._release_lock_quietly()
            return ""
        snapshot: Session | None = None
        edits = doc.edits
        for _ in range(3):
            try:
                snapshot, edits = doc.snapshot()
                break
            except Exception:  # noqa: BLE001 - the main thread changed it under us
                continue
        if snapshot is None and self._state:
            snapshot = pickle.loads(self._state)  # our own bytes, made in this process
        if snapshot is None:
            return "backplan: ended by a signal; the session could not be copied."
        agenda = self.agenda
        if agenda is not None:
            try:
                agenda.store(snapshot, self.clock())
            except Exception:  # noqa: BLE001 - the timers are the least of it
                pass
        note = ""
        if not doc.save_snapshot(snapshot, edits, wait=0.3):
            note = self._keep_elsewhere(snapshot, doc.error or "")
        self._release_lock_quietly()
        return note

    def _release_lock_quietly(self) -> None:
        try:
            self._release_lock()
        except Exception:  # noqa: BLE001 - ending anyway
            pass

    def _restore_terminal(self) -> None:
        """What Textual's driver does on exit, done from the watchdog: the terminal's
        modes back, mouse and paste reporting off, the main screen and the cursor back."""
        from backplan_tui.tui import compat

        driver = compat.app_driver(self)
        attrs = getattr(driver, "attrs_before", None)
        fileno = getattr(driver, "fileno", None)
        if attrs is not None and fileno is not None:
            try:
                import termios
            except ImportError:
                pass
            else:
                try:
                    termios.tcsetattr(fileno, termios.TCSANOW, attrs)
                except (OSError, ValueError, termios.error):
                    pass
        if driver is None or self.is_headless:
            return
        try:
            out = sys.__stderr__
            if out is not None:
                out.write(
                    "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?7h"
                    "\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l"
                )
                out.flush()
        except (OSError, ValueError):
            pass

    def on_unmount(self) -> None:
        """However the app ends (quit, ``app.exit()``, the end of ``run_test``), the session
        lock goes with it: a second app in the same process can open the session again."""
        self._remember_visit()
        self._release_lock()
        self._restore_signal_handlers()
        self._exited.set()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.document is not None and not self.document.read_only:
            yield SystemCommand("Save now", "Save the open session", self.action_save)

    # --- sessions --------------------------------------------------------------------------

    @property
    def history(self) -> History:
        """The undo history of the open session (made on first use: ``core.undo`` loads the
        model, which the home screen does not need)."""
        if self._history is None:
            from backplan_tui.core.undo import History

            self._history = History()
        return self._history

    @history.setter
    def history(self, history: History) -> None:
        self._history = history

    def report_error(self, message: str, title: str = "Error") -> None:
        """A toast for a problem; user text in ``message`` is shown literally."""
        toast(self, message, title=title, severity="error", timeout=8)

    def open_session(
        self, id_or_title: str, step: str | None = None, *, read_only: bool = False
    ) -> bool:
        """Open a session: take its lock, load it, show ``step`` (or where it was left).

        Another process holding the lock is named, with a choice: read-only or a copy.  A
        file from a newer backplan opens read-only.  A lock that cannot be taken at all (the
        sessions folder is read-only, a symbolic link, not ours) opens it read-only, saying
        why.  Nothing is ever written to a session this process does not hold.
        """
        from backplan_tui.core.codec import CodecError
        from backplan_tui.core.document import Document
        from backplan_tui.core.lock import SessionLocked
        from backplan_tui.core.store import SessionReadOnly
        from backplan_tui.core.timebox import Agenda
        from backplan_tui.core.undo import History, snapshot

        try:
            session_id = self.store.resolve(id_or_title)
        except (StoreError, OSError) as error:
            self.report_error(str(error), "Cannot open session")
            return False
        lock = None
        cannot_write = ""  # why the lock could not be taken at all: open read-only
        if not read_only:
            try:
                lock = self.store.lock(session_id)
            except SessionLocked as locked:
                self._offer_locked_choices(session_id, locked, step)
                return False
            except (StoreError, OSError) as error:  # LockError, an unusable sessions folder
                cannot_write = str(error)
        newer = False
        try:
            try:
                session = self.store.load(session_id)
            except SessionReadOnly:
                session = self.store.load(session_id, allow_newer=True)
                newer = True
        except (StoreError, CodecError, OSError) as error:
            if lock is not None:
                lock.release()
            self.report_error(str(error), "Cannot open session")
            return False
        self.close_document()
        self.document = Document(
            self.store, session, read_only=read_only or newer or bool(cannot_write)
        )
        self._lock = lock
        if cannot_write:
            toast(
                self,
                f"Opened read-only: nothing can be saved, because {cannot_write}",
                title="Read-only",
                severity="warning",
                timeout=10,
            )
        elif newer:
            toast(
                self,
                "This session was saved by a newer backplan: it opens read-only.",
                title="Read-only",
                severity="warning",
                timeout=8,
            )
        self.history = History()
        self._state = snapshot(session)
        self._last_label = ""
        self.agenda = Agenda.from_session(session)
        self.save_state = self.document.state
        self.title = plain(session.title)
        self.since_last_visit = self.visits.changes(session)
        self.visits.remember(session)
        wanted = step or session.current_step
        if wanted == "track":
            from backplan_tui.tui.screens.track import TrackScreen

            self.push_screen(TrackScreen())
        else:
            self.push_screen(self.make_step_screen(wanted if wanted in ALL_STEPS else STEPS[0]))
        if self.since_last_visit[0]:
            self.show_since_last_visit()
        return True

    @property
    def visits(self) -> Any:
        """This person's last-seen copies of the sessions (``core.visits``), made on first use."""
        if self._visits is None:
            from backplan_tui.core.visits import Visits

            self._visits = Visits(self.store.root)
        return self._visits

    def show_since_last_visit(self) -> None:
        from backplan_tui.tui.screens.since import SinceLastVisitScreen

        lines, when = self.since_last_visit
        if self.document is not None:
            self.push_screen(SinceLastVisitScreen(self.document.session.title, lines, when))

    def _remember_visit(self) -> None:
        """The open session as this person leaves it: the next visit's "since" compares to it.
        Unedited, it is what ``open_session`` kept already: nothing to write."""
        if self.document is not None and self.document.edits:
            self.visits.remember(self.document.session)

    def _offer_locked_choices(self, session_id: str, locked: Any, step: str | None) -> None:
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice == "read-only":
                self.open_session(session_id, step, read_only=True)
            elif choice == "copy":
                try:
                    copy = self.store.duplicate(session_id)
                except (StoreError, OSError) as error:
                    self.report_error(str(error), "Cannot copy session")
                    return
                self.open_session(copy.id, step)

        self.push_screen(
            ChoiceScreen(
                f"{locked} You can look at it read-only, or work on a copy.",
                [("r", "read-only", "Open read-only"), ("c", "copy", "Work on a copy")],
            ),
            chosen,
        )

    def open_track(self) -> None:
        """The Track screen of the open session (not a workshop step: current_step stays)."""
        from backplan_tui.tui.screens.track import TrackScreen

        if self.document is None or isinstance(self.screen, TrackScreen):
            return
        self._timer_follows("track")
        self.save_now()
        self.switch_screen(TrackScreen())

    def open_demo(self) -> None:
        from backplan_tui.core import templates

        if not self.store.exists(templates.DEMO_ID):
            try:
                self.store.create(templates.demo_session(self.today()))
            except (StoreError, OSError) as error:
                self.report_error(str(error), "Cannot create the demo")
                return
        self.open_session(templates.DEMO_ID)

    def create_session(self, values: dict[str, Any]) -> None:
        """Create a session from the new-session form's values and open step 1."""
        from backplan_tui.core import templates

        try:
            session_id = self.store.new_id(values["title"])
            session = templates.instantiate(
                values.get("template") or "blank",
                session_id=session_id,
                title=values["title"],
                today=self.today(),
                team=values.get("team", ""),
                facilitator=values.get("facilitator", ""),
                participants=values.get("participants", []),
                target_date=values.get("target_date"),
            )
            session.facilitation.timebox_minutes = dict(self.settings.timebox_minutes)
            session.facilitation.votes_per_person = self.settings.votes_per_person
            self.store.create(session)
        except (StoreError, templates.TemplateError, OSError) as error:
            self.report_error(str(error), "Cannot create session")
            return
        self.open_session(session.id, step=STEPS[0])

    def make_step_screen(self, step: str) -> Screen[Any]:
        from backplan_tui.tui.screens import step_screen_class

        return step_screen_class(step)()

    def goto_step(self, step: str) -> None:
        """Switch the workshop to ``step``, saving first."""

        doc = self.document
        if doc is None or step not in ALL_STEPS:
            return
        if doc.session.current_step != step:
            doc.session.current_step = step
            doc.touch()
        self._timer_follows(step)
        self.save_now()
        self.switch_screen(self.make_step_screen(step))

    def close_document(self) -> None:
        """Flush and forget the open session (back to home)."""
        if self.document is not None:
            self.save_now()
            self._remember_visit()
        if self.agenda is not None:
            self.agenda.pause_all(self.clock())
        self._ticker.pause()
        self._release_lock()
        # open_session closes the previous document first, then opens: once it is done,
        # say whether dialogs were left open at the last quit (see _keep_dialog_drafts).
        self.call_later(self._announce_drafts)
        self.document = None
        self.agenda = None
        self.title = self.TITLE

    # --- saving ----------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        assert self.document is not None, "no session open"
        return self.document.session

    def changed(self, label: str = "edit") -> None:
        """Called after every edit: an undo step, "unsaved", and the autosave countdown.

        A read-only session refuses it: the edit is taken back (``readonly.refuse_edit``).
        The state before this edit is the one kept after the previous edit, so it goes on
        the undo list under ``label``.  Typing into a field ("type: ...") coalesces into one
        step while the same field keeps changing within two seconds.
        """
        from backplan_tui.core.undo import snapshot

        doc = self.document
        if doc is None:
            return
        if doc.read_only:  # never "edited": the change is taken back, and the room told
            from backplan_tui.tui import readonly

            readonly.refuse_edit(self, label)
            return
        now = self.clock()
        coalesce = (
            label.startswith("type:")
            and label == self._last_label
            and now - self._last_record_at < 2.0
        )
        if not coalesce:
            self.history.record_snapshot(self._state, label, doc.session.current_step)
        self._last_label, self._last_record_at = label, now
        self._state = snapshot(doc.session)
        self._touch_and_schedule(doc)

    def undo(self, redo: bool = False) -> str | None:
        """Undo (or redo) the last edit; the label of what was undone, None when nothing."""
        from backplan_tui.core.undo import snapshot

        doc = self.document
        if doc is None:
            return None
        entry = self.history.peek_redo() if redo else self.history.peek_undo()
        restored = self.history.redo(doc.session) if redo else self.history.undo(doc.session)
        if restored is None or entry is None:
            return None
        doc.session = restored
        self._state = snapshot(restored)
        self._last_label = ""
        self._touch_and_schedule(doc)
        return entry.label

    def _touch_and_schedule(self, doc: Document) -> None:
        """Unsaved now; autosave ``autosave_delay`` after the last edit (debounced), and
        never later than ``AUTOSAVE_MAX_WAIT`` after the first unsaved edit: steady typing
        with no pause is saved too (in the worker, so no key waits for the disk)."""
        doc.touch()
        self.save_state = doc.state
        now = self.clock()
        if self._unsaved_since is None:
            self._unsaved_since = now
        waited = now - self._unsaved_since
        if waited >= AUTOSAVE_MAX_WAIT:
            self.autosave()
            return
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        delay = min(self.autosave_delay, AUTOSAVE_MAX_WAIT - waited)
        self._autosave_timer = self.set_timer(delay, self.autosave)

    # --- schedule and plan health -----------------------------------------------------------

    def health(self) -> tuple[Any, list[Any]]:
        """(schedule, findings) for the open session, recomputed only after an edit."""
        from backplan_tui.core import coach, schedule

        doc = self.document
        assert doc is not None, "no session open"
        key = (id(doc.session), doc.edits, self.today())
        if self._health_key != key:
            plan = schedule.compute(doc.session, self.today())
            self._health = (plan, coach.review(doc.session, self.today(), schedule=plan))
            self._health_key = key
        return self._health

    # --- the timebox ------------------------------------------------------------------------

    def toggle_timer(self, step: str) -> None:
        if self.agenda is None:
            return
        now = self.clock()
        if self.agenda.running_step() == step:
            self.agenda.pause_all(now)
        else:
            self.agenda.start(step, now)
        self._last_tick = now
        if self.agenda.running_step():
            self._ticker.resume()
        else:
            self._ticker.pause()
        self._show_timer()

    def _timer_follows(self, step: str) -> None:
        """The running timebox follows the step on screen: leaving a step whose clock runs
        pauses it and starts the clock of the step shown next (the summary and Track have
        none: the clock just pauses).  The time used is booked to the step that was on
        screen, and a toast says what happened.  With no clock running nothing changes:
        paging through the steps before the workshop starts its clocks never starts one."""
        agenda = self.agenda
        running = agenda.running_step() if agenda is not None else None
        if agenda is None or running is None or running == step:
            return
        now = self.clock()
        box = agenda.timebox(running)
        box.pause(now)
        message = f"{STEP_TITLES.get(running, running)} paused at {box.clock(now)}"
        if step in STEPS:
            agenda.start(step, now)
            message += f"; {STEP_TITLES[step]}'s timer started."
        else:
            message += ". F3 on a step starts its timer."
        self._last_tick = now
        if agenda.running_step():
            self._ticker.resume()
        else:
            self._ticker.pause()
        toast(self, message, title="Timebox", timeout=5)

    def extend_timer(self, step: str) -> None:
        if self.agenda is not None:
            self.agenda.timebox(step).add()
            self._show_timer()

    def reset_timer(self, step: str) -> None:
        if self.agenda is not None:
            self.agenda.timebox(step).reset()
            self._show_timer()

    def _show_timer(self) -> None:
        """The countdown on every step screen (one under a dialog stays current, for when
        the dialog closes) and, while a dialog is open, in the dialog's bottom border."""
        for screen in self.screen_stack:
            show = getattr(screen, "show_timer", None)
            if show is not None:
                show()
        if isinstance(self.screen, ModalScreen):
            self._show_timer_in_dialog(self.screen)

    def _dialog_timer_text(self) -> str:
        """ "Reverse map ▶ 36:00" while a clock runs, else ""."""
        agenda = self.agenda
        step = agenda.running_step() if agenda is not None else None
        if agenda is None or step is None:
            return ""
        box = agenda.timebox(step)
        return f"{STEP_TITLES.get(step, step)} ▶ {box.clock(self.clock())}"

    def _show_timer_in_dialog(self, screen: Screen[Any]) -> None:
        """Most of a live session is typed in dialogs: the running countdown is shown (and
        ticks) in the border of the dialog box, so the room still sees its time."""
        text = self._dialog_timer_text()
        for box in screen.query(".dialog"):
            if box.parent is screen:
                shown = box.border_subtitle or ""  # constant step titles: no user text
                if text or shown.startswith(tuple(STEP_TITLES.values())):
                    box.border_subtitle = text
                break

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """``App.push_screen``; a dialog opened while a clock runs shows it at once."""
        result = super().push_screen(*args, **kwargs)
        if self.agenda is not None and self.agenda.running_step() is not None:
            self.call_after_refresh(self._show_timer)
        return result

    def _tick(self) -> None:
        """Once a second while a timebox runs: the clock, and a signal when it reaches zero."""
        agenda = self.agenda
        step = agenda.running_step() if agenda else None
        if agenda is None or step is None:
            self._ticker.pause()
            return
        now = self.clock()
        if agenda.timebox(step).crossed_zero(self._last_tick, now):
            self.bell()
            self.notify(
                f"Time is up for {STEP_TITLES.get(step, step)}. "
                "F4 adds 5 minutes; the clock keeps counting the overrun.",
                title="Timebox",
                severity="warning",
                timeout=10,
            )
        self._last_tick = now
        self._show_timer()

    def _commit_fields(self) -> None:
        """Fields whose Changed message is still queued (a key typed just before Ctrl+Q)
        are read straight from the widgets, so nothing typed is lost."""
        for screen in self.screen_stack:
            commit = getattr(screen, "commit_fields", None)
            if commit is not None:
                commit()
        doc = self.document
        if doc is not None and self.agenda is not None:
            if self.agenda.store(doc.session, self.clock()):
                doc.touch()  # the time used per step is saved, but is not an undo step

    def autosave(self) -> None:
        """Save in a worker thread: the UI keeps responding while the file is written."""
        doc = self.document
        if doc is None:
            return
        self._unsaved_since = None  # before the fields are committed: they may edit again
        self._commit_fields()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        self._unsaved_since = None
        if not doc.dirty:
            return
        snapshot, edits = doc.snapshot()
        self._save_in_background(doc, snapshot, edits)

    @work(thread=True, group="save", exit_on_error=False)
    def _save_in_background(self, doc: Document, snapshot: Session, edits: int) -> None:
        had_error = doc.error
        doc.save_snapshot(snapshot, edits)
        self.call_from_thread(self._after_save, doc, had_error)

    def _after_save(self, doc: Document, had_error: str | None) -> None:
        if doc is not self.document:
            return
        self.save_state = doc.state
        if doc.error and doc.error != had_error:
            if doc.conflict:
                self._offer_save_as_copy(doc)
                return
            self.report_error(
                f"{doc.error} Your edits are kept; press Ctrl+S to retry.", "Not saved"
            )

    def _offer_save_as_copy(self, doc: Document) -> None:
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice != "copy" or doc is not self.document:
                return
            try:
                copy = self.store.save_as_copy(doc.session)
            except (StoreError, OSError) as error:
                self.report_error(str(error), "Cannot save a copy")
                return
            doc.dirty = False  # the edits live on in the copy; the original stays theirs
            step = doc.session.current_step
            self.open_session(copy.id, step)
            toast(self, f"Your version is saved as {copy.title}.", timeout=6)

        self.push_screen(
            ChoiceScreen(
                f"{doc.error} Your edits are kept in memory: save them as a copy, or close "
                "and reopen to see the other version.",
                [("c", "copy", "Save my version as a copy")],
            ),
            chosen,
        )

    def save_now(self) -> bool:
        """Save on this thread (quit, step change, Ctrl+S); waits for a background save."""
        doc = self.document
        if doc is None:
            return True
        self._unsaved_since = None
        self._commit_fields()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        self._unsaved_since = None
        had_error = doc.error
        ok = doc.save()
        self._after_save(doc, had_error)
        return ok

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
            self.push_screen(HelpScreen())

    def action_save(self) -> None:
        if self.document is not None and self.document.read_only:
            from backplan_tui.tui import readonly

            toast(self, readonly.refusal(self), title="Read-only", severity="warning")
            return
        if self.save_now() and self.document is not None:
            self.notify("Saved.", timeout=2)

    async def action_quit(self) -> None:
        """Ctrl+Q: keep every edit, then exit.  Text in an open dialog is kept as a draft;
        a session file that cannot be written gets a copy (said on stderr after exit);
        when nothing can be written at all, ask: quit anyway, or stay."""
        ok, note = self._save_before_exit()
        if ok:
            self._release_lock()
            self.exit_note = note  # printed by run(), unwrapped: it may end with a path
            self.exit()
            return
        self._ask_quit_unsaved(note)

    def _ask_quit_unsaved(self, problem: str) -> None:
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice == "quit":
                self._release_lock()
                self.exit(return_code=1)

        self.push_screen(
            ChoiceScreen(
                f"Your edits are NOT saved and no copy could be written: {problem} "
                "Free some space and press Ctrl+S, or quit and lose them.",
                [("q", "quit", "Quit and lose the edits")],
            ),
            chosen,
        )

    def _keep_dialog_drafts(self) -> int:
        """What was typed into a dialog still open goes into the parking lot, one line per
        dialog ("Draft from the ... dialog"), so quitting never throws it away.  The next
        open of the session says so.  Returns how many dialogs were kept."""
        doc = self.document
        if doc is None or doc.read_only:
            return 0
        kept = 0
        for screen in self.screen_stack:
            take = getattr(screen, "draft_text", None)
            text = take() if take is not None else ""
            if text:
                doc.session.facilitation.parking_lot.append(text)
                kept += 1
        if kept:
            extra = doc.session.facilitation.extra
            before = extra.get(DRAFTS_KEY)
            extra[DRAFTS_KEY] = (before if type(before) is int and before > 0 else 0) + kept
            doc.touch()
        return kept

    def _announce_drafts(self) -> None:
        """After a session opens: dialogs left open at the last quit are in the parking lot."""
        doc = self.document
        if doc is None or doc.read_only:
            return
        count = doc.session.facilitation.extra.pop(DRAFTS_KEY, None)
        if count is None:
            return
        self._touch_and_schedule(doc)  # the note is gone from the file at the next save
        n = count if type(count) is int and count > 0 else 1
        dialogs = "a dialog was" if n == 1 else f"{n} dialogs were"
        toast(
            self,
            f"When backplan last quit, {dialogs} open: what was typed there is in the "
            'parking lot (Ctrl+L), marked "Draft from".',
            title="Drafts kept",
            timeout=10,
        )

    def _save_before_exit(self) -> tuple[bool, str]:
        """Keep every edit before the app ends: drafts of open dialogs, then the session
        file, else a copy or a recovery file (``core.recovery``).  Returns (done, a line
        for stderr after exit), or (False, the problem) when nothing could be written."""
        doc = self.document
        if doc is None:
            return True, ""
        kept = self._keep_dialog_drafts()
        self._unsaved_since = None
        self._commit_fields()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        title = plain(doc.session.title)
        note = ""
        if kept:
            dialogs = "an open dialog" if kept == 1 else f"{kept} open dialogs"
            note = f'backplan: what was typed in {dialogs} is kept in the parking lot of "{title}".'
        if doc.read_only or doc.save():
            return True, note
        kept_note = self._keep_elsewhere(doc.session, doc.error or "")
        if not kept_note.startswith("backplan: "):
            return False, kept_note
        doc.dirty = False  # the edits live on in the copy
        return True, "\n".join(filter(None, (note, kept_note)))

    def _keep_elsewhere(self, session: Session, error: str) -> str:
        """The session (with its edits) as a copy or a recovery file; a line saying where
        (it starts "backplan: "), or the reasons nothing could be written."""
        from backplan_tui.core.recovery import keep_edits

        where, how = keep_edits(self.store, session)
        if where is None:
            return f"{error} {how}".strip()
        return (
            f'backplan: "{plain(session.title)}" could not be saved ({error}); '
            f"your edits are kept in {how}: {where}"
        )


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
) -> BackplanApp:
    """The app over the data directory (``--data-dir``, ``BACKPLAN_HOME`` or the default)."""
    store = SessionStore(paths.data_dir(data_dir))
    return BackplanApp(
        store,
        today=today or date.today,
        open_session=open_session,
        demo=demo,
        autosave_delay=autosave_delay,
        clock=clock,
        config_dir=config_dir,
        theme=theme,
    )
