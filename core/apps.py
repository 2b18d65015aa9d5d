from typing import Any

from django.apps import AppConfig
from django.apps.registry import Apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import citizen_cache, portal

        post_migrate.connect(_ensure_city, sender=self)
        connection_created.connect(citizen_cache.install)  # every write is seen
        citizen_cache.scope_last_login()  # signing in drops only the user's own figures
        portal.autodiscover()  # every installed app's portal.py declares it


def _ensure_city(sender: AppConfig, apps: Apps | None = None, **kwargs: Any) -> None:
    """The city's seed (KCC by default) is back after a flush, as after the migration."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    from .cities import HERE, apply_city, read_city

    CityProfile = apps.get_model("core", "CityProfile")
    if not CityProfile.objects.exists():
        apply_city(
            read_city(HERE / "kcc.json"),
            CityProfile=CityProfile,
            Zone=apps.get_model("core", "Zone"),
            Ward=apps.get_model("core", "Ward"),
        )
