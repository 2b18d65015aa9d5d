"""App configuration of the SSLCommerz gateway simulator."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewaySimulatorConfig(AppConfig):
    name = "payments.simulator"
    label = "gateway_simulator"
    verbose_name = _("Payment gateway simulator")
    default_auto_field = "django.db.models.BigAutoField"
