"""The trade-licence workflow (trade_licenses/services.py) on a real database: the happy
path to a paid bill and an issued licence, return and resubmit, rejection, refusals that
change nothing, the history (ApplicationEvent + audit) and the trader's SMS at each step.

SMS go out in transaction.on_commit callbacks: each step runs inside
django_capture_on_commit_callbacks(execute=True) so that they are sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import SmsMessage
from core.digits import to_bengali_digits
from core.models import AuditLog
from core.roles import Role
from payments.models import Bill, CounterSession
from payments.services import bill_cancel, counter_session_open, counter_take_cash
from trade_licenses import services
from trade_licenses.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Licence,
)
from trade_licenses.selectors import documents_visible_to
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    application_update_draft,
    document_add,
    inspection_record,
)

from .conftest import DHAKA, PDF, TRADER_MOBILE, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db


def messages_to(mobile: str = TRADER_MOBILE) -> list[str]:
    return list(
        SmsMessage.objects.filter(to=mobile, kind="trade_licence")
        .order_by("pk")
        .values_list("text", flat=True)
    )


def trail(application) -> list[tuple[str, str]]:
    return list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def audit_actions(application) -> list[str]:
    return list(
        AuditLog.objects.filter(
            object_type="trade_licenses.application", object_id=str(application.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def pay_at_counter(clerk, bill):
    session = CounterSession.objects.filter(
        clerk=clerk, status=CounterSession.Status.OPEN
    ).first() or counter_session_open(clerk=clerk)
    return counter_take_cash(session=session, bills=[bill], clerk=clerk)


@pytest.fixture
def submitted(make_draft, add_documents, trader, django_capture_on_commit_callbacks):
    def make(business=None):
        application = make_draft(business)
        add_documents(application, trader)
        with django_capture_on_commit_callbacks(execute=True):
            return application_submit(application=application, actor=trader)

    return make


def to_approval(application, inspector, capture):
    with capture(execute=True):
        application_transition(application=application, to=S.INSPECTION, actor=inspector)
        inspection_record(
            application=application,
            inspector=inspector,
            findings="Shop open, signboard 12 sq ft as declared.",
            photos=[SimpleUploadedFile("front.png", image_bytes("PNG"))],
        )
        return application_transition(application=application, to=S.APPROVAL, actor=inspector)


# --- the happy path ---------------------------------------------------------------------


def test_happy_path_new_grocery_licence_to_paid_bill_and_issued_licence(
    submitted, inspector, officer, clerk, trader, make_business, django_capture_on_commit_callbacks
):
    application = submitted()
    assert application.status == S.SUBMITTED
    assert (application.category_code, application.signboard_sqft) == ("grocery", Decimal("12.00"))
    assert application.needs_inspection and not application.on_behalf

    to_approval(application, inspector, django_capture_on_commit_callbacks)
    assert application.status == S.APPROVAL
    inspection = application.inspections.get()
    assert inspection.inspector == inspector
    assert inspection.photos.get().kind == "inspection_photo"

    with django_capture_on_commit_callbacks(execute=True):
        application_issue_bill(application=application, actor=officer)
    assert application.status == S.BILLED
    bill = application.bill
    assert (bill.service, bill.fiscal_year, bill.payer) == ("trade_licenses", "2025-26", trader)
    lines = {line.head: (str(line.amount), line.explanation) for line in bill.lines.all()}
    assert {head: amount for head, (amount, _) in lines.items()} == {
        "licence_fee": "500.00",
        "signboard_tax": "1200.00",
        "vat": "255.00",
    }
    assert lines["signboard_tax"][1] == (
        "FY 2025-26 schedule: signboard tax 100.00 per sq ft × 12 sq ft"
    )
    assert str(bill.total) == "1955.00"
    assert bill.due_date == date(2025, 8, 25)

    with django_capture_on_commit_callbacks(execute=True):
        pay_at_counter(clerk, bill)
    application.refresh_from_db()
    assert application.status == S.ISSUED
    licence = Licence.objects.get(application=application)
    assert licence.number == "KCC/TL/2025-26/000001"
    assert licence.valid_until == date(2026, 6, 30)
    assert licence.bill == bill and licence.is_current and len(licence.verify_code) == 16

    assert trail(application) == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "inspection"),
        ("inspection", "approval"),
        ("approval", "billed"),
        ("billed", "paid"),
        ("paid", "issued"),
    ]
    actions = audit_actions(application)
    for step in ("submitted", "inspection", "approval", "billed", "paid", "issued"):
        assert f"trade_licence.{step}" in actions
    assert "trade_licence.draft_created" in actions and "trade_licence.inspected" in actions
    assert AuditLog.objects.filter(
        action="trade_licence.licence_issued", object_id=str(licence.pk)
    ).exists()

    texts = messages_to()
    assert len(texts) == 5  # submitted, inspection, approval, billed, issued
    assert f"TL-{to_bengali_digits(application.pk)}" in texts[0]  # as the trader's pages
    assert "৳১,৯৫৫.০০" in texts[3] and bill.number in texts[3]  # Bengali: the trader's language
    assert "KCC/TL/2025-26/000001" in texts[4]

    # A second business's licence takes the next number.
    other = submitted(make_business(name_bn="দ্বিতীয় দোকান", name_en="Second Shop"))
    to_approval(other, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=other, actor=officer)
    pay_at_counter(clerk, other.bill)
    assert Licence.objects.get(application=other).number == "KCC/TL/2025-26/000002"


def test_clerk_files_on_behalf_of_a_trader_without_an_account(
    make_business, clerk, add_documents, django_capture_on_commit_callbacks
):
    business = make_business(owner=False, actor=clerk)
    application = services.application_create_draft(
        business=business,
        filed_by=clerk,
        trader_name_bn="রহিম",
        trader_nid="1234567890",
        trader_mobile="01819000111",
        trader_tin="111122223333",
    )
    assert application.on_behalf and application.filed_by == clerk
    add_documents(application, clerk)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, actor=clerk)
    assert application.status == S.SUBMITTED
    assert len(messages_to("01819000111")) == 1
    assert ApplicationEvent.objects.filter(
        application=application, to_status="draft", reason="filed on the trader's behalf"
    ).exists()


def test_someone_else_cannot_file_for_a_traders_business(make_business, make_user):
    business = make_business()
    stranger = make_user(mobile="01999000000")
    with pytest.raises(ValidationError) as err:
        services.application_create_draft(business=business, filed_by=stranger)
    assert err.value.code == "forbidden"
    assert not Application.objects.exists()


# --- return, resubmit, reject -------------------------------------------------------------


def test_return_for_correction_then_resubmit(
    submitted, inspector, trader, png_file, django_capture_on_commit_callbacks
):
    application = submitted()
    with pytest.raises(ValidationError) as err:
        application_transition(application=application, to=S.RETURNED, actor=inspector)
    assert err.value.code == "no_reason"
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=application,
            to=S.RETURNED,
            actor=inspector,
            reason="The photo is blurred; the signboard is 20 sq ft.",
        )
    assert application.status == S.RETURNED
    assert application.decision_reason.startswith("The photo is blurred")
    assert "The photo is blurred" in messages_to()[-1]

    application_update_draft(application=application, actor=trader, signboard_sqft="20")
    document_add(application=application, kind="photo", file=png_file("new.png"), actor=trader)
    application_submit(application=application, actor=trader)
    assert application.status == S.SUBMITTED
    assert application.signboard_sqft == Decimal("20.00")
    assert application.decision_reason == ""
    assert trail(application)[-2:] == [("submitted", "returned"), ("returned", "submitted")]
    assert AuditLog.objects.filter(
        action="trade_licence.draft_updated",
        object_id=str(application.pk),
        after__signboard_sqft="20.00",
    ).exists()


def test_reject_needs_a_reason_and_is_final(
    submitted, inspector, officer, make_draft, django_capture_on_commit_callbacks
):
    application = submitted()
    events = ApplicationEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        application_transition(application=application, to=S.REJECTED, actor=officer, reason="  ")
    assert "reason is required" in err.value.messages[0]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and ApplicationEvent.objects.count() == events

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=application,
            to=S.REJECTED,
            actor=officer,
            reason="Not a grocery: a warehouse of chemicals.",
        )
    assert application.status == S.REJECTED
    assert "warehouse of chemicals" in messages_to()[-1]
    with pytest.raises(ValidationError) as err:
        application_transition(application=application, to=S.INSPECTION, actor=inspector)
    assert err.value.code == "bad_transition"
    # A rejected application does not hold the year: a new one may be filed.
    assert make_draft(application.business).status == S.DRAFT


# --- refusals that change nothing -----------------------------------------------------------


def test_submit_without_documents_refused_listing_them_nothing_changed(
    make_draft, trader, django_capture_on_commit_callbacks
):
    application = make_draft()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as err:
        application_submit(application=application, actor=trader)
    text = " ".join(err.value.messages)
    for label in ("National ID card", "Trader's photo", "TIN certificate", "Rent agreement"):
        assert label in text
    application.refresh_from_db()
    assert application.status == S.DRAFT and application.submitted_at is None
    assert trail(application) == [("", "draft")]
    assert not SmsMessage.objects.exists()


def test_factory_without_environment_and_fire_clearance_refused(
    make_business, make_draft, add_documents, trader, pdf_file
):
    application = make_draft(make_business(category_code="factory"))
    add_documents(application, trader)
    with pytest.raises(ValidationError) as err:
        application_submit(application=application, actor=trader)
    assert "Environment clearance" in err.value.messages[0]
    assert "Fire service clearance" in err.value.messages[0]
    for kind in ("environment_clearance", "fire_clearance"):
        document_add(application=application, kind=kind, file=pdf_file(), actor=trader)
    assert application_submit(application=application, actor=trader).status == S.SUBMITTED


def test_bad_trader_details_refused_at_submit(make_draft, add_documents, trader):
    application = make_draft(trader_tin="")
    add_documents(application, trader)
    with pytest.raises(ValidationError) as err:
        application_submit(application=application, actor=trader)
    assert any("e-TIN" in m for m in err.value.messages)
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


@pytest.mark.parametrize(
    ("name", "data", "kind", "code"),
    [
        ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "nid", "file_too_large"),
        ("letter.docx", b"PK\x03\x04 word document", "nid", "wrong_type"),
        ("notes.txt", b"just text", "nid", "wrong_type"),
        ("nid.pdf", b"<html>this is not a pdf</html>", "nid", "fake_pdf"),
        ("nid.pdf", image_bytes("JPEG"), "nid", "fake_pdf"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "nid", "fake_pdf"),
        ("photo.png", image_bytes("JPEG"), "photo", "type_mismatch"),
        ("photo.pdf", PDF, "photo", "photo_not_image"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "photo", "broken_image"),
        ("empty.pdf", b"", "nid", "empty_file"),
    ],
)
def test_bad_uploads_refused_nothing_stored(make_draft, trader, name, data, kind, code):
    application = make_draft()
    with pytest.raises(ValidationError) as err:
        document_add(
            application=application, kind=kind, file=SimpleUploadedFile(name, data), actor=trader
        )
    assert err.value.code == code
    assert err.value.messages[0]
    assert not ApplicationDocument.objects.exists()
    assert not AuditLog.objects.filter(action="trade_licence.document_added").exists()


def test_good_upload_stored_privately_with_hash_and_random_name(
    make_draft, trader, pdf_file, settings
):
    application = make_draft()
    document = document_add(
        application=application, kind="nid", file=pdf_file("My NID scan.pdf"), actor=trader
    )
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert len(document.sha256) == 64 and document.original_name == "My NID scan.pdf"
    assert "NID" not in document.file.name and document.file.name.endswith(".pdf")
    assert document.file.path.startswith(str(settings.MEDIA_ROOT / "private"))
    with document.file.open("rb") as fh:
        assert fh.read() == PDF


def test_second_application_for_the_same_business_and_year_refused(make_draft, trader):
    first = make_draft()
    with pytest.raises(ValidationError) as err:
        make_draft(first.business)
    assert err.value.code == "duplicate_application"
    assert "already has an application for FY 2025-26" in err.value.messages[0]
    assert Application.objects.count() == 1
    # Another year is another application.
    assert make_draft(first.business, fiscal_year="2026-27").fiscal_year == "2026-27"


def test_approval_by_a_role_without_the_permission_refused_nothing_changed(
    submitted, inspector, clerk, trader, django_capture_on_commit_callbacks
):
    application = submitted()
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    before = (
        trail(application),
        audit_actions(application),
        Bill.objects.count(),
        SmsMessage.objects.count(),
    )
    for actor in (inspector, clerk, trader):
        with pytest.raises(ValidationError) as err:
            application_issue_bill(application=application, actor=actor)
        assert err.value.code == "forbidden"
        assert "licence officer" in err.value.messages[0]
        with pytest.raises(ValidationError):
            application_transition(application=application, to=S.BILLED, actor=actor)
    application.refresh_from_db()
    assert application.status == S.APPROVAL and application.bill is None
    assert before == (
        trail(application),
        audit_actions(application),
        Bill.objects.count(),
        SmsMessage.objects.count(),
    )


def test_inspection_step_needs_the_inspector_permission(submitted, officer, trader):
    application = submitted()
    for actor in (officer, trader):
        with pytest.raises(ValidationError) as err:
            application_transition(application=application, to=S.INSPECTION, actor=actor)
        assert err.value.code == "forbidden"
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_inspection_must_be_recorded_before_forwarding_for_approval(submitted, inspector):
    application = submitted()
    application_transition(application=application, to=S.INSPECTION, actor=inspector)
    with pytest.raises(ValidationError) as err:
        application_transition(application=application, to=S.APPROVAL, actor=inspector)
    assert err.value.code == "no_inspection"


def test_paid_and_issued_only_through_payment(submitted, officer):
    application = submitted()
    for to in (S.PAID, S.ISSUED):
        with pytest.raises(ValidationError) as err:
            application_transition(application=application, to=to, actor=officer)
        assert err.value.code == "by_payment_only"


def test_cancelled_bill_sends_the_application_back_to_approval(
    submitted, inspector, officer, django_capture_on_commit_callbacks
):
    application = submitted()
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=application, actor=officer)
    bill = application.bill
    bill_cancel(bill=bill, reason="wrong signboard size", actor=officer)
    application.refresh_from_db()
    assert application.status == S.APPROVAL and application.bill is None
    application_issue_bill(application=application, actor=officer)
    assert application.bill != bill


# --- renewal ---------------------------------------------------------------------------------


def test_renewal_unchanged_skips_inspection_and_pays_income_tax_and_surcharge_when_late(
    submitted, inspector, officer, clerk, trader, add_documents, django_capture_on_commit_callbacks
):
    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)

    with time_machine.travel(datetime(2026, 10, 5, 11, 0, tzinfo=DHAKA), tick=True):
        renewal = services.application_create_draft(
            business=first.business,
            filed_by=trader,
            fiscal_year="2026-27",
            kind="renewal",
            trader_tin="123456789012",
        )
        application_submit(application=renewal, actor=trader)
        assert not renewal.needs_inspection
        application_transition(application=renewal, to=S.APPROVAL, actor=officer)
        application_issue_bill(application=renewal, actor=officer)
        heads = {line.head: str(line.amount) for line in renewal.bill.lines.all()}
        assert heads == {
            "licence_fee": "500.00",
            "signboard_tax": "1200.00",
            "vat": "255.00",
            "income_tax": "2000.00",
            "surcharge": "50.00",
        }
        assert renewal.bill.due_date == date(2026, 10, 31)
        pay_at_counter(clerk, renewal.bill)
        assert Licence.objects.get(application=renewal).number == "KCC/TL/2026-27/000001"


def test_renewal_with_a_bigger_signboard_needs_inspection(
    submitted, inspector, officer, clerk, trader, django_capture_on_commit_callbacks
):
    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)
    renewal = services.application_create_draft(
        business=first.business,
        filed_by=trader,
        fiscal_year="2026-27",
        kind="renewal",
        trader_tin="123456789012",
    )
    application_update_draft(application=renewal, actor=trader, signboard_sqft="30")
    application_submit(application=renewal, actor=trader)
    assert renewal.needs_inspection
    with pytest.raises(ValidationError) as err:
        application_transition(application=renewal, to=S.APPROVAL, actor=officer)
    assert err.value.code == "needs_inspection"


def test_renewal_without_an_earlier_licence_refused(make_draft):
    with pytest.raises(ValidationError) as err:
        make_draft(kind="renewal")
    assert err.value.code == "nothing_to_renew"


# --- the holding link ---------------------------------------------------------------------------


def test_owned_holding_with_dues_stops_approval_unless_overridden_with_a_reason(
    make_business,
    make_draft,
    add_documents,
    trader,
    inspector,
    officer,
    pdf_file,
    django_capture_on_commit_callbacks,
):
    from holdings.demands import generate_demands
    from holdings.services import assessment_record, holding_create

    holding = holding_create(ward=5, number="77")
    assessment_record(holding=holding, effective_fy="2024-25", annual_rent="120000")
    # Overdue means past its due date: on 10 August 2025 nothing of 2025-26 is (Q1 is due
    # 30 September), so the dues are 2024-25's, unpaid and carried into arrears.
    generate_demands("2024-25")
    generate_demands("2025-26")
    business = make_business(premises_owned=True, holding_ward="5", holding_number="77")
    application = make_draft(business)
    for kind in ("nid", "tin", "holding_tax_receipt"):
        document_add(application=application, kind=kind, file=pdf_file(), actor=trader)
    add_documents(application, trader, extra=())  # rent agreement too: harmless
    application_submit(application=application, actor=trader)
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as err:
        application_issue_bill(application=application, actor=officer)
    assert err.value.code == "holding_dues"
    assert Application.objects.get(pk=application.pk).status == S.APPROVAL
    with pytest.raises(ValidationError):
        services.application_override_dues(application=application, officer=officer, reason="")
    services.application_override_dues(
        application=application,
        officer=officer,
        reason="Owner paying by instalments, order 12/2025.",
    )
    assert application_issue_bill(application=application, actor=officer).status == S.BILLED


def test_owned_premises_with_an_unknown_holding_refused_at_submit(
    make_business, make_draft, trader, add_documents, pdf_file
):
    business = make_business(premises_owned=True, holding_ward="5", holding_number="999")
    application = make_draft(business)
    add_documents(application, trader)
    document_add(application=application, kind="holding_tax_receipt", file=pdf_file(), actor=trader)
    with pytest.raises(ValidationError) as err:
        application_submit(application=application, actor=trader)
    assert "No holding 999 is registered in ward 5" in " ".join(err.value.messages)


# --- who sees the documents ----------------------------------------------------------------------


def test_documents_visible_to_the_trader_the_filing_clerk_and_the_queue_only(
    make_draft,
    make_business,
    add_documents,
    trader,
    inspector,
    officer,
    clerk,
    make_user,
    django_capture_on_commit_callbacks,
):
    application = make_draft()
    add_documents(application, trader)
    filed_by_clerk = make_draft(make_business(name_en="Second Store"), filed_by=clerk)
    stranger = make_user(mobile="01999000001")
    # A draft: the trader and the clerk who filed it.
    assert documents_visible_to(trader, application)
    assert documents_visible_to(clerk, filed_by_clerk)
    for user in (inspector, officer, clerk, stranger):
        assert not documents_visible_to(user, application)
    # Submitted: the inspection queue and the licence officer; other clerks never.
    application_submit(application=application, actor=trader)
    assert documents_visible_to(inspector, application)
    assert documents_visible_to(officer, application)
    assert not documents_visible_to(clerk, application)
    assert not documents_visible_to(stranger, application)
    # Past inspection: the inspector who inspected it still; another inspector not.
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    assert documents_visible_to(inspector, application)
    assert not documents_visible_to(make_user(Role.LICENCE_INSPECTOR), application)
    assert documents_visible_to(officer, application)


def test_late_renewal_bill_grows_by_itself_each_month(
    submitted, inspector, officer, clerk, trader, django_capture_on_commit_callbacks
):
    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)
    with time_machine.travel(datetime(2026, 10, 5, 11, 0, tzinfo=DHAKA), tick=True):
        renewal = services.application_create_draft(
            business=first.business,
            filed_by=trader,
            fiscal_year="2026-27",
            kind="renewal",
            trader_tin="123456789012",
        )
        application_submit(application=renewal, actor=trader)
        application_transition(application=renewal, to=S.APPROVAL, actor=officer)
        application_issue_bill(application=renewal, actor=officer)
        october = renewal.bill
        assert services.refresh_late_renewal_bills() == 0  # still October: nothing to do
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=DHAKA), tick=True):
        assert services.refresh_late_renewal_bills() == 1
        renewal.refresh_from_db()
        october.refresh_from_db()
        assert october.status == "superseded"
        november = renewal.bill
        heads = {line.head: str(line.amount) for line in november.lines.all()}
        assert heads["surcharge"] == "100.00"  # two months late now
        assert november.total == october.total + 50
        assert november.due_date == date(2026, 11, 30)
        assert services.refresh_late_renewal_bills() == 0  # once a month, not twice
        pay_at_counter(clerk, november)
        assert Licence.objects.get(application=renewal).fiscal_year == "2026-27"


def test_counter_finds_a_renewal_bill_by_licence_number_or_business_name(
    submitted, inspector, officer, clerk, trader, django_capture_on_commit_callbacks
):
    from payments.staff_forms import BillSearchForm

    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)
    licence = Licence.objects.get(application=first)
    with time_machine.travel(datetime(2026, 9, 5, 11, 0, tzinfo=DHAKA), tick=True):
        renewal = services.application_create_draft(
            business=first.business,
            filed_by=trader,
            fiscal_year="2026-27",
            kind="renewal",
            trader_tin="123456789012",
        )
        application_submit(application=renewal, actor=trader)
        application_transition(application=renewal, to=S.APPROVAL, actor=officer)
        application_issue_bill(application=renewal, actor=officer)
    for query in (licence.number, licence.number.lower(), first.business.name_en[:6]):
        found = list(BillSearchForm({"q": query}).bills())
        assert found == [renewal.bill], query


def test_voided_fee_payment_withdraws_the_licence_until_paid_again(
    submitted, inspector, officer, clerk, make_user, client, django_capture_on_commit_callbacks
):
    from payments.models import Payment
    from payments.services import payment_void

    application = submitted()
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=application, actor=officer)
    pay_at_counter(clerk, application.bill)
    licence = Licence.objects.get(application=application)
    payment = Payment.objects.get(items__bill=application.bill, status="succeeded")
    payment_void(payment=payment, reason="counterfeit notes", officer=make_user("revenue_officer"))
    licence.refresh_from_db()
    assert not licence.is_current and "voided" in licence.withdrawn_reason
    body = client.get(f"/verify/{licence.verify_code}/", HTTP_COOKIE="kcc_language=en")
    assert "withdrawn" in body.content.decode()
    application.bill.refresh_from_db()
    pay_at_counter(clerk, application.bill)
    licence.refresh_from_db()
    assert licence.is_current and licence.withdrawn_reason == ""


# --- transfers, document removal, inspection photos, late payments ----------------------------


def test_transfer_issues_a_licence_that_replaces_the_current_one(
    submitted,
    inspector,
    officer,
    clerk,
    trader,
    make_draft,
    add_documents,
    pdf_file,
    client,
    django_capture_on_commit_callbacks,
):
    first = submitted()
    to_approval(first, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=first, actor=officer)
    pay_at_counter(clerk, first.bill)
    old = Licence.objects.get(application=first)

    transfer = make_draft(first.business, kind="transfer")
    add_documents(transfer, trader, extra=("transfer_deed",))
    application_submit(application=transfer, actor=trader)
    to_approval(transfer, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=transfer, actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_counter(clerk, transfer.bill)

    transfer.refresh_from_db()
    old.refresh_from_db()
    new = Licence.objects.get(application=transfer)
    assert transfer.status == S.ISSUED
    assert new.is_current and not old.is_current and old.withdrawn_reason == ""
    assert new.number != old.number and new.fiscal_year == old.fiscal_year
    replaced = AuditLog.objects.get(action="trade_licence.replaced", object_id=str(old.pk))
    assert replaced.after["replaced_by"] == new.number

    page = client.get(f"/verify/{old.verify_code}/", HTTP_COOKIE="kcc_language=en")
    text = page.content.decode()
    assert 'data-valid="false"' in text and "replaced by a newer licence" in text
    text = client.get(f"/verify/{new.verify_code}/", HTTP_COOKIE="kcc_language=en").content.decode()
    assert 'data-valid="true"' in text


def test_document_remove_deletes_the_file_after_the_commit(
    make_draft, trader, pdf_file, django_capture_on_commit_callbacks
):
    application = make_draft()
    document = document_add(application=application, kind="nid", file=pdf_file(), actor=trader)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.document_remove(document=document, actor=trader)
        assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert storage.exists(name)  # not before the commit …
    for callback in callbacks:
        callback()
    assert not storage.exists(name)  # … but after it
    assert "trade_licence.document_removed" in audit_actions(application)


def test_a_bad_second_inspection_photo_refuses_the_visit_and_stores_nothing(
    submitted, inspector, tmp_path
):
    application = submitted()
    application_transition(application=application, to=S.INSPECTION, actor=inspector)
    files_before = ApplicationDocument.objects.count()
    storage = ApplicationDocument._meta.get_field("file").storage
    root = storage.path("") if hasattr(storage, "path") else None

    def stored_files() -> set[str]:
        import os

        if root is None or not os.path.isdir(root):
            return set()
        return {os.path.join(d, f) for d, _, names in os.walk(root) for f in names}

    before = stored_files()
    with pytest.raises(ValidationError):
        inspection_record(
            application=application,
            inspector=inspector,
            findings="Seen.",
            photos=[
                SimpleUploadedFile("front.png", image_bytes("PNG")),
                SimpleUploadedFile("evil.png", b"MZ not an image"),
            ],
        )
    assert ApplicationDocument.objects.count() == files_before
    assert not application.inspections.exists()
    assert stored_files() == before


def test_a_bill_paid_when_the_application_is_no_longer_billed_is_only_recorded(
    submitted, inspector, officer, django_capture_on_commit_callbacks
):
    application = submitted()
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=application, actor=officer)
    bill = application.bill
    bill_cancel(bill=bill, reason="wrong signboard size", actor=officer)
    application.refresh_from_db()
    assert application.status == S.APPROVAL

    services.on_bill_paid(bill)  # the settlement of a payment that raced the cancellation

    application.refresh_from_db()
    assert application.status == S.APPROVAL
    assert not Licence.objects.filter(application=application).exists()
    late = AuditLog.objects.get(
        action="trade_licence.bill_paid_late", object_id=str(application.pk)
    )
    assert late.after == {"bill": bill.number, "status": "approval"}


def test_application_start_is_one_write(trader, clerk):
    from trade_licenses.models import Business

    values = {
        "name_bn": "করিম স্টোর",
        "name_en": "Karim Store",
        "category_code": "grocery",
        "premises_address": "12 KDA Avenue",
        "ward": 5,
        "signboard_sqft": "12",
    }
    with pytest.raises(TypeError):
        services.application_start(
            actor=trader, trader=trader, business_values=values, trader_values={"not_a_field": "x"}
        )
    assert not Business.objects.exists()

    application = services.application_start(
        actor=clerk,
        business_values=values,
        on_behalf=True,
        trader_values={
            "trader_name_bn": "রহিম",
            "trader_mobile": "01819000111",
            "trader_nid": "1234567890",
            "trader_tin": "",
        },
    )
    assert application.on_behalf and application.filed_by == clerk
    assert application.business.trader.mobile == "01819000111"


@pytest.mark.django_db(transaction=True)
def test_paying_the_fee_drops_only_the_traders_cached_figures(
    submitted,
    inspector,
    officer,
    trader,
    make_user,
    pay_cash,
    figures_dropped,
    django_capture_on_commit_callbacks,
):
    """Trade licences declare whom a fee bill concerns (trade_licenses.registry_hooks.
    subject_users): the payment that issues the licence, and the worker storing its
    certificate, drop the trader's cached figures and keep a stranger's."""
    application = submitted()
    to_approval(application, inspector, django_capture_on_commit_callbacks)
    application_issue_bill(application=application, actor=officer)
    application.refresh_from_db()
    stranger = make_user(mobile="01711999999")
    bill = application.bill
    assert figures_dropped([trader, stranger], lambda: pay_cash([bill])) == {trader.pk}
    application.refresh_from_db()
    assert application.status == S.ISSUED
    # …and the worker storing its certificate's PDF afterwards.
    from trade_licenses.certificates import certificate_store_pdf

    licence = Licence.objects.get(application=application)
    assert figures_dropped([trader, stranger], lambda: certificate_store_pdf(licence)) == {
        trader.pk
    }
    assert Licence.objects.get(pk=licence.pk).pdf.name.endswith(".pdf")
