"""Step 2 rules: the tough questions."""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core.coach.plan import Plan, quote
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.model import METHOD_QUESTIONS, Question

STEP = "questions"


def _prompt(q: Question) -> str:
    return quote(q.prompt or METHOD_QUESTIONS.get(q.key, ""), q.id)


@rule(
    code="method_question_missing",
    step=STEP,
    severity="warning",
    title="one of the method's three questions is not in the session",
)
def method_question_missing(plan: Plan) -> Iterator[Hit]:
    present = {q.key for q in plan.session.questions if q.key}
    for key, prompt in METHOD_QUESTIONS.items():
        if key not in present:
            yield Hit(
                "",
                f"The method question {quote(prompt, key)} is missing.",
                "Add it back: the method always asks it.",
            )


@rule(
    code="method_question_open",
    step=STEP,
    severity="warning",
    under_way_severity="problem",
    title="a method question not answered (open or parked); a PROBLEM once the plan is under way",
)
def method_question_open(plan: Plan) -> Iterator[Hit]:
    for q in plan.session.questions:
        if q.key not in METHOD_QUESTIONS or q.status == "answered":
            continue
        state = "parked" if q.status == "parked" else "not answered"
        if plan.under_way:
            yield Hit(
                q.id,
                f"{_prompt(q)} is {state}, and the plan is already under way.",
                "Answer it with the team at the next check-in.",
            )
        else:
            yield Hit(
                q.id,
                f"{_prompt(q)} is {state}.",
                "Answer it before the plan starts: the method always asks it.",
            )


@rule(code="question_open", step=STEP, severity="tip", title="another question still open")
def question_open(plan: Plan) -> Iterator[Hit]:
    for q in plan.session.questions:
        if q.key not in METHOD_QUESTIONS and q.status == "open":
            yield Hit(
                q.id,
                f"{_prompt(q)} is still open.",
                "Answer it or park it; give it an owner until then.",
            )
