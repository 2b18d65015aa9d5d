"""Market shop and lease arithmetic: pure functions (no database), each amount with how it
was made (core.explain), as water_billing/tariff.py does for water.

Money (docs/markets.md): taka with two decimals (paisa), rounded half-up
(core.money.to_money), once per line, on the exact product of its figures — area × rate,
rent × months, rent × percent × months ÷ 100, the average of the past lease amounts — never
on a rounded intermediate other than the month's rent, which is itself a line: the deposit
(months of rent), the transfer fee (14 months' rent) and the surcharge are multiples of the
*rounded* monthly rent, as the lessee's bills show it.

Which schedule applies: the rent for a month is charged under the rent schedule in force on
the month's first day — one rate for the whole month, never pro rata. A schedule revised
from the 15th therefore first applies to the next month (the schedule in force in the bill's
month is the one the month began under). Salami and the security deposit are fixed once, by
the schedule in force on the day the agreement starts; a transfer fee by the schedule in
force in the month of the transfer.

Surcharge: rent unpaid after its due date (the `due_day` of its month, 7 by default) is
charged `surcharge_percent` of that month's rent for each month or part of a month it is
overdue (not compounded: always of the rent, never of an earlier surcharge), plus
`surcharge_fixed` once. "Months overdue" on a day counts the due date's monthly anniversaries
passed: rent due on 7 November is 1 month overdue from 8 November to 7 December, 2 months
from 8 December.

Ijara: a haat, bazar or ghat is leased for one Bengali year, 1 Boishakh to the last day of
Chaitra (core.bengali, the revised calendar: 14 April to 13 April). Reserve price = the
average of the lease amounts of the three most recent years on record before the lease
year (fewer when fewer are known). VAT and income tax are percentages of the lease amount,
each its own line.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext_noop

from core.bengali import bengali_date, gregorian_date, month_length
from core.explain import Data, because, day, explain, joined, number, taka
from core.money import to_money

ZERO = Decimal("0.00")

# Line kinds; each is billed under the payments revenue head of the same name.
RENT = "rent"
SALAMI = "salami"
SECURITY_DEPOSIT = "security_deposit"
SURCHARGE = "surcharge"
TRANSFER_FEE = "transfer_fee"
LEASE = "lease"
VAT = "vat"
INCOME_TAX = "income_tax"
BID_SECURITY = "security_deposit"  # a bid security is a deposit, refunded to losing bidders


class ScheduleError(ValueError):
    """No schedule or rules in effect, or two taking effect on one day: the data is wrong."""


@dataclass(frozen=True)
class Schedule:
    """A market floor's rates (market_leases.models.RentSchedule.as_schedule())."""

    effective_from: datetime.date
    rent_per_sqft: Decimal  # taka per square foot per month
    salami_per_sqft: Decimal = ZERO  # one-time premium per square foot
    deposit_months: int = 0  # security deposit, in months of rent


@dataclass(frozen=True)
class Rules:
    """The city's lease rules (market_leases.models.LeaseRules.as_rules())."""

    effective_from: datetime.date
    due_day: int = 7
    surcharge_percent: Decimal = ZERO  # of the overdue month's rent, per month or part
    surcharge_fixed: Decimal = ZERO  # plus this, once per overdue month
    transfer_fee_months: int = 14
    cancellation_arrears_months: int = 3
    vat_percent: Decimal = Decimal("15")
    income_tax_percent: Decimal = Decimal("5")
    bid_security_percent: Decimal = Decimal("25")
    reserve_years: int = 3


@dataclass(frozen=True)
class Line:
    """One amount: its kind (= its revenue head), the amount and how it was made."""

    kind: str
    amount: Decimal
    explanation: Data

    @property
    def head(self) -> str:
        return self.kind

    @property
    def rule(self) -> str:
        """The explanation in English (for the API and the audit log)."""
        return explain(self.explanation, "en")


def _area(area: Decimal | int | str) -> Decimal:
    value = Decimal(str(area))
    if value <= 0:
        raise ValueError("A shop's area is a positive number of square feet.")
    return value


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return to_money(Decimal(amount) * Decimal(percent) / 100)


