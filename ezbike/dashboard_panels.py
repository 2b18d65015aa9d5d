"""The "My e-bikes" panel of the citizen dashboard: the owner's e-bikes with their latest
licence (status, valid until). Declared in ezbike/portal.py; "my e-bikes" lists the same."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from .models import Licence, Vehicle

PANEL_LISTED = 3


def vehicles_of(user: Any) -> list[dict[str, Any]]:
    """The user's e-bikes, each with its latest licence: two queries."""
    if not user.is_authenticated:
        return []
    vehicles = (
        Vehicle.objects.filter(owner__user=user)
        .select_related("ward")
        .prefetch_related(
            Prefetch("licences", queryset=Licence.objects.order_by("-fiscal_year", "-pk"))
        )
        .order_by("pk")
    )
    return [{"vehicle": v, "licence": next(iter(v.licences.all()), None)} for v in vehicles]


def panel(user: Any) -> dict[str, Any]:
    rows = vehicles_of(user)
    return {
        "count": len(rows),
        "listed": rows[:PANEL_LISTED],
        "more": max(len(rows) - PANEL_LISTED, 0),
    }
