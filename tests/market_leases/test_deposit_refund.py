"""Cancelled for arrears, the rest of the security deposit goes back through payments: part
of the salami and deposit payment refunded at the gateway (the simulator over HTTP) to
whoever paid it online, once; paid at the counter, it is marked to be refunded there."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from market_leases.billing import generate_shop_rent
from market_leases.dues import bill_due, open_dues
from market_leases.models import Allotment, ArrearsCase, RentMonth
from market_leases.services import arrears_decide, arrears_notice
from market_leases.services.billing import premium_bill
from market_leases.services.casework import deposit_refund
from payments.models import Bill, Refund
from payments.services import payment_initiate_online

from .conftest import DHAKA, pay_at_counter
from .ijara_fixtures import gateway, pay_at_gateway  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def cancel_for_arrears(allotment, officer) -> ArrearsCase:
    for month in ("2026-10", "2026-11", "2026-12"):
        generate_shop_rent(month)
    case = arrears_notice(allotment=allotment, hearing_on=date(2026, 12, 20), actor=officer)
    with time_machine.travel(datetime(2026, 12, 21, 11, 0, tzinfo=DHAKA), tick=True):
        arrears_decide(case=case, cancel=True, reason="did not pay", actor=officer)
    return ArrearsCase.objects.get(pk=case.pk)


@pytest.fixture
def allotted(shop, lessee, licence, allot, citizen):
    lessee.user = citizen
    lessee.save(update_fields=["user"])
    allotment = allot(shop, lessee, licence, starts_on=date(2026, 10, 1))
    return allotment, premium_bill(allotment)


def test_the_rest_of_a_deposit_paid_online_is_refunded_through_the_gateway_11387_24(
    gateway,  # noqa: F811
    allotted,
    officer,
    citizen,
):
    allotment, bill = allotted
    payment = payment_initiate_online(bills=[bill], payer=citizen)
    pay_at_gateway(payment)
    assert Allotment.objects.get(pk=allotment.pk).status == "active"

    case = cancel_for_arrears(allotment, officer)
    # The deposit 25,305.00 covers the 13,917.76 owed; 11,387.24 goes back (on commit).
    assert case.set_off["refund"] == "11387.24"
    assert (case.refund, case.refund_note[:1]) == ("refunded", "R"), case.refund_note
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.status) == (Decimal("11387.24"), "succeeded")
    assert deposit_refund(case_id=case.pk) == "refunded"  # again: nothing more sent
    assert Refund.objects.filter(payment=payment).count() == 1
    # The months the deposit covered are no longer owed: nothing to pay twice.
    months = dict(RentMonth.objects.filter(allotment=allotment).values_list("period", "status"))
    assert set(months.values()) == {"set_off"}
    assert open_dues(citizen) == []


def test_an_open_rent_bill_is_cancelled_before_the_deposit_is_set_against_the_rent(
    allotted, officer, make_user, citizen
):
    allotment, bill = allotted
    pay_at_counter(make_user, bill)
    for month in ("2026-10", "2026-11", "2026-12"):
        generate_shop_rent(month)
    rent_bill = bill_due(citizen, f"a{allotment.pk}")  # the lessee made a bill of the months
    case = arrears_notice(allotment=allotment, hearing_on=date(2026, 12, 20), actor=officer)
    with time_machine.travel(datetime(2026, 12, 21, 11, 0, tzinfo=DHAKA), tick=True):
        arrears_decide(case=case, cancel=True, reason="did not pay", actor=officer)
    assert Bill.objects.get(pk=rent_bill.pk).status == "cancelled"
    assert not RentMonth.objects.filter(allotment=allotment, status="due").exists()


def test_the_rest_of_a_deposit_paid_at_the_counter_is_to_be_refunded_there(
    allotted, officer, make_user
):
    allotment, bill = allotted
    pay_at_counter(make_user, bill)
    case = cancel_for_arrears(allotment, officer)
    assert case.refund == "counter" and case.refund_note == bill.number
    assert not Refund.objects.exists()


def test_two_officers_cancelling_at_once_cancel_once_and_the_rest_is_marked_once(
    allotted, officer, make_user
):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.core.exceptions import ValidationError
    from django.db import connections

    allotment, bill = allotted
    pay_at_counter(make_user, bill)
    for month in ("2026-10", "2026-11", "2026-12"):
        generate_shop_rent(month)
    case = arrears_notice(allotment=allotment, hearing_on=date(2026, 12, 20), actor=officer)
    barrier = threading.Barrier(2)

    def decide(_):
        try:
            with time_machine.travel(datetime(2026, 12, 21, 11, 0, tzinfo=DHAKA), tick=True):
                barrier.wait()
                arrears_decide(case=case, cancel=True, reason="did not pay", actor=officer)
            return "cancelled"
        except ValidationError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(decide, range(2)))
    assert results == ["cancelled", "decided"], results
    case.refresh_from_db()
    assert case.status == "cancelled" and case.refund == "counter"
    assert set(RentMonth.objects.filter(allotment=allotment).values_list("status", flat=True)) == {
        "set_off"
    }


@pytest.mark.postgres
def test_the_refund_handled_twice_at_once_is_decided_once(allotted, officer, make_user):
    """The refund is claimed by one conditional UPDATE: two calls at the same moment (the
    cancelling transaction's on-commit call and another) decide it once — one audit row;
    the other finds it taken and leaves it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    from core.models import AuditLog

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    allotment, bill = allotted
    pay_at_counter(make_user, bill)
    case = cancel_for_arrears(allotment, officer)
    assert case.refund == "counter"
    # The case waits for its refund again, as it did when the cancellation committed.
    ArrearsCase.objects.filter(pk=case.pk).update(refund="pending", refund_note="")
    audits = AuditLog.objects.filter(action__endswith="deposit_refunded").count()
    barrier = threading.Barrier(2)

    def handle(_):
        barrier.wait()
        try:
            return deposit_refund(case_id=case.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(handle, range(2)))
    # The other call found it being handled ("pending") or, later, handled ("counter").
    assert outcomes in (["counter", "pending"], ["counter", "counter"]), outcomes
    assert ArrearsCase.objects.get(pk=case.pk).refund == "counter"
    assert AuditLog.objects.filter(action__endswith="deposit_refunded").count() == audits + 1
