"""The demo citizen pays two bills in one go through the simulator and downloads the
receipt PDF; a clerk takes cash for the third bill and closes the session balanced. The
bills are the real holding-tax bills seed_demo makes: the next instalment of holdings 12
and 12/A, and the arrears of 12/A."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from accounts.demo import CITIZEN_MOBILE
from accounts.models import User
from payments.ledger_checks import find_discrepancies
from payments.models import Bill, CounterSession, Payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_pays_two_bills_online_and_clerk_takes_cash_for_the_third(signed_in):
    call_command("seed_demo")
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    bills = list(Bill.objects.filter(payer=citizen, status="open").order_by("pk"))
    assert len(bills) == 3 and {b.service for b in bills} == {"holdings"}
    online, cash_bill = bills[:2], bills[2]

    page = signed_in(citizen)
    page.goto("/dashboard/")
    assert page.get_by_role("heading", name="What I owe").is_visible()
    page.get_by_role("link", name="Pay now").click()
    page.locator(f"input[value='{cash_bill.number}']").uncheck()
    page.get_by_role("button", name="Pay the selected bills").click()

    # The gateway's checkout page (the simulator), then back to us.
    page.get_by_role("button", name="Pay with bKash").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    for _ in range(20):
        if page.locator("[data-status='succeeded']").count():
            break
        if page.get_by_role("button", name="Check again").count():
            page.get_by_role("button", name="Check again").click()
        else:
            page.reload()
        page.wait_for_timeout(300)
    assert page.locator("[data-status='succeeded']").count() == 1
    # (The demo citizen has paid an ijara bid's fees too: the payment of these two bills.)
    paid = Payment.objects.filter(payer=citizen, status="succeeded", bills__in=online)
    payment = paid.distinct().get()
    assert payment.amount == sum(b.total for b in online)
    link = page.get_by_role("link", name="Download receipt (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert payment.receipt.number in text
    assert f"{payment.amount:,.2f}" in text
    for bill in online:
        bill.refresh_from_db()
        assert bill.status == "paid"
        assert not bill.holding_items.filter(instalment__status="due").exists()

    clerk = User.objects.get(mobile="01711000002")
    desk = signed_in(clerk)
    desk.goto("/payments/counter/")
    desk.get_by_label("Opening cash in the drawer (taka)").fill("৫০০")
    desk.get_by_role("button", name="Open my session").click()
    desk.locator("input[name=q]").first.fill(CITIZEN_MOBILE)
    desk.get_by_role("button", name="Search").click()
    desk.locator(f"input[name=bills][value='{cash_bill.number}']").check()
    desk.get_by_role("button", name="Take cash").click()
    desk.get_by_role("button", name="Confirm: cash received").click()
    desk.wait_for_url(re.compile(r"/payments/counter/payments/"))
    cash_bill.refresh_from_db()
    assert cash_bill.status == "paid"
    assert "Receipt" in desk.content()

    desk.goto("/payments/counter/close/")
    expected = 500 + cash_bill.total
    desk.get_by_label("Cash counted in the drawer (taka)").fill(f"{expected:.2f}")
    desk.get_by_label(re.compile("I have counted the cash")).check()
    desk.get_by_role("button", name="Close the session").click()
    desk.get_by_text("Balanced").first.wait_for()
    session = CounterSession.objects.filter(clerk=clerk).latest("pk")  # the demo has an older one
    assert session.status == "closed" and session.difference == 0
    assert find_discrepancies() == []
    assert settings.SSLCOMMERZ_SIMULATOR_ENABLED
