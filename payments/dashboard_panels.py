"""The payments panels of the citizen dashboard: what I owe, and my payments (their
contexts; declared in payments/portal.py)."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.template.loader import render_to_string

from core import portal

from . import selectors

OWE_LISTED = 5  # bills (and dues) listed on the panel; the count and total cover all


def dues_html(dues: list[portal.OpenDue]) -> str:
    """Dues not billed yet as the items of their list (payments/_open_dues.html), rendered
    once for the citizens' cache: no CSRF token in them, the list's one form has it."""
    return render_to_string("payments/_open_dues_items.html", {"dues": dues})


def owe(user: Any) -> dict[str, Any]:
    bills = selectors.open_bills_for(user)
    summary = bills.order_by().aggregate(count=Count("pk"), total=Sum("total"))
    listed = list(bills[:OWE_LISTED]) if summary["count"] else []
    # Not billed yet ("Pay" makes the bill): the overdue first, then by due date.
    dues = sorted(portal.open_dues(user), key=lambda d: (not d.overdue, d.due_date))
    return {
        "bills": listed,
        "count": summary["count"],
        "more": summary["count"] - len(listed),  # the rest, on "my bills"
        "total": summary["total"],
        "dues": dues[:OWE_LISTED],
        "dues_html": dues_html(dues[:OWE_LISTED]),
        "dues_more": len(dues) - len(dues[:OWE_LISTED]),
        "dues_total": sum((d.amount for d in dues), Decimal("0.00")),
    }


def payments(user: Any) -> dict[str, Any]:
    return {"payments": list(selectors.payments_for(user)[:5])}
