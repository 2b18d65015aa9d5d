"""Test switches of the simulator: risk, no IPN, duplicate IPN, validation down, slow validation."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

DEFAULT_SLOW_SECONDS = 3
MAX_SLOW_SECONDS = 120

#: Boolean test switches (the checkout page's checkboxes and the control endpoint).
SWITCH_FLAGS: tuple[str, ...] = ("risk", "no_ipn", "duplicate_ipn", "validation_down")
SLOW_SWITCH = "slow_validation"


def parse_flag(value: Any) -> bool:
    """A form flag: "1", "true", "on", "yes" are true; anything else is false."""
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


def parse_slow_seconds(value: Any, *, default: float = DEFAULT_SLOW_SECONDS) -> float:
    """Seconds for the slow-validation switch ("2", "0.5"), clamped to 0..MAX_SLOW_SECONDS.

    An empty value means ``default``; a value that is not a number raises ValueError.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return float(default)
    try:
        seconds = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number of seconds: {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"not a number of seconds: {value!r}")
    return float(max(Decimal(0), min(seconds, Decimal(MAX_SLOW_SECONDS))))


def switches_from_checkout(form: Mapping[str, str]) -> dict[str, Any]:
    """The switches ticked on the checkout page (unticked checkboxes are not posted)."""
    switches: dict[str, Any] = {flag: parse_flag(form.get(flag)) for flag in SWITCH_FLAGS}
    if parse_flag(form.get(SLOW_SWITCH)):
        try:
            switches[SLOW_SWITCH] = parse_slow_seconds(form.get("slow_seconds"))
        except ValueError:
            switches[SLOW_SWITCH] = float(DEFAULT_SLOW_SECONDS)
    else:
        switches[SLOW_SWITCH] = 0.0
    return switches
