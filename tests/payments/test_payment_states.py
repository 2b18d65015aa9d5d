"""Honest payment states: cancelled and failed are said at once, with "try again" for the
bills still open; "confirming" only while the gateway has not answered, with how long it
may take; the receipt goes by SMS once, after every online or counter payment."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import SmsMessage
from core.roles import Role
from payments.models import Bill, Payment, PaymentEvent
from payments.notify import receipt_text, recipients
from payments.services import (
    PaymentError,
    counter_session_open,
    counter_take_cash,
    payment_initiate_online,
    payment_settle,
    payment_transition,
    payment_try_again,
)
from payments.services.online import create_payment

CANCELLED = "The payment was cancelled. No money was taken."
FAILED = "The payment failed. No money was taken."
CONFIRMING = "Confirming with your bank…"


def status_url(payment: Payment) -> str:
    return f"/payments/p/{payment.tran_id}/"


def again_url(payment: Payment) -> str:
    return f"/payments/p/{payment.tran_id}/again/"


def english(client: Client, user=None) -> Client:
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def online(bills, payer=None, *, to: tuple[str, ...] = ("pending",), **kwargs) -> Payment:
    """An online payment moved through `to` by the real transition function (no gateway)."""
    with transaction.atomic():
        payment = create_payment(bills=bills, channel=Payment.Channel.ONLINE, payer=payer, **kwargs)
        for status in to:
            payment_transition(payment=payment, to=status, reason="test")
    return payment


def receipts_sent() -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(kind="receipt").order_by("pk"))


# --- the status page, state by state -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("to", "words"),
    [(("pending", "cancelled"), CANCELLED), (("pending", "failed"), FAILED)],
)
def test_cancelled_or_failed_is_said_at_once_with_try_again(client, citizen, make_bill, to, words):
    payment = online([make_bill(citizen, "1500.00")], citizen, to=to)
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert words in page
    assert CONFIRMING not in page and 'http-equiv="refresh"' not in page
    assert f'action="{again_url(payment)}"' in page and "Try again" in page
    assert "csrfmiddlewaretoken" in page
    assert "A new payment of ৳1,500.00 for the same bills." in page


@pytest.mark.django_db
def test_expired_is_said_with_try_again(client, citizen, make_bill):
    payment = online([make_bill(citizen)], citizen, to=("pending", "expired"))
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert "The payment was not completed in time. No money was taken." in page
    assert f'action="{again_url(payment)}"' in page


@pytest.mark.django_db
def test_pending_says_confirming_with_the_time_it_may_take(client, citizen, make_bill):
    payment = online([make_bill(citizen)], citizen)
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert CONFIRMING in page
    assert "usually takes under a minute" in page and "for 15 minutes" in page
    assert 'http-equiv="refresh"' in page and "Check again" in page
    assert "Try again" not in page and "No money was taken" not in page


@pytest.mark.django_db
def test_pending_past_fifteen_minutes_stops_reloading_and_says_so(client, citizen, make_bill):
    payment = online([make_bill(citizen)], citizen)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert "The bank has not answered yet" in page and "Check again" in page
    assert 'http-equiv="refresh"' not in page


@pytest.mark.django_db
def test_succeeded_shows_the_receipt_and_no_try_again(client, citizen, make_bill):
    payment = online([make_bill(citizen)], citizen)
    payment_settle(payment_id=payment.pk, reason="test")
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert "Payment received. Thank you." in page
    assert "Download receipt (PDF)" in page
    assert "Try again" not in page and CONFIRMING not in page
    assert f"Also sent by SMS to {citizen.mobile[:3]}•••••{citizen.mobile[-3:]}." in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    page = client.get(status_url(payment)).content.decode()
    assert "রসিদটি এসএমএসেও পাঠানো হয়েছে: ০১৭•••••" in page


@pytest.mark.django_db
def test_bengali_page_has_bengali_words_and_digits(client, citizen, make_bill):
    pending = online([make_bill(citizen)], citizen)
    cancelled = online([make_bill(citizen)], citizen, to=("pending", "cancelled"))
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    page = client.get(status_url(pending)).content.decode()
    assert "আপনার ব্যাংকের সাথে নিশ্চিত করা হচ্ছে" in page and "১৫ মিনিট" in page
    page = client.get(status_url(cancelled)).content.decode()
    assert "পেমেন্টটি বাতিল করা হয়েছে। কোনো টাকা কাটা হয়নি।" in page
    assert "আবার চেষ্টা করুন" in page and "৳১,৫০০.০০" in page


@pytest.mark.django_db
def test_bills_paid_meanwhile_leave_nothing_to_try_again(client, citizen, make_bill, make_user):
    bill = make_bill(citizen)
    payment = online([bill], citizen, to=("pending", "cancelled"))
    clerk = make_user(Role.COUNTER_CLERK)
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
    page = english(client, citizen).get(status_url(payment)).content.decode()
    assert CANCELLED in page
    assert "Nothing is left to pay on these bills" in page
    assert again_url(payment) not in page


# --- try again ---------------------------------------------------------------------------------


@pytest.fixture
def two_bills(citizen, make_bill):
    return [make_bill(citizen, "1500.00"), make_bill(citizen, "2200.50")]


def gateway_return(kind: str, fields: dict[str, str]) -> requests.Response:
    """The browser posting the gateway's signed return form; follows to our status page."""
    return requests.post(
        f"{settings.SITE_URL}/payments/sslcommerz/{kind}/", data=fields, timeout=20
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("action", "kind", "status", "words"),
    [
        ("cancel", "cancel", "cancelled", CANCELLED),
        ("fail", "fail", "failed", FAILED),
    ],
)
def test_return_without_ipn_asks_the_gateway_and_says_so_at_once(
    gateway, citizen, two_bills, gateway_pay, action, kind, status, words
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    fields = gateway_pay(payment, action, no_ipn=True)
    response = gateway_return(kind, fields)
    assert response.status_code == 200 and response.url.endswith(status_url(payment))
    assert f'data-status="{status}"' in response.text
    payment.refresh_from_db()
    assert payment.status == status
    assert "reconciliation: gateway says" in payment.status_reason  # the gateway decided
    assert PaymentEvent.objects.filter(payment=payment, kind="query").exists()
    assert not Bill.objects.filter(pk__in=[b.pk for b in two_bills], status="paid").exists()


@pytest.mark.django_db(transaction=True)
def test_return_while_the_gateway_cannot_answer_stays_confirming(
    gateway, citizen, two_bills, gateway_pay
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    fields = gateway_pay(payment, "cancel", no_ipn=True, validation_down=True)
    response = gateway_return("cancel", fields)
    assert 'data-status="pending"' in response.text
    assert "Try again" not in response.text
    assert Payment.objects.get(pk=payment.pk).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_try_again_starts_a_new_payment_for_the_same_bills(
    gateway, citizen, two_bills, gateway_pay
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_return("cancel", gateway_pay(payment, "cancel"))
    assert Payment.objects.get(pk=payment.pk).status == "cancelled"
    client = english(Client(enforce_csrf_checks=True), citizen)
    assert client.post(again_url(payment)).status_code == 403  # no CSRF token
    client.get(status_url(payment))
    response = client.post(
        again_url(payment), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    again = Payment.objects.exclude(pk=payment.pk).get()
    assert response.status_code == 302 and response["Location"] == again.gateway_url
    assert again.status == "pending" and again.channel == "online"
    assert again.payer == citizen and again.amount == Decimal("3700.50")
    assert set(again.bills.all()) == set(two_bills)
    assert Payment.objects.get(pk=payment.pk).status == "cancelled"  # the old one stays


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_try_again_presses_at_once_start_one_payment(gateway, citizen, two_bills):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    payment = online(two_bills, citizen, to=("pending", "cancelled"))
    barrier = threading.Barrier(2)
    started: list[str] = []

    def press() -> None:
        try:
            barrier.wait()
            started.append(payment_try_again(payment=Payment.objects.get(pk=payment.pk)).tran_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    again = Payment.objects.exclude(pk=payment.pk).get()  # one new payment, not two
    assert started == [again.tran_id, again.tran_id]
    assert again.status == "pending" and again.amount == Decimal("3700.50")
    assert set(again.bills.all()) == set(two_bills)


@pytest.mark.django_db(transaction=True)
def test_try_again_pressed_again_gives_the_open_payment_and_a_new_one_once_it_failed(
    gateway, citizen, two_bills
):
    payment = online(two_bills, citizen, to=("pending", "cancelled"))
    first = payment_try_again(payment=payment)
    assert payment_try_again(payment=payment) == first  # still open: the same payment
    payment_transition(payment=first, to="failed", reason="test")
    second = payment_try_again(payment=payment)
    assert second.pk not in (payment.pk, first.pk) and second.status == "pending"
    assert Payment.objects.filter(channel="online").count() == 3


@pytest.mark.django_db(transaction=True)
def test_try_again_leaves_out_a_bill_paid_meanwhile(gateway, citizen, two_bills, make_user):
    payment = online(two_bills, citizen, to=("pending", "failed"))
    clerk = make_user(Role.COUNTER_CLERK)
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=two_bills[:1], clerk=clerk)
    again = payment_try_again(payment=Payment.objects.get(pk=payment.pk))
    assert list(again.bills.all()) == [two_bills[1]]
    assert again.amount == Decimal("2200.50")


@pytest.mark.django_db
def test_try_again_refused_when_the_bills_were_paid_meanwhile(
    client, citizen, two_bills, make_user
):
    payment = online(two_bills, citizen, to=("pending", "cancelled"))
    clerk = make_user(Role.COUNTER_CLERK)
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=two_bills, clerk=clerk)
    english(client, citizen)
    response = client.post(again_url(payment), follow=True)
    assert response.redirect_chain == [(status_url(payment), 302)]
    page = response.content.decode()
    assert "These bills were paid meanwhile, so nothing is left to pay" in page
    for bill in two_bills:
        assert bill.number in page
    assert Payment.objects.filter(channel="online").count() == 1


@pytest.mark.django_db
def test_try_again_refused_for_a_pending_or_succeeded_payment(citizen, make_bill):
    pending = online([make_bill(citizen)], citizen)
    with pytest.raises(PaymentError, match="Only a failed, cancelled or expired"):
        payment_try_again(payment=pending)
    payment_settle(payment_id=pending.pk, reason="test")
    with pytest.raises(PaymentError):
        payment_try_again(payment=Payment.objects.get(pk=pending.pk))


@pytest.mark.django_db
def test_only_the_payer_tries_their_payment_again(client, citizen, make_bill, make_user):
    payment = online([make_bill(citizen)], citizen, to=("pending", "cancelled"))
    anonymous = english(Client())
    page = anonymous.get(status_url(payment)).content.decode()
    assert "Sign in to try again" in page and again_url(payment) not in page
    response = anonymous.post(again_url(payment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    english(client, make_user())
    assert client.post(again_url(payment)).status_code == 404
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_quick_pay_payment_is_tried_again_without_an_account(gateway, make_bill):
    bill = make_bill(None)
    payment = online([bill], None, to=("pending", "cancelled"), payer_mobile="01812345678")
    response = english(Client()).post(again_url(payment))
    again = Payment.objects.exclude(pk=payment.pk).get()
    assert response.status_code == 302 and response["Location"] == again.gateway_url
    assert again.payer is None and again.payer_mobile == "01812345678"
    assert list(again.bills.all()) == [bill]


# --- the receipt by SMS ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_receipt_sms_sent_once_for_a_duplicated_ipn(
    gateway, citizen, two_bills, gateway_pay, wait_until
):
    payment = payment_initiate_online(bills=two_bills, payer=citizen)
    gateway_pay(payment, "bkash", duplicate_ipn=True)
    assert wait_until(lambda: PaymentEvent.objects.filter(payment=payment, kind="ipn").count() == 2)
    assert wait_until(lambda: len(receipts_sent()) >= 1)
    payment.refresh_from_db()
    [sms] = receipts_sent()
    assert sms.to == citizen.mobile
    assert payment.receipt.number in sms.text
    assert f"/verify/{payment.receipt.verify_code}/" in sms.text
    assert "৩,৭০০.৫০" in sms.text  # the citizen reads Bengali: Bengali digits
    assert "পেমেন্ট গৃহীত" in sms.text


@pytest.mark.django_db
def test_receipt_sms_after_a_counter_payment(
    citizen, make_bill, make_user, django_capture_on_commit_callbacks
):
    clerk = make_user(Role.COUNTER_CLERK)
    session = counter_session_open(clerk=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        payment = counter_take_cash(session=session, bills=[make_bill(citizen)], clerk=clerk)
    [sms] = receipts_sent()
    assert sms.to == citizen.mobile and payment.receipt.number in sms.text


@pytest.mark.django_db
def test_receipt_sms_to_the_quick_pay_number_in_bengali(
    make_bill, django_capture_on_commit_callbacks
):
    payment = online([make_bill(None)], None, payer_mobile="01812345678")
    with django_capture_on_commit_callbacks(execute=True):
        payment_settle(payment_id=payment.pk, reason="IPN: validated")
    [sms] = receipts_sent()
    assert sms.to == "01812345678"
    assert "পেমেন্ট গৃহীত: ৳১,৫০০.০০" in sms.text
    assert re.search(r"/verify/[0-9a-f]+/", sms.text)


@pytest.mark.django_db
def test_receipt_sms_to_both_numbers_in_each_ones_language(citizen, make_bill):
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    payment = online([make_bill(citizen)], citizen, payer_mobile="01812345678")
    assert recipients(payment) == [("01812345678", "bn"), (citizen.mobile, "en")]
    payment_settle(payment_id=payment.pk, reason="test")
    payment = Payment.objects.get(pk=payment.pk)
    assert receipt_text(payment, "en").startswith("Payment received: ৳1,500.00. Receipt ")


def settle_then_roll_back(bill: Bill, payer) -> None:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=payer)
        payment_settle(payment_id=payment.pk, reason="test")
        raise PaymentError("rolled back")


@pytest.mark.django_db
def test_no_receipt_sms_when_nothing_settles(
    citizen, make_bill, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        online([make_bill(citizen)], citizen, to=("pending", "failed"))
        with pytest.raises(PaymentError):
            settle_then_roll_back(make_bill(citizen), citizen)
    assert receipts_sent() == []
