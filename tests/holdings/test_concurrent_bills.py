"""No instalment collected twice, and none lost to a stranger: quick pay, the owner's page
and the counter race for one instalment on PostgreSQL (threads and a barrier), and every
gateway session is paid through the simulator."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.db.models import Sum
from django.test import Client

from core.fiscal import current_fiscal_year
from holdings.models import Demand, DemandRun, Instalment
from holdings.services import holding_link_by_nid
from holdings.tasks import run_demand_generation
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Credit, Payment
from payments.services import counter_session_open, counter_take_cash

from .conftest import OWNER_NID

QUICK = "/holdings/quick-pay/"
COUNTER = "/holdings/counter/"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def pay_at_gateway(payment: Payment) -> None:
    """Pay the session with bKash at the simulator (which then sends the signed IPN)."""
    requests.post(payment.gateway_url, data={"action": "bkash"}, timeout=30).raise_for_status()


def wait_settled(payments, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(Payment.objects.get(pk=p.pk).status == "succeeded" for p in payments):
            return
        time.sleep(0.1)
    raise AssertionError([Payment.objects.get(pk=p.pk).status for p in payments])


def run_together(*calls):
    """Run the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def quick_pay(mobile: str):
    def call():
        client = Client()
        client.cookies["kcc_language"] = "en"
        return client.post(QUICK, {"ward": "3", "number": "45/A", "what": "next", "mobile": mobile})

    return call


def first_instalment(holding) -> Instalment:
    return Instalment.objects.filter(demand__holding=holding).order_by("due_date").first()


def collected_for(instalment: Instalment) -> Decimal:
    """Net money allocated to every bill that covers this instalment."""
    bills = Bill.objects.filter(holding_items__instalment=instalment)
    return Allocation.objects.filter(bill__in=bills).aggregate(s=Sum("amount"))["s"]


def test_six_quick_pays_at_once_make_one_bill_and_collect_the_instalment_once(
    make_holding, gateway
):
    holding = make_holding()
    instalment = first_instalment(holding)
    responses = run_together(*(quick_pay(f"0171234567{i}") for i in range(6)))
    assert [r.status_code for r in responses] == [302] * 6
    bill = Bill.objects.get(service="holdings")
    payments = list(Payment.objects.filter(items__bill=bill))
    assert len(payments) == 6 and bill.status == "open"
    for payment in payments:
        pay_at_gateway(payment)
    wait_settled(payments)
    instalment.refresh_from_db()
    assert instalment.status == "paid" and instalment.paid_bill == bill
    assert collected_for(instalment) == bill.total == instalment.amount
    credits = Credit.objects.filter(payment__in=payments)
    assert credits.count() == 5 and all(c.amount == bill.total for c in credits)
    assert find_discrepancies() == []


def test_an_owner_paying_while_a_stranger_quick_pays_settles_the_instalment(
    make_holding, gateway, citizen
):
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    instalment = first_instalment(holding)

    def owner_pays():
        client = Client()
        client.force_login(citizen)
        return client.post(f"/holdings/{holding.pk}/", {"what": "next"})

    owner_response, stranger_response = run_together(owner_pays, quick_pay("01712345678"))
    assert owner_response.status_code == 302 and stranger_response.status_code == 302
    bill = Bill.objects.get(service="holdings")  # one bill, never cancelled under the owner
    owner_payment = Payment.objects.get(payer=citizen)
    stranger_payment = Payment.objects.get(payer=None)
    pay_at_gateway(owner_payment)
    wait_settled([owner_payment])
    pay_at_gateway(stranger_payment)
    wait_settled([stranger_payment])
    bill.refresh_from_db()
    instalment.refresh_from_db()
    assert bill.status == "paid" and instalment.paid_bill == bill
    assert (
        Allocation.objects.filter(payment=owner_payment).aggregate(s=Sum("amount"))["s"]
        == bill.total
    )
    assert not Credit.objects.filter(payment=owner_payment).exists()
    assert Credit.objects.get(payment=stranger_payment).amount == bill.total
    assert find_discrepancies() == []


