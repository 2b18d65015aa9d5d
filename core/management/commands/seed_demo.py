"""Idempotent demo city: each installed app's `demo.seed()` runs in INSTALLED_APPS order."""

from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation


class Command(BaseCommand):
    help = "Create or refresh the demo data and print the demo sign-ins."

    def handle(self, *args, **options):
        rows: list[tuple[str, str, str]] = []
        with translation.override("en"), transaction.atomic():
            for app_config in apps.get_app_configs():
                name = f"{app_config.name}.demo"
                if util.find_spec(name) is None:
                    continue
                result = import_module(name).seed()
                rows.extend(result or [])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo sign-ins:"))
        width = max((len(r[0]) for r in rows), default=10)
        for role, mobile, how in rows:
            self.stdout.write(f"  {role:<{width}}  {mobile}  {how}")
        self.stdout.write("  (codes are printed in this console and listed at /dev/sms/)")
