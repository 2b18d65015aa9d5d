"""Field values: the gateway's answers read leniently, the caller's input checked strictly."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .protocol import CENT


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal | float):
        return str(value)
    return ""


def decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return number if number.is_finite() else None


def risk_level(value: Any) -> int:
    """Parse risk_level; an unknown or garbled value counts as risky (1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 1


def money(name: str, amount: Decimal, *, low: Decimal | None, high: Decimal | None) -> str:
    """Check a money amount and format it with exactly two decimals."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount")
    if value != value.quantize(CENT):
        raise ValueError(f"{name} has more than two decimal places: {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} {value} is below the minimum {low}")
    if high is not None and value > high:
        raise ValueError(f"{name} {value} is above the maximum {high}")
    return f"{value.quantize(CENT):f}"


def required_text(name: str, value: Any, *, max_length: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is required")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value


def optional_text(name: str, value: Any, *, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value
