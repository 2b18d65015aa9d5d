# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""The whole ijara through the API and the gateway simulator over HTTP: two bidders bid and
pay (schedule fee and security in one payment), the officer opens and awards, the loser's
security goes back through payments' refund, the winner pays the balance with VAT and
income tax online, and the work order PDF downloads (checked with pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from market_leases.ijara_models import Bid, Tender
from market_leases.services import ijara
from payments.ledger_checks import find_discrepancies
from payments.models import Bill, Payment, Refund
from payments.services import payment_initiate_online

from .ijara_fixtures import at_opening, gateway, parking_tender, pay_at_gateway  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def bid_through_the_api(client, user, tender, amount: str) -> dict:
    client.force_login(user)
    response = client.post(
        f"/api/ijara/tenders/{tender.pk}/bids/", {"amount": amount}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_bid_pay_open_award_refund_balance_and_work_order(
    gateway, parking_tender, client, make_user, officer, at_opening
):
    tender = parking_tender
    winner, loser = make_user(), make_user()
    won = bid_through_the_api(client, winner, tender, "240000.00")
    lost = bid_through_the_api(client, loser, tender, "২,১০,০০০")
    # 240,000 and 210,000 both deposit 60,000 (25% rounded up to 10,000): the payment does
    # not tell them apart. Each payment: the schedule fee 500 + the security.
    assert won["bid"]["security"] == lost["bid"]["security"] == "60000.00"
    assert won["payment"]["amount"] == lost["payment"]["amount"] == "60500.00"
    assert won["bid"]["amount"] is None
    for body in (won, lost):
        pay_at_gateway(Payment.objects.get(tran_id=body["payment"]["tran_id"]))
    assert set(Bid.objects.values_list("status", flat=True)) == {"valid"}

    with at_opening():
        ijara.tender_open(tender=tender, actor=officer)
        ijara.tender_award(tender=tender, actor=officer)
    w = Bid.objects.get(pk=won["bid"]["id"])
    lo = Bid.objects.get(pk=lost["bid"]["id"])
    assert (w.status, w.rank, w.amount) == ("offered", 1, Decimal("240000.00"))
    assert (lo.status, lo.rank, lo.refund) == ("lost", 2, "refunded")
    refund = Refund.objects.get()
    assert refund.amount == Decimal("60000.00") and refund.status == "succeeded"
    assert refund.payment.tran_id == lost["payment"]["tran_id"]

    # The balance: 240,000 − 60,000 = 180,000; VAT 36,000; income tax 12,000.
    balance = Bill.objects.get(subject_type="ijara_balance", subject_id=str(w.pk))
    assert balance.total == Decimal("228000.00")
    client.force_login(winner)
    mine = client.get("/api/ijara/bids/").json()[0]
    assert mine["amount"] == "240000.00" and mine["open_bills"][0]["total"] == "228000.00"
    pay_at_gateway(payment_initiate_online(bills=[balance], payer=winner))
    assert Tender.objects.get(pk=tender.pk).status == "leased"
    assert Bid.objects.get(pk=w.pk).status == "leased"
    assert find_discrepancies() == []

    pdf = client.get(reverse("market_leases:ijara_work_order", args=[tender.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(  # noqa: S603
            ["pdftotext", "-", "-"],  # noqa: S607
            input=pdf.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert "IJARA WORK ORDER" in text.upper() and "Rupsha Ghat parking" in text
        assert "2,40,000.00" in text and "36,000.00" in text and "12,000.00" in text
        assert "14 April 2027" in text and "13 April 2028" in text
    client.force_login(loser)
    assert (
        client.get(reverse("market_leases:ijara_work_order", args=[tender.pk])).status_code == 403
    )
