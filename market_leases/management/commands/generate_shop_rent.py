"""python manage.py generate_shop_rent YYYY-MM — make a month's shop rent for every active
allotment (set-based, idempotent: a second run adds only what is missing), send the months'
SMS and print what was made."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.db import long_running
from market_leases.billing import BillingError, generate_shop_rent


class Command(BaseCommand):
    help = "Make the shop rent of a month (YYYY-MM) for every active allotment."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the rent month, YYYY-MM (e.g. 2026-11)")
        parser.add_argument("--no-sms", action="store_true", help="do not send the SMS")

    def handle(self, *args, month: str, no_sms: bool, **options):
        def progress(step: str, pct: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {pct:3d}% {step}")

        try:
            with long_running():
                result = generate_shop_rent(month, progress=progress)
        except BillingError as e:
            raise CommandError(str(e)) from None
        sent = 0
        if not no_sms:
            from market_leases.notify import send_rent_sms

            sent = send_rent_sms(result.period)
        self.stdout.write(
            f"{result.period:%Y-%m}: {result.months} months of rent, total {result.total}, "
            f"due {result.due_date}; skipped: {result.no_schedule} without a rent schedule; "
            f"{sent} SMS"
        )
