"""The modal dialogs live in ``tui/dialogs.py``; ``widgets/form.py`` keeps the form widgets."""

from __future__ import annotations

import inspect

from textual.screen import ModalScreen

from backplan_tui.tui import dialogs
from backplan_tui.tui.widgets import form


def test_the_dialogs_are_in_their_own_module_and_form_keeps_the_widgets() -> None:
    def modals(module: object) -> set[str]:
        return {
            name
            for name, value in vars(module).items()
            if inspect.isclass(value)
            and issubclass(value, ModalScreen)
            and value.__module__ == module.__name__  # type: ignore[attr-defined]
        }

    assert modals(dialogs) == {"ConfirmScreen", "FormScreen", "PickManyScreen"}
    assert modals(form) == set()
    for widget in ("Field", "FieldError", "FormInput", "parse_value"):
        assert getattr(form, widget).__module__ == form.__name__
    assert not hasattr(form, "FormScreen")  # no second way in: one home for each class
