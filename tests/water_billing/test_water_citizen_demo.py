"""The demo's water connections (seed_demo): a few hundred over every ward, 12 months of
readings with a rollover, a replaced meter, estimated months and a spike, the last two
months billed, and the demo citizen's connection linked with its bills unpaid — made once."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count

from payments.models import Bill
from water_billing.models import Connection, Meter, Reading, WaterBill

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Connection, Meter, Reading, WaterBill, Bill)]


def test_the_demo_city_has_water_connections_with_a_year_of_readings():
    started = time.perf_counter()
    call_command("seed_demo", stdout=None)
    seconds = time.perf_counter() - started
    assert Connection.objects.count() >= 250
    assert Connection.objects.values("ward").distinct().count() >= 10
    assert Connection.objects.filter(metered=False).exists()
    metered = Connection.objects.filter(metered=True)
    # 12 months up to last month (10 December 2026: December 2025 to November 2026).
    months = (
        Reading.objects.filter(connection__in=metered).values("connection").annotate(n=Count("pk"))
    )
    assert {m["n"] for m in months} == {12}
    periods = sorted(set(Reading.objects.values_list("period", flat=True)))
    assert periods[0] == date(2025, 12, 1) and periods[-1] == date(2026, 11, 1)
    statuses = set(Reading.objects.values_list("status", flat=True))
    assert {"ok", "rollover", "replaced", "estimated", "flagged"} <= statuses
    assert Meter.objects.filter(removed_on__isnull=False, final_reading__isnull=False).count() == 1
    assert Reading.objects.filter(flag="spike").count() == 1
    # The last two months billed, set-based; one of last month's bills is an estimate.
    billed = dict(WaterBill.objects.values_list("period").annotate(n=Count("pk")))
    assert set(billed) == {date(2026, 10, 1), date(2026, 11, 1)}
    assert WaterBill.objects.filter(period="2026-11-01", estimated=True).count() == 1
    # The demo citizen: one connection, linked, its spike last month, both months unpaid:
    # one due in "what I owe", not billed yet.
    from core import portal

    mine = Connection.objects.get(user__mobile="01711000001")
    assert mine.readings.get(period="2026-11-01").flag == "spike"
    assert list(mine.bills.values_list("status", flat=True)) == ["due", "due"]
    (due,) = [d for d in portal.open_dues(mine.user) if d.service == "water_billing"]
    assert due.amount == sum(b.total for b in mine.bills.all())
    assert not Bill.objects.filter(service="water_billing").exists()
    # Another connection on the citizen's holdings (12/A) is offered for linking.
    assert Connection.objects.filter(ward__number=1, holding_number="12/A", user=None).exists()
    assert seconds < 60  # the whole demo (water's part: about 2 s on PostgreSQL)


def test_seeding_twice_makes_nothing_twice():
    call_command("seed_demo", stdout=None)
    first = counts()
    call_command("seed_demo", stdout=None)
    assert counts() == first
