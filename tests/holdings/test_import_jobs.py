"""The register import as a worker job: the check reads the file once and keeps each row's
values and errors; the officer follows the progress, reads the check and confirms; the
import works from the kept rows in one transaction, once, even when two confirmations
race; a job whose worker died is failed by the beat; memory stays bounded."""

from __future__ import annotations

import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from core.models import AuditLog
from core.roles import Role
from holdings import importer
from holdings.importer import jobs
from holdings.models import Holding, HoldingImport, HoldingImportRow, Instalment, Owner
from holdings.services import holding_create
from holdings.tasks import check_holding_import, fail_stale_holding_imports, run_holding_import

from .test_import import bad_file, check, confirm, csv_bytes, row, upload  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/holdings/import/"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-08-01 10:00 +06:00", tick=True), translation.override("en"):
        yield


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.ASSESSOR)
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return user


def start(data: bytes, actor, name: str = "register.csv", language: str = "en") -> HoldingImport:
    return jobs.import_job_start(
        upload=SimpleUploadedFile(name, data), actor=actor, language=language
    )


def many_rows(n: int, start_at: int = 0) -> bytes:
    return csv_bytes(
        *[
            row(
                ward=str(1 + i % 31),
                number=str(1000 + i),
                share="100",
                nid=f"{10**9 + i}",
                mobile=f"0171{i:07d}",
                rent=str(50000 + i),
                arrears_fy="2024-25" if i % 4 == 0 else "",
                arrears_amount="3000" if i % 4 == 0 else "",
            )
            for i in range(start_at, start_at + n)
        ]
    )


# --- the same check and import as the importer's ----------------------------------------------


def test_the_job_finds_what_the_importer_finds_and_imports_the_same(bad_file, officer):  # noqa: F811
    _parsed, results = check(bad_file)
    expected = {r.row: (r.codes, r.errors) for r in results}
    job = start(bad_file, officer)
    check_holding_import(job.pk)
    job.refresh_from_db()
    kept = {k.row: (k.codes, k.errors) for k in job.kept_rows.all()}
    assert kept == expected
    assert (job.status, job.rows, job.error_rows) == ("checked", 15, 10)
    summary = importer.summarize(results)
    assert (job.holdings, job.valid_holdings) == (
        summary["holdings"],
        summary["valid_holdings"],
    )
    assert jobs.import_job_confirm(job_id=job.pk, only_valid=True, actor=officer)
    run_holding_import(job.pk)
    job.refresh_from_db()
    assert job.status == "imported", job.error
    assert (job.imported_holdings, job.skipped_holdings, job.skipped_rows) == (2, 9, 13)
    assert set(Holding.objects.values_list("ward__number", "number")) == {
        (1, "1"),
        (3, "123"),  # Bengali digits
        (2, "50"),
    }
    statuses = dict(job.kept_rows.values_list("row", "status"))
    assert statuses[2] == statuses[8] == "imported"
    assert statuses[5] == statuses[9] == statuses[11] == "skipped"
    assert statuses[3] == "error"
    audit = AuditLog.objects.get(action="holdings.imported")
    assert audit.actor == officer and audit.after["job"] == job.pk


def test_everything_in_one_transaction_nothing_half_imported(officer, monkeypatch):
    job = start(many_rows(2500), officer)
    check_holding_import(job.pk)
    assert jobs.import_job_confirm(job_id=job.pk, only_valid=False, actor=officer)
    real = jobs.create_holdings
    calls = []

    def fail_on_the_third_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "create_holdings", fail_on_the_third_batch)
    with pytest.raises(RuntimeError):
        run_holding_import(job.pk)
    assert Holding.objects.count() == Owner.objects.count() == Instalment.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error
    assert not job.kept_rows.filter(status="imported").exists()
    # The check is kept: the import can be started again, and completes.
    monkeypatch.setattr(jobs, "create_holdings", real)
    assert jobs.import_job_confirm(job_id=job.pk, only_valid=False, actor=officer)
    run_holding_import(job.pk)
    job.refresh_from_db()
    assert job.status == "imported" and Holding.objects.count() == 2500 == job.imported_holdings


def test_a_holding_registered_since_the_check(client, officer):
    upload(client, csv_bytes(row(number="1"), row(number="2")), "register.csv")
    job = HoldingImport.objects.get()
    assert job.error_rows == 0
    holding_create(ward=1, number="2")
    page = confirm(client, {"action": "import"}).content.decode()
    job.refresh_from_db()
    assert job.status == "checked" and Holding.objects.count() == 1
    assert "registered since it was checked" in page
    assert "Holding 2 already exists in ward 1." in page
    assert "Import only the 1 valid holding" in page
    confirm(client, {"action": "only_valid", "confirm": "yes"})
    job.refresh_from_db()
    assert job.status == "imported" and Holding.objects.count() == 2


def test_errors_in_the_language_of_the_upload(client, officer):
    client.cookies["kcc_language"] = "bn"
    upload(client, csv_bytes(row(ward="99")), "register.csv")
    job = HoldingImport.objects.get()
    assert job.language == "bn"
    [kept] = job.kept_rows.all()
    with translation.override("bn"):
        assert kept.errors[0] != "There is no ward 99 in this city."
        assert "৯৯" in kept.errors[0] or "99" in kept.errors[0]


# --- progress ---------------------------------------------------------------------------------


