"""Conflicts left by a merge: typed in the session, shown in words, settled with one choice."""

from __future__ import annotations

import copy

import pytest

from backplan_tui.core import codec, conflicts
from backplan_tui.core.merge import merge_sessions
from backplan_tui.core.model import Conflict, MapNode, Question, Session


def base_session() -> Session:
    s = Session(id="s1", title="Retention")
    s.questions.append(Question(id="q1", prompt="Who benefits?", by="Ana"))
    s.map.append(MapNode(id="m1", title="Stay interviews", duration_days=30))
    return s


def both_edit_the_prompt() -> Session:
    base = base_session()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours.questions[0].prompt = "Who benefits first?"
    theirs.questions[0].prompt = "Who benefits most?"
    theirs.map[0].duration_days = 45  # a different field: merges silently
    merged, report = merge_sessions(base, ours, theirs, theirs_name="Ben")
    assert len(report.conflicts) == 1
    return merged


def test_a_merge_conflict_is_a_typed_record_that_survives_the_file() -> None:
    merged = both_edit_the_prompt()
    assert merged.questions[0].prompt == "Who benefits first?"  # ours in place
    assert merged.map[0].duration_days == 45
    assert merged.conflicts == [
        Conflict(
            field="prompt", where="questions", item="q1", by="Ben", theirs="Who benefits most?"
        )
    ]
    again = codec.loads(codec.dumps(merged))
    assert again.conflicts == merged.conflicts
    assert again.extra == {}  # typed, not an unknown key


def test_describe_names_the_item_and_both_values() -> None:
    shown = conflicts.describe(both_edit_the_prompt(), 0)
    assert shown.what == "the question 'Who benefits first?'"
    assert (shown.field, shown.mine, shown.theirs, shown.by) == (
        "prompt",
        "Who benefits first?",
        "Who benefits most?",
        "Ben",
    )


def test_keep_mine_drops_their_value_and_the_record() -> None:
    merged = both_edit_the_prompt()
    settled = conflicts.resolve(merged, 0, "mine")
    assert settled.conflicts == []
    assert settled.questions[0].prompt == "Who benefits first?"
    assert merged.conflicts, "the session given is not changed"


def test_take_theirs_puts_it_in_place() -> None:
    settled = conflicts.resolve(both_edit_the_prompt(), 0, "theirs")
    assert settled.conflicts == []
    assert settled.questions[0].prompt == "Who benefits most?"
    assert settled.map[0].duration_days == 45


def test_a_session_field_conflict_and_a_removed_value() -> None:
    s = base_session()
    s.team = "People Ops"
    s.conflicts = [
        Conflict(field="title", by="Ben", theirs="Retention 2027"),
        Conflict(field="team", by="Ben"),
    ]
    assert conflicts.describe(s, 0).what == "the session"
    titled = conflicts.resolve(s, 0, "theirs")
    assert titled.title == "Retention 2027" and len(titled.conflicts) == 1
    cleared = conflicts.resolve(titled, 0, "theirs")
    assert cleared.team == "" and cleared.conflicts == []


def test_theirs_for_a_deleted_item_is_refused_and_mine_still_works() -> None:
    s = base_session()
    s.conflicts = [Conflict(field="title", where="map", item="m9", by="Ben", theirs="Gone")]
    assert conflicts.describe(s, 0).what.endswith("(deleted since)")
    with pytest.raises(conflicts.ResolveError, match="no longer in the plan"):
        conflicts.resolve(s, 0, "theirs")
    assert conflicts.resolve(s, 0, "mine").conflicts == []


def test_a_value_of_the_wrong_type_is_refused_with_the_field_named() -> None:
    s = base_session()
    s.conflicts = [Conflict(field="duration_days", where="map", item="m1", by="Ben", theirs="soon")]
    with pytest.raises(conflicts.ResolveError, match=r"map\[0\]\.duration_days"):
        conflicts.resolve(s, 0, "theirs")


def test_no_such_conflict() -> None:
    with pytest.raises(conflicts.ResolveError):
        conflicts.resolve(base_session(), 0, "mine")


def test_who_added_an_item_round_trips_and_old_files_have_none() -> None:
    s = base_session()
    text = codec.dumps(s)
    assert 'by = "Ana"' in text
    assert codec.loads(text).questions[0].by == "Ana"
    assert codec.loads(text).map[0].by == ""
    assert "by =" not in codec.dumps(Session(id="s2", title="T"))


def test_what_arrived_names_who_added_it() -> None:
    base = base_session()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    theirs.questions.append(Question(id="q2", prompt="Budget?", by="Ben"))
    theirs.map.append(MapNode(id="m2", title="Train managers"))
    _, report = merge_sessions(base, ours, theirs, theirs_name="someone else")
    assert report.arrived == [
        "Ben added the question 'Budget?'",
        "someone else added the map node 'Train managers'",
    ]


def test_arrivals_are_reported_when_this_side_changed_nothing() -> None:
    """A live app with no edits of its own still hears what arrived (outcomes included)."""
    from backplan_tui.core.model import Outcome

    base = base_session()
    theirs = copy.deepcopy(base)
    theirs.questions.append(Question(id="q2", prompt="Budget?", by="Ben"))
    theirs.future_state.outcomes.append(Outcome(id="o1", metric="Retention", by="Cleo"))
    merged, report = merge_sessions(base, copy.deepcopy(base), theirs)
    assert merged == theirs
    assert sorted(report.arrived) == [
        "Ben added the question 'Budget?'",
        "Cleo added the outcome 'Retention'",
    ]


def test_the_words_the_screens_and_exports_use() -> None:
    merged = both_edit_the_prompt()
    merged.conflicts.append(Conflict(field="team", by=""))
    assert conflicts.describe_all(merged) == [
        conflicts.describe(merged, 0),
        conflicts.describe(merged, 1),
    ]
    assert conflicts.describe_all(base_session()) == []
    assert conflicts.note(merged.conflicts[0]) == "Ben also changed prompt: Who benefits most?"
    assert conflicts.note(merged.conflicts[1]) == "Someone also changed team: (empty)"
    assert (conflicts.whose("Ben"), conflicts.whose(" \x07")) == ("Ben's", "theirs")
    assert [conflicts.count_label(n) for n in (0, 1, 2)] == ["", "⚠ 1 conflict", "⚠ 2 conflicts"]


def test_a_merge_conflict_on_an_owner_names_the_owner() -> None:
    from backplan_tui.core.conflicts import describe
    from backplan_tui.core.model import Conflict, Owner, Session

    session = Session(id="s", title="Plan", owners=[Owner(id="w1", name="Priya")])
    session.conflicts = [
        Conflict(field="capacity_hours", where="owners", item="w1", by="Ben", theirs=6.0)
    ]
    assert describe(session, 0).what == "the owner 'Priya'"
