"""Collection rollups: the ledger (Allocation) summed by day, fiscal year, service, revenue
head, channel, payment method, ward, counter office and clerk, so that the revenue
officer's collections dashboard reads a few thousand rows instead of millions.

How the figures stay exact
- Every allocation row is counted once. `rollups_refresh` takes the allocations not rolled
  up yet (those committed by then), adds them to their rollup rows and marks them rolled
  up, in one transaction holding RollupState's row lock: two refreshes never count a row
  twice, and a settlement that commits meanwhile is simply left for the next refresh.
- Reading (`collected`) sums the rollup rows *and* the allocations not rolled up yet, in
  one statement (one snapshot): a figure is exact at any moment, whenever the last refresh
  ran — a refresh only moves rows from one side of the sum to the other.
- `python manage.py rebuild_rollups --check` compares them with a GROUP BY over the whole
  ledger; without --check it makes them again from the ledger.

The settlement itself does not touch the rollups (beat refreshes them every minute:
payments.tasks.refresh_rollups), so the 30 June rush never queues on a hot rollup row.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from .models import ROLLUP_KEY, Allocation, CollectionRollup, Payment, RollupState

#: Everything a rollup row is keyed by (besides its grain); "month" may be asked for too.
KEY = ROLLUP_KEY
DAY: str = CollectionRollup.Grain.DAY.value
MONTH: str = CollectionRollup.Grain.MONTH.value

#: Payment methods as the gateway names them in `card_type` ("BKASH-BKash", "VISA-Dutch
#: Bangla", "CITYTOUCHIB-City Bank"): a pattern on the text before the first dash says which,
#: the first that matches; "other" when none does. One table for SQL and for Python.
METHOD_PATTERNS = [
    ("bkash", r"^BKASH"),
    ("nagad", r"^NAGAD"),
    ("rocket", r"^DBBLMOBILEB"),
    ("upay", r"^UPAY"),
    ("card", r"^(VISA|MASTER|AMEX|UNIONPAY|DINERS|JCB|DBBLNEXUS|QCASH|DISCOVER)"),
    ("internet_banking", r"^[A-Z]+IB-"),
]
METHODS = (*(name for name, _pattern in METHOD_PATTERNS), "other")


def method_of(channel: str, card_type: str) -> str:
    """The payment method of a payment: "" at the counter (Python's twin of
    method_expression, from the same table)."""
    if channel == Payment.Channel.COUNTER:
        return ""
    for name, pattern in METHOD_PATTERNS:
        if re.match(pattern, card_type or "", re.IGNORECASE):
            return name
    return "other"


def method_expression() -> Case:
    """The payment method of an allocation's payment, in SQL: "" at the counter."""
    return Case(
        When(channel=Payment.Channel.COUNTER, then=Value("")),
        *(
            When(payment__card_type__iregex=pattern, then=Value(name))
            for name, pattern in METHOD_PATTERNS
        ),
        default=Value("other"),
        output_field=CharField(),
    )


