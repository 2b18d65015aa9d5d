"""Celery tasks for payments: thin wrappers that take ids and call services."""

from datetime import timedelta

from celery import shared_task

from .models import Payment, Receipt


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
