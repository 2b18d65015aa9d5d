"""After paying a licence fee online, the payment's status page leads back to the licence
(trade_licenses declares where a fee bill's application is; payments reads the
declaration and never imports this app)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from payments.models import Payment
from payments.registry import subject_links
from payments.services import LineSpec, bill_issue, payment_settle, payment_transition
from payments.services.online import create_payment
from trade_licenses.models import Application
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    inspection_record,
)

from .conftest import image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(make_draft, add_documents, trader, inspector, officer):
    application = make_draft()
    add_documents(application, trader)
    application_submit(application=application, actor=trader)
    application_transition(application=application, to=S.INSPECTION, actor=inspector)
    inspection_record(
        application=application,
        inspector=inspector,
        findings="Shop open, signboard as declared.",
        photos=[SimpleUploadedFile("front.png", image_bytes("PNG"))],
    )
    application_transition(application=application, to=S.APPROVAL, actor=inspector)
    application_issue_bill(application=application, actor=officer)
    return application


def online_payment(bill, payer) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=payer)
        payment_transition(payment=payment, to=Payment.Status.PENDING, reason="test")
    return payment


def test_paid_licence_fee_leads_back_to_the_licence(client, billed, trader):
    payment = online_payment(billed.bill, trader)
    payment_settle(payment_id=payment.pk, reason="IPN: validated")
    billed.refresh_from_db()
    assert billed.status == S.ISSUED
    client.force_login(trader)
    client.cookies["kcc_language"] = "en"
    page = client.get(f"/payments/p/{payment.tran_id}/").content.decode()
    assert "Payment received. Thank you." in page
    url = f"/licences/applications/{billed.pk}/"
    assert f'<a href="{url}">Back to the trade licence</a>' in page
    assert client.get(url).status_code == 200
    client.cookies["kcc_language"] = "bn"
    assert "ট্রেড লাইসেন্সে ফিরে যান" in client.get(f"/payments/p/{payment.tran_id}/").content.decode()


def test_a_failed_licence_payment_also_leads_back(client, billed, trader):
    payment = online_payment(billed.bill, trader)
    with transaction.atomic():
        payment_transition(payment=payment, to=Payment.Status.FAILED, reason="test")
    client.force_login(trader)
    client.cookies["kcc_language"] = "en"
    page = client.get(f"/payments/p/{payment.tran_id}/").content.decode()
    assert "The payment failed. No money was taken." in page
    assert f'href="/licences/applications/{billed.pk}/"' in page


def test_only_licence_bills_lead_to_a_licence(billed):
    other = bill_issue(
        service="test",
        subject_type="test",
        subject_id="H-1",
        dues=["test:leads-back:1"],
        lines=[LineSpec(head="holding_tax", amount=Decimal("100.00"), description_en="Tax")],
        fiscal_year_label="2025-26",
        due_date=date(2026, 6, 30),
    )
    links = subject_links([billed.bill, other, billed.bill])
    assert [url for url, _words in links] == [f"/licences/applications/{billed.pk}/"]
