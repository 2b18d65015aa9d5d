"""The citizen's side of water bills: linking a connection (a one-time code to the billing
mobile with the sign-in's limits, or from a holding linked to the account), my water
connections, a connection's page (consumption chart and table, bills, paying in "my bills"
with the other services), the dashboard panel and home card, and the leak alert SMS."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SmsMessage
from core import audit
from payments.models import Bill
from water_billing.billing import generate_water_bills
from water_billing.models import Connection, WaterBill

from .conftest import OWNER_MOBILE, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["kcc_language"] = "en"


@pytest.fixture
def tariff(db):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()


@pytest.fixture
def billed(make_connection, tariff):
    """A residential metered connection (billing mobile OWNER_MOBILE, not linked), read
    18 m³ a month from June to October 2026 and 90 m³ in November (a spike), every month
    billed on the 2nd of the next."""
    c = make_connection()
    value = 1000
    for month in range(6, 12):
        value += 90 if month == 11 else 18
        read(c, f"2026-{month:02d}", value)
        generate_water_bills(f"2026-{month:02d}", bill_date=date(2026, month + 1, 2))
    return c


def last_code(mobile: str) -> str:
    sms = SmsMessage.objects.filter(to=mobile, kind="code").order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def link_by_code(client, connection) -> None:
    response = client.post("/water/link/", {"consumer_no": connection.consumer_no})
    assert response.status_code == 302, response.content.decode()[:2000]
    code_page = response["Location"]
    response = client.post(code_page, {"code": last_code(connection.billing_mobile)})
    assert response.status_code == 302
    assert response["Location"] == f"/water/connections/{connection.consumer_no}/"


def test_a_citizen_links_a_connection_with_the_code_sent_to_its_billing_mobile(
    client, citizen, billed
):
    client.force_login(citizen)
    # Bengali digits and a slash are fine in the consumer number.
    typed = billed.consumer_no.replace("-", "/").translate(
        str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
    )
    response = client.post("/water/link/", {"consumer_no": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/water/link/{billed.consumer_no}/code/"
    sms = SmsMessage.objects.filter(to=OWNER_MOBILE, kind="code").get()
    assert billed.consumer_no in sms.text
    page = client.get(response["Location"])
    assert "018•••••456" in page.content.decode()

    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 400 and "Wrong code" in wrong.content.decode()
    billed.refresh_from_db()
    assert billed.user is None

    done = client.post(response["Location"], {"code": last_code(OWNER_MOBILE)})
    assert done.status_code == 302
    billed.refresh_from_db()
    assert billed.user == citizen
    row = audit.AuditLog.objects.filter(action="water.connection.linked").get()
    assert row.after == {"user": citizen.pk, "method": "code"}


def test_three_wrong_codes_discard_the_code(client, citizen, billed):
    client.force_login(citizen)
    client.post("/water/link/", {"consumer_no": billed.consumer_no})
    code_page = f"/water/link/{billed.consumer_no}/code/"
    right = last_code(OWNER_MOBILE)
    for _ in range(2):
        assert "Wrong code" in client.post(code_page, {"code": "111111"}).content.decode()
    assert "Too many wrong codes" in client.post(code_page, {"code": "111111"}).content.decode()
    # The right code no longer works: a new one must be asked for.
    assert "expired" in client.post(code_page, {"code": right}).content.decode()
    billed.refresh_from_db()
    assert billed.user is None


def test_codes_asked_for_one_number_back_off_as_at_sign_in(client, citizen, billed):
    client.force_login(citizen)
    for _ in range(3):  # SIGNIN_FREE_CODE_REQUESTS: three in a row are free
        assert client.post("/water/link/", {"consumer_no": billed.consumer_no}).status_code == 302
    refused = client.post("/water/link/", {"consumer_no": billed.consumer_no})
    assert refused.status_code == 429
    assert "Too many codes" in refused.content.decode()
    assert SmsMessage.objects.filter(to=OWNER_MOBILE, kind="code").count() == 3


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("07-99999", "No water connection has the consumer number"),
        ("hello", "Enter a consumer number such as"),
        ("", "This field is required"),
    ],
)
def test_a_wrong_consumer_number_is_told_and_sends_nothing(client, citizen, billed, typed, message):
    client.force_login(citizen)
    response = client.post("/water/link/", {"consumer_no": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SmsMessage.objects.filter(kind="code").exists()


def test_a_connection_linked_to_another_account_is_refused(client, citizen, make_user, billed):
    other = make_user()
    Connection.objects.filter(pk=billed.pk).update(user=other)
    client.force_login(citizen)
    response = client.post("/water/link/", {"consumer_no": billed.consumer_no})
    assert response.status_code == 400
    assert "linked to another account" in response.content.decode()
    assert not SmsMessage.objects.filter(kind="code").exists()


def test_connections_on_my_holding_are_linked_without_a_code(
    client, citizen, make_user, holding, billed
):
    from holdings.services import holding_link_at_counter

    clerk = make_user("counter_clerk")
    holding_link_at_counter(clerk=clerk, user=citizen, owner=holding.owners.get())
    client.force_login(citizen)
    page = client.get("/water/")
    assert 'id="on-holdings"' in page.content.decode()
    response = client.post("/water/link/", {"holding_connection": billed.pk})
    assert response.status_code == 302
    billed.refresh_from_db()
    assert billed.user == citizen
    assert not SmsMessage.objects.filter(kind="code").exists()
    # Someone else's holding: refused, nothing linked.
    stranger = make_user()
    Connection.objects.filter(pk=billed.pk).update(user=None)
    client.force_login(stranger)
    response = client.post("/water/link/", {"holding_connection": billed.pk}, follow=True)
    assert "not on a holding linked to your account" in response.content.decode()
    billed.refresh_from_db()
    assert billed.user is None


def test_the_connection_page_shows_use_bills_and_a_possible_leak(client, citizen, billed):
    client.force_login(citizen)
    link_by_code(client, billed)
    page = client.get(f"/water/connections/{billed.consumer_no}/")
    assert page.status_code == 200
    html = page.content.decode()
    # The chart (hidden from screen readers) and the same figures as a table.
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'aria-hidden="true"' in html
    table = html.split('id="use-table"')[1].split("</table>")[0]
    assert "November 2026" in table and ">90<" in table and ">18<" in table
    assert 'id="leak"' in html and "90 m³" in html
    # Six bills, each with its PDF, all unpaid.
    bills = WaterBill.objects.filter(connection=billed)
    assert html.count('data-status="due"') == 6
    for bill in bills:
        assert f"/water/bills/{bill.pk}/pdf/" in html
    owed = sum(b.total for b in bills)
    assert f'action="/payments/dues/water_billing/c{billed.pk}/"' in html
    assert f"{owed:,.2f}" in html


def test_another_citizens_connection_page_is_forbidden(client, citizen, make_user, billed):
    Connection.objects.filter(pk=billed.pk).update(user=citizen)
    client.force_login(make_user())
    assert client.get(f"/water/connections/{billed.consumer_no}/").status_code == 403
    assert client.get("/water/connections/07-99999/").status_code == 404


def test_paying_from_the_connection_page_puts_the_bill_in_my_bills_with_other_services(
    client, citizen, billed
):
    Connection.objects.filter(pk=billed.pk).update(user=citizen)
    client.force_login(citizen)
    # What I owe lists the connection as a due not billed yet.
    assert (
        f"/payments/dues/water_billing/c{billed.pk}/" in client.get("/dashboard/").content.decode()
    )
    response = client.post(f"/payments/dues/water_billing/c{billed.pk}/")
    assert response.status_code == 302
    bill = Bill.objects.get(service="water_billing", payer=citizen)
    assert response["Location"] == f"/payments/bills/?new={bill.number}"
    assert bill.total == sum(b.total for b in WaterBill.objects.filter(connection=billed))
    # The connection page now sends to my bills (the cart) for that bill, and pressing the
    # due again gives the same bill.
    page = client.get(f"/water/connections/{billed.consumer_no}/").content.decode()
    assert f"/payments/bills/?new={bill.number}" in page
    client.post(f"/payments/dues/water_billing/c{billed.pk}/")
    assert Bill.objects.filter(service="water_billing", status="open").count() == 1
    assert bill.number in client.get("/payments/bills/").content.decode()


def test_my_water_connections_page_and_dashboard_panel(client, citizen, make_connection, billed):
    Connection.objects.filter(pk=billed.pk).update(user=citizen)
    client.force_login(citizen)
    page = client.get("/water/").content.decode()
    assert f'data-connection="{billed.consumer_no}"' in page
    owed = sum(b.total for b in WaterBill.objects.filter(connection=billed))
    assert f'data-owed="{owed}"' in page
    dashboard = client.get("/dashboard/").content.decode()
    assert "My water connections" in dashboard
    assert f'data-connection="{billed.consumer_no}"' in dashboard
    assert "/water/" in client.get("/").content.decode()  # the home page's card


def test_my_water_connections_takes_a_fixed_number_of_queries(
    client, citizen, make_connection, billed
):
    Connection.objects.filter(pk=billed.pk).update(user=citizen)
    client.force_login(citizen)
    client.get("/water/")
    with CaptureQueriesContext(db_connection) as one:
        client.get("/water/")
    for _ in range(3):
        make_connection(user=citizen)
    with CaptureQueriesContext(db_connection) as four:
        client.get("/water/")
    assert len(four) == len(one)


def test_the_empty_page_invites_to_link(client, citizen):
    client.force_login(citizen)
    page = client.get("/water/").content.decode()
    assert "No water connection is linked to your account yet." in page
    assert 'href="/water/link/"' in page


def test_a_jump_in_use_sends_one_leak_alert_with_the_bill(
    billed, django_capture_on_commit_callbacks
):
    from water_billing.models import Reading
    from water_billing.notify import send_bill_sms

    assert Reading.objects.get(connection=billed, period="2026-11-01").flag == "spike"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_bill_sms(date(2026, 11, 1)) == 1
    leak = SmsMessage.objects.filter(kind="water_leak").get()
    assert leak.to == OWNER_MOBILE
    assert "৯০" in leak.text and "০৩-০০০০১" in leak.text  # Bengali without an account
    with django_capture_on_commit_callbacks(execute=True):
        # October was an ordinary month: its bill goes alone.
        assert send_bill_sms(date(2026, 10, 1)) == 1
        # Once: November again, or the month's run again, sends nothing more.
        assert send_bill_sms(date(2026, 11, 1)) == 0
        call_command("generate_water_bills", "2026-11", "--bill-date", "2026-12-02")
    assert SmsMessage.objects.filter(kind="water_leak").count() == 1
    assert SmsMessage.objects.filter(kind="water_bill").count() == 2
