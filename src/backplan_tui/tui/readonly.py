"""Read-only sessions: why a session is read-only, and the keys that are refused there.

A session opens read-only when another window holds its lock ("Open read-only"), when a
newer backplan wrote it, or when its folder cannot be written.  Nothing typed there can be
saved, so no key may change the session on screen: the step screens hide the keys that
edit (``check_action``), say why when one is pressed anyway, and offer one key, ``c``, to
work on a copy.  ``BackplanApp.changed`` refuses any edit that still gets through.
"""

from __future__ import annotations

import os
from typing import Any

from backplan_tui.core.basics import SCHEMA_VERSION

COPY_KEY = "c"

# Every action of a step screen (and its tables, tree and dialogs) that changes the session.
MUTATING_ACTIONS = frozenset(
    {
        # tables and the map
        "add_item",
        "edit_item",
        "delete_item",
        "move_item",
        "cycle_status",
        "toggle_milestone",
        "add_child",
        "add_sibling",
        "outdent",
        "indent",
        "working_days",
        "vote",
        # every workshop screen
        "park",
        "details",
        "undo",
        "redo",
        "timer",
        "extend_timer",
        "reset_timer",
        "save",
        # track
        "checkin",
        "adjust",
        "cadence",
        "mark_done",
        "result",
    }
)

# The short reason in the step bar, by kind.
SHORT = {
    "locked": "read-only: in use",
    "newer": "read-only: newer file",
    "folder": "read-only: no write access",
    "other": "read-only",
}
# The footer's copy key, by kind: it says read-only, why, and the way out.
COPY_LABELS = {  # the first is the one the help lists
    "other": "Read-only: work on a copy",
    "locked": "Read-only (in use elsewhere): work on a copy",
    "newer": "Read-only (newer file): work on a copy",
    "folder": "Read-only (no write access): work on a copy",
}


def is_read_only(app: Any) -> bool:
    doc = getattr(app, "document", None)
    return bool(doc is not None and doc.read_only)


def kind(app: Any) -> str:
    """Why the open session is read-only: "locked", "newer", "folder" or "other"."""
    doc = app.document
    if doc.session.schema_version > SCHEMA_VERSION:
        return "newer"
    try:
        if app.workspace.lock_holder() is not None:
            return "locked"
    except OSError:
        pass
    if not os.access(app.workspace.library.sessions_dir, os.W_OK):
        return "folder"
    return "other"


def reason(app: Any) -> str:
    """One sentence for the room: why nothing here can be changed."""
    found = kind(app)
    if found == "newer":
        return "Read-only: this session was saved by a newer backplan."
    if found == "locked":
        holder = app.workspace.lock_holder()
        who = holder.describe() if holder is not None else "another window"
        return f"Read-only: it is open in another window ({who})."
    if found == "folder":
        return f"Read-only: the folder {app.workspace.library.sessions_dir} is not writable."
    return (
        "Read-only: opened to look at only (the other window has let it go since: Esc and "
        "open it again to edit it)."
    )


def refusal(app: Any) -> str:
    """What a refused key says: why, that nothing changed, and the way out."""
    return (
        f"{reason(app)} Nothing here can be changed or saved; press {COPY_KEY} to work on a copy."
    )


def action_name(action: str) -> str:
    """ "screen.move_item(-1)" -> "move_item"."""
    return action.split("(", 1)[0].rsplit(".", 1)[-1]


def refuse_edit(app: Any, label: str) -> None:
    """An edit reached a read-only session (``BackplanApp.changed``): put the session back
    as it was opened, show it so on every screen, and say why.

    The keys that edit are refused before anything changes; this is the net under them, so
    that no edit is shown on screen that can never be saved.
    """
    from backplan_tui.tui.contracts import ShowsSession, drawn
    from backplan_tui.tui.text import toast

    app.workspace.revert()
    for screen in drawn(app.screen_stack, ShowsSession):
        screen.reload()
    toast(app, refusal(app), title="Read-only: not changed", severity="warning", timeout=6)
