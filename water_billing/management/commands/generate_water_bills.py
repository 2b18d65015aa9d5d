"""python manage.py generate_water_bills YYYY-MM — make a month's water bills (set-based,
idempotent: a second run adds only what is missing) and print what was made."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from core.db import long_running
from water_billing.billing import BillingError, as_period, generate_water_bills


class Command(BaseCommand):
    help = "Make the water bills of a billing month (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the billing month, YYYY-MM (e.g. 2026-11)")
        parser.add_argument(
            "--bill-date", help="the bills' date, YYYY-MM-DD (default: today)", default=None
        )
        parser.add_argument(
            "--no-sms", action="store_true", help="do not send the bills by SMS afterwards"
        )

    def handle(self, *args, month: str, bill_date: str | None, no_sms: bool, **options):
        try:
            period = as_period(month)
            day = datetime.date.fromisoformat(bill_date) if bill_date else None
        except (BillingError, ValueError) as e:
            raise CommandError(str(e)) from None

        def progress(step: str, pct: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {pct:3d}% {step}")

        try:
            with long_running():
                result = generate_water_bills(period, bill_date=day, progress=progress)
        except BillingError as e:
            raise CommandError(str(e)) from None
        sent = 0
        if not no_sms:
            from water_billing.notify import send_bill_sms

            sent = send_bill_sms(period)
        self.stdout.write(
            f"{period:%Y-%m}: {result.bills} bills ({result.metered} metered, {result.flat} "
            f"flat rate, {result.estimated} estimated), {result.lines} lines, "
            f"{result.late_fees} late fees, total {result.total}, due {result.due_date}; "
            f"skipped: {len(result.held)} held, {len(result.not_read)} not read, "
            f"{result.exempt} exempt; {sent} SMS"
        )
        for number in result.held:
            self.stdout.write(f"  held: {number}")
