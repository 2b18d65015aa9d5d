"""The "My water connections" panel of the citizen dashboard: the linked connections with
what is unpaid on each. Declared in water_billing/portal.py; the "my water connections"
page lists the same rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum

from .dues import connections_of
from .models import WaterBill

PANEL_LISTED = 3  # connections listed on the dashboard; the figures cover all of them


def connections_with_dues(user: Any) -> list[dict[str, Any]]:
    """The user's connections, each with its unpaid months (`unpaid`: their count, `owed`:
    their total, `due_date`: the earliest due date, `overdue`: more than one month unpaid or
    one charged a late fee — as dues.open_dues says it) and its last bill's month: two
    queries whatever the number of connections."""
    if not user.is_authenticated:
        return []
    connections = list(connections_of(user))
    if not connections:
        return []
    due = Q(bills__status=WaterBill.Status.DUE, bills__total__gt=0)
    figures = {
        row["pk"]: row
        for row in type(connections[0])
        .objects.filter(pk__in=[c.pk for c in connections])
        .values("pk")
        .annotate(
            unpaid=Count("bills", filter=due),
            owed=Sum("bills__total", filter=due),
            due_date=Min("bills__due_date", filter=due),
            late=Count("bills", filter=due & Q(bills__late_fee_period__isnull=False)),
            last_period=Max("bills__period"),
        )
    }
    rows = []
    for connection in connections:
        f = figures.get(connection.pk, {})
        unpaid = f.get("unpaid") or 0
        rows.append(
            {
                "connection": connection,
                "unpaid": unpaid,
                "owed": (f.get("owed") or Decimal("0")).quantize(Decimal("0.01")),
                "due_date": f.get("due_date"),
                "overdue": unpaid > 1 or bool(f.get("late")),
                "last_period": f.get("last_period"),
            }
        )
    return rows


def panel(user: Any) -> dict[str, Any]:
    """The panel's context (declared in water_billing/portal.py)."""
    rows = connections_with_dues(user)
    return {
        "count": len(rows),
        "listed": rows[:PANEL_LISTED],  # the rest on "my water connections"
        "more": max(len(rows) - PANEL_LISTED, 0),
        "owed": sum((r["owed"] for r in rows), Decimal("0.00")),
    }
