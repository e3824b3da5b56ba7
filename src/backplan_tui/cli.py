"""The command line: argument parsing and the non-interactive commands.

``backplan list/show/export/new/where/templates`` never import Textual; only the commands
that open the app (no command, ``open``, ``demo``) import ``backplan_tui.tui.app``, inside
the function that starts it.  The rest of the core (the store, the codec, the exports, the
model) is imported by the commands that use it, and ``backplan`` with no arguments does not
load argparse: the app's start-up pays for none of it.

Every error is one line on stderr, ``backplan: error: ...``, and a non-zero exit status:
2 for a usage error (bad option, bad date, unknown template or format), 1 for anything else
(unknown session, damaged file, a file that cannot be written).  Never a traceback.
Everything printed that came from a session or from the user goes through ``textclean``.

Why one long module: the parser of every command and the short functions that run them,
read together as the command line's reference; the team and serve commands have their own
modules (``cli_team``, ``cli_serve``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, cast

from backplan_tui.cli_common import ERROR as ERROR
from backplan_tui.cli_common import PROG as PROG
from backplan_tui.cli_common import USAGE_ERROR as USAGE_ERROR
from backplan_tui.cli_common import columns as _columns
from backplan_tui.cli_common import library_of as _library
from backplan_tui.cli_common import out as _out
from backplan_tui.cli_common import owner_limits
from backplan_tui.cli_common import store_of as _store
from backplan_tui.core import paths
from backplan_tui.core.textclean import clean_line, clean_text, shorten, stamp

if TYPE_CHECKING:
    import argparse

    from backplan_tui.core.model import Session
    from backplan_tui.core.storage import SessionEntry


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class UsageError(Exception):
    """Bad arguments: reported as one line, exit status 2."""


def __getattr__(name: str) -> Any:
    """``write_atomic``, the CLI's ``-o`` writer, loaded when first asked for."""
    if name == "write_atomic":
        from backplan_tui.core.storage.fileio import write_atomic

        return write_atomic
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _iso_date(value: str) -> date:
    import argparse

    if not _DATE.fullmatch(value):
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a valid date ({error})") from None
    from backplan_tui.core.dates import out_of_range

    problem = out_of_range(day)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return day


def _revision(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a revision number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"a revision is 0 or more, got {number}")
    return number


def _positive_width(value: str) -> int:
    import argparse

    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of columns, got {value!r}") from None
    if width < 1:
        raise argparse.ArgumentTypeError(f"width must be positive, got {width}")
    return width


