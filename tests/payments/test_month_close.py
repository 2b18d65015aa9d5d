"""Closing a month (payments.services.closing): only after it has ended and when nothing in
it is undecided; a closed month refuses back-dated settlements, voids, refunds and entries
while the open month takes the corrections; reopening by an administrator with a reason;
a close racing ledger writes on PostgreSQL; the pages, the register as XLSX and PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import translation

from core.models import AuditLog
from payments import rollups
from payments.models import Allocation, Credit, MonthClose, Payment, Refund
from payments.services import (
    PaymentError,
    counter_session_close,
    counter_session_open,
    counter_session_verify,
    counter_take_cash,
    payment_refund_credit,
    payment_refund_held,
    payment_transition,
    payment_void,
)
from payments.services.closing import (
    MonthClosed,
    blockers,
    daily_register,
    ensure_open,
    is_closed,
    month_close,
    month_reopen,
    month_totals,
)
from payments.services.online import create_payment

DHAKA = ZoneInfo("Asia/Dhaka")
NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english():
    """The services' messages and the pages in English (Bengali: test_bengali_pages)."""
    with translation.override("en"):
        yield


def at(y, m, d, h=11):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=DHAKA), tick=False)


class _RefundingClient:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def initiate_refund(self, **kwargs):
        from payments.gateways.sslcommerz import RefundResult

        return RefundResult(
            status="success",
            refund_ref_id="REF1",
            bank_tran_id="BANK1",
            trans_id=kwargs["refund_trans_id"],
            error_reason="",
            raw={"status": "success"},
        )


@pytest.fixture
def people(make_user):
    return {
        "citizen": make_user(),
        "clerk": make_user("counter_clerk", name_en="Salma Clerk", name_bn="সালমা"),
        "officer": make_user("revenue_officer", name_en="Rahim Officer", name_bn="রহিম"),
        "admin": make_user("administrator", name_en="Admin", name_bn="প্রশাসক"),
    }


def _held(bill) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=bill.payer)
        payment_transition(payment=payment, to=Payment.Status.ON_HOLD, reason="risky")
    Payment.objects.filter(pk=payment.pk).update(bank_tran_id="BANK1")
    return payment


@pytest.fixture
def november(people, make_bill):
    """Cash taken on 3 November 2026 in a session closed and verified that day."""
    clerk, officer = people["clerk"], people["officer"]
    with at(2026, 11, 3):
        session = counter_session_open(clerk=clerk)
        payment = counter_take_cash(
            session=session, bills=[make_bill(people["citizen"], "1500.00")], clerk=clerk
        )
        counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("1500.00"))
        counter_session_verify(session=session, officer=officer)
    rollups.rollups_refresh()  # November is read from the rollups, later rows from the ledger
    return payment


@pytest.mark.django_db
def test_a_month_closes_only_when_it_has_ended_and_nothing_is_undecided(
    people, make_bill, monkeypatch
):
    clerk, officer = people["clerk"], people["officer"]
    with at(2026, 11, 10):
        session = counter_session_open(clerk=clerk)
        counter_take_cash(session=session, bills=[make_bill(people["citizen"])], clerk=clerk)
        held = _held(make_bill(people["citizen"], "800.00"))
        with pytest.raises(PaymentError, match="not ended"):
            month_close(month=NOVEMBER, officer=officer)
    with at(2026, 12, 2):
        with pytest.raises(PaymentError) as refused:
            month_close(month=NOVEMBER, officer=officer)
        message = str(refused.value)
        assert f"Counter session #{session.pk} of" in message and "still open" in message
        assert held.tran_id in message and "on hold" in message
        assert len(blockers(NOVEMBER)) == 2
        assert f"clerk={clerk.pk}" in blockers(NOVEMBER)[0].url  # the cash the drawer took
        assert not is_closed(NOVEMBER)

        counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("1500.00"))
        assert "not verified yet" in blockers(NOVEMBER)[0].text
        counter_session_verify(session=session, officer=officer)
        monkeypatch.setattr("payments.services.online.get_client", lambda: _RefundingClient())
        payment_refund_held(payment=held, officer=officer, reason="risky")
        assert blockers(NOVEMBER) == []

        with pytest.raises(PaymentError, match="Only a revenue officer"):
            month_close(month=NOVEMBER, officer=clerk)
        closed = month_close(month=date(2026, 11, 17), officer=officer)
        assert closed.month == NOVEMBER and closed.closed and closed.closed_by == officer
        assert closed.totals == {
            "heads": {"conservancy": "500.00", "holding_tax": "1000.00"},
            "total": "1500.00",
            "lines": 2,
        }
        assert is_closed(date(2026, 11, 30)) and not is_closed(date(2026, 12, 1))
        with pytest.raises(PaymentError, match="already closed"):
            month_close(month=NOVEMBER, officer=officer)
    log = AuditLog.objects.get(action="month.closed")
    assert log.actor == officer and log.after["totals"]["total"] == "1500.00"


