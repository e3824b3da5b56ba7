"""Small helpers of the model."""

from __future__ import annotations

from backplan_tui.core.model import MapNode, Session, by_id


def test_by_id_keeps_the_first_of_a_repeated_id_as_session_node_does():
    first, other, repeat = MapNode("m1", "First"), MapNode("m2", "Other"), MapNode("m1", "Again")
    session = Session(id="s", title="Plan", map=[first, other, repeat])
    found = by_id(session.map)
    assert list(found) == ["m1", "m2"]
    assert found["m1"] is first and session.node("m1") is first
    assert by_id([]) == {}
