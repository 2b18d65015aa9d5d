from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401

        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(sender, apps=None, **kwargs):
    """Groups survive a flush (e.g. between transactional tests) as they do a migration."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    from .roles_setup import ensure_roles

    ensure_roles(apps)
