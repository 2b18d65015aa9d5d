# ruff: noqa: S608  (set-based SQL: table names from the models' _meta, every value a parameter)
"""A month's shop rent, generated set-based: one INSERT … SELECT over every active allotment
(no loop over shops), the same on PostgreSQL and SQLite.

What a month becomes (docs/markets.md, "Monthly rent"):

- every allotment **active** when the run is made whose agreement covers the month's first
  day gets one RentMonth for the month — the unique constraint (allotment, month) is the
  rule and the INSERT skips what exists (ON CONFLICT DO NOTHING), so a second run changes
  nothing and an allotment made active later gets its month on the next run;
- the rent: area × rent per sq ft of the rent schedule of the shop's market and floor **in
  force on the month's first day** (rent.rent_for_month's rule, never pro rata), computed
  in integer paisa with the same half-up rounding as rent.monthly_rent; a shop whose floor
  has no schedule then is skipped and counted;
- due on the lease rules' due day (rent.due_date, the rules in force on the month's first
  day); the surcharge of an overdue month is reckoned when its bill is made
  (services.billing.rent_bill_issue: rent.surcharge, never compounded);
- arrears are carried: earlier months stay their own dues, paid together with the new one;
  the new month records what they add up to in rent (`arrears`, for the SMS and statement).

Runs of one month are serialised (a transaction-level advisory lock on PostgreSQL; SQLite
writes one transaction at a time).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core import audit
from core.money import to_money

from . import rent
from .models import Allotment, RentMonth, RentRun, RentSchedule, Shop
from .selectors import NotInForce, rules_in_force

Progress = Callable[[str, int], None]


class BillingError(ValueError):
    """The month cannot be billed (a month to come, no lease rules in force)."""


@dataclass
class RentResult:
    period: datetime.date
    due_date: datetime.date
    months: int = 0
    no_schedule: int = 0
    total: Decimal = Decimal("0.00")

    def counts(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "no_schedule": self.no_schedule,
            "total": str(self.total),
            "due_date": self.due_date.isoformat(),
        }


def as_period(value: datetime.date | str) -> datetime.date:
    """A rent month from a date (any day of it) or "YYYY-MM"."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        if len(text) != 7:
            raise ValueError
        return datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise BillingError(f"Not a month: {value!r} (write it as YYYY-MM).") from None


def check_month(period: datetime.date, today: datetime.date | None = None) -> None:
    """BillingError for a month to come (a month's rent is made from its first day)."""
    today = today or timezone.localdate()
    if period > today.replace(day=1):
        raise BillingError(
            f"{period:%Y-%m} has not begun: its rent can be made from {period.isoformat()}."
        )


def _tables() -> dict[str, str]:
    return {m.__name__: m._meta.db_table for m in (Allotment, RentMonth, RentSchedule, Shop)}


def _eligible(t: dict[str, str]) -> str:
    """Active allotments whose agreement covers the month's first day (`a`, its shop `sh`).
    Parameters: period, period."""
    return f"""
        FROM {t["Allotment"]} a
        JOIN {t["Shop"]} sh ON sh.id = a.shop_id
        WHERE a.status = 'active' AND a.starts_on <= %s AND a.ends_on >= %s
    """


def _schedule(t: dict[str, str]) -> str:
    """The id of the schedule of the shop's market and floor in force on the month's first
    day (parameter: period)."""
    return f"""(SELECT s2.id FROM {t["RentSchedule"]} s2
                WHERE s2.market_id = sh.market_id AND s2.floor = sh.floor
                  AND s2.effective_from <= %s
                ORDER BY s2.effective_from DESC LIMIT 1)"""


def generate_shop_rent(
    period: datetime.date | str,
    *,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    actor: Any = None,
    run: RentRun | None = None,
) -> RentResult:
    """Make the month's rent of every active allotment (see the module's docstring); one
    transaction."""
    report = progress or (lambda step, pct: None)
    period = as_period(period)
    check_month(period, today)
    try:
        rules = rules_in_force(period)
    except NotInForce as e:
        raise BillingError(str(e)) from None
    due = rent.due_date(period, rules)
    result = RentResult(period=period, due_date=due)
    t = _tables()
    pg = connection.vendor == "postgresql"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    paisa = (
        "(CAST(ROUND(sh.area_sqft * 100) AS BIGINT) * CAST(ROUND(s.rent_per_sqft * 100) AS BIGINT)"
        " + 50) / 100"
    )
    money = f"CAST(({paisa}) AS NUMERIC) / 100" if pg else f"({paisa}) / 100.0"
    with transaction.atomic(), connection.cursor() as cur:
        if pg:  # one run of a month at a time; the next finds it done
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"shop-rent:{period:%Y-%m}"],
            )
        report("rent", 20)
        cur.execute(
            f"""
            INSERT INTO {t["RentMonth"]} (allotment_id, period, rent, schedule_from, due_date,
                arrears, status, run_id, created_at)
            SELECT a.id, %s, {money}, s.effective_from, %s, COALESCE(ar.arrears, 0), 'due',
                   %s, %s
            FROM {t["Allotment"]} a
            JOIN {t["Shop"]} sh ON sh.id = a.shop_id
            JOIN {t["RentSchedule"]} s ON s.id = {_schedule(t)}
            LEFT JOIN (SELECT o.allotment_id, SUM(o.rent) AS arrears
                       FROM {t["RentMonth"]} o
                       WHERE o.status = 'due' AND o.period < %s
                       GROUP BY o.allotment_id) ar ON ar.allotment_id = a.id
            WHERE a.status = 'active' AND a.starts_on <= %s AND a.ends_on >= %s
            ORDER BY a.id
            ON CONFLICT (allotment_id, period) DO NOTHING
            """,
            [period, due, run.pk if run else None, now, period, period, period, period],
        )
        result.months = max(cur.rowcount, 0)
        report("summary", 80)
        cur.execute(
            f"""
            SELECT COUNT(*) {_eligible(t)}
              AND {_schedule(t)} IS NULL
            """,
            [period, period, period],
        )
        result.no_schedule = cur.fetchone()[0]
        cur.execute(
            f"SELECT COALESCE(SUM(rent), 0) FROM {t['RentMonth']} WHERE period = %s "
            "AND created_at = %s",
            [period, now],
        )
        result.total = to_money(Decimal(str(cur.fetchone()[0])))
        audit.record(
            action="markets.rent_generated",
            object_type="market_leases.rentmonth",
            object_id=f"{period:%Y-%m}",
            actor=actor,
            after=result.counts(),
        )
    report("done", 100)
    return result
