"""The reference app of bench_serve: a bare Textual app showing one Label, as textual-serve
runs it (one process per browser; the web driver comes from TEXTUAL_DRIVER)."""

from textual.app import App, ComposeResult
from textual.widgets import Label


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("bare Textual app")


if __name__ == "__main__":
    Bare().run()
