"""The HTML progress report prints on one page, Letter and A4, in headless Chromium: the
report of a busy plan (four outcomes with charts, long lists cut to LIST_LIMIT).

Skipped when Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from backplan_tui.core.export import report_html
from backplan_tui.core.model import Outcome
from export.test_export_report import busy
from export.test_html_browser import CHROMIUM
from unit.test_report import MARK, TODAY

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
    pytest.mark.xdist_group("chromium"),
]


def pages(page: str, tmp_path: Path, name: str) -> int:
    source, pdf = tmp_path / f"{name}.html", tmp_path / f"{name}.pdf"
    source.write_text(page, "utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        source.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def test_a_busy_report_prints_on_one_page(tmp_path: Path) -> None:
    session = busy()
    session.future_state.outcomes += [
        Outcome(id="o3", metric="Third outcome with a longer name", baseline=1, target=9),
        Outcome(
            id="o4", metric="Fourth", unit="days", baseline=30, target=10, direction="decrease"
        ),
    ]
    session.future_state.statement = "A goal statement of a reasonable length. " * 4
    session.adjustments[-1].why = "A reason that takes a sentence or two to tell. " * 3
    mark = MARK.__class__(made=MARK.made, due=dict(MARK.due), done=list(MARK.done))
    for n in range(20):
        mark.due[f"x{n}"] = date(2027, 3, 1)
    page = report_html.render(session, TODAY, mark=mark)
    assert pages(page, tmp_path, "letter") == 1  # Chromium's default paper is Letter
    a4 = page.replace("@page { size: auto;", "@page { size: A4;")
    assert a4 != page
    assert pages(a4, tmp_path, "a4") == 1
