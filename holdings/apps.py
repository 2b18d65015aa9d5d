from django.apps import AppConfig


class HoldingsConfig(AppConfig):
    name = "holdings"
