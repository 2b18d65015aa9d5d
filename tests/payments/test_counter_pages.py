"""Staff payment pages: the counter clerk's cash session, bill search, cash taking, receipt
and closing; the revenue officer's session verification, voids, holds and credits; and who
may open which page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import translation

from core.digits import to_bengali_digits
from core.roles import Role
from payments.gateways.sslcommerz import GatewayUnavailable
from payments.models import (
    Allocation,
    Bill,
    CounterSession,
    Credit,
    Payment,
    Receipt,
)
from payments.services import LineSpec, bill_issue, payment_settle, payment_transition
from payments.services.online import create_payment

from .conftest import next_due

COUNTER = "/payments/counter/"
OPEN = "/payments/counter/open/"
TAKE = "/payments/counter/take/"
CLOSE = "/payments/counter/close/"
SESSIONS = "/payments/revenue/sessions/"
PAYMENTS = "/payments/revenue/payments/"
CREDITS = "/payments/revenue/credits/"


# A service with no hooks; the bills carry holding-style subject ids ("H-12") to be
# searched for.
SERVICE = "counter_test"


def make_bill(payer, subject_id: str = "H-12", amount: str = "1500.00") -> Bill:
    return bill_issue(
        dues=[next_due()],
        service=SERVICE,
        subject_type="demo",
        subject_id=subject_id,
        lines=[
            LineSpec(
                head="holding_tax",
                amount=Decimal(amount),
                description_en="Holding tax",
                description_bn="হোল্ডিং ট্যাক্স",
            )
        ],
        fiscal_year_label="2025-26",
        due_date=date(2026, 6, 30),
        payer=payer,
    )


def as_user(client, user, lang: str = "en"):
    client.force_login(user)
    client.cookies["kcc_language"] = lang
    return client


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def bill(citizen):
    return make_bill(citizen)


@pytest.fixture
def clerk(make_user):
    return make_user(Role.COUNTER_CLERK, name_en="Rahim Clerk")


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVENUE_OFFICER, name_en="Salma Officer")


@pytest.fixture
def clerk_client(client, clerk):
    return as_user(client, clerk)


def open_session(client, amount: str = "500") -> CounterSession:
    response = client.post(OPEN, {"opening_cash": amount})
    assert response.status_code == 302, body(response)
    return CounterSession.objects.get(
        status=CounterSession.Status.OPEN, clerk_id=client.session["_auth_user_id"]
    )


def take_cash(client, *bills: Bill, tendered: str = "") -> object:
    data = {"bills": [b.number for b in bills]}
    if tendered:
        data["tendered"] = tendered
    return client.post(TAKE, data)


# --- the counter ------------------------------------------------------------------------


def test_clerk_opens_a_session_with_bengali_digits(clerk_client):
    page = body(clerk_client.get(COUNTER))
    assert "Open a cash session" in page and "<h1>Counter</h1>" in page
    session = open_session(clerk_client, "৫০০")
    assert session.opening_float == Decimal("500.00")
    page = body(clerk_client.get(COUNTER))
    assert "My cash session" in page and "৳500.00" in page
    assert "Open a cash session" not in page


def test_opening_cash_must_be_a_number(clerk_client):
    response = clerk_client.post(OPEN, {"opening_cash": "five hundred"})
    assert response.status_code == 200
    assert "Enter a number." in body(response)
    assert not CounterSession.objects.exists()


def test_a_second_open_session_is_refused(clerk_client):
    open_session(clerk_client)
    response = clerk_client.post(OPEN, {"opening_cash": "100"}, follow=True)
    assert "Could not open the cash session: You already have an open cash session." in body(
        response
    )
    assert CounterSession.objects.count() == 1


def test_find_bill_by_mobile_in_bengali_digits_by_number_and_by_holding(
    clerk_client, citizen, bill
):
    other = make_bill(None, subject_id="H-99")
    by_mobile = body(clerk_client.get(COUNTER, {"q": to_bengali_digits(citizen.mobile)}))
    assert bill.number in by_mobile and other.number not in by_mobile
    assert "৳1,500.00" in by_mobile and "2025-26" in by_mobile
    by_number = body(clerk_client.get(COUNTER, {"q": bill.number.lower()}))
    assert bill.number in by_number and other.number not in by_number
    by_holding = body(clerk_client.get(COUNTER, {"q": "H-99"}))
    assert other.number in by_holding and bill.number not in by_holding
    nothing = body(clerk_client.get(COUNTER, {"q": "no-such-bill"}))
    assert "No open bill matches" in nothing


def test_take_cash_with_confirmation_issues_a_receipt(clerk_client, bill):
    open_session(clerk_client, "৫০০")
    # The search results lead to the confirmation page; nothing is written yet.
    confirm = clerk_client.get(TAKE, {"bills": [bill.number], "tendered": "২,০০০", "q": "H-12"})
    page = body(confirm)
    assert confirm.status_code == 200
    assert "Confirm: cash received" in page and bill.number in page
    assert "৳1,500.00" in page and "৳500.00" in page  # total and change
    assert Payment.objects.count() == 0

    response = take_cash(clerk_client, bill, tendered="2000")
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/payments/counter/payments/{payment.tran_id}/"
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    receipt = Receipt.objects.get(payment=payment)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.channel == Payment.Channel.COUNTER

    page = body(clerk_client.get(response["Location"]))
    assert receipt.number in page
    assert "Change to return" in page and "৳500.00" in page
    assert f'href="/payments/receipts/{receipt.number}/pdf/"' in page
    assert "data-print" in page and "/static/js/portal.js" in page  # the print button
    # Printed from the browser, it carries what the PDF carries: the QR code to the public
    # check and the verification code to type.
    assert f"/verify/{receipt.verify_code}/" in page
    assert f'<strong class="code">{receipt.verify_code}</strong>' in page
    assert 'src="data:image/svg+xml;base64,' in page
    # The session counts the payment.
    home = body(clerk_client.get(COUNTER))
    assert "৳1,500.00" in home and "৳2,000.00" in home


def test_receipt_page_in_bengali_uses_bengali_digits(client, clerk, bill):
    as_user(client, clerk, lang="bn")
    open_session(client)
    take_cash(client, bill)
    payment = Payment.objects.get()
    page = body(client.get(f"/payments/counter/payments/{payment.tran_id}/"))
    assert '<html lang="bn">' in page
    assert "৳১,৫০০.০০" in page


def test_search_results_are_ticked_with_their_total(clerk_client, citizen, bill):
    open_session(clerk_client)
    second = make_bill(citizen, subject_id="H-13", amount="250.50")
    page = body(clerk_client.get(COUNTER, {"q": citizen.mobile}))
    for b in (bill, second):
        assert f'id="bill-{b.pk}" data-amount="{b.total}" checked' in page
    # The running total starts at the sum of every ticked bill (the page's script keeps it).
    assert "Total of the ticked bills" in page and "<strong data-total>৳1,750.50</strong>" in page
    assert 'class="stack"' in page


def test_search_by_mobile_finds_bills_issued_with_another_number(clerk_client, citizen):
    """A bill whose number on file differs (e.g. a licence's business mobile) is still the
    citizen's: the one search by the citizen's mobile finds it."""
    other = make_bill(citizen, subject_id="TL-9")
    Bill.objects.filter(pk=other.pk).update(payer_mobile="01999000111")
    page = body(clerk_client.get(COUNTER, {"q": citizen.mobile}))
    assert f'value="{other.number}"' in page


def test_tendered_less_than_total_is_refused(clerk_client, bill):
    open_session(clerk_client)
    response = take_cash(clerk_client, bill, tendered="1000")
    assert response.status_code == 200
    assert "is less than the total" in body(response)
    assert Payment.objects.count() == 0


def test_taking_cash_without_a_session_is_refused(clerk_client, bill):
    response = take_cash(clerk_client, bill)
    assert response.status_code == 302
    page = body(clerk_client.get(response["Location"]))
    assert "Open your cash session before taking cash." in page
    assert Payment.objects.count() == 0


def test_taking_cash_for_an_already_paid_bill_changes_nothing(clerk_client, bill):
    open_session(clerk_client)
    take_cash(clerk_client, bill)
    before = Payment.objects.count()
    response = take_cash(clerk_client, bill)
    assert response.status_code == 302
    page = body(clerk_client.get(response["Location"]))
    assert "Could not take the payment:" in page
    assert bill.number in page and "cannot be paid now" in page
    assert Payment.objects.count() == before
    assert Receipt.objects.count() == before
    # The confirmation page warns before anything is tried.
    confirm = body(clerk_client.get(TAKE, {"bills": [bill.number]}))
    assert "cannot be paid now" in confirm and "Confirm: cash received" not in confirm


def test_second_clerk_has_a_separate_session(client, make_user, clerk, bill):
    as_user(client, clerk)
    first = open_session(client)
    take_cash(client, bill)
    payment = Payment.objects.get()

    second_clerk = make_user(Role.COUNTER_CLERK)
    as_user(client, second_clerk)
    assert "Open a cash session" in body(client.get(COUNTER))
    second = open_session(client, "200")
    assert second.pk != first.pk
    home = body(client.get(COUNTER))
    assert "৳200.00" in home and "৳0.00" in home  # opening cash, nothing taken yet
    assert payment.tran_id not in home
    # Another clerk's receipt is not theirs to reprint; their close sees only their cash.
    assert client.get(f"/payments/counter/payments/{payment.tran_id}/").status_code == 404
    assert "৳200.00" in body(client.get(CLOSE))
    assert client.get(f"/payments/counter/sessions/{first.pk}/").status_code == 404


def test_close_with_exact_cash_is_balanced(clerk_client, bill):
    session = open_session(clerk_client, "500")
    take_cash(clerk_client, bill)
    page = body(clerk_client.get(CLOSE))
    assert "Expected cash" in page and "৳2,000.00" in page

    unconfirmed = clerk_client.post(CLOSE, {"counted_cash": "2000"})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm closing the session." in body(unconfirmed)
    session.refresh_from_db()
    assert session.status == CounterSession.Status.OPEN

    response = clerk_client.post(CLOSE, {"counted_cash": "২,০০০", "confirm": "on"}, follow=True)
    assert "Balanced" in body(response)
    session.refresh_from_db()
    assert session.status == CounterSession.Status.CLOSED
    assert session.difference == Decimal("0.00")


def test_close_with_less_cash_shows_short(clerk_client, bill):
    open_session(clerk_client, "500")
    take_cash(clerk_client, bill)
    response = clerk_client.post(
        CLOSE,
        {"counted_cash": "1900", "note": "A torn ৳100 note was refused", "confirm": "on"},
        follow=True,
    )
    assert "Short by ৳100.00" in body(response)
    session = CounterSession.objects.get()
    assert session.difference == Decimal("-100.00")
    assert session.note == "A torn ৳100 note was refused"
    # Nothing left to close; the last result is one click away.
    again = clerk_client.get(CLOSE)
    assert again.status_code == 200
    assert "You have no open cash session to close." in body(again)
    assert f"/payments/counter/sessions/{session.pk}/" in body(again)


def test_close_with_more_cash_shows_over(clerk_client):
    open_session(clerk_client, "500")
    response = clerk_client.post(
        CLOSE, {"counted_cash": "550", "note": "Change not taken", "confirm": "on"}, follow=True
    )
    assert "Over by ৳50.00" in body(response)


@pytest.mark.parametrize(
    ("counted", "message"),
    [
        ("1900", "The drawer is short by ৳100.00. Write a note saying why before closing."),
        ("2050", "The drawer is over by ৳50.00. Write a note saying why before closing."),
    ],
)
def test_a_shortage_or_excess_needs_a_note(clerk_client, bill, counted, message):
    session = open_session(clerk_client, "500")
    take_cash(clerk_client, bill)
    for note in ("", "   "):
        response = clerk_client.post(
            CLOSE, {"counted_cash": counted, "note": note, "confirm": "on"}
        )
        assert response.status_code == 200
        assert message in body(response)
        session.refresh_from_db()
        assert session.status == CounterSession.Status.OPEN and session.counted_cash is None


def test_the_service_refuses_an_unbalanced_close_without_a_note(clerk, bill):
    from payments.services import PaymentError, counter_session_close, counter_session_open

    session = counter_session_open(clerk=clerk, opening_float=Decimal("100"))
    with translation.override("en"), pytest.raises(PaymentError, match="short by ৳10.00"):
        counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("90"))
    session.refresh_from_db()
    assert session.status == CounterSession.Status.OPEN
    closed = counter_session_close(
        session=session, clerk=clerk, counted_cash=Decimal("90"), note=" a coin rolled away "
    )
    assert closed.difference == Decimal("-10.00") and closed.note == "a coin rolled away"


def test_a_payment_taken_while_closing_makes_the_close_ask_again(clerk_client, clerk, bill):
    """The page showed a balanced drawer; the close counts the cash taken since."""
    from payments.services import counter_take_cash

    session = open_session(clerk_client, "500")
    form_page = clerk_client.get(CLOSE)
    assert "৳500.00" in body(form_page)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)
    # Counted 500 (what the page said) — but the drawer should now hold 2,000.
    response = clerk_client.post(CLOSE, {"counted_cash": "500", "confirm": "on"})
    assert response.status_code == 200
    assert "short by ৳1,500.00" in body(response)
    session.refresh_from_db()
    assert session.status == CounterSession.Status.OPEN


# --- the revenue officer ----------------------------------------------------------------


def test_revenue_officer_verifies_a_closed_session(client, clerk, officer, bill):
    as_user(client, clerk)
    open_session(client, "500")
    take_cash(client, bill)
    client.post(CLOSE, {"counted_cash": "1990", "note": "৳10 short", "confirm": "on"})
    session = CounterSession.objects.get()

    as_user(client, officer)
    page = body(client.get(SESSIONS))
    assert "Rahim Clerk" in page and "Short by ৳10.00" in page

    refused = client.post(
        f"/payments/revenue/sessions/{session.pk}/verify/", {f"s{session.pk}-note": "checked"}
    )
    assert refused.status_code == 200
    assert "Tick the box to confirm the verification." in body(refused)
    session.refresh_from_db()
    assert session.status == CounterSession.Status.CLOSED

    response = client.post(
        f"/payments/revenue/sessions/{session.pk}/verify/",
        {f"s{session.pk}-confirm": "on", f"s{session.pk}-note": "ok"},
        follow=True,
    )
    page = body(response)
    assert "is verified" in page
    assert "No session is waiting for verification." in page
    assert "Salma Officer" in page  # in the recently verified list
    session.refresh_from_db()
    assert session.status == CounterSession.Status.VERIFIED
    assert session.verified_by == officer


def test_revenue_officer_voids_a_cash_payment(client, clerk, officer, bill):
    as_user(client, clerk)
    open_session(client)
    take_cash(client, bill)
    payment = Payment.objects.get()

    as_user(client, officer)
    url = f"/payments/revenue/payments/{payment.tran_id}/"
    page = body(client.get(url))
    assert "Void this payment" in page and "Release and settle" not in page

    no_reason = client.post(url + "void/", {"void-reason": "  ", "void-confirm": "on"})
    assert no_reason.status_code == 200
    assert "Give a reason" in body(no_reason)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED

    response = client.post(
        url + "void/", {"void-reason": "Wrong holding paid", "void-confirm": "on"}, follow=True
    )
    assert "The payment is void" in body(response)
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED
    assert bill.status == Bill.Status.OPEN
    allocations = Allocation.objects.filter(payment=payment)
    reversals = allocations.filter(kind=Allocation.Kind.REVERSAL)
    assert reversals.aggregate(s=Sum("amount"))["s"] == Decimal("-1500.00")
    assert allocations.aggregate(s=Sum("amount"))["s"] == Decimal("0.00")
    page = body(response)
    assert "Wrong holding paid" in page and "Reversal" in page
    # A voided payment offers no more actions; a second void is refused.
    again = client.post(url + "void/", {"void-reason": "again", "void-confirm": "on"}, follow=True)
    assert "Could not void the payment" in body(again)


def test_payments_list_filters_by_status_and_search(client, clerk, officer, bill):
    as_user(client, clerk)
    open_session(client)
    take_cash(client, bill)
    payment = Payment.objects.get()
    as_user(client, officer)
    assert "No payment is on hold or flagged." in body(client.get(PAYMENTS))
    found = body(client.get(PAYMENTS, {"status": "all", "q": payment.tran_id.lower()}))
    assert payment.tran_id in found
    by_mobile = body(
        client.get(PAYMENTS, {"status": "succeeded", "q": to_bengali_digits(payment.payer_mobile)})
    )
    assert payment.tran_id in by_mobile
    nothing = body(client.get(PAYMENTS, {"status": "voided"}))
    assert "No payment matches this search." in nothing


def _held_online_payment(bill: Bill) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=bill.payer)
        payment_transition(
            payment=payment,
            to=Payment.Status.ON_HOLD,
            reason="IPN: the gateway flagged this payment as risky",
        )
    return payment


def test_revenue_officer_releases_a_held_payment(client, officer, bill):
    payment = _held_online_payment(bill)
    as_user(client, officer)
    listing = body(client.get(PAYMENTS))
    assert payment.tran_id in listing and "On hold" in listing
    url = f"/payments/revenue/payments/{payment.tran_id}/"
    page = body(client.get(url))
    assert "Release and settle" in page and "Refund in full" in page
    assert "Void this payment" not in page

    unconfirmed = client.post(url + "release/", {"release-reason": "Payer confirmed by phone"})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm." in body(unconfirmed)

    response = client.post(
        url + "release/",
        {"release-reason": "Payer confirmed by phone", "release-confirm": "on"},
        follow=True,
    )
    assert "The payment is settled" in body(response)
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert bill.status == Bill.Status.PAID


def _credit(clerk_client, bill: Bill) -> Credit:
    """An online payment that lands after the bill was paid at the counter: a credit."""
    with transaction.atomic():
        online = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=bill.payer)
    open_session(clerk_client)
    take_cash(clerk_client, bill)
    payment_settle(payment_id=online.pk, facts={"bank_tran_id": "BANK1"}, reason="test")
    return Credit.objects.get()


class _FailingClient:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def initiate_refund(self, **kwargs):
        raise GatewayUnavailable("simulated outage")


def test_credits_page_and_a_refused_refund(client, clerk, officer, bill, monkeypatch):
    as_user(client, clerk)
    credit = _credit(client, bill)
    as_user(client, officer)
    page = body(client.get(CREDITS))
    assert credit.payment.tran_id in page and "৳1,500.00" in page
    assert "Refund through the gateway" in page

    url = f"/payments/revenue/credits/{credit.pk}/refund/"
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm the refund." in body(unconfirmed)

    monkeypatch.setattr("payments.services.online.get_client", lambda: _FailingClient())
    response = client.post(url, {f"c{credit.pk}-confirm": "on"}, follow=True)
    assert "Could not refund the credit:" in body(response)
    credit.refresh_from_db()
    assert credit.status == Credit.Status.OPEN


def test_empty_revenue_pages_are_helpful(client, officer):
    as_user(client, officer)
    assert "No session is waiting for verification." in body(client.get(SESSIONS))
    assert "No credit is waiting to be refunded." in body(client.get(CREDITS))


# --- who may open what --------------------------------------------------------------------

COUNTER_PAGES = [COUNTER, CLOSE]
REVENUE_PAGES = [SESSIONS, PAYMENTS, CREDITS]


@pytest.mark.parametrize("url", REVENUE_PAGES)
def test_clerk_cannot_open_revenue_pages(clerk_client, url):
    assert clerk_client.get(url).status_code == 403


@pytest.mark.parametrize("url", COUNTER_PAGES)
def test_citizen_and_officer_cannot_open_counter_pages(client, citizen, officer, url):
    as_user(client, citizen)
    assert client.get(url).status_code == 403
    as_user(client, officer)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        *COUNTER_PAGES,
        *REVENUE_PAGES,
        "/payments/counter/payments/C1/",
        "/payments/revenue/payments/P1/",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_officer_and_administrator_open_revenue_pages(client, officer, make_user):
    for user in (officer, make_user(Role.ADMINISTRATOR)):
        as_user(client, user)
        for url in REVENUE_PAGES:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "<h1>" in body(response) and "<title>" in body(response)


def test_actions_are_post_only(client, officer, bill):
    payment = _held_online_payment(bill)
    as_user(client, officer)
    assert client.get(f"/payments/revenue/payments/{payment.tran_id}/release/").status_code == 405
    payment.refresh_from_db()
    assert payment.status == Payment.Status.ON_HOLD


# --- lists stay at a fixed number of queries ------------------------------------------------


def _closed_sessions(make_user, n: int) -> None:
    from payments.services import counter_session_close, counter_session_open

    for _ in range(n):
        clerk = make_user(Role.COUNTER_CLERK)
        session = counter_session_open(clerk=clerk, opening_float=Decimal("100"))
        counter_session_close(
            session=session, clerk=clerk, counted_cash=Decimal("90"), note="short"
        )


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_session_and_payment_lists_do_not_grow_queries_per_row(client, make_user, officer, citizen):
    as_user(client, officer)
    _closed_sessions(make_user, 1)
    _held_online_payment(make_bill(citizen, subject_id="H-1"))
    one = (_queries(client, SESSIONS), _queries(client, PAYMENTS))
    _closed_sessions(make_user, 4)
    for i in range(4):
        _held_online_payment(make_bill(citizen, subject_id=f"H-{i + 2}"))
    many = (_queries(client, SESSIONS), _queries(client, PAYMENTS))
    assert many == one


# The pairs to add to tests/core/test_pages_and_permissions.py once the URLs are included.
MATRIX = {
    COUNTER: [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    CLOSE: [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    SESSIONS: [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    PAYMENTS: [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    CREDITS: [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_permission_pairs(client, make_user, role):
    client.force_login(make_user(role))
    got = {url: client.get(url).status_code for url in MATRIX}
    want = {url: 200 if role in allowed else 403 for url, allowed in MATRIX.items()}
    assert got == want


class _RefundingClient(_FailingClient):
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


def test_failed_held_refund_is_undone_and_can_be_retried(officer, bill, monkeypatch):
    from payments.models import Refund
    from payments.services import PaymentError, payment_refund_held

    payment = _held_online_payment(bill)
    Payment.objects.filter(pk=payment.pk).update(bank_tran_id="BANK1")
    monkeypatch.setattr("payments.services.online.get_client", lambda: _FailingClient())
    with pytest.raises(PaymentError):
        payment_refund_held(payment=payment, officer=officer, reason="dispute")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.ON_HOLD
    assert list(Refund.objects.values_list("status", flat=True)) == ["failed"]

    monkeypatch.setattr("payments.services.online.get_client", lambda: _RefundingClient())
    refund = payment_refund_held(payment=payment, officer=officer, reason="dispute")
    payment.refresh_from_db()
    assert refund.status == "succeeded" and payment.status == Payment.Status.REFUNDED
    assert sorted(Refund.objects.values_list("status", flat=True)) == ["failed", "succeeded"]


def test_refund_claimed_but_not_answered_blocks_a_second_refund_and_release(
    officer, bill, monkeypatch
):
    from django.db import IntegrityError

    from payments.models import Refund
    from payments.services import PaymentError, payment_refund_held, payment_release_hold

    payment = _held_online_payment(bill)
    Payment.objects.filter(pk=payment.pk).update(bank_tran_id="BANK1")
    Refund.objects.create(
        payment=payment,
        amount=payment.amount,
        remarks="in flight",
        refund_trans_id="R-INFLIGHT",
        requested_by=officer,
    )
    monkeypatch.setattr("payments.services.online.get_client", lambda: _RefundingClient())
    with pytest.raises(PaymentError):
        payment_refund_held(payment=payment, officer=officer, reason="again")
    with pytest.raises(PaymentError):
        payment_release_hold(payment=payment, officer=officer, reason="settle")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.ON_HOLD
    assert Refund.objects.count() == 1
    # The database refuses a second live full refund of the same payment, too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(
            payment=payment,
            amount=payment.amount,
            remarks="twice",
            refund_trans_id="R-TWICE",
            requested_by=officer,
        )


def test_credit_refund_can_be_retried_after_a_gateway_failure(
    client, clerk, officer, bill, monkeypatch
):
    from payments.services import PaymentError, payment_refund_credit

    as_user(client, clerk)
    credit = _credit(client, bill)
    monkeypatch.setattr("payments.services.online.get_client", lambda: _FailingClient())
    with pytest.raises(PaymentError):
        payment_refund_credit(credit=credit, officer=officer)
    credit.refresh_from_db()
    assert credit.status == Credit.Status.OPEN
    monkeypatch.setattr("payments.services.online.get_client", lambda: _RefundingClient())
    refund = payment_refund_credit(credit=credit, officer=officer)
    credit.refresh_from_db()
    assert refund.status == "succeeded" and credit.status == Credit.Status.REFUNDED
    assert credit.refunds.count() == 2


def test_credit_reason_is_a_translated_sentence_with_the_stored_note_as_title(
    client, clerk, officer, bill
):
    as_user(client, clerk)
    credit = _credit(client, bill)
    as_user(client, officer)
    page = body(client.get(CREDITS))
    assert f"Bill {bill.number} was “Paid” when the money arrived." in page
    assert f'title="{credit.reason}"' in page
    bengali = body(as_user(client, officer, lang="bn").get(CREDITS))
    assert f'title="{credit.reason}"' in bengali
    assert f">{credit.reason}<" not in bengali  # the English note is never the visible text
    detail = body(client.get(f"{PAYMENTS}{credit.payment.tran_id}/"))
    assert f'title="{credit.reason}"' in detail


def test_a_payments_status_reason_is_labelled_as_the_gateway_note(client, officer, bill):
    payment = _held_online_payment(bill)
    as_user(client, officer)
    assert "Gateway note: IPN: the gateway flagged" in body(client.get(PAYMENTS))
    page = body(client.get(f"{PAYMENTS}{payment.tran_id}/"))
    assert "<dt>Gateway note</dt><dd>IPN: the gateway flagged" in page