def dimensions() -> dict[str, Any]:
    """The rollup key of an allocation row, as annotations named like CollectionRollup's
    fields (fiscal_year, service, head and channel are the row's own)."""
    return {
        "day": TruncDate("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE)),
        "method": method_expression(),
        "ward_key": Coalesce("ward_id", 0),
        "office_key": Coalesce("payment__counter_session__ward_id", 0),
        "clerk_key": Coalesce("collected_by_id", 0),
    }


def _not_rolled() -> QuerySet[Allocation]:
    return Allocation.objects.filter(rolled_up=False).annotate(**dimensions())


@dataclass(frozen=True)
class Row:
    """A figure: the values of the dimensions asked for, the amount and its ledger rows."""

    key: tuple[Any, ...]
    amount: Decimal
    lines: int


def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def plan(
    start: datetime.date, end: datetime.date, by_day: bool = False
) -> list[tuple[str, datetime.date, datetime.date]]:
    """The rollup rows that count the days start..end once each, as (grain, first, last):
    the whole months among them from the month rows (first and last: months' first days),
    the days before and after those from the day rows; every day from the day rows when
    the figures go by day."""
    days = [(DAY, start, end)]
    first = start if start.day == 1 else _month_after(start)  # the first whole month
    if _month_after(end) - datetime.timedelta(days=1) == end:  # the last whole month
        last = end.replace(day=1)
    else:
        last = (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if by_day or first > last:
        return days
    rows = [(MONTH, first, last)]
    if start < first:
        rows.insert(0, (DAY, start, first - datetime.timedelta(days=1)))
    if end >= _month_after(last):
        rows.append((DAY, _month_after(last), end))
    return rows


def _rows_for(start: datetime.date | None, end: datetime.date | None, by_day: bool) -> Q:
    if start is None or end is None:  # every day: each allocation is in one month row
        return Q(grain=DAY) if by_day else Q(grain=MONTH)
    rows = Q()
    for grain, first, last in plan(start, end, by_day):
        rows |= Q(grain=grain, day__gte=first, day__lte=last)
    return rows


def collected(
    group: Sequence[str] = (),
    filters: Q | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[Row]:
    """The money collected from `start` to `end` (the city's days, both included; every
    day when not given), grouped by `group` (names from KEY, or "month") and filtered by
    `filters` (a Q over KEY's names other than the day: Q(service="holdings")) — exact to
    the last committed settlement: the rollups and the rows not rolled up yet, in one
    statement. A year costs its months' rows and a few days' rows, not its days'."""
    unknown = set(group) - {*KEY, "month"}
    if unknown:
        raise ValueError(f"not a rollup dimension: {sorted(unknown)}")
    where = filters or Q()
    period = Q()
    if start is not None:
        period &= Q(day__gte=start)
    if end is not None:
        period &= Q(day__lte=end)
    # values() without names would group by every column: a total groups by a constant.
    names = list(group) or ["everything"]
    extra: dict[str, Any] = {"everything": Value(1)} if not group else {}
    if "month" in group:
        extra["month"] = TruncMonth("day")
    rolled = (
        CollectionRollup.objects.filter(where & _rows_for(start, end, "day" in group))
        .annotate(**extra)
        .values(*names)
        .annotate(total=Sum("amount"), rows=Sum("lines"))
        .order_by()
    )
    fresh = (
        _not_rolled()
        .filter(where & period)
        .annotate(**extra)
        .values(*names)
        .annotate(total=Sum("amount"), rows=Count("pk"))
        .order_by()
    )
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for values in rolled.union(fresh, all=True).values_list(*names, "total", "rows"):
        key = tuple(values[: len(group)])
        if values[-2] is None:  # no row at all on one side (an aggregate without GROUP BY)
            continue
        entry = sums.setdefault(key, [Decimal("0.00"), 0])
        entry[0] += Decimal(values[-2])
        entry[1] += int(values[-1])
    return [
        Row(key=key, amount=amount.quantize(Decimal("0.01")), lines=lines)
        for key, (amount, lines) in sums.items()
    ]


def total(
    filters: Q | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Decimal:
    """The money collected under `filters` from `start` to `end`, exact (see `collected`)."""
    rows = collected((), filters, start, end)
    return rows[0].amount if rows else Decimal("0.00")


# --- keeping them -------------------------------------------------------------------------

BATCH = 10_000


def _lock() -> RollupState:
    RollupState.objects.bulk_create([RollupState(pk=1)], ignore_conflicts=True)
    return RollupState.objects.select_for_update().get(pk=1)


def _merge(rows: Iterable[Mapping[str, Any]]) -> None:
    """Add grouped allocation sums (by KEY, a day each) to their day's and their month's
    rollup rows (the caller holds the lock)."""
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in KEY)
        month = (MONTH, key[0].replace(day=1), *key[1:])
        for grain_key in ((DAY, *key), month):
            entry = sums.setdefault(grain_key, [Decimal("0.00"), 0])
            entry[0] += row["total"]
            entry[1] += row["rows"]
    if not sums:
        return
    days = {k[1] for k in sums if k[0] == DAY}
    months = {k[1] for k in sums if k[0] == MONTH}
    existing = {
        (r.grain, *(getattr(r, k) for k in KEY)): r
        for r in CollectionRollup.objects.filter(
            Q(grain=DAY, day__in=days) | Q(grain=MONTH, day__in=months)
        )
    }
    new, changed = [], []
    for key, (amount, lines) in sums.items():
        rollup = existing.get(key)
        if rollup is None:
            fields = dict(zip(("grain", *KEY), key, strict=True))
            new.append(CollectionRollup(**fields, amount=amount, lines=lines))
        else:
            rollup.amount += amount
            rollup.lines += lines
            changed.append(rollup)
    CollectionRollup.objects.bulk_create(new, batch_size=1000)
    CollectionRollup.objects.bulk_update(changed, ["amount", "lines"], batch_size=1000)


def _refresh_batch(batch: int) -> int:
    with transaction.atomic():
        state = _lock()
        ids = list(
            Allocation.objects.filter(rolled_up=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            _merge(
                Allocation.objects.filter(pk__in=ids)
                .annotate(**dimensions())
                .values(*KEY)
                .annotate(total=Sum("amount"), rows=Count("pk"))
                .order_by()
            )
            Allocation.objects.filter(pk__in=ids).update(rolled_up=True)
        state.refreshed_at = timezone.now()
        state.save(update_fields=["refreshed_at"])
        return len(ids)


def rollups_refresh(batch: int = BATCH) -> int:
    """Count the allocations committed since the last refresh into the rollups, a batch per
    transaction; returns how many rows were counted."""
    counted = 0
    while True:
        done = _refresh_batch(batch)
        counted += done
        if done < batch:
            return counted


def rollups_rebuild(batch: int = BATCH) -> int:
    """Make the rollups again from the whole ledger."""
    with transaction.atomic():
        _lock()
        CollectionRollup.objects.all().delete()
        Allocation.objects.filter(rolled_up=True).update(rolled_up=False)
    return rollups_refresh(batch)


def _ledger(group: Sequence[str]) -> dict[tuple[Any, ...], tuple[Decimal, int]]:
    return {
        tuple(values[: len(group)]): (Decimal(values[-2]).quantize(Decimal("0.01")), values[-1])
        for values in Allocation.objects.annotate(**dimensions())
        .annotate(month=TruncMonth("day"))
        .values(*group)
        .annotate(total=Sum("amount"), rows=Count("pk"))
        .order_by()
        .values_list(*group, "total", "rows")
    }


def rollups_differences() -> list[str]:
    """Where the rollups — the day rows and the month rows, each with the rows not rolled up
    yet — differ from a GROUP BY over the whole ledger, all read in one snapshot; empty
    when they agree."""
    by_month = ["month", *KEY[1:]]
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        pairs = [
            (group, {r.key: (r.amount, r.lines) for r in collected(group)}, _ledger(group))
            for group in (KEY, by_month)
        ]
    problems = []
    for group, kept, ledger in pairs:
        for key in sorted(set(kept) | set(ledger), key=str):
            if kept.get(key) != ledger.get(key):
                where = dict(zip(group, key, strict=True))
                problems.append(f"{where}: rollups {kept.get(key)}, ledger {ledger.get(key)}")
    return problems
