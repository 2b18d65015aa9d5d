"""Roles as groups with permissions (the list is core.roles)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from accounts.roles_setup import ensure_roles

    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
