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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .models import Allocation, CollectionRollup, Payment, RollupState

#: Everything a rollup row is keyed by.
KEY = (
    "day",
    "fiscal_year",
    "service",
    "head",
    "channel",
    "method",
    "ward_key",
    "office_key",
    "clerk_key",
)

#: Payment methods as the gateway names them in `card_type` ("BKASH-BKash", "VISA-Dutch
#: Bangla", "CITYTOUCHIB-City Bank"): the prefix before the dash says which.
METHODS = ("bkash", "nagad", "rocket", "upay", "card", "internet_banking", "other")
_CARD_PREFIXES = r"^(VISA|MASTER|AMEX|UNIONPAY|DINERS|JCB|DBBLNEXUS|QCASH|DISCOVER)"


def method_expression() -> Case:
    """The payment method of an allocation's payment, in SQL: "" at the counter."""
    card = "payment__card_type"
    return Case(
        When(channel=Payment.Channel.COUNTER, then=Value("")),
        When(**{f"{card}__istartswith": "BKASH"}, then=Value("bkash")),
        When(**{f"{card}__istartswith": "NAGAD"}, then=Value("nagad")),
        When(**{f"{card}__istartswith": "DBBLMOBILEB"}, then=Value("rocket")),
        When(**{f"{card}__istartswith": "UPAY"}, then=Value("upay")),
        When(**{f"{card}__iregex": _CARD_PREFIXES}, then=Value("card")),
        When(**{f"{card}__iregex": r"^[A-Z]+IB-"}, then=Value("internet_banking")),
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


def collected(group: Sequence[str] = (), filters: Q | None = None) -> list[Row]:
    """The money collected, grouped by `group` (names from KEY) and filtered by `filters`
    (a Q over KEY's names: Q(day__gte=…, service="holdings")), exact to the last committed
    settlement: the rollups and the rows not rolled up yet, in one statement."""
    unknown = set(group) - set(KEY)
    if unknown:
        raise ValueError(f"not a rollup dimension: {sorted(unknown)}")
    where = filters or Q()
    rolled = (
        CollectionRollup.objects.filter(where)
        .values(*group)
        .annotate(total=Sum("amount"), rows=Sum("lines"))
        .order_by()
    )
    fresh = (
        _not_rolled()
        .filter(where)
        .values(*group)
        .annotate(total=Sum("amount"), rows=Count("pk"))
        .order_by()
    )
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for values in rolled.union(fresh, all=True).values_list(*group, "total", "rows"):
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


def total(filters: Q | None = None) -> Decimal:
    """The money collected under `filters`, exact (see `collected`)."""
    rows = collected((), filters)
    return rows[0].amount if rows else Decimal("0.00")


# --- keeping them -------------------------------------------------------------------------

BATCH = 10_000


def _lock() -> RollupState:
    RollupState.objects.bulk_create([RollupState(pk=1)], ignore_conflicts=True)
    return RollupState.objects.select_for_update().get(pk=1)


def _merge(rows: Iterable[Mapping[str, Any]]) -> None:
    """Add grouped allocation sums to their rollup rows (the caller holds the lock)."""
    rows = list(rows)
    existing = {
        tuple(getattr(r, k) for k in KEY): r
        for r in CollectionRollup.objects.filter(day__in={row["day"] for row in rows})
    }
    new, changed = [], []
    for row in rows:
        key = tuple(row[k] for k in KEY)
        rollup = existing.get(key)
        if rollup is None:
            new.append(
                CollectionRollup(
                    **dict(zip(KEY, key, strict=True)), amount=row["total"], lines=row["rows"]
                )
            )
        else:
            rollup.amount += row["total"]
            rollup.lines += row["rows"]
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


def rollups_differences() -> list[str]:
    """Where the rollups (with the rows not rolled up yet) differ from a GROUP BY over the
    whole ledger, both read in one snapshot; empty when they agree."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        kept = {row.key: (row.amount, row.lines) for row in collected(KEY)}
        ledger = {
            tuple(values[: len(KEY)]): (Decimal(values[-2]).quantize(Decimal("0.01")), values[-1])
            for values in Allocation.objects.annotate(**dimensions())
            .values(*KEY)
            .annotate(total=Sum("amount"), rows=Count("pk"))
            .order_by()
            .values_list(*KEY, "total", "rows")
        }
    problems = []
    for key in sorted(set(kept) | set(ledger), key=str):
        if kept.get(key) != ledger.get(key):
            where = dict(zip(KEY, key, strict=True))
            problems.append(f"{where}: rollups {kept.get(key)}, ledger {ledger.get(key)}")
    return problems
