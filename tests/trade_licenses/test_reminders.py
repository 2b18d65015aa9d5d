"""Renewal reminders (trade_licenses/reminders.py, beat task core.tasks.send_reminders): with
time frozen day by day across a renewal season, a licence of last year that is not renewed
gets exactly the reminders due (30 and 7 days before the deadline, on the day, then
monthly), once each; a licence renewed in between stops getting them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import SmsMessage
from core.reminders import add_months
from core.reminders import renewal_steps as step_dates
from core.roles import Role
from core.tasks import send_reminders
from payments.models import CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses.models import Application, FeeSchedule, Licence, ReminderSent
from trade_licenses.reminders import SMS_KIND
from trade_licenses.services import (
    application_create_draft,
    application_issue_bill,
    application_submit,
    application_transition,
    inspection_record,
)

from .conftest import DHAKA, TRADER_TIN, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db


def pay(clerk, bill):
    session = CounterSession.objects.filter(
        clerk=clerk, status=CounterSession.Status.OPEN
    ).first() or counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)


@pytest.fixture
def last_years_licence(make_business, make_draft, add_documents, inspector, officer, clerk):
    """A licence for FY 2024-25, issued in August 2024 through the whole workflow."""

    def make(owner, name_en: str) -> Licence:
        with time_machine.travel(datetime(2024, 8, 12, 11, 0, tzinfo=DHAKA), tick=True):
            business = make_business(owner, name_bn="সবুজ বাজার", name_en=name_en)
            application = make_draft(business, filed_by=owner)
            add_documents(application, owner)
            application_submit(application=application, actor=owner)
            application_transition(application=application, to=S.INSPECTION, actor=inspector)
            inspection_record(
                application=application,
                inspector=inspector,
                findings="OK",
                photos=[SimpleUploadedFile("f.png", image_bytes("PNG"))],
            )
            application_transition(application=application, to=S.APPROVAL, actor=inspector)
            application_issue_bill(application=application, actor=officer)
            pay(clerk, application.bill)
            return Licence.objects.get(application=application)

    return make


def renew(licence: Licence, owner, officer, clerk) -> Licence:
    renewal = application_create_draft(
        business=licence.business,
        filed_by=owner,
        fiscal_year="2025-26",
        kind="renewal",
        trader_tin=TRADER_TIN,
    )
    application_submit(application=renewal, actor=owner)
    application_transition(application=renewal, to=S.APPROVAL, actor=officer)
    application_issue_bill(application=renewal, actor=officer)
    pay(clerk, renewal.bill)
    return Licence.objects.get(application=renewal)


def reminder_sms(mobile: str) -> list[str]:
    return list(
        SmsMessage.objects.filter(to=mobile, kind=SMS_KIND)
        .order_by("pk")
        .values_list("text", flat=True)
    )


def run_season(start: date, end: date, capture, on_day=None) -> dict[str, list[date]]:
    """Call the beat task once a day from `start` to `end`; the dates each step went out."""
    day = start
    while day <= end:
        with time_machine.travel(
            datetime(day.year, day.month, day.day, 10, 0, tzinfo=DHAKA), tick=False
        ):
            if on_day:
                on_day(day)
            with capture(execute=True):
                send_reminders()["trade_licenses"]
        day += timedelta(days=1)


def test_season_sends_each_step_once_and_stops_after_renewal(
    last_years_licence, trader, make_user, officer, clerk, django_capture_on_commit_callbacks
):
    trader.email = "karim@example.com"
    trader.save(update_fields=["email"])
    other = make_user(Role.CITIZEN, mobile="01711000077", name_en="Other Trader", nid="1987654399")
    late = last_years_licence(trader, "Sabuj Bazar")
    renewed = last_years_licence(other, "Other Shop")
    assert late.fiscal_year == renewed.fiscal_year == "2024-25"
    assert FeeSchedule.objects.get(fiscal_year="2025-26").renewal_deadline == date(2025, 9, 30)

    def renew_on_10_october(day):
        if day == date(2025, 10, 10):
            renew(renewed, other, officer, clerk)

    mail.outbox.clear()
    run_season(
        date(2025, 8, 25),
        date(2025, 12, 31),
        django_capture_on_commit_callbacks,
        on_day=renew_on_10_october,
    )

    sent = {
        (r.business_id, r.step): r.sent_at.astimezone(DHAKA).date()
        for r in ReminderSent.objects.all()
    }
    assert sent == {
        (late.business_id, "30d"): date(2025, 8, 31),
        (late.business_id, "7d"): date(2025, 9, 23),
        (late.business_id, "day"): date(2025, 9, 30),
        (late.business_id, "month-1"): date(2025, 10, 30),
        (late.business_id, "month-2"): date(2025, 11, 30),
        (late.business_id, "month-3"): date(2025, 12, 30),
        (renewed.business_id, "30d"): date(2025, 8, 31),
        (renewed.business_id, "7d"): date(2025, 9, 23),
        (renewed.business_id, "day"): date(2025, 9, 30),
    }
    assert (
        ReminderSent.objects.filter(business=late.business).get(step="day").channels == "sms,email"
    )
    assert ReminderSent.objects.filter(business=renewed.business).get(step="day").channels == "sms"

    texts = reminder_sms(trader.mobile)
    assert len(texts) == 6 and all(late.number in t for t in texts)
    assert "৩০ দিন" in texts[0]  # the trader's language (Bengali by default)
    assert len(reminder_sms(other.mobile)) == 3
    assert len(mail.outbox) == 6 and mail.outbox[0].to == ["karim@example.com"]
    assert late.number in mail.outbox[0].subject

    # Running again on a day a step went out sends nothing more.
    with time_machine.travel(datetime(2025, 12, 30, 18, 0, tzinfo=DHAKA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_reminders()["trade_licenses"]["sent"] == 0
    assert len(reminder_sms(trader.mobile)) == 6


def test_missed_days_catch_up_with_the_latest_step_only_and_extension_moves_the_day(
    last_years_licence, trader, django_capture_on_commit_callbacks
):
    licence = last_years_licence(trader, "Sabuj Bazar")
    # The deadline is extended to 31 October by order.
    from trade_licenses.services import schedule_for

    schedule = schedule_for("2025-26")
    schedule.renewal_deadline = date(2025, 10, 31)
    schedule.save()
    # The worker was down from 20 September to 25 October: the 30-day step (1 October) is
    # skipped, the 7-day one (24 October) goes out late, once.
    run_season(date(2025, 9, 15), date(2025, 9, 19), django_capture_on_commit_callbacks)
    run_season(date(2025, 10, 26), date(2025, 12, 1), django_capture_on_commit_callbacks)
    steps = dict(
        ReminderSent.objects.filter(business=licence.business).values_list("step", "sent_at")
    )
    assert {k: v.astimezone(DHAKA).date() for k, v in steps.items()} == {
        "7d": date(2025, 10, 26),
        "day": date(2025, 10, 31),
        "month-1": date(2025, 11, 30),
    }


def test_step_dates_same_day_of_month_clamped():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    steps = step_dates(date(2025, 9, 30), date(2026, 6, 30))
    assert steps[:4] == [
        ("30d", date(2025, 8, 31)),
        ("7d", date(2025, 9, 23)),
        ("day", date(2025, 9, 30)),
        ("month-1", date(2025, 10, 30)),
    ]
    assert steps[-1] == ("month-9", date(2026, 6, 30))
