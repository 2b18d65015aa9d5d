"""Allotting bills the salami and security deposit through payments' one bill path; paying
that bill makes the allotment active (its history says so, the lessee gets an SMS); the paid
hook twice changes it once; a voided payment puts it back to waiting; withdrawing the
allotment before it is paid cancels its bill."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import SmsMessage
from market_leases import registry_hooks
from market_leases.models import Allotment
from market_leases.services import allotment_set_status
from market_leases.services.billing import premium_bill
from payments.models import Bill
from payments.services import counter_session_open, counter_take_cash, payment_void

pytestmark = pytest.mark.django_db


def pay_at_counter(make_user, bill):
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    return counter_take_cash(session=session, bills=[bill], clerk=clerk)


def test_allotting_bills_salami_180750_and_deposit_25305_total_206055(
    shop, lessee, licence, allot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        allotment = allot(shop, lessee, licence)
    bill = premium_bill(allotment)
    assert bill.service == "market_leases" and bill.subject_type == "allotment"
    assert bill.status == Bill.Status.OPEN
    assert sorted((line.head, line.amount) for line in bill.lines.all()) == [
        ("salami", Decimal("180750.00")),
        ("security_deposit", Decimal("25305.00")),
    ]
    assert bill.total == Decimal("206055.00")
    assert bill.payer_mobile == "01711223344"
    assert set(bill.claims.values_list("due", flat=True)) == {
        f"market_leases:allotment:{allotment.pk}:salami",
        f"market_leases:allotment:{allotment.pk}:deposit",
    }
    assert len(allotment.verify_code) == 16
    sms = SmsMessage.objects.get(to="01711223344", kind="shop_allotment")
    assert "A-১২" in sms.text and bill.number in sms.text  # Bengali without an account


def test_paying_the_bill_makes_the_allotment_active_with_its_history(
    shop, lessee, licence, allot, make_user
):
    allotment = allot(shop, lessee, licence)
    bill = premium_bill(allotment)
    pay_at_counter(make_user, bill)
    allotment.refresh_from_db()
    assert allotment.status == "active"
    last = allotment.status_changes.last()
    assert (last.from_status, last.to_status) == ("pending_payment", "active")
    assert bill.number in last.reason
    # The hook a second time changes nothing.
    registry_hooks.on_paid(Bill.objects.get(pk=bill.pk))
    assert allotment.status_changes.filter(to_status="active").count() == 1


def test_a_voided_payment_puts_the_allotment_back_to_waiting(
    shop, lessee, licence, allot, make_user
):
    allotment = allot(shop, lessee, licence)
    payment = pay_at_counter(make_user, premium_bill(allotment))
    payment_void(payment=payment, reason="counted wrong", officer=make_user("revenue_officer"))
    allotment.refresh_from_db()
    assert allotment.status == "pending_payment"
    assert Bill.objects.get(pk=premium_bill(allotment).pk).status == Bill.Status.OPEN


def test_a_withdrawn_allotment_before_payment_has_its_bill_cancelled(
    shop, lessee, licence, allot, officer
):
    allotment = allot(shop, lessee, licence)
    bill = premium_bill(allotment)
    allotment_set_status(allotment=allotment, to="cancelled", reason="withdrawn", actor=officer)
    assert Allotment.objects.get(pk=allotment.pk).status == "cancelled"
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.CANCELLED
    assert Allotment.objects.get(pk=allotment.pk).status == "cancelled"  # the hook left it