class _Unused:
    """What ``build_parser(only=...)`` gives for a command it leaves out: every call on it
    does nothing and gives another (``add_argument``, ``add_subparsers``, ``add_parser``)."""

    def __getattr__(self, _name: str) -> Any:
        return lambda *_args, **_kwargs: self


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, the parser of that command alone (the
    others' would be made for nothing: ``backplan list`` at 10,000 sessions counts every
    millisecond, issue 21)."""
    import argparse

    from backplan_tui import __version__

    if only in (None, "export"):
        from backplan_tui.core.export import FORMATS
    else:
        FORMATS = {}  # noqa: N806 (the export command's choices, not made for another)

    class _Parser(argparse.ArgumentParser):
        """argparse that raises instead of printing usage and exiting on an error."""

        def error(self, message: str) -> NoReturn:
            raise UsageError(message)

    # --data-dir works before or after the command: the subcommands repeat it with
    # default=SUPPRESS so that a value given before the command is not reset.
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="where sessions live (default: $BACKPLAN_HOME, else the user data directory)",
    )
    common.add_argument(
        "--as", dest="as_name", metavar="NAME", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    common.add_argument(
        "--participant", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    parser = _Parser(
        prog=PROG,
        description="Work-backwards planning workshops in the terminal.",
        epilog="Run without a command to open the app.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        default=None,
        help="where sessions live (default: $BACKPLAN_HOME, else the user data directory)",
    )
    parser.add_argument(
        "--theme", metavar="NAME", default=None, help="the theme for this run (see `themes`)"
    )
    parser.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        default=None,
        help="who you are to the others in a session (default: settings, else your login)",
    )
    parser.add_argument(
        "--participant",
        action="store_true",
        default=False,
        help="join as a participant: follow the facilitator's step and clock (f toggles)",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return cast("argparse.ArgumentParser", _Unused())
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    p = add("open", "open a session in the app")
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")

    add("demo", "create the demo session if missing and open it in the app")

    p = add("new", "create a session and print its id")
    p.add_argument("--title", required=True, help="the session title")
    p.add_argument("--template", default="blank", metavar="NAME", help="see `backplan templates`")
    p.add_argument("--target-date", type=_iso_date, metavar="YYYY-MM-DD", help="the goal date")
    p.add_argument("--team", default="", help="the team running the workshop")

    p = add("list", "list saved sessions")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = add("show", "print a session's summary")
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument(
        "--width", type=_positive_width, help="wrap to this many columns (default: terminal)"
    )

    p = add("export", "export a session (to stdout unless -o is given)")
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument(
        "--format",
        "-f",
        choices=tuple(FORMATS),
        help=f"{', '.join(FORMATS)} (default: from the suffix of -o)",
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write to this file (0600, atomically)")
    p.add_argument(
        "--force", action="store_true", help="replace the -o file if it exists (default: refuse)"
    )

    p = add(
        "backups",
        "list the kept backups of a session, newest first: when, how long ago, what changed",
    )
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")

    p = add("restore", "restore a session from a backup (saved as a new revision)")
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument(
        "--revision",
        type=_revision,
        metavar="N",
        help="the revision to restore (default: the newest readable backup)",
    )

    p = add(
        "check",
        "plan-health report; exit status 1 when it finds problems or unresolved conflicts",
    )
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")

    p = add("import", "validate a session file and add it (a new id when the id is taken)")
    p.add_argument(
        "file", metavar="FILE", help="a backplan session file (.toml) or its JSON export"
    )

    add("themes", "list the themes: built-in, Textual's own and yours")
    add("templates", "list the starter templates")
    add("where", "print the data, sessions, backups, trash and config directories")
    from backplan_tui import cli_team

    cli_team.add_parsers(add)
    from backplan_tui import cli_serve

    cli_serve.add_parsers(add)
    from backplan_tui import cli_report

    cli_report.add_parsers(add)
    return parser


# --- output helpers ---------------------------------------------------------------------------


def _stamp(entry: SessionEntry) -> str:
    return stamp(entry.updated)


# --- commands ---------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from backplan_tui.core import templates

    title = " ".join(clean_line(args.title).split())
    if not title:
        raise UsageError("argument --title: the title must not be empty")
    names = [info.name for info in templates.list_templates()]
    if args.template not in names:
        raise UsageError(
            f"unknown template {clean_line(args.template)!r} (choose from: {', '.join(names)})"
        )
    store = _store(args)
    session = templates.instantiate(
        args.template,
        session_id=store.new_id(title),
        title=title,
        today=date.today(),
        team=" ".join(clean_line(args.team).split()),
        target_date=args.target_date,
    )
    session = _library(store).create(session)
    _out(session.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from backplan_tui.core.basics import STEP_TITLES  # (core.model: 15 ms more to import)
    from backplan_tui.core.gcpause import GcPaused

    with GcPaused():  # thousands of entries, no cycles: nothing to collect
        return _list(args, STEP_TITLES)


def _list(args: argparse.Namespace, step_titles: dict[str, str]) -> int:
    store = _store(args)
    today = date.today()
    entries = store.list(today=today, refresh=True)  # health and risks as of today
    if args.json:
        data = [
            {
                "id": clean_line(entry.id),
                "title": clean_line(entry.title),
                "team": clean_line(entry.team),
                "current_step": clean_line(entry.current_step),
                "updated": entry.updated,
                "revision": entry.revision,
                "damaged": clean_line(entry.damaged) if entry.damaged is not None else None,
                "read_only_reason": (
                    clean_line(entry.read_only_reason)
                    if entry.read_only_reason is not None
                    else None
                ),
                "has_backup": entry.has_backup,
                "path": str(entry.path),
                **_glance_json(entry, today),
            }
            for entry in entries
        ]
        from backplan_tui.core.export.json import dumps

        sys.stdout.write(dumps(data))
        return 0
    if not entries:
        _out(f"No sessions in {store.sessions_dir}. Try `backplan demo` or `backplan new`.")
        return 0
    rows = [["ID", "TITLE", "HEALTH", "NEXT DUE", "TEAM", "STEP", "UPDATED"]]
    add = rows.append
    for entry, glance in zip(entries, _list_cells(entries, today), strict=True):
        if entry.damaged is not None:
            hint = f" (a backup exists: backplan restore {entry.id})" if entry.has_backup else ""
            add([entry.id, f"DAMAGED: {entry.damaged}{hint}", "", "", "", "", ""])
            continue
        step = step_titles.get(entry.current_step, entry.current_step)
        title = f"{entry.title} (read-only)" if entry.read_only_reason else entry.title
        health, due = glance or ("", "")
        # (cut only what is too long: a call less for most of 10,000 rows)
        title = title if len(title) <= 60 else shorten(title, 60)
        due = due if len(due) <= 40 else shorten(due, 40)
        add([entry.id, title, health, due, entry.team, step, stamp(entry.updated)])
    _columns(rows)
    return 0


def _list_cells(entries: list[SessionEntry], today: date) -> list[tuple[str, str] | None]:
    """(health, next due) of each entry as the list shows them: from the brief in its index
    record, or (a brief not as written) from its glance, read with the others in one go and
    parsed in batches: no Glance is made (10,000 sessions: issue 21)."""
    from backplan_tui.core.glance import brief_cells, list_cells

    cells = [None if e.damaged is not None else brief_cells(e.brief, today) for e in entries]
    missing = [n for n, e in enumerate(entries) if cells[n] is None and e.damaged is None]
    if missing:
        from backplan_tui.core.storage.entries import glance_records

        read = list_cells(glance_records(entries[n] for n in missing), today)
        for n, found in zip(missing, read, strict=True):
            cells[n] = found
    return cells


def _glance_json(entry: SessionEntry, today: date) -> dict[str, Any]:
    """Health, risks and the next due item (null for a damaged file)."""
    glance = entry.glance
    if glance is None:
        return {
            "health": None,
            "problems": None,
            "warnings": None,
            "at_risk": None,
            "risks": None,
            "next_due": None,
            "overdue": None,
        }
    item = glance.next_due()
    return {
        "health": glance.health,
        "problems": glance.problems,
        "warnings": glance.warnings,
        "at_risk": glance.at_risk,
        "risks": [clean_line(r) for r in glance.risks],
        "next_due": None
        if item is None
        else {
            "date": item.due,
            "kind": item.kind,
            "title": clean_line(item.title),
            "owner": clean_line(item.owner),
            "overdue": item.overdue(today),
        },
        "overdue": glance.overdue(today),
    }


def _load(args: argparse.Namespace) -> Session:
    """The session to show or export: a newer backplan's file is fine to read."""
    store = _store(args)
    session_id = store.resolve(args.session)
    return store.load(session_id, allow_newer=True)


