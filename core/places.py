"""Where things are in the city: wards by number, holding numbers as offices write them.
Every service reads them the same way (Bengali digits accepted)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .digits import localize_digits, to_ascii_digits
from .models import Ward


def _no_ward(value: object) -> ValidationError:
    return ValidationError(
        _("There is no ward %(ward)s in this city.") % {"ward": localize_digits(str(value))},
        code="unknown_ward",
    )


def ward_number(value: object) -> int:
    """A ward number as typed (Bengali digits accepted), not yet looked up: "unknown_ward"
    when it is no number at all."""
    try:
        return int(to_ascii_digits(str(value)).strip())
    except ValueError:
        raise _no_ward(value) from None


def ward_by_number(value: object) -> Ward:
    """The city's ward with this number (ValidationError "unknown_ward" otherwise)."""
    try:
        return Ward.objects.get(number=ward_number(value))
    except Ward.DoesNotExist:
        raise _no_ward(value) from None


def normalize_holding_number(value: str) -> str:
    """ASCII digits, upper case, single spaces; Bengali digits accepted."""
    number = re.sub(r"\s+", " ", to_ascii_digits(str(value or "")).strip().upper())
    if not number or not re.fullmatch(r"[0-9A-Z][0-9A-Z /\-]{0,19}", number):
        raise ValidationError(
            _("Enter a holding number such as 123, 12/A or ১২৩."), code="invalid_holding_number"
        )
    return number
