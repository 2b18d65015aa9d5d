"""The demo e-bikes (seed_demo): a fleet over every ward with cards, expired and suspended
licences and a replaced card, two devices with sightings, the demo citizen's two e-bikes (one
to renew) and an application in the officer's queue; run twice, nothing doubles."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from ezbike.models import Application, CardLookup, Licence, ScanDevice, Sighting, Vehicle
from ezbike.services import plate_status

pytestmark = pytest.mark.django_db


def test_the_demo_fleet(client):
    from accounts.demo import CITIZEN_MOBILE
    from accounts.models import User

    started = time.monotonic()
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    counts = (Vehicle.objects.count(), Sighting.objects.count(), ScanDevice.objects.count())
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert (Vehicle.objects.count(), Sighting.objects.count(), ScanDevice.objects.count()) == counts
    assert counts == (303, 400, 2)
    statuses = dict(Licence.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["expired"] == 31 and statuses["suspended"] == 20 and statuses["applied"] == 1
    assert set(CardLookup.objects.values_list("status", flat=True)) == {
        "valid",
        "suspended",
        "blacklisted",
    }
    assert Sighting.objects.filter(status="unknown").exists()
    assert Application.objects.filter(licence__status="applied").count() == 1
    # A plate of the fleet answers as a reader is told.
    vehicle = Vehicle.objects.filter(licences__status="active").exclude(plate_no=None).first()
    assert plate_status(vehicle.plate_no)["status"] == "valid"
    # The demo citizen: two e-bikes, the lapsed one to renew.
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    client.force_login(citizen)
    page = client.get("/ezbike/").content.decode()
    assert page.count("/ezbike/vehicles/") >= 2
    lapsed = Vehicle.objects.get(chassis_no="DEMOCITIZEN2")
    assert "Renew the licence" in client.get(f"/ezbike/vehicles/{lapsed.pk}/").content.decode()
    # Every plate once; the next approval gets a new one.
    plated = Vehicle.objects.exclude(plate_no=None)
    assert plated.values("plate_no").distinct().count() == plated.count() == 302
    from ezbike.services import licence_approve

    licence_approve(licence=Application.objects.get().licence, actor=None)
    assert plated.values("plate_no").distinct().count() == plated.count() == 303
    assert time.monotonic() - started < 60
