"""Degrade, don't fail: Redis down, a table lock held, a statement cut short.

"Redis down" is the real Redis cache backend pointed at a closed port: every cache call
raises redis.exceptions.ConnectionError, as it does when the server has stopped.
"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token

from core.ratelimit import RateLimitUnavailable, over_limit

REDIS_DOWN = {
    "default": {
        "BACKEND": "core.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
PUBLIC = {"REMOTE_ADDR": "203.0.113.9"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down():
    with override_settings(CACHES=REDIS_DOWN):
        from django.core.cache import cache

        with pytest.raises(Exception, match="onnect"):  # it really is down
            cache.get("anything")
        yield


# --- rate limits and throttles ------------------------------------------------------------


def test_over_limit_counts_while_the_cache_answers():
    assert [over_limit("t:k", 2, 60) for _ in range(3)] == [False, False, True]


def test_over_limit_fails_open_by_default_and_closed_when_asked(redis_down, caplog):
    assert over_limit("t:k", 0, 60) is False  # would be over the limit with a cache
    with pytest.raises(RateLimitUnavailable):
        over_limit("t:k", 0, 60, fail_closed=True)
    assert "cache unavailable" in caplog.text


def test_rest_api_answers_with_the_cache_down(client, citizen, redis_down):
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ]
    token = Token.objects.create(user=citizen)
    response = client.get("/api/bills/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "results" in response.json()
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert client.get("/api/bills/").status_code in (401, 403)  # anonymous: refused, not 500


def test_throttles_still_throttle_while_the_cache_answers(client, citizen):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    client.force_login(citizen)
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/min"}
    try:
        codes = [client.get("/api/me/").status_code for _ in range(3)]
    finally:
        UserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"login": "01711111111"}),
        ("/accounts/login/code/", {"phone": "01711111111"}),
    ],
)
def test_sign_in_with_the_cache_down_says_so(client, citizen, redis_down, url, data):
    """allauth's sign-in rate limits (and the sign-in back-off) live in the cache: with it
    down nobody is signed in (fail closed), and the page says why instead of a 500."""
    client.cookies["kcc_language"] = "en"
    data = {key: citizen.mobile for key in data}
    response = client.post(url, data, follow=True)
    assert response.status_code in (200, 503)
    page = response.content.decode()
    assert "Sign-in is unavailable for a moment. Please try again in a minute." in page
    assert not response.wsgi_request.user.is_authenticated


def test_sign_in_unavailable_page_in_bengali(rf, redis_down):
    from django.utils import translation

    from core.busy import BusyMiddleware
    from core.ratelimit import RateLimitUnavailable

    with translation.override("bn"):
        response = BusyMiddleware(lambda r: None).process_exception(
            rf.post("/accounts/login/"), RateLimitUnavailable("x")
        )
    assert response.status_code == 503
    assert "Sign-in is unavailable" not in response.content.decode()
    assert "এক মিনিট পরে আবার চেষ্টা করুন" in response.content.decode()


def test_licence_search_fails_open_with_the_cache_down(client, redis_down):
    response = client.get("/licences/search/", {"number": "KCC/TL/2025-26/000001"})
    assert response.status_code == 200


# --- /healthz ----------------------------------------------------------------------------


def test_healthz_reports_each_dependency_to_internal_callers(client):
    response = client.get("/healthz")  # the test client is 127.0.0.1
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == body["cache"] == body["broker"] == "ok"
    assert body["worker"] == "missing" and body["degraded"] == ["worker"]


def test_healthz_shows_the_worker_heartbeat(client):
    from core.tasks import heartbeat

    heartbeat()
    body = client.get("/healthz").json()
    assert body["worker"] == "ok" and body["worker_heartbeat"] and body["degraded"] == []


def test_healthz_public_answer_is_only_ok(client, settings):
    settings.HEALTHZ_INTERNAL_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/healthz", **PUBLIC).json() == {"status": "ok"}
    # A local proxy forwarding someone else's request is not an internal caller...
    assert client.get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.9").json() == {"status": "ok"}
    # ...an internal network or the token is.
    assert "database" in client.get("/healthz", REMOTE_ADDR="10.1.2.3").json()
    settings.HEALTHZ_TOKEN = "s3cret-token"
    assert (
        "database" in client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="s3cret-token", **PUBLIC).json()
    )
    assert "database" not in client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="wrong", **PUBLIC).json()


def test_healthz_is_503_when_the_cache_is_down(client, redis_down):
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["cache"].startswith("error:") and body["down"] == ["cache"]
    assert body["database"] == "ok"
    public = client.get("/healthz", **PUBLIC)
    assert public.status_code == 503 and public.json() == {"status": "unavailable"}


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_healthz_checks_the_filesystem_broker_folders(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert client.get("/healthz").status_code == 503
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert client.get("/healthz").status_code == 200


def test_healthz_worker_required(client, settings):
    settings.HEALTHZ_WORKER_REQUIRED = True
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["down"] == ["worker"]


# --- a busy database ----------------------------------------------------------------------


def test_busy_database_error_becomes_a_503_page_and_json(rf):
    """Whatever raises a lock or statement timeout gets the "busy" answer."""
    from core.busy import BusyMiddleware

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = LockNotAvailable()
    middleware = BusyMiddleware(lambda request: None)
    page = middleware.process_exception(rf.get("/payments/bills/"), error)
    assert page.status_code == 503
    assert "The system is busy, please try again in a moment." in page.content.decode()
    api = middleware.process_exception(rf.get("/api/bills/"), error)
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    other = OperationalError("no such table")
    assert middleware.process_exception(rf.get("/"), other) is None


def _pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL lock and statement timeouts")


@pytest.mark.postgres
def test_web_connections_have_lock_and_statement_timeouts_and_bulk_jobs_longer_ones(
    transactional_db,
):
    _pg_only()
    from core.db import long_running

    def show(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    assert show("lock_timeout") == "5s"
    assert show("statement_timeout") == "15s"
    with long_running():
        assert show("statement_timeout") == "0"
        assert show("lock_timeout") == "1min"
    with long_running(report=True):
        assert show("statement_timeout") == "2min"
    assert show("statement_timeout") == "15s"
    with transaction.atomic():  # inside a caller's transaction: restored on the way out
        with long_running():
            assert show("statement_timeout") == "0"
        assert show("statement_timeout") == "15s"
        assert show("lock_timeout") == "5s"


@pytest.mark.postgres
def test_a_statement_cut_short_is_a_busy_error(db):
    _pg_only()
    from core.db import is_busy_error, short_limits

    with pytest.raises(OperationalError) as caught:
        with short_limits(statement_timeout_ms=100), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
    assert is_busy_error(caught.value)


@pytest.fixture
def table_lock():
    """hold(table) keeps an ACCESS EXCLUSIVE lock on `table` from a second connection (as
    a psql session would) until the test ends."""
    import psycopg

    held = []

    def hold(table: str):
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        other = psycopg.connect(
            **{
                k: v
                for k, v in params.items()
                if k in ("dbname", "user", "password", "host", "port")
            }
        )
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        held.append(other)

    yield hold
    for other in held:
        other.rollback()
        other.close()


@pytest.fixture
def short_lock_timeout(transactional_db):
    """Every connection checked out during the test waits at most 0.7 s for a lock (the
    settings' 5 s, shortened to keep the test quick); the pool is dropped afterwards so
    that no connection keeps it."""
    from django.db.backends.signals import connection_created

    _pg_only()

    def shorten(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 700")

    connection_created.connect(shorten)
    connection.close()
    yield 0.7
    connection_created.disconnect(shorten)
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@pytest.mark.postgres
def test_a_held_table_lock_gives_busy_within_the_lock_timeout(
    short_lock_timeout, citizen, client, table_lock
):
    _pg_only()
    token = Token.objects.create(user=citizen)
    client.force_login(citizen)
    table_lock("payments_bill")

    started = time.monotonic()
    api = client.get("/api/bills/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert time.monotonic() - started < 3
    assert api.status_code == 503
    assert api.json()["code"] == "busy"

    client.cookies["kcc_language"] = "en"
    page = client.get("/payments/bills/")
    assert page.status_code == 503
    assert "The system is busy, please try again in a moment." in page.content.decode()

    started = time.monotonic()
    health = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert health.status_code == 200 and health.json()["database"] == "ok"


def test_a_limit_of_zero_is_sent_so_it_lifts_a_default_of_the_server(monkeypatch, tmp_path):
    """DATABASE_STATEMENT_TIMEOUT_MS=0 (a big table's migration) reaches PostgreSQL as
    statement_timeout=0: a default the server or the role sets (docker-compose.yml starts
    PostgreSQL with the web's limits, for PgBouncer's connections) does not apply."""
    from kcc_portal.settings import base

    monkeypatch.setenv("DATABASE_URL", "postgres://kcc@db.example:5432/kcc")
    monkeypatch.delenv("DATABASE_PGBOUNCER", raising=False)
    monkeypatch.setattr(base, "DATABASE_STATEMENT_TIMEOUT_MS", 0)
    options = base.database_from_env(tmp_path / "db.sqlite3")["OPTIONS"]["options"].split()
    assert options == ["-c", "lock_timeout=5000", "-c", "statement_timeout=0"]
