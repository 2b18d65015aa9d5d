"""The one module other services read trade licences through (never its models or
services): is this a current licence, valid on a day, and whose is it? Checked by
import-linter."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from core.digits import to_ascii_digits


@dataclass(frozen=True)
class LicenceSummary:
    """A trade licence as another service checks and records it."""

    number: str  # as issued: "KCC/TL/2025-26/000123"
    fiscal_year: str
    valid_until: datetime.date
    valid: bool  # current (not replaced by a transfer nor withdrawn) and valid on the day asked
    holder_nid: str  # the trader's NID as given with the licence's application ("" if none)
    business_name_bn: str
    business_name_en: str
    ward: int  # the business's ward's number


def licence_summary(*, number: str, on: datetime.date | None = None) -> LicenceSummary | None:
    """The licence numbered `number` (as people type it: spaces dropped, Bengali digits and
    small letters accepted), with whether it is valid on `on` (default today). None when no
    licence has that number."""
    from .models import Licence
    from .selectors import is_valid

    typed = re.sub(r"\s+", "", to_ascii_digits(number or "")).upper()
    if not typed:
        return None
    licence = (
        Licence.objects.select_related("business__ward", "application")
        .filter(number=typed)
        .order_by("-is_current", "-pk")
        .first()
    )
    if licence is None:
        return None
    business = licence.business
    return LicenceSummary(
        number=licence.number,
        fiscal_year=licence.fiscal_year,
        valid_until=licence.valid_until,
        valid=is_valid(licence, on),
        holder_nid=licence.application.trader_nid,
        business_name_bn=business.name_bn,
        business_name_en=business.name_en,
        ward=business.ward.number,
    )
