"""A late renewal's bill grows each month while the trader may be paying it: the monthly
refresh and the start of a payment race on PostgreSQL (threads and a barrier). Either the
payment starts on the old bill and the refresh leaves it alone, or the refresh replaces it
and the payment is refused — never money on a bill replaced under it, never two live bills
for one licence year."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import time_machine
from django.db import connection, transaction

from payments.models import Bill, BillClaim, Payment
from payments.services import PaymentError, payment_transition
from payments.services.online import create_payment
from trade_licenses import services
from trade_licenses.services import application_issue_bill, application_submit
from trade_licenses.services import application_transition as move

from .conftest import DHAKA
from .test_workflow import S, pay_at_counter, submitted, to_approval  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def start_payment(bill) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE)
        payment_transition(payment=payment, to=Payment.Status.PENDING, reason="at the gateway")
    return payment


@pytest.mark.parametrize("round_", range(3))
def test_monthly_refresh_and_a_payment_starting_at_once(
    round_,
    submitted,  # noqa: F811 - the fixture imported from test_workflow
    inspector,
    officer,
    clerk,
    trader,
    django_capture_on_commit_callbacks,
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)
    with time_machine.travel(datetime(2026, 10, 5, 11, 0, tzinfo=DHAKA), tick=True):
        renewal = services.application_create_draft(
            business=first.business,
            filed_by=trader,
            fiscal_year="2026-27",
            kind="renewal",
            trader_tin="123456789012",
        )
        application_submit(application=renewal, actor=trader)
        move(application=renewal, to=S.APPROVAL, actor=officer)
        application_issue_bill(application=renewal, actor=officer)
        october = Bill.objects.get(pk=renewal.bill_id)
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=DHAKA), tick=True):
        barrier = threading.Barrier(2)

        def refresh():
            barrier.wait()
            try:
                return services.refresh_late_renewal_bills()
            finally:
                connection.close()

        def pay():
            barrier.wait()
            try:
                return start_payment(october)
            except PaymentError as exc:
                return exc
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            refreshed, paid = pool.submit(refresh), pool.submit(pay)
            refreshed, paid = refreshed.result(), paid.result()
    october.refresh_from_db()
    if isinstance(paid, Payment):
        assert refreshed == 0 and october.status == "open"  # left alone while being paid
    else:
        assert refreshed == 1 and october.status == "superseded"
        assert not Payment.objects.filter(items__bill=october).exists()
    live = BillClaim.objects.filter(
        due=f"trade_licenses:licence-year:{first.business_id}:2026-27", live=True
    )
    assert live.count() == 1
    assert live.get().bill.status == "open"
