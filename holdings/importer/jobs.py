"""The register import as a worker job (holdings.models.HoldingImport).

1. The officer uploads: the file is saved in the private storage and a job is queued
   (``import_job_start``); the worker checks it (``check_job``, the task
   holdings.tasks.check_holding_import).
2. The check reads the file once, row by row (a csv reader over the file, openpyxl in
   read-only mode), cleans each row and keeps it as a HoldingImportRow: its normalised
   values, what is wrong with it (in the officer's language). Then a second pass over the
   kept rows, holding by holding (ordered by ward and number, read with a cursor), checks
   the rules across a holding's rows and against the register. Memory stays bounded by a
   batch, whatever the size of the file. The file is deleted once checked; a file that
   cannot be read (columns, type, size, encoding) is refused and nothing is kept.
3. The officer reads the check and confirms (``import_job_confirm``: one confirmation
   wins, the job moves from checked to queued for import under a conditional UPDATE). The
   worker imports the kept rows (``import_job``, the task holdings.tasks.
   run_holding_import) in one transaction, never reading the file again: everything, or
   only the holdings whose every row is valid. Holdings registered since the check are
   looked for first; if there are any, they become row errors and the job is checked
   again, with nothing imported.

Both steps run with a heartbeat (core.runs); a job whose worker stopped is marked failed
by the beat task (``import_jobs_fail_stale``). Progress goes through the cache
(``progress_key``) because each step is one transaction.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.db import long_running
from core.digits import localize_digits
from core.fiscal import current_fiscal_year
from core.models import Ward

from ..models import HoldingImport, HoldingImportRow, RateSchedule
from .columns import BATCH
from .importing import create_holdings
from .reading import ParsedFile, extension, stream
from .validation import RowResult, _check_group, _clean_row, _existing

log = logging.getLogger(__name__)

Status = HoldingImport.Status
# Statuses in which the worker has the job (a heartbeat is expected).
RUNNING = [Status.CHECKING, Status.IMPORTING]
LIVE = [Status.QUEUED, Status.CHECKING, Status.IMPORT_QUEUED, Status.IMPORTING]
OWNER_COLUMNS = (
    "owner_name_bn",
    "owner_name_en",
    "owner_nid",
    "owner_mobile",
    "owner_share_percent",
)
DECIMALS = ("floor_area_sqft", "owner_share_percent", "annual_rent", "arrears_amount")
GROUPS_PER_BATCH = 500  # holdings looked up in the register at once
ROWS_PER_FETCH = 2000

# Stored in English in the job's error field; the page shows it translated.
REGISTERED_MEANWHILE = gettext_noop(
    "Some holdings of this file were registered since it was checked: their rows are now "
    "errors and nothing was imported. Read the check again and decide."
)
NOTHING_VALID = gettext_noop("No holding in the file can be imported.")
ERRORS_LEFT = gettext_noop(
    "Rows have errors, so nothing was imported. Correct the file, or import only the valid "
    "holdings."
)
TAKEN_MEANWHILE = gettext_noop(
    "Some of these holdings were registered by someone else while the file was being "
    "imported, so nothing was imported. Check the file again."
)
QUEUE_DOWN = gettext_noop("The task queue could not be reached. Upload the file again.")

Progress = Callable[[str, int, int], None]  # (phase, rows done, percent)


def progress_key(job_id: int) -> str:
    return f"holdings:import:{job_id}"


def _no_progress(phase: str, done: int, pct: int) -> None:
    return None


# --- starting, confirming, cancelling -----------------------------------------------------


def _enqueue(task_name: str, job_id: int) -> None:
    """Send the job to the workers; if the queue cannot be reached, the job says so."""
    from .. import tasks

    try:
        getattr(tasks, task_name).delay(job_id)
    except Exception:  # noqa: BLE001 - any broker failure leaves the job failed
        log.exception("could not queue holding import %s", job_id)
        HoldingImport.objects.filter(pk=job_id, status__in=LIVE).update(
            status=Status.FAILED, error=QUEUE_DOWN, finished_at=timezone.now()
        )


def import_job_start(*, upload, actor, language: str = "") -> HoldingImport:
    """Keep the uploaded file in the private storage and queue its check."""
    import_jobs_fail_stale()
    name = str(upload.name).replace("\\", "/").rsplit("/", 1)[-1][:200]
    kind = extension(name)
    with transaction.atomic():
        job = HoldingImport(
            original_name=name,
            kind=kind,
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
            size=upload.size or 0,
            started_by=actor,
        )
        upload.seek(0)
        job.file.save(f"{secrets.token_hex(16)}.{kind}", upload, save=False)
        job.save()
        audit.record(
            action="holdings.import_started",
            obj=job,
            actor=actor,
            after={"file": name, "size": job.size},
        )
        transaction.on_commit(partial(_enqueue, "check_holding_import", job.pk))
    return job


def can_confirm(job: HoldingImport) -> bool:
    """Checked and waiting; or an import that failed (its kept rows are still there)."""
    return job.status == Status.CHECKED or (
        job.status == Status.FAILED and job.checked_at is not None and not job.file_errors
    )


def import_job_confirm(*, job_id: int, only_valid: bool, actor) -> bool:
    """The officer's confirmation: the job moves to "waiting to import" and the worker is
    asked to import it. One confirmation wins (a conditional UPDATE): False for the
    others, and for a job that is not waiting for a decision."""
    with transaction.atomic():
        moved = (
            HoldingImport.objects.filter(pk=job_id)
            .filter(_confirmable())
            .update(
                status=Status.IMPORT_QUEUED,
                only_valid=only_valid,
                confirmed_by=actor,
                error="",
                progress=0,
                heartbeat_at=None,
                finished_at=None,
            )
        )
        if moved:
            audit.record(
                action="holdings.import_confirmed",
                object_type="holdings.holdingimport",
                object_id=job_id,
                actor=actor,
                after={"only_valid": only_valid},
            )
            transaction.on_commit(partial(_enqueue, "run_holding_import", job_id))
    return bool(moved)


def _confirmable():
    from django.db.models import Q

    return Q(status=Status.CHECKED) | Q(
        status=Status.FAILED, checked_at__isnull=False, file_errors=[]
    )


def import_job_cancel(*, job_id: int, actor) -> bool:
    """Import nothing: the kept rows are forgotten."""
    with transaction.atomic():
        moved = (
            HoldingImport.objects.filter(pk=job_id)
            .filter(_confirmable())
            .update(status=Status.CANCELLED, finished_at=timezone.now())
        )
        if moved:
            HoldingImportRow.objects.filter(job_id=job_id).delete()
            audit.record(
                action="holdings.import_cancelled",
                object_type="holdings.holdingimport",
                object_id=job_id,
                actor=actor,
            )
    return bool(moved)


def _mark_running(job_id: int, *, queued: str, running: str) -> bool:
    """The one delivery of the step's task that does it (core.runs.claim)."""
    from core.runs import claim

    return claim(HoldingImport, job_id, queued_status=queued, running_status=running)


