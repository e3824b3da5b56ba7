"""Team folders across machines: the data folder as a git repository, synced with the system
``git``, session files merged by ``core.merge`` (a git merge driver), never by conflict markers.

- ``init(root)`` makes the data folder a repository (or adopts one), writes
  ``.gitattributes`` (``sessions/*.toml merge=backplan``) and a ``.gitignore`` for what is
  per machine (the index, last-seen copies, backups, trash, locks, temp files), and registers
  the driver in the repository's config.
- ``clone(url, root)`` clones a team folder into an empty data folder and registers the driver
  (a driver lives in ``.git/config``, which a clone does not copy).
- ``sync(root)`` commits the sessions, pulls (merging with the driver) and pushes.
- ``merge_files(base, ours, theirs)`` is the driver: ``git`` calls
  ``backplan merge-driver %O %A %B %P``; the merged session is written over ``%A``.  When a
  side cannot be read as a session, nothing is written and git is told the merge failed, so
  a session file is never left unparseable.

Every failure is a ``GitError`` whose text is one line for the user (git missing, not a
team folder, the remote refused, a merge that needs a person).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

__all__ = [
    "GitError",
    "SyncResult",
    "clone",
    "driver_command",
    "has_remote",
    "init",
    "is_team",
    "pending",
    "sync",
]

ATTRIBUTES = "sessions/*.toml merge=backplan\n"
IGNORED = (
    "# per machine: backplan keeps these beside the sessions, git does not need them\n"
    "index.json\nindex.jsonl\nindex.glances\nseen/\nbackups/\ntrash/\nrecovery/\npresence/\n*.lock\n"
    ".*.tmp\n.*.write\n"
)
DRIVER_NAME = "backplan session merge (item by item; see backplan's README)"
TIMEOUT = 120.0  # seconds for one git command (a push over a slow network)


class GitError(Exception):
    """A sync step that failed; ``str()`` is one line for the user."""


class SyncResult:
    """What ``sync`` did: committed (a new local commit), pulled (commits came in), pushed."""

    def __init__(self, committed: bool, pulled: bool, pushed: bool, remote: bool) -> None:
        self.committed, self.pulled, self.pushed, self.remote = committed, pulled, pushed, remote

    def describe(self) -> str:
        parts = ["committed your changes" if self.committed else "nothing new to commit"]
        if not self.remote:
            parts.append("no remote to pull from or push to (git remote add origin URL)")
        else:
            parts.append("merged the team's changes" if self.pulled else "already up to date")
            parts.append("pushed" if self.pushed else "nothing to push")
        return "; ".join(parts)


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError("git is not installed (team folders use the system git)")
    return found


def _identity() -> list[str]:
    """``-c user.name=… -c user.email=…`` when git has no identity of its own here."""
    name = _run_quiet(["config", "user.name"])
    email = _run_quiet(["config", "user.email"])
    login = _login()
    extra: list[str] = []
    if not name:
        extra += ["-c", f"user.name={login}"]
    if not email:
        extra += ["-c", f"user.email={login}@{socket.gethostname() or 'localhost'}"]
    return extra


def _login() -> str:
    try:
        return getpass.getuser() or "backplan"
    except (KeyError, OSError):
        return "backplan"


def _run_quiet(args: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(
            [_git(), *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _run(args: list[str], cwd: Path, what: str) -> subprocess.CompletedProcess[str]:
    """Run git; a ``GitError`` naming ``what`` failed, with git's last line, on failure."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(
            [_git(), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"{what}: git took longer than {TIMEOUT:.0f} s") from None
    except OSError as err:
        raise GitError(f"{what}: could not run git ({err.strerror or err})") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr + "\n" + done.stdout).splitlines()]
        detail = next((ln for ln in reversed(lines) if ln), f"exit status {done.returncode}")
        raise GitError(f"{what}: {detail}")
    return done


def driver_command() -> str:
    """The driver line for ``.git/config``: this Python running backplan's CLI."""
    python = sys.executable or "python3"
    return f'"{python}" -m backplan_tui merge-driver %O %A %B %P'


def is_team(root: Path) -> bool:
    """Whether the data folder is a git work tree of its own (a team folder)."""
    return (Path(root) / ".git").exists()


def has_remote(root: Path) -> bool:
    """Whether the team folder has a remote to pull from and push to."""
    return is_team(root) and bool(_run_quiet(["remote"], cwd=Path(root)))


def pending(root: Path) -> bool:
    """Whether this machine has something the team has not: session files changed since the
    last commit, or commits not pushed yet.  False when git cannot tell (no git, no repo)."""
    root = Path(root)
    if not is_team(root):
        return False
    changed = _run_quiet(["status", "--porcelain", "--", "sessions"], cwd=root)
    if changed:
        return True
    branch = _run_quiet(["rev-parse", "--abbrev-ref", "HEAD"], cwd=root) or "main"
    if not _run_quiet(["rev-parse", "--verify", "--quiet", f"origin/{branch}"], cwd=root):
        return bool(_run_quiet(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=root))
    ahead = _run_quiet(["rev-list", "--count", f"origin/{branch}..HEAD"], cwd=root)
    return ahead not in ("", "0")


