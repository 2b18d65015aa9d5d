from django.apps import AppConfig


class EzbikeConfig(AppConfig):
    name = "ezbike"