# --- what is in force -------------------------------------------------------------------------


class _Dated(Protocol):
    @property
    def effective_from(self) -> datetime.date: ...


D = TypeVar("D", bound=_Dated)


def in_force(items: Iterable[D], on: datetime.date) -> D:
    """The item (schedule or rules) in force on `on`: the latest taking effect on or before
    it. ScheduleError when none is, or when two take effect on the same day."""
    ordered = sorted(items, key=lambda i: i.effective_from)
    dates = [i.effective_from for i in ordered]
    if len(set(dates)) != len(dates):
        raise ScheduleError("Two schedules take effect on the same day.")
    current = [i for i in ordered if i.effective_from <= on]
    if not current:
        raise ScheduleError(f"No schedule is in effect on {on.isoformat()}.")
    return current[-1]


def month_start(month: datetime.date) -> datetime.date:
    return month.replace(day=1)


def schedule_for_month(schedules: Iterable[Schedule], month: datetime.date) -> Schedule:
    """The schedule a month's rent is charged under: the one in force on its first day."""
    return in_force(schedules, month_start(month))


# --- a shop's rent, salami, deposit, transfer fee ----------------------------------------------


def monthly_rent(area: Decimal | int | str, schedule: Schedule) -> Line:
    """A month's rent: area (sq ft) × the schedule's rent per sq ft a month, rounded once."""
    size = _area(area)
    rate = Decimal(schedule.rent_per_sqft)
    return Line(
        RENT,
        to_money(size * rate),
        because(
            gettext_noop("Schedule from %(schedule)s: %(area)s sq ft × %(rate)s per sq ft a month"),
            schedule=day(schedule.effective_from),
            area=number(size),
            rate=taka(rate),
        ),
    )


def rent_for_month(
    area: Decimal | int | str, schedules: Iterable[Schedule], month: datetime.date
) -> Line:
    """The rent of `month`'s month, under the schedule in force on its first day."""
    return monthly_rent(area, schedule_for_month(schedules, month))


def salami(area: Decimal | int | str, schedule: Schedule) -> Line:
    """The one-time premium: area × the schedule's salami per sq ft."""
    size = _area(area)
    rate = Decimal(schedule.salami_per_sqft)
    return Line(
        SALAMI,
        to_money(size * rate),
        because(
            gettext_noop("Schedule from %(schedule)s: salami %(area)s sq ft × %(rate)s per sq ft"),
            schedule=day(schedule.effective_from),
            area=number(size),
            rate=taka(rate),
        ),
    )


def _months_of_rent(kind: str, rent: Line, months: int, message: str) -> Line:
    return Line(
        kind,
        to_money(rent.amount * months),
        because(message, months=number(months), rent=taka(rent.amount), how=rent.explanation),
    )


def security_deposit(area: Decimal | int | str, schedule: Schedule) -> Line:
    """The security deposit: the schedule's months × the (rounded) monthly rent."""
    return _months_of_rent(
        SECURITY_DEPOSIT,
        monthly_rent(area, schedule),
        schedule.deposit_months,
        gettext_noop("Security deposit: %(months)s months' rent of %(rent)s (%(how)s)"),
    )


def transfer_fee(area: Decimal | int | str, schedule: Schedule, rules: Rules) -> Line:
    """A name change (transfer): the rules' months (14) × the monthly rent under the
    schedule in force in the month of the transfer."""
    return _months_of_rent(
        TRANSFER_FEE,
        monthly_rent(area, schedule),
        rules.transfer_fee_months,
        gettext_noop("Transfer fee: %(months)s months' rent of %(rent)s (%(how)s)"),
    )


# --- due dates, surcharge, arrears -------------------------------------------------------------


