"""The payments panels of the citizen dashboard: what I owe, and my payments."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel, register_panel

from . import selectors

OWE_LISTED = 20  # bills listed on the panel; the count and total cover all of them


def _owe(user) -> dict:
    bills = selectors.open_bills_for(user)
    summary = bills.order_by().aggregate(count=Count("pk"), total=Sum("total"))
    listed = list(bills[:OWE_LISTED]) if summary["count"] else []
    return {"bills": listed, "count": summary["count"], "total": summary["total"]}


def _payments(user) -> dict:
    return {"payments": list(selectors.payments_for(user)[:5])}


def register_panels() -> None:
    register_panel(Panel(key="owe", title=_("What I owe"), order=0, wide=True,
                         template="payments/panels/owe.html", context=_owe))
    register_panel(Panel(key="payments", title=_("My payments"), order=90,
                         template="payments/panels/payments.html", context=_payments))
