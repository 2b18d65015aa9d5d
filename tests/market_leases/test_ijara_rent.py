"""Ijara arithmetic (market_leases/rent.py, no database): worked examples in the names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from market_leases import rent

RULES = rent.Rules(effective_from=date(2024, 7, 1))


def test_reserve_1430_to_1432_of_1200000_1250000_1300000_is_1250000():
    amounts = {1429: "900000", 1430: "1200000", 1431: "1250000", 1432: "1300000"}
    reserve = rent.reserve_price(amounts, 1433)
    assert reserve.amount == Decimal("1250000.00")
    assert reserve.years == (1432, 1431, 1430)


def test_reserve_of_1000001_1000000_1000000_is_1000000_33_half_up():
    amounts = {1430: "1000001", 1431: "1000000", 1432: "1000000"}
    assert rent.reserve_price(amounts, 1433).amount == Decimal("1000000.33")


def test_reserve_from_two_years_100_01_and_100_00_is_100_01_and_none_is_an_error():
    assert rent.reserve_price({1431: "100.01", 1432: "100.00"}, 1433).amount == Decimal("100.01")
    with pytest.raises(ValueError, match="No lease amount"):
        rent.reserve_price({1433: "5"}, 1433)


def test_lease_1234567_vat_185185_05_income_tax_61728_35_total_1481480_40():
    lines = rent.lease_taxes("1234567.00", RULES)
    assert [line.amount for line in lines] == [
        Decimal("1234567.00"),
        Decimal("185185.05"),
        Decimal("61728.35"),
    ]
    assert rent.total(lines) == Decimal("1481480.40")


def test_lease_1000000_10_vat_150000_02_income_tax_50000_01():
    _, vat, tax = rent.lease_taxes("1000000.10", RULES)
    assert (vat.amount, tax.amount) == (Decimal("150000.02"), Decimal("50000.01"))


def test_security_of_1234567_is_25_percent_308641_75_banded_up_to_350000_in_steps_of_50000():
    assert rent.bid_security("1234567.00", RULES) == Decimal("308641.75")
    assert rent.bid_security_banded("1234567.00", RULES, "50000") == Decimal("350000.00")
    # Exactly on a step stays there; a paisa more goes to the next; never below 25%.
    assert rent.bid_security_banded("1200000.00", RULES, "50000") == Decimal("300000.00")
    assert rent.bid_security_banded("1200000.04", RULES, "50000") == Decimal("350000.00")
    for bid in ("1250000", "1399999.99", "1400000"):
        banded = rent.bid_security_banded(bid, RULES, "50000")
        assert banded >= rent.bid_security(bid, RULES)
        assert banded == Decimal("350000.00")  # these three bids pay the same security


def test_balance_of_1234567_with_350000_held_is_884567_plus_vat_and_tax_1131480_40():
    lines = rent.lease_balance("1234567.00", "350000.00", RULES)
    assert [line.amount for line in lines] == [
        Decimal("884567.00"),
        Decimal("185185.05"),
        Decimal("61728.35"),
    ]
    assert rent.total(lines) == Decimal("1131480.40")


def test_bengali_year_13_april_2026_is_1432_and_14_april_2026_begins_1433():
    assert rent.bengali_year_of(date(2026, 4, 13)) == 1432
    assert rent.bengali_year_of(date(2026, 4, 14)) == 1433


def test_ijara_1433_runs_14_april_2026_to_13_april_2027_and_1434_ends_13_april_2028():
    assert rent.ijara_term(1433) == (date(2026, 4, 14), date(2027, 4, 13))
    start, end = rent.ijara_term(1434)
    assert (start, end) == (date(2027, 4, 14), date(2028, 4, 13))
    assert (end - start).days + 1 == 366
