from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldingsConfig(AppConfig):
    name = "holdings"
    verbose_name = _("Holding tax")

    def ready(self) -> None:
        from . import dashboard_panels  # noqa: F401  - registers the "holdings" dashboard panel
        from .registry_hooks import register_holdings

        register_holdings()
        from . import verify  # noqa: F401  - registers the no-dues lookup at /verify/<code>/
