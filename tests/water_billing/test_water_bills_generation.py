"""The month's bills made set-based (water_billing.billing.generate_water_bills) are the
pure arithmetic's (water_billing.tariff.water_charges) to the paisa and to the word: every
line's kind, head, amount, explanation data and days, over a varied set of connections —
metered and flat, every category, sewerage, the minimum charge, an estimated month, a held
reading, exempt — with a tariff change inside the month (15/15 days, 5/25 days of a 30-day
month with a half-paisa line, 15/16 days of a 31-day month)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from water_billing import selectors
from water_billing import tariff as arithmetic
from water_billing.billing import BillingError, generate_water_bills
from water_billing.models import Reading, WaterBill, WaterBillLine

from .conftest import add_tariff, read

pytestmark = pytest.mark.django_db

#: (category, pipe, metered, sewerage, units this month)
CASES = [
    ("residential", 12, True, False, 18),
    ("residential", 12, True, True, 18),
    ("residential", 20, True, False, 0),  # minimum charge, all of it
    ("residential", 12, True, True, 3),  # minimum top-up, sewerage on the topped-up charge
    ("commercial", 25, True, False, 3),  # 3 × 46.25 × 25/30 = 115.625 → 115.63
    ("commercial", 40, True, True, 25),
    ("industrial", 50, True, True, 7),
    ("institutional", 12, True, False, 1),
    ("commercial", 12, True, False, 98765),
    ("residential", 12, False, False, None),  # flat, by pipe
    ("commercial", 20, False, True, None),
    ("institutional", 100, False, False, None),
    ("industrial", 80, False, True, None),
]


def expected_lines(bill: WaterBill) -> list[dict]:
    lines = arithmetic.water_charges(
        month=bill.period,
        tariffs=selectors.tariffs_for_month(bill.period),
        category=bill.category,
        metered=bill.metered,
        consumption=bill.units,
        pipe_diameter_mm=bill.pipe_diameter_mm,
        sewerage=bill.sewerage,
    )
    return [
        {
            "kind": line.kind,
            "head": line.head,
            "amount": line.amount,
            "explanation": [line.explanation],
            "tariff_from": line.tariff_from,
            "first_day": line.first_day,
            "last_day": line.last_day,
        }
        for line in lines
    ]


def made_lines(bill: WaterBill) -> list[dict]:
    return [
        {
            "kind": line.kind,
            "head": line.head,
            "amount": line.amount,
            "explanation": line.explanation_data,
            "tariff_from": line.tariff_from,
            "first_day": line.first_day,
            "last_day": line.last_day,
        }
        for line in bill.lines.exclude(kind="late_fee").order_by("position", "pk")
    ]


def build(make_connection, period: str):
    """One connection per case, read for `period`; plus exempt, held and estimated ones."""
    made = []
    for category, pipe, metered, sewerage, units in CASES:
        c = make_connection(category=category, pipe=pipe, metered=metered, sewerage=sewerage)
        if metered:
            read(c, period, 1000 + units)
        made.append(c)
    exempt = make_connection(category="exempt")
    read(exempt, period, 1010)
    year, month = (int(x) for x in period.split("-"))
    before = f"{year}-{month - 1:02d}"
    held = make_connection()
    read(held, before, 5000)
    read(held, period, 4000)  # below, no rollover: held
    estimated = make_connection(sewerage=True)
    read(estimated, f"{year}-{month - 2:02d}", 1012)
    read(estimated, before, 1025)  # no reading for the month: estimated 13 (12.5 → 13)
    return made, exempt, held, estimated


@pytest.mark.parametrize(
    ("period", "change"),
    [
        ("2026-11", date(2026, 11, 16)),  # 15 + 15 of 30 days
        ("2026-09", date(2026, 9, 6)),  # 5 + 25 of 30 days: the half-paisa line
        ("2026-10", date(2026, 10, 16)),  # 15 + 16 of 31 days
        ("2026-10", None),  # one tariff all month
    ],
)
def test_set_based_bills_are_the_pure_arithmetic_line_for_line(make_connection, period, change):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    if change:
        add_tariff(change)
    made, exempt, held, estimated = build(make_connection, period)
    result = generate_water_bills(period, bill_date=date(2026, 12, 10))
    bills = {b.connection_id: b for b in WaterBill.objects.filter(period=f"{period}-01")}
    assert result.bills == len(bills) == len(made) + 1  # + the estimated one
    assert exempt.pk not in bills and held.pk not in bills
    assert result.held == [held.consumer_no] and result.exempt == 1
    assert result.estimated == 1 and bills[estimated.pk].estimated
    assert bills[estimated.pk].units == 13
    assert Reading.objects.get(connection=estimated, period=f"{period}-01").status == "estimated"
    for c in [*made, estimated]:
        bill = bills[c.pk]
        assert made_lines(bill) == expected_lines(bill), (c.category, c.metered, bill.units)
        total = arithmetic.total(
            arithmetic.water_charges(
                month=bill.period,
                tariffs=selectors.tariffs_for_month(bill.period),
                category=bill.category,
                metered=bill.metered,
                consumption=bill.units,
                pipe_diameter_mm=bill.pipe_diameter_mm,
                sewerage=bill.sewerage,
            )
        )
        assert bill.charges == bill.total == total and bill.late_fee == 0
        assert bill.due_date == date(2026, 12, 10 + (20 if change else 15))
    assert result.lines == WaterBillLine.objects.count()


def test_the_half_paisa_line_rounds_up(make_connection):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    add_tariff(date(2026, 9, 6))
    c = make_connection(category="commercial", pipe=25)
    read(c, "2026-09", 1003)
    generate_water_bills("2026-09", bill_date=date(2026, 12, 10))
    water = WaterBill.objects.get(connection=c).lines.filter(kind="water").order_by("position")
    # 3 × 46.20 × 5/30 = 23.10; 3 × 46.25 × 25/30 = 115.625 → 115.63
    assert [line.amount for line in water] == [Decimal("23.10"), Decimal("115.63")]


def test_a_second_run_changes_nothing_and_a_connection_read_later_gets_its_bill(
    make_connection,
):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    first = make_connection()
    read(first, "2026-11", 1018)
    make_connection()  # no reading: estimated
    generate_water_bills("2026-11", bill_date=date(2026, 12, 10))
    # `late` had no reading: estimated (0 with no history) and billed the minimum.
    assert WaterBill.objects.filter(period="2026-11-01").count() == 2
    lines = WaterBillLine.objects.count()
    again = generate_water_bills("2026-11", bill_date=date(2026, 12, 10))
    assert (again.bills, again.lines, again.estimates_made) == (0, 0, 0)
    assert WaterBillLine.objects.count() == lines
    assert WaterBill.objects.get(connection=first).total == Decimal("300.60")


def test_a_month_not_over_is_refused(make_connection):
    with pytest.raises(BillingError):
        generate_water_bills("2026-12", bill_date=date(2026, 12, 10))