def due_date(month: datetime.date, rules: Rules) -> datetime.date:
    """The day a month's rent is due: the rules' due day of that month (the 7th)."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(rules.due_day, last))


def months_overdue(due: datetime.date, on: datetime.date) -> int:
    """Months or parts of a month since `due` on day `on` (0 on or before the due date):
    due 7 November → 1 from 8 November to 7 December, 2 from 8 December."""
    if on <= due:
        return 0
    whole = (on.year - due.year) * 12 + on.month - due.month
    return whole + (1 if on.day > due.day else 0)


def surcharge(
    rent: Decimal | int | str, *, due: datetime.date, on: datetime.date, rules: Rules
) -> Line | None:
    """The surcharge on a month's rent left unpaid past `due`, as it stands on `on`:
    rent × surcharge_percent × months overdue ÷ 100 (rounded once) + the fixed amount.
    None when not overdue or the rules charge nothing."""
    amount = to_money(rent)
    months = months_overdue(due, on)
    if amount <= 0 or months == 0:
        return None
    percent = Decimal(rules.surcharge_percent)
    fixed = to_money(rules.surcharge_fixed)
    total = to_money(amount * percent * months / 100) + fixed
    if total <= 0:
        return None
    return Line(
        SURCHARGE,
        total,
        because(
            gettext_noop(
                "Rules from %(rules)s: surcharge %(percent)s%% of the rent %(rent)s for each of "
                "%(months)s month(s) overdue since %(due)s, plus %(fixed)s"
            ),
            rules=day(rules.effective_from),
            percent=number(percent),
            rent=taka(amount),
            months=number(months),
            due=day(due),
            fixed=taka(fixed),
        ),
    )


def arrears_reach_cancellation(unpaid_months: int, rules: Rules) -> bool:
    """Whether this many months' rent unpaid past their due dates allow cancelling the
    allotment (after the notice and the hearing): at least cancellation_arrears_months."""
    return unpaid_months >= rules.cancellation_arrears_months


@dataclass(frozen=True)
class SetOff:
    """The security deposit set against what is owed on cancellation."""

    deposit: Decimal
    owed: Decimal
    applied: tuple[tuple[str, Decimal], ...]  # (due, the part of the deposit set against it)
    refund: Decimal  # what is left of the deposit, refunded to the lessee
    still_owed: Decimal  # what the deposit did not cover, still owed by the lessee

    @property
    def applied_total(self) -> Decimal:
        return sum((amount for _, amount in self.applied), ZERO)


def deposit_set_off(
    deposit: Decimal | int | str, dues: Sequence[tuple[str, Decimal | int | str]]
) -> SetOff:
    """Set the deposit against `dues` (each (what, amount), oldest first, a month's rent
    before its surcharge): each is covered in turn while the deposit lasts. Whatever is left
    of the deposit is refunded; whatever is not covered is still owed."""
    left = to_money(deposit)
    if left < 0:
        raise ValueError("A deposit is not negative.")
    applied: list[tuple[str, Decimal]] = []
    owed = ZERO
    for what, amount in dues:
        amount = to_money(amount)
        if amount < 0:
            raise ValueError("A due is not negative.")
        owed += amount
        part = min(left, amount)
        if part > 0:
            applied.append((what, part))
            left -= part
    covered = sum((a for _, a in applied), ZERO)
    return SetOff(
        deposit=to_money(deposit),
        owed=owed,
        applied=tuple(applied),
        refund=left,
        still_owed=owed - covered,
    )


# --- ijara: reserve price, VAT and income tax, bid security, the Bengali year ------------------


@dataclass(frozen=True)
class Reserve:
    amount: Decimal
    years: tuple[int, ...]  # the Bengali years averaged, latest first
    explanation: Data


def reserve_price(
    amounts: Mapping[int, Decimal | int | str], year: int, *, years: int = 3
) -> Reserve:
    """The reserve price of a site for Bengali `year`: the average of the lease amounts of
    the `years` (3) most recent years on record before it (fewer when fewer are known),
    rounded half-up to paisa once. ValueError when no earlier year is on record."""
    past = sorted((y for y in amounts if y < year), reverse=True)[:years]
    if not past:
        raise ValueError(f"No lease amount is on record before {year}.")
    figures = [to_money(amounts[y]) for y in past]
    average = to_money(sum(figures, ZERO) / len(figures))
    return Reserve(
        average,
        tuple(past),
        because(
            gettext_noop("Average of the lease amounts of %(count)s year(s): %(amounts)s"),
            count=number(len(figures)),
            amounts=joined(
                [
                    because(gettext_noop("%(year)s: %(amount)s"), year=number(y), amount=taka(a))
                    for y, a in zip(past, figures, strict=True)
                ],
                separator=", ",
            ),
        ),
    )


def lease_taxes(amount: Decimal | int | str, rules: Rules) -> list[Line]:
    """What the winner pays on a lease amount: the lease, VAT and income tax (each a
    percentage of the lease amount, rounded half-up on its own). Their sum is the total."""
    lease = to_money(amount)
    vat = _percent_of(lease, rules.vat_percent)
    tax = _percent_of(lease, rules.income_tax_percent)
    about = {"rules": day(rules.effective_from), "lease": taka(lease)}
    return [
        Line(LEASE, lease, because(gettext_noop("Lease amount %(lease)s"), **about)),
        Line(
            VAT,
            vat,
            because(
                gettext_noop(
                    "Rules from %(rules)s: VAT %(percent)s%% of the lease amount %(lease)s"
                ),
                percent=number(rules.vat_percent),
                **about,
            ),
        ),
        Line(
            INCOME_TAX,
            tax,
            because(
                gettext_noop(
                    "Rules from %(rules)s: income tax %(percent)s%% of the lease amount %(lease)s"
                ),
                percent=number(rules.income_tax_percent),
                **about,
            ),
        ),
    ]


def bid_security(bid: Decimal | int | str, rules: Rules) -> Decimal:
    """The bid security deposited with a bid: bid_security_percent (25) of it, half-up."""
    return _percent_of(to_money(bid), rules.bid_security_percent)


def bid_security_banded(
    bid: Decimal | int | str, rules: Rules, step: Decimal | int | str
) -> Decimal:
    """The security a sealed bid deposits: its bid_security_percent (25) rounded *up* to a
    multiple of the tender's `step`, so it is never below 25% of the bid and the amount paid
    tells the bid only to within 4 × step (Tk 1,234,567.00 with a step of 50,000: 25% is
    308,641.75, the security 350,000.00)."""
    exact = bid_security(bid, rules)
    unit = to_money(step)
    if unit <= 0:
        raise ValueError("The security's step is a positive amount.")
    steps = (exact / unit).to_integral_value(rounding=ROUND_CEILING)
    return to_money(max(steps, Decimal(1)) * unit)


def lease_balance(
    bid: Decimal | int | str, security_held: Decimal | int | str, rules: Rules
) -> list[Line]:
    """What the winner pays on being offered the lease: the bid less the security the city
    holds, then VAT and income tax on the whole bid (lease_taxes). 1,234,567.00 with
    350,000.00 held: 884,567.00 + 185,185.05 + 61,728.35 = 1,131,480.40."""
    lease, vat, tax = lease_taxes(bid, rules)
    held = to_money(security_held)
    balance = Line(
        LEASE,
        lease.amount - held,
        because(
            gettext_noop("Lease amount %(lease)s less the bid security held %(held)s"),
            lease=taka(lease.amount),
            held=taka(held),
        ),
    )
    return [balance, vat, tax]


def total(lines: Iterable[Line]) -> Decimal:
    """The sum of rounded lines."""
    return sum((line.amount for line in lines), ZERO)


def bengali_year_of(d: datetime.date) -> int:
    """The Bengali year `d` falls in (it begins on 14 April: 13 April 2026 is in 1432,
    14 April 2026 in 1433)."""
    return bengali_date(d).year


def ijara_term(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of an ijara for Bengali `year`: 1 Boishakh to the last day of
    Chaitra (1433: 14 April 2026 to 13 April 2027)."""
    return gregorian_date(year, 1, 1), gregorian_date(year, 12, month_length(year, 12))


def as_plain(line: Line) -> dict[str, Any]:
    """A line as plain data (amount as a string), for tests, the API and audit rows."""
    return {"kind": line.kind, "head": line.head, "amount": str(line.amount), "rule": line.rule}
