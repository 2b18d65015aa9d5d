"""Yearly demand generation: set-based, idempotent, the same numbers as holdings/tax.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from holdings import tax
from holdings.demands import generate_demands
from holdings.models import Arrear, Demand, DemandLine, Instalment
from holdings.services import assessment_record, holding_bill, holding_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings():
    made = []
    for i, (use, rent, occupied) in enumerate(
        [
            ("residential", "120000", True),
            ("commercial", "600000", False),
            ("mixed", "90001", False),
            ("vacant_land", None, False),
        ]
    ):
        h = holding_create(ward=(i % 3) + 1, number=str(100 + i), use=use, owner_occupied=occupied)
        if rent:
            assessment_record(holding=h, effective_fy="2024-25", annual_rent=rent)
        made.append(h)
    return made


def test_generation_matches_the_python_arithmetic(holdings):
    result = generate_demands("2025-26")
    assert result.demands == 4 and result.instalments == 16
    for h in holdings:
        demand = Demand.objects.get(holding=h, fiscal_year="2025-26")
        if h.use == "vacant_land":
            expected = [tax.HeadAmount("holding_tax", None, Decimal("500.00"), "")]
        else:
            valuation = h.assessments.get().annual_valuation
            expected = tax.yearly_tax(
                valuation,
                [
                    ("conservancy", Decimal(7)),
                    ("holding_tax", Decimal(7)),
                    ("lighting", Decimal(3)),
                ],
                fiscal_year="2025-26",
                use=h.use,
            )
        lines = {line.head: line.amount for line in demand.lines.all()}
        assert lines == {e.head: e.amount for e in expected}
        assert demand.total == sum(lines.values())
        amounts = [i.amount for i in demand.instalments.order_by("quarter")]
        assert amounts == tax.instalments(expected)
        assert sum(amounts) == demand.total


def test_second_run_changes_nothing_and_new_holdings_get_theirs(holdings):
    generate_demands("2025-26")
    counts = (Demand.objects.count(), DemandLine.objects.count(), Instalment.objects.count())
    again = generate_demands("2025-26")
    assert (again.demands, again.lines, again.instalments) == (0, 0, 0)
    assert counts == (
        Demand.objects.count(),
        DemandLine.objects.count(),
        Instalment.objects.count(),
    )
    late = holding_create(ward=9, number="৯৯")  # Bengali digits accepted
    assert late.number == "99"
    assessment_record(holding=late, effective_fy="2025-26", annual_rent="60000")
    assert generate_demands("2025-26").demands == 1


def test_unpaid_years_are_carried_with_surcharge_once(holdings):
    generate_demands("2024-25")
    generate_demands("2025-26")
    arrears = Arrear.objects.filter(carried_into_fy="2025-26")
    assert arrears.count() == 4
    for arrear in arrears:
        assert arrear.principal == arrear.demand.total
        assert arrear.surcharge == tax.surcharge(arrear.principal, Decimal("15"))
    generate_demands("2026-27")
    # 2024-25 is not surcharged again; 2025-26 now is.
    assert Arrear.objects.filter(demand__fiscal_year="2024-25").count() == 4
    assert Arrear.objects.filter(carried_into_fy="2026-27").count() == 4


def test_command_prints_ward_summary(holdings, capsys):
    call_command("generate_holding_demands", "২০২৫-২৬")
    out = capsys.readouterr().out
    assert "FY 2025-26: 4 new demands" in out
    assert "Ward" in out


def test_whole_year_by_first_deadline_earns_the_rebate(holdings):
    generate_demands("2025-26")
    h = holdings[0]
    demand = Demand.objects.get(holding=h, fiscal_year="2025-26")
    quarters = list(demand.instalments.all())
    bill = holding_bill(holding=h, instalments=quarters, today=date(2025, 9, 1))
    rebate = sum(line.amount for line in bill.lines.filter(head="rebate"))
    assert rebate == -tax.percent_of(demand.total, Decimal("10"))
    assert bill.total == demand.total + rebate
    late = holding_bill(holding=h, instalments=quarters, today=date(2025, 10, 15))
    assert not late.lines.filter(head="rebate").exists()
    assert late.total == demand.total
    bill.refresh_from_db()
    assert bill.status == "cancelled"  # replaced: never billed twice
