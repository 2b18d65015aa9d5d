"""Notifications acknowledged at once, validated and settled by the worker: the view never
calls the gateway, two tasks for one payment settle it once, a lost task is reconciled,
and the tasks go to their own queues."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from payments import tasks
from payments.gateways.sslcommerz import sign_ipn_payload
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Payment, PaymentEvent, Receipt
from payments.services import payment_initiate_online
from payments.services.online import create_payment

IPN_URL = "/payments/sslcommerz/ipn/"


def _signed_valid(payment: Payment, val_id: str = "VAL-1") -> dict[str, str]:
    return sign_ipn_payload(
        {
            "tran_id": payment.tran_id,
            "val_id": val_id,
            "amount": str(payment.amount),
            "currency": "BDT",
            "status": "VALID",
            "store_id": settings.SSLCOMMERZ_STORE_ID,
        },
        settings.SSLCOMMERZ_STORE_PASSWORD,
    )


@pytest.mark.django_db
def test_the_ipn_view_answers_without_calling_the_gateway(client, citizen, make_bill, monkeypatch):
    with transaction.atomic():
        payment = create_payment(bills=[make_bill(citizen)], channel="online", payer=citizen)

    def no_gateway(**kwargs):
        raise AssertionError("the IPN view called the gateway")

    queued: list[tuple] = []
    monkeypatch.setattr("payments.services.online.get_client", no_gateway)
    monkeypatch.setattr(tasks.settle_ipn, "apply_async", lambda args, **kw: queued.append(args))

    response = client.post(IPN_URL, data=_signed_valid(payment))

    assert response.status_code == 200 and response.content == b"accepted"
    assert queued == [(payment.pk, "VAL-1")]
    payment.refresh_from_db()
    assert payment.status == "initiated"  # nothing decided on the notification's word
    [event] = PaymentEvent.objects.filter(payment=payment)
    assert event.kind == "ipn" and event.outcome == "accepted: validation queued"
    assert event.payload["val_id"] == "VAL-1"


@pytest.mark.django_db
def test_a_broker_outage_still_answers_and_leaves_the_payment_to_reconciliation(
    client, citizen, make_bill, monkeypatch
):
    with transaction.atomic():
        payment = create_payment(bills=[make_bill(citizen)], channel="online", payer=citizen)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.settle_ipn, "apply_async", broker_down)
    response = client.post(IPN_URL, data=_signed_valid(payment))
    assert response.status_code == 202
    assert PaymentEvent.objects.filter(payment=payment, kind="ipn").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_task_is_reconciled(gateway, citizen, make_bill, gateway_pay, monkeypatch):
    payment = payment_initiate_online(bills=[make_bill(citizen)], payer=citizen)
    # The task is lost on its way (a broker that forgot it, a worker killed for good).
    lost: list[tuple] = []
    monkeypatch.setattr(tasks.settle_ipn, "apply_async", lambda args, **kw: lost.append(args))
    fields = gateway_pay(payment, "bkash", no_ipn=True)
    assert connection.vendor in ("postgresql", "sqlite")
    import requests

    answer = requests.post(settings.SITE_URL + IPN_URL, data=fields, timeout=20)
    assert answer.status_code == 200 and lost == [(payment.pk, fields["val_id"])]
    payment.refresh_from_db()
    assert payment.status == "pending"

    # The beat task (every 10 minutes) asks the gateway about payments pending over 15.
    assert tasks.reconcile_pending_payments(older_than_minutes=15) == {}
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert tasks.reconcile_pending_payments(older_than_minutes=15) == {"succeeded": 1}
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert find_discrepancies() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tasks_settling_one_payment_at_once_settle_it_once(
    gateway, citizen, make_bill, gateway_pay
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    bills = [make_bill(citizen, "1500.00"), make_bill(citizen, "2200.50", subject_id="H-2")]
    payment = payment_initiate_online(bills=bills, payer=citizen)
    fields = gateway_pay(payment, "bkash", no_ipn=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            # The task body as the worker runs it (in this thread, its own connection).
            outcomes.append(tasks.settle_ipn.apply(args=(payment.pk, fields["val_id"])).get())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == ["succeeded", "succeeded"]
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.transitions.filter(to_status="succeeded").count() == 1
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert Allocation.objects.filter(payment=payment).count() == 4
    assert find_discrepancies() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thread_pool_worker_settles_repeated_notifications_once(
    gateway, citizen, make_bill, gateway_pay, wait_until, celery_worker_process
):
    """Ten notices of one payment through the broker to `celery worker --pool=threads` (the
    gateway queue's pool in production): each acknowledged, the payment settled once."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    payment = payment_initiate_online(bills=[make_bill(citizen)], payer=citizen)
    fields = gateway_pay(payment, "bkash", no_ipn=True)
    worker = celery_worker_process(pool="threads", concurrency=4)
    for _ in range(10):
        tasks.settle_ipn.delay(payment.pk, fields["val_id"])
    assert wait_until(lambda: _queued_tasks() == 0, timeout=60)
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    worker.terminate()  # a warm shutdown: the tasks it holds finish first
    assert worker.wait(timeout=30) == 0
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.transitions.filter(to_status="succeeded").count() == 1
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert find_discrepancies() == []


def _queued_tasks() -> int:
    from kcc_portal.celery import app

    with app.connection_for_write() as conn:
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        return conn.default_channel.queue_declare(queue).message_count


def test_gateway_calls_and_receipt_pdfs_have_queues_of_their_own():
    from kcc_portal.settings import base

    routes = base.CELERY_TASK_ROUTES
    gateway_queue = {"queue": base.CELERY_GATEWAY_QUEUE}
    assert routes["payments.tasks.settle_ipn"] == gateway_queue
    assert routes["payments.tasks.reconcile_pending_payments"] == gateway_queue
    assert routes["payments.tasks.render_receipt_pdf"] == {"queue": base.CELERY_PDF_QUEUE}
    assert (
        len({base.CELERY_TASK_DEFAULT_QUEUE, base.CELERY_GATEWAY_QUEUE, base.CELERY_PDF_QUEUE}) == 3
    )
