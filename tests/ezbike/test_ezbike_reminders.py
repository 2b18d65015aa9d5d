"""Renewal reminders (declared as the service's `reminders`, run daily by beat through
core.tasks.send_reminders): 30 and 7 days before the deadline, on the day, then monthly,
never twice, not after the renewal is paid; the daily expiry task."""

from __future__ import annotations

import datetime
from datetime import date

import pytest
import time_machine

from accounts.models import SmsMessage
from core.reminders import renewal_steps as step_dates
from ezbike.models import Licence, RenewalReminder

from .conftest import DHAKA

pytestmark = pytest.mark.django_db


def run_season(first: date, last: date, capture) -> None:
    from core.tasks import send_reminders

    day = first
    while day <= last:
        with time_machine.travel(
            datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=DHAKA)
        ):
            with capture(execute=True):
                send_reminders()
                send_reminders()  # a second run the same day sends nothing more
        day += datetime.timedelta(days=1)


def reminder_sms(mobile: str) -> list[str]:
    return list(
        SmsMessage.objects.filter(kind="ezbike", to=mobile)
        .order_by("pk")
        .values_list("text", flat=True)
    )


def test_steps():
    assert step_dates(date(2027, 9, 30), date(2028, 6, 30))[:4] == [
        ("30d", date(2027, 8, 31)),
        ("7d", date(2027, 9, 23)),
        ("day", date(2027, 9, 30)),
        ("month-1", date(2027, 10, 30)),
    ]


def test_a_season_of_reminders_each_once_and_none_after_renewal(
    make_vehicle, license_vehicle, django_capture_on_commit_callbacks, officer, pay
):
    from ezbike.services.applications import licence_renew

    late, renewed = make_vehicle(0), make_vehicle(1)
    for v in (late, renewed):
        license_vehicle(v)
    renewed.owner.mobile = "01799000001"
    renewed.owner.save()
    SmsMessage.objects.all().delete()
    run_season(date(2027, 8, 25), date(2027, 9, 10), django_capture_on_commit_callbacks)
    # The second e-bike renews and pays on 10 September: no more reminders for it.
    with time_machine.travel(datetime.datetime(2027, 9, 10, 12, 0, tzinfo=DHAKA)):
        _licence, bill = licence_renew(vehicle=renewed, actor=officer)
        pay(bill)
    run_season(date(2027, 9, 11), date(2027, 12, 31), django_capture_on_commit_callbacks)
    steps = list(
        RenewalReminder.objects.filter(licence__vehicle=late)
        .order_by("pk")
        .values_list("step", flat=True)
    )
    assert steps == ["30d", "7d", "day", "month-1", "month-2", "month-3"]
    texts = reminder_sms(late.owner.mobile)
    assert len(texts) == 6
    assert "৩০/০৯/২০২৭" in texts[0] and "খুসিক" in texts[0]  # Bengali without an account
    assert list(
        RenewalReminder.objects.filter(licence__vehicle=renewed).values_list("step", flat=True)
    ) == ["30d"]
    assert len(reminder_sms("01799000001")) == 1


def test_the_daily_expiry_task(licensed):
    from ezbike.tasks import expire_licences

    with time_machine.travel(datetime.datetime(2027, 10, 1, 0, 20, tzinfo=DHAKA)):
        result = expire_licences()
    assert result == {"date": "2027-10-01", "expired": 1}
    assert Licence.objects.get(vehicle=licensed).status == "expired"
