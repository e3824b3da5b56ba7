"""``python -m backplan_tui`` and the ``backplan`` console script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from backplan_tui.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
