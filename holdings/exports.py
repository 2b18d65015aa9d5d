"""Report exports of holding tax: the defaulters table's columns (shared by the streamed
CSV of the page and the XLSX the worker builds) and the worker's build of an export."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.utils import translation
from django.utils.translation import gettext as _

from core.db import long_running, replica_reads
from core.digits import localize_digits
from core.exports import Column, table, write_xlsx
from core.models import Ward

from . import reports, tax
from .models import ReportExport

PROGRESS_EVERY = 2000  # rows


def money(value: Any) -> Decimal:
    """A report amount (None for nothing) to the paisa."""
    return tax.money(value or 0)


def defaulter_columns() -> list[Column]:
    return [
        (_("Ward number"), lambda r: r["ward_number"]),
        (_("Holding number"), lambda r: r["number"]),
        (_("Road"), lambda r: r["road"]),
        (_("Mahalla"), lambda r: r["mahalla"]),
        (_("Owner"), reports.owner_name),
        (_("Mobile"), lambda r: r["owner_mobile"] or ""),
        (_("Overdue instalments"), lambda r: r["overdue_count"]),
        (_("Oldest due date"), lambda r: r["oldest_due"]),
        (_("Overdue amount"), lambda r: money(r["overdue_amount"])),
        (_("Arrears with surcharge"), lambda r: money(r["arrears_amount"])),
        (_("Total owed"), lambda r: money(r["owed"])),
    ]


def defaulters_filename(as_of: date, ward: Ward | None) -> str:
    suffix = f"-ward-{ward.number}" if ward is not None else ""
    return f"holding-defaulters-{as_of.isoformat()}{suffix}"


def defaulters_params(*, as_of: date, ward: Ward | None, sort: str, language: str) -> dict:
    """What a defaulters export job keeps of the officer's choice (JSON-ready)."""
    return {
        "as_of": as_of.isoformat(),
        "ward": ward.pk if ward is not None else None,
        "sort": sort,
        "language": language,
    }


def _counted(rows: Iterator[dict], progress: Callable[[int], None]) -> Iterator[dict]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


def build_export(export: ReportExport, *, progress: Callable[[int, int], None]) -> int:
    """Write the export's file (the defaulters list as XLSX, rows streamed from a
    server-side cursor into a write-only workbook on disk) and attach it to the export;
    returns the number of rows. `progress(rows written, rows in all)` as it goes."""
    params = export.params
    as_of = date.fromisoformat(params["as_of"])
    ward = Ward.objects.filter(pk=params["ward"]).first() if params.get("ward") else None
    rows = reports.defaulters(today=as_of, ward=ward, sort=params.get("sort") or "owed_desc")
    language = params.get("language") or None
    with translation.override(language), replica_reads(), long_running(report=True):
        total = rows.count()
        progress(0, total)
        written = 0

        def report(done: int) -> None:
            nonlocal written
            written = done
            progress(done, total)

        headers, values = table(_counted(rows.iterator(), report), defaulter_columns())
        with tempfile.TemporaryFile(suffix=".xlsx") as out:
            write_xlsx(
                out,
                headers,
                values,
                title=_("Defaulters %(date)s") % {"date": localize_digits(as_of.isoformat())},
            )
            out.seek(0)
            export.file.save(f"{export.filename or 'export'}.xlsx", File(out), save=False)
    ReportExport.objects.filter(pk=export.pk).update(file=export.file.name)
    return written
