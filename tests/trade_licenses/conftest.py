"""Trade-licence fixtures: people in each role, a business with a draft, document files."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.roles import Role
from trade_licenses.services import application_create_draft, business_create, document_add

DHAKA = ZoneInfo("Asia/Dhaka")
TRADER_MOBILE = "01711000001"
TRADER_NID = "1987654321"
TRADER_TIN = "123456789012"

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are read in English here (the trader's SMS keep the trader's language)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _in_fy_2025_26():
    """10 August 2025: FY 2025-26, before the renewal deadline."""
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        yield


@pytest.fixture
def pdf_file():
    def make(name: str = "doc.pdf", data: bytes = PDF):
        return SimpleUploadedFile(name, data, content_type="application/pdf")

    return make


@pytest.fixture
def png_file():
    def make(name: str = "photo.png"):
        return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")

    return make


@pytest.fixture
def trader(make_user):
    return make_user(
        Role.CITIZEN, mobile=TRADER_MOBILE, name_bn="করিম মিয়া", name_en="Karim Mia", nid=TRADER_NID
    )


@pytest.fixture
def inspector(make_user):
    return make_user(Role.LICENCE_INSPECTOR, name_en="Inspector")


@pytest.fixture
def officer(make_user):
    return make_user(Role.LICENCE_OFFICER, name_en="Licence officer")


@pytest.fixture
def clerk(make_user):
    return make_user(Role.COUNTER_CLERK, name_en="Clerk")


@pytest.fixture
def make_business(trader):
    def make(owner=None, *, actor=None, category_code: str = "grocery", **fields):
        owner = trader if owner is None else owner
        values = {
            "name_bn": "করিম স্টোর",
            "name_en": "Karim Store",
            "premises_address": "12 KDA Avenue",
            "ward": 5,
            "signboard_sqft": Decimal("12"),
            **fields,
        }
        return business_create(
            actor=actor or owner, trader=owner or None, category_code=category_code, **values
        )

    return make


@pytest.fixture
def make_draft(make_business, trader):
    def make(business=None, *, filed_by=None, **kwargs):
        business = business or make_business()
        kwargs.setdefault("trader_tin", TRADER_TIN)
        return application_create_draft(business=business, filed_by=filed_by or trader, **kwargs)

    return make


@pytest.fixture
def add_documents(pdf_file, png_file):
    """Upload the documents a new licence for a rented premises needs (+ `extra` kinds)."""

    def add(application, actor, extra: tuple[str, ...] = ()):
        for kind in ("nid", "tin", "rent_agreement", *extra):
            document_add(
                application=application, kind=kind, file=pdf_file(f"{kind}.pdf"), actor=actor
            )
        document_add(application=application, kind="photo", file=png_file(), actor=actor)

    return add


@pytest.fixture
def gateway(live_server, settings):
    """Point the real client at the simulator on the live server (and callbacks at it)."""
    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    return live_server
