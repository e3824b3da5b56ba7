"""The app-wide key bindings, in a module of their own: the app binds them and the help
screen lists them, and neither has to import the other for it."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    Binding("f1,question_mark", "help", "Help", key_display="F1", id="app.help"),
]
