"""Reads for the reading pages: the meter reader's route (connections of a ward's block in
walking order, each with its meter, last reading, 6-month average and this month's reading)
in a fixed number of queries, and the water officer's review queue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from core.models import Ward

from . import tariff as arithmetic
from .models import Connection, Meter, Reading

#: Readings looked at for the last reading and the average: a year and a half of months.
HISTORY_MONTHS = 18


@dataclass
class Stop:
    """One connection on the route."""

    connection: Connection
    meter: Meter | None
    last: Reading | None  # the last measured reading before this month
    average: Decimal | None  # per month, over the last measured months
    this_month: Reading | None  # already read (or estimated) this month
    form: Any = None  # the page's reading form for this stop
    show_done: bool = False  # the page shows here what became of the reading just saved

    @property
    def pk(self) -> int:
        return self.connection.pk


def wards_with_route() -> QuerySet[Ward]:
    """Wards with at least one active metered connection."""
    ids = (
        Connection.objects.filter(status=Connection.Status.ACTIVE, metered=True)
        .values_list("ward_id", flat=True)
        .distinct()
    )
    return Ward.objects.filter(pk__in=ids).order_by("number")


def blocks(ward: Ward) -> list[str]:
    """The ward's blocks (blank: connections not yet put in a block)."""
    return sorted(
        set(
            Connection.objects.filter(
                ward=ward, status=Connection.Status.ACTIVE, metered=True
            ).values_list("block", flat=True)
        )
    )


def route_connections(ward: Ward, block: str) -> QuerySet[Connection]:
    return (
        Connection.objects.filter(
            ward=ward, block=block, status=Connection.Status.ACTIVE, metered=True
        )
        .select_related("ward")
        .order_by("walk_order", "consumer_no")
    )


def stops(
    connections: list[Connection], *, month: datetime.date, average_months: int = 6
) -> list[Stop]:
    """The route's stops for `month` (its first day): three queries whatever the length."""
    ids = [c.pk for c in connections]
    meters = {
        m.connection_id: m for m in Meter.objects.filter(connection_id__in=ids, removed_on=None)
    }
    since = (month - datetime.timedelta(days=HISTORY_MONTHS * 31)).replace(day=1)
    readings: dict[int, list[Reading]] = {}
    for r in Reading.objects.filter(connection_id__in=ids, period__gte=since).order_by(
        "connection_id", "-period"
    ):
        readings.setdefault(r.connection_id, []).append(r)
    found = []
    for c in connections:
        rows = readings.get(c.pk, [])
        this_month = next((r for r in rows if r.period == month), None)
        measured = [
            r
            for r in rows
            if r.period < month and r.status in Reading.MEASURED and r.consumption is not None
        ]
        history = [r.consumption or 0 for r in reversed(measured[:average_months])]
        average = arithmetic.average(history, average_months) if history else None
        found.append(
            Stop(
                connection=c,
                meter=meters.get(c.pk),
                last=measured[0] if measured else None,
                average=average,
                this_month=this_month,
            )
        )
    return found


def review_queue(search: str = "") -> QuerySet[Reading]:
    """Held and flagged readings, oldest month first; `search`: part of a consumer number
    (Bengali digits accepted)."""
    from core.digits import to_ascii_digits

    qs = Reading.objects.filter(
        status__in=(Reading.Status.HELD, Reading.Status.FLAGGED)
    ).select_related("connection", "connection__ward", "meter", "read_by")
    text = to_ascii_digits(search or "").strip().upper()
    if text:
        qs = qs.filter(
            Q(connection__consumer_no__icontains=text)
            | Q(connection__consumer_no__icontains=text.replace(" ", "-").replace("/", "-"))
        )
    return qs.order_by("period", "connection__consumer_no")


def history(connection: Connection, months: int = 12) -> list[Reading]:
    """The connection's last readings, latest first."""
    return list(connection.readings.select_related("meter", "read_by").order_by("-period")[:months])
