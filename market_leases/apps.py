from django.apps import AppConfig


class MarketLeasesConfig(AppConfig):
    name = "market_leases"
