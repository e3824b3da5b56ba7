"""Team folders across machines: a bare repository and two clones, real ``git``, the merge
driver run by git itself (``backplan merge-driver``), and the CLI's ``team``/``sync``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from backplan_tui.core import codec, gitsync, templates
from backplan_tui.core.storage import SessionStore

TODAY = date(2026, 12, 2)

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed: team folders need it"
)


def backplan(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BACKPLAN_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "backplan_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def remote(tmp_path: Path) -> str:
    bare = tmp_path / "team.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    return str(bare)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_two_clones_edit_one_session_and_end_with_every_edit(tmp_path: Path, remote: str) -> None:
    ana, ben = tmp_path / "ana", tmp_path / "ben"
    done = backplan("team", "init", "--remote", remote, home=ana)
    assert done.returncode == 0, done.stderr
    store_a = SessionStore(ana)
    session = store_a.create(templates.demo_session(TODAY))
    assert backplan("sync", home=ana).returncode == 0

    done = backplan("team", "clone", remote, home=ben)
    assert done.returncode == 0, done.stderr
    store_b = SessionStore(ben)

    # Ana: answers q1, adds a question, changes the title. Ben: answers q1 differently,
    # parks a topic, adds a question of his own (the same new id as Ana's).
    mine = store_a.load(session.id)
    mine.questions[0].answer = "Ana: new hires and their managers"
    mine.questions.append(type(mine.questions[0])(id="q7", prompt="Who pays for training?"))
    mine.title = "Retention, revised by Ana"
    store_a.save(mine)
    theirs = store_b.load(session.id)
    theirs.questions[0].answer = "Ben: recruiting, less backfill"
    theirs.facilitation.parking_lot.append("Union consultation?")
    theirs.questions.append(type(theirs.questions[0])(id="q7", prompt="Who signs off?"))
    store_b.save(theirs)

    assert backplan("sync", home=ana).returncode == 0
    done = backplan("sync", home=ben)  # pulls Ana's commit: git runs our driver
    assert done.returncode == 0, done.stderr
    assert backplan("sync", home=ana).returncode == 0  # fast-forward to the merge

    text_a = (ana / "sessions" / f"{session.id}.toml").read_text(encoding="utf-8")
    text_b = (ben / "sessions" / f"{session.id}.toml").read_text(encoding="utf-8")
    assert text_a == text_b
    assert "<<<<<<<" not in text_a and ">>>>>>>" not in text_a
    merged = codec.loads(text_a)
    assert merged.title == "Retention, revised by Ana"
    # the merging side is Ben's clone: his answer stays in place, Ana's is the conflict
    assert merged.questions[0].answer == "Ben: recruiting, less backfill"
    assert [(c.item, c.field, c.theirs) for c in merged.conflicts] == [
        ("q1", "answer", "Ana: new hires and their managers")
    ]
    prompts = [q.prompt for q in merged.questions]
    assert "Who pays for training?" in prompts and "Who signs off?" in prompts
    assert "Union consultation?" in merged.facilitation.parking_lot
    # nothing per machine went into the repository
    tracked = git(ana, "ls-files").split()
    assert sorted(tracked) == sorted(
        [".gitattributes", ".gitignore", f"sessions/{session.id}.toml"]
    )


def test_the_driver_refuses_an_unreadable_side_and_leaves_ours_as_it_was(
    tmp_path: Path,
) -> None:
    session = templates.demo_session(TODAY)
    good = codec.dumps(session)
    base, ours, theirs = tmp_path / "O", tmp_path / "A", tmp_path / "B"
    base.write_text(good, encoding="utf-8")
    ours.write_text(good.replace(session.title, "Ours"), encoding="utf-8")
    theirs.write_text("title = [unclosed\n", encoding="utf-8")
    status, notes = gitsync.merge_files(base, ours, theirs, "sessions/x.toml")
    assert status == 1
    assert notes[0].startswith("sessions/x.toml: the theirs version cannot be read as a session")
    assert ours.read_text(encoding="utf-8") == good.replace(session.title, "Ours")
    done = backplan("merge-driver", str(base), str(ours), str(theirs), "x.toml", home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_sync_outside_a_team_folder_and_without_git_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = backplan("sync", home=tmp_path / "solo")
    assert done.returncode == 1
    assert done.stderr.startswith("backplan: error: ")
    assert "not a team folder (run: backplan team init)" in done.stderr
    assert done.stderr.count("\n") == 1
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(gitsync.GitError, match="git is not installed"):
        gitsync.init(tmp_path / "nogit")


def test_a_refused_push_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "home"
    gitsync.init(root, remote=str(tmp_path / "nowhere.git"))
    SessionStore(root).create(templates.demo_session(TODAY))
    with pytest.raises(gitsync.GitError) as failure:
        gitsync.sync(root)
    assert "\n" not in str(failure.value)
    assert str(failure.value).startswith("git push:")
