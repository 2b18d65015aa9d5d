"""The collection rollups against the ledger: --check proves they agree (exit non-zero
naming each difference); without it they are made again from the ledger."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payments.rollups import rollups_differences, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Make the collection rollups again from the ledger, or with --check prove that they "
        "equal a recomputation (a GROUP BY over every allocation)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if not check:
            counted = rollups_rebuild()
            self.stdout.write(f"Rollups made again from {counted} ledger rows.")
        problems = rollups_differences()
        for problem in problems:
            self.stderr.write(f"DIFFERENCE: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} difference(s) between rollups and ledger.")
        self.stdout.write(self.style.SUCCESS("Rollups equal the ledger."))
