"""Register an RFID reader (a fixed gate or a handheld) and print its scan-only token on the
last line (shown this once: only its hash is kept).

    python manage.py register_scan_device "Gate 1" --place "Shibbari crossing"
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ezbike.services import device_register


class Command(BaseCommand):
    help = "Register an RFID scan device; prints its scan-only token on the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The device's name, such as “Gate 1”.")
        parser.add_argument("--place", required=True, help="Where it reads cards.")

    def handle(self, *args, **options) -> None:
        try:
            device, token = device_register(name=options["name"], place=options["place"])
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(f"Registered scan device {device.pk}: {device.name} ({device.place}).")
        self.stdout.write(
            "Its token, shown this once (send it as “Authorization: Device <token>”):"
        )
        self.stdout.write(token)
