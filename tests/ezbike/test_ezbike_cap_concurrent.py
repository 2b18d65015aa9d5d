"""The last place under the fleet cap, approved twice at the same moment on PostgreSQL
(threads and a barrier): one application is approved, the other waits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from ezbike.defaults import ensure_schedule
from ezbike.models import Licence
from ezbike.services import licence_apply, licence_approve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def test_two_approvals_for_the_last_place_one_waits(make_vehicle, license_vehicle, officer):
    schedule = ensure_schedule("2026-27")
    schedule.city_cap = 2
    schedule.save()
    license_vehicle(make_vehicle(1))
    a = licence_apply(vehicle=make_vehicle(2, ward=8), actor=officer)
    b = licence_apply(vehicle=make_vehicle(3, ward=9), actor=officer)
    barrier = threading.Barrier(2)

    def approve(licence):
        barrier.wait()
        try:
            return licence_approve(licence=licence, actor=officer).status
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(approve, [a, b]))
    assert statuses == ["approved", "waiting"]
    assert Licence.objects.filter(status__in=Licence.HOLDS_PLACE).count() == 2
