"""Water bills in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.portal import RoleLink, ServiceSpec, register
from core.roles import Role

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
        ],
    )
)
