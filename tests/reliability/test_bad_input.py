"""Bad files, loudly and safely: every one is listed as damaged with a one-line reason that
names the field, cannot be saved over, and is never modified.  A newer schema opens
read-only; deep nesting is a clean error, not a RecursionError."""

from __future__ import annotations

import os
import re

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import Session
from backplan_tui.core.storage import (
    DamagedSessionError,
    SessionReadOnly,
    SessionStore,
    StoreError,
)

HEADER = b'id = "x"\ntitle = "T"\n'

BAD = {
    "nested-arrays": (HEADER + b"deep = " + b"[" * 40 + b"]" * 40, r"^deep: nested more than 32"),
    "nested-arrays-1000": (
        HEADER + b"deep = " + b"[" * 1000 + b"]" * 1000,
        r"^\(toml\): nested more than 32 levels deep$",
    ),
    "nested-inline-tables": (
        HEADER + b"deep = " + b"{a = " * 500 + b"1" + b"}" * 500,
        r"^\(toml\): nested more than 32 levels deep$",
    ),
    # 20,000 dotted parts would take tomllib half a minute: refused before parsing
    "nested-dotted-keys": (
        HEADER + b"deep" + b".a" * 20000 + b" = 1\n",
        r"^\(toml\): a dotted key nested more than 32 levels deep$",
    ),
    "nested-table-header": (
        HEADER + b"[" + b".".join([b"t"] * 5000) + b"]\n",
        r"^\(toml\): a dotted key nested more than 32 levels deep$",
    ),
    "nested-header-and-key": (
        HEADER + b"[" + b".".join([b"t"] * 20) + b"]\n" + b".".join([b"k"] * 20) + b" = 1\n",
        r"^t: nested more than 32 levels deep$",
    ),
    "nested-in-map-extra": (
        HEADER + b'[[map]]\nid = "m1"\nx = ' + b"[" * 40 + b"]" * 40,
        r"^map: nested more than 32 levels deep$",
    ),
    "not-utf8": (HEADER + b'team = "\xff\xfe"\n', r"^not valid UTF-8 \(byte 0xff at offset 40\)$"),
    "missing-title": (b'id = "x"\n', r"^title: required but missing$"),
    "missing-map-id": (
        HEADER + b'[[map]]\ntitle = "No id"\n',
        r"^map\[0\]\.id: required but missing$",
    ),
    "missing-checkin-date": (
        HEADER + b"[[checkins]]\nnote = 'when?'\n",
        r"^checkins\[0\]\.date: required but missing$",
    ),
    "wrong-type-title": (b'id = "x"\ntitle = 3\n', r"^title: expected a string, got 3$"),
    "wrong-type-map": (HEADER + b'map = "none"\n', r"^map: expected an array of tables"),
    "wrong-type-pilot-end": (
        HEADER + b'[[pilots]]\nid = "p1"\nend = "soon"\n',
        r"^pilots\[0\]\.end: expected a date, got 'soon'$",
    ),
    "wrong-enum": (
        HEADER + b'[[map]]\nid = "m1"\nstatus = "maybe"\n',
        r"^map\[0\]\.status: expected one of .*got 'maybe'$",
    ),
    "negative-votes": (
        HEADER + b"[facilitation]\nvotes_per_person = -2\n",
        r"^facilitation\.votes_per_person: expected a number of 0 or more, got -2$",
    ),
    "schema-as-text": (b'schema_version = "1"\n' + HEADER, r"^schema_version: expected an integer"),
    "bad-toml": (HEADER + b"title = 'twice'\n", r"^\(toml\): .*line 3"),
    "nul-bytes": (b"\x00" * 64, r"^\(toml\): "),
    # Dates outside 1900..2999 (basics.MIN_YEAR, MAX_YEAR): each of the first three once made
    # `backplan list` and the app's start fail with OverflowError for the whole folder.
    "checkin-date-9999": (
        HEADER + b"[[checkins]]\ndate = 9999-12-18\n",
        r"^checkins\[0\]\.date: 9999-12-18 is out of range \(a date must be between "
        r"1900-01-01 and 2999-12-31\)$",
    ),
    "created-year-1": (
        HEADER + b"created = 0001-01-01T00:00:00+14:00\n",
        r"^created: 0001-01-01T00:00:00\+14:00 is out of range",
    ),
    "updated-year-9999": (
        HEADER + b"updated = 9999-12-31T23:59:59-12:00\n",
        r"^updated: 9999-12-31T23:59:59-12:00 is out of range",
    ),
    "created-1899-in-utc": (
        HEADER + b"created = 1900-01-01T00:30:00+01:00\n",
        r"^created: 1899-12-31T23:30:00\+00:00 is out of range",
    ),
    "target-date-year-1": (
        HEADER + b"[future_state]\ntarget_date = 0001-01-01\n",
        r"^future_state\.target_date: 0001-01-01 is out of range",
    ),
    "pinned-due-3000": (
        HEADER + b'[[map]]\nid = "m1"\npinned_due = 3000-01-01\n',
        r"^map\[0\]\.pinned_due: 3000-01-01 is out of range",
    ),
    # Text longer than basics.MAX_TEXT_CHARS (a 9 MB note made `show` take 18 s).
    "notes-too-long": (
        HEADER + b'[[map]]\nid = "m1"\nnotes = "' + b"n" * 100_001 + b'"\n',
        r"^map\[0\]\.notes: 100,001 characters is longer than the limit of 100,000$",
    ),
    "title-too-long": (
        b'id = "x"\ntitle = "' + b"t" * 100_001 + b'"\n',
        r"^title: 100,001 characters is longer than the limit of 100,000$",
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_file_is_damaged_with_a_one_line_reason_and_never_modified(store, name):
    content, reason = BAD[name]
    session_id = f"bad-{name}"
    store.sessions_dir.mkdir(parents=True, exist_ok=True)
    path = store.sessions_dir / f"{session_id}.toml"
    path.write_bytes(content.replace(b'"x"', f'"{session_id}"'.encode()))
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns

    [entry] = store.list()
    assert entry.damaged is not None
    assert re.search(reason, entry.damaged), entry.damaged
    assert "\n" not in entry.damaged and len(entry.damaged) < 300
    with pytest.raises(DamagedSessionError) as info:
        store.load(session_id)
    assert re.search(reason, info.value.reason)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError):
        store.save(Session(id=session_id, title="Overwrite", revision=1))
    with pytest.raises(StoreError):
        store.create(Session(id=session_id, title="Overwrite"))
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime


def test_the_depth_limit_allows_ordinary_nesting():
    text = 'id = "x"\ntitle = "T"\nok = ' + "[" * 30 + "]" * 30 + "\n"
    session = codec.loads(text)
    assert codec.loads(codec.dumps(session)) == session
    dotted = 'id = "x"\ntitle = "T"\n' + ".".join(["k"] * 31) + " = 1\n"
    assert codec.loads(dotted).extra["k"]["k"]["k"]
    # many dots inside a string value are just text
    text = 'id = "x"\ntitle = "' + ".".join(["a"] * 100) + '"\n'
    assert codec.loads(text).title.count(".") == 99


def test_a_session_nested_too_deep_is_not_saved(store):
    deep: list = []
    for _ in range(40):
        deep = [deep]
    session = Session(id="deep-0001", title="Deep", extra={"deep": deep})
    with pytest.raises(StoreError, match="nested more than 32 levels deep"):
        store.create(session)
    assert not store.exists("deep-0001")
    assert session.revision == 0


# --- newer schema: read-only -------------------------------------------------------------

NEWER = b"""\
schema_version = 2
id = "future-0001"
title = "From a newer backplan"
revision = 7
shiny_new_field = "kept as it is"
"""


def test_a_newer_file_opens_read_only_and_is_never_written(store):
    store.sessions_dir.mkdir(parents=True)
    path = store.sessions_dir / "future-0001.toml"
    path.write_bytes(NEWER)
    [entry] = store.list()
    assert entry.damaged is None
    assert (
        entry.read_only_reason
        == "written by a newer backplan (schema 2; this version reads up to 1)"
    )
    assert entry.title == "From a newer backplan"
    assert entry.revision == 7

    with pytest.raises(SessionReadOnly) as info:
        store.load("future-0001")
    assert "newer backplan (schema 2" in str(info.value)
    assert not isinstance(info.value, DamagedSessionError)

    session = store.load("future-0001", allow_newer=True)
    assert session.title == "From a newer backplan"
    assert session.schema_version == 2
    assert session.extra == {"shiny_new_field": "kept as it is"}
    session.title = "Edited"
    with pytest.raises(SessionReadOnly, match="save a copy instead"):
        store.save(session)
    assert session.revision == 7
    assert path.read_bytes() == NEWER

    copy = store.save_as_copy(session)  # the way out: a copy in this version's schema
    assert copy.title == "Edited (copy)"
    assert copy.schema_version == 1
    assert store.load(copy.id).extra == {"shiny_new_field": "kept as it is"}
    assert path.read_bytes() == NEWER


def test_a_newer_file_that_does_not_fit_this_version_is_damaged(store):
    store.sessions_dir.mkdir(parents=True)
    path = store.sessions_dir / "future-0002.toml"
    path.write_bytes(b'schema_version = 3\nid = "future-0002"\ntitle = ["now", "a list"]\n')
    [entry] = store.list()
    assert entry.damaged == (
        "schema_version: written by a newer backplan (schema 3; this version reads up to 1); "
        "and by this version's rules, title: expected a string, got an array"
    )


# --- odd files at the session path ----------------------------------------------------------


def test_a_symlink_at_a_session_path_is_refused_and_its_target_untouched(store, tmp_path):
    real = store.create(Session(id="real-0001", title="Real"))
    victim = tmp_path / "victim.toml"
    victim.write_bytes(store.path_for(real.id).read_bytes())
    before = victim.read_bytes()
    link = store.sessions_dir / "link-0001.toml"
    link.symlink_to(victim)
    dangling = store.sessions_dir / "dangling-0001.toml"
    dangling.symlink_to(tmp_path / "nowhere.toml")

    entries = {e.id: e for e in store.list()}
    assert entries["link-0001"].damaged == "is a symbolic link (not followed)"
    assert entries["dangling-0001"].damaged == "is a symbolic link (not followed)"
    with pytest.raises(DamagedSessionError, match="symbolic link"):
        store.load("link-0001")
    with pytest.raises(StoreError):
        store.save(Session(id="link-0001", title="Through the link", revision=1))
    assert victim.read_bytes() == before
    assert link.is_symlink()
    assert not (tmp_path / "nowhere.toml").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_at_a_session_path_does_not_hang(store):
    store.sessions_dir.mkdir(parents=True)
    os.mkfifo(store.sessions_dir / "pipe-0001.toml")
    [entry] = store.list()
    assert entry.damaged == "not a regular file"


def test_a_stranger_index_cannot_make_the_store_read_a_fifo(store):
    store.create(Session(id="plan-0001", title="Plan"))
    store.index_path.unlink(missing_ok=True)
    os.mkfifo(store.index_path)
    assert [e.id for e in SessionStore(store.root).list()] == ["plan-0001"]
