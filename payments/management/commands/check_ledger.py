"""Prove the books balance; exit non-zero naming each discrepancy."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payments.ledger_checks import find_discrepancies


class Command(BaseCommand):
    help = (
        "Check that paid bills equal their allocations, succeeded payments are allocated "
        "once, reversals and credits balance and receipt numbers have no gaps."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = find_discrepancies()
        for problem in problems:
            self.stderr.write(f"DISCREPANCY: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} discrepancies found.")
        self.stdout.write(self.style.SUCCESS("Ledger balanced: no discrepancies."))
