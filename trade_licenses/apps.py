from django.apps import AppConfig


class TradeLicensesConfig(AppConfig):
    name = "trade_licenses"
