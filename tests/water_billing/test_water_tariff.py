"""Water-bill arithmetic (water_billing/tariff.py), worked examples in the names, expected
amounts computed by hand and compared exactly (Decimal strings).

The tariffs: the default one in effect from 1 July 2024 (Dhaka WASA's Tk 16.70 residential /
Tk 46.20 commercial per 1,000 litres, minimum charge Tk 100 a month, sewerage 100% of the
water charge, flat Tk 500 a month for a 20 mm pipe, late fee 10% of the overdue amount, no
VAT) and a new one from 16 November 2026 (residential Tk 20.00, minimum Tk 120). One cubic
metre = 1,000 litres.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from water_billing import tariff as t
from water_billing.defaults import (
    DEFAULT_CONNECTION_FEE,
    DEFAULT_EFFECTIVE_FROM,
    DEFAULT_FLAT_MONTHLY,
    DEFAULT_PRICES,
    DEFAULT_SETTINGS,
)
from water_billing.numbers import parse_reading

DEFAULT = t.Tariff(
    effective_from=DEFAULT_EFFECTIVE_FROM,
    prices=DEFAULT_PRICES,
    flat_monthly=DEFAULT_FLAT_MONTHLY,
    connection_fees=DEFAULT_CONNECTION_FEE,
    **{k: v for k, v in DEFAULT_SETTINGS.items()},
)
NEW = t.Tariff(
    effective_from=date(2026, 11, 16),
    prices={**DEFAULT_PRICES, "residential": Decimal("20.00")},
    minimum_charge=Decimal("120.00"),
    flat_monthly={**DEFAULT_FLAT_MONTHLY, 20: Decimal("620.00")},
    late_fee_percent=Decimal("10"),
)
OCTOBER = date(2026, 10, 1)  # 31 days, all under the default tariff
NOVEMBER = date(2026, 11, 1)  # 30 days: 1–15 default, 16–30 the new tariff
DECEMBER = date(2026, 12, 1)  # 31 days


def charges(month=OCTOBER, tariffs=(DEFAULT,), **kwargs):
    kwargs.setdefault("category", "residential")
    kwargs.setdefault("metered", True)
    return t.water_charges(month=month, tariffs=list(tariffs), **kwargs)


def amounts(lines):
    return [(line.kind, str(line.amount)) for line in lines]


# --- monthly charges --------------------------------------------------------------------------


def test_residential_18000_litres_is_18_m3_at_16_70_is_300_60():
    lines = charges(consumption=18)
    assert amounts(lines) == [("water", "300.60")]
    assert str(t.total(lines)) == "300.60"
    assert lines[0].head == "water"
    assert lines[0].rule == (
        "Tariff from 2024-07-01, 2026-10-01 to 2026-10-31 (31 of 31 days): 18.000 of 18 cubic "
        "metres × 16.70 per 1,000 litres, residential"
    )


def test_commercial_25_m3_at_46_20_is_1155_00():
    lines = charges(category="commercial", consumption=25)
    assert amounts(lines) == [("water", "1155.00")]


def test_minimum_charge_residential_3_m3_is_50_10_topped_up_49_90_to_100_00():
    lines = charges(consumption=3)
    assert amounts(lines) == [("water", "50.10"), ("minimum", "49.90")]
    assert str(t.total(lines)) == "100.00"
    assert lines[1].head == "water"
    assert "minimum charge 100.00 for these days less the water charge 50.10" in lines[1].rule


def test_minimum_charge_on_no_use_is_the_whole_100_00():
    assert amounts(charges(consumption=0)) == [("water", "0.00"), ("minimum", "100.00")]


def test_sewerage_100_percent_of_300_60_doubles_residential_18_m3_to_601_20():
    lines = charges(consumption=18, sewerage=True)
    assert amounts(lines) == [("water", "300.60"), ("sewerage", "300.60")]
    assert str(t.total(lines)) == "601.20"
    assert lines[1].head == "sewerage"
    assert "sewerage 100% of the water charge 300.60" in lines[1].rule


def test_sewerage_is_on_the_water_charge_after_the_minimum_3_m3_gives_100_plus_100():
    lines = charges(consumption=3, sewerage=True)
    assert amounts(lines) == [("water", "50.10"), ("minimum", "49.90"), ("sewerage", "100.00")]


def test_flat_rate_20_mm_pipe_unmetered_is_500_00_a_month_and_1000_00_with_sewerage():
    assert amounts(charges(metered=False, pipe_diameter_mm=20)) == [("flat", "500.00")]
    lines = charges(metered=False, pipe_diameter_mm=20, sewerage=True)
    assert amounts(lines) == [("flat", "500.00"), ("sewerage", "500.00")]
    assert "flat monthly charge 500.00 for a 20 mm pipe" in lines[0].rule


def test_flat_rate_100_mm_pipe_is_16000_00():
    assert amounts(charges(metered=False, pipe_diameter_mm=100)) == [("flat", "16000.00")]


def test_vat_15_percent_of_the_commercial_water_and_sewerage_1155_plus_1155_is_346_50():
    vat = t.Tariff(effective_from=date(2024, 7, 1), prices=DEFAULT_PRICES, vat_percent=Decimal(15))
    lines = charges(tariffs=[vat], category="commercial", consumption=25, sewerage=True)
    assert amounts(lines) == [("water", "1155.00"), ("sewerage", "1155.00"), ("vat", "346.50")]


def test_exempt_connections_are_charged_nothing():
    assert charges(category="exempt", consumption=40, sewerage=True) == []


def test_pro_rata_tariff_change_on_the_16th_18_m3_in_november_150_30_plus_180_00():
    """30 days: 1–15 under the old tariff (9 m³ × 16.70), 16–30 under the new (9 m³ × 20)."""
    lines = charges(month=NOVEMBER, tariffs=[NEW, DEFAULT], consumption=18)
    assert amounts(lines) == [("water", "150.30"), ("water", "180.00")]
    assert str(t.total(lines)) == "330.30"
    old, new = lines
    assert (old.tariff_from, old.first_day, old.last_day) == (
        date(2024, 7, 1),
        date(2026, 11, 1),
        date(2026, 11, 15),
    )
    assert (new.tariff_from, new.first_day, new.last_day) == (
        date(2026, 11, 16),
        date(2026, 11, 16),
        date(2026, 11, 30),
    )
    assert new.rule == (
        "Tariff from 2026-11-16, 2026-11-16 to 2026-11-30 (15 of 30 days): 9.000 of 18 cubic "
        "metres × 20.00 per 1,000 litres, residential"
    )


def test_pro_rata_flat_rate_across_the_change_on_the_16th_250_00_plus_310_00():
    lines = charges(month=NOVEMBER, tariffs=[DEFAULT, NEW], metered=False, pipe_diameter_mm=20)
    assert amounts(lines) == [("flat", "250.00"), ("flat", "310.00")]


def test_pro_rata_minimum_charge_each_part_its_share_50_00_and_60_00():
    lines = charges(month=NOVEMBER, tariffs=[DEFAULT, NEW], consumption=2)
    # 1 m³ × 16.70 = 16.70 under a minimum of 100 × 15/30 = 50.00; 1 m³ × 20 under 60.00
    assert amounts(lines) == [
        ("water", "16.70"),
        ("minimum", "33.30"),
        ("water", "20.00"),
        ("minimum", "40.00"),
    ]
    assert str(t.total(lines)) == "110.00"


def test_rounding_each_line_half_up_after_pro_rata_7_m3_in_a_31_day_month():
    """December: 1–15 old (7 × 15/31 × 16.70 = 56.5645… → 56.56), 16–31 new
    (7 × 16/31 × 20 = 72.2580… → 72.26); the total is the sum of the rounded lines."""
    new_in_december = t.Tariff(
        effective_from=date(2026, 12, 16),
        prices={"residential": Decimal("20.00")},
        minimum_charge=Decimal("0"),
    )
    lines = charges(month=DECEMBER, tariffs=[DEFAULT, new_in_december], consumption=7)
    assert amounts(lines) == [("water", "56.56"), ("water", "72.26")]
    assert str(t.total(lines)) == "128.82"


def test_rounding_is_half_up_not_to_even_10_percent_late_fee_on_41_65_is_4_17():
    assert str(t.late_fee(Decimal("41.65"), DEFAULT).amount) == "4.17"


def test_no_tariff_in_effect_is_an_error_not_a_zero_bill():
    with pytest.raises(t.TariffError):
        charges(month=date(2024, 6, 1), consumption=5)


def test_a_tariff_taking_effect_after_the_month_does_not_apply():
    assert amounts(charges(month=OCTOBER, tariffs=[DEFAULT, NEW], consumption=18)) == [
        ("water", "300.60")
    ]


def test_explanation_in_bengali_names_the_tariff_days_and_rule_in_bengali_digits():
    from core.explain import explain

    line = charges(month=NOVEMBER, tariffs=[DEFAULT, NEW], consumption=18)[1]
    text = explain(line.explanation, "bn")
    assert "১৬" in text and "৳২০.০০" in text and "আবাসিক" in text
    assert not any(c.isascii() and c.isdigit() for c in text)


# --- late fee ---------------------------------------------------------------------------------


def test_late_fee_10_percent_of_an_overdue_601_20_is_60_12():
    line = t.late_fee("601.20", DEFAULT)
    assert (line.kind, line.head, str(line.amount)) == ("late_fee", "late_fee", "60.12")
    assert line.rule == "Tariff from 2024-07-01: late fee 10% of the overdue 601.20 plus 0.00"


def test_late_fee_10_percent_plus_fixed_50_on_601_20_is_110_12():
    fixed = t.Tariff(
        effective_from=date(2024, 7, 1),
        prices=DEFAULT_PRICES,
        late_fee_percent=Decimal("10"),
        late_fee_fixed=Decimal("50"),
    )
    assert str(t.late_fee(Decimal("601.20"), fixed).amount) == "110.12"


def test_no_late_fee_on_nothing_overdue_or_without_a_rule():
    assert t.late_fee(0, DEFAULT) is None
    assert t.late_fee(500, t.Tariff(effective_from=date(2024, 7, 1), prices={})) is None


# --- readings: rollover, held, replacement, checks --------------------------------------------


def test_rollover_99990_to_12_on_a_5_digit_meter_is_22_m3():
    measured = t.consumption(99990, 12, 5)
    assert (measured.units, measured.status) == (22, "rollover")


def test_rollover_within_3_times_the_average_is_accepted_99990_to_40_is_50_under_60():
    assert t.consumption(99990, 40, 5, average=Decimal(20)).units == 50


def test_lower_reading_5000_to_4000_without_rollover_is_held_not_billed():
    measured = t.consumption(5000, 4000, 5)
    # a rollover would be 100,000 − 5,000 + 4,000 = 99,000 m³, more than 10,000
    assert (measured.units, measured.status) == (None, "held")


def test_lower_reading_held_when_the_rollover_exceeds_3_times_the_average_99990_to_80():
    # a rollover would be 90 m³, above 3 × 20
    assert t.consumption(99990, 80, 5, average=Decimal(20)).status == "held"


def test_meter_replaced_old_1200_to_final_1250_plus_new_0_to_30_is_80_m3():
    change = t.MeterChange(final_reading=1250, initial_reading=0)
    measured = t.consumption(1200, 30, 5, replaced=change)
    assert (measured.units, measured.status) == (80, "replaced")


def test_spike_above_3_times_the_6_month_average_12_is_flagged_37_not_36():
    avg = t.average([10, 12, 14, 10, 12, 14])
    assert avg == 12
    assert t.check(36, average=avg)[0] is None
    assert t.check(37, average=avg)[0] == "spike"


def test_zero_on_a_normally_consuming_connection_is_flagged():
    assert t.check(0, average=Decimal(12))[0] == "zero"
    assert t.check(0, average=Decimal(0))[0] is None
    assert t.check(0, average=None)[0] is None


def test_average_is_over_the_last_6_months_only():
    assert t.average([100, 10, 12, 14, 10, 12, 14]) == 12
    assert t.average([]) is None


# --- estimates and the true-up ----------------------------------------------------------------


def test_estimated_month_12_m3_then_true_up_30_m3_measured_bills_18():
    estimate = t.estimate(t.average([10, 12, 14, 10, 12, 14]))
    assert estimate == 12
    assert t.billable(30, estimated_since=estimate) == (18, 0)


def test_estimated_month_over_billed_12_then_8_measured_bills_0_and_carries_4_then_15_bills_11():
    assert t.billable(8, estimated_since=12) == (0, 4)
    assert t.billable(15, credit=4) == (11, 0)


def test_estimate_rounds_the_average_half_up_12_5_to_13():
    assert t.estimate(Decimal("12.5")) == 13
    assert t.estimate(None) == 0


# --- typed readings ---------------------------------------------------------------------------


def test_bengali_digits_accepted_in_the_reading_১২৩৪৫_is_12345():
    assert parse_reading("১২,৩৪৫") == 12345
    assert parse_reading(" 00123 ") == 123
    assert parse_reading("123.0") == 123


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "reading_not_a_number"),
        ("12a", "reading_not_a_number"),
        ("-5", "reading_negative"),
        ("-৫", "reading_negative"),
        ("12.5", "reading_fraction"),
        ("", "reading_required"),
        ("123456", "reading_too_long"),
    ],
)
def test_non_numeric_negative_and_too_long_readings_are_refused(typed, code):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_reading(typed, dial_digits=5)
    assert caught.value.code == code


def test_a_refused_reading_is_told_in_bengali():
    with translation.override("bn"), pytest.raises(ValidationError) as caught:
        parse_reading("-5")
    message = caught.value.messages[0]
    assert "meter" not in message.lower() and message.strip()
