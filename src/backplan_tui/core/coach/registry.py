"""The coach's rules, each declared once.

A rule is a function decorated with ``@rule(code=..., step=..., severity=..., title=...)``.
The declaration says what the rule looks for (``title``: what ``CHECKS`` lists), which step
its findings belong to and how serious they are; the function yields a ``Hit`` (the item, a
one-line message and a one-line fix) for each thing it notices.  ``run`` stamps every hit with
its rule's code, step and severity, so a finding can only name a declared check.

``RULES`` keeps the rules by step (``HEALTH_STEPS`` order), then in declaration order within
a step: the order findings of equal severity, step and item are listed in, whatever order the
rule modules are imported in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, get_args

from backplan_tui.core.model import STEP_TITLES, STEPS

if TYPE_CHECKING:
    from backplan_tui.core.coach.plan import Plan

Severity = Literal["problem", "warning", "tip"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
HEALTH_STEPS: tuple[str, ...] = (*STEPS, "track")
HEALTH_STATES: tuple[str, ...] = ("healthy", "warnings", "problems", "empty")
HEALTH_STEP_TITLES: dict[str, str] = {step: STEP_TITLES[step] for step in STEPS} | {
    "track": "Track"
}
SEVERITY_LABELS: dict[str, str] = {"problem": "PROBLEM", "warning": "warning", "tip": "tip"}


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed.  ``message`` and ``fix`` may quote what people typed:
    render them as plain text, never as markup."""

    severity: Severity
    step: str  # one of HEALTH_STEPS (model.STEPS or "track")
    item_id: str  # outcome / question / map node / pilot id; "" for the plan as a whole
    message: str
    fix: str  # one line: what to do about it
    check: str = ""  # the code of the rule that found it (a key of RULES)

    def as_dict(self) -> dict[str, str]:
        """Plain dict (for ``backplan check --json``)."""
        return asdict(self)


class Hit(NamedTuple):
    """What a rule yields: the rule's declaration supplies the rest of the finding."""

    item_id: str  # "" for the plan as a whole
    message: str
    fix: str


Check = Callable[["Plan"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    step: str  # one of HEALTH_STEPS
    severity: Severity
    title: str  # what it looks for, in one line
    check: Check
    under_way_severity: Severity | Literal[""] = ""  # once the plan is under way, if it differs

    def severity_for(self, plan: Plan) -> Severity:
        if self.under_way_severity and plan.under_way:
            return self.under_way_severity
        return self.severity


RULES: dict[str, Rule] = {}


def rule(
    *,
    code: str,
    step: str,
    severity: Severity,
    title: str,
    under_way_severity: Severity | Literal[""] = "",
) -> Callable[[Check], Check]:
    """Declare a rule: register the decorated function under ``code``."""
    if code in RULES:
        raise ValueError(f"coach rule {code!r} is declared twice")
    if step not in HEALTH_STEPS:
        raise ValueError(f"coach rule {code!r}: unknown step {step!r}")
    for level in (severity, under_way_severity or severity):
        if level not in SEVERITIES:
            raise ValueError(f"coach rule {code!r}: unknown severity {level!r}")

    def register(check: Check) -> Check:
        RULES[code] = Rule(code, step, severity, title, check, under_way_severity)
        ordered = sorted(RULES.values(), key=lambda r: HEALTH_STEPS.index(r.step))  # stable
        RULES.clear()
        RULES.update((r.code, r) for r in ordered)
        return check

    return register


def run(plan: Plan) -> Iterator[Finding]:
    """Every rule's findings on ``plan``, rule by rule in declaration order."""
    for r in RULES.values():
        severity = r.severity_for(plan)
        for item_id, message, fix in r.check(plan):
            yield Finding(severity, r.step, item_id, message, fix, r.code)
