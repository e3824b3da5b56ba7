"""Undo / redo history of session snapshots."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backplan_tui.core.document import Document
from backplan_tui.core.model import MapNode, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.core.templates import demo_session
from backplan_tui.core.undo import History
from backplan_tui.core.votes import vote


def make_session() -> Session:
    return Session(id="s", title="t", participants=["Dana", "Lee"])


def add_node(history: History, session: Session, n: int) -> None:
    history.record(session, f"add node N{n}")
    session.map.append(MapNode(id=f"m{n}", title=f"N{n}"))


def test_ten_edits_undone_and_redone_give_back_exactly_the_states() -> None:
    session = make_session()
    session.map.append(MapNode(id="m0", title="Root"))
    history = History()
    edits = [
        ("add node N1", lambda s: s.map.append(MapNode(id="m1", title="N1", parent="m0"))),
        ("rename N1", lambda s: setattr(s.node("m1"), "title", "First")),
        ("vote", lambda s: vote(s, "map", "m1", "Dana")),
        ("vote", lambda s: vote(s, "map", "m0", "Lee", 2)),
        ("status", lambda s: setattr(s.node("m0"), "status", "doing")),
        ("pin", lambda s: setattr(s.node("m1"), "pinned_due", date(2027, 5, 1))),
        ("move N1", lambda s: setattr(s.node("m1"), "parent", "")),
        ("goal", lambda s: setattr(s.future_state, "statement", "By 2028, more.")),
        ("park", lambda s: s.facilitation.parking_lot.append("Budget?")),
        ("delete Root", lambda s: s.map.remove(s.node("m0"))),
    ]
    states = [copy.deepcopy(session)]
    for label, edit in edits:
        history.record(session, label)
        edit(session)
        states.append(copy.deepcopy(session))
    assert states[-1].map == [
        MapNode(id="m1", title="First", votes={"Dana": 1}, pinned_due=date(2027, 5, 1))
    ]

    current: Any = session  # undo/redo return None at the end of the history
    for i in range(10, 0, -1):
        assert history.undo_label == f"Undo: {edits[i - 1][0]}"
        current = history.undo(current)
        assert current == states[i - 1]
    assert not history.can_undo and history.undo(current) is None
    assert history.undo_label == "Nothing to undo"

    for i in range(1, 11):
        assert history.redo_label == f"Redo: {edits[i - 1][0]}"
        current = history.redo(current)
        assert current == states[i]
    assert not history.can_redo and history.redo(current) is None


def test_each_undo_returns_the_state_before_the_labelled_edit() -> None:
    session = make_session()
    history = History()
    before = []
    for n in range(1, 11):
        before.append(copy.deepcopy(session))
        add_node(history, session, n)
    after = copy.deepcopy(session)
    current: Any = session  # undo/redo return None at the end of the history
    for n in range(10, 0, -1):
        assert history.undo_label == f"Undo: add node N{n}"
        current = history.undo(current)
        assert current == before[n - 1]
    for n in range(1, 11):
        assert history.redo_label == f"Redo: add node N{n}"
        current = history.redo(current)
    assert current == after


def test_a_new_edit_clears_redo() -> None:
    session = make_session()
    history = History()
    add_node(history, session, 1)
    add_node(history, session, 2)
    current = history.undo(session)
    assert current is not None and history.can_redo
    add_node(history, current, 3)
    assert not history.can_redo
    assert history.redo_label == "Nothing to redo"
    assert history.redo(current) is None
    assert [n.id for n in current.map] == ["m1", "m3"]


def test_the_limit_drops_the_oldest_steps() -> None:
    session = make_session()
    history = History(limit=50)
    for n in range(1, 61):
        add_node(history, session, n)
    assert history.undo_depth == 50
    current: Any = session  # undo/redo return None at the end of the history
    for _ in range(50):
        current = history.undo(current)
    assert not history.can_undo
    assert [n.id for n in current.map] == [f"m{n}" for n in range(1, 11)]


def test_default_history_is_at_least_fifty_deep_and_limit_is_checked() -> None:
    assert History().limit >= 50
    with pytest.raises(ValueError, match="at least 1 step"):
        History(limit=0)


def test_snapshots_are_independent_of_later_edits() -> None:
    session = make_session()
    session.map.append(MapNode(id="m1", title="Before", votes={"Dana": 1}))
    history = History()
    history.record(session, "vote")
    vote(session, "map", "m1", "Lee")
    session.map[0].title = "After"
    restored = history.undo(session)
    assert restored is not None and restored.map[0].title == "Before"
    assert restored.map[0].votes == {"Dana": 1}
    restored.map[0].title = "Edited after undo"  # does not reach into the redo snapshot
    again = history.redo(restored)
    assert again.map[0].title == "After"
    assert again.map[0].votes == {"Dana": 1, "Lee": 1}


def test_discard_last_forgets_a_cancelled_edit() -> None:
    session = make_session()
    history = History()
    add_node(history, session, 1)
    history.record(session, "edit N1")
    history.discard_last()
    assert history.undo_label == "Undo: add node N1"
    assert history.peek_undo().step == "future_state"


def test_restoring_keeps_revision_step_and_timer_usage() -> None:
    session = make_session()
    history = History()
    add_node(history, session, 1)
    session.revision = 7
    session.updated = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    session.current_step = "pilots"
    session.facilitation.used_seconds = {"questions": 90}
    session.facilitation.added_seconds = {"questions": 300}
    restored = history.undo(session)
    assert restored.map == []
    assert restored.revision == 7
    assert restored.updated == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert restored.current_step == "pilots"
    assert restored.facilitation.used_seconds == {"questions": 90}
    assert restored.facilitation.added_seconds == {"questions": 300}


def test_undo_survives_autosave(store: SessionStore) -> None:
    """Saves in between do not break undo, and saving the undone state is not a conflict."""
    session = demo_session(date(2027, 3, 1))
    store.create(session)
    doc = Document(store, store.load(session.id))
    history = History()
    titles = [n.title for n in doc.session.map]
    for _ in range(3):
        leaf = next(n for n in reversed(doc.session.map) if not doc.session.children(n.id))
        history.record(doc.session, f"delete {leaf.title}")
        doc.session.map.remove(leaf)
        doc.touch()
        assert doc.save(), doc.error
    assert store.load(session.id).revision == doc.session.revision
    for _ in range(3):
        undone = history.undo(doc.session)
        assert undone is not None
        doc.session = undone
        doc.touch()
        assert doc.save(), doc.error
    assert [n.title for n in store.load(session.id).map] == titles


def test_an_undo_after_another_apps_save_keeps_their_additions() -> None:
    """Team mode: B's question arrives (merged into memory) after A's edit; A's Ctrl+Z takes
    back A's edit only.  Before the rebase, the undo restored a snapshot without B's
    question and the next save deleted it."""
    import copy as copying

    from backplan_tui.core.merge import merge_sessions
    from backplan_tui.core.model import Question

    history = History()
    session = make_session()
    on_disk = copying.deepcopy(session)
    history.record(session, "add question A")
    session.questions.append(Question(id="qa", prompt="Ours?"))
    theirs = copying.deepcopy(on_disk)
    theirs.questions.append(Question(id="qb", prompt="Theirs?", by="Ben"))
    merged, _ = merge_sessions(on_disk, session, theirs)
    before, after = on_disk, theirs
    history.rebase(lambda older: merge_sessions(before, older, after)[0])

    undone = history.undo(merged)
    assert undone is not None
    assert [q.prompt for q in undone.questions if q.id in ("qa", "qb")] == ["Theirs?"]
    redone = history.redo(undone)
    assert redone is not None
    assert {"qa", "qb"} <= {q.id for q in redone.questions}
