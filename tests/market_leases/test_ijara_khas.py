# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""Khas collection: a site with no valid bid is collected directly; the counter clerk bills
a day's takings (one bill per site and day) and takes the cash, whose receipt is the record;
refusals; the page; two clerks entering the same day at once collect it once
(PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from market_leases.services import ijara
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Payment, Receipt
from payments.services import PaymentError, counter_session_open, counter_take_cash

from .conftest import codes
from .ijara_fixtures import AMOUNT, at_opening, site, tender  # noqa: F401


@pytest.fixture
def khas_site(tender, citizen, officer, at_opening):
    ijara.bid_submit(tender=tender, bidder=citizen, amount=AMOUNT)  # never paid: invalid
    with at_opening():
        ijara.tender_open(tender=tender, actor=officer)
    return tender.site


def _cash(make_user, bill):
    clerk = make_user("counter_clerk")
    return counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)


@pytest.mark.django_db
def test_a_days_takings_are_billed_and_taken_in_cash_once(khas_site, make_user):
    # 10 December 2026 is in 1433; the tender was for 1434, so the site is khas now anyway.
    day = date(2026, 12, 9)
    bill = ijara.khas_bill_issue(site=khas_site, day=day, amount="১২,৫০০.৫০", collector="Abdul")
    assert bill.total == Decimal("12500.50") and bill.lines.get().head == "lease"
    payment = _cash(make_user, bill)
    assert payment.status == "succeeded" and Receipt.objects.filter(payment=payment).exists()
    with pytest.raises(ValidationError) as e:
        ijara.khas_bill_issue(site=khas_site, day=day, amount="100", collector="Abdul")
    assert codes(e.value) == {"already_recorded"}
    assert find_discrepancies() == []


@pytest.mark.django_db
def test_refusals_a_day_to_come_nothing_taken_a_leased_site(khas_site, officer):
    with pytest.raises(ValidationError) as e:
        ijara.khas_bill_issue(site=khas_site, day=date(2026, 12, 11), amount="5", collector="A")
    assert codes(e.value) == {"future"}
    with pytest.raises(ValidationError) as e:
        ijara.khas_bill_issue(site=khas_site, day=date(2026, 12, 9), amount="0", collector="A")
    assert codes(e.value) == {"not_positive"}
    from market_leases.ijara_models import Tender

    Tender.objects.create(
        site=khas_site,
        year=1433,
        reference="old",
        schedule_fee=0,
        security_step=1,
        bid_opens_at="2026-01-01T00:00Z",
        bid_closes_at="2026-01-02T00:00Z",
        opening_at="2026-01-03T00:00Z",
        reserve_average=1,
        reserve_price=1,
        status="leased",
    )
    with pytest.raises(ValidationError) as e:
        ijara.khas_bill_issue(site=khas_site, day=date(2026, 12, 9), amount="5", collector="A")
    assert codes(e.value) == {"leased"}
    assert not Bill.objects.filter(subject_type="ijara_khas").exists()


@pytest.mark.django_db
def test_the_counter_page_bills_and_sends_to_the_cash_counter(khas_site, client, make_user):
    clerk = make_user("counter_clerk")
    client.force_login(clerk)
    url = reverse("market_leases:khas")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"site": khas_site.pk, "day": "2026-12-09", "collector": "Abdul", "amount": "৫০০"}
    )
    bill = Bill.objects.get(subject_type="ijara_khas")
    assert response.status_code == 302 and bill.number in response["Location"]
    bad = client.post(
        url, {"site": khas_site.pk, "day": "2026-12-30", "collector": "Abdul", "amount": "5"}
    )
    assert bad.status_code == 400
    assert Bill.objects.filter(subject_type="ijara_khas").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_entering_the_same_day_at_once_collect_it_once(khas_site, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=c) for c in clerks]

    def enter(clerk, session):
        bill = ijara.khas_bill_issue(
            site=khas_site, day=date(2026, 12, 9), amount="7000", collector="Abdul"
        )
        return counter_take_cash(session=session, bills=[bill], clerk=clerk)

    barrier = threading.Barrier(2)

    def run(args):
        barrier.wait()
        try:
            return enter(*args)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, zip(clerks, sessions, strict=True)))
    assert all(isinstance(r, Payment | PaymentError | ValidationError) for r in results), results
    collected = Allocation.objects.filter(bill__subject_type="ijara_khas").aggregate(
        s=Sum("amount")
    )["s"]
    assert collected == Decimal("7000.00")
    assert find_discrepancies() == []
