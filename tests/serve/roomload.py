"""The browser room under load (issue 18): N participants connected to ``backplan serve``'s
server at once, M of them adding questions at the same time, and nothing lost.

Used by ``tests/serve/test_serve_load.py`` (a small room in CI) and
``benchmarks/soak_serve.py`` (20 connected, 10 adding).  Each participant is a websocket
speaking textual-serve's protocol as the page's script does (``["stdin", keys]``), so each
join starts one participant app process, as a browser's would.  The server runs in this
process on a free loopback port.

A participant's keys: its name and Enter (the name form), then per question ``a`` (the
questions step's "New question"), the text, Ctrl+S; each key waits for what the screen
should show first (the words in the app's output), as a person would.  While they type, the
session file is read again and again: every read must load (a torn or invalid file counts).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from backplan_tui.core import templates
from backplan_tui.core.codec import CodecError
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.serve.server import RoomServer, participant_command

WAIT = 120.0  # bounds a run that would hang; not part of what is measured


@dataclass
class LoadResult:
    connected: int
    adding: int
    per_person: int
    expected: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    bad_reads: int = 0
    reads: int = 0
    seconds: float = 0.0  # from the first key of the first question to all in the file
    names_missing: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def room_home(home: Path) -> str:
    """The demo on its questions step in ``home``; its id."""
    demo = templates.demo_session(date.today())
    demo.current_step = "questions"
    SessionStore(home).create(demo)
    return demo.id


class Screen:
    """What one participant's app has written so far (its output, as text)."""

    def __init__(self) -> None:
        self.text = ""
        self.changed = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self.text += data.decode("utf-8", "replace")
        if len(self.text) > 400_000:  # only the recent output matters
            self.text = self.text[-200_000:]
        self.changed.set()

    async def shows(self, words: str, since: int = 0) -> int:
        """Wait until ``words`` appear after position ``since``; where they end."""
        try:
            async with asyncio.timeout(WAIT):
                while True:
                    at = self.text.find(words, max(0, since - len(words)))
                    if at >= 0 and at + len(words) > since:
                        return at + len(words)
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:  # say what the app showed instead
            words_seen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", self.text[-3000:])
            raise AssertionError(
                f"{words!r} never showed; the app's last output: {' '.join(words_seen.split())}"
            ) from None


async def _read(ws: Any, screen: Screen) -> None:
    from aiohttp import WSMsgType

    async for message in ws:
        if message.type == WSMsgType.BINARY:
            screen.feed(message.data)


async def _in_file(store: SessionStore, session_id: str, text: str) -> None:
    """Wait until the session file holds a question ``text`` (it was added and saved)."""

    def holds() -> bool:
        try:
            return text in {q.prompt for q in store.load(session_id).questions}
        except (StoreError, CodecError, OSError):
            return False

    async with asyncio.timeout(WAIT):
        while not await asyncio.to_thread(holds):
            await asyncio.sleep(0.1)


async def _joined(store: SessionStore, session_id: str, name: str) -> None:
    """Wait until the session file lists ``name`` among its participants."""

    def listed() -> bool:
        try:
            return name in store.load(session_id).participants
        except (StoreError, CodecError, OSError):
            return False

    async with asyncio.timeout(WAIT):
        while not await asyncio.to_thread(listed):
            await asyncio.sleep(0.1)


async def _person(
    ws: Any, screen: Screen, name: str, texts: list[str], store: SessionStore, session_id: str
) -> None:
    await screen.shows("Your name")
    sent = len(screen.text)
    await ws.send_json(["stdin", name + "\r"])
    # Joined: the name is in the file and the questions step is drawn (its table's "Status"
    # column).  Not the "Welcome" toast: it lasts 3 s, and a loaded host (the CI's two cores
    # shared with other tests) may draw the step only after the toast has gone.
    await _joined(store, session_id, name)
    mark = await screen.shows("Status", sent)
    for text in texts:
        await ws.send_json(["stdin", "a"])
        mark = await screen.shows("New question", mark)
        await ws.send_json(["stdin", text])
        await ws.send_json(["stdin", "\x13"])  # Ctrl+S
        # The next "a" waits until this question is saved: its dialog has closed by then.
        await _in_file(store, session_id, text)
        mark = len(screen.text)


