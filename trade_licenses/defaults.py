"""Default trade-licence schedule seeded for a fiscal year (officers edit it in the admin).

Figures from DOMAIN.md ("Trade licence"): fees proposed around 2015 for bank, insurance
or lending branch, money changer, private university, restaurants and five-star hotel;
VAT 15%; income tax at source Tk 2,000 on renewal (city corporations other than Dhaka and
Chattogram); renewal deadline 30 September; late surcharge 10% of the fee per month or
part; transfer 10% of the fee. Small-trader categories, capital bands and the signboard
rate are plausible sample figures (`is_sample`), not from an official source.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.fiscal import fiscal_year_start

SIGNBOARD_NOTE = (
    "Sources disagree on the signboard tax; Tk 100 per sq ft is a sample "
    "figure. Fees of the sample categories are plausible, not official."
)

# code, name_bn, name_en, yearly fee, is_sample, documents required, extra flags
DEFAULT_CATEGORIES: list[tuple[str, str, str, str, bool, list[str], dict]] = [
    ("bank", "ব্যাংক (শাখা)", "Bank (branch)", "15500", False, [], {}),
    (
        "insurance_lending",
        "বীমা বা ঋণদানকারী প্রতিষ্ঠানের শাখা",
        "Insurance or lending institution branch",
        "5000",
        False,
        [],
        {},
    ),
    ("money_changer", "মানি চেঞ্জার", "Money changer", "5000", False, [], {}),
    ("private_university", "বেসরকারি বিশ্ববিদ্যালয়", "Private university", "10000", False, [], {}),
    (
        "restaurant_ac",
        "শীতাতপ নিয়ন্ত্রিত রেস্তোরাঁ",
        "Restaurant (air-conditioned)",
        "3000",
        False,
        ["health_approval"],
        {},
    ),
    (
        "restaurant_non_ac",
        "রেস্তোরাঁ (শীতাতপ নিয়ন্ত্রণহীন)",
        "Restaurant (not air-conditioned)",
        "1000",
        False,
        ["health_approval"],
        {},
    ),
    (
        "hotel_five_star",
        "পাঁচ তারকা হোটেল",
        "Five-star hotel",
        "25000",
        False,
        ["fire_clearance", "health_approval"],
        {},
    ),
    # Sample small-trader categories.
    ("grocery", "মুদি দোকান", "Grocery shop", "500", True, [], {}),
    ("pharmacy", "ঔষধের দোকান (ফার্মেসি)", "Pharmacy", "1000", True, [], {}),
    ("tailor", "দর্জি দোকান", "Tailor", "400", True, [], {}),
    ("mobile_shop", "মোবাইল ফোনের দোকান", "Mobile phone shop", "800", True, [], {}),
    ("salon", "সেলুন", "Salon", "600", True, [], {}),
    ("hardware", "হার্ডওয়্যারের দোকান", "Hardware shop", "1200", True, [], {}),
    (
        "clinic",
        "ক্লিনিক ও ডায়াগনস্টিক সেন্টার",
        "Clinic or diagnostic centre",
        "5000",
        True,
        ["health_approval"],
        {"needs_health_inspection": True},
    ),
    ("factory", "কারখানা", "Factory", "3000", True, ["environment_clearance", "fire_clearance"], {}),
    (
        "limited_company",
        "লিমিটেড কোম্পানি (পরিশোধিত মূলধন অনুযায়ী)",
        "Limited company (by paid-up capital)",
        "0",
        True,
        ["incorporation"],
        {"by_capital": True},
    ),
]

LAKH = Decimal("100000")
CRORE = Decimal("10000000")
# Sample bands for limited companies: (from, up to or None, fee).
DEFAULT_CAPITAL_BANDS: list[tuple[Decimal, Decimal | None, Decimal]] = [
    (Decimal("0"), 10 * LAKH, Decimal("3000")),
    (10 * LAKH + Decimal("0.01"), 50 * LAKH, Decimal("5000")),
    (50 * LAKH + Decimal("0.01"), CRORE, Decimal("10000")),
    (CRORE + Decimal("0.01"), 5 * CRORE, Decimal("15000")),
    (5 * CRORE + Decimal("0.01"), 10 * CRORE, Decimal("20000")),
    (10 * CRORE + Decimal("0.01"), None, Decimal("30000")),
]


def ensure_schedule(fiscal_year: str, *, FeeSchedule=None, BusinessCategory=None, CapitalBand=None):
    """The year's schedule, created with the defaults when missing (model classes may be
    passed in by a migration). An existing schedule is returned untouched."""
    if FeeSchedule is None:
        from .models import BusinessCategory, CapitalBand, FeeSchedule
    start = fiscal_year_start(fiscal_year)
    schedule, created = FeeSchedule.objects.get_or_create(
        fiscal_year=fiscal_year,
        defaults={
            "renewal_deadline": datetime.date(start, 9, 30),
            "vat_percent": Decimal("15"),
            "income_tax_at_source": Decimal("2000"),
            "late_surcharge_percent_per_month": Decimal("10"),
            "transfer_percent": Decimal("10"),
            "signboard_mode": "per_sqft",
            "signboard_amount": Decimal("100"),
            "application_fee": Decimal("0"),
            "note": SIGNBOARD_NOTE,
        },
    )
    if created:
        BusinessCategory.objects.bulk_create(
            [
                BusinessCategory(
                    schedule=schedule,
                    code=code,
                    name_bn=bn,
                    name_en=en,
                    yearly_fee=Decimal(fee),
                    is_sample=sample,
                    requires_documents=list(docs),
                    **flags,
                )
                for code, bn, en, fee, sample, docs, flags in DEFAULT_CATEGORIES
            ]
        )
        company = BusinessCategory.objects.get(schedule=schedule, code="limited_company")
        CapitalBand.objects.bulk_create(
            [
                CapitalBand(
                    schedule=schedule,
                    category=company,
                    min_capital=low,
                    max_capital=high,
                    fee=fee,
                    is_sample=True,
                )
                for low, high, fee in DEFAULT_CAPITAL_BANDS
            ]
        )
    return schedule
