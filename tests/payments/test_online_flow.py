"""Online payment through the simulator over HTTP: settle once, refuse forgeries, survive
gateway faults, reconcile."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from payments.gateways import get_client
from payments.gateways.sslcommerz import sign_ipn_payload
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Credit, Payment, PaymentEvent, Receipt
from payments.services import ipn_receive, payment_initiate_online, payment_reconcile

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def ipn_url():
    return settings.SITE_URL + "/payments/sslcommerz/ipn/"


def post_ipn(payload) -> requests.Response:
    return requests.post(ipn_url(), data=payload, timeout=30)


@pytest.fixture
def two_bills(citizen, make_bill):
    return [
        make_bill(citizen, "1500.00", subject_id="H-1"),
        make_bill(citizen, "2200.50", subject_id="H-2"),
    ]


def test_cart_of_two_bills_settles_through_the_simulator(
    gateway, citizen, two_bills, gateway_pay, wait_until
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    assert payment.status == "pending"
    assert payment.amount == Decimal("3700.50")
    assert payment.gateway_url.startswith(gateway.url)
    gateway_pay(payment, "bkash")
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    for bill in two_bills:
        bill.refresh_from_db()
        assert bill.status == "paid"
    assert Allocation.objects.filter(payment=payment).count() == 4
    assert sum(a.amount for a in Allocation.objects.filter(payment=payment)) == payment.amount
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert find_discrepancies() == []


def test_duplicate_ipn_switch_settles_once(gateway, citizen, two_bills, gateway_pay, wait_until):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_pay(payment, "card", duplicate_ipn=True)
    assert wait_until(lambda: PaymentEvent.objects.filter(payment=payment, kind="ipn").count() == 2)
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert Allocation.objects.filter(payment=payment).count() == 4


@pytest.mark.postgres
def test_fifty_concurrent_identical_ipns_settle_once(
    gateway, citizen, two_bills, gateway_pay, signed_return_fields
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    payload = gateway_pay(payment, "bkash", no_ipn=True)
    assert payload["tran_id"] == payment.tran_id and payload["status"] == "VALID"
    barrier = threading.Barrier(50)

    def send(_):
        barrier.wait()
        return post_ipn(payload).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(send, range(50)))
    assert all(code == 200 for code in codes), codes
    # Acknowledged at once; the worker validates and settles (once).
    assert wait_for(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    payment.refresh_from_db()
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert Allocation.objects.filter(payment=payment).count() == 4
    assert payment.transitions.filter(to_status="succeeded").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="ipn").count() == 50
    assert find_discrepancies() == []


def _valid_payload(payment, **changes):
    base = {
        "tran_id": payment.tran_id,
        "val_id": "VAL123",
        "amount": str(payment.amount),
        "currency": "BDT",
        "status": "VALID",
        "store_id": settings.SSLCOMMERZ_STORE_ID,
        "bank_tran_id": "BANK1",
        "risk_level": "0",
        "risk_title": "Safe",
    }
    base.update(changes)
    return sign_ipn_payload(base, settings.SSLCOMMERZ_STORE_PASSWORD)


def assert_nothing_settled(payment):
    payment.refresh_from_db()
    assert payment.status != "succeeded"
    assert not Allocation.objects.filter(payment=payment).exists()
    assert not Receipt.objects.filter(payment=payment).exists()
    assert not Credit.objects.filter(payment=payment).exists()
    assert not Bill.objects.filter(payments=payment, status="paid").exists()


def test_bad_signature_is_refused_and_recorded(gateway, citizen, two_bills):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    payload = _valid_payload(payment)
    payload["amount"] = "1.00"  # tampered after signing
    response = post_ipn(payload)
    assert response.status_code == 400
    assert_nothing_settled(payment)
    assert PaymentEvent.objects.filter(kind="ipn", outcome__contains="bad signature").exists()


def test_signed_but_unknown_to_validation_is_not_settled(gateway, citizen, two_bills):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    response = post_ipn(_valid_payload(payment, val_id="FORGED-VAL-ID"))
    assert response.status_code == 200
    assert wait_for(lambda: Payment.objects.get(pk=payment.pk).status != "pending")
    assert_nothing_settled(payment)
    assert payment.status == "flagged"
    assert "INVALID" in payment.status_reason


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("total_amount", "3000.00", "amount"),
        ("currency", "USD", "currency"),
    ],
)
def test_less_money_or_another_currency_is_flagged(
    gateway, citizen, two_bills, gateway_pay, field, value, reason
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    # A second session for the same tran_id at the gateway, with other money.
    with get_client() as client:
        kwargs = dict(
            tran_id=payment.tran_id,
            total_amount=payment.amount,
            currency="BDT",
            success_url=settings.SITE_URL + "/payments/sslcommerz/success/",
            fail_url=settings.SITE_URL + "/payments/sslcommerz/fail/",
            cancel_url=settings.SITE_URL + "/payments/sslcommerz/cancel/",
            ipn_url=ipn_url(),
            cus_name="x",
            cus_email="x@example.com",
            cus_phone="01700000000",
            cus_add1="x",
            cus_city="Khulna",
            product_name="x",
            product_category="x",
        )
        kwargs[field] = Decimal(value) if field == "total_amount" else value
        other = client.create_session(**kwargs)
    fake = Payment(tran_id=payment.tran_id, gateway_url=other.gateway_url)
    gateway_pay(fake, "bkash")  # the simulator sends the (genuine) IPN itself
    payment.refresh_from_db()
    for _ in range(200):
        payment.refresh_from_db()
        if payment.status == "flagged":
            break
        threading.Event().wait(0.05)
    assert payment.status == "flagged"
    assert reason in payment.status_reason
    assert_nothing_settled(payment)


def test_unknown_tran_id_is_refused_and_recorded(gateway):
    payload = sign_ipn_payload(
        {
            "tran_id": "NOPE123",
            "val_id": "V",
            "amount": "10.00",
            "currency": "BDT",
            "status": "VALID",
        },
        settings.SSLCOMMERZ_STORE_PASSWORD,
    )
    response = post_ipn(payload)
    assert response.status_code == 404
    assert PaymentEvent.objects.filter(tran_id="NOPE123", outcome__contains="unknown").exists()


@pytest.mark.parametrize(("status", "expected"), [("FAILED", "failed"), ("CANCELLED", "cancelled")])
def test_failed_or_cancelled_ipn_settles_nothing(gateway, citizen, two_bills, status, expected):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    response = post_ipn(_valid_payload(payment, status=status))
    assert response.status_code == 200
    assert_nothing_settled(payment)
    assert payment.status == expected


def test_garbage_ipn_never_causes_a_server_error(gateway):
    for data in [{}, {"tran_id": "x" * 500}, {"verify_key": ",,,", "verify_sign": "zz"}]:
        assert post_ipn(data).status_code < 500


def test_validation_down_then_reconcile_settles(
    gateway, citizen, two_bills, gateway_pay, wait_until
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_pay(payment, "bkash", validation_down=True)
    assert wait_until(
        lambda: PaymentEvent.objects.filter(
            payment=payment, kind="validation", outcome__contains="unavailable"
        ).exists()
    )
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert_nothing_settled(payment)
    # Still down: reconciliation changes nothing.
    assert payment_reconcile(payment=payment) == "unavailable"
    requests.post(
        f"{settings.SSLCOMMERZ_BASE_URL}/control/{payment.tran_id}/",
        data={"validation_down": "0"},
        timeout=10,
    ).raise_for_status()
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    call_command("reconcile_payments", "--minutes", "15")
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_ipn_never_sent_reconcile_settles(gateway, citizen, two_bills, gateway_pay):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_pay(payment, "bkash", no_ipn=True)
    assert payment_reconcile(payment=payment) == "succeeded"
    assert payment_reconcile(payment=payment) == "succeeded"  # idempotent
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_unattempted_payment_expires_after_a_day(gateway, citizen, two_bills):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    assert payment_reconcile(payment=payment) == "pending"
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(days=2))
    payment.refresh_from_db()
    assert payment_reconcile(payment=payment) == "expired"


def test_risky_payment_is_held_then_released(
    gateway, citizen, two_bills, gateway_pay, wait_until, make_user
):
    from payments.services import payment_release_hold

    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_pay(payment, "bkash", risk=True)
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "on_hold")
    assert_nothing_settled(Payment.objects.get(pk=payment.pk))
    officer = make_user("revenue_officer")
    payment_release_hold(
        payment=Payment.objects.get(pk=payment.pk), officer=officer, reason="called the payer"
    )
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert find_discrepancies() == []


def test_money_for_an_already_paid_bill_becomes_a_refundable_credit(
    gateway, citizen, make_bill, gateway_pay, make_user
):
    from payments.services import payment_refund_credit

    bill = make_bill(citizen, "1500.00")
    first = payment_initiate_online(bills=[bill], payer=citizen)
    second = payment_initiate_online(bills=[bill], payer=citizen)
    gateway_pay(first, "bkash", no_ipn=True)
    gateway_pay(second, "bkash", no_ipn=True)
    assert payment_reconcile(payment=first) == "succeeded"
    assert payment_reconcile(payment=second) == "succeeded"
    credit = Credit.objects.get(payment=second)
    assert credit.amount == Decimal("1500.00") and credit.status == "open"
    assert Allocation.objects.filter(payment=second).count() == 0
    assert find_discrepancies() == []
    refund = payment_refund_credit(credit=credit, officer=make_user("revenue_officer"))
    assert refund.status == "succeeded" and refund.refund_ref_id
    credit.refresh_from_db()
    assert credit.status == "refunded"


def test_return_pages_settle_nothing_and_show_honest_status(
    gateway, citizen, two_bills, gateway_pay
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    fields = gateway_pay(payment, "bkash", no_ipn=True)
    session = requests.Session()
    response = session.post(
        settings.SITE_URL + "/payments/sslcommerz/success/", data=fields, timeout=10
    )
    assert response.status_code == 200
    assert f"/payments/p/{payment.tran_id}/" in response.url
    assert 'data-status="pending"' in response.text
    assert_nothing_settled(payment)
    # "Check again" asks the gateway, which confirms.
    page = session.get(response.url, timeout=10)
    token = session.cookies.get("csrftoken")
    again = session.post(
        response.url,
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": response.url},
        timeout=10,
    )
    assert page.status_code == 200 and again.status_code == 200
    assert 'data-status="succeeded"' in again.text


def test_ipn_service_with_forged_payload_is_recorded():
    status, answer = ipn_receive(payload={"tran_id": "X"})
    assert status == 400 and answer == "bad signature"
    assert PaymentEvent.objects.filter(tran_id="X").count() == 1


def _held(gateway_pay, wait_until, payment) -> Payment:
    gateway_pay(payment, "bkash", risk=True)
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "on_hold")
    return Payment.objects.get(pk=payment.pk)


def test_held_payment_is_refunded_once_through_the_simulator(
    gateway, citizen, two_bills, gateway_pay, wait_until, make_user
):
    from payments.models import Refund
    from payments.services import PaymentError, payment_refund_held, payment_release_hold

    payment = _held(
        gateway_pay, wait_until, payment_initiate_online(bills=two_bills, payer=citizen)
    )
    assert payment.bank_tran_id
    officer = make_user("revenue_officer")
    refund = payment_refund_held(payment=payment, officer=officer, reason="payer disputes it")
    refund.refresh_from_db()
    assert refund.status == "succeeded" and refund.refund_ref_id
    assert refund.amount == payment.amount and refund.credit is None
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert payment.transitions.filter(to_status="refunded").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="refund").count() == 1
    assert_nothing_settled(payment)

    # A second refund of the same payment (even from a stale copy) is refused; nothing moves.
    stale = Payment.objects.get(pk=payment.pk)
    stale.status = "on_hold"
    with pytest.raises(PaymentError):
        payment_refund_held(payment=stale, officer=officer, reason="again")
    with pytest.raises(PaymentError):
        payment_release_hold(payment=stale, officer=officer, reason="settle it after all")
    assert Refund.objects.filter(payment=payment).count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="refund").count() == 1
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert payment.transitions.count() == stale.transitions.count()
    assert_nothing_settled(payment)


def test_revenue_officer_refunds_a_held_payment_from_its_page(
    gateway, client, citizen, two_bills, gateway_pay, wait_until, make_user
):
    from payments.models import Refund

    payment = _held(
        gateway_pay, wait_until, payment_initiate_online(bills=two_bills, payer=citizen)
    )
    client.force_login(make_user("revenue_officer"))
    client.cookies["kcc_language"] = "en"
    url = f"/payments/revenue/payments/{payment.tran_id}/"
    assert "Refund in full" in client.get(url).content.decode()

    unconfirmed = client.post(url + "refund/", {"refund-reason": "Payer disputes it"})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm." in unconfirmed.content.decode()
    assert not Refund.objects.filter(payment=payment).exists()

    response = client.post(
        url + "refund/", {"refund-reason": "Payer disputes it", "refund-confirm": "on"}, follow=True
    )
    page = response.content.decode()
    assert "The refund was sent to the gateway." in page
    payment.refresh_from_db()
    assert payment.status == "refunded"
    refund = Refund.objects.get(payment=payment)
    assert refund.status == "succeeded" and refund.refund_trans_id in page
    assert "Refund in full" not in page and "Release and settle" not in page

    again = client.post(
        url + "refund/", {"refund-reason": "again", "refund-confirm": "on"}, follow=True
    )
    assert "Could not refund the payment" in again.content.decode()
    assert Refund.objects.filter(payment=payment).count() == 1
