"""Regenerate the README screenshots (SVG, via App.save_screenshot) from the demo session.

    .venv/bin/python docs/screenshots.py

Runs headless in a temporary data directory for a fixed day, so the pictures are stable.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from backplan_tui.tui.app import create_app

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 23)
SHOTS = [("home", None), ("future-state", "future_state"), ("reverse-map", "reverse_map")]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(tmp), today=lambda: TODAY, autosave_delay=600)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("D")  # create and open the demo
            await pilot.pause(0.3)
            await pilot.press("escape")
            await pilot.pause(0.3)
            for name, step in SHOTS:
                if step:
                    app.open_session("demo", step=step)
                    await pilot.pause(0.3)
                app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
                if step:
                    await pilot.press("escape")
                    await pilot.pause(0.3)


if __name__ == "__main__":
    asyncio.run(main())
