"""Water bills in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.portal import RoleLink, ServiceSpec, register
from core.roles import Role

from . import dues, registry_hooks
from .verify import water_bill_lookup

SPEC = register(
    ServiceSpec(
        key="water_billing",
        title=_("Water bill"),
        order=30,
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
        ],
        # Monthly bills (water_billing/billing.py): paid, reopened and cancelled through
        # payments, every unpaid month in one place, each bill's QR code on /verify/.
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        on_cancelled=registry_hooks.on_cancelled,
        subject_url=registry_hooks.subject_url,
        subject_link=_("The water bill (PDF)"),
        revenue_heads=["water", "sewerage", "vat", "late_fee"],
        verify_lookups=[water_bill_lookup],
        open_dues=dues.open_dues,
        bill_due=dues.bill_due,
    )
)
