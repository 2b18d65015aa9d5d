"""A demand run whose worker died does not block its year: the heartbeat goes stale, the
run is marked failed (by beat, or by the next start), and the retry completes the year.
Also: holdings' rate limits with the cache down (quick pay open, linking closed)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from core.fiscal import current_fiscal_year
from core.models import AuditLog
from core.roles import Role
from core.runs import WORKER_STOPPED, Heartbeat
from holdings.models import Demand, DemandRun, Owner
from holdings.services import (
    LIVE_RUN_STATUSES,
    demand_run_start,
)
from holdings.tasks import fail_stale_demand_runs, run_demand_generation

from .conftest import OWNER_NID

RUNNING, FAILED = DemandRun.Status.RUNNING, DemandRun.Status.FAILED


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVENUE_OFFICER)


def test_beat_marks_a_run_with_an_old_heartbeat_failed(db, settings):
    settings.RUN_HEARTBEAT_STALE_SECONDS = 300
    dead = DemandRun.objects.create(fiscal_year="2024-25", status=RUNNING, heartbeat_at=ago(10))
    alive = DemandRun.objects.create(fiscal_year="2025-26", status=RUNNING, heartbeat_at=ago(1))
    waiting = DemandRun.objects.create(fiscal_year="2023-24")  # queued: no worker yet
    DemandRun.objects.filter(pk=waiting.pk).update(created_at=ago(60))

    assert fail_stale_demand_runs() == [dead.pk]

    dead.refresh_from_db()
    assert dead.status == FAILED and dead.error == WORKER_STOPPED and dead.finished_at
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert alive.status == RUNNING and waiting.status == DemandRun.Status.QUEUED
    assert AuditLog.objects.filter(action="holdings.demand_run_failed_stale").count() == 1
    assert fail_stale_demand_runs() == []  # once


def test_a_running_run_without_any_heartbeat_ages_from_its_start(db):
    old = DemandRun.objects.create(fiscal_year="2024-25", status=RUNNING)
    DemandRun.objects.filter(pk=old.pk).update(created_at=ago(30))
    assert fail_stale_demand_runs() == [old.pk]


@pytest.mark.django_db(transaction=True)
def test_a_new_start_fails_the_dead_run_and_the_retry_completes_the_year(unbilled_holding, officer):
    fy = current_fiscal_year()
    dead = DemandRun.objects.create(fiscal_year=fy, status=RUNNING, heartbeat_at=ago(10))

    run = demand_run_start(fiscal_year=fy, actor=officer)  # not "already being generated"

    dead.refresh_from_db()
    assert dead.status == FAILED and dead.error == WORKER_STOPPED
    assert run.status == DemandRun.Status.QUEUED
    counts = run_demand_generation(run.pk)  # the worker picks the new run up
    run.refresh_from_db()
    assert run.status == DemandRun.Status.DONE and counts["demands"] == 1
    assert run.heartbeat_at is not None
    assert Demand.objects.filter(holding=unbilled_holding, fiscal_year=fy).count() == 1

    # The dead run's task, delivered again after the worker's death, leaves it alone.
    assert run_demand_generation(dead.pk) == {}
    dead.refresh_from_db()
    assert dead.status == FAILED


@pytest.mark.django_db(transaction=True)
def test_a_live_heartbeat_keeps_the_year_busy(unbilled_holding, officer):
    from django.core.exceptions import ValidationError

    fy = current_fiscal_year()
    DemandRun.objects.create(fiscal_year=fy, status=RUNNING, heartbeat_at=ago(1))
    with pytest.raises(ValidationError) as refused:
        demand_run_start(fiscal_year=fy, actor=officer)
    assert refused.value.code == "run_busy"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_while_the_work_runs():
    run = DemandRun.objects.create(fiscal_year="2025-26", status=RUNNING, heartbeat_at=ago(4))
    first = DemandRun.objects.get(pk=run.pk).heartbeat_at
    with Heartbeat(DemandRun, run.pk, live_statuses=LIVE_RUN_STATUSES, interval=0.05) as heartbeat:
        heartbeat.beat()
        deadline = time.monotonic() + 5
        while (
            DemandRun.objects.get(pk=run.pk).heartbeat_at == first and time.monotonic() < deadline
        ):
            time.sleep(0.05)
    assert DemandRun.objects.get(pk=run.pk).heartbeat_at > first
    assert heartbeat.beats >= 1
    assert fail_stale_demand_runs() == []


def test_the_failed_run_page_offers_a_retry(client, officer, db):
    run = DemandRun.objects.create(fiscal_year="2025-26", status=FAILED, error=WORKER_STOPPED)
    client.force_login(officer)
    client.cookies["kcc_language"] = "en"
    page = body(client.get(f"/holdings/officer/demand/{run.pk}/"))
    assert "The worker stopped before the run finished" in page
    assert "Failed — retry 2025-26" in page
    assert 'name="fiscal_year" value="2025-26"' in page
    client.cookies["kcc_language"] = "bn"
    page = body(client.get(f"/holdings/officer/demand/{run.pk}/"))
    assert "ওয়ার্কার থেমে গেছে" in page and "আবার চালান" in page


# --- the cache down -----------------------------------------------------------------------

REDIS_DOWN = {
    "default": {
        "BACKEND": "core.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down():
    with override_settings(CACHES=REDIS_DOWN):
        yield


def test_quick_pay_look_up_fails_open_with_the_cache_down(client, make_holding, redis_down):
    make_holding()
    client.cookies["kcc_language"] = "en"
    response = client.get("/holdings/quick-pay/", {"ward": "3", "number": "45/A"})
    assert response.status_code == 200
    assert "R**** U****" in body(response)


def test_linking_by_nid_fails_closed_with_the_cache_down(client, make_holding, citizen, redis_down):
    holding = make_holding()
    client.force_login(citizen)
    client.cookies["kcc_language"] = "en"
    response = client.post(
        "/holdings/link/", {"ward": "3", "number": "45/A", "method": "nid", "nid": OWNER_NID}
    )
    assert response.status_code == 503
    assert "This is unavailable for a moment. Please try again in a minute." in body(response)
    assert not Owner.objects.filter(holding=holding, user=citizen).exists()


# --- longer limits for reports and the demand generation ----------------------------------


def _statement_timeout():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reports_and_the_demand_generation_run_with_longer_statement_limits(
    client, officer, unbilled_holding, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL statement timeouts")
    from holdings import demands, reports

    seen = {}
    collection, generate = reports.collection, demands.generate_demands

    def spy_collection(*args, **kwargs):
        seen["report"] = _statement_timeout()
        return collection(*args, **kwargs)

    def spy_generate(*args, **kwargs):
        seen["generation"] = _statement_timeout()
        return generate(*args, **kwargs)

    monkeypatch.setattr(reports, "collection", spy_collection)
    monkeypatch.setattr("holdings.tasks.generate_demands", spy_generate)
    client.force_login(officer)
    assert client.get("/holdings/officer/collection/").status_code == 200
    run = demand_run_start(fiscal_year=current_fiscal_year(), actor=officer)
    run_demand_generation(run.pk)
    assert seen == {"report": "2min", "generation": "0"}
    assert _statement_timeout() == "15s"  # the web's own limit, outside them
