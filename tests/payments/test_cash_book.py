"""Counter cash to the bank: bank slips recorded against closed sessions of one office, the
variance flagged until explained (and stopping the month's close), the daily cash book
worked by hand, every refusal, two officers recording one session's cash at once, the pages."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.utils import translation

from core.models import AuditLog, Ward
from payments.models import BankDeposit, CounterSession, MonthClose
from payments.services import (
    PaymentError,
    counter_session_close,
    counter_session_open,
    counter_take_cash,
)
from payments.services.cashbook import cash_book, deposit_explain, deposit_record
from payments.services.closing import blockers

DHAKA = ZoneInfo("Asia/Dhaka")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(make_user):
    ward = Ward.objects.order_by("number").first()
    other = Ward.objects.order_by("number")[1]
    return {
        "citizen": make_user(),
        "officer": make_user("revenue_officer", name_en="Rina Revenue"),
        "clerk": make_user("counter_clerk", name_en="Karim Clerk", ward=ward),
        "clerk2": make_user("counter_clerk", name_en="Jamal Clerk", ward=ward),
        "far": make_user("counter_clerk", name_en="Far Clerk", ward=other),
        "ward": ward,
    }


def session_with(make_bill, citizen, clerk, amounts: list[str], when: datetime) -> CounterSession:
    with time_machine.travel(when, tick=False):
        session = counter_session_open(clerk=clerk)
        total = Decimal("0.00")
        for amount in amounts:
            counter_take_cash(session=session, bills=[make_bill(citizen, amount)], clerk=clerk)
            total += Decimal(amount)
        return counter_session_close(session=session, clerk=clerk, counted_cash=total)


def record(sessions, officer, **overrides):
    args = {
        "sessions": sessions,
        "bank": "Sonali Bank, KDA Avenue",
        "slip_number": "SB-1001",
        "deposited_on": date(2026, 11, 3),
        "amount": Decimal("2300.00"),
        "officer": officer,
    }
    args.update(overrides)
    with time_machine.travel(datetime(2026, 11, 4, 10, 0, tzinfo=DHAKA), tick=False):
        return deposit_record(**args)


@pytest.mark.django_db
def test_the_cash_book_by_hand_and_a_slip_that_matches(people, make_bill):
    p = people
    # 2 Nov: Karim takes 1,500 + 800; 3 Nov: Jamal takes 700; 3 Nov: Karim's 2,300 banked.
    a = session_with(make_bill, p["citizen"], p["clerk"], ["1500.00", "800.00"],
                     datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA))  # fmt: skip
    session_with(make_bill, p["citizen"], p["clerk2"], ["700.00"],
                 datetime(2026, 11, 3, 16, 0, tzinfo=DHAKA))  # fmt: skip
    session_with(make_bill, p["citizen"], p["far"], ["999.00"],
                 datetime(2026, 11, 3, 16, 0, tzinfo=DHAKA))  # another office  # fmt: skip
    deposit = record([a], p["officer"])
    assert deposit.expected == Decimal("2300.00") and deposit.variance == 0
    assert not deposit.flagged and deposit.ward == p["ward"]
    a.refresh_from_db()
    assert a.deposit == deposit

    days = cash_book(p["ward"].pk, date(2026, 11, 1), date(2026, 11, 4))
    rows = [(d.day.day, d.opening, d.taken, d.deposited, d.closing) for d in days]
    assert rows == [
        (1, 0, 0, 0, 0),
        (2, 0, Decimal("2300.00"), 0, Decimal("2300.00")),
        (3, Decimal("2300.00"), Decimal("700.00"), Decimal("2300.00"), Decimal("700.00")),
        (4, Decimal("700.00"), 0, 0, Decimal("700.00")),
    ]
    # A later month starts with what is still in hand.
    (december,) = cash_book(p["ward"].pk, date(2026, 12, 1), date(2026, 12, 1))
    assert december.opening == Decimal("700.00")
    assert cash_book(None, date(2026, 11, 3), date(2026, 11, 3))[0].taken == 0  # head office
    assert AuditLog.objects.filter(action="cash.deposited", object_id=deposit.pk).exists()


@pytest.mark.django_db
def test_a_variance_is_flagged_stops_the_month_and_is_explained_once(people, make_bill):
    p = people
    a = session_with(make_bill, p["citizen"], p["clerk"], ["1500.00", "800.00"],
                     datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA))  # fmt: skip
    deposit = record([a], p["officer"], amount=Decimal("2250.00"))
    assert deposit.variance == Decimal("-50.00") and deposit.flagged
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=DHAKA), tick=False):
        texts = [b.text for b in blockers(date(2026, 11, 1))]
        assert any("SB-1001" in t and "explain" in t for t in texts), texts
        with pytest.raises(PaymentError, match="Write why"):
            deposit_explain(deposit=deposit, officer=p["officer"], explanation=" ")
        deposit_explain(
            deposit=deposit,
            officer=p["officer"],
            explanation="Tk 50 short: torn note.",
        )
        assert not any("SB-1001" in b.text for b in blockers(date(2026, 11, 1)))
        with pytest.raises(PaymentError, match="explained already"):
            deposit_explain(deposit=deposit, officer=p["officer"], explanation="again")
    deposit.refresh_from_db()
    assert not deposit.flagged and deposit.explained_by == p["officer"]


@pytest.mark.django_db
def test_every_refusal_changes_nothing(people, make_bill):
    p = people
    when = datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA)
    a = session_with(make_bill, p["citizen"], p["clerk"], ["1500.00", "800.00"], when)
    far = session_with(make_bill, p["citizen"], p["far"], ["999.00"], when)
    with time_machine.travel(when, tick=False):
        still_open = counter_session_open(clerk=p["clerk2"])
    officer = p["officer"]
    refusals = [
        ({"sessions": []}, "Choose the counter sessions"),
        ({"sessions": [still_open]}, "is still open"),
        ({"sessions": [a, far]}, "one office"),
        ({"slip_number": "  "}, "slip number"),
        ({"amount": Decimal("0")}, "more than zero"),
        ({"deposited_on": date(2026, 11, 5)}, "in the future"),
        ({"deposited_on": date(2026, 11, 1)}, "closed after the deposit date"),
        ({"officer": p["clerk"]}, "Only a revenue officer"),
    ]
    for overrides, message in refusals:
        args = dict(overrides)
        sessions, who = args.pop("sessions", [a]), args.pop("officer", officer)
        with pytest.raises(PaymentError, match=message):
            record(sessions, who, **args)
    assert not BankDeposit.objects.exists()
    MonthClose.objects.create(month=date(2026, 10, 1), closed=True)
    with pytest.raises(PaymentError, match="closed"):
        record([a], officer, deposited_on=date(2026, 10, 31))

    record([a], officer)
    with pytest.raises(PaymentError, match="already on another slip"):
        record([a], officer, slip_number="SB-1002")
    with pytest.raises(PaymentError, match="recorded already"):
        record([far], officer, slip_number="SB-1001", amount=Decimal("999.00"))
    assert BankDeposit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_recording_one_sessions_cash_at_once_record_it_once(people, make_bill):
    p = people
    a = session_with(make_bill, p["citizen"], p["clerk"], ["1500.00", "800.00"],
                     datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA))  # fmt: skip
    officers = [p["officer"], p["officer"]]
    barrier = threading.Barrier(2)

    def run(i):
        try:
            translation.activate("en")
            barrier.wait()
            record([a], officers[i], slip_number=f"SB-{i}")
            return "recorded"
        except PaymentError as exc:
            return str(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [0, 1]))
    assert results.count("recorded") == 1, results
    assert any("already on another slip" in r for r in results), results
    assert BankDeposit.objects.count() == 1
    assert CounterSession.objects.get(pk=a.pk).deposit == BankDeposit.objects.get()


@pytest.mark.django_db
def test_the_pages_record_a_deposit_and_explain_its_variance(client, people, make_bill):
    p = people
    a = session_with(make_bill, p["citizen"], p["clerk"], ["1500.00", "800.00"],
                     datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA))  # fmt: skip
    client.force_login(p["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/payments/revenue/cash-book/?office={p['ward'].pk}&month=2026-11"
    with time_machine.travel(datetime(2026, 11, 4, 10, 0, tzinfo=DHAKA), tick=True):
        page = client.get(url)
        assert page.status_code == 200
        assert 'id="day-2026-11-02"' in page.text and "Karim Clerk" in page.text
        post = f"/payments/revenue/cash-book/deposit/?office={p['ward'].pk}&month=2026-11"
        bad = client.post(post, {"sessions": [a.pk], "bank": "Sonali", "slip_number": "9",
                                 "deposited_on": "2026-11-03", "amount": "abc"})  # fmt: skip
        assert bad.status_code == 400 and not BankDeposit.objects.exists()
        done = client.post(post, {"sessions": [a.pk], "bank": "Sonali", "slip_number": "9",
                                  "deposited_on": "2026-11-03", "amount": "২২৫০"})  # fmt: skip
        deposit = BankDeposit.objects.get()
        assert done.status_code == 302 and done["Location"].endswith(f"/deposits/{deposit.pk}/")
        assert deposit.amount == Decimal("2250.00") and deposit.flagged
        shown = client.get(f"/payments/revenue/deposits/{deposit.pk}/")
        assert "to explain" in shown.text and "Karim Clerk" in shown.text
        client.post(
            f"/payments/revenue/deposits/{deposit.pk}/explain/",
            {"explanation": "Short by 50: counterfeit note seized."},
        )
        deposit.refresh_from_db()
        assert not deposit.flagged
        export = client.get(url + "&format=csv")
        lines = export.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Day,In hand at the start")
        assert any(line.startswith("2026-11-03,2300.00,0.00,2250.00,50.00") for line in lines)


@pytest.mark.django_db
def test_a_clerk_or_citizen_cannot_open_the_cash_book(client, people):
    for user in (people["clerk"], people["citizen"]):
        client.force_login(user)
        assert client.get("/payments/revenue/cash-book/").status_code in (302, 403)


@pytest.mark.django_db
def test_the_cash_book_opens_on_the_office_whose_cash_has_waited_longest(client, people, make_bill):
    p = people
    client.force_login(p["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Cash book: Head office" in client.get("/payments/revenue/cash-book/").text
    session_with(make_bill, p["citizen"], p["clerk"], ["1500.00"],
                 datetime(2026, 11, 2, 16, 0, tzinfo=DHAKA))  # fmt: skip
    page = client.get("/payments/revenue/cash-book/")
    assert f"Cash book: {p['ward'].label}" in page.text and "Karim Clerk" in page.text
