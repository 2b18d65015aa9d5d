"""Celery tasks for holdings: thin wrappers that take ids."""

from celery import shared_task
from django.core.cache import cache

from .demands import generate_demands
from .models import DemandRun
from .services import demand_run_finish, demand_run_mark_running


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

    demand_run_mark_running(run_id)
    try:
        result = generate_demands(run.fiscal_year, progress=progress, actor=run.started_by)
    except Exception as exc:
        demand_run_finish(run_id, error=str(exc) or type(exc).__name__)
        raise
    return demand_run_finish(run_id, result=result)


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
