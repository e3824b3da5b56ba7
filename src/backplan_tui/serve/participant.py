"""``python -m backplan_tui.serve.participant [--data-dir D] SESSION_ID``: the command
textual-serve runs for each browser that joins (``backplan serve``): the app in participant
mode, bound to that one session (``tui.participant``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backplan-participant")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--as", dest="person", default="", metavar="NAME")
    parser.add_argument("session", metavar="ID")
    args = parser.parse_args(argv)

    from backplan_tui.tui.participant import create_participant_app

    app = create_participant_app(args.data_dir, person=args.person, only_session=args.session)
    app.run()
    return int(getattr(app, "return_code", 0) or 0)


if __name__ == "__main__":
    sys.exit(main())
