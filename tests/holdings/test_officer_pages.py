"""Holding-tax officer pages: the assessor's queue, valuing a holding, deciding objections;
the revenue officer's demand runs (with and without a real Celery worker), ward-wise
demand against collection and the defaulters list with their CSV/XLSX exports; who may
open which page; and query counts that do not grow with the number of rows.

Worked figures used below (default schedule: holding tax 7%, conservancy 7%, lighting 3%,
surcharge 15%, vacant land 500 a year):
  A  ward 1, rent 1,20,000 → valuation 1,00,000 → demand 17,000 (Q1 4,250)
  B  ward 1, rent   60,000 → valuation   50,000 → demand  8,500 (Q1 2,125)
  C  ward 2, rent 6,00,000 → valuation 5,00,000 → demand 85,000 (Q1 21,250)
  D  ward 2, vacant land                        → demand    500 (Q1 125)
2024-25 is left unpaid, so it is carried into 2025-26 with 15% surcharge.
"""

from __future__ import annotations

import csv
import datetime
import io
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse

from core.fiscal import current_fiscal_year
from core.models import AuditLog
from core.roles import Role
from holdings import tax
from holdings.demands import generate_demands
from holdings.models import (
    Assessment,
    DemandRun,
    Holding,
    Instalment,
    Objection,
    ReportExport,
)
from holdings.services import (
    assessment_record,
    holding_bill,
    holding_create,
    objection_file,
    owner_add,
)
from holdings.tasks import progress_key, run_demand_generation
from payments.services import counter_session_open, counter_take_cash

DHAKA = ZoneInfo("Asia/Dhaka")
FY = "2025-26"
TODAY = datetime.datetime(2025, 11, 15, 11, 0, tzinfo=DHAKA)  # Q1 overdue, Q2 not yet

QUEUE = "/holdings/officer/assessor/"
DEMAND = "/holdings/officer/demand/"
COLLECTION = "/holdings/officer/collection/"
DEFAULTERS = "/holdings/officer/defaulters/"

ASSESSOR_ROLES = {Role.ASSESSOR, Role.ADMINISTRATOR}
REVENUE_ROLES = {Role.REVENUE_OFFICER, Role.ADMINISTRATOR}


def as_user(client, user, lang: str = "en"):
    client.force_login(user)
    client.cookies["kcc_language"] = lang
    return client


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


@pytest.fixture
def assessor(make_user):
    return make_user(Role.ASSESSOR, name_en="Nasrin Assessor")


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVENUE_OFFICER, name_en="Salma Officer")


@pytest.fixture
def register(db):
    """Holdings A–D of the module docstring, assessed from 2024-25."""
    made = {}
    for key, ward, number, use, rent in [
        ("A", 1, "101", "residential", "120000"),
        ("B", 1, "102", "residential", "60000"),
        ("C", 2, "201", "commercial", "600000"),
        ("D", 2, "202", "vacant_land", None),
    ]:
        holding = holding_create(ward=ward, number=number, use=use)
        if rent:
            assessment_record(holding=holding, effective_fy="2024-25", annual_rent=rent)
        made[key] = holding
    owner_add(holding=made["C"], name_en="Rahim Uddin", name_bn="রহিম উদ্দিন", mobile="01711000201")
    owner_add(holding=made["A"], name_en="Karim Mia", mobile="01711000101")
    return made


@pytest.fixture
def billed(register, today, make_user):
    """2024-25 and 2025-26 demands; A's first 2025-26 instalment paid in cash."""
    generate_demands("2024-25")
    generate_demands(FY)
    a = register["A"]
    q1 = Instalment.objects.get(demand__holding=a, demand__fiscal_year=FY, quarter=1)
    bill = holding_bill(holding=a, instalments=[q1])
    clerk = make_user(Role.COUNTER_CLERK)
    session = counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)
    q1.refresh_from_db()
    assert q1.status == Instalment.Status.PAID
    return register


def add_more_holdings(n: int, *, ward: int = 5, start: int = 500, fiscal_year: str = FY):
    for i in range(n):
        h = holding_create(ward=ward, number=str(start + i))
        assessment_record(holding=h, effective_fy="2024-25", annual_rent="36000")
    generate_demands(fiscal_year)


# --- who may open what ----------------------------------------------------------------------


