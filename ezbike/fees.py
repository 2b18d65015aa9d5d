"""E-bike fee and fleet-cap arithmetic: pure functions (no database).

Fees (the fiscal year's schedule, ezbike.models.FeeSchedule; defaults in ezbike/defaults.py)
- A new licence: the application fee (billed when the application is filed) and the
  licence fee (billed when the officer approves it). Never late.
- A renewal for a fiscal year: the renewal fee, plus the late fee when paid after that
  year's renewal deadline: the schedule's late fee for each month or part of a month
  after the deadline (`months_late`), at most the schedule's cap.
- A lost or damaged RFID card: the card replacement fee.

Every function returns `FeeLine(head, amount, rule)`: the payments revenue head, the amount
in taka (Decimal, two places, half-up — core.money.to_money) and the rule in English with
the same rule kept as data (core.explain) for pages in the reader's language.

Fleet cap (the schedule's city cap and ward caps; None means no cap)
- A place is taken by every vehicle whose licence for the year is approved, active,
  suspended or seized (`fleet_room`).
- A licence may be granted while both the city and the vehicle's ward have room
  (`may_license`); otherwise the application waits, first come first served.
- When places free up (a licence lapses), the waiting list moves in order: each waiting
  application whose ward still has room takes a place while the city has room; one whose
  ward is full keeps its place in the queue and does not hold back the others
  (`waiting_list_moves`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_noop

from core import explain as why
from core.money import to_money

ZERO = Decimal("0.00")


class Fees(Protocol):
    """What the arithmetic reads from a schedule (a FeeSchedule or any object alike)."""

    fiscal_year: str
    application_fee: Decimal
    licence_fee: Decimal
    renewal_fee: Decimal
    card_replacement_fee: Decimal
    late_fee_per_month: Decimal
    late_fee_cap: Decimal
    renewal_deadline: datetime.date


@dataclass(frozen=True)
class FeeLine:
    head: str  # a payments.models.RevenueHead value
    amount: Decimal
    rule: str  # in English, as recorded on the bill and in the audit log
    rule_data: why.Data | None = field(default=None, compare=False)

    @property
    def rule_text(self) -> str:
        """The rule in the active language."""
        return why.explain(self.rule_data) or self.rule


def _line(head: str, amount: Decimal, rule: why.Data) -> FeeLine:
    return FeeLine(head, to_money(amount), why.explain(rule, "en"), rule_data=rule)


def application_fee(schedule: Fees) -> list[FeeLine]:
    """The application fee of a new licence (no line when the schedule's fee is 0)."""
    amount = to_money(schedule.application_fee)
    if amount <= 0:
        return []
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: application fee %(fee)s"),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(amount),
    )
    return [_line("application_fee", amount, rule)]


def licence_fee(schedule: Fees) -> list[FeeLine]:
    """The licence fee of a new licence, billed when it is approved."""
    amount = to_money(schedule.licence_fee)
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: licence fee %(fee)s"),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(amount),
    )
    return [_line("licence_fee", amount, rule)]


def months_late(deadline: datetime.date, paid_on: datetime.date) -> int:
    """Months or parts of a month from the day after `deadline` to `paid_on`: 0 on or
    before the deadline; 1 from the next day up to the same day of the next month; …"""
    if paid_on <= deadline:
        return 0
    months = (paid_on.year - deadline.year) * 12 + (paid_on.month - deadline.month)
    # A month is complete on the deadline's day of a later month (the 31st: its last day).
    if paid_on.day > _same_day(deadline.day, paid_on):
        months += 1
    return max(months, 1)


