"""visits: this person's last-seen copy of a session, and what changed since."""

from __future__ import annotations

import getpass
import os
from datetime import date

import pytest

from backplan_tui.core.model import FutureState, MapNode, Session
from backplan_tui.core.visits import Visits, login_name


def session() -> Session:
    return Session(
        id="plan",
        title="Plan",
        future_state=FutureState(statement="Grow", target_date=date(2027, 6, 30)),
        map=[MapNode("m1", "Train managers", owner="Ana", duration_days=10)],
    )


def test_a_first_visit_has_nothing_to_report(tmp_path):
    assert Visits(tmp_path, "ana").changes(session()) == ([], None)


def test_changes_since_the_copy_this_person_left(tmp_path):
    visits = Visits(tmp_path, "ana")
    assert visits.remember(session())
    assert visits.path("plan") == tmp_path / "seen" / "ana" / "plan.toml"
    assert oct(visits.path("plan").stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "seen" / "ana").stat().st_mode & 0o777) == "0o700"
    now = session()
    now.future_state.target_date = date(2027, 7, 14)
    now.map[0].status = "done"
    lines, when = visits.changes(now)
    assert lines == [
        "Target date slipped 14 days: 2027-06-30 → 2027-07-14",
        'Done: "Train managers" (Ana)',
    ]
    assert when is not None and when.tzinfo is not None


def test_each_login_has_its_own_last_visit(tmp_path):
    Visits(tmp_path, "ana").remember(session())
    changed = session()
    changed.map[0].status = "done"
    Visits(tmp_path, "bo").remember(changed)
    assert Visits(tmp_path, "ana").changes(changed)[0] == ['Done: "Train managers" (Ana)']
    assert Visits(tmp_path, "bo").changes(changed)[0] == []


@pytest.mark.parametrize("content", [b"= not toml", b"\xff\xfe", b'id = "plan"\n'])
def test_a_damaged_copy_is_ignored(tmp_path, content):
    visits = Visits(tmp_path, "ana")
    visits.remember(session())
    visits.path("plan").write_bytes(content)
    assert visits.changes(session()) == ([], None)
    assert visits.remember(session())  # and simply replaced
    assert visits.last_seen("plan")[0].title == "Plan"


def test_a_symlinked_copy_is_not_followed(tmp_path):
    visits = Visits(tmp_path, "ana")
    elsewhere = tmp_path / "elsewhere.toml"
    Visits(tmp_path / "other", "ana").remember(session())
    elsewhere.write_bytes(Visits(tmp_path / "other", "ana").path("plan").read_bytes())
    visits.folder.mkdir(parents=True)
    os.symlink(elsewhere, visits.path("plan"))
    assert visits.last_seen("plan") is None


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path):
    (tmp_path / "seen").write_text("a file where the folder should be")
    visits = Visits(tmp_path, "ana")
    assert visits.remember(session()) is False
    assert visits.changes(session()) == ([], None)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("ana", True), ("ana.b-c_d", True), ("../etc", False), ("a b", False), ("..", False)],
)
def test_login_names_become_safe_folder_names(monkeypatch, raw, kept):
    monkeypatch.setattr(getpass, "getuser", lambda: raw)  # the module visits uses
    name = login_name()
    assert (name == raw) is kept
    assert "/" not in name and name not in (".", "..")
    if not kept:
        assert name.startswith("user-") and len(name) == 17


def test_a_copy_cut_short_by_kill_leaves_no_temp_file_behind(tmp_path):
    """A kill -9 during the write leaves a temp file; the next write removes it, but not
    one that a live process is still writing."""
    visits = Visits(tmp_path, user="dana")
    visits.remember(session())
    dead = visits.folder / ".plan.toml.999999999.deadbeef.tmp"  # no such process
    live = visits.folder / f".plan.toml.{os.getpid()}.0badcafe.tmp"  # this one, just now
    dead.write_text("half a sess")
    live.write_text("being written")
    assert visits.remember(session())
    assert sorted(p.name for p in visits.folder.iterdir()) == [live.name, "plan.toml"]