@pytest.mark.django_db
def test_a_closed_month_refuses_back_dated_settlements_voids_refunds_and_entries(
    people, make_bill, november, monkeypatch
):
    officer, clerk, citizen = people["officer"], people["clerk"], people["citizen"]
    monkeypatch.setattr("payments.services.online.get_client", lambda: _RefundingClient())
    with at(2026, 12, 1):
        month_close(month=NOVEMBER, officer=officer)
        credit = Credit.objects.create(
            payment=november, payer=citizen, amount=Decimal("100.00"), reason="paid twice"
        )
        held = _held(make_bill(citizen, "700.00"))
        session = counter_session_open(clerk=clerk)
    ledger, payments = Allocation.objects.count(), Payment.objects.count()

    with at(2026, 11, 28):  # the clock inside the closed month: every write is refused
        with pytest.raises(MonthClosed, match="November 2026 is closed"):
            payment_void(payment=november, reason="wrong holding", officer=officer)
        with pytest.raises(MonthClosed):
            counter_take_cash(session=session, bills=[make_bill(citizen)], clerk=clerk)
        with pytest.raises(MonthClosed):
            payment_refund_credit(credit=credit, officer=officer)
        with pytest.raises(MonthClosed):
            payment_refund_held(payment=held, officer=officer, reason="risky")
    with at(2026, 12, 5):  # a paper receipt of 20 November entered in December
        with pytest.raises(MonthClosed), transaction.atomic():
            ensure_open(date(2026, 11, 20))
    november.refresh_from_db()
    credit.refresh_from_db()
    held.refresh_from_db()
    assert november.status == Payment.Status.SUCCEEDED
    assert credit.status == Credit.Status.OPEN and held.status == Payment.Status.ON_HOLD
    assert not Refund.objects.exists()
    assert (Allocation.objects.count(), Payment.objects.count()) == (ledger, payments)

    with at(2026, 12, 5):  # in the open month the same corrections go through
        payment_void(payment=november, reason="wrong holding", officer=officer)
        counter_take_cash(session=session, bills=[make_bill(citizen)], clerk=clerk)
        payment_refund_credit(credit=credit, officer=officer)
        payment_refund_held(payment=held, officer=officer, reason="risky")
        with transaction.atomic():
            ensure_open(date(2026, 12, 2))
    reversals = Allocation.objects.filter(payment=november, kind="reversal")
    assert reversals.count() == 2
    assert {r.created_at.astimezone(DHAKA).date() for r in reversals} == {date(2026, 12, 5)}
    # November's figures are what they were when it closed; December carries the void.
    assert month_totals(NOVEMBER)["total"] == "1500.00"
    assert daily_register(date(2026, 12, 1)).total == Decimal("0.00")  # -1500 + 1500


