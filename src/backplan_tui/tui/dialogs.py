"""The modal dialogs: a form of fields (:class:`FormScreen`), a yes/no question
(:class:`ConfirmScreen`) and a filterable many-of picker (:class:`PickManyScreen`).

Every item editor (outcome, question, map node, pilot) and the new-session dialog is a
:class:`FormScreen` built from a list of field specs (``widgets/form.py``): Tab moves between
fields, Enter in a one-line field or Ctrl+S saves, Escape cancels.  The result comes back
through ``dismiss``: a dict of typed values, or ``None`` on cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.events import Click, Key
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from backplan_tui.core.basics import MAX_TEXT_CHARS
from backplan_tui.core.textclean import clean_line, clean_text
from backplan_tui.tui.contracts import HoldsDraft
from backplan_tui.tui.text import plain, safe
from backplan_tui.tui.widgets.form import Field, FieldError, FormInput, parse_value


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class ChoicesField(Widget, can_focus=True):
    """A many-of field on one line: what is ticked and how many; Enter opens the picker."""

    BINDINGS = [Binding("enter,space", "pick", "Choose", show=False, id="form.pick")]

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        value: Sequence[str] = (),
        *,
        title: Content | str = "",
        noun: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.choices = list(choices)
        self.pick_title = title
        self.noun = noun
        self.value = self._ordered(value)

    def _ordered(self, values: Sequence[str]) -> list[str]:
        """``values`` that are choices, in the order of the choices (others are dropped)."""
        wanted = set(values)
        return [value for _, value in self.choices if value in wanted]

    def render(self) -> Content:
        labels = {value: label for label, value in self.choices}
        count = len(self.value)
        if not count:
            return Content.styled("none — Enter to choose", "dim")
        suffix = f" ({_plural(count, self.noun)})" if self.noun else f" ({count} chosen)"
        names = safe(", ".join(labels[v] for v in self.value))
        room = max(self.content_size.width - len(suffix), 1)
        return names.truncate(room, ellipsis=True) + suffix

    def action_pick(self) -> None:
        def picked(values: list[str] | None) -> None:
            if values is not None:
                self.value = self._ordered(values)
                self.refresh()

        self.app.push_screen(
            PickManyScreen(self.pick_title, self.choices, self.value, noun=self.noun), picked
        )

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_pick()


class PickList(SelectionList[str]):
    """The list of a :class:`PickManyScreen`: space ticks, Enter is "done" (not a tick)."""

    BINDINGS = [Binding("enter", "screen.confirm", "Done", show=False, id="pick.done")]

    def render_line(self, y: int) -> Strip:
        """An empty box for a choice not ticked: SelectionList draws ``▐X▌`` for every
        choice, ticked or not, and only its colour told them apart."""
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if (
            selection.value not in self.selected
            and len(segments) > 1
            and segments[1].text == Checkbox.BUTTON_INNER  # ToggleButton's, public here
        ):
            segments[1] = Segment(" " * len(segments[1].text), segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip


def _ticked_prompt(label: str, ticked: bool) -> Content:
    """A choice's line: "✓ " before a ticked one (literal user text)."""
    return Content.assemble(("✓ " if ticked else "  ", "bold"), safe(label))


