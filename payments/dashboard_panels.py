"""The payments panels of the citizen dashboard: what I owe, and my payments (their
contexts; declared in payments/portal.py)."""

from typing import Any

from django.db.models import Count, Sum

from core import portal

from . import selectors

OWE_LISTED = 5  # bills listed on the panel; the count and total cover all of them


def owe(user: Any) -> dict[str, Any]:
    bills = selectors.open_bills_for(user)
    summary = bills.order_by().aggregate(count=Count("pk"), total=Sum("total"))
    listed = list(bills[:OWE_LISTED]) if summary["count"] else []
    return {
        "bills": listed,
        "count": summary["count"],
        "more": summary["count"] - len(listed),  # the rest, on "my bills"
        "total": summary["total"],
        "dues": portal.open_dues(user),  # not billed yet: "Bill it" makes the bill
    }


def payments(user: Any) -> dict[str, Any]:
    return {"payments": list(selectors.payments_for(user)[:5])}
