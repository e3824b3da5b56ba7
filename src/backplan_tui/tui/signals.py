"""Ending on a signal: the terminal closed (SIGHUP) or logout/kill (SIGTERM).

The app saves and exits within 2 s: the signal asks the event loop to keep every edit and
exit; a watchdog thread makes sure of it when the loop is too busy to (it saves from its own
thread through ``Workspace.emergency_save``, restores the terminal and ends the process).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from textual.app import App

if TYPE_CHECKING:
    from backplan_tui.core.workspace import Workspace

EXIT_GRACE = 1.2
"""Seconds the event loop gets to save and exit after SIGTERM/SIGHUP before the watchdog
saves from its own thread and ends the process (the whole exit stays under 2 s)."""


class SignalExit(App[None]):
    """The app's part in ending on a signal (a base of ``BackplanApp``)."""

    workspace: Workspace
    exit_note: str
    exited_note_shown = False  # run() printed the exit note (the watchdog need not)

    def _init_signals(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous_handlers: dict[int, Any] = {}
        self._ending = threading.Event()  # a signal came (or the app is gone)
        self._flushed = threading.Event()  # the loop kept the edits
        self._exited = threading.Event()  # the app has unmounted
        self._watchdog_stop = False

    def _save_before_exit(self) -> tuple[bool, str]:  # pragma: no cover - BackplanApp's
        raise NotImplementedError

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
        if self._ending.is_set():
            return  # ending on a signal: the watchdog sees the process out (see _watchdog)
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
        self.workspace.release_lock()
        self.exit_note = note  # printed by run(), unwrapped: it may end with a path
        self.exit(return_code=0)

    def _watchdog(self) -> None:
        """The exit guarantee.  Wakes on a signal; when the loop has not saved within
        ``EXIT_GRACE`` seconds (the main thread is busy), takes a copy of the session,
        saves it (or a recovery copy), restores the terminal and ends the process.  When
        the loop saved but the process is still there a moment after the app is gone (a
        busy worker thread holds it), ends it too."""
        self._ending.wait()
        if self._watchdog_stop:
            return
        if self._flushed.wait(EXIT_GRACE):
            # Saved.  The app leaves the screen, and the process ends with it unless
            # something holds it: a thread worker still busy (asyncio waits for the
            # executor's threads before App.run returns) kept one alive for 1:40 after its
            # terminal closed.  Once the app is gone, the process gets a moment to end on
            # its own (this daemon thread ends with it); then it is ended here.
            self._exited.wait(EXIT_GRACE / 2)
            time.sleep(EXIT_GRACE)
            note = "" if self.exited_note_shown else self.exit_note
        else:
            note = self.workspace.emergency_save()
        self._restore_terminal()
        if note:
            try:
                print(note, file=sys.__stderr__, flush=True)
            except (OSError, ValueError):
                pass
        os._exit(0)

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
