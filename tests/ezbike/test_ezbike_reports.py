"""The e-bike officer's reports: the fleet per ward against the caps, licences expired or
suspended with the reason, sightings of cards that may not run by place and hour; each as
CSV and XLSX; for e-bike officers only."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from ezbike.models import WardCap
from ezbike.services import licence_set_status, scan_batch

from .conftest import DHAKA, FY

pytestmark = pytest.mark.django_db


def test_the_fleet_per_ward_against_the_caps(client, officer, make_vehicle, license_vehicle):
    from ezbike.defaults import ensure_schedule
    from ezbike.services import licence_apply, licence_approve

    schedule = ensure_schedule(FY)
    from core.models import Ward

    WardCap.objects.create(schedule=schedule, ward=Ward.objects.get(number=7), cap=2)
    for n in range(2):
        license_vehicle(make_vehicle(n))
    waiting = licence_apply(vehicle=make_vehicle(5), actor=officer)
    licence_approve(licence=waiting, actor=officer)
    license_vehicle(make_vehicle(9, ward=3))
    client.force_login(officer)
    page = client.get("/ezbike/officer/fleet/").content.decode()
    assert "Fleet per ward" in page
    response = client.get("/ezbike/officer/fleet/?format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Ward,E-bikes licensed,Fleet cap,Places left,Waiting"
    assert "7,2,2,0,1" in lines and "3,1,,,0" in lines
    response = client.get("/ezbike/officer/fleet/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "Ward",
        "E-bikes licensed",
        "Fleet cap",
        "Places left",
        "Waiting",
    ]


def test_expired_and_suspended_licences(client, officer, make_vehicle, license_vehicle):
    a, b = make_vehicle(0), make_vehicle(1)
    la = license_vehicle(a)
    license_vehicle(b)
    licence_set_status(licence=la, to="suspended", reason="No fitness paper", actor=officer)
    client.force_login(officer)
    page = client.get("/ezbike/officer/licences/?status=suspended").content.decode()
    assert a.plate_no in page and "No fitness paper" in page and b.plate_no not in page
    page = client.get("/ezbike/officer/licences/").content.decode()
    assert a.plate_no not in page  # none expired yet
    response = client.get("/ezbike/officer/licences/?status=suspended&format=csv")
    text = response.content.decode("utf-8-sig")
    assert a.plate_no in text and "No fitness paper" in text and "Karim Sheikh" in text


def test_sightings_by_place_and_hour(client, officer, licensed):
    from ezbike.services import card_bind, device_register

    card_bind(vehicle=licensed, uid="04A21B3C", actor=officer)
    device, _token = device_register(name="Gate 1", place="Shibbari crossing")
    at = datetime.datetime(2026, 12, 10, 9, 15, tzinfo=DHAKA)
    reads = [
        {"uid": "0A0B0C0D", "read_at": at.isoformat(), "seq": 1},
        {"uid": "0A0B0C0D", "read_at": (at + datetime.timedelta(minutes=5)).isoformat(), "seq": 2},
        {"uid": "0E0E0E0E", "read_at": at.isoformat(), "seq": 3},
        {"uid": "04A21B3C", "read_at": at.isoformat(), "seq": 4},  # valid: not listed
    ]
    scan_batch(device=device, data={"reads": reads})
    client.force_login(officer)
    page = client.get("/ezbike/officer/sightings/").content.decode()
    assert "Shibbari crossing" in page and "Unknown" in page
    text = client.get("/ezbike/officer/sightings/?format=csv").content.decode("utf-8-sig")
    assert "Shibbari crossing,2026-12-10 09:00,Unknown,3,2" in text.splitlines()


def test_reports_are_for_e_bike_officers(client, make_user):
    client.force_login(make_user("citizen"))
    for url in (
        "/ezbike/officer/fleet/",
        "/ezbike/officer/licences/",
        "/ezbike/officer/sightings/",
    ):
        assert client.get(url).status_code == 403
