"""Applications under concurrency, on PostgreSQL (threads released together by a barrier,
each on its own connection): two approvals of one application at once make one fee bill;
the fee paid twice at once is collected once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Credit, Payment
from payments.services import PaymentError, counter_session_open, counter_take_cash
from water_billing.models import ConnectionApplication
from water_billing.services import applications as svc

from .test_water_applications_flow import papers
from .test_water_bills_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


@pytest.fixture
def application(holding, make_user):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    applicant = make_user("citizen", mobile="01711999888")
    return svc.application_submit(
        ward=3,
        holding_number="45/A",
        applicant_name="Karim",
        applicant_mobile="01711999888",
        applicant=applicant,
        actor=applicant,
        road_cutting=True,
        documents=papers(),
    )


def test_two_approvals_at_once_make_one_fee_bill(application, make_user):
    officers = [make_user("water_officer") for _ in range(2)]
    results = run_together(
        *(
            (
                lambda o=o: svc.application_decide(
                    application=application, actor=o, approve=True, reason="ok"
                )
            )
            for o in officers
        )
    )
    decided = [r for r in results if isinstance(r, ConnectionApplication)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(decided) == 1 and len(refused) == 1, results
    assert Bill.objects.filter(subject_type="application").count() == 1
    application.refresh_from_db()
    assert application.status == "billed" and application.bill == Bill.objects.get()


def test_an_approval_and_a_rejection_at_once_leave_one_decision(application, make_user):
    a, b = make_user("water_officer"), make_user("water_officer")
    results = run_together(
        lambda: svc.application_decide(application=application, actor=a, approve=True, reason="ok"),
        lambda: svc.application_decide(
            application=application, actor=b, approve=False, reason="no"
        ),
    )
    assert sum(isinstance(r, ConnectionApplication) for r in results) == 1, results
    application.refresh_from_db()
    assert Bill.objects.filter(status="open").count() == (
        1 if application.status == "billed" else 0
    )


def test_the_fee_paid_twice_at_once_is_collected_once(application, officer, make_user):
    svc.application_decide(application=application, actor=officer, approve=True, reason="ok")
    application.refresh_from_db()
    bill = application.bill
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=c) for c in clerks]
    results = run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[bill], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    assert all(isinstance(r, Payment | PaymentError) for r in results), results
    succeeded = [r for r in results if isinstance(r, Payment)]
    collected = Allocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert collected == bill.total
    if len(succeeded) > 1:  # a second cash payment that got through became a credit
        assert Credit.objects.filter(payment__in=succeeded).exists()
    application.refresh_from_db()
    assert application.status == "paid"
    assert find_discrepancies() == []
