"""The "My shops" panel of the citizen dashboard: the shops allotted to the account with
what is unpaid on each (declared in market_leases/portal.py; "my shops" lists the same)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum

from .dues import allotments_of
from .models import Allotment

PANEL_LISTED = 3


def shops_with_dues(user: Any) -> list[dict[str, Any]]:
    """The user's live allotments (waiting for payment or active), each with its unpaid
    months (count, rent owed, the earliest due date): two queries."""
    if not user.is_authenticated:
        return []
    allotments = list(allotments_of(user).filter(status__in=Allotment.OCCUPYING))
    if not allotments:
        return []
    due = Q(rent_months__status="due", rent_months__rent__gt=0)
    figures: dict[int, Any] = {
        row["pk"]: row
        for row in Allotment.objects.filter(pk__in=[a.pk for a in allotments])
        .values("pk")
        .annotate(
            unpaid=Count("rent_months", filter=due),
            owed=Sum("rent_months__rent", filter=due),
            due_date=Min("rent_months__due_date", filter=due),
        )
    }
    rows = []
    for a in allotments:
        f = figures.get(a.pk) or {}
        rows.append(
            {
                "allotment": a,
                "unpaid": f.get("unpaid") or 0,
                "owed": (f.get("owed") or Decimal("0")).quantize(Decimal("0.01")),
                "due_date": f.get("due_date"),
            }
        )
    return rows


def panel(user: Any) -> dict[str, Any]:
    rows = shops_with_dues(user)
    return {
        "count": len(rows),
        "listed": rows[:PANEL_LISTED],
        "more": max(len(rows) - PANEL_LISTED, 0),
        "owed": sum((r["owed"] for r in rows), Decimal("0.00")),
    }
