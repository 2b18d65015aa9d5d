"""Two estate officers allotting one shop at the same moment: one wins, the other is told
the shop is not vacant (PostgreSQL: threads, a barrier and two connections; the shop's row
lock, with the partial unique constraint behind it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from market_leases.models import Allotment, AllotmentStatusChange
from market_leases.services import allotment_set_status, lessee_register, shop_allot

from .conftest import OTHER_NID, issue_licence

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


def allot(shop, lessee, licence, actor, reference):
    return lambda: shop_allot(
        shop=shop,
        lessee=lessee,
        basis="committee",
        decision_reference=reference,
        decision_date=date(2026, 12, 1),
        starts_on=date(2027, 1, 1),
        trade_licence_number=licence,
        actor=actor,
    )


@pytest.fixture
def rival(officer):
    return lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)


@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_allotting_one_shop_at_once_one_wins(
    shop, lessee, licence, rival, officer, make_user, attempt
):
    second_officer = make_user("estate_officer")
    rival_licence = issue_licence(OTHER_NID)
    results = run_together(
        allot(shop, lessee, licence, officer, "KCC/Estate/2026/118"),
        allot(shop, rival, rival_licence, second_officer, "KCC/Estate/2026/119"),
    )
    won = [r for r in results if isinstance(r, Allotment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(refused) == 1
    assert refused[0].code == "shop_occupied"
    # The threads speak the site's default language, Bengali: "… is not vacant".
    assert "খালি নেই" in refused[0].messages[0]
    live = Allotment.objects.filter(shop=shop, status__in=Allotment.OCCUPYING)
    assert list(live.values_list("pk", flat=True)) == [won[0].pk]
    assert Allotment.objects.count() == 1
    assert AllotmentStatusChange.objects.count() == 1


def test_a_renewal_and_a_new_allotment_at_once_leave_one_holder(
    shop, lessee, licence, rival, officer
):
    first = allot(shop, lessee, licence, officer, "KCC/Estate/2026/118")()
    allotment_set_status(allotment=first, to="active", actor=officer)
    allotment_set_status(allotment=first, to="expired", actor=officer)
    rival_licence = issue_licence(OTHER_NID)
    results = run_together(
        lambda: allotment_set_status(allotment=first, to="active", actor=officer),
        allot(shop, rival, rival_licence, officer, "KCC/Estate/2026/120"),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "shop_occupied"
    assert Allotment.objects.filter(shop=shop, status__in=Allotment.OCCUPYING).count() == 1
