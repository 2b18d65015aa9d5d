"""Market shops and leases in the portal: its one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.portal import ServiceSpec, register

from . import dues, registry_hooks

SPEC = register(
    ServiceSpec(
        key="market_leases",
        title=_("Shop rent"),
        order=40,
        # The salami and deposit of an allotment, and months of rent (services/billing.py):
        # paid, reopened and cancelled through payments, every unpaid month in one place.
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        on_cancelled=registry_hooks.on_cancelled,
        subject_url=registry_hooks.subject_url,
        subject_link=_("Back to the shop"),
        revenue_heads=["salami", "security_deposit", "rent", "surcharge"],
        open_dues=dues.open_dues,
        bill_due=dues.bill_due,
    )
)