async def start_room(command: str) -> tuple[RoomServer, Any, str, dict[str, str]]:
    """``backplan serve``'s server for ``command`` on a free loopback port, in this process:
    (the server, its aiohttp runner to clean up, the origin, a joined browser's headers)."""
    from aiohttp import web

    port = free_port()
    server = RoomServer(command, host="127.0.0.1", port=port, say=lambda line: None)
    runner = web.AppRunner(await server.make_app(), **server.RUNNER_OPTIONS)  # type: ignore[arg-type]
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    origin = f"http://127.0.0.1:{port}"
    headers = {"Cookie": f"{server.cookie_name}={server.token}", "Origin": origin}
    return server, runner, origin, headers


@contextlib.asynccontextmanager
async def reaped() -> AsyncIterator[None]:
    """Wait, on the way out, for every app process the room started meanwhile.  textual-serve
    stops reading an app at the end of its output and never waits for the process, so its
    transport outlived the test's event loop and was closed later, in another test
    ("Exception ignored in BaseSubprocessTransport.__del__")."""
    started: list[asyncio.subprocess.Process] = []
    start = asyncio.create_subprocess_shell

    async def recorded(*args: Any, **options: Any) -> asyncio.subprocess.Process:
        process = await start(*args, **options)
        started.append(process)
        return process

    with mock.patch.object(asyncio, "create_subprocess_shell", recorded):
        try:
            yield
        finally:
            async with asyncio.timeout(WAIT):
                for process in started:
                    await process.wait()


async def run(
    home: Path, session_id: str, connected: int, adding: int, per_person: int
) -> LoadResult:
    async with reaped():
        return await _run(home, session_id, connected, adding, per_person)


async def _run(
    home: Path, session_id: str, connected: int, adding: int, per_person: int
) -> LoadResult:
    from aiohttp import ClientSession

    result = LoadResult(connected, adding, per_person)
    command = participant_command(sys.executable, home, session_id)
    server, runner, origin, headers = await start_room(command)
    store = SessionStore(home)
    readers: list[asyncio.Task[None]] = []
    try:
        async with ClientSession() as http:
            sockets, screens = [], []
            for _ in range(connected):
                ws = await http.ws_connect(f"{origin}/ws?width=80&height=24", headers=headers)
                screen = Screen()
                sockets.append(ws)
                screens.append(screen)
                readers.append(asyncio.create_task(_read(ws, screen)))
            for screen in screens:  # all in, each at its name form
                await screen.shows("Your name")
            if server.connected != connected:
                raise AssertionError(f"{server.connected} of {connected} connected")
            names = [f"P{i:02d}" for i in range(adding)]
            plans = {
                name: [f"Load question {k} from {name}" for k in range(per_person)]
                for name in names
            }
            result.expected = [text for texts in plans.values() for text in texts]
            started = time.monotonic()
            typing = asyncio.gather(
                *(
                    _person(sockets[i], screens[i], name, plans[name], store, session_id)
                    for i, name in enumerate(names)
                )
            )
            while not typing.done():
                await asyncio.sleep(0.05)
                result.reads += 1
                try:
                    await asyncio.to_thread(store.load, session_id)
                except (StoreError, CodecError, OSError):
                    result.bad_reads += 1
            async with asyncio.timeout(WAIT):
                await typing
            session = store.load(session_id)
            result.seconds = time.monotonic() - started
            prompts = {q.prompt for q in session.questions}
            result.lost = [text for text in result.expected if text not in prompts]
            result.names_missing = [n for n in names if n not in session.participants]
            for ws in sockets:
                await ws.close()
            async with asyncio.timeout(WAIT):
                while server.connected:
                    await asyncio.sleep(0.05)
    finally:
        for task in readers:
            task.cancel()
        await runner.cleanup()
    return result
