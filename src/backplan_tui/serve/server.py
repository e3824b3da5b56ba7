"""``RoomServer``: textual-serve's ``Server`` with a join token, an offline page, a quiet log.

textual-serve has no authentication: anybody who reaches the port gets an app process.  So
every request goes through :meth:`RoomServer.guard` first (an aiohttp middleware):

- the join link carries ``?token=...`` (``secrets.token_urlsafe``); the first request with it
  gets the token as an HttpOnly cookie (SameSite=Lax) and is sent on to ``/`` without it, so
  the token leaves the address bar and is never in a ``Referer``;
- every other request (the page, its scripts, the websocket that starts the app process,
  the downloads) must carry that cookie; without it, or with a wrong token: 403, and nothing
  is started: the websocket handler, which spawns the process, is never reached;
- the websocket must also come from a page of this server (its ``Origin``), so a page from
  elsewhere cannot drive a participant's app.

The access log names the method, the path (never the query) and the status; a filter on the
log handlers blanks the token wherever else it might appear.

textual-serve 1.1.3 names used here beyond its constructor: ``Server._make_app`` (the aiohttp
app with its routes), ``handle_websocket`` and ``initialize_logging``;
``tests/serve/test_serve_security.py`` pins the version they were read in.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import Server

TEMPLATES = Path(__file__).parent / "templates"
TOKEN_PARAM = "token"
PRESENCE_POLL = 1.0
"""Seconds between two looks at the session's presence folder (joins and leaves)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FORBIDDEN_TEXT = (
    "403 Forbidden: this backplan session needs its join link (with its token). "
    "Ask the facilitator for the link.\n"
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def lan_address() -> str:
    """This machine's address on its network (for a link when listening on every address);
    no packet is sent.  127.0.0.1 when there is no network."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def public_url_for(host: str, port: int) -> str:
    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 address in a URL
    return f"http://{shown}:{port}"


class PathOnlyAccessLog(AbstractAccessLogger):
    """One access line: who, method, path (no query string, no Referer), status."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s', request.remote, request.method, request.path, response.status
        )


class RedactToken(logging.Filter):
    """Blanks the token in any log record (belt and braces under the access log's format)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot format is left to logging
            return True
        if self.token in message:
            record.msg = message.replace(self.token, "[token]")
            record.args = ()
        return True


class RoomServer(Server):
    """One session in the browser: textual-serve behind a join token (see the module)."""

    RUNNER_OPTIONS: dict[str, object] = {"access_log_class": PathOnlyAccessLog}
    """How aiohttp runs it (``serve`` and the tests): the access log without the query."""

    def __init__(
        self,
        command: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        title: str = "backplan",
        token: str | None = None,
        public_url: str | None = None,
        presence_folder: Path | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=public_url or public_url_for(host, port),
            templates_path=TEMPLATES,
        )
        self.token = token or new_token()
        self.cookie_name = f"backplan-room-{port}"
        self.presence_folder = presence_folder
        self._say = say
        self.started = 0  # app processes asked for (websockets that reached textual-serve)
        self.connected = 0  # browsers connected now
        self._members: dict[str, str] = {}
        self._watch: asyncio.Task[None] | None = None

    # --- the link and the console ----------------------------------------------------------

    @property
    def join_url(self) -> str:
        return f"{self.public_url}/?{urlencode({TOKEN_PARAM: self.token})}"

    def say(self, line: str) -> None:
        """One line on the facilitator's console (names are printed literally)."""
        if self._say is not None:
            self._say(line)
        else:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    # --- the guard ---------------------------------------------------------------------------

    def _is_token(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), self.token.encode()
        )

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser page (a browser always sends it on a websocket)
        return urlsplit(origin).netloc.lower() == request.host.lower()

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        from_link = request.query.get(TOKEN_PARAM)
        if not (self._is_token(from_link) or self._is_token(request.cookies.get(self.cookie_name))):
            return web.Response(status=403, text=FORBIDDEN_TEXT)
        if request.path == "/ws" and not self._same_origin(request):
            return web.Response(status=403, text=FORBIDDEN_TEXT)
        if from_link is not None:
            # The token into a cookie, and out of the address bar (and so of any Referer).
            rest = [(k, v) for k, v in request.query.items() if k != TOKEN_PARAM]
            location = request.path + (f"?{urlencode(rest)}" if rest else "")
            response = web.Response(status=303, headers={"Location": location})
            response.set_cookie(
                self.cookie_name, self.token, httponly=True, samesite="Lax", path="/"
            )
            return response
        return await handler(request)

    async def make_app(self) -> web.Application:
        """textual-serve's aiohttp app, every route behind :meth:`guard`."""
        app = await self._make_app()
        app.middlewares.append(self.guard)
        return app

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A browser joins: its app process starts (textual-serve), and the console says so."""
        self.started += 1
        self.connected += 1
        self.say(f"· a browser connected ({self.connected} open)")
        try:
            return await super().handle_websocket(request)
        finally:
            self.connected -= 1
            self.say(f"· a browser closed ({self.connected} open)")

    # --- who is here ------------------------------------------------------------------------

    def look_at_presence(self) -> None:
        """Print who joined and who left since the last look (the presence records)."""
        if self.presence_folder is None:
            return
        from backplan_tui.core.presence import members

        now = {m.key: m.name for m in members(self.presence_folder)}
        for key, name in now.items():
            if key not in self._members:
                self.say(f"+ {name} joined ({len(now)} here)")
        for key, name in self._members.items():
            if key not in now:
                self.say(f"- {name} left ({len(now)} here)")
        self._members = now

    async def _watch_presence(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.look_at_presence)
            except OSError:
                pass
            await asyncio.sleep(PRESENCE_POLL)

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve prints its logo and the command here; the CLI prints the link.)"""
        if self.presence_folder is not None:
            self._members = {}
            self._watch = asyncio.create_task(self._watch_presence())

    async def on_shutdown(self, app: web.Application) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    # --- running ------------------------------------------------------------------------------

    def install_log_redaction(self) -> None:
        redact = RedactToken(self.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C (textual-serve's ``serve``, with the path-only access log)."""
        self.debug = debug
        self.initialize_logging()
        self.install_log_redaction()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        except NotImplementedError:  # pragma: no cover - Windows
            pass
        web.run_app(
            self.make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *args: None,
            **self.RUNNER_OPTIONS,  # type: ignore[arg-type]
        )


def participant_command(python: str, data_dir: Path, session_id: str) -> str:
    """The shell command textual-serve runs for each browser: the app in participant mode."""
    import shlex

    return shlex.join(
        [python, "-m", "backplan_tui.serve.participant", "--data-dir", str(data_dir), session_id]
    )
