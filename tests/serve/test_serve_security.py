"""``backplan serve``'s guard (issue 18): without the session's token, with a wrong one or
another session's, every route answers 403 and no app process starts; the token never
reaches the access log; the page loads nothing from outside this server."""

from __future__ import annotations

import asyncio
import io
import logging
import shlex
import sys
from datetime import date
from importlib.metadata import version
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from backplan_tui.cli_serve import announce, qr_text
from backplan_tui.serve.server import RedactToken, RoomServer
from serve.roomload import reaped

ROUTES = ["/", "/ws", "/static/js/textual.js", "/static/css/xterm.css", "/download/abc"]


def test_textual_serve_is_the_version_its_private_names_were_read_in() -> None:
    # RoomServer uses Server._make_app, handle_websocket and initialize_logging (1.1.3).
    assert version("textual-serve") == "1.1.3", (
        "textual-serve changed: check RoomServer against its Server before moving the pin"
    )


def spawn_marker_command(marker: Path) -> str:
    """An "app" that leaves a file behind: it exists only if a process was started."""
    code = f"open({str(marker)!r}, 'w').close()"
    return shlex.join([sys.executable, "-c", code])


async def appears(path: Path, within: float = 20.0) -> bool:
    """Poll for ``path`` (bounded): a process that starts may take a moment under load."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not path.exists():
        if loop.time() > end:
            return False
        await asyncio.sleep(0.05)
    return True


def room(marker: Path, title: str = "backplan · Plan") -> RoomServer:
    return RoomServer(spawn_marker_command(marker), host="127.0.0.1", port=8000, title=title)


async def client_for(server: RoomServer) -> TestClient:
    test_server = TestServer(await server.make_app())
    await test_server.start_server(**server.RUNNER_OPTIONS)  # type: ignore[arg-type]  # as serve
    client = TestClient(test_server)
    await client.start_server()
    return client


@pytest.mark.parametrize("given", [None, "", "wrong-token", "other-session"])
async def test_no_token_a_wrong_one_or_another_sessions_is_403_and_starts_nothing(
    tmp_path: Path, given: str | None
) -> None:
    marker = tmp_path / "spawned"
    server, other = room(marker), room(tmp_path / "other")
    token = other.token if given == "other-session" else given
    client = await client_for(server)
    try:
        for route in ROUTES:
            params = {} if token is None else {"token": token}
            response = await client.get(route, params=params, allow_redirects=False)
            assert response.status == 403, route
            assert "join link" in await response.text()
            cookies = {} if token is None else {server.cookie_name: token}
            response = await client.get(route, cookies=cookies, allow_redirects=False)
            assert response.status == 403, route
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", params={} if token is None else {"token": token})
        assert refused.value.status == 403
    finally:
        await client.close()
    assert server.started == 0
    assert not marker.exists()


async def test_the_link_becomes_a_cookie_and_the_page_loads_only_from_here(
    tmp_path: Path,
) -> None:
    server = room(tmp_path / "spawned", title='backplan · <script>alert("x")</script> [b]')
    client = await client_for(server)
    try:
        response = await client.get("/", params={"token": server.token}, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/"  # the token leaves the address bar
        cookie = response.cookies[server.cookie_name]
        assert cookie.value == server.token
        assert cookie["httponly"] and cookie["samesite"] == "Lax"

        jar = {server.cookie_name: server.token}
        page = await client.get("/", cookies=jar)
        assert page.status == 200
        html = await page.text()
        assert "googleapis" not in html and "https://" not in html and "//cdn" not in html
        assert "&lt;script&gt;" in html and "<script>alert" not in html  # the title, escaped
        for asset in (
            "static/js/textual.js",
            "static/css/xterm.css",
            "static/fonts/RobotoMono-VariableFont_wght.ttf",
        ):
            assert asset in html
            got = await client.get("/" + asset, cookies=jar)
            assert got.status == 200, asset
        script = await (await client.get("/static/js/textual.js", cookies=jar)).text()
        assert "googleapis" not in script and "cdn.jsdelivr" not in script
    finally:
        await client.close()
    assert server.started == 0  # a page, no process yet: that is the websocket's


async def test_a_websocket_from_another_sites_page_is_403_the_rooms_starts_the_app(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "spawned"
    server = room(marker)
    async with reaped():  # the one process started is waited for before the test ends
        client = await client_for(server)
        cookie = f"{server.cookie_name}={server.token}"
        try:
            with pytest.raises(WSServerHandshakeError) as refused:
                await client.ws_connect(
                    "/ws", headers={"Cookie": cookie, "Origin": "http://evil.test"}
                )
            assert refused.value.status == 403
            assert server.started == 0 and not marker.exists()

            # The control: the same request from the room's own page starts the app process.
            origin = f"http://{client.host}:{client.port}"
            ws = await client.ws_connect("/ws", headers={"Cookie": cookie, "Origin": origin})
            assert await appears(marker)
            assert server.started == 1
            await ws.close()
        finally:
            await client.close()


async def test_the_token_never_reaches_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = room(tmp_path / "spawned")
    caplog.set_level(logging.DEBUG)
    client = await client_for(server)
    try:
        await client.get("/?token=wrong")
        await client.get("/", params={"token": server.token, "fontsize": "18"})
        await client.get("/", cookies={server.cookie_name: server.token})
    finally:
        await client.close()
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /" 303' in line for line in access), access
    assert any('"GET /" 403' in line for line in access), access
    assert server.token not in caplog.text
    assert "wrong" not in caplog.text  # no query string at all

    # and the filter on the console's handlers blanks it anywhere else
    record = logging.LogRecord("x", logging.INFO, "", 0, "url %s", (server.join_url,), None)
    assert RedactToken(server.token).filter(record)
    assert server.token not in record.getMessage() and "[token]" in record.getMessage()


def test_the_console_shows_the_link_its_qr_code_and_warns_off_localhost() -> None:
    link = "http://127.0.0.1:8000/?token=abc"
    out = io.StringIO()
    announce(link, "Plan [b]", "127.0.0.1", out=out)
    text = out.getvalue()
    assert link in text and "Plan [b]" in text and "warning" not in text
    assert "█" in text or "▀" in text  # the QR code, drawn in blocks
    assert len(qr_text(link).splitlines()) > 10

    out = io.StringIO()
    announce(link, "Plan", "0.0.0.0", qr=False, out=out)
    warnings = [line for line in out.getvalue().splitlines() if "warning" in line]
    assert len(warnings) == 1 and "0.0.0.0" in warnings[0]


def test_joins_and_leaves_are_printed_one_line_each(tmp_path: Path) -> None:
    from backplan_tui.core.presence import Presence

    lines: list[str] = []
    folder = tmp_path / "presence" / "s1"
    server = RoomServer("true", presence_folder=folder, say=lines.append)
    ana = Presence(tmp_path, "s1", "Ana [b]", "participant")
    ana.join("questions")
    server.look_at_presence()
    assert lines == ["+ Ana [b] joined (1 here)"]
    server.look_at_presence()
    assert len(lines) == 1  # nothing new
    ana.leave()
    server.look_at_presence()
    assert lines[-1] == "- Ana [b] left (0 here)"


def test_serve_refuses_an_unknown_session_and_a_bad_port_in_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backplan_tui.cli import main
    from backplan_tui.core import templates
    from backplan_tui.core.storage import SessionStore

    assert main(["serve", "no-such-session"]) == 1
    assert capsys.readouterr().err.startswith("backplan: error: ")
    demo = templates.demo_session(date.today())
    SessionStore(data_dir).create(demo)
    assert main(["serve", demo.id, "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--port" in err
