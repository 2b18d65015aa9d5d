"""Idempotent demo city: each installed app's declared `demo` seeder (core.portal) runs,
in the declarations' order (accounts first).

The demo creates an administrator with a published password and resets the passwords of
any accounts on the demo mobile numbers, so it refuses to run unless the gateway
simulator is enabled (development and tests, never production settings) or `--force`
is given.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from core import portal


class Command(BaseCommand):
    help = "Create or refresh the demo data and print the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even where the gateway simulator is disabled (production settings). "
            "Creates an administrator with a known password.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not (getattr(settings, "SSLCOMMERZ_SIMULATOR_ENABLED", False) or force):
            raise CommandError(
                "seed_demo refused: these settings look like production (the gateway "
                "simulator is disabled). The demo creates an administrator with a known "
                "password and resets the passwords of accounts on the demo mobile numbers. "
                "Run it with development settings, or pass --force if you really mean it."
            )
        rows: list[tuple[str, str, str]] = []
        with translation.override("en"), transaction.atomic():
            for spec in portal.specs():
                if spec.demo is not None:
                    rows.extend(spec.demo() or [])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo sign-ins:"))
        width = max((len(r[0]) for r in rows), default=10)
        for role, mobile, how in rows:
            self.stdout.write(f"  {role:<{width}}  {mobile}  {how}")
        self.stdout.write("  (codes are printed in this console and listed at /dev/sms/)")
