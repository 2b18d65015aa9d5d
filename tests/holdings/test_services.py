"""Holding services and selectors: linking by code (rate limit, lockout, audit), the demand
run (one live run per year, the task's failure path), who may see a holding, the quick-pay
payer name, has_dues against the statement, and the Bengali valuation basis."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import SmsMessage
from core.models import AuditLog
from core.roles import Role
from holdings import services, tasks
from holdings.models import DemandRun, Instalment, Owner
from holdings.selectors import counter_payer, has_dues, holding_visible_to, is_owner, statement
from holdings.services import (
    demand_run_finish,
    demand_run_start,
    holding_bill,
    holding_link_at_counter,
    holding_link_by_nid,
    holding_link_send_code,
    holding_link_verify_code,
)

from .conftest import OWNER_MOBILE, OWNER_NID

pytestmark = pytest.mark.django_db


def _last_code() -> str:
    sms = SmsMessage.objects.filter(kind="code", to=OWNER_MOBILE).order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# --- linking by code ---------------------------------------------------------------------------


def test_a_code_is_sent_at_once_and_audited_with_the_masked_mobile(citizen, make_holding):
    holding = make_holding()
    masked = holding_link_send_code(user=citizen, holding=holding)
    assert masked == "018•••••456"
    assert SmsMessage.objects.filter(kind="code", to=OWNER_MOBILE).count() == 1
    row = AuditLog.objects.get(action="holding.link_code_sent")
    assert row.actor == citizen and row.object_id == str(holding.pk)
    assert row.after["mobile"] == "018•••••456"
    assert OWNER_MOBILE not in str(row.after)


def test_at_most_three_codes_an_hour_per_account_and_holding(client, citizen, make_holding):
    holding = make_holding()
    for _ in range(services.LINK_SENDS_LIMIT):
        holding_link_send_code(user=citizen, holding=holding)
    with pytest.raises(ValidationError) as exc:
        holding_link_send_code(user=citizen, holding=holding)
    assert exc.value.code == "too_many_codes"
    assert SmsMessage.objects.filter(kind="code").count() == 3

    # The resend button on the code page goes through the same limit.
    client.force_login(citizen)
    client.cookies["kcc_language"] = "en"
    session = client.session
    session[f"holding_link_{holding.pk}"] = "018•••••456"
    session.save()
    response = client.post(f"/holdings/link/{holding.pk}/code/", {"resend": "1"}, follow=True)
    assert "codes for this holding in the last hour" in response.content.decode()
    assert SmsMessage.objects.filter(kind="code").count() == 3


def test_three_wrong_codes_lock_out_even_the_right_one_and_a_new_code(citizen, make_holding):
    holding = make_holding()
    holding_link_send_code(user=citizen, holding=holding)
    code = _last_code()
    for _ in range(2):
        with pytest.raises(ValidationError) as exc:
            holding_link_verify_code(user=citizen, holding=holding, code=_wrong(code))
        assert exc.value.code == "wrong_code"
    holding_link_send_code(user=citizen, holding=holding)  # a new code keeps the count
    code = _last_code()
    with pytest.raises(ValidationError) as exc:
        holding_link_verify_code(user=citizen, holding=holding, code=_wrong(code))
    assert exc.value.code == "wrong_code"
    with pytest.raises(ValidationError) as exc:
        holding_link_verify_code(user=citizen, holding=holding, code=code)
    assert exc.value.code == "locked"
    assert not Owner.objects.filter(user=citizen).exists()
    assert not AuditLog.objects.filter(action="holding.linked").exists()


def test_the_right_code_links_and_is_audited(citizen, make_holding):
    holding = make_holding()
    holding_link_send_code(user=citizen, holding=holding)
    owner = holding_link_verify_code(user=citizen, holding=holding, code=_last_code())
    assert owner.user == citizen
    row = AuditLog.objects.get(action="holding.linked")
    assert row.actor == citizen and row.after["method"] == "code"
    assert row.after["user"] == citizen.pk and row.after["owner"] == owner.pk


def test_linking_by_nid_is_audited(citizen, make_holding):
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    row = AuditLog.objects.get(action="holding.linked")
    assert row.actor == citizen and row.after["method"] == "nid"


def test_linking_at_the_counter_is_for_clerks_only_and_audited(citizen, make_user, make_holding):
    holding = make_holding()
    owner = holding.owners.get()
    for not_a_clerk in (citizen, make_user(Role.ASSESSOR)):
        with pytest.raises(ValidationError) as exc:
            holding_link_at_counter(clerk=not_a_clerk, user=citizen, owner=owner)
        assert exc.value.code == "forbidden"
    owner.refresh_from_db()
    assert owner.user is None
    assert not AuditLog.objects.filter(action="holding.linked").exists()

    clerk = make_user(Role.COUNTER_CLERK)
    holding_link_at_counter(clerk=clerk, user=citizen, owner=owner)
    row = AuditLog.objects.get(action="holding.linked")
    assert row.actor == clerk and row.after["method"] == "counter"
    assert row.after["user"] == citizen.pk


# --- the demand run ----------------------------------------------------------------------------


def test_the_service_refuses_a_second_live_run_of_the_year(
    make_user, django_capture_on_commit_callbacks
):
    officer = make_user(Role.REVENUE_OFFICER)
    with django_capture_on_commit_callbacks() as callbacks:
        run = demand_run_start(fiscal_year="2025-26", actor=officer)
    assert len(callbacks) == 1  # the task is sent once committed
    assert (run.status, run.started_by) == (DemandRun.Status.QUEUED, officer)
    assert AuditLog.objects.filter(
        action="holdings.demand_run_started", object_id=str(run.pk)
    ).exists()
    with pytest.raises(ValidationError) as exc:
        demand_run_start(fiscal_year="2025-26", actor=officer)
    assert exc.value.code == "run_busy"
    assert f"already being generated (run #{run.pk})" in exc.value.messages[0]
    assert DemandRun.objects.count() == 1

    # Another year may start; a finished run frees its year.
    demand_run_start(fiscal_year="2024-25", actor=officer)
    DemandRun.objects.filter(pk=run.pk).update(status=DemandRun.Status.DONE)
    demand_run_start(fiscal_year="2025-26", actor=officer)
    assert DemandRun.objects.filter(fiscal_year="2025-26").count() == 2


def test_the_database_allows_one_live_run_per_year(db):
    DemandRun.objects.create(fiscal_year="2025-26", status=DemandRun.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        DemandRun.objects.create(fiscal_year="2025-26")
    DemandRun.objects.create(fiscal_year="2025-26", status=DemandRun.Status.FAILED)


def test_a_broker_that_cannot_be_reached_leaves_the_run_failed(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.run_demand_generation, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        run = demand_run_start(fiscal_year="2025-26", actor=make_user(Role.REVENUE_OFFICER))
    run.refresh_from_db()
    assert run.status == DemandRun.Status.FAILED
    assert "Could not reach the task queue: connection refused" in run.error


def test_the_tasks_failure_path_marks_the_run_failed_with_the_error(transactional_db, monkeypatch):
    # As in a worker: no transaction around the task (its generation has its own).
    run = DemandRun.objects.create(fiscal_year="2025-26")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "generate_demands", broken)
    with pytest.raises(RuntimeError):
        tasks.run_demand_generation(run.pk)
    run.refresh_from_db()
    assert run.status == DemandRun.Status.FAILED
    assert run.error == "database went away" and run.finished_at is not None


def test_finishing_a_run_cuts_a_long_error(db):
    run = DemandRun.objects.create(fiscal_year="2025-26", status=DemandRun.Status.RUNNING)
    assert demand_run_finish(run.pk, error="x" * 5000) == {}
    run.refresh_from_db()
    assert run.status == DemandRun.Status.FAILED and len(run.error) == 2000


# --- who may see a holding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.COUNTER_CLERK, True),
        (Role.ASSESSOR, True),
        (Role.REVENUE_OFFICER, True),
        (Role.LICENCE_OFFICER, False),
        (Role.CITIZEN, False),
    ],
)
def test_holding_visible_to_staff_roles_and_owners(make_user, make_holding, role, visible):
    holding = make_holding()
    user = make_user(role)
    assert holding_visible_to(user, holding) is visible
    assert is_owner(user, holding) is False


def test_the_linked_owner_sees_the_holding(citizen, make_holding):
    from django.contrib.auth.models import AnonymousUser

    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    assert is_owner(citizen, holding) and holding_visible_to(citizen, holding)
    assert not holding_visible_to(AnonymousUser(), holding)
    assert not is_owner(AnonymousUser(), holding)


# --- bills -----------------------------------------------------------------------------------


def test_a_quick_pay_bill_names_the_payer_by_the_first_owners_masked_name(make_holding):
    holding = make_holding()
    due = statement(holding).due_instalments[:1]
    bill = holding_bill(
        holding=holding, instalments=due, payer_mobile="01711000000", owner_contact=False
    )
    assert bill.payer_name == "R**** U****"
    assert bill.payer_mobile == "01711000000"
    assert bill.payer_id is None


def test_the_counter_bills_the_linked_owner(citizen, make_holding):
    holding = make_holding()
    assert counter_payer(holding) is None
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    assert counter_payer(holding) == citizen


def test_bill_lines_name_the_quarters_without_python_lists(make_holding):
    holding = make_holding()
    due = statement(holding).due_instalments[:2]
    bill = holding_bill(holding=holding, instalments=due, today=date(2000, 1, 1))
    explanations = [line.explanation for line in bill.lines.all()]
    assert any("instalments 1, 2" in text for text in explanations), explanations
    assert not any("[" in text for text in explanations), explanations


# --- has_dues ----------------------------------------------------------------------------------


def test_has_dues_agrees_with_the_statement_for_an_unpaid_and_a_paid_holding(make_holding):
    """has_dues is statement().total_overdue > 0: only what is past its due date (Q1 of
    2025-26 is due 30 September 2025, overdue from 1 October)."""
    with time_machine.travel(datetime(2025, 10, 1, 10, tzinfo=UTC), tick=False):
        unpaid = make_holding("2025-26")
        paid = make_holding("2025-26", number="46")
        Instalment.objects.filter(demand__holding=paid).update(status=Instalment.Status.PAID)
        for holding, owes in ((unpaid, True), (paid, False)):
            assert has_dues(holding.pk) is owes
            assert has_dues(holding.pk) == (statement(holding).total_overdue > 0)
    with time_machine.travel(datetime(2025, 9, 30, 10, tzinfo=UTC), tick=False):
        st = statement(unpaid)  # Q1 due today: payable, not overdue
        assert st.total_due == Decimal("17000.00") and st.total_overdue == Decimal("0.00")
        assert has_dues(unpaid.pk) is False


def test_has_dues_counts_arrears_with_their_surcharge(make_holding):
    from core.fiscal import current_fiscal_year, previous_fiscal_year
    from holdings.demands import generate_demands

    this_year = current_fiscal_year()
    holding = make_holding(previous_fiscal_year(this_year))
    generate_demands(this_year)  # last year's unpaid demand becomes arrears
    Instalment.objects.filter(demand__holding=holding, demand__fiscal_year=this_year).update(
        status=Instalment.Status.PAID
    )
    st = statement(holding)
    assert st.arrears and st.total_due > 0
    assert st.total_overdue == st.total_due  # arrears are overdue by definition
    assert has_dues(holding.pk) is True


# --- the statement in Bengali --------------------------------------------------------------------


def test_the_bengali_statement_explains_the_valuation_in_bengali(client, citizen, make_holding):
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    client.force_login(citizen)
    client.cookies["kcc_language"] = "bn"
    page = client.get(f"/holdings/{holding.pk}/").content.decode()
    assert "বার্ষিক ভাড়া ৳১,২০,০০০.০০ থেকে রক্ষণাবেক্ষণ বাবদ" in page
    assert "less one sixth" not in page
    client.cookies["kcc_language"] = "en"
    page = client.get(f"/holdings/{holding.pk}/").content.decode()
    assert "yearly rent ৳1,20,000.00 less one sixth (two months&#x27; rent) for maintenance" in page
