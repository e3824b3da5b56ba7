"""The JSON export re-imports to an equal session."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backplan_tui.core import templates
from backplan_tui.core.codec import CodecError
from backplan_tui.core.export import json as json_export
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Session,
)
from helpers import TODAY


def test_demo_round_trips():
    session = templates.demo_session(TODAY)
    again = json_export.load(json_export.render(session, TODAY))
    assert again == session
    assert again.updated == datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert again.pilots[1].start == date(2026, 11, 30)


def test_every_dated_field_and_extras_round_trip():
    session = Session(
        id="all-dates",
        title="Dates",
        created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated=datetime(2026, 6, 7, 8, 9, 10, tzinfo=UTC),
        revision=3,
        future_state=FutureState(
            statement="s",
            target_date=date(2027, 1, 1),
            outcomes=[Outcome(id="o1", metric="m", baseline=1, target=2.5, due=date(2026, 12, 1))],
        ),
        map=[MapNode(id="m1", pinned_due=date(2026, 10, 1), votes={"Ann": 2}, extra={"k": "v"})],
        pilots=[Pilot(id="p1", start=date(2026, 9, 1), end=date(2026, 9, 30), tests=["m1"])],
        checkins=[CheckIn(date=date(2026, 9, 15), values={"o1": 1.5}, note="n")],
        adjustments=[Adjustment(date=date(2026, 9, 16), what="w", why="y")],
        extra={"custom": {"nested": [1, 2]}},
    )
    again = json_export.load(json_export.render(session, TODAY))
    assert again == session
    assert again.future_state.outcomes[0].baseline == 1.0


def test_hostile_text_round_trips():
    text = "<script>alert(1)</script> =cmd|' /C calc'!A0 [@click=app.quit] \u202eevil"
    session = Session(id="h", title=text, map=[MapNode(id="m1", title=text, notes=text)])
    again = json_export.load(json_export.render(session, TODAY))
    # The bidi override is shown as a visible marker (textclean), everything else is kept.
    shown = text.replace("\u202e", "\u27e8U+202E\u27e9")
    assert again.title == shown and again.map[0].notes == shown
    assert json_export.load(json_export.render(again, TODAY)) == again


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{", "(json)"),
        ('{"id": "x", "title": "t", "revision": NaN}', "(json)"),
        ('{"id": "x", "title": "t", "created": "yesterday"}', "created"),
        ('{"id": "x", "title": "t", "map": [{"id": "m1", "pinned_due": "2026-02-30"}]}', "map"),
        ('["not", "a", "session"]', "(root)"),
    ],
)
def test_bad_json_is_a_codec_error_naming_the_field(text, field):
    with pytest.raises(CodecError) as info:
        json_export.load(text, source="x.json")
    assert info.value.field.startswith(field)
    assert str(info.value).startswith("x.json: ")
