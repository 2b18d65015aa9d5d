"""The estate officer's monthly rent runs: a queued RentRun sent to the workers (the month's
rent made by market_leases.billing.generate_shop_rent, set-based, with a heartbeat and
progress), refused while another run of the month is live; how a run ended."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit

from ..billing import BillingError, as_period, check_month
from ..models import RentRun
from ._common import require_estate_officer

log = logging.getLogger(__name__)

LIVE_RUN_STATUSES = (RentRun.Status.QUEUED, RentRun.Status.RUNNING)


def _busy(period: datetime.date, run_id) -> ValidationError:
    return ValidationError(
        _("The rent of %(month)s is already being made (run #%(run)s). Wait for it to finish.")
        % {"month": f"{period:%Y-%m}", "run": run_id},
        code="run_busy",
    )


def _enqueue(run_id: int) -> None:
    from ..tasks import run_shop_rent

    try:
        run_shop_rent.delay(run_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the run failed
        log.exception("could not queue shop rent run %s", run_id)
        RentRun.objects.filter(pk=run_id, status=RentRun.Status.QUEUED).update(
            status=RentRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"Could not reach the task queue: {exc}"[:2000],
        )


@transaction.atomic
def rent_run_start(*, period: datetime.date | str, actor) -> RentRun:
    """Start a month's rent: refused for a month to come and while another run of it is
    queued or running (the partial unique constraint referees two starts at once)."""
    require_estate_officer(actor)
    try:
        period = as_period(period)
        check_month(period)
    except BillingError:
        raise ValidationError(
            _("Choose this month or an earlier one, written as year and month (2026-11)."),
            code="invalid_month",
        ) from None
    rent_runs_fail_stale(actor=actor)
    busy = RentRun.objects.filter(period=period, status__in=LIVE_RUN_STATUSES).first()
    if busy is not None:
        raise _busy(period, busy.pk)
    try:
        with transaction.atomic():
            run = RentRun.objects.create(period=period, started_by=actor)
    except IntegrityError:
        busy = RentRun.objects.filter(period=period, status__in=LIVE_RUN_STATUSES).first()
        raise _busy(period, busy.pk if busy else "?") from None
    audit.record(
        action="markets.rent_run_started",
        obj=run,
        actor=actor,
        after={"period": f"{period:%Y-%m}"},
    )
    transaction.on_commit(partial(_enqueue, run.pk))
    return run


def rent_run_mark_running(run_id: int) -> bool:
    """The worker takes the queued run; False for any other delivery of its task, which
    must leave it (core.runs.claim)."""
    from core.runs import claim

    return claim(
        RentRun, run_id, queued_status=RentRun.Status.QUEUED, running_status=RentRun.Status.RUNNING
    )


def rent_runs_fail_stale(*, actor=None) -> list[int]:
    """Mark failed every running run whose worker stopped (core.runs); the month can then
    be started again and the new run completes it (the generation is idempotent)."""
    from core.runs import fail_stale

    return fail_stale(
        RentRun, live_statuses=[RentRun.Status.RUNNING], failed_status=RentRun.Status.FAILED
    )


def rent_run_finish(run_id: int, *, result=None, error: str = "") -> dict:
    if error or result is None:
        RentRun.objects.filter(pk=run_id).update(
            status=RentRun.Status.FAILED,
            error=(error or "no result")[:2000],
            finished_at=timezone.now(),
        )
        return {}
    counts = result.counts()
    RentRun.objects.filter(pk=run_id).update(
        status=RentRun.Status.DONE,
        progress=100,
        step="done",
        created=counts,
        finished_at=timezone.now(),
    )
    return counts