def test_counter_cash_while_an_online_payment_is_in_flight_collects_once(
    make_holding, gateway, citizen, make_user
):
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    instalment = first_instalment(holding)
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)

    def owner_pays():
        client = Client()
        client.force_login(citizen)
        return client.post(f"/holdings/{holding.pk}/", {"what": "next"})

    def clerk_bills():
        client = Client()
        client.force_login(clerk)
        return client.post(COUNTER, {"ward": "3", "number": "45/A", "what": "next"})

    owner_response, clerk_response = run_together(owner_pays, clerk_bills)
    assert owner_response.status_code == 302 and clerk_response.status_code == 302
    bill = Bill.objects.get(service="holdings")
    cash = counter_take_cash(session=session, bills=[bill], clerk=clerk)
    online = Payment.objects.get(channel="online")
    pay_at_gateway(online)
    wait_settled([online])
    instalment.refresh_from_db()
    assert instalment.paid_bill == bill
    assert collected_for(instalment) == bill.total
    assert Allocation.objects.filter(payment=cash).aggregate(s=Sum("amount"))["s"] == bill.total
    assert Credit.objects.get(payment=online).amount == bill.total
    assert find_discrepancies() == []


def test_the_owner_and_a_clerk_billing_one_open_due_at_once_make_one_bill(
    make_holding, citizen, make_user
):
    """Every due in one place: the owner presses "Pay" on the dashboard while a clerk
    presses "Bill it" at the counter for the same instalment: one bill, both answered."""
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    clerk = make_user("counter_clerk")
    token = f"h{holding.pk}:next"

    def press(user, url, data=None):
        def call():
            client = Client()
            client.force_login(user)
            return client.post(url, data or {})

        return call

    responses = run_together(
        press(citizen, f"/payments/dues/holdings/{token}/"),
        press(clerk, f"/payments/counter/dues/holdings/{token}/", {"mobile": citizen.mobile}),
        press(citizen, f"/payments/dues/holdings/{token}/"),
    )
    assert [r.status_code for r in responses] == [302, 302, 302]
    bill = Bill.objects.get(service="holdings")
    assert bill.status == "open" and bill.payer == citizen
    assert find_discrepancies() == []


def test_a_demand_runs_task_delivered_twice_at_once_generates_the_year_once(unbilled_holding):
    """Celery delivers a task at least once (a worker that stops gives its message back; a
    message may be sent twice): the run's task on two workers at the same moment — one
    generates the year, the other leaves the run (core.runs.claim), which ends done."""
    fy = current_fiscal_year()
    run = DemandRun.objects.create(fiscal_year=fy)
    results = run_together(
        lambda: run_demand_generation(run.pk), lambda: run_demand_generation(run.pk)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.get("demands", 0) for r in results) == [0, 1]
    run.refresh_from_db()
    assert run.status == DemandRun.Status.DONE and run.error == ""
    assert run.created["demands"] == 1
    assert Demand.objects.filter(holding=unbilled_holding, fiscal_year=fy).count() == 1


def test_a_register_imports_step_delivered_twice_at_once_is_taken_once(db):
    """The import's check and its import are runs too (core.runs.claim): the same step's
    task on two workers at the same moment — one takes the job, the other leaves it."""
    from holdings.importer.jobs import _mark_running
    from holdings.models import HoldingImport

    Status = HoldingImport.Status
    job = HoldingImport.objects.create(original_name="register.csv", kind="csv")
    for queued, running in (
        (Status.QUEUED, Status.CHECKING),
        (Status.IMPORT_QUEUED, Status.IMPORTING),
    ):
        HoldingImport.objects.filter(pk=job.pk).update(status=queued)
        take = lambda q=queued, r=running: _mark_running(job.pk, queued=q, running=r)  # noqa: E731
        assert sorted(run_together(take, take)) == [False, True]
        assert HoldingImport.objects.get(pk=job.pk).status == running
