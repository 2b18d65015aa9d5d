"""Every path that makes or pays an e-bike bill, twice at the same moment on PostgreSQL
(threads released together by a barrier, each on its own connection): one bill, one
decision, one activation, one application per chassis, one renewal."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from ezbike.models import Application, Licence, LicenceStatusChange, Vehicle
from ezbike.services.applications import application_decide, application_submit, licence_renew
from ezbike.services.licences import licences_expire_due
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill, Payment
from payments.services import PaymentError, counter_session_open, counter_take_cash

from .conftest import DHAKA, application_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def run_together(*calls):
    """Run the calls at the same moment, each in its own thread and connection; returns
    each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def approved(submit, officer, pay):
    """An application whose fee is paid, approved: its licence waits for the licence fee;
    the licence fee bill is cancelled so that the owner's due is not billed yet."""
    from payments.services import bill_cancel

    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    bill_cancel(bill=Bill.objects.get(subject_type="licence"), reason="test", actor=officer)
    return application


def test_two_bill_due_calls_for_the_same_fee_make_one_bill(approved):
    from ezbike.dues import bill_due, open_dues

    owner = approved.applicant
    [due] = open_dues(owner)
    results = run_together(*(lambda: bill_due(owner, due.token) for _ in range(2)))
    assert all(isinstance(r, Bill) for r in results), results
    assert results[0].pk == results[1].pk
    assert Bill.objects.filter(subject_type="licence", status="open").count() == 1
    assert open_dues(owner) == []


def test_two_approvals_at_once_make_one_decision_and_one_fee_bill(submit, pay, make_user):
    application = submit()
    pay(application.fee_bill)
    officers = [make_user("ebike_officer") for _ in range(2)]
    results = run_together(
        *(
            (
                lambda o=o: application_decide(
                    application=application, actor=o, approve=True, reason="ok"
                )
            )
            for o in officers
        )
    )
    assert sum(isinstance(r, Application) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Bill.objects.filter(subject_type="licence").count() == 1
    licence = Licence.objects.get(pk=application.licence_id)
    assert licence.status == "approved"


def test_the_paid_hook_run_twice_at_once_activates_once(submit, officer, pay):
    from ezbike.registry_hooks import on_paid

    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    bill = Bill.objects.get(subject_type="licence")
    Bill.objects.filter(pk=bill.pk).update(status="paid")  # as payments leaves it
    bill.refresh_from_db()
    results = run_together(lambda: on_paid(bill), lambda: on_paid(bill))
    assert results == [None, None]
    licence = Licence.objects.get(pk=application.licence_id)
    assert licence.status == "active"
    assert LicenceStatusChange.objects.filter(licence=licence, to_status="active").count() == 1


def test_the_licence_fee_paid_twice_at_once_is_collected_once(submit, officer, pay, make_user):
    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    bill = Bill.objects.get(subject_type="licence")
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=c) for c in clerks]
    results = run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[bill], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    assert all(isinstance(r, Payment | PaymentError) for r in results), results
    collected = Allocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert collected == bill.total == Decimal("10000.00")
    licence = Licence.objects.get(pk=application.licence_id)
    assert licence.status == "active"
    assert LicenceStatusChange.objects.filter(licence=licence, to_status="active").count() == 1
    assert find_discrepancies() == []


def test_two_applications_for_one_chassis_at_once_file_one(make_user):
    users = [make_user("citizen") for _ in range(2)]
    inputs = [application_input(0), application_input(1)]
    inputs[1]["vehicle"]["chassis_no"] = inputs[0]["vehicle"]["chassis_no"]
    results = run_together(
        *(
            (lambda u=u, data=data: application_submit(**data, applicant=u, actor=u))
            for u, data in zip(users, inputs, strict=True)
        )
    )
    assert sum(isinstance(r, Application) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Vehicle.objects.count() == 1 and Bill.objects.count() == 1


def test_two_renewals_at_once_make_one_licence_and_one_bill(licensed, make_user):
    import time_machine

    owner = make_user("citizen")
    licensed.owner.user = owner
    licensed.owner.save()
    with time_machine.travel("2027-08-01 10:00 +0600", tick=True):
        results = run_together(
            lambda: licence_renew(vehicle=licensed, actor=owner),
            lambda: licence_renew(vehicle=licensed, actor=owner),
        )
    assert sum(isinstance(r, tuple) for r in results) == 1, results
    assert Licence.objects.filter(vehicle=licensed, fiscal_year="2027-28").count() == 1
    assert Bill.objects.filter(subject_type="licence", status="open").count() == 1


def test_two_reminder_runs_at_once_send_each_step_once(licensed):
    import datetime

    import time_machine

    from accounts.models import SmsMessage
    from ezbike.models import RenewalReminder
    from ezbike.reminders import send_due_reminders

    SmsMessage.objects.all().delete()
    with time_machine.travel(datetime.datetime(2027, 8, 31, 10, 0, tzinfo=DHAKA), tick=True):
        results = run_together(send_due_reminders, send_due_reminders)
    assert sorted(r["sent"] for r in results) == [0, 1], results
    assert list(RenewalReminder.objects.values_list("step", flat=True)) == ["30d"]
    assert SmsMessage.objects.filter(kind="ezbike").count() == 1


def test_two_seizures_at_once_bill_one_fine_and_its_hook_twice_releases_once(
    licensed, officer, make_user
):
    from ezbike.registry_hooks import on_paid
    from ezbike.services.enforcement import licence_seize

    licence = licensed.licences.get()
    officers = [officer, make_user("ebike_officer")]
    results = run_together(
        *(
            (lambda o=o: licence_seize(licence=licence, reason="Wrong way", actor=o))
            for o in officers
        )
    )
    assert sum(isinstance(r, tuple) for r in results) == 1, results
    [bill] = Bill.objects.filter(subject_type="seizure")
    Bill.objects.filter(pk=bill.pk).update(status="paid")  # as payments leaves it
    bill.refresh_from_db()
    assert run_together(lambda: on_paid(bill), lambda: on_paid(bill)) == [None, None]
    licence.refresh_from_db()
    assert licence.status == "active"
    assert list(licence.status_changes.values_list("to_status", flat=True)) == [
        "applied",
        "approved",
        "active",
        "seized",
        "active",
    ]


def test_the_daily_expiry_run_twice_at_once_expires_each_licence_once(licensed):
    """Beat's expiry delivered to two workers at the same moment: each licence past its
    deadline expires once (one status change), and neither run fails."""
    import datetime

    day = datetime.date(2027, 10, 1)
    results = run_together(*(lambda: licences_expire_due(today=day) for _ in range(2)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [0, 1]
    licence = licensed.licences.get()
    assert licence.status == "expired"
    assert LicenceStatusChange.objects.filter(licence=licence, to_status="expired").count() == 1
