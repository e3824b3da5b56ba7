"""Golden files: every export format of the demo session, byte for byte.

The files in golden/ were generated once, read by eye (the HTML also in Chromium, see
docs/export-html.png) and kept.  When an export changes on purpose, regenerate them with

    BACKPLAN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/export/test_export_golden.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backplan_tui.core import export, templates
from helpers import TODAY

GOLDEN = Path(__file__).parent / "golden"
FORMATS = ["md", "html", "json", "csv", "ics", "txt"]


def demo_output(fmt: str) -> bytes:
    return export.render(fmt, templates.demo_session(TODAY), TODAY).encode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_export_matches_golden_file(fmt):
    path = GOLDEN / f"demo.{fmt}"
    produced = demo_output(fmt)
    if os.environ.get("BACKPLAN_UPDATE_GOLDEN"):
        path.write_bytes(produced)
        pytest.skip(f"rewrote {path.name}")
    assert produced == path.read_bytes(), f"{fmt} export differs from {path}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_export_is_deterministic(fmt):
    assert demo_output(fmt) == demo_output(fmt)


def test_every_format_has_a_golden_file():
    assert sorted(export.FORMATS) == sorted(FORMATS)
    assert sorted(p.name for p in GOLDEN.glob("demo.*")) == sorted(f"demo.{f}" for f in FORMATS)


def test_line_endings_follow_each_format():
    # RFC 4180 and RFC 5545 want CRLF; the other formats are plain text with LF.
    for fmt in ["csv", "ics"]:
        data = (GOLDEN / f"demo.{fmt}").read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n") > 10
    for fmt in ["md", "html", "json", "txt"]:
        data = (GOLDEN / f"demo.{fmt}").read_bytes()
        assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
