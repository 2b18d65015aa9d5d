from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeLicensesConfig(AppConfig):
    name = "trade_licenses"
    verbose_name = _("Trade licences")
