"""Ask the gateway about online payments pending longer than a threshold."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from payments.services.online import payment_reconcile, pending_for_reconciliation


class Command(BaseCommand):
    help = "Settle, fail or expire online payments pending longer than --minutes (default 15)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes", type=int, default=15, help="only payments older than this many minutes"
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        counts: dict[str, int] = {}
        for payment in pending_for_reconciliation(timedelta(minutes=minutes)):
            outcome = payment_reconcile(payment=payment)
            counts[outcome] = counts.get(outcome, 0) + 1
            self.stdout.write(f"{payment.tran_id}: {outcome}")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing pending"
        self.stdout.write(self.style.SUCCESS(f"Reconciled: {summary}."))