class PickManyScreen(ModalScreen[list[str] | None]):
    """Tick any of many choices: type to filter, space ticks, Enter confirms, Esc cancels.

    The result is the ticked values in the order of ``choices`` (ticks hidden by the filter
    count too), or ``None`` on cancel.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("slash", "filter", "Filter", show=False, id="pick.filter"),
    ]

    def __init__(
        self,
        title: Content | str,
        choices: Sequence[tuple[str, str]],
        chosen: Sequence[str] = (),
        *,
        noun: str = "",
    ) -> None:
        super().__init__()
        self.pick_title = title if isinstance(title, Content) else Content(title)
        self.choices = list(choices)
        self.noun = noun
        self.chosen = set(chosen)
        self._shown: list[str] = []  # the values in the list now (the filter's matches)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="dialog"):
            yield Static(self.pick_title, id="pick-title", classes="dialog-title")
            yield Static(
                Content("Type to filter · space ticks · Enter done · Esc cancels"),
                classes="hint",
            )
            yield Input(
                placeholder="/ filter",
                id="pick-filter",
                compact=True,
                select_on_focus=False,  # typing on the list moves here with its first key
            )
            yield PickList(id="pick-list")
            yield Static(id="pick-count", classes="hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Done ⏎"), id="pick-done", variant="primary", compact=True)
                yield Button(Content("Cancel esc"), id="pick-cancel", compact=True)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(PickList).focus()

    def _sync(self) -> None:
        """Take the ticks of the shown options into ``chosen`` (hidden ones are kept)."""
        picks = self.query_one(PickList)
        self.chosen = (self.chosen - set(self._shown)) | set(picks.selected)

    def _fill(self, needle: str) -> None:
        picks = self.query_one(PickList)
        needle = needle.strip().lower()
        shown = [(label, value) for label, value in self.choices if needle in label.lower()]
        self._shown = [value for _, value in shown]
        with picks.prevent(SelectionList.SelectedChanged):
            picks.clear_options()
            picks.add_options(
                [
                    Selection(
                        _ticked_prompt(label, value in self.chosen), value, value in self.chosen
                    )
                    for label, value in shown
                ]
            )
        picks.highlighted = 0 if shown else None
        self._show_count()

    def _show_count(self) -> None:
        noun = self.noun or "choice"
        hidden = len(self.choices) - len(self._shown)
        filtered = f" · {hidden} hidden by the filter" if hidden else ""
        self.query_one("#pick-count", Static).update(
            Content(f"{len(self.chosen)} of {_plural(len(self.choices), noun)} ticked{filtered}")
        )

    @on(Input.Changed, "#pick-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._sync()
        self._fill(event.value)

    @on(SelectionList.SelectedChanged, "#pick-list")
    def _ticked(self) -> None:
        self._sync()
        self._show_count()

    @on(SelectionList.SelectionToggled, "#pick-list")
    def _mark(self, event: SelectionList.SelectionToggled[str]) -> None:
        """The tick in words too: the checkbox alone differs by colour only."""
        value = event.selection.value
        label = next(label for label, v in self.choices if v == value)
        event.selection_list.replace_option_prompt_at_index(
            event.selection_index, _ticked_prompt(label, value in event.selection_list.selected)
        )

    def on_key(self, event: Key) -> None:
        """Typing on the list goes on in the filter; Down in the filter goes to the list.

        Keys reach this handler before the bindings do: space (tick) is left alone.
        """
        picks = self.query_one(PickList)
        search = self.query_one("#pick-filter", Input)
        if picks.has_focus and event.is_printable and event.character not in (None, " "):
            search.focus()
            if event.character != "/":  # "/" only moves to the filter
                search.insert_text_at_cursor(event.character)
            event.stop()
        elif search.has_focus and event.key == "down":
            picks.focus()
            event.stop()

    def action_filter(self) -> None:
        self.query_one("#pick-filter", Input).focus()

    def action_confirm(self) -> None:
        self._sync()
        self.dismiss([value for _, value in self.choices if value in self.chosen])

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#pick-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#pick-done")
    def _done_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#pick-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FormScreen(HoldsDraft, ModalScreen[dict[str, Any] | None]):
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
        cancel_label: str = "Cancel",
        on_choice: Callable[[FormScreen, str, Any], None] | None = None,
    ) -> None:
        super().__init__()
        self.cancel_label = cancel_label  # what Esc does, when it is more than a cancel
        self.on_choice = on_choice  # (form, field name, value) when a choice changes
        self.form_title = title if isinstance(title, Content) else Content(title)
        self.fields = list(fields)
        self.values = dict(values or {})
        self.submit_label = submit_label
        self.focus_field = focus
        self.hint = hint if isinstance(hint, Content) else Content(hint)
        self._initial: dict[str, Any] = {}  # each field's raw value as the form opened

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
                yield Button(Content(f"{self.cancel_label} esc"), id="form-cancel", compact=True)

    def on_mount(self) -> None:
        """Focus ``focus`` (the field the user came to fill), else the first field."""
        self._initial = self._raw_values()
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
            return ChoicesField(
                spec.choices,
                list(value or []),
                title=spec.extra.get("title", spec.label),
                noun=spec.extra.get("noun", ""),
                id=wid,
                classes="form-multi",
            )
        # No ``restrict`` on number fields: it dropped the keys it refused in silence, so
        # "2026-12-01" in a number field became 20261201 and was saved; parse_value says why.
        placeholder = spec.placeholder or ("YYYY-MM-DD" if spec.kind == "date" else "")
        return FormInput(
            plain(_display(value)),
            id=wid,
            placeholder=placeholder,
            max_length=MAX_TEXT_CHARS,
            compact=True,
        )

    def _raw(self, spec: Field) -> Any:
        widget = self.query_one(f"#field-{spec.name}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, ChoicesField):
            return list(widget.value)
        if isinstance(widget, Select):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def _raw_values(self) -> dict[str, Any]:
        return {spec.name: self._raw(spec) for spec in self.fields}

    def changed_fields(self) -> list[Field]:
        """The fields whose value differs from the one the form opened with."""
        if not self.is_mounted:
            return []
        try:
            raw = self._raw_values()
        except NoMatches:  # closing: its fields are already gone
            return []
        return [spec for spec in self.fields if raw[spec.name] != self._initial.get(spec.name)]

    def draft_text(self) -> str:
        """What was typed into the form and not saved, as one line for the parking lot
        ("" when nothing changed): the dialog's title, then each changed field's label and
        value.  Called when the app quits (or is ended) with the form open: the text is
        kept in the session instead of being thrown away.  Taking the draft marks the
        form unchanged, so a second quit does not keep it twice."""
        changed = self.changed_fields()
        if not changed:
            return ""
        raw = self._raw_values()
        parts = [f"{spec.label}: {self._shown(spec, raw[spec.name])}" for spec in changed]
        self._initial = raw
        title = clean_line(self.form_title.plain)
        return f'Draft from the "{title}" dialog, open at quit — ' + "; ".join(parts)

    @staticmethod
    def _shown(spec: Field, raw: Any) -> str:
        """A field's raw value as text: the labels of choices, the lines of a long text."""
        labels = {value: label for label, value in spec.choices}
        if spec.kind == "multi":
            return ", ".join(labels.get(v, v) for v in raw or []) or "none"
        if spec.kind == "choice":
            return "" if raw is Select.NULL or raw is None else labels.get(raw, str(raw))
        text = clean_text(str(raw or "")).strip()
        return " / ".join(line for line in text.splitlines() if line.strip())

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
        """Ctrl+S (or the Save button).  Ctrl+S is a priority key: the app handles it before
        the keys still queued for the focused field (typed fast, or on a busy host such as
        ``backplan serve`` with a room of participants), so the form is saved from the
        field's own queue, after every key sent to it before Ctrl+S."""
        field = self.focused
        if isinstance(field, (Input, TextArea)):
            field.call_later(self._submit_now)
        else:
            self._submit_now()

    def _submit_now(self) -> None:
        if not self.is_attached or self.app.screen is not self:
            return  # already closed (a second Ctrl+S, Esc)
        try:
            values = self.collect()
        except FieldError as error:
            self.query_one("#form-error", Static).update(Content(str(error)))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Esc: close; when something was typed, ask first (No, the default, keeps it)."""
        if not self.changed_fields():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your changes?", yes="Discard", no="Keep editing"), answered
        )

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        """A choice changed: tell ``on_choice`` (the export's file name follows the format)."""
        name = (event.select.id or "").removeprefix("field-")
        if self.on_choice is not None and name:
            self.on_choice(self, name, event.value)

    @on(Input.Submitted)
    def _enter_submits(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_now()  # from the field itself: every key before Enter is in

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
