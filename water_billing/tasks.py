"""Celery tasks for water bills: thin wrappers that take ids."""

from __future__ import annotations

import contextlib

from celery import shared_task
from django.core.cache import cache

from core.db import long_running
from core.runs import Heartbeat


def progress_key(run_id: int) -> str:
    return f"water_billing:billing-run:{run_id}"


@shared_task(soft_time_limit=3000, time_limit=3300)
def run_water_billing(run_id: int) -> dict:
    """Make a month's bills (water_billing.billing.generate_water_bills) for a BillingRun,
    with a heartbeat (core.runs.Heartbeat) and progress in the cache (the generation is one
    transaction), under the long limits of bulk jobs (core.db.long_running); then send the
    bills' SMS, once each. A run no longer live when the worker picks it up is left alone."""
    from .billing import generate_water_bills
    from .models import BillingRun
    from .notify import send_bill_sms
    from .services.billing import (
        LIVE_RUN_STATUSES,
        billing_run_finish,
        billing_run_mark_running,
    )

    run = BillingRun.objects.get(pk=run_id)
    if not billing_run_mark_running(run_id):
        return {}
    with Heartbeat(BillingRun, run_id, live_statuses=LIVE_RUN_STATUSES) as heartbeat:

        def progress(step: str, pct: int) -> None:
            heartbeat.beat()
            with contextlib.suppress(Exception):  # the cache is a nicety; the work goes on
                cache.set(progress_key(run_id), {"step": step, "progress": pct}, 3600)

        try:
            with long_running():
                result = generate_water_bills(
                    run.period,
                    bill_date=run.bill_date,
                    progress=progress,
                    actor=run.started_by,
                    run=run,
                )
        except Exception as exc:
            billing_run_finish(run_id, error=str(exc) or type(exc).__name__)
            raise
        counts = billing_run_finish(run_id, result=result)
        progress("sms", 100)
        sent = send_bill_sms(run.period)
    BillingRun.objects.filter(pk=run_id).update(sms_sent=sent)
    return {**counts, "sms": sent}


@shared_task
def send_water_bill_sms(period: str) -> int:
    """The SMS of a month's bills not sent yet (after a run made by the command)."""
    import datetime

    from .notify import send_bill_sms

    return send_bill_sms(datetime.date.fromisoformat(f"{period[:7]}-01"))


@shared_task
def fail_stale_billing_runs() -> list[int]:
    """Beat: runs whose worker died (stale heartbeat) are marked failed and can be rerun."""
    from .services.billing import billing_runs_fail_stale

    return billing_runs_fail_stale()
