"""The JSON export: its published JSON Schema (docs/export.schema.json), checked with the
``jsonschema`` package on the demo, every template and hostile sessions; and the computed
schedule under ``"computed"``, worked out by hand and ignored on import."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from backplan_tui.core import model, schedule, templates
from backplan_tui.core.export import json as json_export
from backplan_tui.core.model import FutureState, MapNode, Pilot, Session
from helpers import TODAY

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "export.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def exported(session: Session, today: date = TODAY) -> dict[str, Any]:
    return json.loads(json_export.render(session, today))


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def error_paths(validator: Draft202012Validator, data: Any) -> set[tuple[Any, ...]]:
    return {tuple(e.absolute_path) for e in validator.iter_errors(data)}


# --- the schema against real exports -------------------------------------------------------------


def test_the_demo_export_fits_the_schema(validator):
    data = exported(templates.demo_session(TODAY))
    assert errors(validator, data) == []
    assert list(data)[-1] == "computed"


@pytest.mark.parametrize("name", [info.name for info in templates.list_templates()])
def test_every_template_fits_the_schema(validator, name):
    session = templates.instantiate(name, session_id=f"t-{name}", title=name, today=TODAY)
    assert errors(validator, exported(session)) == []
    # and with no target date (a schedule that is not ready)
    session.future_state.target_date = None
    data = exported(session)
    assert errors(validator, data) == []
    assert data["computed"]["schedule"]["ready"] is False


HOSTILE = [
    "Q1, Q2; ops\\plan",
    '"><img src=x onerror=alert(1)>',
    "=cmd|' /C calc'!A0",
    "ctrl \x1b[31mred\x07 \x9b2J \x00nul \x7f",
    "rtl \u202eevil\u202c \u2028 sep",
    "日本語 🙂 Ask ann@example.com",
    '{"computed": null}',
]


def hostile_session(t: str) -> Session:
    return Session(
        id="hostile-0001",
        title=t,
        team=t,
        participants=[t],
        created=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 22, 16, 30, 5, 123456, tzinfo=UTC),
        future_state=FutureState(statement=t, target_date=date(2027, 6, 30), working_days=True),
        map=[
            MapNode(id=f"m1 {t}", title=t, owner=t, duration_days=30, votes={t: 2}),
            MapNode(id="m2", title=t, parent=f"m1 {t}", duration_days=5, status="doing"),
            MapNode(id="m3", title=t, pinned_due=date(2027, 8, 1)),
            MapNode(id="m4", title=t, status="dropped"),
        ],
        pilots=[Pilot(id=f"p1 {t}", name=t, tests=[t], start=date(2026, 12, 1))],
        extra={f"x-{t}": t, "nested": {"computed": [1, 2]}},  # never a known key
    )


@pytest.mark.parametrize("t", HOSTILE)
def test_a_hostile_session_fits_the_schema(validator, t):
    data = exported(hostile_session(t))
    assert errors(validator, data) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=30))
def test_random_text_everywhere_fits_the_schema(validator, t):
    assert errors(validator, exported(hostile_session(t))) == []


def test_the_typed_cadence_and_timebox_use_fit_the_schema(validator):
    session = templates.demo_session(TODAY)
    session.review_cadence = "weekly"
    session.facilitation.used_seconds = {"future_state": 754}
    session.facilitation.added_seconds = {"future_state": 300}
    data = exported(session)
    assert errors(validator, data) == []
    assert data["review_cadence"] == "weekly"
    assert data["facilitation"]["used_seconds"] == {"future_state": 754}
    assert json_export.load(json.dumps(data)) == session
    data["review_cadence"] = "daily"
    assert error_paths(validator, data) == {("review_cadence",)}


def test_the_schema_refuses_what_is_not_an_export(validator):
    data = exported(templates.demo_session(TODAY))
    broken = json.loads(json.dumps(data))
    broken["computed"]["schedule"]["nodes"][0]["due"] = "soon"
    broken["computed"]["extra"] = 1
    broken["map"][0]["status"] = "finished"
    del broken["computed"]["schedule"]["critical_start"]
    assert error_paths(validator, broken) == {
        ("computed", "schedule", "nodes", 0, "due"),
        ("computed",),  # the unknown key
        ("map", 0, "status"),
        ("computed", "schedule"),  # critical_start is missing
    }
    assert error_paths(validator, {k: v for k, v in data.items() if k != "computed"}) == {()}


def test_the_schema_names_every_value_the_model_allows():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert tuple(defs["step"]["enum"]) == model.ALL_STEPS
    assert tuple(defs["outcome"]["properties"]["direction"]["enum"]) == model.DIRECTIONS
    assert tuple(defs["question"]["properties"]["status"]["enum"]) == model.QUESTION_STATUSES
    assert tuple(defs["map_node"]["properties"]["status"]["enum"]) == model.NODE_STATUSES
    assert tuple(defs["pilot"]["properties"]["status"]["enum"]) == model.PILOT_STATUSES
    assert tuple(defs["pilot"]["properties"]["decision"]["enum"]) == model.DECISIONS
    assert tuple(defs["checkin"]["properties"]["confidence"]["enum"]) == model.CONFIDENCES
    assert tuple(schema["properties"]["review_cadence"]["enum"]) == model.REVIEW_CADENCES
    flags = defs["scheduled_node"]["properties"]["flags"]["items"]["enum"]
    assert tuple(flags) == schedule.FLAGS


# --- the computed schedule, worked out by hand ---------------------------------------------------


def pinned_plan() -> Session:
    # Issue 15's case.  A: 10 days, pinned 2027-01-10, starts 2026-12-31 (38 days after
    # 2026-11-23).  B under A: 5 days, pinned 2027-05-01 (after A starts: a conflict), starts
    # 2027-04-26 (154 days).  C: 30 days before 2027-06-30, starts 2027-05-31 (189 days).
    # D: done.  P1 has no end date and no rule, tests nothing, has no metric.
    return Session(
        id="pin-0001",
        title="Pinned",
        future_state=FutureState(statement="Goal", target_date=date(2027, 6, 30)),
        map=[
            MapNode(id="a", title="A", duration_days=10, pinned_due=date(2027, 1, 10)),
            MapNode(id="b", title="B", parent="a", duration_days=5, pinned_due=date(2027, 5, 1)),
            MapNode(id="c", title="C", duration_days=30),
            MapNode(id="d", title="D", status="done"),
        ],
        pilots=[Pilot(id="p1", name="P")],
    )


def test_computed_holds_the_schedule_and_the_pilot_flags():
    computed = exported(pinned_plan())["computed"]
    assert computed["as_of"] == "2026-11-23"
    assert "ignored on import" in computed["about"]
    plan = computed["schedule"]
    assert {k: v for k, v in plan.items() if k != "nodes"} == {
        "ready": True,
        "reason": "",
        "target_date": "2027-06-30",
        "working_days": False,
        "critical_path": ["b", "a"],
        "critical_start": "2026-12-31",
        "start_now": [],
        "start_now_days": 14,
        "earliest_start": "2026-12-31",
        "late": [],
    }
    assert plan["nodes"] == [
        {
            "id": "a",
            "latest_start": "2026-12-31",
            "due": "2027-01-10",
            "slack_days": 38,
            "depth": 1,
            "duration_days": 10,
            "pinned": True,
            "settled": False,
            "late": False,
            "critical": True,
            "flags": [],
        },
        {
            "id": "b",
            "latest_start": "2027-04-26",
            "due": "2027-05-01",
            "slack_days": 154,
            "depth": 2,
            "duration_days": 5,
            "pinned": True,
            "settled": False,
            "late": False,
            "critical": True,
            "flags": ["pinned_conflict"],
        },
        {
            "id": "c",
            "latest_start": "2027-05-31",
            "due": "2027-06-30",
            "slack_days": 189,
            "depth": 1,
            "duration_days": 30,
            "pinned": False,
            "settled": False,
            "late": False,
            "critical": False,
            "flags": [],
        },
        {
            "id": "d",
            "latest_start": "2027-06-30",
            "due": "2027-06-30",
            "slack_days": 219,
            "depth": 1,
            "duration_days": 0,
            "pinned": False,
            "settled": True,
            "late": False,
            "critical": False,
            "flags": [],
        },
    ]
    assert computed["pilots"] == [
        {
            "id": "p1",
            "flags": ["tests nothing on the map", "no metric", "no end date", "no decision rule"],
        }
    ]


def test_computed_late_flags_as_seen_later():
    # On 2027-01-05, A (latest start 2026-12-31) is 5 days late and must start now.
    plan = exported(pinned_plan(), date(2027, 1, 5))["computed"]["schedule"]
    assert plan["late"] == ["a"]
    node_a = plan["nodes"][0]
    assert (node_a["late"], node_a["slack_days"], node_a["flags"]) == (
        True,
        -5,
        ["starts_in_past"],
    )
    # A has an open child (B), so it is not on the frontier; B (04-26) and C (05-31) start
    # after the 14-day window (to 01-19).
    assert plan["start_now"] == []


def test_without_a_target_date_the_schedule_says_why():
    session = pinned_plan()
    session.future_state.target_date = None
    plan = exported(session)["computed"]["schedule"]
    assert plan["ready"] is False
    assert plan["reason"] == "Set a target date to compute the schedule."
    assert plan["target_date"] is None and plan["critical_start"] is None
    assert plan["nodes"] == [] and plan["critical_path"] == [] and plan["late"] == []


# --- ignored on import ---------------------------------------------------------------------------


def test_load_ignores_computed_whatever_it_holds():
    session = pinned_plan()
    text = json_export.render(session, TODAY)
    assert json_export.load(text) == session
    data = json.loads(text)
    for junk in (None, "x", [1], {"schedule": "not a schedule"}):
        data["computed"] = junk
        again = json_export.load(json.dumps(data))
        assert again == session and "computed" not in again.extra


def test_a_hand_made_computed_key_in_the_session_is_replaced_not_doubled():
    session = pinned_plan()
    session.extra["computed"] = "stale"
    data = exported(session)
    assert list(data).count("computed") == 1
    assert data["computed"]["as_of"] == "2026-11-23"


def test_team_fields_are_in_the_schema(validator: Draft202012Validator) -> None:
    """Who added an item and the conflicts a merge kept are described, and typed right."""
    session = Session(id="s1", title="T")
    session.map.append(MapNode(id="m1", title="A", by="Ana"))
    session.conflicts.append(
        model.Conflict(field="title", where="map", item="m1", by="Ben", theirs="B")
    )
    data = exported(session)
    assert data["map"][0]["by"] == "Ana"
    assert data["conflicts"] == [
        {"where": "map", "item": "m1", "field": "title", "by": "Ben", "theirs": "B"}
    ]
    assert errors(validator, data) == []
    data["conflicts"][0].pop("field")
    data["map"][0]["by"] = 7
    assert error_paths(validator, data) == {("conflicts", 0), ("map", 0, "by")}
