"""Participant mode: the app as a browser participant gets it (``backplan serve``).

Bound to one session.  It asks the participant's name once (a small form), opens the session
and shows the steps; participants add and edit questions, map conditions, pilot ideas and
parking-lot items, and vote as themselves with their own budget.  Everything that belongs to
the facilitator or to the host is refused in one place, :meth:`ParticipantApp.run_action`,
which every key, footer click, palette command and markup link goes through; each refusal
says why in a toast (``REFUSED``).  The step screens also hide those keys from the footer
(``BackplanApp.refuses``).

Exports reach a participant as a browser download (``App.deliver_text``, which textual-serve
turns into a download), never as a path on the host; outside a browser there is no export.
Nothing of the host's changes: settings are read, never written; "since last visit" is kept
per participant name, apart from the facilitator's.

Until team mode (several apps editing one session, saves merged) lands, the session's lock
still holds: a participant who finds the session open elsewhere gets it read-only, said so.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from backplan_tui.core.identity import clean_name
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.readonly import action_name
from backplan_tui.tui.text import fmt, toast
from backplan_tui.tui.typed import BackplanScreen

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import SystemCommand

FACILITATOR = "That is the facilitator's: "

REFUSED: dict[str, str] = {
    # every workshop screen
    "home": ("You are in this one session: Esc does not leave it. Close the browser tab to leave."),
    "details": FACILITATOR + "the session's details (title, people, votes, timeboxes).",
    "timer": FACILITATOR + "the timer.",
    "extend_timer": FACILITATOR + "the timer.",
    "reset_timer": FACILITATOR + "the timer.",
    "track": FACILITATOR + "tracking the plan after the workshop.",
    "work_on_copy": "A copy would be another session: in the room you stay in this one.",
    # voting: as yourself only
    "voter": "You vote as yourself, with your own votes.",
    # the home screen's and the host's (there is no home screen here: refused wherever
    # they would come from)
    "delete": FACILITATOR + "deleting a session.",
    "undo_delete": FACILITATOR + "deleting and restoring sessions.",
    "rename": FACILITATOR + "the session's details.",
    "duplicate": "A copy would be another session: in the room you stay in this one.",
    "new": "In the room you stay in this one session.",
    "demo": "In the room you stay in this one session.",
    "open": "In the room you stay in this one session.",
    "backups": FACILITATOR + "the session's backups.",
    "restore": FACILITATOR + "restoring a backup.",
    "settings": "Settings belong to the host: they cannot be changed from the room.",
}

NOT_IN_BROWSER = (
    "Exports reach participants as browser downloads; this app is not in a browser, so "
    "nothing is written on the host."
)


def refusal_for(action: str, *, in_browser: bool) -> str | None:
    """Why a participant may not run ``action`` ("screen.delete_item(1)" or "home"), or None."""
    name = action_name(action)
    if name in ("export", "screenshot") and not in_browser:
        return NOT_IN_BROWSER
    return REFUSED.get(name)


class JoinScreen(BackplanScreen[None]):
    """Under the steps: what a participant sees before (and if) the session opens."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.session_title = title
        self.message = fmt("Joining [b]$t[/b]…", t=title)

    def compose(self) -> ComposeResult:
        yield Header(icon="◎")
        yield Static(self.message, id="join-message", classes="prompts")
        yield Footer()

    def show(self, message: Content) -> None:
        """Say ``message`` (kept for the compose when the screen is not drawn yet)."""
        self.message = message
        if self.is_mounted:
            self.query_one("#join-message", Static).update(message)


