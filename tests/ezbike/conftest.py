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


# --- applications -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "photo.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(data, format="PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def pdf(name: str = "papers.pdf", data: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def application_input(n: int = 0, **over) -> dict:
    """What an application carries (application_submit's keywords but the actors)."""
    data = {
        "owner": {
            "nid": f"{1980000000 + n}",
            "name_bn": "রহিম মিয়া",
            "name_en": "Rahim Mia",
            "mobile": f"0181{n:07d}",
            "ward": 7,
            "address": "Sonadanga, Khulna",
            "photo": png(),
        },
        "vehicle": {
            "vehicle_type": "passenger",
            "chassis_no": f"CHA{n:05d}",
            "motor_no": f"MOT{n:05d}",
            "battery_count": 4,
            "maker": "Hero",
        },
        "drivers": [
            {
                "nid": f"{1970000000 + n}",
                "driving_licence_no": f"DK{n:07d}",
                "name_bn": "করিম",
                "mobile": "",
                "photo": png("driver.png"),
            }
        ],
        "documents": {"vehicle_photo": png("bike.png"), "ownership": pdf()},
    }
    for key, value in over.items():
        data[key] = value
    return data


@pytest.fixture
def submit(make_user):
    """submit(n=0, applicant=None, **over) -> an application filed from home."""
    from ezbike.services.applications import application_submit

    def make(n: int = 0, applicant=None, **over):
        applicant = applicant or make_user(
            "citizen", mobile=f"0181{n:07d}", preferred_language="en"
        )
        return application_submit(
            **application_input(n, **over), applicant=applicant, actor=applicant
        )

    return make


@pytest.fixture
def pay(make_user):
    """pay(bill) -> the cash payment taken at a counter for it."""
    from payments.services import counter_session_open, counter_take_cash

    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)

    def make(bill):
        return counter_take_cash(session=session, bills=[bill], clerk=clerk)

    return make
