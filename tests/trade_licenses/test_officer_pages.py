"""Trade-licence officer pages: the inspector's and the licence officer's queues (ages,
filters, the officer's own ward by default), one application's page with its workflow
steps taken through the services (confirmations, reasons, refusals shown as messages and
nothing changed), and the reports by ward and category with their CSV/XLSX exports; who
may open which page; and query counts that do not grow with the number of rows.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from accounts.models import SmsMessage
from core.models import Ward
from core.roles import Role
from payments.models import Bill, CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses import services
from trade_licenses.models import Application, ApplicationEvent, Licence

from .conftest import DHAKA, TRADER_TIN, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db

INSPECTIONS = "/licences/officer/inspections/"
APPROVALS = "/licences/officer/approvals/"
REPORTS = "/licences/officer/reports/"


def app_url(application) -> str:
    return f"/licences/officer/applications/{application.pk}/"


def as_user(client, user, lang: str = "en"):
    client.force_login(user)
    client.cookies["kcc_language"] = lang
    return client


def body(response) -> str:
    return response.content.decode()


def pay_at_counter(clerk, bill):
    session = CounterSession.objects.filter(
        clerk=clerk, status=CounterSession.Status.OPEN
    ).first() or counter_session_open(clerk=clerk)
    return counter_take_cash(session=session, bills=[bill], clerk=clerk)


@pytest.fixture
def submitted(make_draft, add_documents, trader):
    def make(business=None, **kwargs):
        application = make_draft(business, **kwargs)
        add_documents(application, trader)
        return services.application_submit(application=application, actor=trader)

    return make


@pytest.fixture
def revenue_officer(make_user):
    return make_user(Role.REVENUE_OFFICER)


# --- who may open what ------------------------------------------------------------------------


def test_named_urls():
    assert reverse("trade_licenses:inspection_queue") == INSPECTIONS
    assert reverse("trade_licenses:approval_queue") == APPROVALS
    assert reverse("trade_licenses:reports") == REPORTS
    assert reverse("trade_licenses:officer_application", args=[7]) == (
        "/licences/officer/applications/7/"
    )


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        Role.CITIZEN,
        Role.COUNTER_CLERK,
        Role.LICENCE_INSPECTOR,
        Role.LICENCE_OFFICER,
        Role.REVENUE_OFFICER,
        Role.ADMINISTRATOR,
    ],
)
def test_permission_matrix(client, make_user, submitted, role):
    application = submitted()
    pages = {
        INSPECTIONS: {Role.LICENCE_INSPECTOR, Role.ADMINISTRATOR},
        APPROVALS: {Role.LICENCE_OFFICER, Role.ADMINISTRATOR},
        REPORTS: {Role.LICENCE_OFFICER, Role.REVENUE_OFFICER, Role.ADMINISTRATOR},
        f"{REPORTS}?format=csv": {Role.LICENCE_OFFICER, Role.REVENUE_OFFICER, Role.ADMINISTRATOR},
        app_url(application): {Role.LICENCE_INSPECTOR, Role.LICENCE_OFFICER, Role.ADMINISTRATOR},
    }
    if role != "anonymous":
        client.force_login(make_user(role))
    for url, allowed in pages.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("account_login")), url
        elif role in allowed:
            assert response.status_code == 200, (url, role)
        else:
            assert response.status_code == 403, (url, role)


def test_posts_refused_to_roles_without_the_permission(client, make_user, submitted):
    application = submitted()
    for role in (Role.CITIZEN, Role.REVENUE_OFFICER, Role.COUNTER_CLERK):
        as_user(client, make_user(role))
        response = client.post(
            app_url(application), {"action": "reject", "reject-reason": "x", "reject-confirm": "on"}
        )
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


# --- queues -------------------------------------------------------------------------------------


def test_inspection_queue_oldest_first_with_age_and_filters(
    client, inspector, submitted, make_business, django_assert_max_num_queries
):
    with time_machine.travel(datetime(2025, 8, 1, 10, 0, tzinfo=DHAKA), tick=True):
        old = submitted()
    ward9 = submitted(
        make_business(name_bn="নয় নম্বর", name_en="Ward Nine Tailor", ward=9, category_code="tailor")
    )
    as_user(client, inspector)
    page = body(client.get(INSPECTIONS))
    assert page.index(f"TL-{old.pk}") < page.index(f"TL-{ward9.pk}")
    assert '<td class="num">9</td>' in page  # 1 to 10 August

    page = body(client.get(INSPECTIONS, {"ward": "9"}))
    assert f"TL-{ward9.pk}" in page and f"TL-{old.pk}" not in page
    page = body(client.get(INSPECTIONS, {"category": "grocery"}))
    assert f"TL-{old.pk}" in page and f"TL-{ward9.pk}" not in page

    # An inspector posted to ward 9 sees ward 9 unless they choose otherwise.
    inspector.ward = Ward.objects.get(number=9)
    inspector.save()
    page = body(client.get(INSPECTIONS))
    assert f"TL-{ward9.pk}" in page and f"TL-{old.pk}" not in page
    page = body(client.get(INSPECTIONS, {"ward": ""}))
    assert f"TL-{ward9.pk}" in page and f"TL-{old.pk}" in page

    with django_assert_max_num_queries(20) as captured:
        client.get(INSPECTIONS, {"ward": ""})
    few = len(captured.captured_queries)
    for n in range(5):
        submitted(make_business(name_bn=f"দোকান {n}", name_en=f"Shop {n}"))
    with django_assert_max_num_queries(few):
        client.get(INSPECTIONS, {"ward": ""})


def test_inspection_queue_paginates_25(client, inspector, submitted, make_business):
    for n in range(26):
        submitted(make_business(name_bn=f"দোকান {n}", name_en=f"Shop {n}"))
    as_user(client, inspector)
    response = client.get(INSPECTIONS)
    assert len(response.context["rows"]) == 25
    assert len(client.get(INSPECTIONS, {"page": 2}).context["rows"]) == 1


# --- the inspector and the licence officer through the pages ----------------------------------


def test_inspector_inspects_and_officer_approves_through_the_pages(
    client, inspector, officer, submitted, make_user
):
    application = submitted()
    as_user(client, inspector)
    page = body(client.get(app_url(application)))
    assert "Start the inspection" in page and "Karim Store" in page
    assert "/licences/documents/" in page and "1,955.00" in page  # the fee preview

    # A step without its confirmation does nothing.
    response = client.post(app_url(application), {"action": "start_inspection"})
    assert response.status_code == 400
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED

    response = client.post(
        app_url(application), {"action": "start_inspection", "start_inspection-confirm": "on"}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == S.INSPECTION

    # Sending on before the visit is recorded: the service refuses, shown as a message.
    response = client.post(
        app_url(application),
        {"action": "send_to_approval", "send_to_approval-confirm": "on"},
        follow=True,
    )
    assert "Record the inspection visit" in body(response)
    assert Application.objects.get(pk=application.pk).status == S.INSPECTION

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        app_url(application),
        {
            "action": "record_inspection",
            "record_inspection-visited_at": "2025-08-10T09:30",
            "record_inspection-findings": "Shop open, signboard as declared.",
            "record_inspection-photos": SimpleUploadedFile("front.png", image_bytes("PNG")),
            "record_inspection-confirm": "on",
        },
    )
    assert response.status_code == 302
    inspection = application.inspections.get()
    assert inspection.inspector == inspector and inspection.photos.count() == 1

    client.post(
        app_url(application), {"action": "send_to_approval", "send_to_approval-confirm": "on"}
    )
    assert Application.objects.get(pk=application.pk).status == S.APPROVAL
    # The inspector cannot approve.
    response = client.post(
        app_url(application), {"action": "approve", "approve-confirm": "on"}, follow=True
    )
    assert "not open to you" in body(response)
    assert not Bill.objects.exists()

    as_user(client, officer)
    page = body(client.get(APPROVALS))
    assert f"TL-{application.pk}" in page
    response = client.post(
        app_url(application), {"action": "approve", "approve-confirm": "on"}, follow=True
    )
    application.refresh_from_db()
    assert application.status == S.BILLED and application.bill is not None
    assert f"fee bill {application.bill.number} is issued" in body(response)
    assert str(application.bill.total) == "1955.00"
    assert list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("to_status", "actor")
    ) == [
        ("draft", application.filed_by_id),
        ("submitted", application.filed_by_id),
        ("inspection", inspector.pk),
        ("approval", inspector.pk),
        ("billed", officer.pk),
    ]


@pytest.mark.parametrize("action", ["return", "reject"])
def test_return_and_reject_need_a_reason(
    client, inspector, submitted, action, django_capture_on_commit_callbacks
):
    application = submitted()
    events = ApplicationEvent.objects.count()
    sms = SmsMessage.objects.count()
    as_user(client, inspector)
    for reason in ("", "   "):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                app_url(application),
                {"action": action, f"{action}-reason": reason, f"{action}-confirm": "on"},
            )
        assert response.status_code == 400
        assert "Give the reason." in body(response)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.decision_reason == ""
    assert ApplicationEvent.objects.count() == events and SmsMessage.objects.count() == sms

    response = client.post(
        app_url(application),
        {
            "action": action,
            f"{action}-reason": "The rent agreement is unsigned.",
            f"{action}-confirm": "on",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == (S.RETURNED if action == "return" else S.REJECTED)
    assert application.decision_reason == "The rent agreement is unsigned."


def test_override_of_holding_dues_needs_a_reason(
    client, officer, inspector, make_business, make_draft, add_documents, pdf_file, trader
):
    from holdings.services import holding_create

    holding_create(ward=5, number="77")
    business = make_business(premises_owned=True, holding_ward="5", holding_number="77")
    application = make_draft(business)
    add_documents(application, trader)
    services.document_add(
        application=application, kind="holding_tax_receipt", file=pdf_file(), actor=trader
    )
    services.application_submit(application=application, actor=trader)

    as_user(client, inspector)
    assert "Approve despite holding-tax dues" not in body(client.get(app_url(application)))
    response = client.post(
        app_url(application),
        {"action": "override_dues", "override_dues-reason": "x", "override_dues-confirm": "on"},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).dues_override_reason == ""

    as_user(client, officer)
    page = body(client.get(app_url(application)))
    assert "Approve despite holding-tax dues" in page and "owes nothing" in page
    response = client.post(
        app_url(application),
        {"action": "override_dues", "override_dues-reason": " ", "override_dues-confirm": "on"},
    )
    assert response.status_code == 400
    assert Application.objects.get(pk=application.pk).dues_override_reason == ""
    response = client.post(
        app_url(application),
        {
            "action": "override_dues",
            "override_dues-reason": "Instalments agreed, order 12.",
            "override_dues-confirm": "on",
        },
    )
    assert response.status_code == 302
    assert (
        Application.objects.get(pk=application.pk).dues_override_reason
        == "Instalments agreed, order 12."
    )


# --- reports --------------------------------------------------------------------------------------


@pytest.fixture
def licensed(make_business, make_draft, add_documents, trader, inspector, officer, clerk):
    """Issue a licence through the services: a new one (inspected) or a renewal."""

    def issue(business=None, *, fiscal_year=None, kind="new"):
        business = business or make_business()
        application = make_draft(business, fiscal_year=fiscal_year, kind=kind)
        if kind == "new":
            add_documents(application, trader)
        services.application_submit(application=application, actor=trader)
        if application.needs_inspection:
            services.application_transition(
                application=application, to=S.INSPECTION, actor=inspector
            )
            services.inspection_record(application=application, inspector=inspector, findings="ok")
            services.application_transition(application=application, to=S.APPROVAL, actor=inspector)
        else:
            services.application_transition(application=application, to=S.APPROVAL, actor=officer)
        services.application_issue_bill(application=application, actor=officer)
        pay_at_counter(clerk, application.bill)
        return Licence.objects.get(application=application)

    return issue


@pytest.fixture
def report_data(licensed, make_business, submitted):
    """FY 2024-25: A, B (ward 5, grocery) and C (ward 9, tailor) licensed.
    FY 2025-26: A renewed on time (August), B renewed late (October), D new (ward 9,
    tailor); E (ward 5, grocery) submitted, pending. Renewal rate 2 of 3 = 66.7%."""
    with time_machine.travel(datetime(2024, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        a = licensed(make_business(name_bn="ক", name_en="A")).business
        b = licensed(make_business(name_bn="খ", name_en="B")).business
        licensed(make_business(name_bn="গ", name_en="C", ward=9, category_code="tailor"))
    licensed(a, fiscal_year="2025-26", kind="renewal")
    licensed(make_business(name_bn="ঘ", name_en="D", ward=9, category_code="tailor"))
    submitted(make_business(name_bn="ঙ", name_en="E"))
    with time_machine.travel(datetime(2025, 10, 5, 11, 0, tzinfo=DHAKA), tick=True):
        licensed(b, fiscal_year="2025-26", kind="renewal")


def test_report_numbers_and_constant_queries(
    client, officer, report_data, licensed, make_business, django_assert_max_num_queries
):
    as_user(client, officer)
    with django_assert_max_num_queries(20) as captured:
        response = client.get(REPORTS, {"fy": "2025-26"})
    few = len(captured.captured_queries)
    report = response.context["report"]
    wards = {r.key: r for r in report.by_ward}
    assert (wards["5"].new, wards["5"].renewed, wards["5"].late) == (0, 2, 1)
    assert wards["5"].pending == {"submitted": 1}
    assert (wards["5"].last_year, wards["5"].kept, str(wards["5"].renewal_rate)) == (2, 2, "100.0")
    assert (wards["9"].new, wards["9"].renewed, wards["9"].last_year, wards["9"].kept) == (
        1,
        0,
        1,
        0,
    )
    assert str(wards["9"].renewal_rate) == "0.0"
    categories = {r.key: r for r in report.by_category}
    assert categories["grocery"].issued == 2 and categories["tailor"].issued == 1
    assert categories["grocery"].label == "Grocery shop"
    total = report.total
    assert (total.issued, total.renewed, total.late, total.pending_total) == (3, 2, 1, 1)
    assert str(total.renewal_rate) == "66.7"
    page = body(response)
    assert "66.7%" in page and "2 of 3 businesses" in page

    for n in range(3):
        licensed(
            make_business(
                name_bn=f"নতুন {n}", name_en=f"New {n}", ward=10 + n, category_code="tailor"
            )
        )
    with django_assert_max_num_queries(few):
        response = client.get(REPORTS, {"fy": "2025-26"})
    assert response.context["report"].total.new == 4


def test_report_defaults_to_the_current_year_and_refuses_nonsense(client, revenue_officer):
    as_user(client, revenue_officer)
    assert client.get(REPORTS).context["fiscal_year"] == "2025-26"
    response = client.get(REPORTS, {"fy": "next year", "format": "csv"})
    assert response["Content-Type"].startswith("text/html")
    assert "is not a fiscal year" in body(response)


def as_numbers(row: list) -> list:
    """Cells as Decimal where they are numbers (Excel drops a trailing ".0")."""
    out = []
    for v in row:
        try:
            out.append(Decimal(str(v)))
        except (InvalidOperation, ValueError):
            out.append("" if v is None else str(v))
    return out


def test_report_exports_parse_back(client, revenue_officer, report_data):
    as_user(client, revenue_officer)
    response = client.get(REPORTS, {"fy": "2025-26", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="trade-licences-2025-26.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    headers = rows[0]
    assert headers[:8] == [
        "By",
        "Code",
        "Name",
        "New licences",
        "Renewed",
        "Transfers",
        "Issued in all",
        "Renewed late",
    ]
    assert headers[-4:] == [
        "Pending in all",
        "Licences last year",
        "Of them licensed this year",
        "Renewal rate %",
    ]
    by_key = {(r[0], r[1]): dict(zip(headers, r, strict=True)) for r in rows[1:]}
    ward5 = by_key[("Ward", "5")]
    assert (
        ward5["Renewed"],
        ward5["Renewed late"],
        ward5["Submitted"],
        ward5["Renewal rate %"],
    ) == ("2", "1", "1", "100.0")
    total = by_key[("Total", "Total")]
    assert (
        total["Issued in all"],
        total["Pending in all"],
        total["Licences last year"],
        total["Of them licensed this year"],
        total["Renewal rate %"],
    ) == ("3", "1", "3", "2", "66.7")
    assert by_key[("Category", "tailor")]["New licences"] == "1"

    response = client.get(REPORTS, {"fy": "2025-26", "format": "xlsx"})
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    xlsx = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert xlsx[0] == headers
    assert [as_numbers(r) for r in xlsx[1:]] == [as_numbers(r) for r in rows[1:]]


def test_renewal_waiting_without_inspection_is_in_the_approval_queue(
    client, officer, inspector, licensed, make_business, make_draft, trader
):
    with time_machine.travel(datetime(2024, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        business = licensed(make_business()).business
    renewal = make_draft(business, fiscal_year="2025-26", kind="renewal", trader_tin=TRADER_TIN)
    services.application_submit(application=renewal, actor=trader)
    assert not renewal.needs_inspection
    as_user(client, inspector)
    assert f"TL-{renewal.pk}" not in body(client.get(INSPECTIONS))
    as_user(client, officer)
    assert f"TL-{renewal.pk}" in body(client.get(APPROVALS, {"kind": "renewal"}))
    client.post(app_url(renewal), {"action": "send_to_approval", "send_to_approval-confirm": "on"})
    assert Application.objects.get(pk=renewal.pk).status == S.APPROVAL


def test_pages_show_names_not_codes(client, inspector, submitted, make_business):
    application = submitted(make_business(category_code="tailor"))
    services.application_transition(application=application, to=S.INSPECTION, actor=inspector)
    as_user(client, inspector)
    page = body(client.get(INSPECTIONS))
    assert 'data-category="tailor">' in page and ">tailor<" not in page
    page = body(client.get(app_url(application)))
    assert '<td data-head="licence_fee">Licence fee</td>' in page
    assert "<dd>tailor</dd>" not in page
    assert "Submitted → Under inspection" in page and "submitted → inspection" not in page
