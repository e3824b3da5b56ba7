"""Folders 0700 and files 0600 whatever the umask, existing folders tightened, a warning
for a folder owned by someone else, and symlinks planted at store paths refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backplan_tui.core import paths
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore, StoreError


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_everything_is_private_whatever_the_umask(data_dir):
    old = os.umask(0)
    try:
        store = SessionStore(data_dir)
        session = store.create(Session(id="plan-0001", title="Plan"))
        session.team = "Ops"  # a change worth a backup (a step change alone is not)
        store.save(session)
        held = store.lock(session.id)
        store.list()
        other = store.create(Session(id="other-0001", title="Other"))
        store.delete(other.id)
    finally:
        os.umask(old)
    try:
        for directory in [
            store.root,
            store.sessions_dir,
            store.backups_dir,
            store.backup_dir(session.id),
            store.trash_dir,
        ]:
            assert mode(directory) == 0o700, directory
        files = [store.path_for(session.id), store.index_path, held.path]
        files += [e.path for e in store.backups(session.id)]
        files += list(store.trash_dir.iterdir())
        for path in files:
            assert mode(path) == 0o600, path
    finally:
        held.release()


def test_existing_loose_folders_are_tightened_at_start(data_dir):
    store = SessionStore(data_dir)
    store.create(Session(id="plan-0001", title="Plan"))
    changed = store.load("plan-0001")
    changed.team = "Ops"  # a change worth a backup
    store.save(changed)
    loose = [store.root, store.sessions_dir, store.backups_dir]
    for directory in loose:
        os.chmod(directory, 0o755)
    again = SessionStore(data_dir)
    assert again.warnings == []
    for directory in loose:
        assert mode(directory) == 0o700


def test_a_data_folder_owned_by_someone_else_is_a_warning(data_dir, monkeypatch):
    data_dir.mkdir(mode=0o755)
    monkeypatch.setattr(paths, "_geteuid", lambda: os.lstat(data_dir).st_uid + 1)
    store = SessionStore(data_dir)
    assert len(store.warnings) == 1
    assert store.warnings[0].startswith(f"the data folder {data_dir} belongs to another user")
    assert mode(data_dir) == 0o755  # not ours to change
    assert store.list() == []  # a warning, not an error


def test_check_private_dir_reports_what_it_cannot_fix(tmp_path, monkeypatch):
    missing = tmp_path / "missing"
    assert paths.check_private_dir(missing) == []
    assert not missing.exists()
    file = tmp_path / "file"
    file.write_text("x")
    assert paths.check_private_dir(file, "data folder") == [
        f"the data folder {file} is not a folder"
    ]
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o777)

    def refuse(path, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    [warning] = paths.check_private_dir(loose, "config folder")
    assert "could not be made private (Operation not permitted)" in warning


# --- symlinks planted at store paths --------------------------------------------------------


@pytest.fixture
def victim_dir(tmp_path) -> Path:
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o755)
    (victim / "keep.txt").write_text("precious")
    return victim


def _untouched(victim: Path) -> None:
    assert mode(victim) == 0o755
    assert sorted(os.listdir(victim)) == ["keep.txt"]
    assert (victim / "keep.txt").read_text() == "precious"


def test_a_symlinked_sessions_folder_is_not_written_through(data_dir, victim_dir):
    data_dir.mkdir()
    (data_dir / "sessions").symlink_to(victim_dir)
    store = SessionStore(data_dir)
    assert any("sessions folder" in w and "symbolic link" in w for w in store.warnings)
    with pytest.raises(StoreError, match="symbolic link"):
        store.create(Session(id="plan-0001", title="Plan"))
    with pytest.raises(StoreError, match="symbolic link"):
        store.lock("plan-0001")
    _untouched(victim_dir)


def test_a_symlinked_backups_folder_gets_no_backup_but_the_save_goes_on(data_dir, victim_dir):
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    (data_dir / "backups").symlink_to(victim_dir)
    session.title = "Edited"
    store.save(session)
    assert store.load(session.id).title == "Edited"
    assert any("could not keep a backup" in w for w in store.warnings)
    assert store.backups(session.id) == []
    _untouched(victim_dir)


def test_a_symlink_at_a_backup_file_path_is_left_alone(data_dir, tmp_path):
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    victim = tmp_path / "victim.toml"
    victim.write_text("precious")
    store.backup_dir(session.id).mkdir(parents=True)
    planted = store.backup_dir(session.id) / "1.toml"
    planted.symlink_to(victim)
    session.team = "Ops"  # a change worth a backup
    store.save(session)
    assert victim.read_text() == "precious"
    assert planted.is_symlink()
    [entry] = store.backups(session.id)  # the symlink is not one of ours
    assert entry.path.name == "1-2.toml"
    assert entry.revision == 1
    for n in range(12):
        session.team = f"Ops {n}"
        store.save(session)  # pruning never touches it either
    assert planted.is_symlink() and victim.read_text() == "precious"


def test_a_symlinked_trash_folder_is_refused(data_dir, victim_dir):
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    (data_dir / "trash").symlink_to(victim_dir)
    with pytest.raises(StoreError, match="symbolic link"):
        store.delete(session.id)
    assert store.load(session.id) == session
    _untouched(victim_dir)


def test_a_symlinked_data_folder_is_resolved_and_used(tmp_path):
    real = tmp_path / "real-data"
    real.mkdir()
    link = tmp_path / "link-data"
    link.symlink_to(real)
    root = paths.data_dir(link)
    assert root == real  # the user's own choice of place: followed once, then absolute
    store = SessionStore(root)
    store.create(Session(id="plan-0001", title="Plan"))
    assert (real / "sessions" / "plan-0001.toml").is_file()


def test_a_shared_sticky_folder_is_never_chmod_ed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp given as --data-dir by mistake
    store = SessionStore(shared)
    assert any("shared folder" in w for w in store.warnings)
    store.create(Session(id="plan-0001", title="Plan"))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert mode(shared / "sessions") == 0o700


def test_a_session_file_hard_linked_elsewhere_keeps_the_other_files_mode(data_dir, tmp_path):
    store = SessionStore(data_dir)
    session = store.create(Session(id="plan-0001", title="Plan"))
    path = store.path_for(session.id)
    elsewhere = tmp_path / "shared-copy.toml"
    os.link(path, elsewhere)  # someone keeps a second name for the file
    os.chmod(elsewhere, 0o644)  # the mode belongs to the inode: both names are 0644 now
    before = elsewhere.read_bytes()
    session.title = "Edited"
    store.save(session)
    assert mode(elsewhere) == 0o644  # not tightened through the backup's link
    assert elsewhere.read_bytes() == before
    [backup] = store.backups(session.id)
    assert backup.path.read_bytes() == before
    assert mode(backup.path) == 0o600  # the backup is a private copy
    assert os.stat(backup.path).st_ino != os.stat(elsewhere).st_ino
    assert mode(path) == 0o600 and store.load(session.id).title == "Edited"
