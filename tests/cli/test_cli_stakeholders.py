"""backplan show and check with stakeholders and a communication plan."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from backplan_tui import cli
from backplan_tui.core import templates
from backplan_tui.core.model import Stakeholder
from backplan_tui.core.storage import SessionStore


def test_show_prints_the_stakeholders_and_the_plan(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = date.today()  # show reads the clock: the demo is built for the same day
    SessionStore(data_dir).create(templates.demo_session(today))
    assert cli.main(["show", "demo", "--width", "100"]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Stakeholders and communication\n") :]
    assert section.splitlines()[2].startswith(
        "- Ines (Finance director, budget holder): resistant, interest medium, influence high"
    )
    assert "Communication plan:" in section
    next_steering = (today + timedelta(days=5)).isoformat()
    assert f"(monthly, Steering meeting): next {next_steering} (in 5 days); owner HR lead" in (
        section.replace("\n  ", " ")
    )


def test_check_warns_of_a_resistant_leader_with_nothing_planned(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = templates.demo_session(date.today())
    session.stakeholders.append(
        Stakeholder(id="k9", name="Omar", influence="high", stance="resistant")
    )
    session.communications[0].next = date.today() - timedelta(days=2)
    SessionStore(data_dir).create(session)
    assert cli.main(["check", "demo", "--json"]) == 1  # the demo's late path is a problem
    findings = json.loads(capsys.readouterr().out)["findings"]
    mine = {(f["check"], f["item_id"], f["severity"]) for f in findings if f["step"] == "track"}
    assert ("resistant_unplanned", "k9", "warning") in mine
    assert ("communication_overdue", "c1", "warning") in mine
    assert cli.main(["check", "demo"]) == 1
    out = capsys.readouterr().out
    assert '"Omar" resists the plan' in out
    assert "to Ines, Department heads was due" in out and "(2 days ago)" in out
