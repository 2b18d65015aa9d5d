# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""In the browser: a bidder finds the open ijara tender, bids (sealed) and pays the schedule
fee and the security through the gateway simulator; another bidder bids lower; at the
opening the estate officer opens the bids, sees them ranked and awards; the loser's
security is refunded through payments; the winner pays the balance with VAT and income tax
through the simulator and downloads the work order."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import time_machine
from pypdf import PdfReader

from market_leases.ijara_models import Bid, Tender
from market_leases.services import ijara
from payments.models import Refund
from payments.services import payment_initiate_online
from tests.e2e.test_accessibility import violations

from .ijara_fixtures import DHAKA, parking_tender, pay_at_gateway  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for_success(page) -> None:
    page.wait_for_url(re.compile(r"/payments/p/"))
    for _ in range(40):
        if page.locator("[data-status='succeeded']").count():
            break
        if page.get_by_role("button", name="Check again").count():
            page.get_by_role("button", name="Check again").click()
        else:
            page.reload()
        page.wait_for_timeout(300)
    assert page.locator("[data-status='succeeded']").count() == 1


def test_bid_pay_open_award_refund_balance_work_order(
    signed_in, parking_tender, officer, make_user
):
    tender = parking_tender
    winner, loser = make_user(), make_user()

    page = signed_in(winner)
    page.goto("/markets/ijara/")
    page.get_by_role("link", name="Rupsha Ghat parking").click()
    assert violations(page) == []  # axe-core: no serious or critical WCAG 2.1 AA problem
    page.get_by_label("Your bid (taka)").fill("২,৪০,০০০")
    page.get_by_role("button", name="Submit the sealed bid and pay").click()
    page.get_by_role("button", name="Pay with bKash").click()
    wait_for_success(page)
    page.goto("/markets/ijara/bids/")
    assert "Sealed until the opening" in page.locator("#my-bids").inner_text()
    assert violations(page) == []

    lower = ijara.bid_submit(tender=tender, bidder=loser, amount="210000")
    pay_at_gateway(payment_initiate_online(bills=lower.bills, payer=loser))
    assert set(Bid.objects.values_list("status", flat=True)) == {"valid"}

    with time_machine.travel(datetime(2026, 12, 21, 11, 5, tzinfo=DHAKA), tick=True):
        desk = signed_in(officer)
        desk.goto(f"/markets/officer/ijara/{tender.pk}/")
        assert "240,000" not in desk.content() and "2,40,000" not in desk.content()
        desk.get_by_role("button", name="Open the bids").click()
        ranked = desk.locator("#ranked-bids").inner_text()
        assert desk.get_by_role("status").count() == 1  # the flash message, announced
        assert violations(desk) == []
        assert ranked.index("2,40,000.00") < ranked.index("2,10,000.00")
        desk.get_by_role("button", name="Award to the highest valid bid").click()
        desk.wait_for_load_state()
        assert "Refunded" in desk.locator("#ranked-bids").inner_text()
        refund = Refund.objects.get()
        assert refund.status == "succeeded" and refund.payment.payer_id == loser.pk

        page.goto("/markets/ijara/bids/")
        assert "2,28,000.00" in page.locator("#my-bids").inner_text()  # 180,000 + 36,000 + 12,000
        page.get_by_role("button", name="Pay online").click()
        page.get_by_role("button", name="Pay with bKash").click()
        wait_for_success(page)
        assert Tender.objects.get(pk=tender.pk).status == "leased"
        page.goto("/markets/ijara/bids/")
        href = page.get_by_role("link", name="Work order (PDF)").get_attribute("href")
        response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Rupsha Ghat parking" in text and "2,40,000.00" in text
