from django.apps import AppConfig


class WaterBillingConfig(AppConfig):
    name = "water_billing"
