"""E-bike fee and fleet-cap arithmetic (ezbike/fees.py): pure functions, no database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from ezbike import fees
from ezbike.defaults import DEFAULT_FEES


@dataclass
class Schedule:
    fiscal_year: str = "2026-27"
    application_fee: Decimal = DEFAULT_FEES["application_fee"]
    licence_fee: Decimal = DEFAULT_FEES["licence_fee"]
    renewal_fee: Decimal = DEFAULT_FEES["renewal_fee"]
    card_replacement_fee: Decimal = DEFAULT_FEES["card_replacement_fee"]
    late_fee_per_month: Decimal = DEFAULT_FEES["late_fee_per_month"]
    late_fee_cap: Decimal = DEFAULT_FEES["late_fee_cap"]
    renewal_deadline: datetime.date = datetime.date(2026, 9, 30)


D = datetime.date


def amounts(lines):
    return [(line.head, line.amount) for line in lines]


def test_the_defaults_are_kccs_fees():
    s = Schedule()
    assert amounts(fees.application_fee(s)) == [("application_fee", Decimal("500.00"))]
    assert amounts(fees.licence_fee(s)) == [("licence_fee", Decimal("10000.00"))]
    assert amounts(fees.renewal_fees(s, paid_on=D(2026, 9, 30))) == [
        ("renewal_fee", Decimal("2000.00"))
    ]
    assert fees.total(fees.application_fee(s) + fees.licence_fee(s)) == Decimal("10500.00")


def test_each_line_says_which_year_and_rate_made_it():
    (line,) = fees.licence_fee(Schedule())
    assert line.rule == "FY 2026-27 schedule: licence fee 10000.00"
    assert line.rule_data is not None


@pytest.mark.parametrize(
    ("paid_on", "months"),
    [
        (D(2026, 9, 30), 0),  # on the deadline
        (D(2026, 10, 1), 1),  # the next day: a part of a month
        (D(2026, 10, 30), 1),  # a whole month to the same day
        (D(2026, 10, 31), 2),
        (D(2026, 11, 30), 2),
        (D(2027, 2, 28), 5),  # a short month: its last day counts as the 30th
        (D(2027, 3, 1), 6),
        (D(2025, 1, 1), 0),  # early
    ],
)
def test_months_late(paid_on, months):
    assert fees.months_late(D(2026, 9, 30), paid_on) == months


def test_late_fee_per_month_or_part_up_to_the_cap():
    s = Schedule()
    assert amounts(fees.renewal_fees(s, paid_on=D(2026, 10, 1))) == [
        ("renewal_fee", Decimal("2000.00")),
        ("late_fee", Decimal("200.00")),
    ]
    assert amounts(fees.late_fee(s, paid_on=D(2026, 12, 10))) == [("late_fee", Decimal("600.00"))]
    # 10 months × 200 = 2,000 = the cap; 14 months stays at the cap.
    assert amounts(fees.late_fee(s, paid_on=D(2027, 7, 30))) == [("late_fee", Decimal("2000.00"))]
    assert amounts(fees.late_fee(s, paid_on=D(2027, 11, 30))) == [("late_fee", Decimal("2000.00"))]
    line = fees.late_fee(s, paid_on=D(2026, 12, 10))[0]
    assert line.rule == (
        "FY 2026-27 schedule: late fee 200.00 a month for 3 month(s) after 2026-09-30, "
        "at most 2000.00"
    )


def test_a_zero_cap_means_no_cap_and_zero_fees_make_no_line():
    s = Schedule(late_fee_cap=Decimal("0"), application_fee=Decimal("0"))
    assert fees.late_fee(s, paid_on=D(2027, 11, 30))[0].amount == Decimal("2800.00")
    assert fees.application_fee(s) == []
    assert fees.card_replacement_fee(Schedule(card_replacement_fee=Decimal("0"))) == []
    assert fees.late_fee(Schedule(late_fee_per_month=Decimal("0")), paid_on=D(2027, 1, 1)) == []


def test_money_is_rounded_half_up_to_the_paisa():
    s = Schedule(renewal_fee=Decimal("2000.005"), late_fee_per_month=Decimal("33.335"))
    lines = fees.renewal_fees(s, paid_on=D(2026, 10, 5))
    assert amounts(lines) == [
        ("renewal_fee", Decimal("2000.01")),
        ("late_fee", Decimal("33.34")),
    ]


def test_card_replacement_is_billed_under_the_plate_and_card_head():
    assert amounts(fees.card_replacement_fee(Schedule())) == [("plate_fee", Decimal("500.00"))]


# --- the fleet cap ----------------------------------------------------------------------------


def test_fleet_room():
    assert fees.fleet_room(None, 10_000) is None
    assert fees.fleet_room(100, 99) == 1
    assert fees.fleet_room(100, 100) == 0
    assert fees.fleet_room(100, 130) == 0  # a cap lowered below the fleet: no room, not -30


@pytest.mark.parametrize(
    ("city_cap", "city_count", "ward_cap", "ward_count", "ok"),
    [
        (None, 5000, None, 300, True),
        (8000, 7999, None, 300, True),
        (8000, 8000, None, 0, False),
        (8000, 10, 250, 249, True),
        (8000, 10, 250, 250, False),
        (None, 10, 0, 0, False),
    ],
)
def test_may_license_needs_room_in_the_city_and_the_ward(
    city_cap, city_count, ward_cap, ward_count, ok
):
    assert (
        fees.may_license(
            city_cap=city_cap, city_count=city_count, ward_cap=ward_cap, ward_count=ward_count
        )
        is ok
    )


def test_the_waiting_list_moves_first_come_and_a_full_ward_holds_back_nobody():
    waiting = [("a", 1), ("b", 2), ("c", 1), ("d", 3), ("e", 2)]
    moved = fees.waiting_list_moves(
        city_cap=100,
        city_count=97,
        ward_caps={1: 10, 2: 5},
        ward_counts={1: 10, 2: 4},
        waiting=waiting,
    )
    # Ward 1 is full (a, c wait on); ward 2 has one place (b, not e); ward 3 has no cap.
    assert moved == ["b", "d"]
    # The city's room stops the moves, in queue order.
    assert fees.waiting_list_moves(
        city_cap=100, city_count=99, ward_caps={}, ward_counts={}, waiting=waiting
    ) == ["a"]
    assert fees.waiting_list_moves(
        city_cap=None, city_count=0, ward_caps={}, ward_counts={}, waiting=waiting
    ) == ["a", "b", "c", "d", "e"]
