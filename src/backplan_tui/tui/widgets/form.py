"""A keyboard-first modal form built from a list of field specs.

Every item editor (outcome, question, map node, pilot) and the new-session dialog is one of
these: Tab moves between fields, Enter in a one-line field or Ctrl+S saves, Escape cancels.
The result comes back through ``dismiss``: a dict of typed values, or ``None`` on cancel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from backplan_tui.core.textclean import clean_line, clean_text
from backplan_tui.tui.text import plain, safe

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
    if not text:
        if spec.required:
            raise FieldError(f"{spec.label} is required")
        return "" if spec.kind in ("text", "long") else None
    if spec.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"{spec.label}: use a date like 2027-12-31") from None
    if spec.kind in ("int", "float"):
        try:
            number: float = int(text) if spec.kind == "int" else float(text)
        except ValueError:
            kind = "a whole number" if spec.kind == "int" else "a number"
            raise FieldError(f"{spec.label}: enter {kind}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError(f"{spec.label}: enter a finite number")
        if spec.minimum is not None and number < spec.minimum:
            raise FieldError(f"{spec.label}: at least {spec.minimum:g}")
        if spec.maximum is not None and number > spec.maximum:
            raise FieldError(f"{spec.label}: at most {spec.maximum:g}")
        return number
    return text


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FormScreen(ModalScreen[dict[str, Any] | None]):
    """A modal dialog of labelled fields."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save", priority=True),
    ]

    def __init__(
        self,
        title: Content | str,
        fields: Sequence[Field],
        values: dict[str, Any] | None = None,
        *,
        submit_label: str = "Save",
        hint: Content | str = "",
        focus: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title if isinstance(title, Content) else Content(title)
        self.fields = list(fields)
        self.values = dict(values or {})
        self.submit_label = submit_label
        self.focus_field = focus
        self.hint = hint if isinstance(hint, Content) else Content(hint)

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog", classes="dialog"):
            yield Static(self.form_title, id="form-title", classes="dialog-title")
            if self.hint:
                yield Static(self.hint, id="form-hint", classes="hint")
            with VerticalScroll(id="form-fields", can_focus=False):
                with Grid(id="form-grid"):
                    for spec in self.fields:
                        label = spec.label + (" *" if spec.required else "")
                        yield Label(Content(label), classes="form-label")
                        yield self._make_widget(spec)
            yield Static("", id="form-error", classes="error-line")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    Content(f"{self.submit_label} ^s"),
                    id="form-submit",
                    variant="primary",
                    compact=True,
                )
                yield Button(Content("Cancel esc"), id="form-cancel", compact=True)

    def on_mount(self) -> None:
        """Focus ``focus`` (the field the user came to fill), else the first field."""
        if self.fields:
            name = self.focus_field or self.fields[0].name
            widget = self.query_one(f"#field-{name}")
            if isinstance(widget, TextArea):  # continue an answer, do not type before it
                widget.move_cursor(widget.document.end)
            widget.focus()

    def _make_widget(self, spec: Field) -> Widget:
        value = self.values.get(spec.name)
        wid = f"field-{spec.name}"
        if spec.kind == "long":
            area = TextArea(
                clean_text(_display(value)),
                id=wid,
                classes="form-long",
                soft_wrap=True,
                compact=True,
                placeholder=spec.placeholder,
            )
            area.show_line_numbers = False
            return area
        if spec.kind == "choice":
            options = [(safe(label), val) for label, val in spec.choices]
            known = {val for _, val in spec.choices}
            return Select(
                options,
                id=wid,
                value=value if value in known else Select.NULL,
                allow_blank=not spec.required,
                compact=True,
                prompt=spec.placeholder or "Choose",
            )
        if spec.kind == "multi":
            chosen = set(value or [])
            return SelectionList[str](
                *[Selection(safe(label), val, val in chosen) for label, val in spec.choices],
                id=wid,
                classes="form-multi",
            )
        restrict = {"int": r"-?[0-9]*", "float": r"-?[0-9]*\.?[0-9]*"}.get(spec.kind)
        placeholder = spec.placeholder or ("YYYY-MM-DD" if spec.kind == "date" else "")
        return Input(
            plain(_display(value)),
            id=wid,
            placeholder=placeholder,
            restrict=restrict,
            compact=True,
        )

    def _raw(self, spec: Field) -> Any:
        widget = self.query_one(f"#field-{spec.name}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, SelectionList):
            return list(widget.selected)
        if isinstance(widget, Select):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def collect(self) -> dict[str, Any]:
        """The typed values, or FieldError naming the first bad field (focused for the user)."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            try:
                out[spec.name] = parse_value(spec, self._raw(spec))
            except FieldError:
                self.query_one(f"#field-{spec.name}").focus()
                raise
        return out

    def action_submit(self) -> None:
        try:
            values = self.collect()
        except FieldError as error:
            self.query_one("#form-error", Static).update(Content(str(error)))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_submits(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class ConfirmScreen(ModalScreen[bool]):
    """Yes / no.  ``y`` or Enter confirms, ``n`` or Escape cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Content | str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question if isinstance(question, Content) else Content(question)
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    Content(f"{self.yes} y"), id="confirm-yes", variant="error", compact=True
                )
                yield Button(Content(f"{self.no} n"), id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
