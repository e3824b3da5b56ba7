"""Each export computes the plan's schedule once (core/export/facts.py), not once per part."""

from __future__ import annotations

import pytest

from backplan_tui.core import export, schedule, templates
from helpers import TODAY


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json", "csv", "ics"])
def test_the_schedule_is_computed_once_per_export(monkeypatch, fmt):
    # made before counting: the demo computes a schedule of its own (its report mark's dates)
    session = templates.demo_session(TODAY)
    calls: list[str] = []
    real = schedule.compute

    def counting(session, today, working_days=None):
        calls.append(session.id)
        return real(session, today, working_days)

    monkeypatch.setattr(schedule, "compute", counting)
    export.render(fmt, session, TODAY)
    assert calls == ["demo"]