def test_progress_is_shown_while_the_worker_works(client, officer):
    response = client.post(URL, {"file": SimpleUploadedFile("register.csv", many_rows(3500))})
    job = HoldingImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in page and 'http-equiv="refresh"' in page
    seen = []
    real_set = cache.set

    def watch(key, value, *args, **kwargs):
        if key == jobs.progress_key(job.pk):
            seen.append(value)
        return real_set(key, value, *args, **kwargs)

    cache.set = watch
    try:
        check_holding_import(job.pk)
    finally:
        cache.set = real_set
    percents = [v["progress"] for v in seen]
    assert len(percents) >= 4 and percents == sorted(percents) and 0 < percents[-1] <= 99
    assert {v["phase"] for v in seen} == {"check"}
    # While the worker checks, the page shows the percent it reported.
    HoldingImport.objects.filter(pk=job.pk).update(status="checking")
    cache.set(jobs.progress_key(job.pk), {"phase": "check", "rows": 2000, "progress": 40})
    page = client.get(response["Location"]).content.decode()
    assert 'value="40"' in page and "Checking the rows: 2000 read" in page


def test_progress_of_the_import(officer):
    job = start(many_rows(2500), officer)
    check_holding_import(job.pk)
    jobs.import_job_confirm(job_id=job.pk, only_valid=False, actor=officer)
    seen = []
    jobs.import_job(job.pk, progress=lambda phase, done, pct: seen.append((phase, done, pct)))
    assert [p for p, _d, _pct in seen] == ["import", "import"]
    assert [d for _p, d, _pct in seen] == [1000, 2000]


# --- stale jobs -------------------------------------------------------------------------------


def test_a_job_whose_worker_died_is_failed_by_the_beat(client, officer, settings):
    settings.RUN_HEARTBEAT_STALE_SECONDS = 60
    job = start(csv_bytes(row()), officer)
    HoldingImport.objects.filter(pk=job.pk).update(
        status="checking", heartbeat_at=timezone.now() - timedelta(seconds=30)
    )
    assert fail_stale_holding_imports() == []
    HoldingImport.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=90)
    )
    assert job.file
    assert fail_stale_holding_imports() == [job.pk]
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert not job.file, "its upload is not kept"
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert "The check did not finish" in page and "Upload the file again." in page
    assert 'http-equiv="refresh"' not in page
    # A late worker leaves it alone.
    assert check_holding_import(job.pk) == {}
    assert not HoldingImportRow.objects.exists()


def test_a_queued_job_is_not_failed_for_want_of_a_heartbeat(officer, settings):
    settings.RUN_HEARTBEAT_STALE_SECONDS = 60
    job = start(csv_bytes(row()), officer)
    HoldingImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert fail_stale_holding_imports() == []


def test_the_task_heartbeats_while_it_works(officer):
    job = start(many_rows(1500), officer)
    check_holding_import(job.pk)
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.status == "checked"


# --- memory -----------------------------------------------------------------------------------


def _peak_of_check_and_import(n: int, officer, start_at: int) -> int:
    job = start(many_rows(n, start_at), officer)
    tracemalloc.start()
    try:
        jobs.check_job(job.pk)
        jobs.import_job_confirm(job_id=job.pk, only_valid=False, actor=officer)
        jobs.import_job(job.pk)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        job.refresh_from_db()
        assert job.status == "imported" and job.imported_holdings == n


def test_memory_is_bounded_by_a_batch_not_the_file(officer, monkeypatch):
    """Four times the rows, not four times the memory: each row's values go to the table
    as soon as they are checked, and the import reads them back holding by holding. (The
    batches are made small here so that both files span many of them.)"""
    monkeypatch.setattr(jobs, "BATCH", 100)
    monkeypatch.setattr(jobs, "ROWS_PER_FETCH", 100)
    monkeypatch.setattr(jobs, "GROUPS_PER_BATCH", 100)
    small = _peak_of_check_and_import(600, officer, 0)
    large = _peak_of_check_and_import(2400, officer, 10_000)
    assert large < small * 1.4, (small, large)


# --- the real worker --------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_upload_check_and_import_through_the_real_worker(client, officer, celery_worker_thread):
    response = client.post(
        URL, {"file": SimpleUploadedFile("register.csv", csv_bytes(row(number="1")))}
    )
    job = HoldingImport.objects.get()

    def status_in(*statuses):
        def done():
            job.refresh_from_db()
            return job.status in statuses

        return done

    assert wait_for(status_in("checked", "failed", "refused")), job.status
    assert job.status == "checked", (job.error, job.file_errors)
    assert job.heartbeat_at is not None
    response = client.post(f"{URL}{job.pk}/confirm/", {"action": "import"})
    assert response.status_code == 302
    assert wait_for(status_in("imported", "failed")), job.status
    assert job.status == "imported", job.error
    assert Holding.objects.filter(number="1").exists()


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


# --- two confirmations at once ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_import_once(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    officer = make_user(Role.ASSESSOR)
    job = start(many_rows(300), officer)
    check_holding_import(job.pk)
    barrier = threading.Barrier(2)

    def confirm_and_import():
        client = Client()
        client.force_login(officer)
        client.cookies["kcc_language"] = "en"
        barrier.wait()
        try:
            response = client.post(f"{URL}{job.pk}/confirm/", {"action": "import"})
            barrier.wait()
            # Each thread's worker runs the import task (as a duplicate delivery would).
            return response.status_code, run_holding_import(job.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _i: confirm_and_import(), range(2)))
    assert [status for status, _result in results] == [302, 302]
    assert sorted(bool(result) for _status, result in results) == [False, True]
    job.refresh_from_db()
    assert job.status == "imported" and job.imported_holdings == 300
    assert Holding.objects.count() == 300
    assert AuditLog.objects.filter(action="holdings.imported").count() == 1
    assert AuditLog.objects.filter(action="holdings.import_confirmed").count() == 1
