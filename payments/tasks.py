"""Celery tasks for payments: thin wrappers that take ids and call services.

Queues (settings.CELERY_TASK_ROUTES): the gateway calls (IPN validation, reconciliation)
on a worker with a thread pool, which waits on the network cheaply; receipt PDFs on a
queue of their own, so a burst of renderings never delays a settlement.
"""

import random
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.db import OperationalError

from .models import Payment, Receipt

#: Validation retries: 2, 4, 8 … 256 s apart (about 8.5 minutes in all), then the payment
#: is left to the reconciliation task.
IPN_MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=IPN_MAX_RETRIES)
def settle_ipn(self: Task[Any, Any], payment_id: int, val_id: str) -> str:
    """Validate a notified payment at the gateway and settle, hold or flag it (once, under
    its row lock: duplicate and concurrent runs are harmless). Retried with back-off while
    the gateway or the database cannot answer; a payment whose task is lost stays pending
    and reconcile_pending_payments settles it."""
    from .gateways.sslcommerz import GatewayUnavailable
    from .services.online import ipn_validate

    try:
        return ipn_validate(payment_id=payment_id, val_id=val_id)
    except (GatewayUnavailable, OperationalError) as exc:
        delay = min(256, 2 ** (self.request.retries + 1))
        raise self.retry(exc=exc, countdown=delay + random.uniform(0, delay / 4)) from exc  # noqa: S311


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_receipt_pdf(receipt_id: int) -> str:
    """Render and store a receipt's PDF; returns the stored file name."""
    from .receipts import receipt_store_pdf

    receipt = Receipt.objects.select_related("payment").get(pk=receipt_id)
    return receipt_store_pdf(receipt)


@shared_task
def render_pending_receipts(limit: int = 200) -> int:
    """Render the PDFs of receipts issued since the last run (every minute from beat)."""
    from .receipts import receipt_store_pdf

    done = 0
    for receipt in Receipt.objects.filter(pdf="").select_related("payment")[:limit]:
        receipt_store_pdf(receipt)
        done += 1
    return done


@shared_task
def reconcile_pending_payments(older_than_minutes: int = 15) -> dict[str, int]:
    """Ask the gateway about online payments pending longer than the threshold."""
    from .services.online import payment_reconcile, pending_for_reconciliation

    outcomes: dict[str, int] = {}
    for payment in pending_for_reconciliation(timedelta(minutes=older_than_minutes))[:500]:
        outcome = payment_reconcile(payment=payment)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task
def reconcile_payment(payment_id: int) -> str:
    from .services.online import payment_reconcile

    return payment_reconcile(payment=Payment.objects.get(pk=payment_id))


@shared_task
def refresh_rollups() -> int:
    """Count the allocations settled since the last run into the collection rollups
    (beat, every minute); returns how many ledger rows it counted."""
    from .rollups import rollups_refresh

    return rollups_refresh()
