"""Celery tasks for market shops: thin wrappers that take ids."""

from __future__ import annotations

import contextlib

from celery import shared_task
from django.core.cache import cache

from core.db import long_running
from core.runs import Heartbeat


def progress_key(run_id: int) -> str:
    return f"market_leases:rent-run:{run_id}"


@shared_task(soft_time_limit=3000, time_limit=3300)
def run_shop_rent(run_id: int) -> dict:
    """Make a month's rent (market_leases.billing.generate_shop_rent) for a RentRun, with a
    heartbeat and progress in the cache; then send the months' SMS, once each. A run no
    longer live when the worker picks it up is left alone."""
    from .billing import generate_shop_rent
    from .models import RentRun
    from .notify import send_rent_sms
    from .services.rent_runs import LIVE_RUN_STATUSES, rent_run_finish, rent_run_mark_running

    run = RentRun.objects.get(pk=run_id)
    if not rent_run_mark_running(run_id):
        return {}
    with Heartbeat(RentRun, run_id, live_statuses=LIVE_RUN_STATUSES) as heartbeat:

        def progress(step: str, pct: int) -> None:
            heartbeat.beat()
            with contextlib.suppress(Exception):  # the cache is a nicety; the work goes on
                cache.set(progress_key(run_id), {"step": step, "progress": pct}, 3600)

        try:
            with long_running():
                result = generate_shop_rent(
                    run.period, progress=progress, actor=run.started_by, run=run
                )
        except Exception as exc:
            rent_run_finish(run_id, error=str(exc) or type(exc).__name__)
            raise
        counts = rent_run_finish(run_id, result=result)
        progress("sms", 100)
        sent = send_rent_sms(run.period)
    RentRun.objects.filter(pk=run_id).update(sms_sent=sent)
    return {**counts, "sms": sent}


@shared_task
def fail_stale_rent_runs() -> list[int]:
    """Runs whose worker died (stale heartbeat) are marked failed and can be rerun."""
    from .services.rent_runs import rent_runs_fail_stale

    return rent_runs_fail_stale()


@shared_task
def expire_agreements() -> int:
    """Daily: active allotments whose agreement ended become expired."""
    from .services import agreements_expire

    return agreements_expire()


@shared_task
def lapse_ijara_offers() -> int:
    """Forfeit the ijara offers whose balance is unpaid past its due date (the next bidder
    is offered); see market_leases.services.ijara.offers_lapse."""
    from .services.ijara import offers_lapse

    return offers_lapse()