def cmd_show(args: argparse.Namespace) -> int:
    import shutil

    from backplan_tui.core.export import text
    from backplan_tui.core.export.facts import of

    session = _load(args)
    width = args.width or max(text.MIN_WIDTH, min(shutil.get_terminal_size().columns, 100))
    facts = of(session, date.today(), limits=owner_limits())
    sys.stdout.write(clean_text(text.render(session, date.today(), width=width, facts=facts)))
    return 0


# The suffix of ``export -o`` -> the format, when ``--format`` is not given.
EXPORT_SUFFIXES: dict[str, str] = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".csv": "csv",
    ".ics": "ics",
    ".txt": "txt",
}


def _export_format(args: argparse.Namespace) -> str:
    """``--format``, else the one the suffix of ``-o`` names; a usage error when neither."""
    if args.format:
        return str(args.format)
    to_stdout = args.output is None or args.output == "-"
    if to_stdout:
        raise UsageError("argument --format/-f: required when writing to stdout (no -o PATH)")
    suffix = Path(args.output).suffix
    fmt = EXPORT_SUFFIXES.get(suffix.lower())
    if fmt is None:
        known = ", ".join(EXPORT_SUFFIXES)
        shown = f"suffix {clean_line(suffix)!r}" if suffix else "no suffix"
        raise UsageError(
            f"argument --format/-f: -o {clean_line(args.output)!r} has {shown}; "
            f"give --format or use one of {known}"
        )
    return fmt


def cmd_export(args: argparse.Namespace) -> int:
    from backplan_tui.core import export

    fmt = _export_format(args)  # before loading: a usage error costs nothing
    session = _load(args)
    # The owner limits are the defaults here: reading the settings would load platformdirs,
    # which an export does without (tests/cli/test_cli_imports.py); show and check read them.
    output = export.render(fmt, session, date.today())
    if fmt not in ("json", "csv", "ics"):
        # JSON escapes its own control characters; CSV and iCalendar need their CRLF line
        # ends (their renderers clean every piece of user text themselves).
        output = clean_text(output)
    if args.output is None or args.output == "-":
        sys.stdout.write(output)
        return 0
    try:
        path = export.write_atomic(Path(args.output), output, overwrite=args.force)
    except FileExistsError as error:
        raise FileExistsError(
            error.errno, "already exists; use --force to replace it", error.filename
        ) from None
    _out(f"Wrote {path}")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from backplan_tui.core import templates

    rows = [["NAME", "TITLE"]]
    rows += [[info.name, info.title] for info in templates.list_templates()]
    _columns(rows)
    return 0


def cmd_where(args: argparse.Namespace) -> int:
    store = _store(args)
    rows = [
        ["data", str(store.root)],
        ["sessions", str(store.sessions_dir)],
        ["backups", str(store.backups_dir)],
        ["trash", str(store.trash_dir)],
        ["config", str(paths.config_dir())],
    ]
    _columns(rows)
    return 0


