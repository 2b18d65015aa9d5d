"""Shop rent and allotment bills under concurrency, on PostgreSQL (threads released together
by a barrier, each on its own connection): three runs of one month at once make one month
per allotment; two clerks billing a lessee's unpaid months at once get one bill, and taking
the cash for it at once collects it once; the salami and deposit paid twice at once make
the allotment active once; a run while a payment settles leaves both consistent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from market_leases import registry_hooks
from market_leases.billing import generate_shop_rent
from market_leases.models import Allotment, AllotmentStatusChange, RentMonth, RentRun
from market_leases.services import allotment_set_status, shop_register
from market_leases.services.billing import premium_bill, rent_bill_issue
from market_leases.tasks import run_shop_rent
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Credit, Payment
from payments.services import PaymentError, counter_session_open, counter_take_cash

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def run_together(*calls):
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


def test_three_runs_of_the_same_month_at_once_make_one_month_per_allotment(
    active_allotment, market, officer, lessee, licence, allot
):
    for i in range(5):
        s = shop_register(
            market=market, number=f"C-{i}", floor=i % 2, area_sqft="90", actor=officer
        )
        a = allot(s, lessee, licence, starts_on=date(2026, 10, 1))
        allotment_set_status(allotment=a, to="active", actor=officer)
    results = run_together(*(lambda: generate_shop_rent("2026-11") for _ in range(3)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.months for r in results) == [0, 0, 6]
    assert RentMonth.objects.filter(period=date(2026, 11, 1)).count() == 6
    # A-12 4,217.50; C-0, C-2, C-4 on the ground floor 90 × 35 = 3,150; C-1, C-3 90 × 25
    assert RentMonth.objects.aggregate(s=Sum("rent"))["s"] == Decimal("18167.50")


def test_billing_one_lessees_rent_twice_at_once_makes_one_bill_collected_once(
    active_allotment, make_user
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=clerk) for clerk in clerks]
    bills = run_together(*(lambda: rent_bill_issue(allotment=active_allotment) for _ in range(2)))
    assert all(isinstance(b, Bill) for b in bills), bills
    assert bills[0].pk == bills[1].pk
    bill = Bill.objects.get(pk=bills[0].pk)
    assert bill.total == Decimal("9489.38")
    results = run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[bill], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    assert all(isinstance(r, Payment | PaymentError) for r in results), results
    succeeded = [r for r in results if isinstance(r, Payment)]
    assert succeeded
    collected = Allocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert collected == bill.total
    for payment in succeeded[1:]:  # a second cash payment that got through became a credit
        assert Credit.objects.get(payment=payment).amount == bill.total
    assert set(RentMonth.objects.values_list("status", "paid_bill")) == {("paid", bill.pk)}
    assert find_discrepancies() == []


def test_the_paid_hook_twice_at_once_makes_the_allotment_active_once(shop, lessee, licence, allot):
    allotment = allot(shop, lessee, licence)
    bill = premium_bill(allotment)

    def hook():
        with transaction.atomic():  # as payments calls it, inside its transaction
            registry_hooks.on_paid(bill)

    # Delivered twice at the same moment while the allotment still waits: one move.
    assert run_together(hook, hook) == [None, None]
    assert Allotment.objects.get(pk=allotment.pk).status == "active"
    moves = AllotmentStatusChange.objects.filter(allotment=allotment, to_status="active")
    assert moves.count() == 1


def test_the_salami_paid_at_two_counters_at_once_is_collected_once(
    shop, lessee, licence, allot, make_user
):
    allotment = allot(shop, lessee, licence)
    bill = premium_bill(allotment)
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=clerk) for clerk in clerks]
    results = run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[bill], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    assert all(isinstance(r, Payment | PaymentError) for r in results), results
    collected = Allocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert collected == Decimal("206055.00")
    assert Allotment.objects.get(pk=allotment.pk).status == "active"
    assert (
        AllotmentStatusChange.objects.filter(allotment=allotment, to_status="active").count() == 1
    )
    assert find_discrepancies() == []


def test_a_run_while_a_rent_payment_settles(active_allotment, make_user):
    generate_shop_rent("2026-10")
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    bill = rent_bill_issue(allotment=active_allotment)
    results = run_together(
        lambda: counter_take_cash(session=session, bills=[bill], clerk=clerk),
        lambda: generate_shop_rent("2026-11"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    october = RentMonth.objects.get(period=date(2026, 10, 1))
    november = RentMonth.objects.get(period=date(2026, 11, 1))
    assert october.status == "paid" and october.paid_bill_id == bill.pk
    assert november.status == "due"
    assert november.arrears in (Decimal("0.00"), Decimal("4217.50"))  # whichever came first
    assert find_discrepancies() == []


def test_two_transfers_of_one_shop_at_once_bill_one_and_its_fee_paid_twice_passes_it_once(
    active_allotment, officer, make_user
):
    from market_leases.models import Transfer
    from market_leases.services import lessee_register, transfer_request

    from .conftest import OTHER_NID, issue_licence

    rahim = lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)
    licence = issue_licence(OTHER_NID)

    def request():
        return transfer_request(
            allotment=active_allotment,
            new_lessee=rahim,
            trade_licence_number=licence,
            decision_reference="KCC/Estate/2026/140",
            decision_date=date(2026, 12, 5),
            actor=officer,
        )

    results = run_together(request, request)
    made = [r for r in results if isinstance(r, Transfer)]
    assert len(made) == 1, results
    (refused,) = [r for r in results if not isinstance(r, Transfer)]
    assert refused.code == "transfer_pending"
    bill = Bill.objects.get(subject_type="transfer")
    assert Bill.objects.filter(service="market_leases", subject_type="transfer").count() == 1

    def hook():
        with transaction.atomic():
            registry_hooks.on_paid(bill)

    assert run_together(hook, hook) == [None, None]
    assert Allotment.objects.filter(shop=active_allotment.shop, status="active").count() == 1
    assert Allotment.objects.get(pk=active_allotment.pk).status == "transferred"
    assert Transfer.objects.get().status == "done"


def test_a_rent_runs_task_delivered_twice_at_once_makes_the_month_once(active_allotment):
    """The same run's task on two workers at the same moment (Celery delivers at least
    once): one makes the month, the other leaves the run (core.runs.claim), which ends done
    rather than failed by the one that lost."""
    run = RentRun.objects.create(period=date(2026, 11, 1))
    results = run_together(lambda: run_shop_rent(run.pk), lambda: run_shop_rent(run.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [bool(r) for r in results].count(True) == 1
    run.refresh_from_db()
    assert run.status == RentRun.Status.DONE and run.error == ""
    months = RentMonth.objects.filter(period=date(2026, 11, 1))
    assert list(months.values_list("allotment", flat=True)) == [active_allotment.pk]
