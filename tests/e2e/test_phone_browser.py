"""On a phone (390×844, touch): the counter clerk finds a citizen by a mobile number typed
in Bengali digits, sees every bill ticked with a running total, takes the cash, prints the
receipt with its QR code, and closes a session that is short — a note is required; and
each staff role, signing in through the real pages, lands on its own work.

Set E2E_SHOTS=<folder> to keep screenshots of the pages on the way."""

import os
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.demo import CITIZEN_MOBILE
from accounts.models import SmsMessage, User
from core.roles import Role
from core.views import landing_url
from payments.models import Bill, CounterSession, Payment
from tests.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fits_the_screen(page) -> None:
    """Nothing wider than the phone: no sideways scrolling, every button on screen and big
    enough to tap (44 CSS px high)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide"
    for button in page.locator("main button:visible, main .button:visible").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, button.inner_text()
        assert box["height"] >= 44, button.inner_text()


def taka(amount: Decimal) -> str:
    return f"৳{amount:,.2f}"


def test_counter_on_a_phone(phone):
    call_command("seed_demo")
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    bills = list(Bill.objects.filter(payer=citizen, status="open").order_by("pk"))
    assert len(bills) == 3
    clerk = User.objects.get(mobile="01711000002")
    page = phone(clerk)

    page.goto("/payments/counter/")
    page.get_by_label("Opening cash in the drawer (taka)").fill("৫০০")
    page.get_by_role("button", name="Open my session").tap()
    page.get_by_text("Your cash session is open.").wait_for()

    # One search, by the citizen's mobile in Bengali digits: every bill, all ticked.
    page.get_by_label(re.compile("payer's mobile number")).fill("০১৭১১০০০০০১")
    page.get_by_role("button", name="Search").tap()
    page.wait_for_url(re.compile(r"/payments/counter/\?q="))
    total = page.locator("[data-total]")
    for bill in bills:
        assert page.locator(f"#bill-{bill.pk}").is_checked()
    assert total.inner_text() == taka(sum(b.total for b in bills))
    shot(page, "counter-search-phone")
    fits_the_screen(page)

    # Untick one: the total follows at once; tick it again.
    page.get_by_label(f"Pay bill {bills[0].number}").tap()
    assert total.inner_text() == taka(sum(b.total for b in bills[1:]))
    page.get_by_label(f"Pay bill {bills[0].number}").tap()
    assert total.inner_text() == taka(sum(b.total for b in bills))

    # A due not billed yet is billed from the same search and joins the ticked list.
    page.locator("ul.open-dues li").first.get_by_role("button", name="Bill it").tap()
    page.get_by_text("Tick it to take the cash.").wait_for()
    bills = list(Bill.objects.filter(payer=citizen, status="open").order_by("pk"))
    assert len(bills) == 4
    assert page.locator("input[name=bills]:checked").count() == 4
    expected_total = sum(b.total for b in bills)
    assert total.inner_text() == taka(expected_total)

    # Take the cash for all of them.
    page.get_by_role("button", name="Take cash").tap()
    page.get_by_role("button", name="Confirm: cash received").wait_for()
    fits_the_screen(page)
    page.get_by_role("button", name="Confirm: cash received").tap()
    page.wait_for_url(re.compile(r"/payments/counter/payments/"))
    payment = Payment.objects.get(payer=citizen, channel="counter")
    assert payment.amount == expected_total
    receipt = payment.receipt
    qr = page.get_by_role("img", name="QR code to check this receipt")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 100
    assert receipt.verify_code in page.locator(".receipt-verify").inner_text()
    shot(page, "counter-receipt-phone")
    fits_the_screen(page)
    page.emulate_media(media="print")
    assert qr.is_visible() and page.locator(".site-header").is_hidden()
    page.emulate_media(media="screen")

    # Close short by ৳100: refused without a note, closed with one.
    page.goto("/payments/counter/close/")
    counted = Decimal("500") + expected_total - Decimal("100")
    page.get_by_label("Cash counted in the drawer (taka)").fill(f"{counted:.2f}")
    page.get_by_label(re.compile("I have counted the cash")).check()
    page.get_by_role("button", name="Close the session").tap()
    page.get_by_text(
        "The drawer is short by ৳100.00. Write a note saying why before closing."
    ).wait_for()
    session = CounterSession.objects.filter(clerk=clerk).latest("pk")  # the demo has an older one
    assert session.status == "open"
    shot(page, "counter-close-note-required-phone")
    fits_the_screen(page)
    page.get_by_label("Note").fill("A ৳100 note was torn; the payer took it back.")
    page.get_by_label(re.compile("I have counted the cash")).check()
    page.get_by_role("button", name="Close the session").tap()
    page.get_by_text("Short by ৳100.00").first.wait_for()
    session.refresh_from_db()
    assert session.status == "closed" and session.difference == Decimal("-100.00")
    assert session.note.startswith("A ৳100 note was torn")


STAFF = [
    (Role.COUNTER_CLERK, "/payments/counter/", "Counter"),
    (Role.LICENCE_INSPECTOR, "/licences/officer/inspections/", None),
    (Role.LICENCE_OFFICER, "/licences/officer/approvals/", None),
    (Role.ASSESSOR, "/holdings/officer/assessor/", None),
    (Role.ESTATE_OFFICER, "/markets/officer/", "Markets and shops"),
    (Role.EBIKE_OFFICER, "/ezbike/cards/", "RFID cards"),
    (Role.TRAFFIC_STAFF, "/ezbike/plates/", "Check a number plate"),
    (Role.REVENUE_OFFICER, "/payments/revenue/collections/", "Collections at a glance"),
    (Role.ADMINISTRATOR, "/staff/", "Staff dashboards"),
]


def test_each_staff_role_lands_on_its_own_work_on_a_phone(phone, make_user):
    for n, (role, url, heading) in enumerate(STAFF):
        page = phone()  # a phone of their own, signed out
        mobile = f"0171990{n:04d}"
        user = make_user(role, mobile=mobile, password="s3cret-staff-99")
        assert landing_url(user) == url
        page.goto("/accounts/login/")
        # The sign-in page asks for the mobile number only.
        assert page.locator("main form input:not([type=hidden])").count() == 1
        page.locator("input[name=login]").fill(mobile)
        page.locator("main form button[type=submit]").first.tap()
        page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
        assert page.locator("input[name=password]").count() == 0
        sms = SmsMessage.objects.filter(to=mobile, kind="code").latest("pk")
        page.locator("input[name=code]").fill(re.search(r"\d{6}", sms.text).group())
        page.locator("main form button[type=submit]").first.tap()
        page.wait_for_url(re.compile(r"/accounts/login/password/"))
        page.locator("input[name=password]").fill("s3cret-staff-99")
        page.locator("main form button[type=submit]").first.tap()
        page.wait_for_url(re.compile(re.escape(url) + "$"))
        if heading:
            assert page.get_by_role("heading", level=1, name=heading).is_visible()
        # The menu leads back to their work, not to a citizen dashboard.
        assert page.get_by_role("link", name="My work").is_visible()
        assert page.get_by_role("link", name="My dashboard").count() == 0
        shot(page, f"landing-{role}-phone")
        fits_the_screen(page)
        page.goto("/dashboard/")
        page.wait_for_url(re.compile(re.escape(url) + "$"))
