"""Links that apps above activity add to an instruction's page, so activity never imports them
(the arrow still points down): an outreach campaign an instruction points to, say. An app
registers a provider when Django starts (`voice.outreach.apps`); a provider returns only links
whose target opens for the scope."""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> None:
    """`provider(scope, instruction) -> [(url, label), ...]`."""
    if provider not in _providers:
        _providers.append(provider)


def for_instruction(scope, instruction) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for provider in _providers:
        links.extend(provider(scope, instruction))
    return links
