"""The trade-licence certificate (trade_licenses/certificates.py): rendered for a licence
issued through the services, its text extracted with pypdf; the Celery task that stores it;
/verify/<code>/ (valid, expired, unknown); the public search by number; who may download
the PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.roles import Role
from payments.models import CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses import tasks
from trade_licenses.certificates import certificate_context, render_certificate
from trade_licenses.models import Application, Licence
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    inspection_record,
)
from trade_licenses.views.public import SEARCH_LIMIT

from .conftest import DHAKA, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db

NAME_BN = "সবুজ বাজার"  # no vowel sign placed before its consonant: extracts cleanly
NAME_EN = "Sabuj Bazar"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def issue(
    make_draft,
    make_business,
    add_documents,
    trader,
    inspector,
    officer,
    clerk,
    django_capture_on_commit_callbacks,
):
    """Issue a licence through the whole workflow (new application, paid at the counter)."""

    def make(**business_fields) -> Licence:
        business = make_business(**{"name_bn": NAME_BN, "name_en": NAME_EN, **business_fields})
        application = make_draft(business)
        add_documents(application, trader)
        application_submit(application=application, actor=trader)
        application_transition(application=application, to=S.INSPECTION, actor=inspector)
        inspection_record(
            application=application,
            inspector=inspector,
            findings="Shop open as declared.",
            photos=[SimpleUploadedFile("front.png", image_bytes("PNG"))],
        )
        application_transition(application=application, to=S.APPROVAL, actor=inspector)
        application_issue_bill(application=application, actor=officer)
        session = CounterSession.objects.filter(
            clerk=clerk, status=CounterSession.Status.OPEN
        ).first() or counter_session_open(clerk=clerk)
        counter_take_cash(session=session, bills=[application.bill], clerk=clerk)
        return Licence.objects.get(application=application)

    return make


def test_certificate_carries_number_bengali_name_validity_and_qr(issue, settings, tmp_path):
    licence = issue()
    assert licence.number == "KCC/TL/2025-26/000001"
    data = render_certificate(licence)
    assert data.startswith(b"%PDF")
    # Page 1 renders to an image (one page: the QR block must not spill over).
    if shutil.which("pdftoppm"):
        pdf = tmp_path / "certificate.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True
        )
        assert [p.name for p in tmp_path.glob("page*.png")] == ["page-1.png"]
    text = pdf_text(data)
    assert licence.number in text
    assert NAME_BN in text and NAME_EN in text
    assert "30 June 2026" in text  # valid until 30 June of the fiscal year
    assert "Trade licence" in text or "TRADE LICENCE" in text.upper()
    assert "Grocery shop" in text and "Karim Mia" in text
    assert "1,955.00" in text  # fees paid, from the bill lines
    assert f"{settings.SITE_URL}/verify/{licence.verify_code}/" in text

    context = certificate_context(licence)
    assert context["issued_on"]["en"] == "10 August 2025"
    assert context["issued_on"]["bs"]["bn"].endswith("বঙ্গাব্দ")
    assert [row["amount"]["en"] for row in context["fees"]] == ["৳500.00", "৳1,200.00", "৳255.00"]


def test_task_stores_the_pdf_and_is_idempotent(issue):
    licence = issue()
    name = tasks.render_certificate_pdf(licence.pk)
    licence.refresh_from_db()
    assert licence.pdf.name == name and name.endswith("trade-licence-KCC-TL-2025-26-000001.pdf")
    with licence.pdf.open("rb") as fh:
        assert fh.read().startswith(b"%PDF")
    assert tasks.render_certificate_pdf(licence.pk) == name  # replaced, same name


def test_issuing_a_licence_enqueues_the_certificate_after_commit(
    issue, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.render_certificate_pdf, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        licence = issue()
    assert queued == [licence.pk]


def test_verify_page_valid_then_expired_and_unknown(issue, client):
    licence = issue()
    url = f"/verify/{licence.verify_code}/"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-verify="trade_licence" data-valid="true"' in body
    assert licence.number in body and NAME_BN in body and NAME_EN in body

    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=DHAKA), tick=False):
        body = client.get(url).content.decode()
    assert 'data-valid="false"' in body and licence.number in body

    assert client.get("/verify/0123456789abcdef/").status_code == 404


def test_search_finds_a_valid_licence_and_says_not_valid_for_an_expired_one(issue, client):
    licence = issue()
    url = reverse("trade_licenses:search")
    body = client.get(url, {"number": licence.number}).content.decode()
    assert 'data-search-result="valid"' in body
    assert NAME_BN in body and ("মুদি দোকান" in body or "Grocery shop" in body)
    assert "Karim Mia" not in body and licence.verify_code not in body  # nothing else

    # Bengali digits and lower case are accepted.
    bengali = "kcc/tl/২০২৫-২৬/০০০০০১"
    body = client.get(url, {"number": bengali}).content.decode()
    assert 'data-search-result="valid"' in body

    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=DHAKA), tick=False):
        body = client.get(url, {"number": licence.number}).content.decode()
    assert 'data-search-result="not-valid"' in body

    body = client.get(url, {"number": "KCC/TL/2025-26/999999"}).content.decode()
    assert 'data-search-result="none"' in body


def test_search_is_rate_limited_per_ip(client):
    from django.core.cache import cache

    cache.clear()
    url = reverse("trade_licenses:search")
    for _ in range(SEARCH_LIMIT):
        assert client.get(url, {"number": "KCC/TL/2025-26/000009"}).status_code == 200
    assert client.get(url, {"number": "KCC/TL/2025-26/000009"}).status_code == 429
    other = client.get(url, {"number": "KCC/TL/2025-26/000009"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    cache.clear()


def test_certificate_pdf_access(issue, client, trader, make_user):
    licence = issue()
    url = reverse("trade_licenses:certificate_pdf", args=[licence.pk])
    assert url == f"/licences/certificate/{licence.pk}.pdf"

    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]

    client.force_login(trader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    for role in (
        Role.LICENCE_INSPECTOR,
        Role.LICENCE_OFFICER,
        Role.COUNTER_CLERK,
        Role.REVENUE_OFFICER,
    ):
        client.force_login(make_user(role))
        assert client.get(url).status_code == 200, role

    client.force_login(make_user(Role.CITIZEN))
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.ASSESSOR))
    assert client.get(url).status_code == 404


def test_renewal_deadline_extended_by_order_is_the_one_the_certificate_bills_and_reports_read(
    issue,
):
    import datetime

    from trade_licenses.fees import ScheduleRates
    from trade_licenses.models import RenewalDeadlineExtension
    from trade_licenses.reports import renewal_deadline
    from trade_licenses.services import schedule_for

    licence = issue()
    context = certificate_context(licence)
    assert context["renew_for"]["en"] == "2026-27"
    assert context["renew_by"]["en"] == "30 September 2026"

    schedule = schedule_for("2026-27")
    RenewalDeadlineExtension.objects.create(
        schedule=schedule,
        new_date=datetime.date(2026, 10, 31),
        order_reference="KCC/Rev/2026/112",
        order_date=datetime.date(2026, 9, 20),
    )
    schedule = schedule_for("2026-27")
    assert schedule.renewal_deadline == datetime.date(2026, 9, 30)  # its own date, kept
    assert schedule.effective_renewal_deadline == datetime.date(2026, 10, 31)
    assert ScheduleRates.from_schedule(schedule).renewal_deadline == datetime.date(2026, 10, 31)
    assert renewal_deadline("2026-27") == datetime.date(2026, 10, 31)
    context = certificate_context(licence)
    assert context["renew_by"]["en"] == "31 October 2026"
    assert context["renew_by"]["bn"].startswith("৩১ ")
    assert context["renew_by"]["bn"].endswith(" ২০২৬")
    text = pdf_text(render_certificate(licence))
    assert "by 31 October 2026" in " ".join(text.split())


def test_the_fee_schedule_admin_records_renewal_deadline_extensions_inline(client, make_user):
    from trade_licenses.services import schedule_for

    schedule = schedule_for("2026-27")
    client.force_login(make_user("administrator"))
    page = client.get(f"/admin/trade_licenses/feeschedule/{schedule.pk}/change/")
    assert page.status_code == 200
    assert b"extensions-TOTAL_FORMS" in page.content
    assert b"order_reference" in page.content
    # The surcharge cap is the officers' to set, next to the monthly rate.
    assert b'name="late_surcharge_cap_percent"' in page.content
