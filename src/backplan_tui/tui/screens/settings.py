"""The theme picker (with a live preview) and the settings form."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backplan_tui.core import paths
from backplan_tui.core.identity import clean_name, login
from backplan_tui.core.model import STEP_TITLES, STEPS
from backplan_tui.core.settings import AT_ONCE_RANGE, SHARE_RANGE, TEAM_SYNC
from backplan_tui.tui import themes
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.typed import BackplanModal
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.hanging import Hanging


class ThemePickerScreen(BackplanModal[None]):
    """Arrows preview a theme at once; Enter keeps it (and saves it), Esc goes back."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="themes.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="theme-dialog", classes="dialog"):
            yield Static(
                Content.from_markup("[b]Theme[/b] — ↑/↓ preview · Enter keep · Esc cancel"),
                classes="dialog-title",
            )
            yield OptionList(id="theme-list")

    def on_mount(self) -> None:
        app: Any = self.app
        self.original = app.theme
        infos, _ = themes.theme_infos(app.config_dir or paths.config_dir())
        listing = self.query_one(OptionList)
        for info in infos:
            mode = "dark" if info.dark else "light"
            head = Content.assemble(
                (f"{info.name:<26}", "bold" if info.name == self.original else ""),
                (f" {info.source:<8} {mode:<5} ", "dim"),
            )
            # A long description wraps under itself, not back at the row's edge.
            label = Hanging(head, Content(info.description or ""), indent=len(head))
            listing.add_option(Option(label, id=info.name))
        names = [info.name for info in infos]
        if self.original in names:
            listing.highlighted = names.index(self.original)
        listing.focus()

    @on(OptionList.OptionHighlighted, "#theme-list")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.backplan.preview_theme(event.option.id)

    @on(OptionList.OptionSelected, "#theme-list")
    def _keep(self, event: OptionList.OptionSelected) -> None:
        app: Any = self.app
        name = event.option.id or self.original
        app.preview_theme(name, previewing=False)
        app.keep_theme(name)  # the preview already showed it: no theme-change signal now
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.backplan.preview_theme(self.original, previewing=False)
        self.dismiss(None)


def settings_fields() -> list[Field]:
    fields = [
        Field("name", "Your name", placeholder=f"shown to the room; empty: {login()}"),
        Field("facilitator", "Facilitator", placeholder="your name, for new sessions"),
        Field("votes_per_person", "Votes per person", kind="int", minimum=1, maximum=12),
        Field(
            "autosave_delay",
            "Autosave after (s)",
            kind="float",
            minimum=0.2,
            maximum=10,
        ),
    ]
    fields.append(
        Field(
            "team_sync",
            "Team sync (git)",
            kind="choice",
            choices=[
                ("ask on open and quit", "ask"),
                ("always, without asking", "always"),
                ("never (backplan sync)", "never"),
            ],
            required=True,
        )
    )
    for step in STEPS:
        fields.append(
            Field(
                f"timebox_{step}", f"{STEP_TITLES[step]} (min)", kind="int", minimum=1, maximum=120
            )
        )
    low, high = AT_ONCE_RANGE
    fields.append(
        Field("owner_max_at_once", "Owner: max at once", kind="int", minimum=low, maximum=high)
    )
    low, high = SHARE_RANGE
    fields.append(
        Field("owner_max_share", "Owner: max % of week", kind="int", minimum=low, maximum=high)
    )
    return fields


def open_settings(app: App[Any]) -> None:
    """The settings form; Save writes settings.toml (even over a file that was damaged)."""
    backplan: Any = app
    settings = backplan.settings
    values: dict[str, Any] = {
        "name": settings.name,
        "facilitator": settings.facilitator,
        "votes_per_person": settings.votes_per_person,
        "autosave_delay": settings.autosave_delay,
        "team_sync": settings.team_sync,
        "owner_max_at_once": settings.owner_max_at_once,
        "owner_max_share": settings.owner_max_share,
    }
    for step in STEPS:
        values[f"timebox_{step}"] = settings.timebox_minutes.get(step)

    def done(result: dict[str, Any] | None) -> None:
        if result is None:
            return
        settings.name = clean_name(result["name"])
        settings.facilitator = result["facilitator"]
        if result["votes_per_person"] is not None:
            settings.votes_per_person = int(result["votes_per_person"])
        if result["autosave_delay"] is not None:
            settings.autosave_delay = float(result["autosave_delay"])
            backplan.autosave_delay = settings.autosave_delay
        if result["team_sync"] in TEAM_SYNC:
            settings.team_sync = result["team_sync"]
        for step in STEPS:
            minutes = result[f"timebox_{step}"]
            if minutes is not None:
                settings.timebox_minutes[step] = int(minutes)
        for key in ("owner_max_at_once", "owner_max_share"):
            if result[key] is not None:
                setattr(settings, key, int(result[key]))
        backplan.workspace.owner_settings = settings.owner_limit_values()
        settings.theme = app.theme
        backplan.save_settings()

    app.push_screen(
        FormScreen(
            "Settings",
            settings_fields(),
            values,
            hint=(
                "Defaults for new sessions; the theme is chosen with t on the home screen. "
                "Owners: the coach flags a listed owner over these (4 h a week per item)."
            ),
        ),
        done,
    )
