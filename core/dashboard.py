"""A panel of the citizen dashboard. Apps declare theirs in their portal.py (core.portal),
core imports none of them: payments gives "what I owe" and "my payments"; each service
its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    template: str
    context: Callable[[object], dict[str, Any]]  # user -> template context
    order: int = 100
    wide: bool = False
