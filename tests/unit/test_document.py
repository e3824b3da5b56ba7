"""The open document: dirty tracking, saving a snapshot from another thread, no lost edits."""

from __future__ import annotations

import threading

from backplan_tui.core import templates
from backplan_tui.core.document import Document
from backplan_tui.core.storage import SessionStore
from helpers import TODAY


def open_demo(store: SessionStore) -> Document:
    store.create(templates.demo_session(TODAY))
    return Document(store, store.load("demo"))


def test_edits_made_while_a_snapshot_is_saved_keep_the_document_dirty(
    store: SessionStore,
) -> None:
    doc = open_demo(store)
    doc.session.team = "First edit"
    doc.touch()
    snapshot, edits = doc.snapshot()
    doc.session.team = "Second edit, typed during the save"
    doc.touch()
    assert doc.save_snapshot(snapshot, edits) is False  # the file lacks the second edit
    assert doc.dirty and doc.state == "unsaved"
    assert store.load("demo").team == "First edit"
    assert doc.save() is True  # the next save carries the revision forward: no conflict
    assert store.load("demo").team == "Second edit, typed during the save"
    assert doc.state == "saved"


def test_background_and_foreground_saves_serialize_without_a_false_conflict(
    store: SessionStore,
) -> None:
    doc = open_demo(store)
    results: list[bool] = []
    for n in range(20):
        doc.session.facilitation.parking_lot.append(f"item {n}")
        doc.touch()
        snapshot, edits = doc.snapshot()
        worker = threading.Thread(
            target=lambda s=snapshot, e=edits: results.append(doc.save_snapshot(s, e))
        )
        worker.start()
        doc.session.facilitation.parking_lot.append(f"more {n}")
        doc.touch()
        doc.save()
        worker.join()
    assert doc.error is None
    assert not doc.dirty
    saved = store.load("demo").facilitation.parking_lot
    assert saved[-2:] == ["item 19", "more 19"]
    assert len(saved) == len(templates.demo_session(TODAY).facilitation.parking_lot) + 40


def test_read_only_document_never_writes(store: SessionStore) -> None:
    doc = open_demo(store)
    before = store.path_for("demo").read_bytes()
    doc.read_only = True
    doc.session.team = "Not saved"
    doc.touch()
    assert doc.save() is False
    assert doc.state == "read-only"
    assert store.path_for("demo").read_bytes() == before
