"""The HTML export in a real browser: headless Chromium renders it, prints it, runs nothing and
requests nothing.

Chromium is started with every HTTP(S) request sent to a proxy that this test runs on
127.0.0.1 (a "trap" that records what reaches it and answers nothing).  Requests Chromium
makes for itself (updates, time, accounts: Google service hosts) are ignored; any other
request would have come from the page.  A control page without a CSP shows that the trap
does see page requests, and the export with an image injected into it shows that Chromium
enforces the export's Content-Security-Policy (the image is refused, nothing reaches the
trap).

Skipped when Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import subprocess
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from backplan_tui.core import templates
from backplan_tui.core.export import html as html_export
from backplan_tui.core.model import MapNode
from helpers import TODAY

WIDTH, HEIGHT = 1200, 1600


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed; install it to run this test: apt-get install chromium",
    ),
    # one worker runs this module under `pytest -n`, so Chromium (a module fixture) starts once
    pytest.mark.xdist_group("chromium"),
]

# Chromium's own background traffic, which is not the page's doing.
BROWSER_HOSTS = re.compile(rb"^\S+ (?:https?://)?[^/\s:]*\.(?:google|googleapis|gstatic)\.com[:/ ]")


class Trap:
    """A TCP listener used as Chromium's HTTP proxy: records the first bytes of each request."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(32)
        self.port = self.server.getsockname()[1]
        self.seen: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.seen.append(conn.recv(300))
                except OSError:
                    pass

    def page_requests(self) -> list[bytes]:
        return [r for r in self.seen if not BROWSER_HOSTS.match(r)]

    def close(self) -> None:
        self.server.close()


@dataclass
class Run:
    dom: str
    log: str
    screenshot: Path | None
    pdf: Path | None


def chromium(page: Path, tmp: Path, trap: Trap, *, capture: bool) -> Run:
    shot, pdf = tmp / f"{page.stem}.png", tmp / f"{page.stem}.pdf"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp / 'profile'}",
        f"--proxy-server=http://127.0.0.1:{trap.port}",
        "--proxy-bypass-list=<-loopback>",  # even 127.0.0.1 goes through the trap
        "--enable-logging=stderr",
        "--v=0",
        f"--window-size={WIDTH},{HEIGHT}",
        "--dump-dom",
    ]
    if capture:
        command += [f"--screenshot={shot}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer"]
    result = subprocess.run(
        [*command, page.as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return Run(result.stdout, result.stderr, shot if capture else None, pdf if capture else None)


class Dom(HTMLParser):
    """Elements, the whole text, and the document's <title> (the first one; the SVG figures
    have titles of their own), from Chromium's serialized DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title" and not self.title

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title.append(data)


HOSTILE_TITLE = 'Plan <script>document.title="pwned"</script> "><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chromium")
    trap = Trap()
    try:
        leak = f"http://127.0.0.1:{trap.port}"
        session = templates.demo_session(TODAY)
        session.title = HOSTILE_TITLE
        session.map.append(
            MapNode(
                id="m99",
                title=f"![x]({leak}/md.png) <img src={leak}/html.png> <style>@import '{leak}/c'",
                parent="m1",
                duration_days=3,
            )
        )
        session.facilitation.parking_lot.append(f"<iframe src={leak}/frame></iframe> {leak}/")
        export = tmp / "export.html"
        export.write_text(html_export.render(session, TODAY), encoding="utf-8")
        export_run = chromium(export, tmp, trap, capture=True)
        export_requests = trap.page_requests()

        # Controls: a page without a CSP that loads an image (the trap must see it), framing
        # the export with an image injected (its CSP must refuse it).
        probe = tmp / "probe.html"
        probe.write_text(
            export.read_text(encoding="utf-8").replace(
                "<main>", f'<main><img src="{leak}/csp-probe.png">', 1
            ),
            encoding="utf-8",
        )
        control = tmp / "control.html"
        control.write_text(
            f'<!DOCTYPE html><p>control<img src="{leak}/control.png">'
            '<iframe src="probe.html"></iframe>',
            encoding="utf-8",
        )
        before = len(trap.seen)
        control_run = chromium(control, tmp, trap, capture=False)
        control_requests = [r for r in trap.seen[before:] if not BROWSER_HOSTS.match(r)]
        yield {
            "export": export_run,
            "export_requests": export_requests,
            "control": control_run,
            "control_requests": control_requests,
            "port": trap.port,
        }
    finally:
        trap.close()


def test_screenshot_is_produced(runs):
    shot = runs["export"].screenshot
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(data) > 40_000  # a blank page compresses to a few kB


def test_print_to_pdf_is_produced(runs):
    data = runs["export"].pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 40_000
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= 3  # the demo plan runs over several printed pages


def test_no_script_ran_and_hostile_text_stayed_text(runs):
    dom = Dom()
    dom.feed(runs["export"].dom)
    tags = {tag for tag, _ in dom.tags}
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    assert not any(name.startswith("on") for _, attrs in dom.tags for name in attrs)
    assert HOSTILE_TITLE in "".join(dom.text)  # the literal text, as the reader typed it
    # A script setting document.title would show here: the title is still the export's.
    assert "".join(dom.title) == f"{HOSTILE_TITLE} - backplan"
    assert 'http-equiv="Content-Security-Policy"' in runs["export"].dom
    assert "Uncaught" not in runs["export"].log


def test_no_request_left_the_page(runs):
    assert runs["export_requests"] == []
    assert "Content Security Policy" not in runs["export"].log  # nothing even tried


def test_controls_show_the_trap_and_the_csp_work(runs):
    port = runs["port"]
    seen = b"".join(runs["control_requests"])
    assert f"127.0.0.1:{port}/control.png".encode() in seen  # the trap sees page requests
    assert b"csp-probe.png" not in seen  # ...but not the one the export's CSP refuses
    log = runs["control"].log
    assert re.search(r"csp-probe\.png' violates the following Content Security Policy", log)
