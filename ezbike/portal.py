"""E-bikes in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.portal import RoleLink, ServiceSpec, register
from core.roles import Role

SPEC = register(
    ServiceSpec(
        key="ezbike",
        title=_("E-bike licence"),
        order=50,
        role_links=[
            RoleLink(Role.EBIKE_OFFICER, _("RFID cards: bind and replace"), "ezbike:cards"),
            RoleLink(Role.EBIKE_OFFICER, _("Scan devices"), "ezbike:devices"),
            RoleLink(Role.EBIKE_OFFICER, _("Check a number plate"), "ezbike:plate_check"),
            RoleLink(Role.TRAFFIC_STAFF, _("Check a number plate"), "ezbike:plate_check"),
        ],
        # What e-bikes bill (ezbike/fees.py): the application fee, the first year's
        # licence fee, the yearly renewal with its late fee, a replaced RFID card.
        revenue_heads=["application_fee", "licence_fee", "renewal_fee", "late_fee", "plate_fee"],
    )
)
