"""core.recovery: where unsaved edits go when the session file cannot take them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from backplan_tui.core import codec, recovery
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore, StoreError


def edited(store: SessionStore) -> Session:
    store.create(Session(id="live", title="Live session"))
    session = store.load("live")
    session.future_state.statement = "Typed and never saved"
    return session


def test_the_edits_go_to_a_copy_listed_with_the_sessions(store: SessionStore) -> None:
    session = edited(store)
    where, how = recovery.keep_edits(store, session)
    copies = [e for e in store.list() if e.id != "live"]
    assert len(copies) == 1
    assert where == store.path_for(copies[0].id)
    assert how == 'the copy "Live session (copy)"'
    assert store.load(copies[0].id).future_state.statement == "Typed and never saved"
    assert store.load("live").future_state.statement == ""


def test_no_copy_then_a_recovery_file_in_the_data_folder(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = edited(store)

    def refused(*args: object, **kwargs: object) -> None:
        raise StoreError("cannot save: No space left on device")

    monkeypatch.setattr(store, "save_as_copy", refused)
    where, how = recovery.keep_edits(store, session)
    assert how == "a recovery file"
    assert where is not None and where.parent == store.root / "recovery"
    assert where.name.startswith("live-") and where.suffix == ".toml"
    kept = codec.loads(where.read_text("utf-8"))
    assert kept.future_state.statement == "Typed and never saved"


def test_two_recovery_files_in_one_second_do_not_overwrite(tmp_path: Path) -> None:
    session = Session(id="live", title="Live session")
    when = datetime(2026, 12, 2, 1, 2, 3, tzinfo=UTC)
    first = recovery.recovery_file(session, tmp_path, when)
    session.title = "Second"
    second = recovery.recovery_file(session, tmp_path, when)
    assert (first.name, second.name) == (
        "live-20261202T010203Z.toml",
        "live-20261202T010203Z-2.toml",
    )
    assert codec.loads(first.read_text("utf-8")).title == "Live session"


def test_nowhere_to_write_says_why(store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    session = edited(store)

    def refused(*args: object, **kwargs: object) -> None:
        raise StoreError("copy refused")

    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "save_as_copy", refused)
    monkeypatch.setattr(recovery, "recovery_file", full)
    where, why = recovery.keep_edits(store, session)
    assert where is None
    assert "copy refused" in why and "No space left on device" in why
