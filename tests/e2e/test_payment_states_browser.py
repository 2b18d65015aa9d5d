"""On a phone (390×844): a citizen cancels at the gateway, is told at once that the
payment was cancelled and no money taken, presses "Try again" and pays the same bills; a
failed payment is said at once, in Bengali, with "Try again". Screenshots of each page are
saved under /tmp/payment-states/ for a look."""

import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import SmsMessage
from payments.models import Bill, Payment
from payments.services import LineSpec, bill_issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(tempfile.gettempdir()) / "payment-states"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def citizen(make_user):
    """A citizen with three open bills (for the "test" service the suite declares)."""
    user = make_user(name_en="Karim", name_bn="করিম")
    for n, amount in enumerate(("5100.00", "12750.00", "900.00"), start=1):
        bill_issue(
            service="test",
            subject_type="test",
            subject_id=f"H-{n}",
            subject_label_en=f"Holding 12/{n}, ward 3",
            subject_label_bn=f"হোল্ডিং ১২/{n}, ওয়ার্ড ৩",
            dues=[f"test:phone:{n}"],
            lines=[LineSpec(head="holding_tax", amount=Decimal(amount), description_en="Tax")],
            fiscal_year_label="2026-27",
            due_date=date(2027, 6, 30),
            payer=user,
        )
    return user


def open_bills(citizen) -> list[Bill]:
    return list(Bill.objects.filter(payer=citizen, status="open").order_by("pk"))


def start_paying(page, bills: list[Bill], keep: list[Bill]) -> None:
    page.goto("/payments/bills/")
    for bill in bills:
        if bill not in keep:
            page.locator(f"input[value='{bill.number}']").uncheck()
    page.locator("form[action='/payments/checkout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/checkout/"))


def test_cancel_then_try_again_on_a_phone(signed_in, citizen):
    bills = open_bills(citizen)
    chosen = bills[:2]
    page = signed_in(citizen)
    page.set_viewport_size(PHONE)

    start_paying(page, bills, chosen)
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    status = page.locator("[data-status]")
    assert status.get_attribute("data-status") == "cancelled"
    assert page.get_by_text("The payment was cancelled. No money was taken.").is_visible()
    assert not page.get_by_text("Confirming with your bank").count()
    again = page.get_by_role("button", name="Try again")
    assert again.is_visible()
    box = again.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    assert no_sideways_scroll(page)
    shot(page, "cancelled")
    first = Payment.objects.get(payer=citizen)
    assert first.status == "cancelled"

    again.click()  # a new payment of the same bills, straight to the gateway
    page.wait_for_url(re.compile(r"/checkout/"))
    second = Payment.objects.exclude(pk=first.pk).get(payer=citizen)
    assert set(second.bills.all()) == set(chosen) and second.amount == first.amount
    page.get_by_role("button", name="Pay with bKash").click()
    page.wait_for_url(re.compile(rf"/payments/p/{second.tran_id}/"))
    for _ in range(40):
        if page.locator("[data-status='succeeded']").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    assert page.get_by_text("Payment received. Thank you.").is_visible()
    assert no_sideways_scroll(page)
    shot(page, "paid-after-try-again")
    for bill in chosen:
        bill.refresh_from_db()
        assert bill.status == "paid"
    assert Payment.objects.get(pk=first.pk).status == "cancelled"
    second.refresh_from_db()
    sms = SmsMessage.objects.filter(kind="receipt", to=citizen.mobile)
    assert sms.count() == 1 and second.receipt.number in sms.get().text


def test_fail_on_a_phone_in_bengali(signed_in, live_server, citizen):
    bills = open_bills(citizen)
    page = signed_in(citizen)
    page.set_viewport_size(PHONE)
    host = live_server.url.split("//")[1].split(":")[0]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "bn", "domain": host, "path": "/"}]
    )

    start_paying(page, bills, bills[:1])
    page.locator("button[value=fail]").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    assert page.locator("[data-status]").get_attribute("data-status") == "failed"
    assert page.get_by_text("পেমেন্টটি ব্যর্থ হয়েছে। কোনো টাকা কাটা হয়নি।").is_visible()
    assert not page.get_by_text("নিশ্চিত করা হচ্ছে").count()
    assert page.get_by_role("button", name="আবার চেষ্টা করুন").is_visible()
    amount = page.locator(".try-again .helptext").inner_text()
    assert re.search("[০-৯]", amount) and not re.search("[0-9]", amount.split(":")[0])
    assert no_sideways_scroll(page)
    shot(page, "failed-bn")
    payment = Payment.objects.get(payer=citizen)
    assert payment.status == "failed"
    assert Bill.objects.get(pk=bills[0].pk).status == "open"
    assert not SmsMessage.objects.filter(kind="receipt").exists()


def test_confirming_only_while_the_gateway_has_not_answered(signed_in, citizen):
    bills = open_bills(citizen)
    page = signed_in(citizen)
    page.set_viewport_size(PHONE)

    start_paying(page, bills, bills[:1])
    page.get_by_label("Validation API down (HTTP 503)").check()  # the gateway cannot answer
    page.get_by_label("Do not send the IPN").check()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    assert page.locator("[data-status]").get_attribute("data-status") == "pending"
    assert page.get_by_text("Confirming with your bank…").is_visible()
    assert page.get_by_text(re.compile("checks again by itself for 15 minutes")).is_visible()
    assert not page.get_by_role("button", name="Try again").count()
    assert no_sideways_scroll(page)
    shot(page, "confirming")
