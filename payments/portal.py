"""Payments in the portal: the citizen's "what I owe" and "my payments" panels and the
counter's and revenue office's work pages. Payments bills nothing of its own."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels
from .demo import seed

SPEC = register(
    ServiceSpec(
        key="payments",
        title=_("Payments"),
        order=5,
        demo=seed,
        role_links=[
            RoleLink(
                Role.COUNTER_CLERK,
                _("My cash session: find bills, take cash, print receipts"),
                "payments:counter_home",
            ),
            RoleLink(Role.COUNTER_CLERK, _("Close my cash session"), "payments:counter_close"),
            RoleLink(
                Role.COUNTER_CLERK,
                _("Paper receipts: enter those written while the system was down"),
                "payments:counter_paper",
            ),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Collections at a glance: every service, channel and ward"),
                "payments:revenue_collections",
            ),
            RoleLink(
                Role.REVENUE_OFFICER, _("Counter sessions to verify"), "payments:revenue_sessions"
            ),
            RoleLink(
                Role.REVENUE_OFFICER, _("Payments on hold or flagged"), "payments:revenue_payments"
            ),
            RoleLink(Role.REVENUE_OFFICER, _("Credits to refund"), "payments:revenue_credits"),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Reconcile the gateway's settlement report"),
                "payments:revenue_reconciliation",
            ),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Cash book: counter cash to the bank"),
                "payments:revenue_cash_book",
            ),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Paper receipt books: register, issue, close"),
                "payments:revenue_receipt_books",
            ),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Close a month; the daily collection register"),
                "payments:revenue_months",
            ),
            RoleLink(
                Role.ADMINISTRATOR,
                _("Closed months: reopen one, with a reason"),
                "payments:revenue_months",
            ),
        ],
        panels=[
            Panel(
                key="owe",
                title=_("What I owe"),
                order=0,
                wide=True,
                template="payments/panels/owe.html",
                context=dashboard_panels.owe,
            ),
            Panel(
                key="payments",
                title=_("My payments"),
                order=90,
                template="payments/panels/payments.html",
                context=dashboard_panels.payments,
            ),
        ],
    )
)


@checks.register()
def check_revenue_heads(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every revenue head a service declares is one the ledger knows."""
    from core.portal import specs

    from .models import RevenueHead

    return [
        checks.Error(
            f"The service {spec.key!r} declares the unknown revenue head {head!r}.",
            hint="Use one of payments.models.RevenueHead.",
            obj=spec.key,
            id="payments.E101",
        )
        for spec in specs()
        for head in spec.revenue_heads
        if head not in RevenueHead.values
    ]
