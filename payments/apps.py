from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from . import dashboard_panels, demo_service

        demo_service.register_demo_service()
        dashboard_panels.register_panels()
