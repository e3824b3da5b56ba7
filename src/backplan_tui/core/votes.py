"""Dot voting on map nodes or on pilots.  Pure: works on a ``Session`` in memory.

Each participant in ``session.participants`` has ``session.facilitation.votes_per_person``
votes (1-12, default 3) to spread over the map nodes, and a *separate* budget of the same
size for the pilots.  A person may put several votes on one item.  Votes live on the items
(``MapNode.votes`` / ``Pilot.votes``, ``{person: count}``) and so are saved in the file;
a count that drops to zero removes the person's key.

Rules, each broken rule a ``VoteError`` with a one-line message for the user:

- only people in the session's participant list vote (names match exactly, else ignoring
  case; the stored key is the participant's own spelling);
- nobody goes over their budget, nor below zero on an item;
- votes of someone no longer in the list stay in the file and still count in the ranking;
  they can be taken back (negative delta) but not added to.

If ``votes_per_person`` is lowered below what someone already used, nothing is removed:
their remaining votes read 0 until they take some back.
"""

from __future__ import annotations

from typing import Literal

from backplan_tui.core.model import MapNode, Pilot, Session

__all__ = [
    "KINDS",
    "MAX_VOTES",
    "MIN_VOTES",
    "Kind",
    "VoteError",
    "ballot",
    "check_votes_per_person",
    "clear_votes",
    "ranking",
    "remaining_votes",
    "set_ballot",
    "used_votes",
    "vote",
    "votes_per_person",
]

Kind = Literal["map", "pilots"]
KINDS: tuple[str, ...] = ("map", "pilots")
MIN_VOTES = 1
MAX_VOTES = 12
_KIND_NOUN = {"map": "map node", "pilots": "pilot"}


class VoteError(ValueError):
    """A vote that breaks a rule; ``str()`` is one line for the user."""


def check_votes_per_person(value: int) -> int:
    """``value`` when it is a whole number in 1-12, else ``VoteError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise VoteError(f"Votes per person must be a whole number, got {value!r}.")
    if not MIN_VOTES <= value <= MAX_VOTES:
        raise VoteError(f"Votes per person must be {MIN_VOTES}-{MAX_VOTES}, got {value}.")
    return value


def votes_per_person(session: Session) -> int:
    """The session's budget per person and kind, clamped to 1-12 (a hand-edited file may
    say 0 or 99)."""
    n = session.facilitation.votes_per_person
    return min(MAX_VOTES, max(MIN_VOTES, n))


def _items(session: Session, kind: str) -> list[MapNode] | list[Pilot]:
    if kind == "map":
        return session.map
    if kind == "pilots":
        return session.pilots
    raise VoteError(f'Unknown vote kind "{kind}": use "map" or "pilots".')


def _item(session: Session, kind: str, item_id: str) -> MapNode | Pilot:
    for item in _items(session, kind):
        if item.id == item_id:
            return item
    raise VoteError(f'No {_KIND_NOUN[kind]} with id "{item_id}".')


def _participant(session: Session, person: str) -> str | None:
    """The participant's own spelling of ``person``, or None."""
    if person in session.participants:
        return person
    folded = person.strip().casefold()
    matches = [p for p in session.participants if p.strip().casefold() == folded]
    return matches[0] if matches else None


def _voter(session: Session, person: str) -> str:
    name = _participant(session, person)
    if name is None:
        if not session.participants:
            raise VoteError("No participants yet: add them before voting.")
        raise VoteError(f'"{person}" is not a participant of this session.')
    return name


def used_votes(session: Session, person: str, kind: Kind = "map") -> int:
    """Votes ``person`` has placed on items of ``kind`` (exact or participant spelling)."""
    name = _participant(session, person) or person
    return sum(item.votes.get(name, 0) for item in _items(session, kind))


def remaining_votes(session: Session, person: str, kind: Kind = "map") -> int:
    """Votes ``person`` can still place on items of ``kind`` (0 when over budget)."""
    name = _voter(session, person)
    return max(0, votes_per_person(session) - used_votes(session, name, kind))


def vote(session: Session, kind: Kind, item_id: str, person: str, delta: int = 1) -> int:
    """Add ``delta`` votes (usually +1 or -1) of ``person`` to an item; returns the person's
    new count on that item.  Raises ``VoteError`` and changes nothing when a rule breaks."""
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise VoteError(f"A vote changes by a whole number, got {delta!r}.")
    item = _item(session, kind, item_id)
    name = _participant(session, person)
    if name is None:
        if delta < 0 and person in item.votes:
            name = person  # taking back a vote of someone no longer in the list
        else:
            name = _voter(session, person)  # raises
    current = item.votes.get(name, 0)
    if delta > 0:
        left = votes_per_person(session) - used_votes(session, name, kind)
        if delta > left:
            noun = "vote" if votes_per_person(session) == 1 else "votes"
            if left <= 0:
                raise VoteError(
                    f"{name} has no {_KIND_NOUN[kind]} votes left "
                    f"(all {votes_per_person(session)} {noun} used)."
                )
            noun = "vote" if left == 1 else "votes"
            raise VoteError(f"{name} has only {left} {_KIND_NOUN[kind]} {noun} left.")
    elif current + delta < 0:
        raise VoteError(f"{name} has no vote on {item_id} to take back.")
    new = current + delta
    if new:
        item.votes[name] = new
    else:
        item.votes.pop(name, None)
    return new


def ballot(session: Session, kind: Kind, person: str) -> dict[str, int]:
    """``person``'s votes on items of ``kind``: ``{item_id: count}`` in file order."""
    name = _participant(session, person) or person
    return {item.id: item.votes[name] for item in _items(session, kind) if item.votes.get(name)}


def set_ballot(session: Session, kind: Kind, person: str, votes: dict[str, int]) -> None:
    """Replace ``person``'s votes on items of ``kind`` at once (the quick-entry form:
    "Dana: m1 2, m3 1").  Items left out get none.  All or nothing: a ``VoteError``
    (unknown item, negative count, over budget) changes nothing."""
    name = _voter(session, person)
    for item_id, count in votes.items():
        _item(session, kind, item_id)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise VoteError(f"A vote count is a whole number of 0 or more, got {count!r}.")
    total = sum(votes.values())
    budget = votes_per_person(session)
    if total > budget:
        raise VoteError(f"{name} has {budget} {_KIND_NOUN[kind]} votes, not {total}.")
    for item in _items(session, kind):
        count = votes.get(item.id, 0)
        if count:
            item.votes[name] = count
        else:
            item.votes.pop(name, None)


def clear_votes(session: Session, kind: Kind, person: str | None = None) -> int:
    """Remove every vote on items of ``kind`` (or only ``person``'s); returns how many."""
    removed = 0
    for item in _items(session, kind):
        if person is None:
            removed += sum(item.votes.values())
            item.votes.clear()
        else:
            name = _participant(session, person) or person
            removed += item.votes.pop(name, 0)
    return removed


def ranking(session: Session, kind: Kind = "map") -> list[tuple[str, int]]:
    """Every item of ``kind`` with its total votes: most votes first, ties in file order.
    Items without votes are included (at the end) so the list can be shown whole."""
    totals = [(item.id, sum(item.votes.values())) for item in _items(session, kind)]
    order = {item_id: i for i, (item_id, _) in enumerate(totals)}
    return sorted(totals, key=lambda pair: (-pair[1], order[pair[0]]))
