"""The command palette's provider: every binding active on the current screen, as a command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


def from_textual(node: Any, binding: Binding) -> bool:
    """Whether ``binding`` is one of a Textual widget's own hidden keys (a TextArea's or a
    DataTable's "Cursor up" ...): declared by a class of Textual itself and not shown."""
    if binding.show:
        return False
    for cls in type(node).__mro__:
        declared = [
            b if isinstance(b, Binding) else Binding(*b) for b in cls.__dict__.get("BINDINGS", ())
        ]
        if any(  # "home,ctrl+a" is declared once and active as two bindings
            isinstance(b, Binding)
            and (b.action, b.description) == (binding.action, binding.description)
            for b in declared
        ):
            return cls.__module__.startswith("textual.")
    return False


class BindingsProvider(Provider):
    """Every binding active on the current screen, as a palette command.

    The list shown before anything is typed leaves out the hidden keys Textual's widgets
    bring (a dozen "Cursor ..." entries); typing still finds them."""

    def _commands(self, everything: bool = True) -> list[tuple[str, str, Any, str]]:
        seen: set[str] = set()
        commands: list[tuple[str, str, Any, str]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if not everything and from_textual(active.node, binding):
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.app.get_key_display(binding)
            commands.append((binding.description, binding.action, active.node, shown or key))
        return commands

    async def discover(self) -> Hits:
        for description, action, node, key in self._commands(everything=False):
            yield DiscoveryHit(
                Content(description),
                self._runner(action, node),
                text=description,
                help=f"Key: {key}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, node, key in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    self._runner(action, node),
                    text=description,
                    help=f"Key: {key}",
                )

    def _runner(self, action: str, node: Any) -> Callable[[], Any]:
        async def run() -> None:
            await self.app.run_action(action, node)

        return run
