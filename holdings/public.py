"""The one module other services read holdings through (never its models or services):
is a holding registered, and does it owe holding tax? Checked by import-linter."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class HoldingCheck:
    found: bool
    has_dues: bool | None  # None when the holding is not registered
    label: str


def holding_check(*, ward, number) -> HoldingCheck:
    """Is holding `number` of ward `ward` registered, and does it owe holding tax now?"""
    from .selectors import find_holding, has_dues

    try:
        holding = find_holding(ward, number)
    except ValidationError:
        return HoldingCheck(False, None, f"{ward}/{number}")
    return HoldingCheck(True, has_dues(holding.pk), str(holding))
