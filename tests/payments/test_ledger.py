"""The ledger: receipts numbered without gaps under concurrency, voids reverse, the
check_ledger command names every discrepancy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Payment, PaymentTransition, Receipt
from payments.services import (
    PaymentError,
    bill_supersede,
    counter_session_close,
    counter_session_open,
    counter_take_cash,
    payment_transition,
    payment_void,
)
from payments.services.bills import LineSpec


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_counter_payments_get_consecutive_receipts(make_user, make_bill):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    citizen = make_user("citizen")
    clerks = [make_user("counter_clerk") for _ in range(20)]
    sessions = [counter_session_open(clerk=c) for c in clerks]
    bills = [make_bill(citizen, "1000.00", subject_id=f"H-{i}") for i in range(20)]
    barrier = threading.Barrier(20)

    def pay(i):
        try:
            barrier.wait()
            return counter_take_cash(session=sessions[i], bills=[bills[i]], clerk=clerks[i]).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        payment_ids = list(pool.map(pay, range(20)))
    receipts = Receipt.objects.filter(payment_id__in=payment_ids)
    sequences = sorted(receipts.values_list("sequence", flat=True))
    assert sequences == list(range(1, 21))
    assert len(set(receipts.values_list("number", flat=True))) == 20
    assert find_discrepancies() == []


@pytest.mark.django_db
def test_counter_payment_void_and_session_balance(make_user, make_bill):
    citizen = make_user("citizen")
    clerk = make_user("counter_clerk")
    officer = make_user("revenue_officer")
    bill = make_bill(citizen, "1500.00")
    session = counter_session_open(clerk=clerk, opening_float=Decimal("200.00"))
    payment = counter_take_cash(
        session=session, bills=[bill], clerk=clerk, tendered=Decimal("2000")
    )
    bill.refresh_from_db()
    assert bill.status == "paid" and payment.status == "succeeded"
    with pytest.raises(PaymentError):
        payment_void(payment=payment, reason="typo", officer=clerk)  # clerks cannot void
    with pytest.raises(PaymentError):
        payment_void(payment=payment, reason="  ", officer=officer)  # reason required
    payment_void(payment=payment, reason="wrong holding", officer=officer)
    bill.refresh_from_db()
    assert bill.status == "open"
    reversals = Allocation.objects.filter(payment=payment, kind="reversal")
    assert reversals.count() == 2
    assert sum(a.amount for a in Allocation.objects.filter(payment=payment)) == 0
    closed = counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("200.00"))
    assert closed.expected_cash == Decimal("200.00") and closed.difference == 0
    assert find_discrepancies() == []


@pytest.mark.django_db
def test_cash_for_a_bill_not_open_is_refused(make_user, make_bill):
    citizen, clerk = make_user("citizen"), make_user("counter_clerk")
    bill = make_bill(citizen, "1500.00")
    new = bill_supersede(bill=bill, lines=[LineSpec(head="holding_tax", amount=Decimal("1725"))])
    session = counter_session_open(clerk=clerk)
    before = Payment.objects.count()
    with pytest.raises(PaymentError):
        counter_take_cash(session=session, bills=[bill], clerk=clerk)
    assert Payment.objects.count() == before
    payment = counter_take_cash(session=session, bills=[new], clerk=clerk)
    assert payment.amount == Decimal("1725.00")
    with pytest.raises(PaymentError):
        counter_take_cash(session=session, bills=[new], clerk=clerk, tendered=Decimal("10"))


@pytest.mark.django_db
def test_illegal_transition_is_refused_and_not_recorded(make_user, make_bill):
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    payment = counter_take_cash(session=session, bills=[make_bill(make_user())], clerk=clerk)
    count = PaymentTransition.objects.count()
    with pytest.raises(PaymentError):
        payment_transition(payment=payment, to="pending")
    assert PaymentTransition.objects.count() == count
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


@pytest.mark.django_db
def test_one_open_session_per_clerk(make_user):
    clerk = make_user("counter_clerk")
    counter_session_open(clerk=clerk)
    with pytest.raises(PaymentError):
        counter_session_open(clerk=clerk)
    with pytest.raises(PaymentError):
        counter_session_open(clerk=make_user("citizen"))


@pytest.mark.django_db
def test_check_ledger_passes_then_names_each_discrepancy(make_user, make_bill):
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    payments = [
        counter_take_cash(session=session, bills=[make_bill(make_user())], clerk=clerk)
        for _ in range(3)
    ]
    call_command("check_ledger")  # balanced: no exception
    # Break the books in three ways behind the services' back.
    Allocation.objects.filter(payment=payments[0]).first().delete()
    Receipt.objects.filter(payment=payments[1]).update(sequence=99)
    Bill.objects.filter(payments=payments[2]).update(status="open")
    problems = find_discrepancies()
    text = "\n".join(problems)
    assert payments[0].tran_id in text
    fy = Receipt.objects.get(payment=payments[1]).fiscal_year
    assert f"receipts of {fy}: 3 receipts but the last number is 99" in problems
    assert "is open but allocations net" in text
    with pytest.raises(CommandError):
        call_command("check_ledger")


@pytest.mark.django_db
def test_bill_cancel_calls_the_services_on_cancelled_hook(make_user, make_bill, monkeypatch):
    from core import portal
    from payments.services import bill_cancel

    cancelled = []
    # Declared as an app's portal.py would, for this test only.
    monkeypatch.setitem(
        portal._specs,
        "hook_test",
        portal.ServiceSpec(
            key="hook_test",
            title="Hook test",
            revenue_heads=["holding_tax"],
            on_cancelled=cancelled.append,
        ),
    )
    bill = make_bill(make_user(), "700.00", service="hook_test")
    other = make_bill(make_user(), "700.00", service="test", subject_id="H-2")
    bill_cancel(bill=bill, reason="raised in error")
    bill_cancel(bill=other, reason="raised in error")
    assert [b.pk for b in cancelled] == [bill.pk]
    assert cancelled[0].status == Bill.Status.CANCELLED
    with pytest.raises(ValueError, match="is cancelled, not open"):
        bill_cancel(bill=bill, reason="twice")
    assert len(cancelled) == 1


@pytest.mark.django_db
def test_a_bill_for_a_service_nobody_declared_is_refused(make_bill):
    from payments.registry import UnknownService

    with pytest.raises(UnknownService, match="No installed app declares the billing service"):
        make_bill(service="parking")  # no portal.py declares it
    with pytest.raises(UnknownService):
        make_bill(service="payments")  # declared, but bills nothing
    assert not Bill.objects.exists()
