"""Default e-bike fees, caps, deadlines and numbers, seeded for a fiscal year when it has no
schedule yet (officers edit the schedule in the admin, every edit audited).

Sources (../shared/DOMAIN.md, "E-bikes"): KCC's application fee Tk 500 and licence fee
Tk 10,000 (2019), yearly renewal Tk 2,000 (FY 2024-25); 7,792 applications were licensed in
2020. Every other figure below is a plausible *sample* default with no public source — the
card replacement fee, the late fee, the renewal deadline and the city's fleet cap — to be
set by the city's own order.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.fiscal import fiscal_year_start

DEFAULT_FEES: dict[str, Decimal] = {
    "application_fee": Decimal("500.00"),  # KCC 2019
    "licence_fee": Decimal("10000.00"),  # KCC 2019: the first year's licence
    "renewal_fee": Decimal("2000.00"),  # KCC FY 2024-25: each later year
    "card_replacement_fee": Decimal("500.00"),  # sample: a lost or damaged RFID card
    "late_fee_per_month": Decimal("200.00"),  # sample: per month or part after the deadline
    "late_fee_cap": Decimal("2000.00"),  # sample: never more than one renewal fee
    "seizure_fine": Decimal("1000.00"),  # sample: to release a seized e-bike
}

#: The city's fleet cap (sample: about the 7,792 licensed in 2020, with some room).
DEFAULT_CITY_CAP = 8000

#: Renewals for a fiscal year are due by this day and month of its first calendar year
#: (sample: 30 September, as trade licences); a licence of the year before stays valid
#: until then and is expired after it unless renewed.
DEFAULT_RENEWAL_DEADLINE = (9, 30)

#: Licence ("blue book") and digital plate numbers when the city's file in core/cities
#: says nothing ("ezbike_numbers"). The plate has a Latin and a Bengali form: the same
#: format filled with each language's parts and digits; the Latin form is the one stored.
DEFAULT_NUMBERS: dict[str, object] = {
    "licence": {"format": "EB-{serial:05d}", "example": "EB-00123"},
    "plate": {
        "format": "{city}-{type}-{ward:02d}-{serial:04d}",
        "city": {"en": "KCC", "bn": "খুসিক"},
        "type": {
            "passenger": {"en": "P", "bn": "যা"},
            "goods": {"en": "G", "bn": "মা"},
        },
        "pattern": r"^KCC-[PG]-\d{2}-\d{4}$",
        "example": "KCC-P-07-0123",
    },
}


def default_renewal_deadline(fiscal_year: str) -> datetime.date:
    month, day = DEFAULT_RENEWAL_DEADLINE
    return datetime.date(fiscal_year_start(fiscal_year), month, day)


def ensure_schedule(fiscal_year: str, *, FeeSchedule=None, WardCap=None):
    """The year's schedule. A year without one gets a copy of the latest earlier year's
    (fees, caps and ward caps: a schedule stays in effect until a later year's replaces
    it), or the defaults when there is none; its renewal deadline is the default day of
    its own year (model classes may be passed in by a migration)."""
    if FeeSchedule is None:
        from .models import FeeSchedule, WardCap
    existing = FeeSchedule.objects.filter(fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing
    start = fiscal_year_start(fiscal_year)
    earlier = (
        FeeSchedule.objects.filter(fiscal_year__lt=f"{start:04d}").order_by("-fiscal_year").first()
    )
    values: dict[str, object] = dict(DEFAULT_FEES)
    values["city_cap"] = DEFAULT_CITY_CAP
    if earlier is not None:
        values = {name: getattr(earlier, name) for name in [*DEFAULT_FEES, "city_cap"]}
    schedule, created = FeeSchedule.objects.get_or_create(
        fiscal_year=fiscal_year,
        defaults={**values, "renewal_deadline": default_renewal_deadline(fiscal_year)},
    )
    if created and earlier is not None:
        WardCap.objects.bulk_create(
            [
                WardCap(schedule=schedule, ward_id=c.ward_id, cap=c.cap)
                for c in WardCap.objects.filter(schedule=earlier)
            ]
        )
    return schedule
