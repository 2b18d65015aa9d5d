"""The revenue officer's collections at a glance: what every service collected in a period
(today, this month, this fiscal year or any days), by service and revenue head, by channel
and payment method, at each counter office and clerk, by ward, and by day or month —
each against the same days of the year before. Read from the collection rollups
(payments/rollups.py), so a figure costs a few thousand rows however long the ledger.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from core import portal
from core.fiscal import fiscal_year, fiscal_year_bounds

from .rollups import collected

#: What each payment method reads as ("" is cash at the counter); a test checks that every
#: method of payments.rollups.METHODS has one.
METHOD_LABELS = {
    "bkash": gettext_lazy("bKash"),
    "nagad": gettext_lazy("Nagad"),
    "rocket": gettext_lazy("Rocket"),
    "upay": gettext_lazy("Upay"),
    "card": gettext_lazy("Card"),
    "internet_banking": gettext_lazy("Internet banking"),
    "other": gettext_lazy("Other online"),
    "": gettext_lazy("Cash at the counter"),
}


#: Filters the dashboard takes, each a rollup dimension (payments.rollups.KEY).
FILTERS = ("service", "head", "channel", "method", "ward_key", "office_key", "clerk_key")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_before(self) -> Period:
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1))


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_for(kind: str, today: datetime.date, start: Any = None, end: Any = None) -> Period:
    """ "today", "month" (1st to today), "fy" (1 July to today) or "custom" (start–end)."""
    if kind == "today":
        return Period(today, today)
    if kind == "fy":
        return Period(fiscal_year_bounds(fiscal_year(today))[0], today)
    if kind == "custom" and start and end:
        return Period(min(start, end), max(start, end))
    return Period(today.replace(day=1), today)


@dataclass
class Figure:
    """One row of a table: its dimension values, this period's amount and the year before's."""

    key: tuple[Any, ...]
    amount: Decimal
    before: Decimal

    @property
    def change(self) -> Decimal | None:
        """Percent change on the year before (None when there was nothing then)."""
        if not self.before:
            return None
        return ((self.amount - self.before) * 100 / abs(self.before)).quantize(Decimal("0.1"))


@dataclass
class Overview:
    period: Period
    filters: dict[str, Any]
    total: Figure
    tables: dict[str, list[Figure]] = field(default_factory=dict)
    trend: list[Figure] = field(default_factory=list)
    trend_by: str = "day"  # or "month"
    demand: list[DemandRow] = field(default_factory=list)


@dataclass(frozen=True)
class DemandRow:
    """A service's demand in the period (what fell due) beside what it collected then."""

    service: str
    demand: Decimal
    collected: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.demand:
            return None
        return (self.collected * 100 / self.demand).quantize(Decimal("0.1"))


#: The tables of the dashboard: their dimensions.
TABLES: dict[str, Sequence[str]] = {
    "service": ("service", "head"),
    "method": ("channel", "method"),
    "counter": ("office_key", "clerk_key"),
    "ward": ("ward_key",),
}


def _filter_q(filters: dict[str, Any]) -> Q:
    q = Q()
    for name in FILTERS:
        value = filters.get(name)
        if value not in (None, ""):
            q &= Q(**{name: value})
    return q


def figures(group: Sequence[str], period: Period, filters: dict[str, Any]) -> list[Figure]:
    """This period against the same days a year before, grouped by `group`; largest first."""
    where, before = _filter_q(filters), period.year_before()
    now = {r.key: r.amount for r in collected(group, where, period.start, period.end)}
    then = {r.key: r.amount for r in collected(group, where, before.start, before.end)}
    zero = Decimal("0.00")
    rows = [Figure(k, now.get(k, zero), then.get(k, zero)) for k in set(now) | set(then)]
    return sorted(rows, key=lambda f: (-f.amount, -f.before, str(f.key)))


def _trend(period: Period, filters: dict[str, Any]) -> tuple[str, list[Figure]]:
    """By day (up to 62 days) or by month, every day or month of the period present."""
    where, before = _filter_q(filters), period.year_before()
    by_month = period.days > 62
    group = ["month" if by_month else "day"]
    now = collected(group, where, period.start, period.end)
    then = collected(group, where, before.start, before.end)
    zero = Decimal("0.00")

    def bucket(day: datetime.date) -> datetime.date:
        return day.replace(day=1) if by_month else day

    amounts: dict[datetime.date, list[Decimal]] = {}
    day = period.start
    while day <= period.end:
        amounts.setdefault(bucket(day), [zero, zero])
        day += datetime.timedelta(days=1)
    for row in now:
        amounts[bucket(row.key[0])][0] += row.amount
    for row in then:
        moved = _shift_year(row.key[0], 1)
        if bucket(moved) in amounts:
            amounts[bucket(moved)][1] += row.amount
    return (
        "month" if by_month else "day",
        [Figure((d,), a, b) for d, (a, b) in sorted(amounts.items())],
    )


def overview(period: Period, filters: dict[str, Any]) -> Overview:
    """Everything the dashboard shows for `period` under `filters`."""
    (total,) = figures((), period, filters) or [Figure((), Decimal("0.00"), Decimal("0.00"))]
    result = Overview(period=period, filters=filters, total=total)
    for name, group in TABLES.items():
        rows = figures(group, period, filters)
        if name == "counter":
            rows = [r for r in rows if r.key != (0, 0)]  # online money has no counter
        result.tables[name] = rows
    result.trend_by, result.trend = _trend(period, filters)
    result.demand = against_demand(period, filters, result.tables["service"])
    return result


#: The filters a demand can follow: a service's dues know their service and ward only.
DEMAND_FILTERS = ("service", "ward_key")


def against_demand(
    period: Period, filters: dict[str, Any], by_service: list[Figure]
) -> list[DemandRow]:
    """Every service that declares a demand (core.portal.ServiceSpec.demand): what fell due
    in the period — in the chosen ward — beside what it collected (the service table's
    rows, summed over heads). None when the figures are filtered by anything else (a
    channel, method, counter or revenue head has no demand)."""
    if any(filters.get(n) not in (None, "") for n in FILTERS if n not in DEMAND_FILTERS):
        return []
    chosen = filters.get("service") or None
    collected_by: dict[str, Decimal] = {}
    for figure in by_service:
        collected_by[figure.key[0]] = (
            collected_by.get(figure.key[0], Decimal("0.00")) + figure.amount
        )
    return [
        DemandRow(
            service=spec.key,
            demand=spec.demand(period.start, period.end, filters.get("ward_key") or None),
            collected=collected_by.get(spec.key, Decimal("0.00")),
        )
        for spec in portal.specs()
        if spec.demand is not None and chosen in (None, spec.key)
    ]
