"""E-bikes in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceCard, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels, dues, registry_hooks
from .demo import seed
from .reminders import send_due_reminders
from .verify import ebike_lookup

SPEC = register(
    ServiceSpec(
        key="ezbike",
        title=_("E-bike licence"),
        order=50,
        card=ServiceCard(
            text=_(
                "Apply for your e-bike's licence, renew it each year, pay the fees and print "
                "the number plate sticker and the licence."
            ),
            url_name="ezbike:mine",
        ),
        panels=[
            Panel(
                key="ezbike",
                title=_("My e-bikes"),
                order=50,
                template="ezbike/panel.html",
                context=dashboard_panels.panel,
            )
        ],
        role_links=[
            RoleLink(Role.EBIKE_OFFICER, _("RFID cards: bind and replace"), "ezbike:cards"),
            RoleLink(
                Role.EBIKE_OFFICER,
                _("E-bike licence applications"),
                "ezbike:officer_applications",
            ),
            RoleLink(
                Role.EBIKE_OFFICER, _("Fleet per ward against the caps"), "ezbike:report_fleet"
            ),
            RoleLink(
                Role.EBIKE_OFFICER, _("Expired and suspended licences"), "ezbike:report_licences"
            ),
            RoleLink(
                Role.EBIKE_OFFICER,
                _("Cards that may not run, by place and hour"),
                "ezbike:report_sightings",
            ),
            RoleLink(Role.EBIKE_OFFICER, _("Scan devices"), "ezbike:devices"),
            RoleLink(Role.EBIKE_OFFICER, _("Check a number plate"), "ezbike:plate_check"),
            RoleLink(Role.TRAFFIC_STAFF, _("Check a number plate"), "ezbike:plate_check"),
            RoleLink(Role.COUNTER_CLERK, _("Apply for an e-bike licence"), "ezbike:counter_apply"),
        ],
        # What e-bikes bill (ezbike/fees.py, ezbike/services/billing.py): the application
        # fee, the first year's licence fee, the yearly renewal with its late fee, a
        # replaced RFID card, a seized e-bike's fine. Paid: the application may be decided,
        # the licence is active, a seized e-bike is released.
        revenue_heads=[
            "application_fee",
            "licence_fee",
            "renewal_fee",
            "late_fee",
            "plate_fee",
            "other",  # the fine that releases a seized e-bike
        ],
        on_paid=registry_hooks.on_paid,
        on_reopened=registry_hooks.on_reopened,
        on_cancelled=registry_hooks.on_cancelled,
        subject_users=registry_hooks.subject_users,
        subject_url=registry_hooks.subject_url,
        subject_link=_("Back to the e-bike"),
        verify_lookups=[ebike_lookup],
        demo=seed,
        open_dues=dues.open_dues,
        bill_due=dues.bill_due,
        # Renewal reminders: 30 and 7 days before the deadline, on the day, then monthly.
        reminders=send_due_reminders,
    )
)
