"""E-bike fixtures: an owner resident in ward 7, a passenger e-bike, a licensed one (applied,
approved, active — through the services), an e-bike officer; today is fixed (10 December
2026, FY 2026-27) and messages are in English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = date(2026, 12, 10)
FY = "2026-27"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english_pages(client):
    """The test client reads pages and API answers in English (Bengali is the default)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 10, 11, 0, tzinfo=DHAKA), tick=True):
        yield


@pytest.fixture
def officer(make_user):
    from core.roles import Role

    return make_user(Role.EBIKE_OFFICER)


@pytest.fixture
def make_vehicle(db):
    """make_vehicle(n=0, ward=7, vehicle_type="passenger") -> a registered e-bike (its own
    owner)."""
    from ezbike.services import owner_register, vehicle_register

    def make(n: int = 0, ward: int = 7, vehicle_type: str = "passenger"):
        owner = owner_register(
            nid=f"{1990000000 + n}",
            name_bn="করিম শেখ",
            name_en="Karim Sheikh",
            nid_ward=ward,
            nid_address="Sonadanga, Khulna",
            mobile="01712345678",
        )
        return vehicle_register(
            owner=owner,
            vehicle_type=vehicle_type,
            chassis_no=f"CH{n:06d}",
            motor_no=f"MO{n:06d}",
            battery_count=4,
            maker="Hero",
        )

    return make


@pytest.fixture
def license_vehicle(officer):
    """license_vehicle(vehicle) -> its licence for the current year, active."""
    from ezbike.services import licence_apply, licence_approve, licence_set_status

    def make(vehicle, fiscal_year: str = FY):
        licence = licence_apply(vehicle=vehicle, fiscal_year=fiscal_year, actor=officer)
        licence_approve(licence=licence, actor=officer)
        licence_set_status(licence=licence, to="active", actor=officer)
        vehicle.refresh_from_db()
        return licence

    return make


@pytest.fixture
def licensed(make_vehicle, license_vehicle):
    vehicle = make_vehicle()
    license_vehicle(vehicle)
    return vehicle
