"""Create the role groups with their permissions (the list is core.roles). Used by the
data migration and after every flush (post_migrate), idempotently."""

from django.contrib.auth.management import create_permissions


def ensure_roles(apps) -> None:
    from core.roles import ROLE_PERMISSIONS

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        perms = Permission.objects.filter(
            content_type__app_label="accounts", codename__in=codenames
        )
        group.permissions.set(perms)
