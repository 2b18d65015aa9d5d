"""Import the legacy holding register from a CSV or XLSX file."""

import argparse
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.utils import translation

from holdings import importer


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = """Import the legacy holding register (holdings, owners, valuations, arrears) from a
CSV (UTF-8, with or without BOM) or XLSX file, after checking every row. A file with
errors imports nothing (exit status 1) unless --only-valid is given; then every holding
with a bad row is skipped whole. The row-by-row error report is printed either way.

One row per holding-owner; the first row names these columns, in any order:
  ward, holding_number, road, mahalla, use, owner_occupied, floor_area_sqft,
  owner_name_bn, owner_name_en, owner_share_percent, owner_nid, owner_mobile,
  annual_rent, valuation_fy, arrears_fy, arrears_amount
Bengali digits are accepted in every number.
  use             residential|commercial|industrial|mixed|vacant_land
                  (or আবাসিক|বাণিজ্যিক|শিল্প|মিশ্র|খালি জমি)
  owner_occupied  yes|no|1|0|হ্যাঁ|না (blank = no)
  owner_share_percent  blank = 100 for a single owner; at most 100 in total
  annual_rent + valuation_fy   an assessment from that fiscal year (both or neither)
  arrears_fy + arrears_amount  an earlier year left unpaid: recorded as that year's demand
                  with four unpaid instalments; generate_holding_demands for a later
                  year carries it forward as an arrear with that year's surcharge.
Rows with the same ward + holding_number add owners to one holding; its own columns
may be blank after the first row, but a different value is an error (the same number
used twice). Holdings already in the register are refused.
Example file: holdings/samples/holdings_register.csv"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="import the holdings whose rows are all valid, skip the rest",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the error report (default: %(default)s)",
        )

    def handle(self, *args, path, only_valid, language, **options):
        with translation.override(language):
            return self._import(path, only_valid)

    def _import(self, path, only_valid):
        try:
            with open(path, "rb") as f:
                parsed = importer.parse(f, path)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        if parsed.errors:
            for error in parsed.errors:
                self.stderr.write(error)
            raise CommandError(f"{path}: nothing imported.")
        results = importer.validate(parsed)
        report = importer.import_rows(
            results, only_valid=only_valid, filename=os.path.basename(path)
        )
        bad = [r for r in results if r.errors]
        for r in bad:
            self.stdout.write(f"row {r.row} [{r.holding}]: " + "; ".join(r.errors))
        skipped = [r for r in results if r.status == "skipped"]
        for r in skipped:
            self.stdout.write(
                f"row {r.row} [{r.holding}]: skipped (another row of the holding has errors)"
            )
        for error in report.errors:
            self.stderr.write(error)
        if not report.imported:
            if report.error_rows:
                raise CommandError(
                    f"{report.error_rows} of {report.rows} rows have errors: "
                    "nothing imported (use --only-valid to import the rest)."
                )
            raise CommandError("nothing imported.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.holdings} holdings, {report.owners} owners, "
                f"{report.assessments} valuations, {report.arrears} years of arrears from "
                f"{report.rows} rows; skipped {report.skipped_holdings} holdings "
                f"({report.skipped_rows} rows)."
            )
        )
