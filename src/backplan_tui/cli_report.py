"""``backplan report``: the progress report for leaders (``core.report``), in Markdown or
HTML, to stdout or a file.  Loaded only when it runs (``cli.COMMANDS``), as ``cli_files`` is.

Making a report records a ``ReportMark`` in the session, through the workspace's library
(never the store directly), so that the next report's "since the last report" is right;
only the latest mark is kept.  ``--no-mark`` previews without recording.  The mark is
recorded after the report is written: a report that could not be written leaves none.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.cli_common import library_of, out, store_of
from backplan_tui.core.textclean import clean_line, clean_text

if TYPE_CHECKING:
    import argparse

REPORT_FORMATS = ("md", "html")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def add_parsers(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add(
        "report",
        "a progress report for leaders (to stdout unless -o is given); remembers when it "
        "was made, so the next one says what moved since",
    )
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument(
        "--format",
        "-f",
        choices=REPORT_FORMATS,
        help="md or html (default: from the suffix of -o, else md)",
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write to this file (0600, atomically)")
    p.add_argument(
        "--force", action="store_true", help="replace the -o file if it exists (default: refuse)"
    )
    p.add_argument(
        "--no-mark",
        action="store_true",
        help="a preview: do not record that a report was made",
    )


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output and args.output != "-":
        return SUFFIXES.get(Path(args.output).suffix.lower(), "md")
    return "md"


def cmd_report(args: argparse.Namespace) -> int:
    from backplan_tui.core import report, schedule
    from backplan_tui.core.export import write_atomic
    from backplan_tui.core.identity import resolve

    fmt = _format(args)
    library = library_of(store_of(args))
    session_id = library.resolve(args.session)
    session = library.load(session_id, allow_newer=True)
    today = date.today()
    plan = schedule.compute(session, today)
    facts = report.build(session, today, plan, report.last_mark(session))
    if fmt == "html":
        from backplan_tui.core.export.report_html import render_report
    else:
        from backplan_tui.core.export.report_md import render_report
    output = clean_text(render_report(facts))
    if args.output is None or args.output == "-":
        sys.stdout.write(output)
        sys.stdout.flush()
    else:
        try:
            path = write_atomic(Path(args.output), output, overwrite=args.force)
        except FileExistsError as error:
            raise FileExistsError(
                error.errno, "already exists; use --force to replace it", error.filename
            ) from None
        out(f"Wrote {path}")
    if not args.no_mark:
        by = resolve(getattr(args, "as_name", None))
        library.record_report(session_id, report.make_mark(session, today, plan, by))
        if args.output is not None and args.output != "-":
            out(f"Recorded the report of {clean_line(today.isoformat())} in {session_id}.")
    return 0
