"""A trader applies for a trade licence from home in the browser (details, documents, review,
submit); the inspector (inspection queue: start, record the visit, send for approval) and the
licence officer (approval queue: approve, which issues the bill) act through their pages, each
in their own browser; the trader pays through the gateway simulator, the licence is issued and
the trader downloads the certificate PDF; a year later (frozen time) the trader renews in one
step from "My trade licences"."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from core.roles import Role
from trade_licenses.models import Application, Licence

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DHAKA = ZoneInfo("Asia/Dhaka")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, label: str, name: str, mime: str, data: bytes) -> None:
    page.get_by_label(label, exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_role("button", name=f"Upload {label}").click()
    page.get_by_text(f"{label} is uploaded.").wait_for()


def open_from_queue(page, application) -> None:
    """Open the application from a queue (its row, then "Open")."""
    row = page.locator("#queue tbody tr").filter(has_text=f"TL-{application.pk}")
    row.get_by_role("link", name="Open").click()
    page.wait_for_url(re.compile(rf"/licences/officer/applications/{application.pk}/$"))


def take_step(page, key: str, label: str, *, findings: str = "") -> None:
    """Open a step on the officer's application page, fill it in, confirm and submit."""
    form = page.locator("form").filter(has=page.locator(f"input[name='action'][value='{key}']"))
    page.locator("details").filter(has=form).locator("summary").click()
    if findings:
        form.get_by_label("Findings").fill(findings)
    form.get_by_label("I have checked the application and want to take this step.").check()
    form.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_trader_applies_pays_and_renews_a_year_later(signed_in, make_user):
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        trader = make_user(
            Role.CITIZEN,
            mobile="01711000001",
            name_bn="করিম মিয়া",
            name_en="Karim Mia",
            nid="1987654321",
        )
        page = signed_in(trader)
        page.goto("/licences/")
        page.get_by_role("link", name="Apply for a new trade licence").click()

        # Step 1: details (the account's name, NID and mobile are filled in already).
        assert page.get_by_label("Your NID number").input_value() == "1987654321"
        page.get_by_label("Your e-TIN").fill("১২৩৪৫৬৭৮৯০১২")
        page.get_by_label("Your father's or husband's name").fill("Abdul Karim")
        page.get_by_label("Your mother's name").fill("Rokeya Begum")
        page.get_by_label("Your present address").fill("12 KDA Avenue, Khulna")
        page.get_by_label("Your permanent address").fill("Village Rupsha, Khulna")
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
            {"name": "nid.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}
        )
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

        # The inspector: the inspection queue, the application, start, record, send on.
        inspector = make_user(Role.LICENCE_INSPECTOR)
        officer_page = signed_in(inspector)
        officer_page.goto("/licences/officer/inspections/")
        open_from_queue(officer_page, application)
        take_step(officer_page, "start_inspection", "Start the inspection")
        officer_page.get_by_text("The inspection has started.").wait_for()
        take_step(
            officer_page,
            "record_inspection",
            "Record the inspection",
            findings="Shop open, signboard as declared.",
        )
        officer_page.get_by_text("The inspection is recorded.").wait_for()
        officer_page.get_by_text("Shop open, signboard as declared.").first.wait_for()
        take_step(officer_page, "send_to_approval", "Send for approval")
        officer_page.get_by_text("The application is sent for approval.").wait_for()
        application.refresh_from_db()
        assert application.status == "approval"
        assert application.inspections.get().inspector == inspector

        # The licence officer: the approval queue, the application, approve (the bill).
        officer = make_user(Role.LICENCE_OFFICER)
        officer_page = signed_in(officer)
        officer_page.goto("/licences/officer/approvals/")
        open_from_queue(officer_page, application)
        take_step(officer_page, "approve", "Approve and issue the fee bill")
        officer_page.get_by_text(re.compile(r"Approved: fee bill \S+ is issued")).wait_for()
        application.refresh_from_db()
        assert application.status == "billed"
        assert application.bill is not None
        with translation.override("en"):  # the officer's browser is in English
            assert officer_page.locator("#status").inner_text() == application.get_status_display()

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

        # The trader downloads the certificate.
        link = page.get_by_role("link", name="Certificate (PDF)").first
        response = page.request.get(link.get_attribute("href"))
        assert response.ok
        assert response.headers["content-type"] == "application/pdf"
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        assert licence.number in text
        assert licence.valid_until.isoformat() == "2026-06-30"
        assert re.search(r"30\s+June\s+2026", text), text

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
