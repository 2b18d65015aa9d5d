"""The trader's licence pages: the apply wizard (a draft saved and resumed, documents
uploaded with refusals shown, review with the fee and submit), documents served only to
those allowed, someone else's things are 404, one-step renewal, paying through the gateway
and the dashboard panel."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from payments.models import CounterSession, Payment
from payments.services import counter_session_open, counter_take_cash
from trade_licenses.models import Application, ApplicationDocument, Licence
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    inspection_record,
)

from .conftest import DHAKA, PDF, TRADER_TIN, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db

DETAILS = {
    "trader_name_bn": "করিম মিয়া",
    "trader_name_en": "Karim Mia",
    "trader_nid": "১৯৮৭৬৫৪৩২১",
    "trader_mobile": "০১৭১১০০০০০১",
    "trader_tin": "১২৩৪৫৬৭৮৯০১২",
    "trader_father_or_husband_name": "Abdul Karim",
    "trader_mother_name": "Rokeya Begum",
    "trader_present_address": "12 KDA Avenue, Khulna",
    "trader_permanent_address": "Village Rupsha, Khulna",
    "name_bn": "করিম স্টোর",
    "name_en": "Karim Store",
    "category_code": "grocery",
    "paid_up_capital": "",
    "premises_address": "12 KDA Avenue",
    "ward": "৫",
    "premises": "rented",
    "holding_ward": "",
    "holding_number": "",
    "signboard_sqft": "১২",
}


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(client, application, kind, name, data):
    return client.post(
        f"/licences/applications/{application.pk}/documents/",
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def issue_licence(application, inspector, officer, clerk):
    application_transition(application=application, to=S.INSPECTION, actor=inspector)
    inspection_record(application=application, inspector=inspector, findings="All as declared.")
    application_transition(application=application, to=S.APPROVAL, actor=inspector)
    application_issue_bill(application=application, actor=officer)
    session = CounterSession.objects.filter(
        clerk=clerk, status="open"
    ).first() or counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[application.bill], clerk=clerk)
    return Licence.objects.get(application=application)


@pytest.fixture
def submitted(make_draft, add_documents, trader):
    def make(business=None):
        application = make_draft(business)
        add_documents(application, trader)
        return application_submit(application=application, actor=trader)

    return make


# --- the wizard ------------------------------------------------------------------------------


def test_wizard_creates_a_draft_resumes_it_uploads_documents_and_submits(client, trader):
    client.force_login(trader)
    page = client.get("/licences/apply/")
    assert page.status_code == 200 and "Grocery" in page.content.decode()

    response = client.post("/licences/apply/", DETAILS)
    application = Application.objects.get(business__trader=trader)
    assert response.status_code == 302
    assert response["Location"] == f"/licences/applications/{application.pk}/documents/"
    assert application.status == S.DRAFT and application.kind == "new"
    assert (application.trader_nid, application.trader_tin) == ("1987654321", TRADER_TIN)
    assert str(application.business.signboard_sqft) == "12.00"
    assert application.business.ward.number == 5

    # Resumed later: my licences offers to continue, the details can be changed.
    mine = client.get("/licences/").content.decode()
    assert f"/licences/applications/{application.pk}/documents/" in mine
    assert "Continue" in mine
    edit = f"/licences/applications/{application.pk}/edit/"
    assert "Karim Store" in client.get(edit).content.decode()
    response = client.post(edit, {**DETAILS, "signboard_sqft": "১০"})
    assert response.status_code == 302
    application.business.refresh_from_db()
    assert str(application.business.signboard_sqft) == "10.00"
    assert Application.objects.filter(business__trader=trader).count() == 1

    # Documents: a fake PDF is refused with a message, nothing stored.
    page = client.get(f"/licences/applications/{application.pk}/documents/").content.decode()
    for label in ("National ID card", "Trader&#x27;s photo", "TIN certificate", "Rent agreement"):
        assert label in page
    response = upload(client, application, "nid", "nid.pdf", b"MZ not a pdf at all")
    assert any("is not a real PDF file" in t for t in texts(response))
    assert "is not a real PDF file" in response.content.decode()
    assert not ApplicationDocument.objects.filter(application=application).exists()

    for kind in ("nid", "tin", "rent_agreement"):
        response = upload(client, application, kind, f"{kind}.pdf", PDF)
        assert any("is uploaded" in t for t in texts(response))
    upload(client, application, "photo", "me.png", image_bytes("PNG"))
    assert ApplicationDocument.objects.filter(application=application).count() == 4

    # Review: the fee with each line's rule, the documents, submit with confirmation.
    review = f"/licences/applications/{application.pk}/"
    page = client.get(review).content.decode()
    assert "Trade licence fee" in page and "Signboard tax" in page and "VAT" in page
    assert "signboard tax 100.00 per sq ft × 10 sq ft" in page
    assert "1,725.00" in page  # 500 + 1,000 + 15% VAT of 1,500
    assert "nid.pdf" in page

    response = client.post(review, {}, follow=True)  # not confirmed
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert "Tick the box to confirm." in response.content.decode()

    response = client.post(review, {"confirm": "on"}, follow=True)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert any("submitted" in t for t in texts(response))
    # Submitted: documents can no longer be added.
    response = upload(client, application, "other", "more.pdf", PDF)
    assert application.documents.count() == 4


def test_submit_with_missing_documents_is_refused_with_the_list(client, trader, make_draft):
    application = make_draft()
    client.force_login(trader)
    response = client.post(
        f"/licences/applications/{application.pk}/", {"confirm": "on"}, follow=True
    )
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert any("Upload these documents first" in t for t in texts(response))


def test_bad_details_show_errors_and_create_nothing(client, trader):
    client.force_login(trader)
    response = client.post(
        "/licences/apply/", {**DETAILS, "trader_tin": "123", "premises": "owned", "ward": "999"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "12-digit e-TIN" in page and "enter the holding" in page
    assert not Application.objects.exists()


# --- documents and other people's things ----------------------------------------------------


def test_document_served_inline_to_the_trader_and_officers_only(
    client, trader, inspector, make_user, make_draft, add_documents
):
    application = make_draft()
    add_documents(application, trader)
    application_submit(application=application, actor=trader)  # the inspector's queue
    document = application.documents.get(kind="nid")
    url = f"/licences/documents/{document.pk}/"
    for user in (trader, inspector):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_someone_elses_application_document_and_business_are_not_found(
    client, make_user, make_draft, add_documents, trader
):
    application = make_draft()
    add_documents(application, trader)
    document = application.documents.first()
    client.force_login(make_user())
    base = f"/licences/applications/{application.pk}"
    for url in (
        f"{base}/",
        f"{base}/edit/",
        f"{base}/documents/",
        f"/licences/documents/{document.pk}/",
        f"/licences/renew/{application.business.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/pay/").status_code == 404
    assert client.post(f"{base}/", {"confirm": "on"}).status_code == 404
    assert client.post(f"{base}/documents/", {"remove": document.pk}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.DRAFT and application.documents.count() == 4


def test_pages_need_sign_in(client):
    for url in ("/licences/", "/licences/apply/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- renewal ---------------------------------------------------------------------------------


def test_renewal_in_one_step_goes_straight_to_approval(
    client, trader, submitted, inspector, officer, clerk
):
    licence = issue_licence(submitted(), inspector, officer, clerk)
    client.force_login(trader)
    page = client.get("/licences/").content.decode()
    assert licence.number in page and "/licences/renew/" not in page  # this year's is done

    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        client.force_login(trader)
        page = client.get("/licences/").content.decode()
        renew = f"/licences/renew/{licence.business.pk}/"
        assert renew in page
        assert licence.number in client.get(renew).content.decode()
        response = client.post(renew, {"confirm": "on"}, follow=True)
        renewal = Application.objects.get(kind="renewal")
        assert (renewal.fiscal_year, renewal.status) == ("2026-27", S.SUBMITTED)
        assert not renewal.needs_inspection
        assert renewal.trader_tin == TRADER_TIN and renewal.filed_by == trader
        assert any("straight to the licence officer" in t for t in texts(response))
        # Renewing twice is not offered, and refused.
        assert renew not in client.get("/licences/").content.decode()
        client.post(renew, {"confirm": "on"})
        assert Application.objects.filter(kind="renewal").count() == 1


def test_renewal_needs_the_confirmation(client, trader, submitted, inspector, officer, clerk):
    licence = issue_licence(submitted(), inspector, officer, clerk)
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        client.force_login(trader)
        response = client.post(f"/licences/renew/{licence.business.pk}/", {})
        assert response.status_code == 200
        assert "Tick the box to confirm." in response.content.decode()
        assert not Application.objects.filter(kind="renewal").exists()


# --- paying and the dashboard ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pay_starts_the_online_payment_and_redirects_to_the_gateway(
    client, trader, submitted, inspector, officer, gateway
):
    application = submitted()
    application_transition(application=application, to=S.INSPECTION, actor=inspector)
    inspection_record(application=application, inspector=inspector, findings="Fine.")
    application_transition(application=application, to=S.APPROVAL, actor=inspector)
    application_issue_bill(application=application, actor=officer)
    client.force_login(trader)
    page = client.get("/licences/").content.decode()
    assert f"/licences/applications/{application.pk}/pay/" in page
    assert client.get(f"/licences/applications/{application.pk}/pay/").status_code == 405

    response = client.post(f"/licences/applications/{application.pk}/pay/")
    assert response.status_code == 302
    assert response["Location"].startswith(gateway.url)
    payment = Payment.objects.get(payer=trader)
    assert payment.status == "pending" and payment.gateway_url == response["Location"]
    assert payment.amount == application.bill.total


def test_pay_without_a_bill_is_refused(client, trader, make_draft):
    application = make_draft()
    client.force_login(trader)
    response = client.post(f"/licences/applications/{application.pk}/pay/", follow=True)
    assert any("no fee bill" in t for t in texts(response))
    assert not Payment.objects.exists()


def test_dashboard_panel_shows_licences_and_what_waits(
    client, trader, make_draft, submitted, inspector, officer, clerk, make_business
):
    licence = issue_licence(submitted(), inspector, officer, clerk)
    make_draft(make_business(name_bn="দ্বিতীয়", name_en="Second Shop"))
    client.force_login(trader)
    page = client.get("/dashboard/").content.decode()
    assert 'data-section="licences"' in page
    assert licence.number in page and "Continue the application" in page


def test_renewal_of_a_category_that_needs_documents_every_year_stops_at_documents(
    client, trader, make_business, make_draft, add_documents, inspector, officer, clerk
):
    application = make_draft(make_business(category_code="restaurant_non_ac"))
    add_documents(application, trader, extra=("health_approval",))
    application_submit(application=application, actor=trader)
    licence = issue_licence(application, inspector, officer, clerk)
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        client.force_login(trader)
        response = client.post(f"/licences/renew/{licence.business.pk}/", {"confirm": "on"})
        renewal = Application.objects.get(kind="renewal")
        assert response.status_code == 302
        assert response["Location"] == f"/licences/applications/{renewal.pk}/documents/"
        assert (renewal.fiscal_year, renewal.status) == ("2026-27", S.DRAFT)
        assert any("upload some documents every year" in t for t in texts(response))
        page = client.get(response["Location"]).content.decode()
        assert "Health" in page


def test_my_licences_makes_the_same_number_of_queries_for_many_businesses(
    client,
    trader,
    make_business,
    make_draft,
    submitted,
    inspector,
    officer,
    clerk,
    django_assert_max_num_queries,
):
    def shops(n: int, start: int):
        for i in range(start, start + n):
            business = make_business(name_bn=f"দোকান {i}", name_en=f"Shop {i}")
            if i % 3 == 0:
                issue_licence(submitted(business), inspector, officer, clerk)
            else:
                make_draft(business)

    client.force_login(trader)
    shops(2, 0)
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        client.force_login(trader)
        with django_assert_max_num_queries(25) as few:
            assert client.get("/licences/").status_code == 200
        with django_assert_max_num_queries(40) as few_dashboard:
            assert client.get("/dashboard/").status_code == 200
    shops(6, 2)
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        client.force_login(trader)
        with django_assert_max_num_queries(len(few.captured_queries)) as many:
            page = client.get("/licences/").content.decode()
        assert page.count("/licences/renew/") >= 3  # Shop 0, 3 and 6 renew from FY 2025-26
        assert len(many.captured_queries) == len(few.captured_queries)
        # The dashboard's licences panel reads the same overview.
        with django_assert_max_num_queries(len(few_dashboard.captured_queries)):
            assert 'data-section="licences"' in client.get("/dashboard/").content.decode()