def _run_app(args: argparse.Namespace, session_id: str | None, *, demo: bool = False) -> int:
    from backplan_tui.tui.app import create_app

    theme = getattr(args, "theme", None)
    if theme:
        from backplan_tui.tui import themes

        known = theme in themes.textual_theme_names() or themes.builtin_theme(theme) is not None
        if not known:  # a user's theme, or none: read them all
            names = [info.name for info in themes.theme_infos(paths.config_dir())[0]]
            if theme not in names:
                raise UsageError(f"unknown theme {theme!r}; `backplan themes` lists them")
    app = create_app(
        data_dir=paths.data_dir(args.data_dir),
        open_session=session_id,
        demo=demo,
        theme=theme,
        name=getattr(args, "as_name", None),
        participant=bool(getattr(args, "participant", False)),
    )
    app.run()
    return int(getattr(app, "return_code", 0) or 0)


def cmd_app(args: argparse.Namespace) -> int:
    return _run_app(args, None)


def cmd_open(args: argparse.Namespace) -> int:
    # Resolve and load first: an unknown or damaged session is an error line, not an app
    # that starts only to show a toast.
    store = _store(args)
    session_id = store.resolve(args.session)
    store.load(session_id, allow_newer=True)  # a newer backplan's file opens read-only
    return _run_app(args, session_id)


def cmd_demo(args: argparse.Namespace) -> int:
    from backplan_tui.core import templates

    _library(_store(args)).ensure_demo(date.today())
    return _run_app(args, templates.DEMO_ID, demo=True)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "open": cmd_open,
    "demo": cmd_demo,
    "new": cmd_new,
    "list": cmd_list,
    "show": cmd_show,
    "export": cmd_export,
    "backups": lambda args: _files().cmd_backups(args),
    "restore": lambda args: _files().cmd_restore(args),
    "templates": cmd_templates,
    "check": lambda args: _files().cmd_check(args),
    "import": lambda args: _files().cmd_import(args),
    "themes": lambda args: _files().cmd_themes(args),
    "where": cmd_where,
    "team": lambda args: _team().cmd_team(args),
    "sync": lambda args: _team().cmd_sync(args),
    "merge-driver": lambda args: _team().cmd_merge_driver(args),
    "serve": lambda args: _serve().cmd_serve(args),
    "report": lambda args: _report().cmd_report(args),
}


def _files() -> Any:
    from backplan_tui import cli_files

    return cli_files


def _report() -> Any:
    from backplan_tui import cli_report

    return cli_report


def _serve() -> Any:
    from backplan_tui import cli_serve

    return cli_serve


def _team() -> Any:
    from backplan_tui import cli_team

    return cli_team


def _error(message: object) -> None:
    text = " ".join(clean_line(str(message)).split()) or "unexpected error"
    sys.stderr.write(f"{PROG}: error: {text}\n")


def _warnings(args: argparse.Namespace) -> None:
    store = getattr(args, "_store", None)
    for warning in store.warnings if store is not None else []:
        text = " ".join(clean_line(str(warning)).split())
        sys.stderr.write(f"{PROG}: warning: {text}\n")


def _os_error(error: OSError) -> str:
    if error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}"
    return error.strerror or str(error)


def no_arguments() -> argparse.Namespace:
    """What the parser makes of no arguments (open the app), without loading argparse."""
    return cast(
        "argparse.Namespace",
        SimpleNamespace(data_dir=None, theme=None, as_name=None, participant=False, command=None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments:  # `backplan`: the app, started as fast as it can be
        args = no_arguments()
    else:
        try:
            only = arguments[0] if arguments[0] in COMMANDS else None  # its parser alone
            args = build_parser(only).parse_args(arguments)
        except UsageError as error:
            _error(error)
            return USAGE_ERROR
        except SystemExit as done:  # --help / --version
            return done.code if isinstance(done.code, int) else 0
    try:
        return _run(args)
    except UsageError as error:
        _error(error)
        return USAGE_ERROR
    except BrokenPipeError:
        # The reader went away (`backplan list | head`): stop quietly.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return ERROR
    except KeyboardInterrupt:
        return 130
    except ValueError as error:  # a codec.CodecError is one
        _error(error)
        return ERROR
    except OSError as error:
        _error(_os_error(error))
        return ERROR
    except Exception as error:
        # The store and the templates are imported by the commands that use them; their
        # errors are one line too.  (Imported here, on the way out, not at start.)
        from backplan_tui.core.gitsync import GitError
        from backplan_tui.core.storage import StoreError
        from backplan_tui.core.templates import TemplateError

        if not isinstance(error, StoreError | TemplateError | GitError):
            raise
        _error(error)
        return ERROR


def _run(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    finally:
        with contextlib.suppress(OSError, ValueError):
            _warnings(args)
