"""The pieces of a keyboard-first form: field specs (:class:`Field`), their parsing
(:func:`parse_value`, :class:`FieldError`) and the form's own widgets.

The dialog that shows a form, :class:`~backplan_tui.tui.dialogs.FormScreen`, and the other
modal dialogs live in ``tui/dialogs.py``.

A many-of field (``kind="multi"``, e.g. the map conditions a pilot tests) is one line in the
form (:class:`~backplan_tui.tui.dialogs.ChoicesField`, beside the picker it opens),
naming what is ticked; Enter on it opens :class:`~backplan_tui.tui.dialogs.PickManyScreen`,
a filterable list.  The form itself stays
small: every key typed into a field lays out and paints the form, so a list of 500 conditions
inside it would be measured and painted on every key.

One-line fields are :class:`FormInput`: typing into one repaints it without laying out the
whole form (see there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input, Select

from backplan_tui.core.basics import MAX_TEXT_CHARS
from backplan_tui.core.dates import RANGE_TEXT, out_of_range
from backplan_tui.core.textclean import clean_line, clean_text

KINDS = ("text", "long", "date", "int", "float", "choice", "multi")


@dataclass
class Field:
    """One field of a form.  ``choices`` are (label, value) pairs for choice/multi."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()
    placeholder: str = ""
    minimum: float | None = None
    maximum: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class FieldError(ValueError):
    pass


class FormInput(Input):
    """A one-line field whose typing repaints the field, not the layout of the whole form.

    Input sets its virtual width to the text's width on every key, and ``virtual_size`` is
    a layout reactive on Widget, so each key re-flowed the screen: every row of the form
    measured and repainted (several ms on a 12-field form).  A layout would only update the
    field's scrollbars, and an Input has none (``scrollbar-size-horizontal: 0``); its own
    scrolling reads ``virtual_size`` directly, so a repaint is enough.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)


def parse_value(spec: Field, raw: Any) -> Any:
    """Turn a widget's raw value into the field's typed value, or raise FieldError."""
    if spec.kind == "multi":
        return list(raw or [])
    if spec.kind == "choice":
        value = "" if raw is Select.NULL or raw is None else str(raw)
        if spec.required and not value:
            raise FieldError(f"{spec.label}: choose one")
        return value
    text = clean_text(str(raw or "")) if spec.kind == "long" else clean_line(str(raw or ""))
    text = text.strip() if spec.kind != "long" else text.rstrip()
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError(
            f"{spec.label}: at most {MAX_TEXT_CHARS:,} characters (this has {len(text):,})"
        )
    if not text:
        if spec.required:
            raise FieldError(f"{spec.label} is required")
        return "" if spec.kind in ("text", "long") else None
    if spec.kind == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"{spec.label}: use a date like 2027-12-31") from None
        if out_of_range(day) is not None:
            raise FieldError(f"{spec.label}: a date must be {RANGE_TEXT}")
        return day
    if spec.kind in ("int", "float"):
        try:
            number: float = int(text) if spec.kind == "int" else float(text)
        except ValueError:
            kind = "a whole number" if spec.kind == "int" else "a number"
            shown = text if len(text) <= 20 else text[:19] + "…"
            raise FieldError(f'{spec.label}: enter {kind}, not "{shown}"') from None
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError(f"{spec.label}: enter a finite number")
        if spec.minimum is not None and number < spec.minimum:
            raise FieldError(f"{spec.label}: at least {spec.minimum:g}")
        if spec.maximum is not None and number > spec.maximum:
            raise FieldError(f"{spec.label}: at most {spec.maximum:g}")
        return number
    return text
