"""What people type for water: consumer numbers (their format is the city profile's) and
meter readings. Bengali digits are accepted everywhere; a mistake is a ValidationError with a
message in the reader's language."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.cities import HERE as CITIES_DIR
from core.digits import localize_digits, to_ascii_digits

from .defaults import DEFAULT_CONSUMER_NO


@lru_cache(maxsize=8)
def _format_of_city(code: str) -> dict[str, str]:
    for path in sorted(CITIES_DIR.glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if str(data.get("code", "")).upper() == code.upper() and data.get("water_consumer_no"):
            return {**DEFAULT_CONSUMER_NO, **data["water_consumer_no"]}
    return dict(DEFAULT_CONSUMER_NO)


def consumer_no_format() -> dict[str, str]:
    """The city's consumer number: "format" (str.format with `ward` and `serial`),
    "pattern" (a regular expression a number must match) and "example" — from the city's
    file in core/cities (its "water_consumer_no"), found by the profile's code, else the
    default (water_billing.defaults.DEFAULT_CONSUMER_NO)."""
    from core.models import CityProfile

    return _format_of_city(CityProfile.current().code or "")


def normalize_consumer_no(value: object) -> str:
    """A consumer number as the register writes it: ASCII digits, upper case, a dash between
    the parts ("০৭ ০০১২৩" or "07/00123" → "07-00123"). ValidationError
    "invalid_consumer_no" when it does not have the city's format."""
    fmt = consumer_no_format()
    text = to_ascii_digits(str(value or "")).strip().upper()
    text = re.sub(r"\s*[\s/_.–—-]\s*", "-", text)
    if not text or not re.fullmatch(fmt["pattern"], text):
        raise ValidationError(
            _("Enter a consumer number such as %(example)s.")
            % {"example": localize_digits(fmt["example"])},
            code="invalid_consumer_no",
        )
    return text


def consumer_no(*, ward: int, serial: int) -> str:
    """The consumer number of the ward's `serial`th connection in the city's format."""
    return consumer_no_format()["format"].format(ward=int(ward), serial=int(serial))


def parse_reading(value: object, *, dial_digits: int | None = None) -> int:
    """A meter reading in whole cubic metres from what was typed: ASCII or Bengali digits,
    thousands separators and spaces allowed ("১২,৩৪৫" → 12345). Refused with a message:
    nothing, anything not a number, a negative number, a fraction, and more digits than
    the meter's dials have."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        text = str(value)
    else:
        text = to_ascii_digits(str(value if value is not None else "")).strip()
        text = re.sub(r"[\s,]", "", text)
    if not text:
        raise ValidationError(_("Enter the meter reading."), code="reading_required")
    if re.fullmatch(r"[-−]\d+(\.\d*)?", text):
        raise ValidationError(
            _("A meter reading cannot be negative: enter the number the meter shows."),
            code="reading_negative",
        )
    if re.fullmatch(r"\d+\.\d*", text):
        if re.fullmatch(r"\d+\.0*", text):
            text = text.split(".")[0]
        else:
            raise ValidationError(
                _("Enter the reading in whole cubic metres, the black digits of the meter."),
                code="reading_fraction",
            )
    if not re.fullmatch(r"\d+", text):
        raise ValidationError(
            _("“%(value)s” is not a meter reading: enter digits only, such as %(example)s.")
            % {"value": str(value)[:20], "example": localize_digits("12345")},
            code="reading_not_a_number",
        )
    reading = int(text)
    if dial_digits is not None and reading >= 10**dial_digits:
        raise ValidationError(
            _("The meter has %(digits)s dials: a reading has at most %(digits)s digits.")
            % {"digits": localize_digits(dial_digits)},
            code="reading_too_long",
        )
    return reading
