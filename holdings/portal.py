"""Holding tax in the portal: its one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceCard, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels, dues, registry_hooks
from .demo import seed
from .reminders import send_due_reminders
from .verify import no_dues_lookup

SPEC = register(
    ServiceSpec(
        key="holdings",
        title=_("Holding tax"),
        order=10,
        card=ServiceCard(
            text=_(
                "See and pay your holding tax, with rebate for early payment. Relatives abroad "
                "can pay by ward and holding number."
            ),
            url_name="holdings:mine",
            public_url_name="holdings:quick_pay",
            public_link=_("Quick pay without an account"),
        ),
        role_links=[
            RoleLink(Role.COUNTER_CLERK, _("Holding tax desk"), "holdings:counter"),
            RoleLink(
                Role.ASSESSOR,
                _("New holdings, objections and reassessments"),
                "holdings:assessor_queue",
            ),
            RoleLink(Role.ASSESSOR, _("Mutations (change of owners)"), "holdings:mutations"),
            RoleLink(
                Role.ASSESSOR, _("Applications for a new holding number"), "holdings:applications"
            ),
            RoleLink(Role.ASSESSOR, _("Import the holding register"), "holdings:import"),
            RoleLink(Role.REVENUE_OFFICER, _("Holding tax: yearly demand"), "holdings:demand_runs"),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Holding tax: demand against collection by ward"),
                "holdings:collection",
            ),
            RoleLink(Role.REVENUE_OFFICER, _("Holding tax defaulters"), "holdings:defaulters"),
            RoleLink(
                Role.REVENUE_OFFICER,
                _("Holding tax: appeals against objection decisions"),
                "holdings:appeals",
            ),
        ],
        panels=[
            Panel(
                key="holdings",
                title=_("My holdings"),
                order=10,
                template="holdings/citizen/panel.html",
                context=dashboard_panels.panel,
            )
        ],
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        revenue_heads=[
            "holding_tax",
            "conservancy",
            "lighting",
            "rebate",
            "surcharge",
            "mutation_fee",
        ],
        verify_lookups=[no_dues_lookup],
        demo=seed,
        reminders=send_due_reminders,
        open_dues=dues.open_dues,
        demand=dues.demand_due,
        bill_due=dues.bill_due,
        subject_users=registry_hooks.subject_users,
        city_title="holding_tax_name",
    )
)