@pytest.fixture
def pages(register, citizen):
    holding = register["A"]
    objection = objection_file(
        assessment=holding.assessments.get(), user=citizen, reason="Too high", claimed_rent="100000"
    )
    run = DemandRun.objects.create(fiscal_year=FY, status=DemandRun.Status.DONE)
    return {
        QUEUE: ASSESSOR_ROLES,
        f"/holdings/officer/holdings/{holding.pk}/assess/": ASSESSOR_ROLES,
        f"/holdings/officer/objections/{objection.pk}/": ASSESSOR_ROLES,
        DEMAND: REVENUE_ROLES,
        f"/holdings/officer/demand/{run.pk}/": REVENUE_ROLES,
        COLLECTION: REVENUE_ROLES,
        f"{COLLECTION}?format=csv": REVENUE_ROLES,
        DEFAULTERS: REVENUE_ROLES,
        f"{DEFAULTERS}?format=xlsx": REVENUE_ROLES,
    }


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        Role.CITIZEN,
        Role.COUNTER_CLERK,
        Role.ASSESSOR,
        Role.REVENUE_OFFICER,
        Role.ADMINISTRATOR,
    ],
)
def test_permission_matrix(client, make_user, pages, role):
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


def test_named_urls():
    assert reverse("holdings:assessor_queue") == QUEUE
    assert reverse("holdings:assess", args=[7]) == "/holdings/officer/holdings/7/assess/"
    assert reverse("holdings:objection", args=[7]) == "/holdings/officer/objections/7/"
    assert reverse("holdings:demand_runs") == DEMAND
    assert reverse("holdings:demand_run", args=[7]) == "/holdings/officer/demand/7/"
    assert reverse("holdings:collection") == COLLECTION
    assert reverse("holdings:defaulters") == DEFAULTERS


