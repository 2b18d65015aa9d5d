"""Market arithmetic (market_leases/rent.py), no database: worked examples in the names,
expected amounts computed by hand and compared exactly (Decimal strings).

The figures: a ground-floor schedule from 1 July 2024 (rent Tk 35.00 a sq ft a month, salami
Tk 1,500 a sq ft, 6 months' deposit) revised from 15 March 2027 (Tk 42.50); the default lease
rules (rent due on the 7th, surcharge 5% of the month's rent per month or part overdue,
transfer 14 months' rent, cancellation after 3 months, ijara VAT 15% and income tax 5%, bid
security 25%). Shop A-12: 120.50 sq ft.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from market_leases import rent as r
from market_leases.defaults import DEFAULT_EFFECTIVE_FROM, DEFAULT_RULES

OLD = r.Schedule(
    effective_from=date(2024, 7, 1),
    rent_per_sqft=Decimal("35.00"),
    salami_per_sqft=Decimal("1500.00"),
    deposit_months=6,
)
REVISED = r.Schedule(
    effective_from=date(2027, 3, 15),
    rent_per_sqft=Decimal("42.50"),
    salami_per_sqft=Decimal("1800.00"),
    deposit_months=6,
)
RULES = r.Rules(effective_from=DEFAULT_EFFECTIVE_FROM, **DEFAULT_RULES)  # type: ignore[arg-type]
AREA = Decimal("120.50")
NOV_DUE = date(2026, 11, 7)


# --- rent by area and schedule ----------------------------------------------------------------


def test_rent_120_50_sqft_at_35_00_a_sqft_is_4217_50_a_month():
    line = r.monthly_rent(AREA, OLD)
    assert (line.kind, line.head, line.amount) == ("rent", "rent", Decimal("4217.50"))
    assert line.rule == "Schedule from 2024-07-01: 120.50 sq ft × 35.00 per sq ft a month"


def test_rent_100_25_sqft_at_35_50_is_3558_875_rounded_half_up_to_3558_88():
    schedule = r.Schedule(effective_from=date(2024, 7, 1), rent_per_sqft=Decimal("35.50"))
    assert r.monthly_rent(Decimal("100.25"), schedule).amount == Decimal("3558.88")


def test_rent_of_a_first_floor_shop_80_sqft_at_25_00_is_2000_00():
    schedule = r.Schedule(effective_from=date(2024, 7, 1), rent_per_sqft=Decimal("25.00"))
    assert r.monthly_rent(80, schedule).amount == Decimal("2000.00")


def test_a_shop_without_area_is_refused():
    with pytest.raises(ValueError, match="positive number of square feet"):
        r.monthly_rent(0, OLD)


# --- a schedule revision inside a year ---------------------------------------------------------


def test_revision_from_15_march_2027_february_and_march_at_4217_50_april_at_5121_25():
    schedules = [REVISED, OLD]
    assert r.rent_for_month(AREA, schedules, date(2027, 2, 1)).amount == Decimal("4217.50")
    # March began under the old schedule: the whole month is charged at it, never pro rata.
    march = r.rent_for_month(AREA, schedules, date(2027, 3, 20))
    assert march.amount == Decimal("4217.50")
    assert march.rule.startswith("Schedule from 2024-07-01:")
    april = r.rent_for_month(AREA, schedules, date(2027, 4, 1))
    assert april.amount == Decimal("5121.25")  # 120.50 × 42.50
    assert april.rule.startswith("Schedule from 2027-03-15:")


def test_revision_from_1_april_applies_to_april_itself():
    from_april = r.Schedule(effective_from=date(2027, 4, 1), rent_per_sqft=Decimal("42.50"))
    assert r.rent_for_month(AREA, [OLD, from_april], date(2027, 4, 1)).amount == Decimal("5121.25")


def test_no_schedule_before_the_first_one_and_two_on_one_day_are_errors():
    with pytest.raises(r.ScheduleError):
        r.rent_for_month(AREA, [OLD], date(2024, 6, 1))
    twin = r.Schedule(effective_from=OLD.effective_from, rent_per_sqft=Decimal("1"))
    with pytest.raises(r.ScheduleError):
        r.rent_for_month(AREA, [OLD, twin], date(2026, 1, 1))


# --- salami, deposit, transfer fee -------------------------------------------------------------


def test_salami_120_50_sqft_at_1500_is_180750_00():
    assert r.salami(AREA, OLD).amount == Decimal("180750.00")


def test_deposit_6_months_of_4217_50_is_25305_00():
    line = r.security_deposit(AREA, OLD)
    assert (line.kind, line.amount) == ("security_deposit", Decimal("25305.00"))
    assert line.rule.startswith("Security deposit: 6 months' rent of 4217.50 (Schedule from")


def test_transfer_fee_14_months_of_4217_50_is_59045_00():
    line = r.transfer_fee(AREA, OLD, RULES)
    assert (line.kind, line.amount) == ("transfer_fee", Decimal("59045.00"))


def test_transfer_fee_after_the_revision_14_months_of_5121_25_is_71697_50():
    schedule = r.schedule_for_month([OLD, REVISED], date(2027, 4, 10))
    assert r.transfer_fee(AREA, schedule, RULES).amount == Decimal("71697.50")


def test_transfer_fee_of_3558_88_a_month_is_14_times_the_rounded_rent_49824_32():
    schedule = r.Schedule(effective_from=date(2024, 7, 1), rent_per_sqft=Decimal("35.50"))
    # 14 × 3,558.88 (the rent the lessee is billed), not 14 × 3,558.875 = 49,824.25.
    assert r.transfer_fee(Decimal("100.25"), schedule, RULES).amount == Decimal("49824.32")


# --- due date and surcharge --------------------------------------------------------------------


def test_november_rent_is_due_on_7_november():
    assert r.due_date(date(2026, 11, 1), RULES) == NOV_DUE


def test_months_overdue_due_7_nov_one_from_8_nov_to_7_dec_two_from_8_dec():
    assert r.months_overdue(NOV_DUE, date(2026, 11, 7)) == 0
    assert r.months_overdue(NOV_DUE, date(2026, 11, 8)) == 1
    assert r.months_overdue(NOV_DUE, date(2026, 12, 7)) == 1
    assert r.months_overdue(NOV_DUE, date(2026, 12, 8)) == 2
    assert r.months_overdue(NOV_DUE, date(2027, 2, 20)) == 4


def test_months_overdue_due_28_january_one_on_28_february_two_on_1_march():
    due = date(2027, 1, 28)
    assert r.months_overdue(due, date(2027, 2, 28)) == 1
    assert r.months_overdue(due, date(2027, 3, 1)) == 2


def test_surcharge_none_on_the_due_date():
    assert r.surcharge("4217.50", due=NOV_DUE, on=NOV_DUE, rules=RULES) is None


def test_surcharge_5_percent_of_4217_50_one_month_is_210_875_rounded_to_210_88():
    line = r.surcharge("4217.50", due=NOV_DUE, on=date(2026, 11, 8), rules=RULES)
    assert line is not None
    assert (line.kind, line.amount) == ("surcharge", Decimal("210.88"))
    assert line.rule == (
        "Rules from 2024-07-01: surcharge 5% of the rent 4217.50 for each of 1 month(s) "
        "overdue since 2026-11-07, plus 0.00"
    )


def test_surcharge_two_months_is_421_75_not_twice_210_88():
    line = r.surcharge("4217.50", due=NOV_DUE, on=date(2026, 12, 8), rules=RULES)
    assert line is not None and line.amount == Decimal("421.75")


def test_surcharge_four_months_on_20_february_is_843_50_never_compounded():
    line = r.surcharge("4217.50", due=NOV_DUE, on=date(2027, 2, 20), rules=RULES)
    assert line is not None and line.amount == Decimal("843.50")


def test_surcharge_with_a_fixed_50_00_is_210_88_plus_50_00_once():
    rules = r.Rules(
        effective_from=date(2024, 7, 1),
        surcharge_percent=Decimal("5"),
        surcharge_fixed=Decimal("50"),
    )
    one = r.surcharge("4217.50", due=NOV_DUE, on=date(2026, 11, 8), rules=rules)
    two = r.surcharge("4217.50", due=NOV_DUE, on=date(2026, 12, 8), rules=rules)
    assert one is not None and one.amount == Decimal("260.88")
    assert two is not None and two.amount == Decimal("471.75")


def test_no_surcharge_when_the_rules_charge_none():
    rules = r.Rules(effective_from=date(2024, 7, 1))
    assert r.surcharge("4217.50", due=NOV_DUE, on=date(2027, 1, 1), rules=rules) is None


def test_three_months_unpaid_allow_cancellation_two_do_not():
    assert r.arrears_reach_cancellation(3, RULES)
    assert not r.arrears_reach_cancellation(2, RULES)


# --- deposit set against dues on cancellation --------------------------------------------------


def test_deposit_25305_against_dues_13285_13_refunds_12019_87_and_nothing_owed():
    dues = [
        ("rent 2026-10", "4217.50"),
        ("surcharge 2026-10", "421.75"),
        ("rent 2026-11", "4217.50"),
        ("surcharge 2026-11", "210.88"),
        ("rent 2026-12", "4217.50"),
    ]
    result = r.deposit_set_off("25305.00", dues)
    assert result.owed == Decimal("13285.13")
    assert result.applied_total == Decimal("13285.13")
    assert result.refund == Decimal("12019.87")
    assert result.still_owed == Decimal("0.00")


def test_deposit_25305_against_dues_26000_covers_the_oldest_first_and_695_00_stays_owed():
    result = r.deposit_set_off("25305.00", [("rent", "20000.00"), ("surcharge", "6000.00")])
    assert result.applied == (("rent", Decimal("20000.00")), ("surcharge", Decimal("5305.00")))
    assert result.refund == Decimal("0.00")
    assert result.still_owed == Decimal("695.00")


def test_deposit_with_no_dues_is_refunded_whole():
    result = r.deposit_set_off("25305.00", [])
    assert (result.refund, result.still_owed, result.applied) == (
        Decimal("25305.00"),
        Decimal("0.00"),
        (),
    )


# --- ijara: reserve price, VAT and income tax, bid security ------------------------------------


def test_reserve_for_1433_is_the_average_of_1430_to_1432_1250000_00_not_1429():
    amounts = {
        1429: Decimal("900000.00"),
        1430: Decimal("1200000.00"),
        1431: Decimal("1250000.00"),
        1432: Decimal("1300000.00"),
    }
    reserve = r.reserve_price(amounts, 1433)
    assert reserve.amount == Decimal("1250000.00")
    assert reserve.years == (1432, 1431, 1430)
    assert "1432: 1300000.00" in r.explain(reserve.explanation, "en")


def test_reserve_of_1000000_1000000_1000001_is_1000000_333_rounded_to_1000000_33():
    amounts = {1430: 1000000, 1431: 1000000, 1432: 1000001}
    assert r.reserve_price(amounts, 1433).amount == Decimal("1000000.33")


def test_reserve_from_two_known_years_100_01_and_100_00_is_100_005_half_up_100_01():
    assert r.reserve_price({1431: "100.01", 1432: "100.00"}, 1433).amount == Decimal("100.01")


def test_reserve_ignores_the_lease_year_itself_and_later_years():
    amounts = {1431: 100, 1432: 200, 1433: 999999, 1434: 999999}
    assert r.reserve_price(amounts, 1433).amount == Decimal("150.00")


def test_reserve_without_any_earlier_year_is_an_error():
    with pytest.raises(ValueError, match="No lease amount is on record before 1433"):
        r.reserve_price({1433: 100}, 1433)


def test_lease_1234567_00_vat_15_percent_185185_05_income_tax_5_percent_61728_35_total_1481480_40():
    lines = r.lease_taxes("1234567.00", RULES)
    assert [(line.kind, str(line.amount)) for line in lines] == [
        ("lease", "1234567.00"),
        ("vat", "185185.05"),
        ("income_tax", "61728.35"),
    ]
    assert r.total(lines) == Decimal("1481480.40")
    assert lines[1].rule == ("Rules from 2024-07-01: VAT 15% of the lease amount 1234567.00")


def test_lease_1000000_10_vat_150000_015_half_up_150000_02_tax_50000_005_half_up_50000_01():
    lines = r.lease_taxes("1000000.10", RULES)
    assert [str(line.amount) for line in lines] == ["1000000.10", "150000.02", "50000.01"]
    assert r.total(lines) == Decimal("1200000.13")


def test_bid_security_25_percent_of_1234567_00_is_308641_75():
    assert r.bid_security("1234567.00", RULES) == Decimal("308641.75")


# --- the Bengali year of an ijara --------------------------------------------------------------


def test_13_april_2026_is_in_1432_and_14_april_2026_begins_1433():
    assert r.bengali_year_of(date(2026, 4, 13)) == 1432
    assert r.bengali_year_of(date(2026, 4, 14)) == 1433


def test_ijara_1433_runs_from_1_boishakh_14_april_2026_to_30_chaitra_13_april_2027():
    assert r.ijara_term(1433) == (date(2026, 4, 14), date(2027, 4, 13))
    first, last = r.ijara_term(1433)
    assert r.bengali_year_of(first) == 1433 and r.bengali_year_of(last) == 1433
    assert r.bengali_year_of(last.replace(day=14)) == 1434


def test_ijara_1434_runs_366_days_to_13_april_2028_falgun_of_leap_2028_has_30():
    first, last = r.ijara_term(1434)
    assert (first, last) == (date(2027, 4, 14), date(2028, 4, 13))
    assert (last - first).days + 1 == 366
    assert (r.ijara_term(1433)[1] - r.ijara_term(1433)[0]).days + 1 == 365


# --- explanations in Bengali -------------------------------------------------------------------


def test_the_rent_line_reads_in_bengali_with_bengali_digits():
    line = r.monthly_rent(AREA, OLD)
    with translation.override("bn"):
        text = r.explain(line.explanation)
    assert "১২০.৫ বর্গফুট" in text and "৳৩৫.০০" in text
    assert not any(ch.isascii() and ch.isdigit() for ch in text)
