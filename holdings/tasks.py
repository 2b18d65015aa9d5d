"""Celery tasks for holdings: thin wrappers that take ids."""

import contextlib

from celery import shared_task
from django.core.cache import cache

from core.db import long_running
from core.runs import Heartbeat

from .demands import generate_demands
from .models import DemandRun
from .services import (
    LIVE_RUN_STATUSES,
    demand_run_finish,
    demand_run_mark_running,
    demand_runs_fail_stale,
)


def progress_key(run_id: int) -> str:
    return f"holdings:demand-run:{run_id}"


@shared_task(soft_time_limit=3000, time_limit=3300)
def run_demand_generation(run_id: int) -> dict:
    """Generate a year's demands, reporting progress on the DemandRun row.

    The run carries a heartbeat while it works (core.runs.Heartbeat: a thread of its own,
    plus one beat per step), and its transaction has the long limits of bulk jobs
    (core.db.long_running: no statement timeout), not the web's 15 seconds. A run that is
    no longer live when the worker picks it up (marked failed for a stale heartbeat, and
    perhaps started again since) is left alone."""
    run = DemandRun.objects.get(pk=run_id)
    if not demand_run_mark_running(run_id):
        return {}
    with Heartbeat(DemandRun, run_id, live_statuses=LIVE_RUN_STATUSES) as heartbeat:

        def progress(step: str, pct: int) -> None:
            heartbeat.beat()
            # The generation is one transaction: progress goes through the cache so that
            # the revenue officer's page sees it while the transaction is still open.
            with contextlib.suppress(Exception):  # the cache is a nicety; the work goes on
                cache.set(progress_key(run_id), {"step": step, "progress": pct}, 3600)

        try:
            with long_running():
                result = generate_demands(run.fiscal_year, progress=progress, actor=run.started_by)
        except Exception as exc:
            demand_run_finish(run_id, error=str(exc) or type(exc).__name__)
            raise
    return demand_run_finish(run_id, result=result)


@shared_task
def fail_stale_demand_runs() -> list[int]:
    """Beat: runs whose worker died (stale heartbeat) are marked failed and retryable."""
    return demand_runs_fail_stale()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_no_dues_pdf(cert_id: int) -> str:
    """Render and store a no-dues certificate's PDF; returns the stored file name."""
    from .documents import no_dues_store_pdf
    from .models import NoDuesCertificate

    return no_dues_store_pdf(NoDuesCertificate.objects.get(pk=cert_id))


@shared_task(soft_time_limit=3000, time_limit=3300)
def render_demand_notices(fiscal_year: str, ward_number: int | None = None) -> int:
    """Render a fiscal year's demand notices (one ward's, or all) into the media storage
    under holdings/notices/<fy>/ward-<n>/ for printing and delivery; returns how many."""
    from .documents import store_demand_notices

    return len(store_demand_notices(fiscal_year, ward_number=ward_number))


def export_progress_key(export_id: int) -> str:
    return f"holdings:report-export:{export_id}"


@shared_task(soft_time_limit=1800, time_limit=1900)
def build_report_export(export_id: int) -> dict:
    """Build a report export's file (holdings.exports.build_export) with a heartbeat and
    progress in the cache (the build reads in one transaction), as the demand run does."""
    from .exports import build_export
    from .models import ReportExport
    from .services.exports import (
        LIVE_EXPORT_STATUSES,
        report_export_finish,
        report_export_mark_running,
    )

    export = ReportExport.objects.get(pk=export_id)
    if not report_export_mark_running(export_id):
        return {}
    with Heartbeat(ReportExport, export_id, live_statuses=LIVE_EXPORT_STATUSES) as heartbeat:

        def progress(done: int, total: int) -> None:
            heartbeat.beat()
            pct = 99 if not total else min(99, done * 100 // total)
            with contextlib.suppress(Exception):  # the cache is a nicety; the work goes on
                cache.set(
                    export_progress_key(export_id),
                    {"rows": done, "total": total, "progress": pct},
                    3600,
                )

        try:
            rows = build_export(export, progress=progress)
        except Exception as exc:
            report_export_finish(export_id, error=str(exc) or type(exc).__name__)
            raise
    return report_export_finish(export_id, rows=rows)


def _import_step(job_id: int, step) -> dict:
    """One step of a register import (holdings.importer.jobs) with a heartbeat; a failure
    is recorded on the job (nothing of the step is kept: each is one transaction)."""
    from .importer.jobs import RUNNING, import_job_fail
    from .models import HoldingImport

    with Heartbeat(HoldingImport, job_id, live_statuses=RUNNING) as heartbeat:
        try:
            return step(job_id, progress=lambda phase, done, pct: heartbeat.beat())
        except Exception as exc:
            import_job_fail(job_id, str(exc) or type(exc).__name__)
            raise


@shared_task(soft_time_limit=1800, time_limit=1900)
def check_holding_import(job_id: int) -> dict:
    """Check an uploaded register: read it once, keep its rows and their errors."""
    from .importer.jobs import check_job

    return _import_step(job_id, check_job)


@shared_task(soft_time_limit=1800, time_limit=1900)
def run_holding_import(job_id: int) -> dict:
    """Import a checked and confirmed register from its kept rows, in one transaction."""
    from .importer.jobs import import_job

    return _import_step(job_id, import_job)


@shared_task
def fail_stale_holding_imports() -> list[int]:
    """Beat: checks and imports whose worker died (stale heartbeat) are marked failed."""
    from .importer.jobs import import_jobs_fail_stale

    return import_jobs_fail_stale()
