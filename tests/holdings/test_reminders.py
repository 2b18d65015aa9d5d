"""Holding-tax SMS reminders: before each instalment's due date and monthly for what is
overdue, each once, on the machinery shared with trade licences.

A let holding at a yearly rent of 1,20,000 pays 17,000.00 a year, 4,250.00 a quarter.
FY 2026-27's 2nd instalment falls due on 31 December 2026: the owners hear of it from
24 December (7 days before, the schedule's default), once.
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import time_machine
from django.db import connection

from accounts.models import SmsMessage
from core.tasks import send_reminders
from holdings.demands import generate_demands
from holdings.models import Deadline, HoldingReminder, Instalment, RateSchedule
from holdings.reminders import SMS_KIND, send_due_reminders
from holdings.services import assessment_record, holding_bill, holding_create, owner_add
from payments.services import counter_session_open, counter_take_cash

FY = "2026-27"


def at(day: date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC), tick=False
    )


def sms() -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(kind=SMS_KIND).order_by("pk"))


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """remind() runs the holding reminders, remind(task=True) the daily beat task, with
    the on-commit deliveries run inside the test's transaction."""

    def run(task: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders()["holdings"] if task else send_due_reminders()

    return run


@pytest.fixture
def holding(db):
    with at(date(2026, 7, 1)):
        h = holding_create(ward=3, number="45/A", use="residential")
        owner_add(holding=h, name_en="Rahim Uddin", mobile="01819123456")
        owner_add(holding=h, name_en="Karim Uddin", mobile="01819123456")  # the same number
        assessment_record(holding=h, effective_fy=FY, annual_rent="120000")
        generate_demands(FY)
    return h


@pytest.fixture
def pay(make_user):
    clerk = make_user("counter_clerk")

    def pay(holding, quarters):
        instalments = list(Instalment.objects.filter(demand__holding=holding, quarter__in=quarters))
        bill = holding_bill(holding=holding, instalments=instalments)
        counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)

    return pay


def test_seven_days_before_the_2nd_instalment_the_owner_is_reminded_once(holding, pay, remind):
    with at(date(2026, 12, 23)):  # 8 days before: not yet (Q1 is paid, nothing overdue)
        pay(holding, [1])
        assert remind()["before"] == 0
    with at(date(2026, 12, 24)):
        assert remind(task=True)["before"] == 1
        assert remind(task=True)["before"] == 0  # the same day again: nothing
    with at(date(2026, 12, 28)):
        assert remind()["before"] == 0  # a later day in the window: nothing
    [message] = sms()  # two owners, one mobile number: one SMS
    assert message.to == "01819123456"
    assert message.text.startswith("পৌরকর: হোল্ডিং ৪৫/A, ওয়ার্ড ৩-এর")
    assert "২০২৬-২৭ অর্থবছরের ২ নং কিস্তি ৳৪,২৫০.০০" in message.text
    assert "৩১/১২/২০২৬" in message.text
    assert "/holdings/quick-pay/?ward=3&number=45%2FA" in message.text
    assert HoldingReminder.objects.get().key == "2026-27:q2:before"


def test_an_extended_due_date_moves_the_reminder(holding, pay, remind):
    with at(date(2026, 12, 1)):
        pay(holding, [1])
        schedule = RateSchedule.objects.get(fiscal_year=FY)
        schedule.extensions.create(
            deadline=Deadline.Q2,
            new_date=date(2027, 1, 15),
            order_reference="KCC/REV/2026/77",
            order_date=date(2026, 12, 1),
        )
    with at(date(2026, 12, 24)):
        assert remind()["before"] == 0
    with at(date(2027, 1, 8)):
        assert remind()["before"] == 1
    assert "১৫/০১/২০২৭" in sms()[0].text


def test_a_paid_instalment_is_not_reminded(holding, pay, remind):
    with at(date(2026, 12, 24)):
        pay(holding, [1, 2])
        assert remind() == {"date": "2026-12-24", "before": 0, "overdue": 0}
    assert sms() == []


def test_overdue_holdings_are_reminded_once_a_month_with_what_they_owe(holding, remind):
    with at(date(2026, 10, 5)):  # Q1 (30 September) unpaid
        assert remind()["overdue"] == 1
        assert remind()["overdue"] == 0
    with at(date(2026, 10, 30)):
        assert remind()["overdue"] == 0
    with at(date(2026, 11, 2)):
        assert remind()["overdue"] == 1
    first, second = sms()
    assert "৳৪,২৫০.০০ বকেয়া আছে" in first.text
    assert [r.key for r in HoldingReminder.objects.order_by("pk")] == [
        "overdue:2026-10",
        "overdue:2026-11",
    ]


def test_each_owner_mobile_in_its_own_language(holding, make_user, remind):
    english = make_user("citizen", mobile="01911000222", preferred_language="en")
    owner_add(holding=holding, name_en="Salma", mobile="01911000222")
    holding.owners.filter(mobile="01911000222").update(user=english)
    with at(date(2026, 10, 5)):
        remind()
    texts = {m.to: m.text for m in sms()}
    assert texts["01819123456"].startswith("পৌরকর")
    assert texts["01911000222"].startswith(
        "Holding tax: holding 45/A, ward 3, owes ৳4,250.00 past its due dates"
    )


def test_a_holding_without_an_owner_mobile_is_skipped_and_reminded_later(holding, remind):
    holding.owners.update(mobile="")
    with at(date(2026, 10, 5)):
        assert remind()["overdue"] == 0
        holding.owners.filter(name_en="Rahim Uddin").update(mobile="01819123456")
        assert remind()["overdue"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_one_reminder():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL concurrent connections")
    with at(date(2026, 7, 1)):
        h = holding_create(ward=3, number="9", use="residential")
        owner_add(holding=h, name_en="Rahim", mobile="01819123457")
        assessment_record(holding=h, effective_fy=FY, annual_rent="120000")
        generate_demands(FY)
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            return send_due_reminders()["overdue"]
        finally:
            connection.close()

    with at(date(2026, 10, 5)), ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result() for f in [pool.submit(run), pool.submit(run)]]
    assert sorted(results) == [0, 1]
    assert SmsMessage.objects.filter(kind=SMS_KIND).count() == 1
