"""Reading a template file: the parsed, validated content of a ``.toml`` template (immutable
specs; ``templates.instantiate`` builds fresh model objects from them) and the one-line
``TemplateError`` for a file that is malformed.  The format is described in the package's
docstring (``core/templates/__init__.py``); discovery, instantiation and the demo are there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from backplan_tui.core.model import (
    DIRECTIONS,
    METHOD_QUESTIONS,
    NODE_STATUSES,
    QUESTION_STATUSES,
    STEPS,
    Direction,
    NodeStatus,
    QuestionStatus,
)
from backplan_tui.core.templates import people
from backplan_tui.core.textclean import clean_line, clean_text

_Word = TypeVar("_Word", bound=str)

TARGET_DATE_PLACEHOLDER = "{target_date}"

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class TemplateError(Exception):
    """A template is unknown or its file is malformed.  ``str()`` is one clear line."""


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    category: str
    description: str


# --- parsed, validated template content (immutable; model objects are built fresh) ---------


@dataclass(frozen=True)
class _OutcomeSpec:
    id: str
    metric: str
    unit: str
    baseline: float | None
    target: float | None
    direction: Direction
    due_before_target_days: int


@dataclass(frozen=True)
class _QuestionSpec:
    id: str
    prompt: str
    answer: str
    status: QuestionStatus
    owner: str
    key: str


@dataclass(frozen=True)
class _NodeSpec:
    id: str
    title: str
    parent: str
    owner: str
    duration_days: int | None
    pinned_in_days: int | None
    status: NodeStatus
    notes: str
    milestone: bool = False
    targets: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class _PilotSpec:
    id: str
    name: str
    hypothesis: str
    tests: tuple[str, ...]
    outcome: str
    metric: str
    owner: str
    success_rule: str
    start_in_days: int | None
    length_days: int | None


@dataclass(frozen=True)
class _Spec:
    info: TemplateInfo
    horizon_days: int | None
    prompts: tuple[tuple[str, tuple[str, ...]], ...]  # (step, prompts) in STEPS order
    statement: str
    aligned_objective: str
    outcomes: tuple[_OutcomeSpec, ...]
    questions: tuple[_QuestionSpec, ...]
    map: tuple[_NodeSpec, ...]
    pilots: tuple[_PilotSpec, ...]
    owners: tuple[tuple[str, str, float | None], ...] = ()  # (id, name, capacity_hours)
    stakeholders: tuple[people.StakeholderSpec, ...] = ()
    communications: tuple[people.CommunicationSpec, ...] = ()


# --- parsing ------------------------------------------------------------------------------


def _error(source: str, field: str, message: str) -> TemplateError:
    return TemplateError(f"{source}: {field}: {message}")


class _Table:
    """Typed access to one TOML table; every error names the file and the field."""

    def __init__(self, data: Any, path: str, source: str, keys: tuple[str, ...]) -> None:
        self.path = path
        self.source = source
        if not isinstance(data, dict):
            raise self.error("", "expected a table")
        self.data: dict[str, Any] = data
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise self.error(unknown[0], "unknown key")

    def field(self, key: str) -> str:
        if not key:
            return self.path or "(top level)"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> TemplateError:
        return _error(self.source, self.field(key), message)

    def text(self, key: str, *, required: bool = False, multiline: bool = False) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            raise self.error(key, "expected a string")
        value = (clean_text(value) if multiline else clean_line(value)).strip()
        if required and not value:
            raise self.error(key, "must not be empty")
        return value

    def integer(self, key: str, *, minimum: int = 0) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "expected a whole number")
        if value < minimum:
            raise self.error(key, f"must be {minimum} or more")
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "expected a number")
        if value != value or value in (float("inf"), float("-inf")):
            raise self.error(key, "must be a finite number")
        return float(value)

    def choice(self, key: str, choices: tuple[_Word, ...], default: _Word) -> _Word:
        value = self.data.get(key, default)
        for word in choices:  # the value as the Literal type of ``choices``
            if value == word and isinstance(value, str):
                return word
        raise self.error(key, f"must be one of {', '.join(c for c in choices if c)}")

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected a list of strings")
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not clean_line(item).strip():
                raise _error(self.source, f"{self.field(key)}[{i}]", "expected a non-empty string")
            out.append(clean_line(item).strip())
        return tuple(out)

    def table(self, key: str, keys: tuple[str, ...]) -> _Table:
        return _Table(self.data.get(key, {}), self.field(key), self.source, keys)

    def tables(self, key: str, keys: tuple[str, ...]) -> list[_Table]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected an array of tables ([[...]])")
        return [
            _Table(item, f"{self.field(key)}[{i}]", self.source, keys)
            for i, item in enumerate(value)
        ]


_TOP_KEYS = (
    "title",
    "category",
    "description",
    "horizon_days",
    "prompts",
    "future_state",
    "questions",
    "map",
    "pilots",
    "owners",
    "stakeholders",
    "communications",
)
_OWNER_KEYS = ("id", "name", "capacity_hours")
_OUTCOME_KEYS = (
    "id",
    "metric",
    "unit",
    "baseline",
    "target",
    "direction",
    "due_before_target_days",
)
_QUESTION_KEYS = ("id", "key", "prompt", "answer", "status", "owner")
_NODE_KEYS = (
    "id",
    "title",
    "parent",
    "owner",
    "duration_days",
    "pinned_in_days",
    "status",
    "notes",
    "milestone",
    "targets",
)
_PILOT_KEYS = (
    "id",
    "name",
    "hypothesis",
    "tests",
    "outcome",
    "metric",
    "owner",
    "success_rule",
    "start_in_days",
    "length_days",
)


def _milestone_spec(t: _Table, outcome_ids: set[str]) -> dict[str, Any]:
    """A map node's ``milestone`` flag and ``targets`` (outcome id -> number), checked."""
    milestone = t.data.get("milestone", False)
    if not isinstance(milestone, bool):
        raise t.error("milestone", "expected true or false")
    targets = t.table("targets", tuple(outcome_ids))  # an unknown outcome id is refused
    if targets.data and not milestone:
        raise t.error("targets", "only a milestone has targets")
    pairs = []
    for key in targets.data:
        value = targets.number(key)
        if value is not None:
            pairs.append((key, value))
    return {"milestone": milestone, "targets": tuple(pairs)}


