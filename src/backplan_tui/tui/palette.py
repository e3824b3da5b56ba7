"""The command palette's provider: every binding active on the current screen, as a command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


class BindingsProvider(Provider):
    """Every binding active on the current screen, as a palette command."""

    def _commands(self) -> list[tuple[str, str, Any, str]]:
        seen: set[str] = set()
        commands: list[tuple[str, str, Any, str]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.app.get_key_display(binding)
            commands.append((binding.description, binding.action, active.node, shown or key))
        return commands

    async def discover(self) -> Hits:
        for description, action, node, key in self._commands():
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
