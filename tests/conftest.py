"""Shared fixtures: users per role, a clean cache, a real Celery worker."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
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


def test_service_spec(key: str):
    from core.portal import ServiceSpec

    return ServiceSpec(
        key=key,
        # In Bengali: the revenue officer's filters list every service, on Bengali pages too.
        title={"test": "পরীক্ষার সেবা", "counter_test": "কাউন্টারের পরীক্ষার সেবা"}.get(
            key, f"পরীক্ষার সেবা {key}"
        ),
        order=999,
        revenue_heads=["holding_tax", "conservancy", "licence_fee"],
    )


test_service_spec.__test__ = False  # a helper, not a test


@pytest.fixture(autouse=True, scope="session")
def _test_services():
    from core.portal import register, unregister

    for key in TEST_SERVICES:
        register(test_service_spec(key))
    yield
    for key in TEST_SERVICES:
        unregister(key)


@pytest.fixture(autouse=True)
def _clean_cache():
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


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
def pay_cash(make_user):
    """pay_cash(bills) -> the cash payment a counter clerk takes for the bills (the clerk
    and the counter session made beforehand, so that the call writes only the payment)."""
    from payments.services import counter_session_open, counter_take_cash

    clerk = make_user(Role.COUNTER_CLERK)
    session = counter_session_open(clerk=clerk)
    return lambda bills: counter_take_cash(session=session, bills=list(bills), clerk=clerk)


@pytest.fixture
def figures_dropped():
    """figures_dropped(users, write) -> whose cached figures (core.citizen_cache) the writes
    `write()` commits drop: the ids of those of `users` whose figures are worked out again,
    or None when everyone's are. Needs a transactional test (the cache skips a connection
    with uncommitted writes, and drops figures on commit)."""
    from core import citizen_cache

    def probe(users, write) -> set[int] | None:
        cache = caches[citizen_cache.ALIAS]
        for user in users:
            citizen_cache.figures(user, "probe", lambda: None)
        city = cache.get(citizen_cache._GLOBAL)
        assert city is not None
        write()
        if cache.get(citizen_cache._GLOBAL) != city:
            return None
        dropped: set[int] = set()
        for user in users:
            citizen_cache.figures(user, "probe", lambda user=user: dropped.add(user.pk))
        return dropped

    return probe


@pytest.fixture
def citizen(make_user):
    return make_user(Role.CITIZEN, name_bn="করিম", name_en="Karim")


@pytest.fixture(autouse=True)
def _worker_for_live_server(request):
    """A test with a live server gets a real worker too: a payment notification posted to
    it is acknowledged at once and validated and settled by the worker (settle_ipn). A test
    that starts a worker process of its own has that one only."""
    names = request.fixturenames
    if "live_server" in names and "celery_worker_process" not in names:
        request.getfixturevalue("celery_worker_thread")


@pytest.fixture
def tasks_inline():
    """Tasks run the moment they are queued, in the test's own process (Celery's eager
    mode), for a test about what a task does rather than how it travels."""
    from kcc_portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (solo pool, in a thread) on the configured broker."""
    from celery.contrib.testing.worker import start_worker

    from kcc_portal.celery import app

    queue = _purged_test_queue()
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        queues=[queue],
        shutdown_timeout=10,
    ) as worker:
        yield worker
        # Stop at once: between tasks the worker waits up to 2 s for the next one (two such
        # waits, 4 s, on the file broker of SQLite runs); one last task wakes it to stop.
        from celery.worker import state

        from core.tasks import heartbeat

        state.should_terminate = 0
        heartbeat.apply_async(queue=queue)


def _purged_test_queue() -> str:
    """The test process's queue, emptied of tasks queued by earlier tests that ran without
    a worker; tasks from now on go to the broker (not run eagerly)."""
    from django.conf import settings

    from kcc_portal.celery import app

    app.conf.task_always_eager = False
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_write() as conn:
        Queue(queue, routing_key=queue)(conn.default_channel).purge()
    return queue


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def child_process_env(transactional_db, settings):
    """env(**overrides): the environment of a server or worker a test starts in a child
    process: the test's database, its queue and broker folder, and the site and gateway
    addresses as the test has set them when it calls."""
    import os

    def env(**overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kcc_portal.settings.test",
            "DATABASE_URL": _database_url(),
            "SITE_URL": settings.SITE_URL,
            "SSLCOMMERZ_BASE_URL": settings.SSLCOMMERZ_BASE_URL,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "TEST_BROKER_DIR": str(settings.TEST_BROKER_DIR),
            **overrides,
        }

    return env


@pytest.fixture
def celery_worker_process(child_process_env):
    """start(pool="threads", concurrency=4): a real `celery worker` in a child process on
    the test's queue, as production runs the gateway queue's pool. It is stopped (warm
    shutdown, then killed if it lingers) when the test ends, so it can never hang the run."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    started: list[subprocess.Popen] = []

    def start(pool: str = "threads", concurrency: int = 4) -> subprocess.Popen:
        queue = _purged_test_queue()
        proc = subprocess.Popen(  # noqa: S603 - our own script and arguments
            [
                sys.executable,
                str(Path(__file__).with_name("celery_worker_main.py")),
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                f"--queues={queue}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=child_process_env(),
        )
        started.append(proc)
        # Tasks sent before it is ready wait in the broker for it.
        return proc

    yield start
    for proc in started:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the browser (Playwright driving the system Chromium against the live server): one
# browser for the whole run, for the browser tests of every folder ---------------------

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# test body itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs it (apt package chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="bn-BD")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def signed_in(browser, live_server, settings):
    """page = signed_in(user=None): a browser page in English, signed in as `user`
    (each user with a session of their own), with the gateway simulator and its callbacks
    pointed at the live server."""
    from django.test import Client

    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    host = live_server.url.split("//")[1].split(":")[0]
    contexts = []

    def open_as(user=None):
        cookies = [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}
        ]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "domain": host,
                    "path": "/",
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                }
            )
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """phone(user=None, lang="en", viewport=PHONE): a touch-screen page, signed in as `user`."""
    from django.conf import settings
    from django.test import Client

    host = live_server.url.split("//")[1].split(":")[0]
    contexts = []

    def open_as(user=None, lang="en", viewport=PHONE):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            device_scale_factor=2,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
        )
        cookies = [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}
        ]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": host,
                    "path": "/",
                }
            )
        context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    for context in contexts:
        context.close()