def import_job_fail(job_id: int, error: str) -> None:
    HoldingImport.objects.filter(pk=job_id, status__in=LIVE).update(
        status=Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def import_jobs_fail_stale() -> list[int]:
    """Checks and imports whose worker stopped (no heartbeat) are marked failed. (A
    queued job has no heartbeat yet: it waits for a worker.)"""
    from core.runs import fail_stale

    failed = fail_stale(HoldingImport, live_statuses=RUNNING, failed_status=Status.FAILED)
    for job_id in failed:  # a check that died leaves its upload behind
        _forget_file(job_id)
    return failed


def _say(progress: Progress, job_id: int) -> Progress:
    def report(phase: str, done: int, pct: int) -> None:
        progress(phase, done, pct)
        with contextlib.suppress(Exception):  # the cache is a nicety; the work goes on
            cache.set(
                progress_key(job_id),
                {"phase": phase, "rows": done, "progress": max(0, min(99, pct))},
                3600,
            )

    return report


# --- kept rows ----------------------------------------------------------------------------


class Kept(NamedTuple):
    """A kept row as written and read back (lighter than a model instance, 50,000 times)."""

    pk: int | None
    row: int
    ward: int | None
    number: str
    holding: str
    ok: bool
    values: dict[str, Any]
    errors: list[str]
    codes: list[str]


def _kept(r: RowResult) -> Kept:
    """What is kept of a checked row: its normalised values (the ward by number, amounts
    as text), the owner columns as written (for the rules across a holding's rows)."""
    values: dict[str, Any] = {
        name: (value.number if name == "ward" else value) for name, value in r.values.items()
    }
    raw = {c: r.raw[c] for c in OWNER_COLUMNS if r.raw.get(c)}
    if raw:
        values["_raw"] = raw
    key = r.key
    return Kept(
        None,
        r.row,
        key[0] if key else None,
        key[1] if key else "",
        r.holding[:200],
        r.ok,
        values,
        r.errors,
        r.codes,
    )


def _restored(kept: Kept, wards: dict[int, Ward]) -> RowResult:
    values = dict(kept.values)
    raw = dict.fromkeys(OWNER_COLUMNS, "") | values.pop("_raw", {})
    if "ward" in values:
        values["ward"] = wards[values["ward"]]
    for name in DECIMALS:
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    return RowResult(
        row=kept.row, raw=raw, values=values, errors=list(kept.errors), codes=list(kept.codes)
    )


def _groups(job: HoldingImport) -> Iterator[list[Kept]]:
    """The kept rows of each holding (rows whose ward and number could be read), holding
    after holding, read with a cursor."""
    rows = (
        HoldingImportRow.objects.filter(job=job, ward__isnull=False)
        .order_by("ward", "number", "row")
        .values_list("pk", "row", "ward", "number", "holding", "ok", "values", "errors", "codes")
    )
    kept = (Kept(*values) for values in rows.iterator(chunk_size=ROWS_PER_FETCH))
    for _key, group in itertools.groupby(kept, key=lambda k: (k.ward, k.number)):
        yield list(group)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _recount(job: HoldingImport) -> None:
    kept = HoldingImportRow.objects.filter(job=job)
    job.rows = kept.count()
    job.error_rows = kept.filter(ok=False).count()
    keyed = kept.filter(ward__isnull=False)
    job.holdings = keyed.values("ward", "number").distinct().count()
    invalid = keyed.filter(ok=False).values("ward", "number").distinct().count()
    job.valid_holdings = job.holdings - invalid


# --- the check ----------------------------------------------------------------------------


def check_job(job_id: int, *, progress: Progress = _no_progress) -> dict:
    """The worker's check of an uploaded file (see the module's docstring). Returns the
    counts; a job that is no longer waiting for its check is left alone."""
    if not _mark_running(job_id, queued=Status.QUEUED, running=Status.CHECKING):
        return {}
    job = HoldingImport.objects.get(pk=job_id)
    report = _say(progress, job_id)
    # One transaction with the long limits of bulk jobs: a check that dies keeps nothing.
    with (
        translation.override(job.language or settings.LANGUAGE_CODE),
        transaction.atomic(),  # a savepoint when called inside a transaction
        long_running(),
    ):
        HoldingImportRow.objects.filter(job=job).delete()  # a check run again starts afresh
        parsed = ParsedFile(filename=job.original_name, kind=job.kind)
        _read(job, parsed, report)
        if parsed.errors:
            HoldingImportRow.objects.filter(job=job).delete()
            job.status, job.file_errors = Status.REFUSED, parsed.errors
            job.rows = job.error_rows = job.holdings = job.valid_holdings = 0
        else:
            _check_holdings(job, report)
            _recount(job)
            job.status, job.checked_at = Status.CHECKED, timezone.now()
        job.progress = 100
        job.finished_at = timezone.now() if job.status == Status.REFUSED else None
        job.save()
    _forget_file(job.pk)  # committed: the rows are kept, the file is not needed any more
    return {"status": job.status, "rows": job.rows, "error_rows": job.error_rows}


def _forget_file(job_id: int) -> None:
    """The uploaded file is not needed once checked (or refused)."""
    job = HoldingImport.objects.get(pk=job_id)
    if job.file:
        with contextlib.suppress(OSError):
            job.file.delete(save=False)
        HoldingImport.objects.filter(pk=job_id).update(file="")


def _read(job: HoldingImport, parsed: ParsedFile, report: Progress) -> None:
    """Read the file once, row by row: each row cleaned on its own and kept."""
    wards = {w.number: w for w in Ward.objects.all()}
    this_fy = current_fiscal_year()
    size = max(1, job.size)
    batch: list[Kept] = []
    done = 0
    share = 0.0
    with job.file.storage.open(job.file.name or "", "rb") as handle:
        source = getattr(handle, "file", handle)
        for number, raw, row_errors in stream(source, job.original_name, parsed):
            result = RowResult(row=number, raw=raw)
            for message, code in row_errors:
                result.add(message, code)
            _clean_row(result, wards, this_fy)
            batch.append(_kept(result))
            done += 1
            if len(batch) >= BATCH:
                _insert(job, batch)
                batch = []
                if parsed.expected_rows:
                    share = done / parsed.expected_rows
                else:
                    with contextlib.suppress(OSError, ValueError):
                        share = source.tell() / size
                report("check", done, int(70 * min(1.0, share)))
    if batch and not parsed.errors:
        _insert(job, batch)


KEPT_COLUMNS = (
    "job_id",
    "row",
    "ward",
    "number",
    "holding",
    "ok",
    "status",
    "values",
    "errors",
    "codes",
)


def _insert(job: HoldingImport, batch: list[Kept]) -> None:
    """Write kept rows: one COPY on PostgreSQL (a third of bulk_create's time: no array of
    JSON texts to quote), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        HoldingImportRow.objects.bulk_create(
            HoldingImportRow(job=job, **k._asdict()) for k in batch
        )
        return
    table = HoldingImportRow._meta.db_table
    columns = ", ".join(f'"{c}"' for c in KEPT_COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for k in batch:
            copy.write_row(
                (
                    job.pk,
                    k.row,
                    k.ward,
                    k.number,
                    k.holding,
                    k.ok,
                    "",
                    json.dumps(k.values, cls=DjangoJSONEncoder, ensure_ascii=False),
                    json.dumps(k.errors, ensure_ascii=False),
                    json.dumps(k.codes),
                )
            )


def _check_holdings(job: HoldingImport, report: Progress) -> None:
    """The rules across each holding's rows and against the register, holding by holding;
    the rows that get new errors are written back."""
    wards = {w.number: w for w in Ward.objects.all()}
    total = max(1, HoldingImportRow.objects.filter(job=job).count())
    done = 0
    for batch in _batches(_groups(job), GROUPS_PER_BATCH):
        existing = _existing({(g[0].ward, g[0].number) for g in batch}, wards)
        changed = []
        for group in batch:
            key = (group[0].ward, group[0].number)
            results = [_restored(k, wards) for k in group]
            before = [len(r.errors) for r in results]
            _check_group(key, results, key in existing)  # type: ignore[arg-type]
            for kept, r, n in zip(group, results, before, strict=True):
                if len(r.errors) != n:
                    changed.append(
                        HoldingImportRow(pk=kept.pk, errors=r.errors, codes=r.codes, ok=False)
                    )
            done += len(group)
        if changed:
            HoldingImportRow.objects.bulk_update(
                changed, ["errors", "codes", "ok"], batch_size=BATCH
            )
        report("check", job.rows or done, 70 + 29 * done // total)


# --- the import ---------------------------------------------------------------------------


def import_job(job_id: int, *, actor=None, progress: Progress = _no_progress) -> dict:
    """The worker's import of a confirmed job, from its kept rows (see the module's
    docstring). Returns the counts; a job that is no longer waiting is left alone."""
    if not _mark_running(job_id, queued=Status.IMPORT_QUEUED, running=Status.IMPORTING):
        return {}
    job = HoldingImport.objects.get(pk=job_id)
    report = _say(progress, job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        if _registered_since_check(job):
            return _back_to_checked(job, REGISTERED_MEANWHILE)
        if job.error_rows and not job.only_valid:
            return _back_to_checked(job, ERRORS_LEFT)
        if not job.valid_holdings:
            return _back_to_checked(job, NOTHING_VALID)
        try:
            # One transaction (a savepoint inside a caller's): nothing half-imported.
            with transaction.atomic(), long_running():
                locked = HoldingImport.objects.select_for_update().get(pk=job_id)
                if locked.status != Status.IMPORTING:  # failed as stale meanwhile
                    return {}
                _import_kept(locked, actor or locked.confirmed_by, report)
        except IntegrityError:
            return _back_to_checked(job, TAKEN_MEANWHILE)
    return {"status": locked.status, "holdings": locked.imported_holdings}


def _back_to_checked(job: HoldingImport, message: str) -> dict:
    _recount(job)
    HoldingImport.objects.filter(pk=job.pk, status=Status.IMPORTING).update(
        status=Status.CHECKED,
        error=message,
        error_rows=job.error_rows,
        valid_holdings=job.valid_holdings,
        progress=100,
    )
    return {"status": Status.CHECKED, "error": message}


def _registered_since_check(job: HoldingImport) -> bool:
    """Holdings of the file registered since the check: their rows get the error the
    check gives (written at once, outside the import's transaction)."""
    wards = {w.number: w for w in Ward.objects.all()}
    keys = (
        HoldingImportRow.objects.filter(job=job, ward__isnull=False)
        .values_list("ward", "number")
        .distinct()
        .order_by("ward", "number")
    )
    found: set[tuple[int, str]] = set()
    for batch in _batches(keys.iterator(chunk_size=ROWS_PER_FETCH), GROUPS_PER_BATCH):
        found |= _existing(set(batch), wards)
    changed = False
    for ward, number in sorted(found):
        for kept in HoldingImportRow.objects.filter(job=job, ward=ward, number=number):
            if "duplicate_holding" in kept.codes:
                continue
            kept.errors = [
                *kept.errors,
                _("Holding %(number)s already exists in ward %(ward)s.")
                % {"number": localize_digits(number), "ward": localize_digits(ward)},
            ]
            kept.codes, kept.ok = [*kept.codes, "duplicate_holding"], False
            kept.save(update_fields=["errors", "codes", "ok"])
            changed = True
    return changed


def _import_kept(job: HoldingImport, actor, report: Progress) -> None:
    wards = {w.number: w for w in Ward.objects.all()}
    schedules: dict[str, RateSchedule] = {}
    totals = [0, 0, 0, 0]
    seen = 0

    def create(valid: dict[tuple[int, str], list[RowResult]], pks: list[int]) -> None:
        counts = create_holdings(
            valid, actor=actor, filename=job.original_name, schedules=schedules
        )
        for i, n in enumerate(counts):
            totals[i] += n
        HoldingImportRow.objects.filter(pk__in=pks).update(status="imported")

    valid: dict[tuple[int, str], list[RowResult]] = {}
    pks: list[int] = []
    for group in _groups(job):
        seen += 1
        if not all(k.ok for k in group):
            continue
        valid[(group[0].ward, group[0].number)] = [_restored(k, wards) for k in group]  # type: ignore[index]
        pks.extend(k.pk for k in group if k.pk is not None)
        if len(valid) >= BATCH:
            create(valid, pks)
            valid, pks = {}, []
            report("import", seen, 99 * seen // max(1, job.holdings))
    if valid:
        create(valid, pks)
    kept = HoldingImportRow.objects.filter(job=job)
    kept.filter(ok=False).update(status="error")
    kept.filter(ok=True).exclude(status="imported").update(status="skipped")
    job.imported_holdings, job.owners, job.assessments, job.arrears = totals
    job.skipped_holdings = job.holdings - totals[0]
    job.skipped_rows = kept.exclude(status="imported").count()
    job.status, job.progress, job.finished_at = Status.IMPORTED, 100, timezone.now()
    job.error = ""
    job.save()
    audit.record(
        action="holdings.imported",
        object_type="holdings.holding",
        object_id=job.original_name[:100],
        actor=actor,
        after={
            "file": job.original_name,
            "job": job.pk,
            "rows": job.rows,
            "holdings": job.imported_holdings,
            "owners": job.owners,
            "assessments": job.assessments,
            "arrears": job.arrears,
            "only_valid": job.only_valid,
            "skipped_holdings": job.skipped_holdings,
            "skipped_rows": job.skipped_rows,
        },
    )


# --- the report ---------------------------------------------------------------------------


def report_lines(job: HoldingImport) -> Iterator[list]:
    """The row-by-row report of a job (the columns of importer.report_csv): file errors,
    then every row, read with a cursor."""
    for message in job.file_errors:
        yield ["", "", "", "file", message]
    rows = HoldingImportRow.objects.filter(job=job).order_by("row")
    for kept in rows.only("row", "ward", "number", "holding", "ok", "status", "errors").iterator(
        chunk_size=ROWS_PER_FETCH
    ):
        ward: int | str | None = kept.ward
        number = kept.number
        if ward is None:  # as written, when it could not be read
            ward, _sep, number = kept.holding.partition("/")
        yield [
            kept.row,
            ward,
            number,
            kept.status or ("ok" if kept.ok else "error"),
            " | ".join(kept.errors),
        ]