class ParticipantApp(BackplanApp):
    """The app for one participant of one session (see the module's docstring)."""

    def __init__(self, *args: Any, only_session: str, person: str = "", **kwargs: Any) -> None:
        kwargs["open_session"] = None  # opened once the participant has a name
        kwargs["demo"] = False
        super().__init__(*args, **kwargs)
        self.only_session = only_session
        self.person = clean_name(person)
        self.presence: Any = None
        self.join_problem = ""

    # --- who may do what -------------------------------------------------------------------

    participant = True

    @property
    def voting_as(self) -> str | None:
        return self.person or None

    @property
    def in_browser(self) -> bool:
        return self.is_web

    def refuses(self, action: str) -> str | None:
        return refusal_for(action, in_browser=self.in_browser)

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        """Every action (keys, footer, palette, links) passes here: a refused one says why;
        the summary's export becomes a download."""
        # a string, or Textual's parsed form (namespace, name, parameters)
        name = action_name(action if isinstance(action, str) else str(action[1]))
        reason = self.refuses(name)
        if reason is not None:
            toast(self, reason, title="Participant", severity="warning", timeout=5)
            return True
        if name == "export":
            self.export_download()
            return True
        return bool(await super().run_action(action, default_namespace, namespaces))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot" and not self.in_browser:
                continue  # it would write a file on the host
            yield command

    # --- nothing of the host's changes -----------------------------------------------------

    def keep_theme(self, name: str) -> None:
        """A participant's theme is for this browser only: settings are not written."""
        self._previewing_theme = False

    def save_settings(self, quiet: bool = False) -> bool:
        toast(self, REFUSED["settings"], title="Participant", severity="warning", timeout=5)
        return False

    def deliver_binary(self, path_or_file: Any, **kwargs: Any) -> str | None:
        if not self.in_browser:
            toast(self, NOT_IN_BROWSER, title="Participant", severity="warning", timeout=5)
            return None
        return super().deliver_binary(path_or_file, **kwargs)

    def deliver_text(self, path_or_file: Any, **kwargs: Any) -> str | None:
        if not self.in_browser:
            toast(self, NOT_IN_BROWSER, title="Participant", severity="warning", timeout=5)
            return None
        return super().deliver_text(path_or_file, **kwargs)

    def show_since_last_visit(self) -> None:
        """(Not in the room: the room is live.)"""

    # --- joining ---------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return JoinScreen(self._session_title())

    _title: str | None = None

    def _session_title(self) -> str:
        if self._title is None:
            try:
                self._title = self.workspace.library.load(self.only_session).title
            except Exception:  # noqa: BLE001 - a courtesy; opening says what is wrong
                self._title = "the session"
        return self._title

    def on_mount(self) -> None:
        super().on_mount()
        if self.person:
            self.call_after_refresh(self.join)
        else:
            self.ask_name()

    def ask_name(self) -> None:
        from backplan_tui.tui.dialogs import FormScreen
        from backplan_tui.tui.widgets.form import Field

        def named(result: dict[str, Any] | None) -> None:
            name = clean_name((result or {}).get("name", ""))
            if not name:
                toast(self, "Your name, please: it goes on your votes.", timeout=4)
                self.ask_name()
                return
            self.person = name
            self.workspace.name = name  # presence and ``by`` on what they add
            self.join()

        self.push_screen(
            FormScreen(
                fmt("Join [b]$t[/b]", t=self._session_title()),
                [Field("name", "Your name", required=True, placeholder="as the room knows you")],
                {},
                submit_label="Join",
                hint="Your name goes on your votes and shows who is here.",
            ),
            named,
        )

    def join(self) -> None:
        """Open the one session as this participant: their own visits, their presence, and
        their name among the session's participants (so that they can vote)."""
        from backplan_tui.core.visits import Visits

        room_user = "room-" + hashlib.sha256(self.person.casefold().encode()).hexdigest()[:12]
        self.workspace.visits = Visits(self.store.root, user=room_user)
        if not self.open_session(self.only_session):
            self.join_problem = "The session could not be opened."
            self._show_join(Content(self.join_problem + " Ctrl+Q leaves."))
            return
        self._after_open()

    def _show_join(self, message: Content) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, JoinScreen):
                screen.show(message)

    def _offer_locked_choices(self, session_id: str, locked: Any, step: str | None) -> None:
        """In use elsewhere: read-only, said so (no copy: the room stays in this session)."""
        if self.open_session(session_id, step, read_only=True):
            toast(
                self,
                f"{locked} You can follow along read-only: edits from several people at once "
                "come with team mode.",
                title="Read-only",
                severity="warning",
                timeout=10,
            )
            self._after_open()

    def _after_open(self) -> None:
        doc = self.document
        if doc is None:
            return
        session = doc.session
        if not doc.read_only and not any(
            p.strip().casefold() == self.person.casefold() for p in session.participants
        ):
            session.participants.append(self.person)
            self.changed(f"{self.person} joined")
            self.save_now()
        self._join_presence()
        toast(self, f"Welcome, {self.person}.", timeout=3)

    def _join_presence(self) -> None:
        from backplan_tui.core.presence import BEAT_EVERY, Presence

        doc = self.document
        if doc is None or self.workspace.presence is not None:
            return  # team mode's presence (the workspace's) already says who is here
        self.presence = Presence(self.store.root, doc.session.id, self.person, "participant")
        self.presence.join(doc.session.current_step)
        self.set_interval(BEAT_EVERY, self._beat)

    def _beat(self) -> None:
        if self.presence is not None and self.document is not None:
            self.presence.update(step=self.document.session.current_step)

    def on_unmount(self) -> None:
        if self.presence is not None:
            self.presence.leave()
        super().on_unmount()

    # --- exports as downloads --------------------------------------------------------------

    def export_download(self) -> None:
        """The summary's export, as a browser download (a format, no path)."""
        from backplan_tui.core.export import FORMATS, render
        from backplan_tui.core.storage import slugify
        from backplan_tui.tui.dialogs import FormScreen
        from backplan_tui.tui.screens.export import FORMAT_LABELS
        from backplan_tui.tui.widgets.form import Field

        if not self.in_browser:
            toast(self, NOT_IN_BROWSER, title="Participant", severity="warning", timeout=5)
            return
        session = self.session

        def chosen(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            kind = result["format"]
            try:
                output = render(kind, session, self.today())
            except (OSError, ValueError) as error:
                self.report_error(str(error), "Export failed")
                return
            name = f"{slugify(session.title) or 'session'}.{kind}"
            data = output if isinstance(output, bytes) else output.encode("utf-8")
            self.deliver_binary(io.BytesIO(data), save_filename=name)
            toast(self, f"{name}: your browser downloads it.", title="Export", timeout=5)

        self.push_screen(
            FormScreen(
                "Export the plan (a download)",
                [
                    Field(
                        "format",
                        "Format",
                        kind="choice",
                        required=True,
                        choices=[(FORMAT_LABELS[f], f) for f in FORMATS],
                    )
                ],
                {"format": "md"},
                submit_label="Download",
            ),
            chosen,
        )


def create_participant_app(
    data_dir: Path | None, *, person: str = "", only_session: str, **options: Any
) -> ParticipantApp:
    """A browser participant's app (``backplan serve``), bound to ``only_session``, as
    ``person`` (asked for when empty)."""
    if not only_session:
        raise ValueError("a participant's app is bound to one session (only_session)")
    app = create_app(
        data_dir,
        app_class=ParticipantApp,
        name=person or None,
        participant=True,  # follows the facilitator's step and clock (team mode)
        only_session=only_session,
        person=person,
        **options,
    )
    assert isinstance(app, ParticipantApp)
    return app
