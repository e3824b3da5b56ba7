"""One session file's bytes <-> a validated ``Session``, through ``core.codec``.

A file that cannot be read (bad TOML, wrong types, too large, not UTF-8, nested too deep, a
symbolic link) raises ``Damage`` with a one-line reason; a file written by a newer backplan
raises ``Newer`` unless ``allow_newer``.  An older file is migrated when read
(``codec.MIGRATIONS``).  The codec and the model are imported only here and only when a file
is read or written: listing from a current index (home's start-up) needs neither.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.core.basics import MAX_FILE_BYTES
from backplan_tui.core.storage.errors import Damage, Newer, StoreError
from backplan_tui.core.storage.fileio import read_small
from backplan_tui.core.storage.layout import SUFFIX, valid_id

if TYPE_CHECKING:
    from backplan_tui.core.model import Session

__all__ = ["digest", "load_file", "parse", "serialize"]

_MB = 1024 * 1024


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse(data: bytes, *, allow_newer: bool = False) -> Session:
    """Bytes -> validated ``Session``; ``Damage`` (``Newer``) with a one-line reason."""
    if data.startswith(b"\xef\xbb\xbf"):  # a BOM left by some editors
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start]
        raise Damage(f"not valid UTF-8 (byte 0x{bad:02x} at offset {err.start})") from None
    from backplan_tui.core import codec

    try:
        if allow_newer:
            return codec.loads(text, allow_newer=True)
        return codec.loads(text)
    except codec.NewerSchemaError as err:
        raise Newer(str(err)) from None
    except codec.CodecError as err:
        raise Damage(str(err)) from None
    except RecursionError:  # pragma: no cover - the codec checks the depth first
        raise Damage("nested too deeply to read") from None


def load_file(path: Path, *, allow_newer: bool = False) -> tuple[Session, bytes]:
    """Read and validate one file; the file name is the session's id."""
    session_id = path.name[: -len(SUFFIX)]
    if not valid_id(session_id):
        raise Damage("the file name is not a usable session id")
    data = read_small(path)
    try:
        session = parse(data)
    except Newer as newer:
        if not allow_newer:
            raise
        try:
            session = parse(data, allow_newer=True)
        except Damage as damage:
            reason = f"{newer.reason}; and by this version's rules, {damage.reason}"
            raise Damage(reason) from None
    session.id = session_id
    return session, data


def serialize(session: Session) -> bytes:
    """The file's bytes, checked to read back as the same session (``dumps_checked``: a
    text that would not load, or would load as something else, is never written)."""
    from backplan_tui.core import codec, readback

    try:
        text = readback.dumps_checked(session)
    except codec.CodecError as err:  # ReadBackError: "the file would not read back the same"
        raise StoreError(f"cannot save session {session.id!r}: {err}") from None
    except (TypeError, ValueError, RecursionError) as err:
        raise StoreError(f"cannot save session {session.id!r}: {err}") from None
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise StoreError(f"cannot save session {session.id!r}: {err.reason}") from None
    limit = MAX_FILE_BYTES  # (read here: a test lowers it)
    if len(encoded) > limit:
        raise StoreError(
            f"cannot save session {session.id!r}: it would be {len(encoded) / _MB:.1f} MB, "
            f"larger than the {limit // _MB} MB limit"
        )
    return encoded
