"""Applications for a new connection: filed (holding checked, papers checked by content),
decided by the water officer (fees billed through payments, or rejected), the fee paid
(registry hook), the meter installed and the connection opened; SMS at each step; pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import SmsMessage
from core.models import AuditLog
from holdings.public import HoldingCheck
from payments.models import Bill
from payments.services import counter_session_open, counter_take_cash, payment_void
from water_billing.models import Connection, ConnectionApplication, Meter
from water_billing.services import applications as svc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="paper.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def papers():
    return {"nid": pdf("nid.pdf"), "ownership": pdf("deed.pdf")}


@pytest.fixture(autouse=True)
def _tariff(db):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()


@pytest.fixture
def applicant(make_user):
    return make_user("citizen", mobile="01711999888")


def submit(holding, applicant, **kw):
    kw.setdefault("documents", papers())
    return svc.application_submit(
        ward=3,
        holding_number="45/A",
        applicant_name="Karim",
        applicant_mobile="01711999888",
        applicant=applicant,
        actor=applicant,
        pipe_diameter_mm=20,
        road_cutting=True,
        **kw,
    )


def sms(key_text: str):
    return [m for m in SmsMessage.objects.filter(kind="water_case") if key_text in m.text]


def test_filed_from_home_registers_an_applied_connection_with_its_papers(
    holding, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(holding, applicant)
    assert application.status == "submitted" and application.channel == "online"
    assert application.connection.status == Connection.Status.APPLIED
    assert application.connection.user == applicant
    assert sorted(d.kind for d in application.documents.all()) == ["nid", "ownership"]
    assert SmsMessage.objects.filter(kind="water_case", to="01711999888").count() == 1
    assert AuditLog.objects.filter(action="water.application_submitted").count() == 1


def test_a_holding_with_dues_or_unknown_is_refused_and_nothing_is_kept(
    holding, applicant, monkeypatch
):
    monkeypatch.setattr(svc, "holding_check", lambda **kw: HoldingCheck(True, True, "3/45/A"))
    with pytest.raises(ValidationError) as e:
        submit(holding, applicant)
    assert "owes holding tax" in str(e.value.message_dict["holding_number"])
    monkeypatch.setattr(svc, "holding_check", lambda **kw: HoldingCheck(False, None, "3/9"))
    with pytest.raises(ValidationError) as e:
        submit(holding, applicant)
    assert "No holding" in str(e.value.message_dict["holding_number"])
    assert not Connection.objects.exists() and not ConnectionApplication.objects.exists()


def test_papers_are_checked_by_content(holding, applicant):
    with pytest.raises(ValidationError) as e:
        submit(
            holding,
            applicant,
            documents={"nid": pdf("nid.pdf", b"not a pdf at all"), "ownership": None},
        )
    errors = e.value.message_dict
    assert "not a real PDF" in errors["doc_nid"][0]
    assert errors["doc_ownership"] == ["Upload this document."]
    assert not Connection.objects.exists()


def approve(application, officer):
    return svc.application_decide(
        application=application, actor=officer, approve=True, reason="Holding checked"
    )


def test_approval_bills_the_fee_by_pipe_and_the_road_cutting_from_the_tariff(
    holding, applicant, officer, django_capture_on_commit_callbacks
):
    from water_billing.models import TariffPipe
    from water_billing.selectors import tariff_on

    application = submit(holding, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        approve(application, officer)
    application.refresh_from_db()
    tariff = tariff_on(date(2026, 12, 10))
    fee = TariffPipe.objects.get(tariff=tariff, diameter_mm=20).connection_fee
    assert application.status == "billed"
    assert application.connection_fee == fee
    assert application.road_cutting_fee == tariff.road_cutting_fee
    bill = application.bill
    assert bill.service == "water_billing" and bill.subject_type == "application"
    assert bill.total == fee + tariff.road_cutting_fee
    assert [line.head for line in bill.lines.order_by("position")] == ["registration_fee", "other"]
    from water_billing.registry_hooks import subject_users

    assert subject_users([bill]) == {applicant.pk}  # whose cached figures its payment drops
    assert SmsMessage.objects.filter(kind="water_case", to="01711999888").count() == 1
    # Decided once: a second decision is refused.
    with pytest.raises(ValidationError):
        approve(application, officer)


def test_rejection_closes_the_connection_with_the_reason(holding, applicant, officer):
    application = submit(holding, applicant)
    svc.application_decide(
        application=application, actor=officer, approve=False, reason="No water main nearby"
    )
    application.refresh_from_db()
    assert application.status == "rejected" and application.bill is None
    assert application.connection.status == Connection.Status.CLOSED
    assert application.connection.status_changes.last().reason == "No water main nearby"


def test_only_a_water_officer_decides(holding, applicant, make_user):
    application = submit(holding, applicant)
    with pytest.raises(ValidationError):
        approve(application, make_user("counter_clerk"))


def test_paid_then_meter_installed_opens_the_connection(holding, applicant, officer, make_user):
    application = approve(submit(holding, applicant), officer)
    with pytest.raises(ValidationError):  # not paid yet
        svc.application_connect(
            application=application, actor=officer, installed_on=date(2026, 12, 9), serial="W-9"
        )
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    payment = counter_take_cash(session=session, bills=[application.bill], clerk=clerk)
    application.refresh_from_db()
    assert application.status == "paid"
    assert application.connection.status == Connection.Status.APPLIED  # no meter yet
    svc.application_connect(
        application=application,
        actor=officer,
        installed_on=date(2026, 12, 9),
        serial="w-9",
        initial_reading=7,
    )
    application.refresh_from_db()
    conn = application.connection
    assert application.status == "connected"
    assert conn.status == Connection.Status.ACTIVE and conn.connected_on == date(2026, 12, 9)
    meter = Meter.objects.get(connection=conn)
    assert (meter.serial, meter.initial_reading) == ("W-9", 7)
    # A voided fee payment after connecting leaves the connection open, on record.
    payment_void(payment=payment, officer=make_user("revenue_officer"), reason="wrong cash")
    application.refresh_from_db()
    assert application.status == "connected"
    assert AuditLog.objects.filter(action="water.application_fee_voided").exists()


def test_a_void_before_connecting_sends_it_back_to_billed(holding, applicant, officer, make_user):
    application = approve(submit(holding, applicant), officer)
    clerk = make_user("counter_clerk")
    payment = counter_take_cash(
        session=counter_session_open(clerk=clerk), bills=[application.bill], clerk=clerk
    )
    payment_void(payment=payment, officer=make_user("revenue_officer"), reason="counterfeit")
    application.refresh_from_db()
    assert application.status == "billed"


def test_a_cancelled_fee_bill_returns_the_application_to_the_officer(holding, applicant, officer):
    from payments.services import bill_cancel

    application = approve(submit(holding, applicant), officer)
    bill_cancel(bill=application.bill, reason="tariff typo", actor=officer)
    application.refresh_from_db()
    assert application.status == "submitted" and application.bill is None
    assert Bill.objects.get().status == "cancelled"
    approve(application, officer)  # billed again
    assert Bill.objects.filter(status="open").count() == 1


# --- pages -----------------------------------------------------------------------------------


def test_the_citizen_applies_from_home_and_follows_it(client, holding, applicant):
    client.force_login(applicant)
    assert client.get("/water/apply/").status_code == 200
    response = client.post(
        "/water/apply/",
        {
            "ward": "৩",
            "holding_number": "45/A",
            "category": "residential",
            "pipe_diameter_mm": "20",
            "metered": "on",
            "applicant_name": "Karim",
            "applicant_mobile": "01711999888",
            "doc_nid": pdf("nid.pdf"),
            "doc_ownership": pdf("deed.pdf"),
        },
    )
    application = ConnectionApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/water/applications/{application.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/water/applications/").status_code == 200


def test_a_bad_paper_is_shown_on_the_form(client, holding, applicant):
    client.force_login(applicant)
    response = client.post(
        "/water/apply/",
        {
            "ward": "3",
            "holding_number": "45/A",
            "category": "residential",
            "pipe_diameter_mm": "20",
            "applicant_name": "Karim",
            "applicant_mobile": "01711999888",
            "doc_nid": pdf("nid.pdf", b"GIF89a"),
            "doc_ownership": pdf("deed.pdf"),
        },
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert "“nid.pdf”" in response.content.decode()
    assert not ConnectionApplication.objects.exists()


def test_the_clerk_files_and_the_officer_decides_on_the_pages(
    client, holding, officer, make_user, applicant
):
    clerk = make_user("counter_clerk")
    client.force_login(clerk)
    response = client.post(
        "/water/counter/apply/",
        {
            "ward": "3",
            "holding_number": "45/A",
            "category": "commercial",
            "pipe_diameter_mm": "25",
            "applicant_name": "Karim",
            "applicant_mobile": "01711999888",
            "doc_nid": pdf("nid.pdf"),
            "doc_ownership": pdf("deed.pdf"),
        },
    )
    assert response.status_code == 302
    application = ConnectionApplication.objects.get()
    assert application.channel == "counter" and application.applicant == applicant
    assert application.filed_by == clerk
    client.force_login(officer)
    assert client.get("/water/officer/applications/").status_code == 200
    page = client.get(f"/water/officer/applications/{application.pk}/")
    assert page.status_code == 200
    doc = application.documents.first()
    got = client.get(f"/water/officer/applications/{application.pk}/documents/{doc.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # No confirmation: nothing decided.
    response = client.post(
        f"/water/officer/applications/{application.pk}/",
        {"decision": "approve", "reason": "ok"},
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "submitted"
    response = client.post(
        f"/water/officer/applications/{application.pk}/",
        {"decision": "approve", "reason": "ok", "confirm": "on"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "billed" and application.bill.total > Decimal("0")


def test_the_queue_takes_a_fixed_number_of_queries(
    client, holding, officer, applicant, django_assert_max_num_queries
):
    for _ in range(3):
        submit(holding, applicant)
    client.force_login(officer)
    client.get("/water/officer/applications/")
    with django_assert_max_num_queries(14):
        assert client.get("/water/officer/applications/").status_code == 200
    for _ in range(5):
        submit(holding, applicant)
    with django_assert_max_num_queries(14):
        assert client.get("/water/officer/applications/").status_code == 200


def test_the_fee_lines_say_which_tariff_and_fee_in_either_language(holding, applicant, officer):
    from core.explain import explain

    application = submit(holding, applicant)
    approve(application, officer)
    application.refresh_from_db()
    line = application.bill.lines.order_by("position").first()
    assert line.explanation == explain(line.explanation_data, "en")
    assert "connection fee of a 20 mm pipe" in line.explanation  # and its fee, from the data
    bengali = explain(line.explanation_data, "bn")
    assert "২০" in bengali and not any(c.isascii() and c.isdigit() for c in bengali)
