"""Owner rules: a person with more at once than they can carry (``core.owners``).

Only owners on the session's owner list are judged (the list is optional: a name typed on an
item and never listed is not flagged); two spellings of one person count as one (the key).
The limits are the user's settings (``Plan.limits``).  Each finding names the busiest period
(the first one at the peak), its dates and its items.  The findings belong to the reverse map
(step 3: the timeline and the action plan with owners and deadlines) and are about the plan as
a whole (no item id): a person, not one item, is overloaded.

Where the limits come from: the app (its workspace), ``backplan check`` and ``backplan show``
pass the user's settings; ``backplan export`` and the home list's health (the store's index,
computed when a file changes) use ``owners.DEFAULT_LIMITS``, so that neither reads the settings
file (an export stays the same whoever makes it; the index is not tied to one user's settings).
"""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core.coach.plan import Plan, quote
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.owners import (
    HOURS_PER_ITEM,
    OwnerLoad,
    Period,
    format_hours,
    format_share,
)

STEP = "reverse_map"
MAX_NAMED = 5  # items named in one finding; "and n more" after them


def _items(load: OwnerLoad, period: Period) -> str:
    names = []
    for item_id in period.items[:MAX_NAMED]:
        item = load.item(item_id)
        names.append(quote(item.title if item is not None else "", item_id))
    more = len(period.items) - MAX_NAMED
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _when(period: Period) -> str:
    if period.first == period.last:
        return f"on {period.first.isoformat()}"
    return f"from {period.first.isoformat()} to {period.last.isoformat()}"


def _also(periods: tuple[Period, ...]) -> str:
    others = len(periods) - 1
    return f" (and {others} other period{'s' if others != 1 else ''})" if others > 0 else ""


@rule(
    code="owner_too_many",
    step=STEP,
    severity="warning",
    title="a listed owner with more items at once than the limit (settings)",
)
def owner_too_many(plan: Plan) -> Iterator[Hit]:
    limit = plan.limits.max_at_once
    for load in plan.owner_loads:
        if not load.listed or load.peak <= limit:
            continue
        busiest = load.peaks[0]
        yield Hit(
            "",
            f"{quote(load.name, load.key)} has {load.peak} items at once {_when(busiest)}: "
            f"{_items(load, busiest)} (the limit is {limit}){_also(load.over(limit))}.",
            "Move a date, hand an item to someone else, or raise the limit in the settings.",
        )


@rule(
    code="owner_over_capacity",
    step=STEP,
    severity="warning",
    title="a listed owner whose items need more of their week than the share allowed",
)
def owner_over_capacity(plan: Plan) -> Iterator[Hit]:
    allowed = plan.limits.max_share
    for load in plan.owner_loads:
        share = load.share
        if not load.listed or share is None or load.capacity_hours is None or share <= allowed:
            continue
        busiest = load.peaks[0]
        if load.capacity_hours > 0:
            against = (
                f"{format_share(share)} of the {format_hours(load.capacity_hours)} they have "
                f"(allowed: {format_share(allowed)})"
            )
        else:
            against = "and they have no hours for this plan"
        yield Hit(
            "",
            f"{quote(load.name, load.key)} needs about {format_hours(load.hours_at_peak)} a "
            f"week {_when(busiest)} ({load.peak} items x {format_hours(HOURS_PER_ITEM)}), "
            f"{against}: {_items(load, busiest)}.",
            "Spread the items out, share them, or give the owner more hours for this plan.",
        )
