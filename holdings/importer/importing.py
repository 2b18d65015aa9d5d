"""Importing the checked rows in one transaction (everything, or only the holdings whose
every row is valid) and reporting on them: the counts and the row-by-row CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits
from core.exports import to_csv
from core.models import Ward

from .. import tax
from ..defaults import ensure_schedule
from ..models import Assessment, Demand, DemandLine, Holding, Instalment, Owner, RateSchedule
from .columns import ARREARS_RULE, BATCH, HOLDING_FIELDS, echo
from .validation import RowResult, _existing


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    error_rows: int = 0
    imported: bool = False
    holdings: int = 0
    owners: int = 0
    assessments: int = 0
    arrears: int = 0  # demands of earlier years recorded as unpaid
    skipped_holdings: int = 0
    skipped_rows: int = 0
    errors: list[str] = field(default_factory=list)  # why nothing was imported
    results: list[RowResult] = field(default_factory=list)

    @property
    def nothing_imported_because_of_errors(self) -> bool:
        return not self.imported and bool(self.error_rows or self.errors)


def summarize(results: list[RowResult]) -> dict[str, int]:
    """Counts for the report page: rows, rows with errors, holdings valid or not (rows
    whose ward or holding number cannot be read belong to no holding)."""
    keys = {r.key for r in results if r.key}
    bad = {r.key for r in results if r.key and not r.ok}
    return {
        "rows": len(results),
        "error_rows": sum(1 for r in results if not r.ok),
        "holdings": len(keys),
        "valid_holdings": len(keys - bad),
        "invalid_holdings": len(bad),
    }


def _recheck_register(groups: dict[tuple[int, str], list[RowResult]]) -> None:
    """Holdings registered since the file was checked are refused as well."""
    wards = {w.number: w for w in Ward.objects.all()}
    for key in _existing(set(groups), wards):
        for r in groups[key]:
            if "duplicate_holding" not in r.codes:
                r.add(
                    _("Holding %(number)s already exists in ward %(ward)s.")
                    % {"number": localize_digits(key[1]), "ward": localize_digits(key[0])},
                    "duplicate_holding",
                )


def import_rows(
    results: list[RowResult], *, only_valid: bool, actor=None, filename: str = ""
) -> ImportReport:
    """Import the checked rows in one transaction. With any row in error, nothing is
    imported unless `only_valid`; then every holding with a bad row is skipped whole."""
    report = ImportReport(filename=filename, rows=len(results), results=results)
    try:
        with transaction.atomic():
            _import(report, results, only_valid=only_valid, actor=actor, filename=filename)
    except IntegrityError:
        report.imported = False
        report.holdings = report.owners = report.assessments = report.arrears = 0
        report.errors.append(
            _(
                "Some of these holdings were registered by someone else while "
                "the file was being imported, so nothing was imported. Check "
                "the file again."
            )
        )
        for r in results:
            r.status = "error" if r.errors else ""
    return report


def _import(  # noqa: C901
    report: ImportReport,
    results: list[RowResult],
    *,
    only_valid: bool,
    actor,
    filename: str,
) -> None:
    groups: dict[tuple[int, str], list[RowResult]] = {}
    for r in results:
        if r.key:
            groups.setdefault(r.key, []).append(r)
    _recheck_register(groups)
    report.error_rows = sum(1 for r in results if r.errors)
    for r in results:
        r.status = "error" if r.errors else ""
    if report.error_rows and not only_valid:
        return
    valid = {key: rows for key, rows in groups.items() if all(r.ok for r in rows)}
    for r in results:
        if r.ok and r.key not in valid:
            r.status = "skipped"
    report.skipped_rows = sum(1 for r in results if r.status in ("error", "skipped"))
    report.skipped_holdings = len(groups) - len(valid)
    if not valid:
        return

    counts = create_holdings(valid, actor=actor, filename=filename, schedules={})
    for r in results:
        if r.key in valid:
            r.status = "imported"
    report.imported = True
    report.holdings, report.owners, report.assessments, report.arrears = counts
    audit.record(
        action="holdings.imported",
        object_type="holdings.holding",
        object_id=filename[:100],
        actor=actor,
        after={
            "file": filename,
            "rows": report.rows,
            "holdings": report.holdings,
            "owners": report.owners,
            "assessments": report.assessments,
            "arrears": report.arrears,
            "only_valid": only_valid,
            "skipped_holdings": report.skipped_holdings,
            "skipped_rows": report.skipped_rows,
        },
    )


def create_holdings(
    valid: dict[tuple[int, str], list[RowResult]],
    *,
    actor,
    filename: str,
    schedules: dict[str, RateSchedule],
) -> tuple[int, int, int, int]:
    """Create the holdings of `valid` (key → its rows, every one valid), with their owners,
    valuations and arrears, in bulk; returns how many holdings, owners, assessments and
    arrears demands. `schedules` (fiscal year → schedule) is kept between calls, so an
    import made in batches looks each year's schedule up once. Call inside a transaction."""
    # bulk_create sets the new ids on PostgreSQL and SQLite ≥ 3.35 (RETURNING).
    holdings, picked = [], []
    for (_ward, number), rows in valid.items():
        # The first non-empty value of each holding column among the holding's rows.
        pick: dict[str, Any] = {
            name: next((r.values[name] for r in rows if r.values.get(name) not in (None, "")), None)
            for name in HOLDING_FIELDS
        }
        holdings.append(
            Holding(
                ward=rows[0].values["ward"],
                number=number,
                road=pick["road"] or "",
                mahalla=pick["mahalla"] or "",
                use=pick["use"],
                owner_occupied=bool(pick["owner_occupied"]),
                floor_area_sqft=pick["floor_area_sqft"],
            )
        )
        picked.append((rows, pick))
    Holding.objects.bulk_create(holdings, batch_size=BATCH)

    owners, assessments = [], []
    for holding, (rows, pick) in zip(holdings, picked, strict=True):
        owner_rows = [r for r in rows if r.has_owner]
        for r in owner_rows:
            v = r.values
            owners.append(
                Owner(
                    holding=holding,
                    name_bn=v["owner_name_bn"],
                    name_en=v["owner_name_en"],
                    share_percent=v["owner_share_percent"] or Decimal("100"),
                    nid=v["owner_nid"],
                    mobile=v["owner_mobile"],
                )
            )
        if pick["annual_rent"] is not None:
            fy = pick["valuation_fy"]
            schedule = schedules.get(fy) or schedules.setdefault(fy, ensure_schedule(fy))
            valuation = tax.annual_valuation(
                pick["annual_rent"],
                owner_occupied=holding.owner_occupied,
                concession_percent=schedule.owner_occupied_concession_percent,
            )
            first_row = next(r.row for r in rows if r.values.get("annual_rent") is not None)
            assessments.append(
                Assessment(
                    holding=holding,
                    effective_fy=fy,
                    annual_rent=valuation.annual_rent,
                    owner_occupied=holding.owner_occupied,
                    annual_valuation=valuation.annual_valuation,
                    basis=f"{valuation.explanation}. Imported from the legacy register "
                    f"({filename or 'file'}, row {first_row})",
                    assessed_by=actor,
                )
            )
    Owner.objects.bulk_create(owners, batch_size=BATCH)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    assessment_of = {a.holding_id: a for a in assessments}

    demands = []
    for holding, (rows, _pick) in zip(holdings, picked, strict=True):
        years: dict[str, Decimal] = {}
        for r in rows:
            if r.values.get("arrears_fy") and r.values.get("arrears_amount"):
                years.setdefault(r.values["arrears_fy"], r.values["arrears_amount"])
        for fy, amount in sorted(years.items()):
            schedule = schedules.get(fy) or schedules.setdefault(fy, ensure_schedule(fy))
            assessment = assessment_of.get(holding.pk)
            if assessment is not None and assessment.effective_fy > fy:
                assessment = None
            demands.append(
                Demand(
                    holding=holding,
                    fiscal_year=fy,
                    schedule=schedule,
                    assessment=assessment,
                    annual_valuation=assessment.annual_valuation if assessment else tax.ZERO,
                    total=amount,
                )
            )
    Demand.objects.bulk_create(demands, batch_size=BATCH)
    lines, instalments = [], []
    for demand in demands:
        lines.append(
            DemandLine(
                demand=demand,
                head="holding_tax",
                percent=None,
                amount=demand.total,
                rule=ARREARS_RULE,
            )
        )
        dues = demand.schedule.due_dates()
        for quarter, amount in enumerate(tax.split_quarters(demand.total), start=1):
            instalments.append(
                Instalment(
                    demand=demand,
                    quarter=quarter,
                    due_date=dues[quarter - 1],
                    amount=amount,
                    status=Instalment.Status.DUE,
                )
            )
    DemandLine.objects.bulk_create(lines, batch_size=BATCH)
    Instalment.objects.bulk_create(instalments, batch_size=BATCH)

    return len(holdings), len(owners), len(assessments), len(demands)


def report_rows(results: list[RowResult], errors: Sequence[str] = ()) -> list[list]:
    """The rows of the row-by-row report (see report_csv), JSON-ready."""
    rows: list[list] = [["", "", "", "file", message] for message in errors]
    for r in results:
        key = r.key
        rows.append(
            [
                r.row,
                key[0] if key else echo(r.raw.get("ward", "")),
                key[1] if key else echo(r.raw.get("holding_number", "")),
                r.status or ("error" if r.errors else "ok"),
                " | ".join(r.errors),
            ]
        )
    return rows


def rows_csv(rows: list[list]) -> bytes:
    """Report rows (report_rows) as the CSV of report_csv."""
    return to_csv(["row", "ward", "holding_number", "status", "errors"], rows)


def report_csv(results: list[RowResult], errors: Sequence[str] = ()) -> bytes:
    """The row-by-row report as CSV (UTF-8 with BOM, so Excel shows Bengali). Status:
    ok (valid, not imported yet), imported, error, or skipped (another row of the holding
    has errors)."""
    return rows_csv(report_rows(results, errors))
