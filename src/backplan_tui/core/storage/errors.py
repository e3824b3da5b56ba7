"""What the store raises: one clear line each for the user (``str()``).

Imported by every module of ``core.storage`` (the lock too), and by nothing else in it: it
depends on nothing, so the store and the lock no longer import each other.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConflictError",
    "DamagedSessionError",
    "SessionNotFound",
    "SessionReadOnly",
    "StoreError",
]


class StoreError(Exception):
    """Something the store cannot do; ``str()`` is one clear line for the user."""


class SessionNotFound(StoreError):
    pass


class DamagedSessionError(StoreError):
    def __init__(self, path: Path, reason: str, action: str = "") -> None:
        self.path = Path(path)
        self.reason = reason
        message = f"session file {self.path} is damaged: {reason}"
        super().__init__(f"{message} ({action})" if action else message)


class ConflictError(StoreError):
    """The file changed on disk since the session was loaded (or last saved).

    The session object keeps the user's edits; ``SessionStore.save_as_copy`` saves them
    under a new id.
    """


class SessionReadOnly(StoreError):
    """The file was written by a newer backplan: it opens read-only, never writable.

    ``load(id, allow_newer=True)`` reads it for viewing; saving such a session is refused.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"session file {self.path} opens read-only: {reason}")


class Damage(Exception):
    """Internal: why a file cannot be read (never leaves ``core.storage``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Newer(Damage):
    """Internal: the file was written by a newer backplan (readable only with allow_newer)."""
