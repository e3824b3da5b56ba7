"""The command line's commands about files and folders: backups, restore, check, import,
themes.  Loaded only when one of them runs (``cli.COMMANDS``), as ``cli_team`` is.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.cli_common import (
    ERROR,
    PROG,
    columns,
    library_of,
    out,
    owner_limits,
    store_of,
)
from backplan_tui.core import paths
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    import argparse

    from backplan_tui.core.model import Session
    from backplan_tui.core.storage import SessionStore


def _resolve_for_backups(store: SessionStore, query: str) -> str:
    """Like ``resolve``, but also an id whose session file is gone and only backups remain."""
    from backplan_tui.core.storage import SessionNotFound, valid_id

    try:
        return store.resolve(query)
    except SessionNotFound:
        query = query.strip()
        if valid_id(query) and store.backups(query):
            return query
        raise


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def cmd_backups(args: argparse.Namespace) -> int:
    from datetime import datetime

    from backplan_tui.core.history import history

    store = store_of(args)
    session_id = _resolve_for_backups(store, args.session)
    lines = history(store, session_id, datetime.now().astimezone())
    if not lines:
        out(f"No backups of {session_id} yet (one is kept each time a save changes the plan).")
        return 0
    rows = [["REVISION", "SAVED", "AGE", "SIZE", "CHANGED AFTER IT"]]
    for line in lines:
        entry = line.entry
        label = str(entry.revision) if entry.kind == "revision" else entry.kind
        rows.append([label, line.when, line.age, _size(entry.size), line.changed])
    columns(rows)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from backplan_tui.core.storage import SessionNotFound

    store = store_of(args)
    session_id = _resolve_for_backups(store, args.session)
    revision = args.revision
    if revision is None:
        newest = store.newest_backup(session_id)
        if newest is None:
            raise SessionNotFound(f"session {session_id!r} has no readable backup")
        revision = newest.revision
    restored = library_of(store).restore(session_id, revision)
    out(
        f"Restored {restored.id} from the backup of revision {revision}; "
        f"it is now revision {restored.revision}."
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import json

    from backplan_tui.core import coach
    from backplan_tui.core.export.common import conflicts

    store = store_of(args)
    session = store.load(store.resolve(args.session), allow_newer=True)
    findings = coach.review(session, date.today(), limits=owner_limits())
    problems, warnings, tips = coach.summary_counts(findings)
    # Left by a merge (team mode): each is a problem until the room settles it in the app.
    waiting = conflicts(session)
    problems += len(waiting)
    if args.json:
        payload = {
            "session": session.id,
            "problems": problems,
            "warnings": warnings,
            "tips": tips,
            "findings": [f.as_dict() for f in findings],
            "conflicts": [
                {"what": what, "field": field, "yours": mine, "whose": whose, "theirs": theirs}
                for what, field, mine, whose, theirs in waiting
            ],
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        for what, field, mine, whose, theirs in waiting:
            out(
                f"PROBLEM  Conflict: {what} · {field}: yours: {mine}; {whose}: {theirs}  "
                "Fix: open the session and press ! to keep yours or take theirs"
            )
        for finding in findings:
            out(coach.finding_line(finding))
        verdict = "problems found" if problems else "no problems"
        counts = ", ".join(
            f"{n} {word}{'' if n == 1 else 's'}"
            for n, word in ((problems, "problem"), (warnings, "warning"), (tips, "tip"))
        )
        out(f"{session.title}: {counts} ({verdict})")
    return ERROR if problems else 0


MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _read_import(path: Path) -> Session:
    """The session in ``path``: a session file (TOML, a UTF-8 BOM allowed, as the store
    reads them) or backplan's JSON export (by its ``.json`` suffix or a ``{`` first).

    A top-level ``"computed"`` key of the JSON export (the schedule worked out when it was
    exported) is not part of the session and is left out.
    """
    from backplan_tui.core import codec

    if path.is_symlink() or not path.is_file():
        raise OSError(f"{path}: not a regular file")
    size = path.stat().st_size
    # What is wrong inside the file is reported with its name, as the codec's errors are.
    if size > MAX_IMPORT_BYTES:
        raise ValueError(f"{path.name}: {size} bytes is larger than the 10 MB limit")
    raw = path.read_bytes()
    try:
        text_in = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
    text_in = text_in.removeprefix("\ufeff")  # a BOM, as some editors on Windows write
    if path.suffix.lower() != ".json" and not text_in.lstrip().startswith("{"):
        return codec.loads(text_in, source=path.name)

    import json

    from backplan_tui.core.export import json as json_export

    try:
        data = json.loads(text_in)
    except ValueError:
        data = None  # not JSON: the loader below says why, naming the file
    except RecursionError:
        raise codec.CodecError(
            "(json)", f"nested more than {codec.MAX_DEPTH} levels deep", path.name
        ) from None
    if isinstance(data, dict) and "computed" in data:
        del data["computed"]
        text_in = json.dumps(data, ensure_ascii=False)
    return json_export.load(text_in, source=path.name)


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    session = _read_import(path)
    session = library_of(store_of(args)).import_session(session)
    out(session.id)
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    from backplan_tui.core.settings import load_settings, settings_path
    from backplan_tui.tui.themes import theme_infos  # textual.theme only, not textual.app

    infos, warnings = theme_infos(paths.config_dir())
    settings, problem = load_settings(settings_path())  # a bad file: the default theme
    saved = settings.theme
    if problem:
        warnings = [problem, *warnings]
    rows = [["", "NAME", "SOURCE", "MODE", "DESCRIPTION"]]
    for info in infos:
        mark = "*" if info.name == saved else ""
        mode = "dark" if info.dark else "light"
        rows.append([mark, info.name, info.source, mode, info.description or ""])
    columns(rows)
    for warning in warnings:
        sys.stderr.write(f"{PROG}: warning: {clean_line(warning)}\n")
    return 0