def _parse(text: str, source: str) -> _Spec:
    """Parse and validate one template file's text (``source`` is its file name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(source, "(toml)", str(exc)) from None
    top = _Table(data, "", source, _TOP_KEYS)
    info = TemplateInfo(
        name=source.removesuffix(".toml"),
        title=top.text("title", required=True),
        category=top.text("category", required=True),
        description=top.text("description", required=True),
    )
    horizon = top.integer("horizon_days", minimum=1)

    prompt_table = top.table("prompts", STEPS)
    step_prompts = tuple((step, prompt_table.text_list(step)) for step in STEPS)

    fs = top.table("future_state", ("statement", "aligned_objective", "outcomes"))
    statement = fs.text("statement", multiline=True)
    objective = fs.text("aligned_objective", multiline=True)

    ids: set[str] = set()

    def take_id(t: _Table) -> str:
        item_id = t.text("id", required=True)
        if item_id in ids:
            raise t.error("id", f"duplicate id {item_id!r}")
        ids.add(item_id)
        return item_id

    outcomes = tuple(
        _OutcomeSpec(
            id=take_id(t),
            metric=t.text("metric", required=True),
            unit=t.text("unit"),
            baseline=t.number("baseline"),
            target=t.number("target"),
            direction=t.choice("direction", DIRECTIONS, "increase"),
            due_before_target_days=t.integer("due_before_target_days") or 0,
        )
        for t in fs.tables("outcomes", _OUTCOME_KEYS)
    )
    if (outcomes or TARGET_DATE_PLACEHOLDER in statement) and horizon is None:
        raise top.error("horizon_days", "required when the template has outcomes or a dated goal")

    questions: list[_QuestionSpec] = []
    keys_seen: set[str] = set()
    for t in top.tables("questions", _QUESTION_KEYS):
        key = t.choice("key", ("", *METHOD_QUESTIONS), "")
        if key and key in keys_seen:
            raise t.error("key", f"method question {key!r} appears twice")
        keys_seen.add(key)
        prompt = t.text("prompt", multiline=True) or METHOD_QUESTIONS.get(key, "")
        if not prompt:
            raise t.error("prompt", "must not be empty")
        answer = t.text("answer", multiline=True)
        status = t.choice("status", QUESTION_STATUSES, "open")
        if status == "answered" and not answer:
            raise t.error("answer", "an answered question needs an answer")
        questions.append(
            _QuestionSpec(
                id=take_id(t),
                prompt=prompt,
                answer=answer,
                status=status,
                owner=t.text("owner"),
                key=key,
            )
        )
    missing = [key for key in METHOD_QUESTIONS if key not in keys_seen]
    if missing:
        raise top.error("questions", f"missing method question {missing[0]!r}")

    nodes = tuple(
        _NodeSpec(
            id=take_id(t),
            title=t.text("title", required=True),
            parent=t.text("parent"),
            owner=t.text("owner"),
            duration_days=t.integer("duration_days"),
            pinned_in_days=t.integer("pinned_in_days"),
            status=t.choice("status", NODE_STATUSES, "todo"),
            notes=t.text("notes", multiline=True),
            **_milestone_spec(t, {o.id for o in outcomes}),
        )
        for t in top.tables("map", _NODE_KEYS)
    )
    by_id = {n.id: n for n in nodes}
    for i, node in enumerate(nodes):
        if node.parent and node.parent not in by_id:
            raise _error(source, f"map[{i}].parent", f"no map node {node.parent!r}")
        seen = {node.id}
        current = node
        while current.parent:
            if current.parent in seen:
                raise _error(source, f"map[{i}].parent", f"cycle through {current.parent!r}")
            seen.add(current.parent)
            current = by_id[current.parent]

    outcome_ids = {o.id for o in outcomes}
    pilots: list[_PilotSpec] = []
    for i, t in enumerate(top.tables("pilots", _PILOT_KEYS)):
        tests = t.text_list("tests")
        for j, node_id in enumerate(tests):
            if node_id not in by_id:
                raise _error(source, f"pilots[{i}].tests[{j}]", f"no map node {node_id!r}")
        outcome = t.text("outcome")
        if outcome and outcome not in outcome_ids:
            raise t.error("outcome", f"no outcome {outcome!r}")
        pilots.append(
            _PilotSpec(
                id=take_id(t),
                name=t.text("name", required=True),
                hypothesis=t.text("hypothesis", multiline=True),
                tests=tests,
                outcome=outcome,
                metric=t.text("metric"),
                owner=t.text("owner"),
                success_rule=t.text("success_rule", multiline=True),
                start_in_days=t.integer("start_in_days"),
                length_days=t.integer("length_days", minimum=1),
            )
        )

    owners = _owners(top, take_id)
    stakeholders, communications = people.parse(top, take_id)
    return _Spec(
        owners=owners,
        info=info,
        horizon_days=horizon,
        prompts=step_prompts,
        statement=statement,
        aligned_objective=objective,
        outcomes=outcomes,
        questions=tuple(questions),
        map=nodes,
        pilots=tuple(pilots),
        stakeholders=stakeholders,
        communications=communications,
    )


def _owners(
    top: _Table, take_id: Callable[[_Table], str]
) -> tuple[tuple[str, str, float | None], ...]:
    """The template's owner list: (id, name, capacity_hours); one entry per person."""
    from backplan_tui.core.owners import owner_key

    out: list[tuple[str, str, float | None]] = []
    keys: set[str] = set()
    for t in top.tables("owners", _OWNER_KEYS):
        name = t.text("name", required=True)
        if owner_key(name) in keys:
            raise t.error("name", f"owner {name!r} is listed twice")
        keys.add(owner_key(name))
        hours = t.number("capacity_hours")
        if hours is not None and not 0 <= hours <= 168:
            raise t.error("capacity_hours", "must be from 0 to 168 hours a week")
        out.append((take_id(t), name, hours))
    return tuple(out)
