"""The team commands of the CLI: ``team init``, ``team clone``, ``sync`` and the git merge
driver (``merge-driver``, which git runs; people never type it).  See ``core.gitsync``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.core import paths
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    import argparse


def add_parsers(add: object) -> None:
    """The team subcommands, added with the CLI's ``add(name, help)``."""
    p = add("team", "make the data folder a team folder shared through git")  # type: ignore[operator]
    team = p.add_subparsers(dest="team_command", metavar="init|clone", required=True)
    init = team.add_parser("init", help="make the data folder a git repository for the team")
    init.add_argument("--remote", metavar="URL", help="the shared repository (origin)")
    cloned = team.add_parser("clone", help="clone a team folder into the data folder")
    cloned.add_argument("url", metavar="URL", help="the shared repository")
    add("sync", "commit your sessions, merge the team's, push (a team folder)")  # type: ignore[operator]
    p = add("merge-driver", "git's merge driver for session files (git runs it)")  # type: ignore[operator]
    for name in ("base", "ours", "theirs"):
        p.add_argument(name, metavar=name.upper())
    p.add_argument("path", nargs="?", default="", metavar="PATH")


def _root(args: argparse.Namespace) -> Path:
    return paths.data_dir(getattr(args, "data_dir", None))


def cmd_team(args: argparse.Namespace) -> int:
    from backplan_tui.core import gitsync

    root = _root(args)
    if args.team_command == "clone":
        gitsync.clone(args.url, root)
        print(f"Cloned the team folder into {root}.")
    else:
        gitsync.init(root, remote=args.remote)
        print(f"{root} is a team folder; `backplan sync` shares it.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from backplan_tui.core import gitsync

    result = gitsync.sync(_root(args))
    print(f"Synced: {result.describe()}.")
    return 0


def cmd_merge_driver(args: argparse.Namespace) -> int:
    from backplan_tui.core import gitsync

    status, notes = gitsync.merge_files(
        Path(args.base), Path(args.ours), Path(args.theirs), args.path
    )
    for note in notes:
        stream = sys.stderr
        prefix = "backplan: error: " if status else "backplan: "
        stream.write(prefix + " ".join(clean_line(note).split()) + "\n")
    return status
