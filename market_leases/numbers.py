"""Shop numbers as people write them, made one canonical form so a market cannot hold the
same shop twice: "a 12", "A12", "a/12" and "এ-১২"-style Bengali digits all name one shop.

The canonical form: ASCII digits; Latin letters in capitals; groups of letters and of digits
joined by a single "-" (a space, slash, dot, underscore or dash between them, or none, all
become "-"); leading zeros of a group of digits dropped ("G-05" → "G-5", "007" → "7").
Letters may be Latin or Bengali ("ক-১২" → "ক-12"); nothing else is allowed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.digits import to_ascii_digits

MAX_LENGTH = 20
_SEPARATORS = re.compile(r"[\s/\\._\-‐‑–—,]+")
_GROUPS = re.compile(r"[0-9]+|[^0-9-]+")
_LETTERS = re.compile(r"[A-Z\u0980-\u09FF]+")

MESSAGE = _("Enter a shop number such as 12, A-12 or 3/B (letters and digits).")


def normalize_shop_number(value: object) -> str:
    """The canonical shop number, or a ValidationError ("invalid_shop_number")."""
    text = _SEPARATORS.sub("-", to_ascii_digits(str(value or "")).strip().upper()).strip("-")
    groups = []
    for part in text.split("-"):
        for group in _GROUPS.findall(part):
            if group.isdigit():
                groups.append(str(int(group)))
            elif _LETTERS.fullmatch(group):
                groups.append(group)
            else:
                raise ValidationError(MESSAGE, code="invalid_shop_number")
    number = "-".join(groups)
    if not number or len(number) > MAX_LENGTH:
        raise ValidationError(MESSAGE, code="invalid_shop_number")
    return number
