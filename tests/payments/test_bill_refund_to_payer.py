"""payments.services.online.bill_refund_to_payer: a paid bill's money (a returned deposit)
sent back to the payer through the simulator's refund API, once; the bill stays paid and
the ledger balances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.ledger_checks import find_discrepancies
from payments.models import Bill, Payment, PaymentEvent, Refund
from payments.services import (
    PaymentError,
    counter_session_open,
    counter_take_cash,
    payment_initiate_online,
    payment_reconcile,
)
from payments.services.online import bill_refund_to_payer

pytestmark = pytest.mark.django_db(transaction=True)


def test_part_of_a_payment_refunded_once_for_one_of_its_bills(
    gateway, citizen, make_bill, gateway_pay, make_user
):
    fee = make_bill(citizen, "1500.00", subject_id="H-1")
    deposit = make_bill(citizen, "2500.00", subject_id="H-2")
    payment = payment_initiate_online(bills=[fee, deposit], payer=citizen)
    gateway_pay(payment, "bkash", no_ipn=True)
    assert payment_reconcile(payment=payment) == "succeeded"
    officer = make_user("estate_officer")
    refund = bill_refund_to_payer(bill=deposit, requested_by=officer, remarks="bid lost")
    assert refund.status == "succeeded" and refund.amount == Decimal("2500.00")
    assert refund.payment_id == payment.pk and refund.refund_ref_id
    assert Bill.objects.get(pk=deposit.pk).status == "paid"
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert PaymentEvent.objects.filter(payment=payment, kind="refund").count() == 1
    assert find_discrepancies() == []
    # A second refund of that payment is refused, nothing changes.
    with pytest.raises(PaymentError):
        bill_refund_to_payer(bill=deposit, requested_by=officer, remarks="again")
    with pytest.raises(PaymentError):
        bill_refund_to_payer(
            bill=fee, requested_by=officer, remarks="too much", amount=Decimal("1500.01")
        )
    assert Refund.objects.count() == 1


def test_an_open_or_cash_paid_bill_is_not_refunded_here(citizen, make_bill, make_user):
    officer = make_user("estate_officer")
    bill = make_bill(citizen, "1500.00")
    with pytest.raises(PaymentError):
        bill_refund_to_payer(bill=bill, requested_by=officer, remarks="x")
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)
    with pytest.raises(PaymentError):
        bill_refund_to_payer(bill=bill, requested_by=officer, remarks="x")
    assert Refund.objects.count() == 0
