"""A trader applies for a trade licence from home in the browser (details, documents, review,
submit); the inspector and the licence officer act through the services (their pages are
separate); the trader pays through the gateway simulator and the licence is issued; a year
later (frozen time) the trader renews in one step from "My trade licences"."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from core.roles import Role
from trade_licenses.models import Application, Licence
from trade_licenses.services import (
    application_issue_bill,
    application_transition,
    inspection_record,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DHAKA = ZoneInfo("Asia/Dhaka")
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def signed_in(browser, live_server, client, settings):
    """A browser context signed in as a given user, in English."""
    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    contexts = []

    def open_as(user):
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies["sessionid"].value,
             "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"},
        ])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


def upload(page, label: str, name: str, mime: str, data: bytes) -> None:
    page.get_by_label(label, exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name=f"Upload {label}").click()
    page.get_by_text(f"{label} is uploaded.").wait_for()


def test_trader_applies_pays_and_renews_a_year_later(signed_in, make_user):
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        trader = make_user(Role.CITIZEN, mobile="01711000001", name_bn="করিম মিয়া",
                           name_en="Karim Mia", nid="1987654321")
        page = signed_in(trader)
        page.goto("/licences/")
        page.get_by_role("link", name="Apply for a new trade licence").click()

        # Step 1: details (the account's name, NID and mobile are filled in already).
        assert page.get_by_label("Your NID number").input_value() == "1987654321"
        page.get_by_label("Your e-TIN").fill("১২৩৪৫৬৭৮৯০১২")
        page.get_by_label("Business name (Bengali)").fill("করিম স্টোর")
        page.get_by_label("Business name (English)").fill("Karim Store")
        page.get_by_label("Kind of business").select_option("grocery")
        page.get_by_label("Signboard size (square feet)").fill("১২")
        page.get_by_label("Address of the premises").fill("12 KDA Avenue, Khulna")
        page.get_by_label("Ward number of the premises").fill("৫")
        page.get_by_role("button", name="Save and continue to documents").click()
        page.wait_for_url(re.compile(r"/licences/applications/\d+/documents/"))
        application = Application.objects.get(business__trader=trader)
        assert application.status == "draft"

        # Step 2: documents (a fake PDF is refused first).
        page.get_by_label("National ID card", exact=True).set_input_files(
            {"name": "nid.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"})
        page.get_by_role("button", name="Upload National ID card").click()
        page.get_by_text("is not a real PDF file").wait_for()
        upload(page, "National ID card", "nid.pdf", "application/pdf", PDF)
        upload(page, "Trader's photo", "photo.png", "image/png", png_bytes())
        upload(page, "TIN certificate", "tin.pdf", "application/pdf", PDF)
        upload(page, "Rent agreement", "rent.pdf", "application/pdf", PDF)
        page.get_by_role("link", name="Continue to review").click()

        # Step 3: review the fee and submit.
        assert page.get_by_text("Signboard tax").first.is_visible()
        page.get_by_text("1,955.00").first.wait_for()
        page.get_by_label("I confirm that these details are correct.").check()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.get_by_text("Your application is submitted").wait_for()
        application.refresh_from_db()
        assert application.status == "submitted"

        # The inspector and the licence officer (their pages are built elsewhere).
        inspector = make_user(Role.LICENCE_INSPECTOR)
        officer = make_user(Role.LICENCE_OFFICER)
        application_transition(application=application, to="inspection", actor=inspector)
        inspection_record(application=application, inspector=inspector,
                          findings="Shop open, signboard as declared.")
        application_transition(application=application, to="approval", actor=inspector)
        application_issue_bill(application=application, actor=officer)

        # The trader pays through the simulator.
        page.goto("/licences/")
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.get_by_role("button", name="Pay with bKash").click()
        page.wait_for_url(re.compile(r"/payments/p/"))
        for _ in range(20):
            if page.locator("[data-status='succeeded']").count():
                break
            if page.get_by_role("button", name="Check again").count():
                page.get_by_role("button", name="Check again").click()
            else:
                page.reload()
            page.wait_for_timeout(300)
        assert page.locator("[data-status='succeeded']").count() == 1
        licence = Licence.objects.get(application=application)
        assert re.fullmatch(r"[A-Z]+/TL/2025-26/\d{6}", licence.number)
        page.goto("/licences/")
        page.get_by_text(licence.number).first.wait_for()

    # A year later, after 1 July of the next fiscal year: renew in one step.
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        page = signed_in(trader)  # the old session has expired by now
        page.goto("/licences/")
        page.get_by_role("link", name="Renew Karim Store").click()
        page.get_by_label("I confirm that these details are correct.").check()
        page.get_by_role("button", name="Renew now").click()
        page.get_by_text("goes straight to the licence officer").wait_for()
        renewal = Application.objects.get(business=application.business, kind="renewal")
        assert (renewal.fiscal_year, renewal.status) == ("2026-27", "submitted")
        assert not renewal.needs_inspection
    assert settings.SSLCOMMERZ_SIMULATOR_ENABLED
