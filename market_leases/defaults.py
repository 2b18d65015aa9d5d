"""Default lease rules, seeded once by migration (officers edit them in the admin and add a
new row, with its own effective date, whenever the city's order changes them).

Sources (../shared/DOMAIN.md, "Market shops and leases"): rent is due in the first week of
the month (the 7th); a name change (transfer) costs 14 months' rent; haats, bazars and ghats
are leased for a Bengali year at a reserve price of the average of the last three years'
lease amounts, with a bid security of 25% of the bid, and 15% VAT and 5% income tax added to
the lease amount. The late surcharge (5% of the overdue month's rent per month or part of a
month, no fixed amount) and the cancellation after 3 months' arrears are *sample* figures
with no public source, to be set by the city's order.

Rent schedules (rates per square foot, per market and floor) have no default: each market's
schedule is set by the city's order for that market, revised every five years.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

#: The first lease rules seeded: in effect from the start of FY 2024-25.
DEFAULT_EFFECTIVE_FROM = datetime.date(2024, 7, 1)

DEFAULT_RULES: dict[str, object] = {
    "due_day": 7,  # rent for a month is due on its 7th
    "surcharge_percent": Decimal("5"),  # of the overdue month's rent, per month or part (sample)
    "surcharge_fixed": Decimal("0.00"),  # plus a fixed amount, once per overdue month (sample)
    "transfer_fee_months": 14,  # a name change costs 14 months' rent
    "cancellation_arrears_months": 3,  # 3 months unpaid make an allotment cancellable (sample)
    "vat_percent": Decimal("15"),  # on an ijara lease amount
    "income_tax_percent": Decimal("5"),  # on an ijara lease amount
    "bid_security_percent": Decimal("25"),  # of the bid, deposited with it
    "reserve_years": 3,  # reserve price = the average of the last three years' lease amounts
}

#: A new allotment's agreement runs this many years unless the decision says otherwise.
DEFAULT_AGREEMENT_YEARS = 5

#: Days the lessee has to pay the salami and the deposit after the allotment.
PREMIUM_DUE_DAYS = 30

#: Security deposit, in months of rent, offered for a new rent schedule (sample).
DEFAULT_DEPOSIT_MONTHS = 6


def ensure_default_rules(*, LeaseRules=None):
    """The default lease rules (DEFAULT_EFFECTIVE_FROM), created when no rules exist at all
    (the model class may be passed in by a migration). Returns them, or None when the city
    already has rules of its own."""
    if LeaseRules is None:
        from .models import LeaseRules
    if LeaseRules.objects.exists():
        return None
    return LeaseRules.objects.create(
        effective_from=DEFAULT_EFFECTIVE_FROM,
        note=(
            "Default: rent due on the 7th, transfer 14 months' rent, ijara VAT 15% and "
            "income tax 5%, bid security 25% (DOMAIN.md); the surcharge (5% a month) and "
            "cancellation after 3 months' arrears are sample figures to be set by the "
            "city's order."
        ),
        **DEFAULT_RULES,
    )
