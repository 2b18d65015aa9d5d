"""Celery tasks for holdings: thin wrappers that take ids."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .demands import generate_demands
from .models import DemandRun


def progress_key(run_id: int) -> str:
    return f"holdings:demand-run:{run_id}"


@shared_task(soft_time_limit=3000, time_limit=3300)
def run_demand_generation(run_id: int) -> dict:
    """Generate a year's demands, reporting progress on the DemandRun row."""
    run = DemandRun.objects.get(pk=run_id)

    def progress(step: str, pct: int) -> None:
        # The generation is one transaction: progress goes through the cache so that the
        # revenue officer's page sees it while the transaction is still open.
        cache.set(progress_key(run_id), {"step": step, "progress": pct}, 3600)

    DemandRun.objects.filter(pk=run_id).update(status=DemandRun.Status.RUNNING)

    try:
        result = generate_demands(run.fiscal_year, progress=progress, actor=run.started_by)
    except Exception as exc:
        DemandRun.objects.filter(pk=run_id).update(status=DemandRun.Status.FAILED,
                                                   error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        raise
    created = {"demands": result.demands, "lines": result.lines,
               "instalments": result.instalments, "arrears": result.arrears,
               "not_assessed": result.not_assessed}
    DemandRun.objects.filter(pk=run_id).update(
        status=DemandRun.Status.DONE, progress=100, step="done", created=created,
        summary=result.by_ward, finished_at=timezone.now())
    return created