def _register(root: Path) -> None:
    _run(["config", "merge.backplan.name", DRIVER_NAME], root, "register the merge driver")
    _run(["config", "merge.backplan.driver", driver_command()], root, "register the merge driver")


def _write_if_missing(path: Path, text: str) -> bool:
    if path.exists():
        current = path.read_text(encoding="utf-8")
        missing = [line for line in text.splitlines() if line and line not in current]
        if not missing:
            return False
        text = current.rstrip("\n") + "\n" + "\n".join(missing) + "\n"
    path.write_text(text, encoding="utf-8")
    return True


def init(root: Path, remote: str | None = None) -> None:
    """Make the data folder a team folder (idempotent); ``remote`` becomes ``origin``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if not is_team(root):
        _run(["init", "--quiet"], root, "git init")
    _register(root)
    changed = _write_if_missing(root / ".gitattributes", ATTRIBUTES)
    changed |= _write_if_missing(root / ".gitignore", IGNORED)
    if remote:
        if _run_quiet(["remote", "get-url", "origin"], cwd=root):
            _run(["remote", "set-url", "origin", remote], root, "set the remote")
        else:
            _run(["remote", "add", "origin", remote], root, "add the remote")
    if changed:
        _run(["add", ".gitattributes", ".gitignore"], root, "git add")
        _commit(root, "backplan: a team folder")


def clone(url: str, root: Path) -> None:
    """Clone a team folder into ``root`` (which must be empty or absent)."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise GitError(f"{root} is not empty: clone into a new data folder (--data-dir)")
    root.parent.mkdir(parents=True, exist_ok=True)
    _run(["clone", "--quiet", url, str(root)], root.parent, "git clone")
    _register(root)
    _write_if_missing(root / ".gitignore", IGNORED)


def _commit(root: Path, message: str) -> bool:
    """Commit what is staged; False when nothing was."""
    staged = subprocess.run(
        [_git(), "diff", "--cached", "--quiet"], cwd=root, capture_output=True, timeout=TIMEOUT
    )
    if staged.returncode == 0:
        return False
    _run([*_identity(), "commit", "--quiet", "-m", message], root, "git commit")
    return True


def sync(root: Path) -> SyncResult:
    """Commit the sessions, pull (the driver merges session files), push."""
    root = Path(root)
    if not is_team(root):
        raise GitError(f"{root} is not a team folder (run: backplan team init)")
    _register(root)  # the driver's python may have moved (a new venv): keep it current
    _run(["add", "--all", "--", "sessions", ".gitattributes", ".gitignore"], root, "git add")
    committed = _commit(root, f"backplan sync from {_login()}@{socket.gethostname()}")
    if not _run_quiet(["remote"], cwd=root):
        return SyncResult(committed, False, False, remote=False)
    before = _run_quiet(["rev-parse", "HEAD"], cwd=root)
    upstream = _run_quiet(["ls-remote", "--heads", "origin"], cwd=root)
    if upstream:
        branch = _run_quiet(["rev-parse", "--abbrev-ref", "HEAD"], cwd=root) or "main"
        try:
            _run(
                [*_identity(), "pull", "--no-rebase", "--no-edit", "origin", branch],
                root,
                "git pull",
            )
        except GitError:
            _run_quiet(["merge", "--abort"], cwd=root)
            raise
    pulled = _run_quiet(["rev-parse", "HEAD"], cwd=root) != before and bool(upstream)
    branch = _run_quiet(["rev-parse", "--abbrev-ref", "HEAD"], cwd=root) or "main"
    ahead = _run_quiet(["rev-list", "--count", f"origin/{branch}..HEAD"], cwd=root)
    pushed = False
    if not upstream or ahead not in ("", "0"):
        _run(["push", "--quiet", "-u", "origin", branch], root, "git push")
        pushed = True
    return SyncResult(committed, pulled, pushed, remote=True)


def merge_files(base: Path, ours: Path, theirs: Path, name: str = "") -> tuple[int, list[str]]:
    """The merge driver: merge three versions of a session file and write the result over
    ``ours``.  (0, notes) on success; (1, [reason]) when a side is not a readable session,
    in which case ``ours`` is left exactly as it was."""
    from backplan_tui.core import codec, readback
    from backplan_tui.core.merge import merge
    from backplan_tui.core.storage.fileio import write_atomic

    texts: list[dict[str, object]] = []
    for label, path in (("base", base), ("ours", ours), ("theirs", theirs)):
        try:
            data = Path(path).read_bytes()
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if not data.strip() and label == "base":  # added on both sides: no common base
                texts.append({})
                continue
            session = codec.loads(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, codec.CodecError) as err:
            return 1, [f"{name or path}: the {label} version cannot be read as a session ({err})"]
        texts.append(codec.to_dict(session))
    base_dict, ours_dict, theirs_dict = texts
    if not base_dict:
        base_dict = {k: v for k, v in ours_dict.items() if k in ("id", "title", "schema_version")}
    merged, report = merge(base_dict, ours_dict, theirs_dict, theirs_name="the other side")
    try:
        text = readback.dumps_checked(codec.from_dict(merged))
    except codec.CodecError as err:  # pragma: no cover - merge keeps sessions valid
        return 1, [f"{name or ours}: the merged session would not be valid ({err})"]
    write_atomic(Path(ours), text.encode("utf-8"))
    return 0, report.notes
