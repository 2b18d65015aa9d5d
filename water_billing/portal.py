"""Water bills in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.portal import ServiceSpec, register

SPEC = register(
    ServiceSpec(
        key="water_billing",
        title=_("Water bill"),
        order=30,
    )
)
