"""The water officer's billing page: a month is chosen, confirmed with what the run will do,
made by a real Celery worker (heartbeat, progress) and the result shown — bills made,
estimated, flat rate, and the connections skipped because their reading is held; then each
bill's SMS, once. Other roles are refused."""

from __future__ import annotations

import time
from datetime import date

import pytest

from accounts.models import SmsMessage
from water_billing.models import BillingRun, WaterBill

from .conftest import read

URL = "/water/billing/"


def wait_done(run_id: int, timeout: float = 60.0) -> BillingRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = BillingRun.objects.get(pk=run_id)
        if run.status in ("done", "failed") and (run.status == "failed" or run.sms_sent):
            return run
        time.sleep(0.2)
    raise AssertionError(BillingRun.objects.get(pk=run_id).status)


@pytest.mark.django_db(transaction=True)
def test_the_officer_confirms_a_month_and_watches_the_worker_make_its_bills(
    client, officer, make_connection, celery_worker_thread
):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    metered = make_connection()
    read(metered, "2026-11", 1018)
    make_connection(metered=False, pipe=20)
    held = make_connection()
    read(held, "2026-10", 5000)
    read(held, "2026-11", 4000)
    unread = make_connection()
    read(unread, "2026-10", 1012)
    client.force_login(officer)
    client.cookies["kcc_language"] = "en"
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"]["month"].value() == "2026-11"
    confirm = client.post(URL, {"month": "২০২৬-১১"})
    assert confirm.status_code == 200 and confirm.context["preview"] == {
        "already": 0,
        "active": 4,
        "flat": 1,
        "read": 1,
        "held": 1,
        "unread": 1,
    }
    assert BillingRun.objects.count() == 0  # nothing until confirmed
    started = client.post(URL, {"month": "2026-11", "confirm": "yes"})
    run = BillingRun.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/water/billing/runs/{run.pk}/"
    run = wait_done(run.pk)
    assert run.status == "done", run.error
    assert run.heartbeat_at is not None
    assert run.created["bills"] == 3 and run.created["estimated"] == 1
    assert run.created["flat"] == 1 and run.held == [held.consumer_no]
    assert run.sms_sent == 3
    assert SmsMessage.objects.filter(kind="water_bill").count() == 3
    assert WaterBill.objects.filter(run=run).count() == 3
    result = client.get(f"/water/billing/runs/{run.pk}/")
    body = result.content.decode()
    assert result.status_code == 200 and held.consumer_no in body
    assert "Estimated (no reading)" in body and "Skipped: reading held for review" in body
    # A month not over cannot be started.
    refused = client.post(URL, {"month": "2026-12", "confirm": "yes"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert BillingRun.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["citizen", "meter_reader", "counter_clerk", "revenue_officer"])
def test_other_roles_cannot_open_the_billing_pages(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"month": "2026-11", "confirm": "yes"}).status_code == 403
    assert BillingRun.objects.count() == 0


@pytest.mark.django_db
def test_a_second_start_of_the_same_month_is_refused_while_one_is_live(officer, monkeypatch):
    from django.core.exceptions import ValidationError

    from water_billing.services import billing

    monkeypatch.setattr(billing, "_enqueue", lambda run_id: None)
    billing.billing_run_start(period="2026-11", actor=officer, bill_date=date(2026, 12, 10))
    with pytest.raises(ValidationError) as caught:
        billing.billing_run_start(period="2026-11", actor=officer, bill_date=date(2026, 12, 10))
    assert caught.value.code == "run_busy"