@pytest.mark.django_db
def test_only_an_administrator_reopens_a_closed_month_with_a_reason(people, november):
    officer, admin = people["officer"], people["admin"]
    with at(2026, 12, 2):
        month_close(month=NOVEMBER, officer=officer)
        with pytest.raises(PaymentError, match="administrator"):
            month_reopen(month=NOVEMBER, admin=officer, reason="typo")
        with pytest.raises(PaymentError, match="reason"):
            month_reopen(month=NOVEMBER, admin=admin, reason="  ")
        row = month_reopen(month=NOVEMBER, admin=admin, reason="bank statement corrected")
        assert not row.closed and row.reopened_by == admin
        assert not is_closed(NOVEMBER)
        with pytest.raises(PaymentError, match="not closed"):
            month_reopen(month=NOVEMBER, admin=admin, reason="again")
        again = month_close(month=NOVEMBER, officer=officer)
        assert again.closed and MonthClose.objects.count() == 1
    log = AuditLog.objects.get(action="month.reopened")
    assert log.actor == admin and log.reason == "bank statement corrected"
    assert AuditLog.objects.filter(action="month.closed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_close_racing_back_entries_never_leaves_a_row_in_a_closed_month(
    people, make_bill, november
):
    """Writers check the month, wait a little inside their transaction and write a row
    dated into it, while the officer closes it: each writer is either refused or counted
    in the closed month's totals (the shared/exclusive month lock), never left out."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL advisory locks")
    officer = people["officer"]
    template = Allocation.objects.filter(payment=november).first()
    dated = datetime(2026, 11, 20, 12, tzinfo=DHAKA)
    writers = 6
    barrier = threading.Barrier(writers + 1)

    def back_entry(i):
        try:
            barrier.wait()
            time.sleep(0.01 * i)
            with transaction.atomic():
                ensure_open(date(2026, 11, 20))
                time.sleep(0.2)  # the window a close without the lock would slip into
                row = Allocation.objects.create(
                    payment=template.payment,
                    bill=template.bill,
                    bill_line=template.bill_line,
                    kind=Allocation.Kind.REVERSAL,
                    head=template.head,
                    amount=Decimal("-1.00"),
                    service=template.service,
                    fiscal_year=template.fiscal_year,
                    channel=template.channel,
                )
                Allocation.objects.filter(pk=row.pk).update(created_at=dated)
            return "written"
        except MonthClosed:
            return "refused"
        finally:
            connections.close_all()

    def close():
        try:
            barrier.wait()
            time.sleep(0.05)
            return month_close(month=NOVEMBER, officer=officer)
        finally:
            connections.close_all()

    with at(2026, 12, 2):
        with ThreadPoolExecutor(max_workers=writers + 1) as pool:
            entries = [pool.submit(back_entry, i) for i in range(writers)]
            closing = pool.submit(close)
            outcomes = [f.result() for f in entries]
            closed_row = closing.result()
    written = outcomes.count("written")
    assert closed_row.totals["total"] == str(Decimal("1500.00") - written)
    assert month_totals(NOVEMBER) == closed_row.totals
    assert "written" in outcomes  # the first writers held the close back until they committed


# --- pages ------------------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.django_db
def test_months_page_close_and_reopen(client, people, make_bill, november):
    officer, admin = people["officer"], people["admin"]
    with at(2026, 12, 2):
        held = _held(make_bill(people["citizen"], "800.00"))
        Payment.objects.filter(pk=held.pk).update(created_at=datetime(2026, 11, 9, tzinfo=DHAKA))
        _login(client, officer)
        listing = client.get(reverse("payments:revenue_months")).content.decode()
        assert "November 2026" in listing and held.tran_id in listing
        assert reverse("payments:revenue_payment", kwargs={"tran_id": held.tran_id}) in listing
        url = reverse("payments:revenue_month", kwargs={"year": 2026, "month": 11})
        page = client.get(url).content.decode()
        assert "is on hold: release or refund it" in page
        response = client.post(url + "close/", {"confirm": "on"}, follow=True)
        assert "Could not close the month" in response.content.decode()
        Payment.objects.filter(pk=held.pk).update(status=Payment.Status.FAILED)
        response = client.post(url + "close/", {})  # no confirmation
        assert response.status_code == 200 and not is_closed(NOVEMBER)
        response = client.post(url + "close/", {"confirm": "on"}, follow=True)
        assert "November 2026 is closed" in response.content.decode() and is_closed(NOVEMBER)
        assert "Reopen this month" not in response.content.decode()
        assert client.post(url + "reopen/", {"reason": "x", "confirm": "on"}).status_code == 403

        _login(client, admin)
        page = client.get(url).content.decode()
        assert "Reopen this month" in page and "Rahim Officer" in page
        assert "The ledger holds the same for this month today." in page
        response = client.post(url + "reopen/", {"reason": "", "confirm": "on"})
        assert response.status_code == 200 and is_closed(NOVEMBER)
        response = client.post(url + "reopen/", {"reason": "bank error", "confirm": "on"})
        assert response.status_code == 302 and not is_closed(NOVEMBER)


@pytest.mark.django_db
def test_the_months_list_costs_the_same_queries_whatever_the_months_hold(
    client, people, make_bill, django_assert_max_num_queries
):
    clerk = people["clerk"]
    for month in range(1, 12):
        with at(2026, month, 5):
            session = counter_session_open(clerk=clerk)
            counter_take_cash(session=session, bills=[make_bill(people["citizen"])], clerk=clerk)
            _held(make_bill(people["citizen"], "800.00"))
            counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("1500.00"))
    with at(2026, 12, 2):
        _login(client, people["officer"])
        client.get(reverse("payments:revenue_months"))  # the session's first queries
        with django_assert_max_num_queries(12):
            page = client.get(reverse("payments:revenue_months")).content.decode()
    assert page.count("is on hold: release or refund it") == 11
    Payment.objects.update(created_at=datetime(2026, 11, 5, tzinfo=DHAKA))
    with at(2026, 12, 2), pytest.raises(PaymentError, match="And 7 more: see the month's page"):
        month_close(month=NOVEMBER, officer=people["officer"])


@pytest.mark.django_db
def test_pages_are_for_revenue_officers(client, people):
    _login(client, people["clerk"])
    assert client.get(reverse("payments:revenue_months")).status_code == 403
    url = reverse("payments:revenue_month_register", kwargs={"year": 2026, "month": 11})
    assert client.get(url).status_code == 403
    _login(client, people["officer"])
    assert client.get(reverse("payments:revenue_months")).status_code == 200
    assert client.get("/payments/revenue/months/2026/13/").status_code == 404


@pytest.mark.django_db
def test_register_page_and_xlsx(client, people, november):
    from openpyxl import load_workbook

    with at(2026, 12, 2):
        payment_void(payment=november, reason="wrong", officer=people["officer"])
        _login(client, people["officer"])
        url = reverse("payments:revenue_month_register", kwargs={"year": 2026, "month": 11})
        page = client.get(url).content.decode()
        assert "Holding tax" in page and "Conservancy" in page and "1,500.00" in page
        response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 30 + 1  # headers, every day of November, the totals
    header = rows[0]
    assert len(header) == 4  # the day, two heads, the total
    assert rows[3][1:] == (1000, 500, 1500)  # 3 November
    assert rows[-1][1:] == (1000, 500, 1500)
    register = daily_register(date(2026, 12, 1))
    assert register.total == Decimal("-1500.00") and register.days[1].total == Decimal("-1500.00")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.django_db
def test_register_pdf_is_bilingual_with_bengali_digits(client, people, november, tmp_path):
    with at(2026, 12, 2):
        month_close(month=NOVEMBER, officer=people["officer"])
        _login(client, people["officer"])
        url = reverse("payments:revenue_month_register_pdf", kwargs={"year": 2026, "month": 11})
        response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "register.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Daily collection register — November 2026" in text
    # pdftotext splits Bengali pre-base vowels from their consonants: words without them
    assert "মাসটি বন্ধ করা" in text and "২০২৬" in text
    assert "৳১,৫০০.০০" in text and "৳1,500.00" in text
    assert "Holding tax" in text and "The month was closed on 2 December 2026" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.django_db
def test_a_register_with_many_revenue_heads_prints_them_in_several_tables(
    client, people, make_bill, tmp_path
):
    from payments.services.bills import LineSpec

    heads = ["holding_tax", "conservancy", "lighting", "licence_fee", "signboard_tax", "vat"]
    heads += ["income_tax", "surcharge", "rent", "water"]
    lines = [LineSpec(head=h, amount=Decimal(100 + i)) for i, h in enumerate(heads)]
    clerk = people["clerk"]
    with at(2026, 11, 3):
        session = counter_session_open(clerk=clerk)
        bill = make_bill(people["citizen"], lines=lines)
        counter_take_cash(session=session, bills=[bill], clerk=clerk)
    with at(2026, 12, 2):
        _login(client, people["officer"])
        url = reverse("payments:revenue_month_register_pdf", kwargs={"year": 2026, "month": 11})
        response = client.get(url)
    path = tmp_path / "register.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for label in ("Holding tax", "Income tax at source", "Water", "Surcharge"):
        assert label in text
    assert "৳1,045.00" in text  # the month's total, once, in the last table
    assert "The month is still open" in text


@pytest.mark.django_db
def test_closed_months_and_rollups_are_read_only_in_the_admin(client, make_user):
    admin_user = make_user("administrator")
    client.force_login(admin_user)
    MonthClose.objects.create(month=date(2026, 10, 1), closed=True)
    for name in ("monthclose", "collectionrollup"):
        page = client.get(f"/admin/payments/{name}/")
        assert page.status_code == 200
        assert client.get(f"/admin/payments/{name}/add/").status_code == 403
