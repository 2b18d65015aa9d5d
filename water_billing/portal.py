"""Water bills in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceCard, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels, dues, registry_hooks
from .demo import seed
from .verify import water_bill_lookup

SPEC = register(
    ServiceSpec(
        key="water_billing",
        title=_("Water bill"),
        order=30,
        card=ServiceCard(
            text=_(
                "See your water connection's bills and how much water it used month by month, "
                "and pay them with your other bills."
            ),
            url_name="water_billing:mine",
        ),
        panels=[
            Panel(
                key="water_billing",
                title=_("My water connections"),
                order=30,
                template="water_billing/panel.html",
                context=dashboard_panels.panel,
            )
        ],
        role_links=[
            RoleLink(Role.METER_READER, _("My route: meter readings"), "water_billing:readings"),
            RoleLink(
                Role.METER_READER,
                _("Readings from a handheld's file"),
                "water_billing:readings_import",
            ),
            RoleLink(
                Role.WATER_OFFICER,
                _("Held and flagged meter readings"),
                "water_billing:readings_review",
            ),
            RoleLink(Role.WATER_OFFICER, _("Record meter readings"), "water_billing:readings"),
            RoleLink(
                Role.WATER_OFFICER,
                _("Readings from a handheld's file"),
                "water_billing:readings_import",
            ),
            RoleLink(
                Role.WATER_OFFICER, _("Water bills: monthly billing"), "water_billing:billing_runs"
            ),
            RoleLink(
                Role.WATER_OFFICER,
                _("Applications for a water connection"),
                "water_billing:officer_applications",
            ),
            RoleLink(Role.WATER_OFFICER, _("Disconnection for arrears"), "water_billing:arrears"),
            RoleLink(
                Role.WATER_OFFICER,
                _("Water reports: billed and collected"),
                "water_billing:report_collection",
            ),
            RoleLink(Role.WATER_OFFICER, _("Arrears ageing"), "water_billing:report_ageing"),
            RoleLink(Role.WATER_OFFICER, _("Meters not read"), "water_billing:report_unread"),
            RoleLink(Role.WATER_OFFICER, _("Flagged readings"), "water_billing:report_flagged"),
            RoleLink(
                Role.COUNTER_CLERK,
                _("Apply for a water connection"),
                "water_billing:counter_apply",
            ),
        ],
        # Monthly bills (water_billing/billing.py): paid, reopened and cancelled through
        # payments, every unpaid month in one place, each bill's QR code on /verify/.
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        on_cancelled=registry_hooks.on_cancelled,
        subject_url=registry_hooks.subject_url,
        subject_link=_("The water bill (PDF)"),
        # + the fees of a new connection and of reconnection (services/applications.py,
        # services/disconnections.py): connection fee, road cutting, reconnection.
        revenue_heads=["water", "sewerage", "vat", "late_fee", "registration_fee", "other"],
        verify_lookups=[water_bill_lookup],
        demo=seed,
        open_dues=dues.open_dues,
        demand=dues.demand_due,
        bill_due=dues.bill_due,
        subject_users=registry_hooks.subject_users,
    )
)
