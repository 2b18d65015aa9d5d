"""Holding-tax arithmetic (holdings/tax.py) with worked examples in the test names.

Every amount is compared exactly, as a Decimal with two places (its string form), never
as a float. The rounding rule is the one documented in holdings/tax.py: percentages and
valuation steps half-up to the paisa; instalments 1–3 a quarter rounded down, the 4th the
remainder. The database tests check that holdings.demands.generate_demands follows the
same rules across fiscal years (surcharge on arrears, a valuation that changes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from holdings import tax
from holdings.defaults import ensure_schedule
from holdings.demands import generate_demands
from holdings.models import Arrear, Demand, Instalment, RateHead, RebateGrade
from holdings.services import assessment_record, bill_lines_for, holding_create

DEFAULT = [("holding_tax", Decimal("7")), ("conservancy", Decimal("7")), ("lighting", Decimal("3"))]
COMMERCIAL_23 = [
    ("holding_tax", Decimal("12")),
    ("conservancy", Decimal("8")),
    ("lighting", Decimal("3")),
]
GRADED = [(1, Decimal("5")), (3, Decimal("7.5")), (4, Decimal("10"))]


def taka(value) -> str:
    """The exact Decimal as text: value and scale (two places) both checked."""
    assert isinstance(value, Decimal), f"{value!r} is not a Decimal"
    return str(value)


def takas(values) -> list[str]:
    return [taka(v) for v in values]


def heads(lines: list[tax.HeadAmount]) -> dict[str, str]:
    return {line.head: taka(line.amount) for line in lines}


# --- valuation --------------------------------------------------------------------------


def test_residential_rent_120000_let_out_values_at_100000_after_one_sixth_off():
    v = tax.annual_valuation(Decimal("120000"), owner_occupied=False)
    assert taka(v.after_maintenance) == "100000.00"
    assert taka(v.annual_valuation) == "100000.00"
    assert v.explanation == "yearly rent 120000.00 less one sixth for maintenance = 100000.00"


def test_residential_rent_120000_owner_occupied_values_at_60000():
    v = tax.annual_valuation(Decimal("120000"), owner_occupied=True)
    assert taka(v.after_maintenance) == "100000.00"
    assert taka(v.annual_valuation) == "60000.00"
    assert v.explanation == (
        "yearly rent 120000.00 less one sixth for maintenance = "
        "100000.00; owner-occupied, 40% less = 60000.00"
    )


def test_rent_100000_less_one_sixth_rounds_to_83333_33_then_owner_occupied_to_50000_00():
    # 100000 × 5/6 = 83333.333… → 83333.33; 83333.33 × 0.6 = 49999.998 → 50000.00.
    v = tax.annual_valuation(Decimal("100000"), owner_occupied=True)
    assert taka(v.after_maintenance) == "83333.33"
    assert taka(v.annual_valuation) == "50000.00"


def test_owner_occupied_concession_is_the_schedules_percent_50_gives_120000_to_50000():
    v = tax.annual_valuation(
        Decimal("120000"), owner_occupied=True, concession_percent=Decimal("50")
    )
    assert taka(v.annual_valuation) == "50000.00"


def test_rent_0_values_at_0_00():
    assert taka(tax.annual_valuation(Decimal("0"), owner_occupied=True).annual_valuation) == "0.00"


def test_negative_rent_minus_1_raises():
    with pytest.raises(ValueError, match="cannot be negative"):
        tax.annual_valuation(Decimal("-1"), owner_occupied=False)


def test_negative_rent_minus_0_01_raises_even_owner_occupied():
    with pytest.raises(ValueError, match="cannot be negative"):
        tax.annual_valuation(Decimal("-0.01"), owner_occupied=True)


# --- rate heads by use ------------------------------------------------------------------


def test_residential_valuation_100000_pays_holding_7000_conservancy_7000_lighting_3000():
    lines = tax.yearly_tax(Decimal("100000.00"), DEFAULT, fiscal_year="2025-26", use="residential")
    assert heads(lines) == {
        "holding_tax": "7000.00",
        "conservancy": "7000.00",
        "lighting": "3000.00",
    }
    assert [line.percent for line in lines] == [Decimal("7"), Decimal("7"), Decimal("3")]
    assert lines[0].rule == "FY 2025-26 schedule: holding_tax 7% of residential valuation 100000.00"
    assert taka(sum((line.amount for line in lines), tax.ZERO)) == "17000.00"


def test_commercial_at_12_8_3_percent_on_100000_pays_12000_8000_3000_total_23000():
    lines = tax.yearly_tax(
        Decimal("100000.00"), COMMERCIAL_23, fiscal_year="2025-26", use="commercial"
    )
    assert heads(lines) == {
        "holding_tax": "12000.00",
        "conservancy": "8000.00",
        "lighting": "3000.00",
    }
    assert taka(sum((line.amount for line in lines), tax.ZERO)) == "23000.00"
    assert "commercial" in lines[0].rule and "12%" in lines[0].rule


def test_valuation_83333_33_pays_5833_33_twice_and_lighting_2500_00_each_head_half_up():
    # 7% of 83333.33 = 5833.3331 → 5833.33; 3% = 2499.9999 → 2500.00.
    lines = tax.yearly_tax(Decimal("83333.33"), DEFAULT, fiscal_year="2025-26", use="residential")
    assert heads(lines) == {
        "holding_tax": "5833.33",
        "conservancy": "5833.33",
        "lighting": "2500.00",
    }


@pytest.mark.django_db
def test_schedule_rates_by_use_residential_17000_commercial_23000_on_the_same_100000():
    schedule = ensure_schedule("2025-26")
    for head, pct in COMMERCIAL_23:
        RateHead.objects.filter(schedule=schedule, use="commercial", head=head).update(percent=pct)
    home = holding_create(ward=1, number="11", use="residential")
    shop = holding_create(ward=1, number="12", use="commercial")
    for h in (home, shop):
        assessment_record(holding=h, effective_fy="2025-26", annual_rent="120000")
    generate_demands("2025-26")
    d_home = Demand.objects.get(holding=home, fiscal_year="2025-26")
    d_shop = Demand.objects.get(holding=shop, fiscal_year="2025-26")
    assert taka(d_home.annual_valuation) == taka(d_shop.annual_valuation) == "100000.00"
    assert {x.head: taka(x.amount) for x in d_home.lines.all()} == {
        "holding_tax": "7000.00",
        "conservancy": "7000.00",
        "lighting": "3000.00",
    }
    assert {x.head: taka(x.amount) for x in d_shop.lines.all()} == {
        "holding_tax": "12000.00",
        "conservancy": "8000.00",
        "lighting": "3000.00",
    }
    assert {x.head: taka(x.percent) for x in d_shop.lines.all()} == {
        "holding_tax": "12.00",
        "conservancy": "8.00",
        "lighting": "3.00",
    }
    assert (taka(d_home.total), taka(d_shop.total)) == ("17000.00", "23000.00")
    assert takas(d_shop.instalments.order_by("quarter").values_list("amount", flat=True)) == [
        "5750.00",
        "5750.00",
        "5750.00",
        "5750.00",
    ]


# --- rounding ---------------------------------------------------------------------------


def test_7_percent_of_1001_50_is_70_105_rounded_half_up_to_70_11_not_bankers_70_10():
    assert taka(tax.percent_of(Decimal("1001.50"), Decimal("7"))) == "70.11"


def test_10_percent_of_1234_25_is_123_425_rounded_half_up_to_123_43():
    assert taka(tax.percent_of(Decimal("1234.25"), Decimal("10"))) == "123.43"


def test_7_percent_of_12345_67_is_864_1969_rounded_to_864_20():
    assert taka(tax.percent_of(Decimal("12345.67"), Decimal("7"))) == "864.20"


def test_money_rounds_1000_005_half_up_to_1000_01_and_1000_004_down_to_1000_00():
    assert taka(tax.money("1000.005")) == "1000.01"
    assert taka(tax.money("1000.004")) == "1000.00"


def test_1000_01_splits_into_250_00_three_times_and_250_01_last():
    assert takas(tax.split_quarters(Decimal("1000.01"))) == ["250.00", "250.00", "250.00", "250.01"]


def test_1000_03_splits_into_250_00_three_times_and_250_03_last():
    assert takas(tax.split_quarters(Decimal("1000.03"))) == ["250.00", "250.00", "250.00", "250.03"]


def test_17000_splits_into_four_equal_4250_00():
    assert takas(tax.split_quarters(Decimal("17000.00"))) == ["4250.00"] * 4


def test_0_03_splits_into_0_00_three_times_and_0_03_last():
    assert takas(tax.split_quarters(Decimal("0.03"))) == ["0.00", "0.00", "0.00", "0.03"]


def test_instalments_of_5833_33_5833_33_2500_are_3541_66_three_times_and_3541_68():
    # Each head is split on its own (1458.33 ×3 + 1458.34; 625.00 ×4), then summed.
    lines = tax.yearly_tax(Decimal("83333.33"), DEFAULT, fiscal_year="2025-26", use="residential")
    parts = tax.instalments(lines)
    assert takas(parts) == ["3541.66", "3541.66", "3541.66", "3541.68"]
    assert taka(sum(parts, tax.ZERO)) == "14166.66"


# --- rebate grades ----------------------------------------------------------------------


def test_default_rebate_10_percent_for_4_quarters_is_1700_on_17000():
    percent = tax.rebate_percent(4, [(4, Decimal("10"))])
    assert percent == Decimal("10")
    assert taka(tax.percent_of(Decimal("17000.00"), percent)) == "1700.00"


def test_default_rebate_is_0_for_3_quarters_when_only_the_full_year_earns_it():
    assert tax.rebate_percent(3, [(4, Decimal("10"))]) == Decimal("0")


@pytest.mark.parametrize(
    ("quarters", "percent"),
    [
        (1, "5"),
        (2, "5"),
        (3, "7.5"),
        (4, "10"),
    ],
)
def test_graded_rebate_5_7_5_10_for_1_3_4_quarters_picks_the_best_that_applies(quarters, percent):
    assert tax.rebate_percent(quarters, GRADED) == Decimal(percent)
    assert tax.rebate_percent(quarters, list(reversed(GRADED))) == Decimal(percent)


def test_graded_rebate_is_0_below_the_smallest_grade_of_2_quarters():
    assert tax.rebate_percent(1, [(2, Decimal("5")), (4, Decimal("10"))]) == Decimal("0")
    assert tax.rebate_percent(0, GRADED) == Decimal("0")


def test_graded_rebate_7_5_percent_of_three_quarters_12750_is_956_25():
    assert taka(tax.percent_of(Decimal("12750.00"), tax.rebate_percent(3, GRADED))) == "956.25"


@pytest.mark.django_db
def test_graded_schedule_three_quarters_of_17000_paid_by_q2_deadline_earn_7_5_percent_956_25():
    schedule = ensure_schedule("2025-26")
    RebateGrade.objects.filter(schedule=schedule).delete()
    RebateGrade.objects.bulk_create(
        [RebateGrade(schedule=schedule, quarters=q, percent=p) for q, p in GRADED]
    )
    h = holding_create(ward=2, number="21", use="residential")
    assessment_record(holding=h, effective_fy="2025-26", annual_rent="120000")
    generate_demands("2025-26")
    demand = Demand.objects.get(holding=h, fiscal_year="2025-26")
    last_three = list(demand.instalments.filter(quarter__gte=2).order_by("quarter"))
    lines = bill_lines_for(instalments=last_three, arrears=[], today=date(2025, 12, 31))
    rebate = [line for line in lines if line.head == "rebate"]
    # 7.5% of 12,750.00 = 956.25, spread over the heads: 7.5% of 5,250.00 (holding tax),
    # of 5,250.00 (conservancy) and of 2,250.00 (lighting)
    assert [taka(line.amount) for line in rebate] == ["-393.75", "-393.75", "-168.75"]
    assert "7.5" in rebate[0].explanation
    late = bill_lines_for(instalments=last_three, arrears=[], today=date(2026, 1, 1))
    assert not [line for line in late if line.head == "rebate"]


# --- surcharge on arrears ---------------------------------------------------------------


def test_surcharge_15_percent_of_17000_is_2550():
    assert taka(tax.surcharge(Decimal("17000.00"), Decimal("15"))) == "2550.00"


def test_surcharge_15_percent_of_1234_50_is_185_175_rounded_half_up_to_185_18():
    assert taka(tax.surcharge(Decimal("1234.50"), Decimal("15"))) == "185.18"


@pytest.mark.django_db
def test_two_unpaid_years_surcharged_2550_and_1912_50_once_each_not_compounded_to_2932_50():
    """17000 a year from 2024-25. 2024-25 is left wholly unpaid: carried into 2025-26 with
    15% = 2550.00. 2025-26 has Q1 paid, so 12750.00 is left: carried into 2026-27 with
    1912.50. The 2024-25 arrear is not surcharged again (15% of 19550 would be 2932.50)."""
    h = holding_create(ward=3, number="31", use="residential")
    assessment_record(holding=h, effective_fy="2024-25", annual_rent="120000")
    generate_demands("2024-25")
    generate_demands("2025-26")
    first = Arrear.objects.get(holding=h)
    assert first.demand.fiscal_year == "2024-25" and first.carried_into_fy == "2025-26"
    assert (taka(first.principal), taka(first.surcharge_percent), taka(first.surcharge)) == (
        "17000.00",
        "15.00",
        "2550.00",
    )

    Instalment.objects.filter(demand__holding=h, demand__fiscal_year="2025-26", quarter=1).update(
        status=Instalment.Status.PAID
    )
    generate_demands("2026-27")
    arrears = {a.demand.fiscal_year: a for a in Arrear.objects.filter(holding=h)}
    assert sorted(arrears) == ["2024-25", "2025-26"]
    again = arrears["2024-25"]
    assert (again.pk, again.carried_into_fy, taka(again.principal), taka(again.surcharge)) == (
        first.pk,
        "2025-26",
        "17000.00",
        "2550.00",
    )
    second = arrears["2025-26"]
    assert second.carried_into_fy == "2026-27"
    assert (taka(second.principal), taka(second.surcharge)) == ("12750.00", "1912.50")
    total = sum((a.surcharge for a in arrears.values()), Decimal("0"))
    assert taka(total) == "4462.50"
    # Running 2026-27 again adds nothing and changes nothing.
    generate_demands("2026-27")
    assert Arrear.objects.filter(holding=h).count() == 2
    assert taka(Arrear.objects.get(pk=first.pk).surcharge) == "2550.00"


@pytest.mark.django_db
def test_arrear_of_2024_25_takes_that_years_20_percent_surcharge_3400_on_17000():
    from holdings.models import RateSchedule

    ensure_schedule("2024-25")
    RateSchedule.objects.filter(fiscal_year="2024-25").update(arrears_surcharge_percent=20)
    h = holding_create(ward=3, number="32", use="residential")
    assessment_record(holding=h, effective_fy="2024-25", annual_rent="120000")
    generate_demands("2024-25")
    generate_demands("2025-26")
    arrear = Arrear.objects.get(holding=h)
    assert (taka(arrear.surcharge_percent), taka(arrear.surcharge)) == ("20.00", "3400.00")


# --- a valuation that changes mid-period ------------------------------------------------


@pytest.mark.django_db
def test_valuation_100000_from_2024_25_then_150000_from_2025_26_gives_17000_then_25500():
    h = holding_create(ward=4, number="41", use="residential")
    old = assessment_record(holding=h, effective_fy="2024-25", annual_rent="120000")
    new = assessment_record(holding=h, effective_fy="2025-26", annual_rent="180000")
    assert (taka(old.annual_valuation), taka(new.annual_valuation)) == ("100000.00", "150000.00")
    # Generated after both assessments exist: each year still uses its own.
    for fy in ("2024-25", "2025-26", "2026-27"):
        generate_demands(fy)
    demands = {d.fiscal_year: d for d in Demand.objects.filter(holding=h)}
    assert {
        fy: (d.assessment_id, taka(d.annual_valuation), taka(d.total)) for fy, d in demands.items()
    } == {
        "2024-25": (old.pk, "100000.00", "17000.00"),
        "2025-26": (new.pk, "150000.00", "25500.00"),
        "2026-27": (new.pk, "150000.00", "25500.00"),
    }
    assert {x.head: taka(x.amount) for x in demands["2025-26"].lines.all()} == {
        "holding_tax": "10500.00",
        "conservancy": "10500.00",
        "lighting": "4500.00",
    }
    assert (
        takas(demands["2024-25"].instalments.order_by("quarter").values_list("amount", flat=True))
        == ["4250.00"] * 4
    )
    assert (
        takas(demands["2025-26"].instalments.order_by("quarter").values_list("amount", flat=True))
        == ["6375.00"] * 4
    )


# --- vacant land ------------------------------------------------------------------------


def test_vacant_land_pays_the_flat_500_as_holding_tax_in_four_125_00():
    lines = tax.yearly_tax(
        Decimal("0"),
        DEFAULT,
        fiscal_year="2025-26",
        use="vacant_land",
        vacant_land_flat_tax=Decimal("500"),
    )
    assert heads(lines) == {"holding_tax": "500.00"}
    assert lines[0].percent is None
    assert lines[0].rule == "FY 2025-26 schedule: vacant land flat tax"
    assert takas(tax.instalments(lines)) == ["125.00"] * 4


def test_vacant_land_flat_333_33_splits_into_83_33_three_times_and_83_34():
    lines = tax.yearly_tax(
        Decimal("0"),
        DEFAULT,
        fiscal_year="2025-26",
        use="vacant_land",
        vacant_land_flat_tax=Decimal("333.33"),
    )
    assert takas(tax.instalments(lines)) == ["83.33", "83.33", "83.33", "83.34"]


@pytest.mark.django_db
def test_vacant_land_without_assessment_pays_the_schedules_flat_750_in_four_187_50():
    from holdings.models import RateSchedule

    ensure_schedule("2025-26")
    RateSchedule.objects.filter(fiscal_year="2025-26").update(vacant_land_flat_tax=750)
    plot = holding_create(ward=5, number="51", use="vacant_land")
    generate_demands("2025-26")
    demand = Demand.objects.get(holding=plot, fiscal_year="2025-26")
    assert [(x.head, x.percent, taka(x.amount)) for x in demand.lines.all()] == [
        ("holding_tax", None, "750.00")
    ]
    assert taka(demand.total) == "750.00"
    assert (
        takas(demand.instalments.order_by("quarter").values_list("amount", flat=True))
        == ["187.50"] * 4
    )


# --- owner-occupied through the register ------------------------------------------------


@pytest.mark.django_db
def test_owner_occupied_rent_120000_is_assessed_at_60000_and_pays_10200():
    h = holding_create(ward=6, number="61", use="residential", owner_occupied=True)
    a = assessment_record(holding=h, effective_fy="2025-26", annual_rent="120000")
    assert a.owner_occupied is True
    assert taka(a.annual_valuation) == "60000.00"
    generate_demands("2025-26")
    demand = Demand.objects.get(holding=h, fiscal_year="2025-26")
    # 7% + 7% + 3% of 60000 = 4200 + 4200 + 1800.
    assert taka(demand.total) == "10200.00"
    assert (
        takas(demand.instalments.order_by("quarter").values_list("amount", flat=True))
        == ["2550.00"] * 4
    )
