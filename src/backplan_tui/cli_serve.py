"""``backplan serve ID``: the session in participants' browsers (see ``backplan_tui.serve``).

Prints the join link (with its token) and draws it as a QR code for the projector, then
serves until Ctrl+C; joins and leaves are printed as they happen.  Localhost by default:
another address only when asked, with a warning.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from backplan_tui.core import paths
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    import argparse

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _port(value: str) -> int:
    import argparse

    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, got {port}")
    return port


def add_parsers(add: object) -> None:
    p = add(  # type: ignore[operator]
        "serve", "run a session in participants' browsers: prints a join link (and its QR code)"
    )
    p.add_argument("session", metavar="ID|TITLE", help="session id, title or id prefix")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: the LAN)",
    )
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument(
        "--public-url",
        metavar="URL",
        default=None,
        help="the address participants use, behind a reverse proxy (default: from --host)",
    )
    p.add_argument("--no-qr", action="store_true", help="print the link without its QR code")


def qr_text(link: str) -> str:
    """The link as a QR code in text (half-block characters: two modules a line)."""
    import io

    import segno

    out = io.StringIO()
    segno.make(link, error="m", micro=False).terminal(out=out, compact=True, border=2)
    return out.getvalue()


def announce(
    link: str, title: str, host: str, *, qr: bool = True, out: TextIO | None = None
) -> None:
    stream = out or sys.stdout
    write = stream.write
    if qr:
        try:
            write(qr_text(link))
        except Exception:  # noqa: BLE001 - the QR is a courtesy; the link follows anyway
            pass
    write(f"\n  backplan room: {clean_line(title)}\n\n")
    write(f"  Join link:  {link}\n\n")
    write("  Share it only with the room: the link is the key. Ctrl+C ends the session.\n")
    if host not in LOOPBACK:
        write(
            f"  warning: listening on {host}: anyone on that network with the link can join "
            "(plain HTTP; use SSH port forwarding or a TLS reverse proxy beyond the LAN).\n"
        )
    write("\n")
    stream.flush()


def cmd_serve(args: argparse.Namespace) -> int:
    from backplan_tui.core.presence import PRESENCE_DIR
    from backplan_tui.core.storage import SessionStore
    from backplan_tui.serve.server import RoomServer, participant_command

    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    store = SessionStore(data_dir)
    session_id = store.resolve(args.session)
    session = store.load(session_id, allow_newer=True)
    title = clean_line(session.title) or session_id
    server = RoomServer(
        participant_command(sys.executable, data_dir, session_id),
        host=args.host,
        port=args.port,
        title=f"backplan · {title}",
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        presence_folder=data_dir / PRESENCE_DIR / session_id,
    )
    announce(server.join_url, title, args.host, qr=not args.no_qr)
    server.serve()
    return 0
