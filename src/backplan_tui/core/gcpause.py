"""``GcPaused``: no cyclic garbage collection while a big list is made.

Listing 10,000 sessions makes about 150,000 objects (the index's records, the entries), none
of them in a reference cycle: the collector cannot free any of them, yet every collection
walks them again (measured: 60 to 120 ms of a 10,000-session start on a loaded 2-core
machine, issue 21).  Reference counting still frees whatever is dropped meanwhile.
"""

from __future__ import annotations

import gc
from types import TracebackType


class GcPaused:
    """``with GcPaused():`` no cyclic collection inside; the collector as it was after.

    ``freeze`` (settable inside): every object alive at the end is left out of later
    collections (``gc.freeze``).  For a process's start-up only, whose objects (modules, the
    app, its first list) live as long as it does: cyclic garbage alive at that moment would
    never be collected."""

    def __init__(self, *, freeze: bool = False) -> None:
        self.freeze = freeze
        self._enabled = False

    def __enter__(self) -> GcPaused:
        self._enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.freeze:
            gc.freeze()
        if self._enabled:
            gc.enable()
