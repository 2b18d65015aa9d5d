"""The citizen dashboard is assembled from panels that apps register (core imports none of
them): payments adds "what I owe" and "my payments"; each service adds its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    template: str
    context: Callable[[object], dict]  # user -> template context
    order: int = 100
    wide: bool = False


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))