def _same_day(day: int, d: datetime.date) -> int:
    """`day` in d's month, or that month's last day when it is shorter."""
    following = (d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return min(day, (following - datetime.timedelta(days=1)).day)


def late_fee(schedule: Fees, *, paid_on: datetime.date) -> list[FeeLine]:
    """The late fee of a renewal paid on `paid_on`: the schedule's fee per month or part
    after its renewal deadline, at most its cap; no line when not late."""
    months = months_late(schedule.renewal_deadline, paid_on)
    if months == 0:
        return []
    uncapped = to_money(schedule.late_fee_per_month) * months
    cap = to_money(schedule.late_fee_cap)
    amount = min(uncapped, cap) if cap > 0 else uncapped
    if amount <= 0:
        return []
    rule = why.because(
        gettext_noop(
            "FY %(fy)s schedule: late fee %(fee)s a month for %(months)s month(s) after "
            "%(deadline)s, at most %(cap)s"
        ),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(schedule.late_fee_per_month),
        months=why.number(months),
        deadline=why.day(schedule.renewal_deadline),
        cap=why.taka(cap),
    )
    return [_line("late_fee", amount, rule)]


def renewal_fees(schedule: Fees, *, paid_on: datetime.date) -> list[FeeLine]:
    """A renewal for the schedule's year paid on `paid_on`: the renewal fee and any late
    fee."""
    amount = to_money(schedule.renewal_fee)
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: renewal fee %(fee)s"),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(amount),
    )
    return [_line("renewal_fee", amount, rule), *late_fee(schedule, paid_on=paid_on)]


def card_replacement_fee(schedule: Fees) -> list[FeeLine]:
    """A lost or damaged card's replacement (no line when the schedule's fee is 0)."""
    amount = to_money(schedule.card_replacement_fee)
    if amount <= 0:
        return []
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: RFID card replacement fee %(fee)s"),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(amount),
    )
    return [_line("plate_fee", amount, rule)]


def seizure_fine(schedule: Fees) -> list[FeeLine]:
    """The fine that releases a seized e-bike (head "other": payments has no head of fines;
    no line when the schedule's fine is 0)."""
    amount = to_money(getattr(schedule, "seizure_fine", ZERO))
    if amount <= 0:
        return []
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: fine to release a seized e-bike %(fee)s"),
        fy=why.fy(schedule.fiscal_year),
        fee=why.taka(amount),
    )
    return [_line("other", amount, rule)]


def total(lines: Iterable[FeeLine]) -> Decimal:
    return to_money(sum((line.amount for line in lines), ZERO))


# --- the fleet cap ----------------------------------------------------------------------------


def fleet_room(cap: int | None, counted: int) -> int | None:
    """Places left under `cap` with `counted` taken (never below 0); None: no cap."""
    if cap is None:
        return None
    return max(0, int(cap) - int(counted))


def may_license(
    *, city_cap: int | None, city_count: int, ward_cap: int | None, ward_count: int
) -> bool:
    """Whether one more licence fits under both the city's and the ward's cap."""
    return all(
        room is None or room > 0
        for room in (fleet_room(city_cap, city_count), fleet_room(ward_cap, ward_count))
    )


def waiting_list_moves(
    *,
    city_cap: int | None,
    city_count: int,
    ward_caps: Mapping[int, int | None],
    ward_counts: Mapping[int, int],
    waiting: Sequence[tuple[object, int]],
) -> list[object]:
    """Which waiting applications take a place now, in queue order. `waiting` is the queue
    (first come first) of (application, ward number); a ward missing from `ward_caps` has
    no cap of its own. An application whose ward is full stays waiting without holding
    back those behind it; the moves stop when the city is full."""
    city_room = fleet_room(city_cap, city_count)
    counts = dict(ward_counts)
    moved: list[object] = []
    for application, ward in waiting:
        if city_room is not None and city_room <= 0:
            break
        if not may_license(
            city_cap=None,
            city_count=0,
            ward_cap=ward_caps.get(ward),
            ward_count=counts.get(ward, 0),
        ):
            continue
        moved.append(application)
        counts[ward] = counts.get(ward, 0) + 1
        if city_room is not None:
            city_room -= 1
    return moved
