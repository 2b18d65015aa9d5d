"""Paper receipt books of the transition year: registered and issued; receipts back-entered
pay their bills with ledger rows dated the day they were written (in the clerk's open
session); a number outside the clerk's book or used twice is refused, a late one flagged, a
day in a closed month refused; a book closes only when every leaf is accounted for; two
clerks' screens entering one leaf at once enter it once."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.utils import timezone, translation

from core.models import AuditLog
from payments import rollups
from payments.models import Allocation, Bill, MonthClose, PaperReceipt, Payment, ReceiptBook
from payments.services import PaymentError, counter_session_open
from payments.services.paper import (
    book_close,
    book_issue,
    book_register,
    paper_leaf_set_aside,
    paper_receipt_enter,
)

pytestmark = pytest.mark.django_db

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = datetime(2026, 11, 20, 11, 0, tzinfo=DHAKA)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"), time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def people(make_user):
    return {
        "citizen": make_user(name_en="Abdul Karim"),
        "officer": make_user("revenue_officer"),
        "clerk": make_user("counter_clerk", name_en="Karim Clerk"),
        "other": make_user("counter_clerk", name_en="Other Clerk"),
    }


@pytest.fixture
def book(people):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=DHAKA), tick=False):
        book = book_register(
            number="KCC-07", first_leaf=301, last_leaf=305, officer=people["officer"]
        )
        return book_issue(book=book, clerk=people["clerk"], officer=people["officer"])


def test_a_receipt_written_offline_pays_its_bills_dated_the_day_it_was_written(
    people, book, make_bill
):
    session = counter_session_open(clerk=people["clerk"])
    bills = [make_bill(people["citizen"], "1500.00"), make_bill(people["citizen"], "700.00")]
    receipt = paper_receipt_enter(
        book=book, leaf=302, written_on=date(2026, 11, 16), bills=bills, clerk=people["clerk"]
    )
    payment = receipt.payment
    assert payment.amount == Decimal("2200.00") and payment.status == "succeeded"
    assert payment.counter_session == session and payment.channel == "counter"
    assert timezone.localtime(payment.settled_at).date() == date(2026, 11, 16)
    assert set(
        Bill.objects.filter(pk__in=[b.pk for b in bills]).values_list("status", flat=True)
    ) == {"paid"}
    days = {
        timezone.localtime(a.created_at).date() for a in Allocation.objects.filter(payment=payment)
    }
    assert days == {date(2026, 11, 16)}
    assert not receipt.late and receipt.reference == "KCC-07/302"
    # The day's collection counts it on the 16th, before and after the rollups refresh.
    assert rollups.total(start=date(2026, 11, 16), end=date(2026, 11, 16)) == Decimal("2200.00")
    rollups.rollups_refresh()
    assert rollups.total(start=date(2026, 11, 16), end=date(2026, 11, 16)) == Decimal("2200.00")
    assert rollups.total(start=date(2026, 11, 20), end=date(2026, 11, 20)) == 0
    assert AuditLog.objects.filter(action="paper_receipt.entered", object_id=receipt.pk).exists()


def test_outside_the_book_twice_future_or_before_issue_is_refused_and_late_is_flagged(
    people, book, make_bill
):
    counter_session_open(clerk=people["clerk"])
    clerk = people["clerk"]

    def enter(leaf=303, written_on=date(2026, 11, 18), who=clerk):
        return paper_receipt_enter(
            book=book, leaf=leaf, written_on=written_on,
            bills=[make_bill(people["citizen"], "500.01")], clerk=who,
        )  # fmt: skip

    refusals = [
        ({"leaf": 306}, re.escape("Receipt 306 is not in book KCC-07 (301 to 305).")),
        ({"leaf": 300}, "is not in book KCC-07"),
        ({"written_on": date(2026, 11, 21)}, "day still to come"),
        ({"written_on": date(2026, 10, 31)}, "before the book was issued"),
        ({"who": people["other"]}, "not a book issued to you"),
    ]
    for overrides, message in refusals:
        with pytest.raises(PaymentError, match=message):
            enter(**overrides)
    assert not PaperReceipt.objects.exists() and not Payment.objects.exists()

    enter(leaf=303)
    with pytest.raises(PaymentError, match=r"Receipt KCC-07/303 is entered already \(Used\)"):
        enter(leaf=303)
    late = enter(leaf=304, written_on=date(2026, 11, 12))  # 8 days > 7
    assert late.late and not PaperReceipt.objects.get(leaf=303).late


def test_a_receipt_dated_into_a_closed_month_is_refused(people, make_bill):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=DHAKA), tick=False):
        book = book_register(number="KCC-08", first_leaf=1, last_leaf=2, officer=people["officer"])
        book_issue(book=book, clerk=people["clerk"], officer=people["officer"])
    MonthClose.objects.create(month=date(2026, 10, 1), closed=True)
    counter_session_open(clerk=people["clerk"])
    bill = make_bill(people["citizen"], "900.00")
    with pytest.raises(PaymentError, match="October 2026 is closed"):
        paper_receipt_enter(
            book=book, leaf=1, written_on=date(2026, 10, 30), bills=[bill], clerk=people["clerk"]
        )
    assert not PaperReceipt.objects.exists() and Bill.objects.get(pk=bill.pk).status == "open"


def test_without_an_open_session_nothing_is_entered(people, book, make_bill):
    with pytest.raises(PaymentError, match="Open your cash session first"):
        paper_receipt_enter(
            book=book, leaf=301, written_on=date(2026, 11, 18),
            bills=[make_bill(people["citizen"], "900.00")], clerk=people["clerk"],
        )  # fmt: skip
    assert not Payment.objects.exists()


def test_a_book_closes_only_when_every_leaf_is_accounted_for(people, book, make_bill):
    counter_session_open(clerk=people["clerk"])
    clerk, officer = people["clerk"], people["officer"]
    paper_receipt_enter(
        book=book, leaf=301, written_on=date(2026, 11, 18),
        bills=[make_bill(people["citizen"], "900.00")], clerk=clerk,
    )  # fmt: skip
    with pytest.raises(PaymentError, match="Say why"):
        paper_leaf_set_aside(book=book, leaf=302, use="spoiled", reason=" ", clerk=clerk)
    paper_leaf_set_aside(book=book, leaf=302, use="spoiled", reason="ink spilt", clerk=clerk)
    paper_leaf_set_aside(book=book, leaf=303, use="cancelled", reason="wrong payer", clerk=clerk)
    with pytest.raises(PaymentError, match=r"2 leaves are not accounted for \(304, 305\)"):
        book_close(book=book, officer=officer)
    for leaf in (304, 305):
        paper_leaf_set_aside(book=book, leaf=leaf, use="cancelled", reason="unused", clerk=clerk)
    with pytest.raises(PaymentError, match="Only a revenue officer"):
        book_close(book=book, officer=clerk)
    closed = book_close(book=book, officer=officer)
    assert closed.status == "closed"
    with pytest.raises(PaymentError, match="not a book issued to you"):
        paper_leaf_set_aside(book=book, leaf=305, use="spoiled", reason="x", clerk=clerk)


def test_registering_and_issuing_refuse_what_makes_no_sense(people, book):
    officer = people["officer"]
    with pytest.raises(PaymentError, match="registered already"):
        book_register(number="KCC-07", first_leaf=1, last_leaf=2, officer=officer)
    with pytest.raises(PaymentError, match="must not be below"):
        book_register(number="KCC-09", first_leaf=10, last_leaf=9, officer=officer)
    with pytest.raises(PaymentError, match="at most 1000"):
        book_register(number="KCC-09", first_leaf=1, last_leaf=1001, officer=officer)
    with pytest.raises(PaymentError, match="already issued to Karim Clerk"):
        book_issue(book=book, clerk=people["other"], officer=officer)
    fresh = book_register(number="KCC-10", first_leaf=1, last_leaf=50, officer=officer)
    with pytest.raises(PaymentError, match="issued to a counter clerk"):
        book_issue(book=fresh, clerk=people["citizen"], officer=officer)
    assert ReceiptBook.objects.get(pk=fresh.pk).status == "registered"


@pytest.mark.django_db(transaction=True)
def test_one_leaf_entered_from_two_screens_at_once_is_entered_once(people, book, make_bill):
    counter_session_open(clerk=people["clerk"])
    bills = [make_bill(people["citizen"], "900.00"), make_bill(people["citizen"], "800.00")]
    barrier = threading.Barrier(2)

    def run(i):
        try:
            translation.activate("en")
            barrier.wait()
            with time_machine.travel(TODAY, tick=False):
                paper_receipt_enter(
                    book=book, leaf=305, written_on=date(2026, 11, 19), bills=[bills[i]],
                    clerk=people["clerk"],
                )  # fmt: skip
            return "entered"
        except PaymentError as exc:
            return str(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [0, 1]))
    assert results.count("entered") == 1, results
    assert any("entered already" in r for r in results), results
    assert PaperReceipt.objects.count() == 1 and Payment.objects.count() == 1
    assert sorted(Bill.objects.values_list("status", flat=True)) == ["open", "paid"]


def test_the_pages_register_issue_enter_set_aside_and_close(client, people, make_bill):
    from django.conf import settings

    officer, clerk = people["officer"], people["clerk"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    empty = client.get("/payments/revenue/receipt-books/")
    assert "No receipt book is registered yet" in empty.text
    bad = client.post("/payments/revenue/receipt-books/",
                      {"number": "KCC-11", "first_leaf": "20", "last_leaf": "10"})  # fmt: skip
    assert bad.status_code == 400 and "must not be below" in bad.text
    client.post("/payments/revenue/receipt-books/",
                {"number": "KCC-11", "first_leaf": "১", "last_leaf": "2"})  # fmt: skip
    book = ReceiptBook.objects.get(number="KCC-11")
    assert (book.first_leaf, book.last_leaf) == (1, 2)
    client.post(f"/payments/revenue/receipt-books/{book.pk}/issue/", {"clerk": clerk.pk})
    book.refresh_from_db()
    assert book.status == "issued" and book.clerk == clerk

    client.force_login(clerk)
    counter_session_open(clerk=clerk)
    bill = make_bill(people["citizen"], "900.00")
    page = client.get("/payments/counter/paper/")
    assert "KCC-11" in page.text
    unknown = client.post("/payments/counter/paper/", {
        "entry-book": book.pk, "entry-leaf": "1", "entry-written_on": "2026-11-18",
        "entry-bills": "BNOSUCH"})  # fmt: skip
    assert unknown.status_code == 400 and "No bill has the number BNOSUCH" in unknown.text
    entered = client.post("/payments/counter/paper/", {
        "entry-book": book.pk, "entry-leaf": "১", "entry-written_on": "2026-11-20",
        "entry-bills": f" {bill.number.lower()} "})  # fmt: skip
    assert entered.status_code == 302
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    client.post("/payments/counter/paper/", {
        "aside-book": book.pk, "aside-leaf": "2", "aside-use": "spoiled",
        "aside-reason": "torn"})  # fmt: skip
    assert PaperReceipt.objects.filter(book=book).count() == 2

    client.force_login(officer)
    shown = client.get(f"/payments/revenue/receipt-books/{book.pk}/")
    assert 'id="leaf-1"' in shown.text and "torn" in shown.text
    unconfirmed = client.post(f"/payments/revenue/receipt-books/{book.pk}/close/", {})
    assert unconfirmed.status_code == 400
    client.post(f"/payments/revenue/receipt-books/{book.pk}/close/", {"confirm": "on"})
    assert ReceiptBook.objects.get(pk=book.pk).status == "closed"
