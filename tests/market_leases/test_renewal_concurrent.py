"""Two estate officers renewing one agreement at the same moment to the same end: one
renewal, the other told the agreement must now end later (PostgreSQL: threads, a barrier
and two connections; allotment_renew takes the shop's row lock, then the allotment's).
An expired agreement renewed twice at once becomes active once, with one history row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from core.models import AuditLog
from market_leases.models import Allotment, AllotmentStatusChange
from market_leases.services import agreements_expire, allotment_renew, allotment_set_status

from .conftest import codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if db.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def run_together(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ValidationError as error:
            return error
        finally:
            db.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def renew(allotment, actor, reference):
    return lambda: allotment_renew(
        allotment=Allotment.objects.get(pk=allotment.pk),
        ends_on=date(2032, 1, 31),
        decision_reference=reference,
        actor=actor,
    )


def one_won(results) -> None:
    won = [r for r in results if isinstance(r, Allotment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(refused) == 1
    assert codes(refused[0]) == {"ends_too_soon"}


@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_renewing_an_active_agreement_at_once_renew_it_once(
    shop, lessee, licence, allot, officer, make_user, attempt
):
    a = allot(shop, lessee, licence, starts_on=date(2026, 6, 1), ends_on=date(2027, 1, 31))
    allotment_set_status(allotment=a, to="active", actor=officer)
    results = run_together(
        renew(a, officer, "KCC/Estate/2026/240"),
        renew(a, make_user("estate_officer"), "KCC/Estate/2026/241"),
    )
    one_won(results)
    a.refresh_from_db()
    assert (a.status, a.ends_on) == ("active", date(2032, 1, 31))
    assert AuditLog.objects.filter(action="markets.allotment_renew").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_renewing_an_expired_agreement_at_once_make_it_active_once(
    shop, lessee, licence, allot, officer, make_user, attempt
):
    a = allot(shop, lessee, licence, starts_on=date(2026, 6, 1), ends_on=date(2026, 11, 30))
    allotment_set_status(allotment=a, to="active", actor=officer)
    assert agreements_expire(today=date(2026, 12, 10)) == 1
    results = run_together(
        renew(a, officer, "KCC/Estate/2026/240"),
        renew(a, make_user("estate_officer"), "KCC/Estate/2026/241"),
    )
    one_won(results)
    a.refresh_from_db()
    assert (a.status, a.ends_on) == ("active", date(2032, 1, 31))
    back = AllotmentStatusChange.objects.filter(allotment=a, from_status="expired")
    assert list(back.values_list("to_status", flat=True)) == ["active"]
    assert AuditLog.objects.filter(action="markets.allotment_renew").count() == 1