def test_posts_are_refused_to_other_roles(client, make_user, register, citizen):
    objection = objection_file(
        assessment=register["A"].assessments.get(), user=citizen, reason="Too high"
    )
    as_user(client, make_user(Role.REVENUE_OFFICER))
    assert (
        client.post(
            f"/holdings/officer/holdings/{register['B'].pk}/assess/",
            {"effective_fy": "2025-26", "annual_rent": "1"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/holdings/officer/objections/{objection.pk}/",
            {"decision": "reject", "reason": "x", "confirm": "on"},
        ).status_code
        == 403
    )
    as_user(client, make_user(Role.ASSESSOR))
    assert client.post(DEMAND, {"fiscal_year": "2025-26"}).status_code == 403
    assert not DemandRun.objects.exists()


# --- the assessor's queue -------------------------------------------------------------------


def test_queue_has_three_lists_with_counts_ages_and_ward_filter(
    client, assessor, citizen, register
):
    with time_machine.travel(datetime.datetime(2025, 8, 1, 10, tzinfo=DHAKA), tick=False):
        new1 = holding_create(ward=1, number="150")
        new2 = holding_create(ward=3, number="350")
        holding_create(ward=3, number="351", use="vacant_land")  # needs no valuation
        first = objection_file(
            assessment=register["A"].assessments.get(),
            user=citizen,
            reason="The rent is less",
            claimed_rent="90000",
        )
    with time_machine.travel(datetime.datetime(2025, 9, 1, 10, tzinfo=DHAKA), tick=False):
        objection_file(
            assessment=register["C"].assessments.get(), user=citizen, reason="Part of it is empty"
        )
    old = holding_create(ward=3, number="360")
    assessment_record(holding=old, effective_fy="2018-19", annual_rent="24000")

    with time_machine.travel(datetime.datetime(2025, 9, 11, 10, tzinfo=DHAKA), tick=False):
        as_user(client, assessor)
        page = body(client.get(QUEUE))
        assert "New holdings" in page and "Objections" in page
        assert "Due for reassessment" in page
        # counts: 2 new (vacant land left out), 2 objections, 1 due (assessed 2018-19)
        assert '<span class="badge">2</span>' in page
        assert '<span class="badge">1</span>' in page
        assert f"/holdings/officer/holdings/{new1.pk}/assess/" in page
        assert f"/holdings/officer/holdings/{new2.pk}/assess/" in page
        assert '<td class="num">41</td>' in page  # registered 1 Aug, 41 days ago

        page = body(client.get(QUEUE, {"tab": "objections"}))
        assert page.index("The rent is less") < page.index("Part of it is empty")  # oldest first
        assert f"/holdings/officer/objections/{first.pk}/" in page
        assert "90,000.00" in page
        assert '<td class="num">41</td>' in page and '<td class="num">10</td>' in page

        page = body(client.get(QUEUE, {"tab": "due"}))
        assert f"/holdings/officer/holdings/{old.pk}/assess/" in page
        assert "2018-19" in page and '<td class="num">7</td>' in page

        page = body(client.get(QUEUE, {"tab": "new", "ward": "1"}))
        assert f"/holdings/officer/holdings/{new1.pk}/assess/" in page
        assert f"/holdings/officer/holdings/{new2.pk}/assess/" not in page
        page = body(client.get(QUEUE, {"tab": "objections", "ward": "2"}))
        assert "Part of it is empty" in page and "The rent is less" not in page


def test_queue_paginates_25_a_page_with_constant_queries(
    client, assessor, citizen, register, django_assert_max_num_queries
):
    objection_file(assessment=register["A"].assessments.get(), user=citizen, reason="High")
    holding_create(ward=4, number="399")
    assessment_record(
        holding=holding_create(ward=6, number="599"), effective_fy="2015-16", annual_rent="12000"
    )
    as_user(client, assessor)
    counts = {}
    for tab in ("new", "objections", "due"):
        with django_assert_max_num_queries(12) as captured:
            assert client.get(QUEUE, {"tab": tab}).status_code == 200
        counts[tab] = len(captured.captured_queries)
    for i in range(29):
        h = holding_create(ward=4, number=str(400 + i))
        old = holding_create(ward=6, number=str(600 + i))
        assessment_record(holding=old, effective_fy="2015-16", annual_rent="12000")
        objection_file(assessment=old.assessments.get(), user=citizen, reason=f"No. {h.pk}")
    for tab in ("new", "objections", "due"):
        with django_assert_max_num_queries(counts[tab]):
            assert client.get(QUEUE, {"tab": tab}).status_code == 200
    with django_assert_max_num_queries(counts["new"]):
        first = body(client.get(QUEUE))
    assert first.count("/assess/") == 25
    assert "Page 1 of 2" in first
    second = body(client.get(QUEUE, {"page": "2"}))
    assert second.count("/assess/") == 5


# --- valuing a holding ----------------------------------------------------------------------


def assess_url(holding: Holding) -> str:
    return reverse("holdings:assess", args=[holding.pk])


def test_check_then_record_an_owner_occupied_valuation(client, assessor, register, today):
    holding = register["B"]
    as_user(client, assessor)
    audit_before = AuditLog.objects.count()
    data = {"effective_fy": "২০২৫-২৬", "annual_rent": "১,২০,০০০", "owner_occupied": "on"}
    preview = client.post(assess_url(holding), {**data, "preview": "1"})
    assert preview.status_code == 200
    page = body(preview)
    # 1,20,000 less one sixth = 1,00,000; owner-occupied 40% less = 60,000
    assert "1,00,000.00" in page and "40% less" in page and "60,000.00" in page
    assert holding.assessments.count() == 1 and AuditLog.objects.count() == audit_before

    response = client.post(assess_url(holding), {**data, "record": "1"})
    assert response.status_code == 302
    assessment = holding.assessments.get(effective_fy=FY)
    expected = tax.annual_valuation(Decimal("120000"), owner_occupied=True)
    assert assessment.annual_rent == Decimal("120000.00")
    assert assessment.owner_occupied is True
    assert assessment.annual_valuation == expected.annual_valuation == Decimal("60000.00")
    assert assessment.assessed_by == assessor
    assert response["Location"] == f"{assess_url(holding)}?recorded={assessment.pk}"

    page = body(client.get(response["Location"]))
    assert "Recorded: in force from 2025-26" in page
    assert "60,000.00" in page
    # the history lists both assessments, newest first
    assert page.index("2025-26") < page.index("2024-25")
    assert "50,000.00" in page  # the 2024-25 valuation


@pytest.mark.parametrize(
    ("rent", "message"),
    [
        ("-5000", "The yearly rent cannot be negative."),
        ("১০০০০০০০০০", "is not believable; check it."),
        ("1e20", "is not believable; check it."),
        ("twelve", "Enter a number."),
        ("", "Enter the yearly rent, or value the building unit by unit below."),
    ],
)
def test_bad_rent_shows_an_error_and_changes_nothing(
    client, assessor, register, today, rent, message
):
    holding = register["B"]
    as_user(client, assessor)
    before = list(Assessment.objects.values_list("pk", "annual_rent", "annual_valuation"))
    audits = AuditLog.objects.count()
    for button in ("preview", "record"):
        response = client.post(
            assess_url(holding), {"effective_fy": FY, "annual_rent": rent, button: "1"}
        )
        assert response.status_code == 200
        assert message in body(response)
        assert 'role="alert"' in body(response)
    assert list(Assessment.objects.values_list("pk", "annual_rent", "annual_valuation")) == before
    assert AuditLog.objects.count() == audits


def test_bad_fiscal_year_is_refused(client, assessor, register, today):
    as_user(client, assessor)
    for value, message in [
        ("2025", "is not a fiscal year"),
        ("2030-31", "can take effect from 2026-27 at the latest"),
    ]:
        response = client.post(
            assess_url(register["B"]), {"effective_fy": value, "annual_rent": "1000", "record": "1"}
        )
        assert response.status_code == 200 and message in body(response)
    assert register["B"].assessments.count() == 1


# --- objections -----------------------------------------------------------------------------


@pytest.fixture
def objection(register, citizen):
    return objection_file(
        assessment=register["A"].assessments.get(),
        user=citizen,
        reason="Two floors are empty",
        claimed_rent="96000",
    )


def objection_url(objection: Objection) -> str:
    return reverse("holdings:objection", args=[objection.pk])


def test_objection_page_shows_the_case_and_the_claimed_valuation(client, assessor, objection):
    as_user(client, assessor)
    page = body(client.get(objection_url(objection)))
    assert "Two floors are empty" in page
    assert "96,000.00" in page and "80,000.00" in page  # claimed rent → its valuation
    assert "1,20,000.00" in page and "1,00,000.00" in page  # the assessment objected to


def test_a_decision_needs_a_reason_and_a_confirmation(client, assessor, objection):
    as_user(client, assessor)
    for data, message in [
        (
            {"decision": "accept", "reason": "   ", "confirm": "on"},
            "Give the reason for the decision.",
        ),
        (
            {"decision": "accept", "reason": "Checked on site"},
            "Tick the box to confirm the decision.",
        ),
        ({"reason": "Checked", "confirm": "on"}, "Choose whether to accept or reject"),
        (
            {"decision": "reject", "reason": "No", "confirm": "on", "revised_rent": "5000"},
            "A revised rent goes only with accepting",
        ),
        (
            {"decision": "accept", "reason": "Yes", "confirm": "on", "revised_rent": "-1"},
            "The yearly rent cannot be negative.",
        ),
    ]:
        response = client.post(objection_url(objection), data)
        assert response.status_code == 200
        assert message in body(response)
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    assert objection.assessment.annual_rent == Decimal("120000.00")


def test_accepting_with_a_revised_rent_updates_the_assessment(client, assessor, objection):
    as_user(client, assessor)
    response = client.post(
        objection_url(objection),
        {
            "decision": "accept",
            "reason": "Ground floor let for less; checked the deeds",
            "revised_rent": "৯০,০০০",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('holdings:assessor_queue')}?tab=objections"
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ACCEPTED
    assert objection.decided_by == assessor
    assert objection.decision_reason.startswith("Ground floor")
    assessment = Assessment.objects.get(pk=objection.assessment_id)
    assert assessment.annual_rent == Decimal("90000.00")
    assert assessment.annual_valuation == Decimal("75000.00")  # 90,000 less one sixth
    assert f"objection #{objection.pk} accepted" in assessment.basis
    assert AuditLog.objects.filter(
        action="holding.objection_decided", object_id=str(objection.pk)
    ).exists()
    page = body(client.get(objection_url(objection)))
    assert "Accepted" in page and "Record the decision" not in page
    # deciding again is refused
    again = client.post(
        objection_url(objection),
        {"decision": "reject", "reason": "x", "confirm": "on"},
        follow=True,
    )
    assert "already decided" in body(again)


def test_rejecting_keeps_the_assessment(client, assessor, objection):
    as_user(client, assessor)
    client.post(
        objection_url(objection),
        {"decision": "reject", "reason": "The rent roll shows 1,20,000", "confirm": "on"},
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REJECTED
    assert objection.assessment.annual_rent == Decimal("120000.00")


# --- the yearly demand run --------------------------------------------------------------------


def test_start_a_run_watch_its_progress_and_see_the_ward_summary(client, officer, register, today):
    as_user(client, officer)
    form = body(client.get(DEMAND))
    assert 'value="2025-26"' in form  # the current fiscal year by default
    response = client.post(DEMAND, {"fiscal_year": "২০২৫-২৬"})
    run = DemandRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("holdings:demand_run", args=[run.pk])
    assert (run.fiscal_year, run.status, run.started_by) == (FY, "queued", officer)

    page = body(client.get(response["Location"]))
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Queued" in page

    # While the task runs, its progress is read from the cache.
    DemandRun.objects.filter(pk=run.pk).update(status=DemandRun.Status.RUNNING)
    cache.set(progress_key(run.pk), {"step": "lines", "progress": 45})
    page = body(client.get(response["Location"]))
    assert 'value="45"' in page and "Working out each revenue head" in page
    assert '<meta http-equiv="refresh" content="3">' in page

    # A second start for the same year while it runs is refused.
    again = client.post(DEMAND, {"fiscal_year": FY})
    assert again.status_code == 200 and "already being generated" in body(again)
    assert DemandRun.objects.count() == 1

    # The Celery task, called directly (no worker in this test), takes the run from the
    # queue (the progress above was staged on the page only).
    DemandRun.objects.filter(pk=run.pk).update(status=DemandRun.Status.QUEUED)
    run_demand_generation(run.pk)
    run.refresh_from_db()
    assert run.status == DemandRun.Status.DONE
    page = body(client.get(response["Location"]))
    assert "http-equiv" not in page
    assert "Done" in page
    assert 'id="ward-summary"' in page
    assert "25,500.00" in page and "85,500.00" in page and "1,11,000.00" in page
    assert "New demands" in page and '<td class="num">16</td>' in page  # instalments
    listing = body(client.get(DEMAND))
    assert f"/holdings/officer/demand/{run.pk}/" in listing and "Done" in listing


def test_a_future_year_or_nonsense_is_refused(client, officer, today):
    as_user(client, officer)
    for value, message in [
        ("2026-27", "once that year begins on 1 July"),
        ("26-27", "is not a fiscal year"),
    ]:
        response = client.post(DEMAND, {"fiscal_year": value})
        assert response.status_code == 200 and message in body(response)
    assert not DemandRun.objects.exists()


def test_a_failed_run_says_so(client, officer, db):
    run = DemandRun.objects.create(
        fiscal_year=FY, status=DemandRun.Status.FAILED, error="database went away"
    )
    as_user(client, officer)
    page = body(client.get(reverse("holdings:demand_run", args=[run.pk])))
    assert "failed" in page and "database went away" in page and "http-equiv" not in page


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_through_the_real_worker(client, make_user, celery_worker_thread):
    fiscal_year = current_fiscal_year()
    for ward, number, rent in [(1, "11", "120000"), (2, "21", "60000")]:
        h = holding_create(ward=ward, number=number)
        assessment_record(holding=h, effective_fy=fiscal_year, annual_rent=rent)
    officer = make_user(Role.REVENUE_OFFICER)
    as_user(client, officer)
    response = client.post(DEMAND, {"fiscal_year": fiscal_year})
    assert response.status_code == 302
    run = DemandRun.objects.get()

    def finished():
        run.refresh_from_db()
        return run.status in (DemandRun.Status.DONE, DemandRun.Status.FAILED)

    assert wait_for(finished), run.status
    assert run.status == DemandRun.Status.DONE, run.error
    assert run.created["demands"] == 2
    assert run.started_by == officer
    page = body(client.get(response["Location"]))
    assert "http-equiv" not in page
    assert "17,000.00" in page and "8,500.00" in page and "25,500.00" in page


# --- ward-wise demand against collection -------------------------------------------------------

COLLECTION_EXPECTED = {
    # ward: holdings, arrears demand, current demand, arrears collected, current collected,
    # balance, collection %
    1: (2, "29325.00", "25500.00", "0.00", "4250.00", "50575.00", "7.8"),
    2: (2, "98325.00", "85500.00", "0.00", "0.00", "183825.00", "0.0"),
    "Total": (4, "127650.00", "111000.00", "0.00", "4250.00", "234400.00", "1.8"),
}


def test_collection_report_numbers(client, officer, billed, django_assert_max_num_queries):
    as_user(client, officer)
    with django_assert_max_num_queries(15) as captured:
        response = client.get(COLLECTION, {"fy": "2025-26"})
    few = len(captured.captured_queries)
    page = body(response)
    assert "2025-26" in page
    for figure in [
        "25,500.00",
        "29,325.00",
        "4,250.00",
        "50,575.00",
        "7.8%",
        "85,500.00",
        "98,325.00",
        "1,83,825.00",
        "1,11,000.00",
        "1,27,650.00",
        "2,34,400.00",
        "1.8%",
    ]:
        assert figure in page, figure
    # The default fiscal year is the current one.
    assert "2025-26" in body(client.get(COLLECTION))

    add_more_holdings(30)
    with django_assert_max_num_queries(few):
        page = body(client.get(COLLECTION, {"fy": FY}))
    assert "5 — " in page


def parse_csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def parse_xlsx(response) -> list[list]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_figures(row: list) -> tuple:
    return (
        int(row[2]),
        *(f"{Decimal(str(v)):.2f}" for v in row[3:8]),
        f"{Decimal(str(row[8])):.1f}",
    )


def test_collection_exports_parse_back_to_the_same_numbers(client, officer, billed):
    as_user(client, officer)
    response = client.get(COLLECTION, {"fy": FY, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="holding-collection-2025-26.csv"'
    )
    rows = parse_csv(response)
    headers = [
        "Ward number",
        "Ward",
        "Holdings",
        "Arrears demand",
        "Current demand",
        "Arrears collected",
        "Current collected",
        "Balance",
        "Collection %",
    ]
    assert rows[0] == headers
    got = {(int(r[0]) if r[0].isdigit() else r[0]): as_figures(r) for r in rows[1:]}
    assert got == COLLECTION_EXPECTED

    response = client.get(COLLECTION, {"fy": FY, "format": "xlsx"})
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="holding-collection-2025-26.xlsx"'
    )
    rows = parse_xlsx(response)
    assert rows[0] == headers
    assert {r[0]: as_figures(r) for r in rows[1:]} == COLLECTION_EXPECTED

    bad = client.get(COLLECTION, {"fy": "next year", "format": "csv"})
    assert bad["Content-Type"].startswith("text/html")
    assert "is not a fiscal year" in body(bad)


def test_a_voided_payment_is_not_collected(client, officer, billed, make_user):
    from payments.models import Payment
    from payments.services import payment_void

    payment = Payment.objects.get()
    payment_void(payment=payment, reason="wrong holding", officer=make_user(Role.ADMINISTRATOR))
    as_user(client, officer)
    rows = parse_csv(client.get(COLLECTION, {"fy": FY, "format": "csv"}))
    ward1 = next(r for r in rows if r[0] == "1")
    assert ward1[5] == ward1[6] == "0.00" and ward1[7] == "54825.00"


# --- defaulters -----------------------------------------------------------------------------

# holding number: overdue instalments, overdue amount, arrears with surcharge, total owed
DEFAULTERS_EXPECTED = {
    "201": (1, "21250.00", "97750.00", "119000.00"),
    "101": (0, "0.00", "19550.00", "19550.00"),
    "102": (1, "2125.00", "9775.00", "11900.00"),
    "202": (1, "125.00", "575.00", "700.00"),
}


def test_defaulters_list_sorted_filtered_and_paginated(
    client, officer, billed, django_assert_max_num_queries
):
    as_user(client, officer)
    with django_assert_max_num_queries(10) as captured:
        page = body(client.get(DEFAULTERS))
    few = len(captured.captured_queries)
    order = [page.index(f"Holding {n}, ward") for n in ("201", "101", "102", "202")]
    assert order == sorted(order)  # largest owed first
    assert "Rahim Uddin" in page and "01711-000201" in page
    assert "1,19,000.00" in page and "19,550.00" in page and "700.00" in page

    page = body(client.get(DEFAULTERS, {"sort": "owed_asc"}))
    order = [page.index(f"Holding {n}, ward") for n in ("202", "102", "101", "201")]
    assert order == sorted(order)

    page = body(client.get(DEFAULTERS, {"ward": "1"}))
    assert "Holding 101, ward" in page and "Holding 102, ward" in page
    assert "Holding 201, ward" not in page

    add_more_holdings(30)  # 30 more with an overdue first instalment
    with django_assert_max_num_queries(few):
        page = body(client.get(DEFAULTERS))
    assert "34 holdings" in page and "Page 1 of 2" in page
    assert page.count("<tr>") == 1 + 25


def test_defaulters_exports(client, officer, billed, django_assert_max_num_queries):
    as_user(client, officer)
    response = client.get(DEFAULTERS, {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)  # written while it is sent
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="holding-defaulters-2025-11-15.csv"'
    )
    with django_assert_max_num_queries(5):  # the list is one statement, streamed
        rows = parse_csv(response)
    assert rows[0][:2] == ["Ward number", "Holding number"]
    assert [r[1] for r in rows[1:]] == ["201", "101", "102", "202"]
    got = {r[1]: (int(r[6]), r[8], r[9], r[10]) for r in rows[1:]}
    assert got == DEFAULTERS_EXPECTED
    rahim = next(r for r in rows if r[1] == "201")
    assert rahim[4] == "Rahim Uddin" and rahim[5] == "01711000201"
    assert rahim[7] == "2025-09-30"

    response = client.get(DEFAULTERS, {"format": "csv", "ward": "2", "sort": "owed_asc"})
    assert response["Content-Disposition"] == (
        'attachment; filename="holding-defaulters-2025-11-15-ward-2.csv"'
    )
    assert [r[1] for r in parse_csv(response)[1:]] == ["202", "201"]


def test_defaulters_query_count_stays_constant(
    client, officer, billed, django_assert_max_num_queries
):
    """The list, a page and the CSV cost the same few statements at 4 holdings or 64."""
    as_user(client, officer)
    with django_assert_max_num_queries(20) as few:
        client.get(DEFAULTERS)
        parse_csv(client.get(DEFAULTERS, {"format": "csv"}))
    add_more_holdings(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = body(client.get(DEFAULTERS))
        rows = parse_csv(client.get(DEFAULTERS, {"format": "csv"}))
    assert "64 holdings" in page and len(rows) == 1 + 64


def test_defaulters_xlsx_job_without_a_worker_shows_it_waiting(client, officer, billed):
    as_user(client, officer)
    response = client.post(DEFAULTERS, {"format": "xlsx", "ward": "2"})
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("holdings:report_export", args=[export.pk])
    assert export.status == ReportExport.Status.QUEUED
    assert export.params["ward"] is not None and export.started_by == officer
    page = body(client.get(response["Location"]))
    assert 'http-equiv="refresh"' in page and "Waiting for the worker" in page
    assert client.get(reverse("holdings:report_export_download", args=[export.pk])).status_code == (
        404
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_defaulters_xlsx_built_by_the_real_worker(client, officer, billed, celery_worker_thread):
    as_user(client, officer)
    response = client.post(DEFAULTERS, {"format": "xlsx", "ward": "2"})
    assert response.status_code == 302
    export = ReportExport.objects.get()

    def finished():
        export.refresh_from_db()
        return export.status in (ReportExport.Status.DONE, ReportExport.Status.FAILED)

    assert wait_for(finished), export.status
    assert export.status == ReportExport.Status.DONE, export.error
    assert export.rows == 2 and export.heartbeat_at is not None
    page = body(client.get(response["Location"]))
    assert "http-equiv" not in page and "The file is ready" in page
    download = client.get(reverse("holdings:report_export_download", args=[export.pk]))
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert download["Content-Disposition"] == (
        'attachment; filename="holding-defaulters-2025-11-15-ward-2.xlsx"'
    )
    rows = parse_xlsx(download)
    assert rows[0][:2] == ["Ward number", "Holding number"]
    assert [r[1] for r in rows[1:]] == ["201", "202"]
    for r in rows[1:]:
        expected = DEFAULTERS_EXPECTED[r[1]]
        assert (r[6], *(f"{Decimal(str(v)):.2f}" for v in r[8:11])) == expected


def test_pages_render_in_bengali(client, make_user, billed):
    as_user(client, make_user(Role.ADMINISTRATOR), lang="bn")
    for url in (QUEUE, DEMAND, COLLECTION, DEFAULTERS):
        assert client.get(url).status_code == 200
    page = body(client.get(COLLECTION, {"fy": FY}))
    assert "২০২৫-২৬" in page and "২৫,৫০০.০০" in page
