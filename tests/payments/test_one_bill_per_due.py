"""One live bill per due: bills claim their dues under a database rule, the one issuing
path reuses the bill being paid, and a bill with a payment under way is never cancelled or
superseded. check_ledger names a due collected twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from payments.ledger_checks import find_discrepancies
from payments.models import Bill, BillClaim, Credit, Payment
from payments.services import (
    BillBusy,
    DueAlreadyPaid,
    LineSpec,
    bill_cancel,
    bill_issue,
    bill_supersede,
    counter_session_open,
    counter_take_cash,
    payment_transition,
)
from payments.services.online import create_payment

LINES = [
    LineSpec(head="holding_tax", amount=Decimal("1000.00")),
    LineSpec(head="conservancy", amount=Decimal("500.00")),
]


def issue(dues, lines=LINES, **kwargs):
    return bill_issue(
        service="test",
        subject_type="holding",
        subject_id="1/12",
        dues=dues,
        lines=lines,
        fiscal_year_label="2026-27",
        due_date=date(2026, 12, 31),
        **kwargs,
    )


def start_online(bill, payer=None) -> Payment:
    """A payment under way on `bill` (what payment_initiate_online leaves at the gateway)."""
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=payer)
        payment_transition(payment=payment, to=Payment.Status.PENDING, reason="at the gateway")
    return payment


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_bill_for_a_due():
    bill = issue(["instalment:1"])
    other = Bill.objects.create(
        number="BX1",
        service="test",
        subject_type="holding",
        subject_id="1/12",
        fiscal_year="2026-27",
        issued_on=date(2026, 12, 5),
        due_date=date(2026, 12, 31),
        total=Decimal("1500.00"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BillClaim.objects.create(bill=other, due="test:instalment:1")
    assert list(bill.claims.values_list("due", "live")) == [("test:instalment:1", True)]


@pytest.mark.django_db
def test_the_same_dues_and_lines_reuse_the_open_bill(make_user):
    owner = make_user()
    first = issue(["instalment:1", "instalment:2"])
    again = issue(["instalment:2", "instalment:1"], payer=owner)
    assert again.pk == first.pk and Bill.objects.count() == 1
    assert again.payer == owner  # a bill nobody owned gains the payer who asked for it


@pytest.mark.django_db
def test_other_dues_or_lines_replace_an_open_bill_nobody_is_paying():
    first = issue(["instalment:1"])
    second = issue(["instalment:1", "instalment:2"])
    first.refresh_from_db()
    assert first.status == "cancelled" and second.status == "open"
    assert not first.claims.filter(live=True).exists()
    third = issue(
        ["instalment:1", "instalment:2"],
        lines=[LineSpec(head="holding_tax", amount=Decimal("1400.00"))],
    )
    second.refresh_from_db()
    assert second.status == "cancelled" and third.total == Decimal("1400.00")
    assert find_discrepancies() == []


@pytest.mark.django_db
def test_a_bill_being_paid_is_reused_never_replaced_cancelled_or_superseded(make_user):
    bill = issue(["instalment:1"])
    payment = start_online(bill)
    assert issue(["instalment:1"]).pk == bill.pk  # a second payer gets the same bill
    with (
        translation.override("en"),
        time_machine.travel(payment.created_at + timedelta(minutes=11), tick=False),
    ):
        with pytest.raises(BillBusy) as busy:
            issue(["instalment:1", "instalment:2"])
    assert busy.value.minutes == 4
    assert "A payment for this is in progress. Try again in 4 minutes." in str(busy.value)
    with pytest.raises(BillBusy):
        bill_cancel(bill=bill, reason="stranger")
    with pytest.raises(BillBusy):
        bill_supersede(bill=bill, lines=[LineSpec(head="holding_tax", amount=Decimal("9"))])
    bill.refresh_from_db()
    assert bill.status == "open" and Bill.objects.count() == 1
    payment_transition(payment=payment, to=Payment.Status.ON_HOLD, reason="risky")
    with translation.override("bn"), pytest.raises(BillBusy) as busy:
        bill_cancel(bill=bill, reason="stranger")
    assert busy.value.minutes is None and busy.value.args[0].startswith("এই পাওনার একটি পেমেন্ট রাজস্ব")
    # Once the gateway says the attempt failed, the bill may be replaced again.
    payment_transition(payment=payment, to=Payment.Status.REFUNDED, reason="refunded")
    replacement = issue(["instalment:1", "instalment:2"])
    bill.refresh_from_db()
    assert bill.status == "cancelled" and replacement.status == "open"


@pytest.mark.django_db
def test_a_paid_due_is_never_billed_again(make_user):
    clerk = make_user("counter_clerk")
    bill = issue(["instalment:1"])
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
    with pytest.raises(DueAlreadyPaid):
        issue(["instalment:1"])
    with pytest.raises(DueAlreadyPaid):
        issue(["instalment:1", "instalment:2"])
    assert Bill.objects.count() == 1


@pytest.mark.django_db
def test_supersede_moves_the_claims_to_the_new_bill():
    old = issue(["licence-year:7:2026-27"])
    new = bill_supersede(bill=old, lines=[LineSpec(head="licence_fee", amount=Decimal("1100"))])
    assert list(new.claims.values_list("due", "live")) == [("test:licence-year:7:2026-27", True)]
    assert list(old.claims.values_list("live", flat=True)) == [False]
    assert find_discrepancies() == []


@pytest.mark.django_db
def test_check_ledger_names_a_due_collected_by_two_bills(make_user):
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    first = issue(["instalment:1"])
    counter_take_cash(session=session, bills=[first], clerk=clerk)
    call_command("check_ledger")  # balanced
    # Behind the services' back: free the due, bill and collect it again.
    BillClaim.objects.filter(bill=first).update(live=False)
    second = issue(["instalment:1"])
    counter_take_cash(session=session, bills=[second], clerk=clerk)
    problems = find_discrepancies()
    assert (
        f"due test:instalment:1 is collected by 2 bills: {first.number}, {second.number}"
        in problems
    )
    with pytest.raises(CommandError):
        call_command("check_ledger")


@pytest.mark.django_db
def test_check_ledger_names_a_bill_without_dues_and_one_collected_beyond_its_total(make_user):
    clerk = make_user("counter_clerk")
    bill = issue(["instalment:1"])
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
    Bill.objects.filter(pk=bill.pk).update(total=Decimal("1000.00"))
    stray = Bill.objects.create(
        number="BX2",
        service="test",
        subject_type="x",
        subject_id="1",
        fiscal_year="2026-27",
        issued_on=timezone.localdate(),
        due_date=date(2026, 12, 31),
        total=Decimal("10.00"),
    )
    problems = find_discrepancies()
    assert f"bill {bill.number} collected 1500.00, more than its total 1000.00" in problems
    assert f"bill {stray.number} does not say which dues it covers" in problems


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twelve_concurrent_requests_for_one_due_leave_one_live_bill():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    barrier = threading.Barrier(12)

    def ask(i):
        barrier.wait()
        try:
            # Half ask for one instalment, half for two: replacements race reuses.
            return issue(["instalment:1"] if i % 2 else ["instalment:1", "instalment:2"]).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(ask, range(12)))
    assert len(results) == 12
    live = BillClaim.objects.filter(due="test:instalment:1", live=True)
    assert live.count() == 1
    assert Bill.objects.filter(status="open").count() == 1
    assert Bill.objects.filter(status="open").get().pk in results
    assert not Credit.objects.exists()


@pytest.mark.django_db
def test_the_wait_is_said_in_bengali_with_bengali_digits():
    payment = start_online(issue(["instalment:1"]))
    with (
        translation.override("bn"),
        time_machine.travel(payment.created_at + timedelta(minutes=3), tick=False),
        pytest.raises(BillBusy) as busy,
    ):
        issue(["instalment:2", "instalment:1"])
    assert str(busy.value) == "এই পাওনার একটি পেমেন্ট এখন চলছে। ১২ মিনিট পরে আবার চেষ্টা করুন।"


@pytest.mark.django_db
def test_a_flagged_payment_blocks_replacement_until_an_officer_decides():
    bill = issue(["instalment:1"])
    payment = start_online(bill)
    payment_transition(payment=payment, to=Payment.Status.FLAGGED, reason="amount mismatch")
    with time_machine.travel(payment.created_at + timedelta(days=3), tick=False):
        with pytest.raises(BillBusy) as busy:
            bill_cancel(bill=bill, reason="stranger")
    assert busy.value.minutes is None
    bill.refresh_from_db()
    assert bill.status == "open"


@pytest.mark.django_db
def test_an_abandoned_checkout_stops_blocking_after_the_window():
    bill = issue(["instalment:1"])
    payment = start_online(bill)
    with time_machine.travel(payment.created_at + timedelta(minutes=14), tick=False):
        with pytest.raises(BillBusy, match="Try again in 1 minute"):
            with translation.override("en"):
                issue(["instalment:1", "instalment:2"])
    with time_machine.travel(payment.created_at + timedelta(minutes=16), tick=False):
        replacement = issue(["instalment:1", "instalment:2"])
    bill.refresh_from_db()
    assert bill.status == "cancelled" and replacement.status == "open"
