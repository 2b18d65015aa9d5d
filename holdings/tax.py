"""Holding-tax arithmetic: pure functions, each returning the amount and how it was made.

Rounding rule (the same in the set-based SQL of demands.py):
- amounts are in taka with two decimals (paisa); every percentage is applied to an exact
  paisa amount and rounded half-up to the paisa;
- the annual valuation is rounded half-up to the paisa after each step (one sixth off,
  then the owner-occupied concession);
- instalments 1–3 of each revenue head are a quarter of the yearly amount rounded down
  to the paisa; the 4th takes the remainder, so the four always add up exactly;
- a rebate or surcharge is a percentage of the amount it applies to, rounded half-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from core.money import to_money

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """`value` in taka, half-up to the paisa: core.money.to_money, which also takes floats
    here (by their exact binary value, as Decimal(float) does)."""
    if isinstance(value, float):
        value = Decimal(value)
    return to_money(value)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent`% of `amount`, half-up to the paisa."""
    return money(Decimal(amount) * Decimal(percent) / 100)


@dataclass(frozen=True)
class Valuation:
    annual_rent: Decimal
    owner_occupied: bool
    after_maintenance: Decimal
    annual_valuation: Decimal
    explanation: str


def annual_valuation(
    annual_rent: Decimal, *, owner_occupied: bool, concession_percent: Decimal = Decimal("40")
) -> Valuation:
    """Yearly rent less two months' rent (one sixth) for maintenance; owner-occupied
    buildings a further `concession_percent` less."""
    rent = money(annual_rent)
    if rent < 0:
        raise ValueError("The yearly rent cannot be negative.")
    after = money(rent - rent / 6)
    value = after
    text = f"yearly rent {rent} less one sixth for maintenance = {after}"
    if owner_occupied:
        value = money(after - after * Decimal(concession_percent) / 100)
        text += f"; owner-occupied, {concession_percent}% less = {value}"
    return Valuation(rent, owner_occupied, after, value, text)


@dataclass(frozen=True)
class Unit:
    """One floor or flat of a building as the assessor records it."""

    label: str
    use: str
    owner_occupied: bool
    annual_rent: Decimal


@dataclass(frozen=True)
class BuildingValuation:
    units: list[tuple[Unit, Valuation]]
    annual_rent: Decimal
    annual_valuation: Decimal
    explanation: str


def building_valuation(
    units: Sequence[Unit], *, concession_percent: Decimal = Decimal("40")
) -> BuildingValuation:
    """A building valued unit by unit, each by annual_valuation() with its own
    owner-occupied flag (and so its own rounding), summed: the owner on one floor and
    tenants on the others."""
    if not units:
        raise ValueError("A building is valued from at least one unit.")
    valued = [
        (
            unit,
            annual_valuation(
                unit.annual_rent,
                owner_occupied=unit.owner_occupied,
                concession_percent=concession_percent,
            ),
        )
        for unit in units
    ]
    rent = sum((v.annual_rent for _u, v in valued), ZERO)
    value = sum((v.annual_valuation for _u, v in valued), ZERO)
    text = "; ".join(f"{u.label}: {v.explanation}" for u, v in valued)
    return BuildingValuation(valued, rent, value, f"{text}; sum of the units = {value}")


@dataclass(frozen=True)
class HeadAmount:
    head: str
    percent: Decimal | None
    amount: Decimal
    rule: str


def yearly_tax(
    valuation: Decimal,
    rates: Iterable[tuple[str, Decimal]],
    *,
    fiscal_year: str,
    use: str,
    vacant_land_flat_tax: Decimal | None = None,
) -> list[HeadAmount]:
    """The yearly amount per revenue head. Vacant land pays the schedule's flat tax as
    holding tax instead of percentages when one is given (the schedule's flat basis);
    otherwise its rate heads apply to its nominal valuation like any other use."""
    if use == "vacant_land" and vacant_land_flat_tax is not None:
        return [
            HeadAmount(
                "holding_tax",
                None,
                money(vacant_land_flat_tax),
                f"FY {fiscal_year} schedule: vacant land flat tax",
            )
        ]
    return [
        HeadAmount(
            head,
            Decimal(pct),
            percent_of(valuation, pct),
            f"FY {fiscal_year} schedule: {head} {pct}% of {use} valuation {valuation}",
        )
        for head, pct in rates
    ]


def split_quarters(amount: Decimal) -> list[Decimal]:
    """Four instalments: 1–3 a quarter rounded down to the paisa, the 4th the remainder."""
    amount = money(amount)
    quarter = (amount / 4).quantize(PAISA, rounding=ROUND_FLOOR)
    return [quarter, quarter, quarter, amount - 3 * quarter]


def instalments(lines: Sequence[HeadAmount]) -> list[Decimal]:
    """Instalment totals: each head split into quarters, summed per quarter."""
    per_head = [split_quarters(line.amount) for line in lines]
    return [sum((h[q] for h in per_head), ZERO) for q in range(4)]


def rebate_percent(quarters_paid_together: int, grades: Iterable[tuple[int, Decimal]]) -> Decimal:
    """The best grade whose quarter count is met (e.g. 4 quarters → 10%)."""
    best = ZERO
    for quarters, percent in grades:
        if quarters_paid_together >= quarters and Decimal(percent) > best:
            best = Decimal(percent)
    return best


def surcharge(principal: Decimal, percent: Decimal) -> Decimal:
    """Surcharge on arrears: `percent`% of the unpaid principal, once, half-up."""
    return percent_of(principal, percent)
