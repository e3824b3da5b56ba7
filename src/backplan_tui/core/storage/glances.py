"""``index.glances``: the glances of the index (``core.storage.index``), read by offset.

The file is a token line (16 hex digits: the index names it) and then each session's glance,
one after the other; an index record says where its glance is (byte offset, length).  A list
draws only the rows on screen, so only their glances are read.
"""

from __future__ import annotations

import os
import stat
import weakref
from pathlib import Path

from backplan_tui.core.storage.fileio import CLOEXEC, NOFOLLOW, own_private

__all__ = ["Glances"]


class Glances:
    """The glances of one ``index.glances``, read by offset (``text``) through a descriptor
    opened with the index, closed when nothing refers to it any more.  Thread-safe (each read
    says where it reads: ``os.pread``)."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.size = size
        self._closer = weakref.finalize(self, _close_quietly, fd)

    @classmethod
    def open(cls, path: Path, token: str) -> Glances | None:
        """The glances at ``path`` when the file is this user's own private regular file
        and starts with ``token``'s line; else None (the index is rebuilt)."""
        try:
            fd = os.open(path, os.O_RDONLY | CLOEXEC | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            head = (token + "\n").encode("ascii")
            if (
                stat.S_ISREG(info.st_mode)
                and own_private(info)
                and os.pread(fd, len(head), 0) == head
            ):
                glances = cls(fd, info.st_size)
                fd = -1
                return glances
        except (OSError, UnicodeEncodeError):
            pass
        finally:
            if fd >= 0:
                _close_quietly(fd)
        return None

    def text(self, at: int, length: int) -> str | None:
        """The glance ``length`` bytes long from byte ``at``; None when it is not there."""
        if at <= 0 or length <= 0 or at + length > self.size:
            return None
        try:
            data = os.pread(self.fd, length, at)
            return data.decode("utf-8") if len(data) == length else None
        except (OSError, UnicodeDecodeError):
            return None

    def tail(self, at: int) -> bytes | None:
        """Every byte from ``at`` to the end (a write keeps them as they are); None when
        they cannot be read."""
        try:
            chunks: list[bytes] = []
            while at < self.size:
                chunk = os.pread(self.fd, min(self.size - at, 1 << 24), at)
                if not chunk:
                    return None
                chunks.append(chunk)
                at += len(chunk)
        except OSError:
            return None
        return b"".join(chunks)

    def close(self) -> None:
        self._closer()


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
