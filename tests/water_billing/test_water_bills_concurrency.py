"""Water bills under concurrency, on PostgreSQL (threads released together by a barrier, each
on its own connection): two runs of one month make one bill per connection and charge each
late fee once; paying one water due twice at once collects it once; a month's run while a
payment of an earlier month settles leaves both consistent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Credit, Payment
from payments.services import PaymentError, counter_session_open, counter_take_cash
from water_billing.billing import generate_water_bills
from water_billing.models import BillingRun, WaterBill, WaterBillLine
from water_billing.services.billing import water_bill_issue
from water_billing.tasks import run_water_billing

from .conftest import read

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


@pytest.fixture
def tariff(db):
    from water_billing.defaults import ensure_default_tariff
    from water_billing.models import WaterTariff

    ensure_default_tariff()
    WaterTariff.objects.update(late_fee_percent=Decimal("10.00"))


def run_together(*calls):
    """Run the calls at the same moment, each in its own thread and connection; returns
    each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def connections_read(make_connection, n: int, periods=("2026-10", "2026-11")):
    made = []
    for i in range(n):
        c = make_connection(sewerage=bool(i % 2), metered=i % 5 != 4, pipe=20)
        if c.metered:
            for k, period in enumerate(periods, start=1):
                read(c, period, 1000 + k * (10 + i))
        made.append(c)
    return made


def test_two_runs_of_the_same_month_at_once_make_one_bill_per_connection(tariff, make_connection):
    made = connections_read(make_connection, 12)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))  # overdue by December
    results = run_together(
        *(lambda: generate_water_bills("2026-11", bill_date=date(2026, 12, 10)) for _ in range(3))
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.bills for r in results) == [0, 0, len(made)]
    assert WaterBill.objects.filter(period="2026-11-01").count() == len(made)
    november = WaterBillLine.objects.filter(water_bill__period="2026-11-01")
    assert november.filter(kind="late_fee").count() == len(made)  # October's, once each
    assert sum(r.lines for r in results) == november.count()
    for bill in WaterBill.objects.filter(period="2026-11-01"):
        lines = bill.lines.aggregate(s=Sum("amount"))["s"]
        assert lines == bill.total


def test_paying_one_water_due_twice_at_once_collects_it_once(tariff, make_connection, make_user):
    (c,) = connections_read(make_connection, 1)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    generate_water_bills("2026-11", bill_date=date(2026, 12, 10))
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=clerk) for clerk in clerks]
    # Both clerks bill the connection's unpaid months at the same moment: one bill.
    bills = run_together(*(lambda: water_bill_issue(connection=c) for _ in range(2)))
    assert bills[0].pk == bills[1].pk
    bill = Bill.objects.get(pk=bills[0].pk)
    # ... and both take the cash for it at the same moment.
    results = run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[bill], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    succeeded = [r for r in results if isinstance(r, Payment) and r.status == "succeeded"]
    assert len(succeeded) == 1 or all(isinstance(r, Payment) for r in results), results
    assert all(isinstance(r, Payment | PaymentError) for r in results), results
    collected = Allocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert collected == bill.total
    other = [r for r in results if isinstance(r, Payment) and r.pk != succeeded[0].pk]
    for payment in other:  # a second cash payment that got through became a credit
        assert Credit.objects.get(payment=payment).amount == bill.total
    assert set(WaterBill.objects.values_list("status", "paid_bill")) == {("paid", bill.pk)}
    assert find_discrepancies() == []


def test_a_run_while_a_payment_of_an_earlier_month_settles(tariff, make_connection, make_user):
    made = connections_read(make_connection, 6)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))  # due 16 November
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    payer = made[0]
    bill = water_bill_issue(connection=payer)
    results = run_together(
        lambda: counter_take_cash(session=session, bills=[bill], clerk=clerk),
        lambda: generate_water_bills("2026-11", bill_date=date(2026, 12, 10)),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    october = WaterBill.objects.get(connection=payer, period="2026-10-01")
    november = WaterBill.objects.get(connection=payer, period="2026-11-01")
    assert october.status == "paid" and october.paid_bill_id == bill.pk
    fee = november.lines.filter(kind="late_fee")
    if october.late_fee_period is None:  # the payment came first: no fee, no arrears
        assert not fee.exists() and november.arrears == 0
    else:  # the run came first: October was unpaid and overdue on the bill date
        assert october.late_fee_period == date(2026, 11, 1)
        assert fee.get().for_period == date(2026, 10, 1)
        assert november.arrears == october.total
    assert november.total == november.lines.aggregate(s=Sum("amount"))["s"]
    # Every other connection: its October fee charged once, on November's bill.
    assert WaterBill.objects.filter(period="2026-11-01").count() == len(made)
    others = WaterBillLine.objects.filter(water_bill__period="2026-11-01", kind="late_fee")
    assert others.exclude(water_bill__connection=payer).count() == len(made) - 1
    assert find_discrepancies() == []


def test_a_billing_runs_task_delivered_twice_at_once_bills_the_month_once(tariff, make_connection):
    """The same run's task on two workers at the same moment (Celery delivers at least
    once): one makes the month's bills, the other leaves the run (core.runs.claim)."""
    made = connections_read(make_connection, 4)
    run = BillingRun.objects.create(period=date(2026, 11, 1), bill_date=date(2026, 12, 1))
    results = run_together(lambda: run_water_billing(run.pk), lambda: run_water_billing(run.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [bool(r) for r in results].count(True) == 1
    run.refresh_from_db()
    assert run.status == BillingRun.Status.DONE and run.error == ""
    bills = WaterBill.objects.filter(period=date(2026, 11, 1))
    assert sorted(bills.values_list("connection", flat=True)) == sorted(c.pk for c in made)
