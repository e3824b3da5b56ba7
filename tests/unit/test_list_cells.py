"""What `backplan list` shows of each glance, the fast ways (issue 21: 10,000 sessions): from
the brief in the index's record, and from many glance texts parsed at once.  Both must show
exactly what a ``Glance`` made from the text shows."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from backplan_tui.core.glance import (
    SUMMARIZER,
    DueRef,
    Glance,
    brief_cells,
    list_cells,
)
from backplan_tui.core.textclean import shorten
from helpers import examples

TODAY = date(2026, 12, 2)
WORDS = ["Draft", "survey", "Pilot", "in", "Sales", "Ünïcode", "日本語", "", "a" * 90]


def random_glance(rng: random.Random) -> Glance:
    due = tuple(
        DueRef(
            TODAY + timedelta(days=rng.randint(-60, 60)),
            rng.choice(["node", "pilot"]),
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))[:80],
            rng.choice(["", "Ana", "Ben Okafor", "Ünsal", "x" * 60]),
        )
        for _ in range(rng.randint(0, 5))
    )
    return Glance(
        as_of=TODAY,
        problems=rng.choice([0, 0, 1, 2, 17]),
        warnings=rng.choice([0, 1, 3]),
        risks=tuple(rng.choice(["Behind pace", "No check-in"]) for _ in range(rng.randint(0, 2))),
        due=tuple(sorted(due, key=lambda d: d.due)),
        open_dated=len(due),
    )


def shown(glance: Glance | None) -> tuple[str, str] | None:
    """What the list showed before the fast ways: each Glance made and asked."""
    if glance is None:
        return None
    health = glance.health_text()
    return (f"AT RISK, {health}" if glance.at_risk else health), glance.due_text(TODAY)


def mutate(rng: random.Random, text: str) -> str:
    record = json.loads(text)
    key = rng.choice(["problems", "warnings", "open_dated", "risks", "due", "as_of", "extra"])
    record[key] = rng.choice([-1, 1.5, "2", None, [], [["2026-13-01", "node", "t", ""]], {}])
    return json.dumps(record)


def test_a_known_glance_shows_its_words() -> None:
    glance = Glance(
        as_of=TODAY,
        problems=1,
        warnings=2,
        risks=("Behind pace",),
        due=(DueRef(date(2026, 11, 20), "node", "Draft survey", "Ana"),),
        open_dated=1,
    )
    text = glance.to_text()
    assert list(list_cells([text], TODAY)) == [
        ("AT RISK, 1 problem", "OVERDUE 2026-11-20 Draft survey (Ana)")
    ]
    assert brief_cells(SUMMARIZER.brief(text), TODAY) == (
        "AT RISK, 1 problem",
        "OVERDUE 2026-11-20 Draft survey (Ana)",
    )
    assert brief_cells(SUMMARIZER.brief(text), date(2026, 11, 1)) == (
        "AT RISK, 1 problem",
        "2026-11-20 Draft survey (Ana)",
    )


def test_many_glances_parsed_at_once_show_what_each_glance_shows() -> None:
    rng = random.Random()
    texts: list[object] = []
    for _ in range(examples(3000, 1200)):
        text = random_glance(rng).to_text()
        if rng.random() < 0.2:
            text = mutate(rng, text)
        if rng.random() < 0.02:
            text = text[: rng.randint(0, len(text))]  # cut short: not JSON
        texts.append(text)
    texts += [None, 7, "", "[]", "null"]
    expected = [shown(SUMMARIZER.read(text)) for text in texts]
    assert list(list_cells(texts, TODAY)) == expected
    assert any(cell is None for cell in expected) and any(cell for cell in expected)


def test_the_brief_shows_what_the_glance_shows_in_the_lists_columns() -> None:
    rng = random.Random()
    for _ in range(examples(2000, 800)):
        text = random_glance(rng).to_text()
        health, due = shown(Glance.from_text(text)) or ("", "")
        cells = brief_cells(SUMMARIZER.brief(text), TODAY)
        assert cells is not None
        assert cells[0] == health
        assert shorten(cells[1], 40) == shorten(due, 40)  # the list shows 40 characters


def test_a_brief_not_as_written_shows_nothing() -> None:
    for brief in (None, [], ["healthy"], [1, None, "", ""], ["h", "2026-13-01", "", ""],
                  ["h", 20261201, "", ""], ["h", None, None, ""], "healthy"):  # fmt: skip
        assert brief_cells(brief, TODAY) is None
    assert SUMMARIZER.brief("not a glance") == []
