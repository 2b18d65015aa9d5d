"""Trade-licence fee arithmetic (trade_licenses/fees.py) with worked examples in the names.

Every amount is compared exactly as a Decimal with two places (its string form). The
schedule is FY 2025-26 with the defaults: renewal deadline 30 Sep 2025, VAT 15%, income
tax at source Tk 2,000 on renewal, late surcharge 10% of the licence fee per month or
part, transfer 10%, signboard Tk 100 per sq ft. Rounding: documented in fees.py (half-up
to the paisa, each percentage applied once).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trade_licenses import fees
from trade_licenses.fees import Band, CategoryRates, ScheduleRates, months_late

FY = "2025-26"
RATES = ScheduleRates(fiscal_year=FY, renewal_deadline=date(2025, 9, 30))
GROCERY = CategoryRates(code="grocery", name_en="Grocery shop", yearly_fee=Decimal("500"))
BANK = CategoryRates(code="bank", name_en="Bank (branch)", yearly_fee=Decimal("15500"))
COMPANY = CategoryRates(
    code="limited_company",
    name_en="Limited company",
    yearly_fee=Decimal(0),
    by_capital=True,
    bands=(
        Band(Decimal("0"), Decimal("1000000"), Decimal("3000")),
        Band(Decimal("1000000.01"), Decimal("5000000"), Decimal("5000")),
        Band(Decimal("5000000.01"), None, Decimal("10000")),
    ),
)


def taka(value) -> str:
    assert isinstance(value, Decimal), f"{value!r} is not a Decimal"
    return str(value)


def heads(lines) -> dict[str, str]:
    return {line.head: taka(line.amount) for line in lines}


def assess(kind="renewal", *, paid_on=date(2025, 9, 1), category=GROCERY, rates=RATES, **kwargs):
    return fees.assess(kind=kind, rates=rates, category=category, paid_on=paid_on, **kwargs)


# --- months late ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "months"),
    [
        (date(2025, 9, 1), 0),
        (date(2025, 9, 30), 0),  # on or before the deadline
        (date(2025, 10, 1), 1),
        (date(2025, 10, 31), 1),  # any part of October: 1
        (date(2025, 11, 1), 2),
        (date(2025, 11, 30), 2),
        (date(2026, 2, 1), 5),
        (date(2026, 2, 28), 5),
        (date(2026, 6, 30), 9),
    ],
)
def test_months_late_after_30_september_counts_each_calendar_month_or_part(paid_on, months):
    assert months_late(paid_on, date(2025, 9, 30)) == months


def test_months_late_with_deadline_extended_to_31_october_paid_15_november_is_1_not_2():
    assert months_late(date(2025, 11, 15), date(2025, 9, 30)) == 2
    assert months_late(date(2025, 11, 15), date(2025, 10, 31)) == 1


def test_months_late_mid_month_deadline_15_october_rest_of_october_counts_as_one():
    assert months_late(date(2025, 10, 15), date(2025, 10, 15)) == 0
    assert months_late(date(2025, 10, 16), date(2025, 10, 15)) == 1
    assert months_late(date(2025, 10, 31), date(2025, 10, 15)) == 1
    assert months_late(date(2025, 11, 1), date(2025, 10, 15)) == 2


def test_surcharge_stays_the_same_until_the_deadline_then_until_each_month_end():
    deadline = date(2025, 9, 30)
    assert fees.surcharge_grows_after(date(2025, 9, 10), deadline) == deadline
    assert fees.surcharge_grows_after(date(2025, 10, 5), deadline) == date(2025, 10, 31)
    assert fees.surcharge_grows_after(date(2026, 2, 3), deadline) == date(2026, 2, 28)


# --- new licence ---------------------------------------------------------------------------


def test_new_grocery_licence_500_plus_vat_75_is_575_no_income_tax_no_surcharge():
    lines = assess("new", paid_on=date(2025, 12, 1))
    assert heads(lines) == {"licence_fee": "500.00", "vat": "75.00"}
    assert taka(fees.total(lines)) == "575.00"
    assert lines[0].rule == "FY 2025-26 schedule: Grocery shop (grocery) yearly fee 500.00"
    assert lines[1].rule == "FY 2025-26 schedule: VAT 15% of licence fee 500.00 = 500.00"


def test_new_bank_licence_with_12_sqft_signboard_15500_plus_1200_plus_vat_2505_is_19205():
    lines = assess("new", category=BANK, signboard_sqft=Decimal("12"))
    assert heads(lines) == {"licence_fee": "15500.00", "signboard_tax": "1200.00", "vat": "2505.00"}
    assert taka(fees.total(lines)) == "19205.00"


def test_new_licence_application_fee_from_the_schedule_only_when_set_and_only_for_new():
    rates = ScheduleRates(
        fiscal_year=FY, renewal_deadline=date(2025, 9, 30), application_fee=Decimal("200")
    )
    assert heads(assess("new", rates=rates))["application_fee"] == "200.00"
    assert heads(assess("new", rates=rates))["vat"] == "75.00"  # not on the application fee
    assert "application_fee" not in heads(assess("renewal", rates=rates))
    assert "application_fee" not in heads(assess("new"))


# --- renewal -------------------------------------------------------------------------------


def test_renewal_on_time_30_september_500_plus_vat_75_plus_income_tax_2000_is_2575():
    lines = assess(paid_on=date(2025, 9, 30))
    assert heads(lines) == {"licence_fee": "500.00", "vat": "75.00", "income_tax": "2000.00"}
    assert taka(fees.total(lines)) == "2575.00"
    assert lines[2].rule == (
        "FY 2025-26 schedule: income tax at source on renewal (Income Tax Act 2023 s.131) 2000.00"
    )


def test_renewal_1_month_late_1_october_surcharge_10_percent_of_500_is_50_total_2625():
    lines = assess(paid_on=date(2025, 10, 1))
    assert heads(lines)["surcharge"] == "50.00"
    assert taka(fees.total(lines)) == "2625.00"
    assert lines[-1].rule == (
        "FY 2025-26 schedule: late surcharge 10% of licence fee 500.00 × 1 month or part "
        "after the renewal deadline 2025-09-30 (paid 2025-10-01)"
    )


def test_renewal_still_1_month_late_on_31_october_surcharge_50():
    assert heads(assess(paid_on=date(2025, 10, 31)))["surcharge"] == "50.00"


def test_renewal_2_months_late_15_november_surcharge_100_total_2675():
    lines = assess(paid_on=date(2025, 11, 15))
    assert heads(lines)["surcharge"] == "100.00"
    assert taka(fees.total(lines)) == "2675.00"


def test_renewal_5_months_late_28_february_surcharge_250_total_2825():
    lines = assess(paid_on=date(2026, 2, 28))
    assert heads(lines)["surcharge"] == "250.00"
    assert "× 5 months or part" in lines[-1].rule
    assert taka(fees.total(lines)) == "2825.00"


def test_bank_renewal_5_months_late_surcharge_7750_vat_not_on_surcharge():
    lines = assess(category=BANK, paid_on=date(2026, 2, 1))
    assert heads(lines) == {
        "licence_fee": "15500.00",
        "vat": "2325.00",
        "income_tax": "2000.00",
        "surcharge": "7750.00",
    }
    assert taka(fees.total(lines)) == "27575.00"


def test_extending_the_deadline_to_31_october_lowers_the_surcharge_of_15_november_100_to_50():
    extended = ScheduleRates(fiscal_year=FY, renewal_deadline=date(2025, 10, 31))
    assert heads(assess(paid_on=date(2025, 11, 15)))["surcharge"] == "100.00"
    assert heads(assess(paid_on=date(2025, 11, 15), rates=extended))["surcharge"] == "50.00"
    assert "surcharge" not in heads(assess(paid_on=date(2025, 10, 20), rates=extended))


# --- signboard, VAT, income tax ------------------------------------------------------------


def test_signboard_tax_100_per_sqft_times_12_sqft_is_1200_with_rule():
    line = fees.signboard_tax(
        fiscal_year=FY, mode="per_sqft", amount=Decimal("100"), sqft=Decimal("12")
    )
    assert taka(line.amount) == "1200.00"
    assert line.rule == "FY 2025-26 schedule: signboard tax 100.00 per sq ft × 12 sq ft"


def test_signboard_tax_flat_mode_charges_the_flat_amount_whatever_the_size():
    line = fees.signboard_tax(
        fiscal_year=FY, mode="flat", amount=Decimal("1500"), sqft=Decimal("40")
    )
    assert taka(line.amount) == "1500.00"
    assert "flat 1500.00" in line.rule


def test_no_signboard_no_signboard_line():
    assert (
        fees.signboard_tax(fiscal_year=FY, mode="per_sqft", amount=Decimal("100"), sqft=0) is None
    )
    assert fees.signboard_tax(fiscal_year=FY, mode="flat", amount=Decimal("100"), sqft=0) is None


def test_vat_15_percent_of_fee_500_plus_signboard_1200_is_255():
    lines = assess("renewal", signboard_sqft=Decimal("12"), paid_on=date(2025, 11, 2))
    assert heads(lines) == {
        "licence_fee": "500.00",
        "signboard_tax": "1200.00",
        "vat": "255.00",
        "income_tax": "2000.00",
        "surcharge": "100.00",
    }
    vat = next(line for line in lines if line.head == "vat")
    assert vat.rule == (
        "FY 2025-26 schedule: VAT 15% of licence fee 500.00 + signboard tax 1200.00 = 1700.00"
    )


def test_income_tax_at_source_only_on_renewal_not_on_new_or_transfer():
    assert "income_tax" in heads(assess("renewal"))
    assert "income_tax" not in heads(assess("new"))
    assert "income_tax" not in heads(assess("transfer"))
    assert fees.income_tax_at_source(fiscal_year=FY, amount=Decimal("2000"), kind="new") is None


def test_income_tax_at_source_follows_the_schedule_3000_in_dhaka():
    dhaka = ScheduleRates(
        fiscal_year=FY, renewal_deadline=date(2025, 9, 30), income_tax_at_source=Decimal("3000")
    )
    assert heads(assess(rates=dhaka))["income_tax"] == "3000.00"


# --- transfer ------------------------------------------------------------------------------


def test_transfer_of_a_bank_10_percent_of_15500_is_1550_alone():
    lines = assess("transfer", category=BANK, paid_on=date(2026, 1, 10))
    assert heads(lines) == {"transfer_fee": "1550.00"}
    assert lines[0].rule == "FY 2025-26 schedule: transfer fee 10% of licence fee 15500.00"


def test_renewal_with_transfer_adds_the_transfer_fee_50_to_the_renewal_lines():
    lines = assess("renewal", with_transfer=True)
    assert heads(lines) == {
        "licence_fee": "500.00",
        "vat": "75.00",
        "income_tax": "2000.00",
        "transfer_fee": "50.00",
    }


# --- capital bands -------------------------------------------------------------------------


def test_limited_company_with_25_lakh_capital_pays_the_5000_band():
    line = fees.licence_fee(COMPANY, fiscal_year=FY, paid_up_capital=Decimal("2500000"))
    assert taka(line.amount) == "5000.00"
    assert "band 1000000.01 to 5000000.00" in line.rule


def test_limited_company_band_edges_10_lakh_is_the_lower_band_above_50_lakh_no_upper_limit():
    assert (
        taka(fees.licence_fee(COMPANY, fiscal_year=FY, paid_up_capital=Decimal("1000000")).amount)
        == "3000.00"
    )
    top = fees.licence_fee(COMPANY, fiscal_year=FY, paid_up_capital=Decimal("900000000"))
    assert taka(top.amount) == "10000.00"
    assert "no limit" in top.rule


def test_limited_company_without_capital_or_band_is_a_fee_error():
    with pytest.raises(fees.FeeError):
        fees.licence_fee(COMPANY, fiscal_year=FY, paid_up_capital=None)
    gap = CategoryRates(
        code="x",
        name_en="X",
        yearly_fee=Decimal(0),
        by_capital=True,
        bands=(Band(Decimal("100"), Decimal("200"), Decimal("1")),),
    )
    with pytest.raises(fees.FeeError):
        fees.licence_fee(gap, fiscal_year=FY, paid_up_capital=Decimal("50"))


# --- rounding ------------------------------------------------------------------------------


def test_rounding_vat_15_percent_of_1000_70_is_150_105_half_up_150_11():
    odd = CategoryRates(code="odd", name_en="Odd", yearly_fee=Decimal("1000.70"))
    assert heads(assess("new", category=odd))["vat"] == "150.11"  # half-even would be 150.10


def test_rounding_surcharge_5_months_of_333_33_is_rounded_once_166_67_not_5_x_33_33():
    odd = CategoryRates(code="odd", name_en="Odd", yearly_fee=Decimal("333.33"))
    assert heads(assess(category=odd, paid_on=date(2026, 2, 10)))["surcharge"] == "166.67"


def test_rounding_signboard_33_33_per_sqft_times_1_5_sqft_is_49_995_half_up_50_00():
    line = fees.signboard_tax(
        fiscal_year=FY, mode="per_sqft", amount=Decimal("33.33"), sqft=Decimal("1.5")
    )
    assert taka(line.amount) == "50.00"


def test_every_amount_has_two_places_and_transfer_of_333_33_is_33_33():
    odd = CategoryRates(code="odd", name_en="Odd", yearly_fee=Decimal("333.33"))
    assert heads(assess("transfer", category=odd)) == {"transfer_fee": "33.33"}
    assert taka(fees.money(7)) == "7.00"


def test_unknown_kind_refused():
    with pytest.raises(fees.FeeError):
        assess("gift")


# --- the seeded schedules --------------------------------------------------------------------


@pytest.mark.django_db
def test_schedules_seeded_for_fy_2022_23_to_2027_28_with_domain_figures():
    from trade_licenses.models import BusinessCategory, CapitalBand, FeeSchedule

    years = list(FeeSchedule.objects.order_by("fiscal_year").values_list("fiscal_year", flat=True))
    assert years[:6] == ["2022-23", "2023-24", "2024-25", "2025-26", "2026-27", "2027-28"]
    schedule = FeeSchedule.objects.get(fiscal_year="2025-26")
    assert schedule.renewal_deadline == date(2025, 9, 30)
    assert (
        taka(schedule.vat_percent),
        taka(schedule.income_tax_at_source),
        taka(schedule.late_surcharge_percent_per_month),
        taka(schedule.transfer_percent),
    ) == ("15.00", "2000.00", "10.00", "10.00")
    assert schedule.signboard_mode == "per_sqft"
    fee = dict(BusinessCategory.objects.filter(schedule=schedule).values_list("code", "yearly_fee"))
    assert {
        k: taka(fee[k])
        for k in (
            "bank",
            "insurance_lending",
            "money_changer",
            "private_university",
            "restaurant_ac",
            "restaurant_non_ac",
            "hotel_five_star",
        )
    } == {
        "bank": "15500.00",
        "insurance_lending": "5000.00",
        "money_changer": "5000.00",
        "private_university": "10000.00",
        "restaurant_ac": "3000.00",
        "restaurant_non_ac": "1000.00",
        "hotel_five_star": "25000.00",
    }
    samples = set(
        BusinessCategory.objects.filter(schedule=schedule, is_sample=True).values_list(
            "code", flat=True
        )
    )
    assert {"grocery", "pharmacy", "tailor", "mobile_shop", "salon", "hardware"} <= samples
    assert "bank" not in samples
    factory = BusinessCategory.objects.get(schedule=schedule, code="factory")
    assert factory.requires_documents == ["environment_clearance", "fire_clearance"]
    bands = CapitalBand.objects.filter(schedule=schedule, category__code="limited_company")
    assert bands.count() >= 4 and all(b.is_sample for b in bands)


@pytest.mark.django_db
def test_schedule_from_the_database_gives_the_same_lines():
    from trade_licenses.models import BusinessCategory

    category = BusinessCategory.objects.select_related("schedule").get(
        schedule__fiscal_year="2025-26", code="grocery"
    )
    lines = fees.assess(
        kind="renewal",
        rates=ScheduleRates.from_schedule(category.schedule),
        category=CategoryRates.from_category(category),
        paid_on=date(2025, 11, 15),
        signboard_sqft=Decimal("12"),
    )
    assert heads(lines) == {
        "licence_fee": "500.00",
        "signboard_tax": "1200.00",
        "vat": "255.00",
        "income_tax": "2000.00",
        "surcharge": "100.00",
    }


# --- skipped years: arrears with their own schedule and a capped surcharge ---------------------


FY_2026_27 = ScheduleRates(fiscal_year="2026-27", renewal_deadline=date(2026, 9, 30))
FY_2025_26 = RATES  # the defaults: deadline 30 Sep 2025, 10% a month, cap 100% of the fee
FY_2024_25 = ScheduleRates(fiscal_year="2024-25", renewal_deadline=date(2024, 9, 30))


def renew_2026_27(*, paid_on=date(2026, 8, 10), arrears=((FY_2025_26, GROCERY),), **kwargs):
    return fees.assess(
        kind="renewal",
        rates=FY_2026_27,
        category=GROCERY,
        paid_on=paid_on,
        signboard_sqft=Decimal("12"),
        arrears=arrears,
        **kwargs,
    )


def arrears_heads(lines, year) -> dict[str, str]:
    return heads([line for line in lines if line.arrears_year == year])


def test_renewal_for_2026_27_after_2024_25_bills_2025_26_as_arrears_with_its_surcharge():
    """Grocery, 12 sq ft signboard, last licence 2024-25, renewing for 2026-27 on 10 Aug 2026.

    Arrears 2025-26 (FY 2025-26 schedule, deadline 30 Sep 2025):
      fee 500.00; signboard 100 × 12 = 1,200.00; VAT 15% × 1,700 = 255.00;
      surcharge 10% × 500 × 11 months (Oct 2025 … Aug 2026) = 550.00, capped at 100% of
      the fee = 500.00.  Arrears: 500 + 1,200 + 255 + 500 = 2,455.00.
    2026-27 (on time, deadline 30 Sep 2026): 500 + 1,200 + 255 + income tax 2,000 = 3,955.00.
    Total 6,410.00.
    """
    lines = renew_2026_27()
    assert arrears_heads(lines, "2025-26") == {
        "licence_fee": "500.00",
        "signboard_tax": "1200.00",
        "vat": "255.00",
        "surcharge": "500.00",
    }
    assert heads([line for line in lines if not line.arrears_year]) == {
        "licence_fee": "500.00",
        "signboard_tax": "1200.00",
        "vat": "255.00",
        "income_tax": "2000.00",
    }
    assert taka(fees.total(lines)) == "6410.00"
    assert [line.arrears_year for line in lines[:4]] == ["2025-26"] * 4  # arrears first
    assert lines[0].rule == (
        "Arrears FY 2025-26 (no licence that year): FY 2025-26 "
        "schedule: Grocery shop (grocery) yearly fee 500.00"
    )
    assert lines[3].rule == (
        "Arrears FY 2025-26 (no licence that year): FY 2025-26 schedule: late surcharge 10% "
        "of licence fee 500.00 × 11 months or part after the renewal deadline 2025-09-30 "
        "(paid 2026-08-10) = 550.00, capped at 100% of the fee"
    )


def test_arrears_year_2025_26_is_billed_at_its_own_schedule_grocery_400_at_5_percent_a_month():
    """The 2025-26 schedule had grocery at 400 and a 5% monthly surcharge; 2026-27 at 500.

    Arrears 2025-26: fee 400.00; signboard 1,200.00; VAT 15% × 1,600 = 240.00;
      surcharge 5% × 400 × 11 months = 220.00 (under the cap 400.00).  = 2,060.00.
    2026-27: 3,955.00 as above.  Total 6,015.00.
    """
    rates = ScheduleRates(
        fiscal_year="2025-26",
        renewal_deadline=date(2025, 9, 30),
        late_surcharge_percent_per_month=Decimal("5"),
    )
    grocery_400 = CategoryRates(code="grocery", name_en="Grocery shop", yearly_fee=Decimal("400"))
    lines = renew_2026_27(arrears=((rates, grocery_400),))
    assert arrears_heads(lines, "2025-26") == {
        "licence_fee": "400.00",
        "signboard_tax": "1200.00",
        "vat": "240.00",
        "surcharge": "220.00",
    }
    assert "capped" not in lines[3].rule
    assert taka(fees.total(lines)) == "6015.00"


def test_renewal_for_2026_27_after_2023_24_bills_two_arrears_years_oldest_first_each_capped():
    """Last licence 2023-24: 2024-25 and 2025-26 are skipped. Paid 15 Nov 2026.

    Arrears 2024-25: 500 + 1,200 + 255 + surcharge 10% × 500 × 26 months = 1,300.00 capped
      at 500.00 = 2,455.00.
    Arrears 2025-26: the same figures, 14 months = 700.00 capped at 500.00 = 2,455.00.
    2026-27: 500 + 1,200 + 255 + 2,000 + surcharge 10% × 500 × 2 months (Oct, Nov) = 100.00
      = 4,055.00.  Total 8,965.00.
    """
    lines = renew_2026_27(
        paid_on=date(2026, 11, 15), arrears=((FY_2025_26, GROCERY), (FY_2024_25, GROCERY))
    )
    assert [line.arrears_year for line in lines] == (["2024-25"] * 4 + ["2025-26"] * 4 + [""] * 5)
    assert arrears_heads(lines, "2024-25")["surcharge"] == "500.00"
    assert "× 26 months" in lines[3].rule
    assert arrears_heads(lines, "2025-26")["surcharge"] == "500.00"
    assert heads(lines[8:])["surcharge"] == "100.00"
    assert taka(fees.total(lines)) == "8965.00"


def test_surcharge_cap_is_the_years_setting_150_percent_lets_2025_26_reach_550():
    """Cap 150% of 500 = 750.00: 11 months × 10% × 500 = 550.00 stays under it.
    Arrears 2025-26 = 500 + 1,200 + 255 + 550 = 2,505.00; total 2,505 + 3,955 = 6,460.00."""
    rates = ScheduleRates(
        fiscal_year="2025-26",
        renewal_deadline=date(2025, 9, 30),
        late_surcharge_cap_percent=Decimal("150"),
    )
    lines = renew_2026_27(arrears=((rates, GROCERY),))
    assert arrears_heads(lines, "2025-26")["surcharge"] == "550.00"
    assert taka(fees.total(lines)) == "6460.00"


def test_renewals_own_surcharge_is_capped_too_cap_20_percent_stops_at_100_in_february():
    """2025-26 cap 20% of 500 = 100.00: 5 months late (28 Feb 2026) would be 250.00."""
    rates = ScheduleRates(
        fiscal_year=FY, renewal_deadline=date(2025, 9, 30), late_surcharge_cap_percent=Decimal("20")
    )
    lines = assess(paid_on=date(2026, 2, 28), rates=rates)
    assert heads(lines)["surcharge"] == "100.00"
    assert lines[-1].rule.endswith("= 250.00, capped at 20% of the fee")


def test_arrears_lines_are_labelled_with_their_year_in_bengali_and_english():
    line = renew_2026_27()[0]
    assert fees.line_label(line, bengali=True) == "বকেয়া ২০২৫-২৬: ট্রেড লাইসেন্স ফি"
    assert fees.line_label(line, bengali=False) == "Arrears 2025-26: Trade licence fee"
    own = renew_2026_27()[-1]
    assert fees.line_label(own, bengali=False) == "Income tax at source"


def test_only_a_renewal_carries_arrears():
    with pytest.raises(fees.FeeError, match="only a renewal carries arrears"):
        fees.assess(
            kind="new",
            rates=FY_2026_27,
            category=GROCERY,
            paid_on=date(2026, 8, 10),
            arrears=((FY_2025_26, GROCERY),),
        )
