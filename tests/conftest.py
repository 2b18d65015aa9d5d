"""Shared fixtures: users per role, a clean cache, a real Celery worker."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from kombu import Queue

from core.roles import Role

# The live server's listen backlog: room for the concurrency tests' bursts of requests.
ThreadedWSGIServer.request_queue_size = 256


def pytest_sessionfinish(session, exitstatus):
    """Forget this run's broker folder and SQLite side files (one per test process)."""
    import glob
    import os
    import shutil

    from django.conf import settings

    folder = getattr(settings, "TEST_BROKER_DIR", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        for leftover in glob.glob(str(settings.VAR_DIR / f"test-db-{os.getpid()}.sqlite3*")):
            os.remove(leftover)


#: Services the payments tests bill for, declared as an app would in its portal.py.
TEST_SERVICES = ("test", "counter_test")


@pytest.fixture(autouse=True, scope="session")
def _test_services():
    from core.portal import ServiceSpec, register, unregister

    for key in TEST_SERVICES:
        register(
            ServiceSpec(
                key=key,
                title=f"Test service {key}",
                order=999,
                revenue_heads=["holding_tax", "conservancy", "licence_fee"],
            )
        )
    yield
    for key in TEST_SERVICES:
        unregister(key)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    """make_user(role=None, mobile=None, password=None, **fields) -> User"""
    from accounts.models import User

    counter = iter(range(10_000))

    def make(
        role: str | None = Role.CITIZEN,
        mobile: str | None = None,
        password: str | None = None,
        **fields,
    ):
        mobile = mobile or f"0171{next(counter):07d}"
        if role == Role.ADMINISTRATOR:
            fields.setdefault("is_staff", True)
            fields.setdefault("is_superuser", True)
        user = User.objects.create_user(
            mobile=mobile, password=password, mobile_verified=True, **fields
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def citizen(make_user):
    return make_user(Role.CITIZEN, name_bn="করিম", name_en="Karim")


@pytest.fixture(autouse=True)
def _worker_for_live_server(request):
    """A test with a live server gets a real worker too: a payment notification posted to
    it is acknowledged at once and validated and settled by the worker (settle_ipn)."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("celery_worker_thread")


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (solo pool, in a thread) on the configured broker."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from kcc_portal.celery import app

    app.conf.task_always_eager = False
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_write() as conn:
        # Forget tasks queued by earlier tests that ran without a worker.
        Queue(queue, routing_key=queue)(conn.default_channel).purge()
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        queues=[queue],
        shutdown_timeout=10,
    ) as worker:
        yield worker
