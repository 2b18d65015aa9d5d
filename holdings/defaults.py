"""Default holding-tax rules seeded for a fiscal year (officers edit them in the admin)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.fiscal import fiscal_year_start

# Percent of the annual valuation per revenue head, for every use. Vacant land's heads
# apply only where the schedule taxes it on a nominal valuation (vacant_land_basis).
DEFAULT_RATES = {"holding_tax": Decimal("7"), "conservancy": Decimal("7"), "lighting": Decimal("3")}
DEFAULT_REBATES = [(4, Decimal("10"))]  # the whole year by the first deadline: 10%
USES = ["residential", "commercial", "industrial", "mixed", "vacant_land"]


def ensure_schedule(fiscal_year: str, *, RateSchedule=None, RateHead=None, RebateGrade=None):
    """The year's schedule, created with the defaults when missing (model classes may be
    passed in by a migration)."""
    if RateSchedule is None:
        from .models import RateHead, RateSchedule, RebateGrade
    start = fiscal_year_start(fiscal_year)
    schedule, created = RateSchedule.objects.get_or_create(
        fiscal_year=fiscal_year,
        defaults={
            "q1_due": datetime.date(start, 9, 30),
            "q2_due": datetime.date(start, 12, 31),
            "q3_due": datetime.date(start + 1, 3, 31),
            "q4_due": datetime.date(start + 1, 6, 30),
        },
    )
    if created:
        RateHead.objects.bulk_create(
            [
                RateHead(schedule=schedule, head=head, use=use, percent=pct)
                for use in USES
                for head, pct in DEFAULT_RATES.items()
            ]
        )
        RebateGrade.objects.bulk_create(
            [RebateGrade(schedule=schedule, quarters=q, percent=p) for q, p in DEFAULT_REBATES]
        )
    return schedule
