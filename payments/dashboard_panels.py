"""The payments panels of the citizen dashboard: what I owe, and my payments."""

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel, register_panel

from . import selectors


def _owe(user) -> dict:
    bills = list(selectors.open_bills_for(user)[:20])
    total = selectors.open_bills_for(user).aggregate(s=Sum("total"))["s"]
    return {"bills": bills, "total": total}


def _payments(user) -> dict:
    return {"payments": list(selectors.payments_for(user)[:5])}


def register_panels() -> None:
    register_panel(Panel(key="owe", title=_("What I owe"), order=0, wide=True,
                         template="payments/panels/owe.html", context=_owe))
    register_panel(Panel(key="payments", title=_("My payments"), order=90,
                         template="payments/panels/payments.html", context=_payments))
