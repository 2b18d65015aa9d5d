"""Market shops and leases in the portal: its one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceCard, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels, dues, registry_hooks
from .demo import seed
from .verify import allotment_letter_lookup

SPEC = register(
    ServiceSpec(
        key="market_leases",
        # Shop rent, salami and deposits, and ijara tenders' fees, securities and leases.
        title=_("Markets, shops and ijara"),
        order=40,
        card=ServiceCard(
            text=_(
                "See the rent of the city market shops allotted to you, month by month, and "
                "pay it with your other bills."
            ),
            url_name="market_leases:mine",
        ),
        panels=[
            Panel(
                key="market_leases",
                title=_("My shops"),
                order=40,
                template="market_leases/panel.html",
                context=dashboard_panels.panel,
            )
        ],
        role_links=[
            RoleLink(Role.ESTATE_OFFICER, _("Markets and shops"), "market_leases:markets"),
            RoleLink(Role.ESTATE_OFFICER, _("Shops: search, vacant, allot"), "market_leases:shops"),
            RoleLink(Role.ESTATE_OFFICER, _("Monthly shop rent"), "market_leases:rent_runs"),
            RoleLink(Role.ESTATE_OFFICER, _("Shop rent arrears"), "market_leases:arrears_list"),
            RoleLink(Role.ESTATE_OFFICER, _("Ijara tenders"), "market_leases:ijara_officer"),
            RoleLink(Role.COUNTER_CLERK, _("Shop rent at the counter"), "market_leases:counter"),
            RoleLink(Role.COUNTER_CLERK, _("Khas collection at the counter"), "market_leases:khas"),
        ],
        # The salami and deposit of an allotment, and months of rent (services/billing.py):
        # paid, reopened and cancelled through payments, every unpaid month in one place.
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        on_cancelled=registry_hooks.on_cancelled,
        subject_users=registry_hooks.subject_users,
        subject_url=registry_hooks.subject_url,
        subject_link=_("Back to the shop"),
        revenue_heads=[
            "salami",
            "security_deposit",
            "rent",
            "surcharge",
            "transfer_fee",
            # ijara: the tender schedule fee, the winner's lease amount, VAT, income tax
            "application_fee",
            "lease",
            "vat",
            "income_tax",
        ],
        verify_lookups=[allotment_letter_lookup],
        demo=seed,
        open_dues=dues.open_dues,
        demand=dues.demand_due,
        bill_due=dues.bill_due,
    )
)
