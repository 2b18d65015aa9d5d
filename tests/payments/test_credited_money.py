"""Money that lands on a bill that can no longer take it: the payer's status page, the
receipt PDF and the public /verify/ page say it was credited, not applied, and refundable —
never "bills paid"."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from pypdf import PdfReader

from payments.models import Credit, Payment, Receipt
from payments.receipts import receipt_pdf_bytes
from payments.services import (
    counter_session_open,
    counter_take_cash,
    payment_settle,
    payment_transition,
)
from payments.services.online import create_payment

pytestmark = pytest.mark.django_db


def online_payment(bills, payer) -> Payment:
    payment = create_payment(bills=bills, channel=Payment.Channel.ONLINE, payer=payer)
    payment_transition(payment=payment, to=Payment.Status.PENDING, reason="at the gateway")
    return payment


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def paid_twice(citizen, make_user, make_bill):
    """An online payment whose bill the counter was paid first: it settles as a credit."""
    bill = make_bill(citizen, "1500.00")
    online = online_payment([bill], citizen)
    clerk = make_user("counter_clerk")
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
    payment_settle(payment_id=online.pk, reason="IPN: validated")
    online.refresh_from_db()
    assert online.status == "succeeded"
    assert Credit.objects.get(payment=online).amount == Decimal("1500.00")
    return bill, online


def test_the_status_page_says_credited_not_applied(client, citizen, paid_twice):
    bill, online = paid_twice
    page = text_of(english(client).get(f"/payments/p/{online.tran_id}/"))
    assert "Payment received. Thank you." not in page
    assert "it was not applied to any bill: it is credited to you instead and is refundable" in page
    assert (
        f"credited to you, not applied to bill {bill.number} (the bill had already been "
        "paid); refundable"
    ) in page


def test_verify_says_the_receipt_paid_no_bill(client, paid_twice):
    bill, online = paid_twice
    receipt = Receipt.objects.get(payment=online)
    page = text_of(english(client).get(f"/verify/{receipt.verify_code}/"))
    assert "Valid receipt" in page and "it paid no bill" in page
    assert "Bills paid" not in page
    assert (
        f"credited to the payer, not applied to bill {bill.number} (the bill had already "
        "been paid); refundable"
    ) in page
    # The counter's receipt for the same bill says it paid it.
    counter = Receipt.objects.exclude(payment=online).get()
    page = text_of(client.get(f"/verify/{counter.verify_code}/"))
    assert "Bills paid" in page and bill.number in page and "it paid no bill" not in page


def test_the_receipt_pdf_says_credited_in_both_languages(paid_twice):
    bill, online = paid_twice
    text = pdf_text(receipt_pdf_bytes(Receipt.objects.get(payment=online)))
    assert (
        f"Credited to the payer, not applied to bill {bill.number} (the bill had already "
        "been paid); refundable"
    ) in text
    assert text.count(bill.number) >= 3  # the bill heading, the Bengali and English lines


def test_part_applied_part_credited(client, citizen, make_user, make_bill):
    taken, free = make_bill(citizen, "1500.00"), make_bill(citizen, "700.00", subject_id="H-2")
    online = online_payment([taken, free], citizen)
    clerk = make_user("counter_clerk")
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[taken], clerk=clerk)
    payment_settle(payment_id=online.pk, reason="IPN: validated")
    page = text_of(english(client).get(f"/payments/p/{online.tran_id}/"))
    assert "Part of it could not be applied to a bill and is credited to you instead" in page
    assert f"{free.number} (৳700.00) — paid" in page
    assert f"credited to you, not applied to bill {taken.number}" in page
    receipt = Receipt.objects.get(payment=online)
    verify = text_of(client.get(f"/verify/{receipt.verify_code}/"))
    assert "Bills paid" in verify and "Credited, not applied" in verify
