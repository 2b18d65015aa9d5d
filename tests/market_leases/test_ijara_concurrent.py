# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""Ijara under concurrency, on PostgreSQL (threads released together by a barrier, each on
its own connection): one bidder bidding twice at once gets one bid; two bidders at once
get a bid each; a bid's bills paid by two payments at once are collected once and the bid
becomes valid once; two openings at once open once; two awards at once bill one balance;
two refunds of one security at once send it back once; two forfeits at once offer the next
bidder once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from market_leases.ijara_models import Bid, Tender
from market_leases.services import ijara
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Payment, Refund
from payments.services import payment_initiate_online

from .ijara_fixtures import (  # noqa: F401
    AMOUNT,
    DHAKA,
    at_opening,
    gateway,
    parking_tender,
    pay_at_gateway,
    settle,
    site,
    tender,
)

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


def test_one_bidder_bidding_twice_at_once_gets_one_bid(tender, citizen):
    for _ in range(3):
        Bid.objects.all().delete()
        results = run_together(
            lambda: ijara.bid_submit(tender=tender, bidder=citizen, amount=AMOUNT),
            lambda: ijara.bid_submit(tender=tender, bidder=citizen, amount="1400000"),
        )
        made = [r for r in results if isinstance(r, ijara.Submitted)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(made) == 1 and len(refused) == 1, results
        assert Bid.objects.count() == 1
        # One schedule fee bill and one security bill live for that bidder.
        live = Bill.objects.filter(status="open", subject_type__startswith="ijara_")
        assert sorted(live.values_list("subject_type", flat=True)) == [
            "ijara_schedule",
            "ijara_security",
        ]
        Bill.objects.filter(pk__in=live.values("pk")).update(status="cancelled")
        from payments.models import BillClaim

        BillClaim.objects.update(live=False)


def test_two_bidders_at_once_get_a_bid_each(tender, make_user):
    a, b = make_user(), make_user()
    results = run_together(
        lambda: ijara.bid_submit(tender=tender, bidder=a, amount=AMOUNT),
        lambda: ijara.bid_submit(tender=tender, bidder=b, amount="1400000"),
    )
    assert all(isinstance(r, ijara.Submitted) for r in results), results
    assert Bid.objects.count() == 2
    assert Bill.objects.filter(subject_type="ijara_security").count() == 2


def test_a_bids_bills_paid_twice_at_once_are_collected_once_and_valid_once(tender, citizen):
    done = ijara.bid_submit(tender=tender, bidder=citizen, amount=AMOUNT)
    results = run_together(lambda: settle(done.bills), lambda: settle(done.bills))
    assert all(isinstance(r, Payment) for r in results), results
    bid = Bid.objects.get()
    assert bid.status == "valid"
    security = Bill.objects.get(subject_type="ijara_security")
    assert Allocation.objects.filter(bill=security).aggregate(s=Sum("amount"))["s"] == Decimal(
        "350000.00"
    )
    assert find_discrepancies() == []


def _two_paid_bids(tender, make_user):
    a, b = make_user(), make_user()
    first = ijara.bid_submit(tender=tender, bidder=a, amount="1400000")
    second = ijara.bid_submit(tender=tender, bidder=b, amount=AMOUNT)
    settle(first.bills)
    settle(second.bills)
    return first.bid, second.bid


def test_two_openings_at_once_open_once_and_two_awards_bill_one_balance(
    tender, make_user, officer, at_opening
):
    first, second = _two_paid_bids(tender, make_user)
    other = type(officer).objects.get(pk=officer.pk)
    with at_opening():
        results = run_together(
            lambda: ijara.tender_open(tender=tender, actor=officer),
            lambda: ijara.tender_open(tender=tender, actor=other),
        )
        assert sum(isinstance(r, Tender) for r in results) == 1, results
        assert sum(isinstance(r, ValidationError) for r in results) == 1, results
        results = run_together(
            lambda: ijara.tender_award(tender=tender, actor=officer),
            lambda: ijara.tender_award(tender=tender, actor=other),
        )
    assert sum(isinstance(r, Bid) for r in results) == 1, results
    assert Bill.objects.filter(subject_type="ijara_balance").count() == 1
    assert Bid.objects.get(pk=first.pk).status == "offered"
    assert Bid.objects.get(pk=second.pk).status == "lost"


def test_two_forfeits_at_once_offer_the_next_bidder_once(tender, make_user, officer, at_opening):
    first, second = _two_paid_bids(tender, make_user)
    with at_opening():
        ijara.tender_open(tender=tender, actor=officer)
        ijara.tender_award(tender=tender, actor=officer)
    with time_machine.travel(datetime(2026, 12, 29, 10, tzinfo=DHAKA), tick=True):
        results = run_together(
            lambda: ijara.offer_forfeit(tender=tender, actor=officer),
            lambda: ijara.offer_forfeit(tender=tender, actor=officer),
        )
    assert sum(isinstance(r, Bid) for r in results) == 1, results
    assert Bid.objects.get(pk=first.pk).status == "forfeited"
    assert Bid.objects.get(pk=second.pk).status == "offered"
    assert Bill.objects.filter(subject_type="ijara_balance", status="open").count() == 1


def test_two_refunds_of_one_security_at_once_send_it_back_once(
    gateway, parking_tender, make_user, officer, at_opening
):
    a, b = make_user(), make_user()
    won = ijara.bid_submit(tender=parking_tender, bidder=a, amount="240000")
    lost = ijara.bid_submit(tender=parking_tender, bidder=b, amount="210000")
    for done in (won, lost):
        pay_at_gateway(payment_initiate_online(bills=done.bills, payer=done.bid.bidder))
    Bid.objects.filter(pk=lost.bid.pk).update(refund=Bid.Refund.PENDING)
    results = run_together(
        lambda: ijara.bid_security_refund(bid_id=lost.bid.pk, actor=officer),
        lambda: ijara.bid_security_refund(bid_id=lost.bid.pk, actor=officer),
    )
    assert sorted(str(r) for r in results) == ["pending", "refunded"], results
    assert Refund.objects.filter(status="succeeded").count() == 1
    assert Bid.objects.get(pk=lost.bid.pk).refund == "refunded"
