"""Generate a fiscal year's holding-tax demands (set-based, idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from core.fiscal import parse_fiscal_year
from holdings.demands import generate_demands


class Command(BaseCommand):
    help = "Create the year's demands, instalments and carried arrears; print a ward summary."

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", help='e.g. "2025-26"')

    def handle(self, *args, fiscal_year, **options):
        try:
            fy = parse_fiscal_year(fiscal_year)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = generate_demands(
            fy, progress=lambda step, pct: self.stdout.write(f"  {pct:3d}% {step}")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"FY {fy}: {result.demands} new demands, {result.instalments} instalments, "
                f"{result.arrears} arrears carried in; {result.not_assessed} holdings not assessed."
            )
        )
        self.stdout.write("Ward  demands  total")
        for row in result.by_ward:
            self.stdout.write(f"{row['ward']:>4}  {row['demands']:>7}  {row['total']}")
