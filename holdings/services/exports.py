"""Report exports built by the worker (holdings.models.ReportExport): start one, mark it
running, record how it ended, and fail those whose worker stopped (core.runs)."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from core import audit

from ..models import ReportExport

log = logging.getLogger(__name__)

LIVE_EXPORT_STATUSES = [ReportExport.Status.QUEUED, ReportExport.Status.RUNNING]


def _enqueue_report_export(export_id: int) -> None:
    """Send the export to the workers; if the queue cannot be reached, the export says so."""
    from ..tasks import build_report_export

    try:
        build_report_export.delay(export_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the export failed
        log.exception("could not queue report export %s", export_id)
        ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.QUEUED).update(
            status=ReportExport.Status.FAILED,
            error=f"Could not reach the task queue: {exc}"[:2000],
            finished_at=timezone.now(),
        )


def report_export_start(*, kind: str, params: dict, filename: str, actor) -> ReportExport:
    """A queued export, sent to the workers once committed."""
    report_exports_fail_stale()
    with transaction.atomic():
        export = ReportExport.objects.create(
            kind=kind, fmt="xlsx", params=params, filename=filename[:200], started_by=actor
        )
        audit.record(
            action="holdings.report_export_started",
            obj=export,
            actor=actor,
            after={"kind": kind, "params": params},
        )
        transaction.on_commit(partial(_enqueue_report_export, export.pk))
    return export


def report_export_mark_running(export_id: int) -> bool:
    """The worker has picked the export up; False when it is no longer live."""
    return bool(
        ReportExport.objects.filter(pk=export_id, status__in=LIVE_EXPORT_STATUSES).update(
            status=ReportExport.Status.RUNNING, heartbeat_at=timezone.now()
        )
    )


def report_export_finish(export_id: int, *, rows: int = 0, error: str = "") -> dict:
    """Record how an export ended: failed with `error`, else done with `rows` rows."""
    if error:
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
        )
        return {}
    ReportExport.objects.filter(pk=export_id).update(
        status=ReportExport.Status.DONE, progress=100, rows=rows, finished_at=timezone.now()
    )
    return {"rows": rows}


def report_exports_fail_stale() -> list[int]:
    """Running exports whose worker stopped (no heartbeat) are marked failed."""
    from core.runs import fail_stale

    return fail_stale(
        ReportExport,
        live_statuses=[ReportExport.Status.RUNNING],
        failed_status=ReportExport.Status.FAILED,
    )
