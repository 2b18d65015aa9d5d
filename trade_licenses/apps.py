from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeLicensesConfig(AppConfig):
    name = "trade_licenses"
    verbose_name = _("Trade licences")

    def ready(self) -> None:
        from . import dashboard_panels  # noqa: F401  - the dashboard's "licences" panel
        from .registry_hooks import register_trade_licenses

        register_trade_licenses()
        from . import verify  # noqa: F401  - the /verify/<code>/ lookup
