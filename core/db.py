"""Database time limits: short for web requests, longer for bulk jobs and reports.

Every PostgreSQL connection starts with `lock_timeout` and `statement_timeout` from the
settings (DATABASE_LOCK_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS: 5 s and 15 s unless the
environment says otherwise; see kcc_portal/settings/base.py), so one lock held too long
(a migration, a psql session) makes requests answer "busy, try again" (core.busy) within
seconds instead of tying up every web thread.

Work that is long by nature lengthens the limits for its own transaction only:

    with long_running():                 # bulk jobs: no statement limit, 60 s lock wait
        generate_demands(fiscal_year)

    with long_running(report=True):      # heavy report pages: 120 s per statement

`SET LOCAL` lasts until the end of the transaction that long_running() opens (or joins),
so a pooled connection goes back to the short web limits afterwards. Celery workers use
the same connection settings: their tasks that run long go through long_running() rather
than relying on a separate worker configuration. On SQLite there are no such limits and
long_running() only opens the transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase
    from django.views import View

    _ViewBase = View
else:
    _ViewBase = object

_SET = "set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)"


@contextmanager
def _limits(statement_timeout_ms: int, lock_timeout_ms: int, using: str) -> Iterator[None]:
    """One statement to set both limits for the transaction (SET LOCAL); inside a caller's
    transaction no savepoint, and one more statement on the way out to give the caller its
    own limits back (SET LOCAL lasts to the end of the outermost transaction)."""
    connection = connections[using]
    nested = connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor != "postgresql":
            yield
            return
        values = [f"{int(statement_timeout_ms)}ms", f"{int(lock_timeout_ms)}ms"]
        with connection.cursor() as cursor:
            if nested:
                cursor.execute(
                    "WITH before AS MATERIALIZED (SELECT current_setting('statement_timeout')"  # noqa: S608
                    " AS s, current_setting('lock_timeout') AS l) "
                    f"SELECT s, l, {_SET} FROM before",
                    values,
                )
                before = cursor.fetchone()[:2]
            else:
                cursor.execute(f"SELECT {_SET}", values)
        yield
        if nested and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {_SET}", list(before))


def long_running(
    *,
    report: bool = False,
    statement_timeout_ms: int | None = None,
    lock_timeout_ms: int | None = None,
    using: str | None = None,
) -> AbstractContextManager[None]:
    """A transaction with the longer limits of bulk jobs (or, with `report=True`, of
    reports). 0 means no limit. Opened inside another transaction, the caller's limits
    come back when the block ends. On the primary, or — a report inside replica_reads() —
    on the database its reads go to."""
    if using is None:
        using = read_alias() if report else DEFAULT_DB_ALIAS
    if statement_timeout_ms is None:
        statement_timeout_ms = (
            settings.DATABASE_REPORT_STATEMENT_TIMEOUT_MS
            if report
            else settings.DATABASE_LONG_STATEMENT_TIMEOUT_MS
        )
    if lock_timeout_ms is None:
        lock_timeout_ms = settings.DATABASE_LONG_LOCK_TIMEOUT_MS
    return _limits(statement_timeout_ms, lock_timeout_ms, using)


def short_limits(
    *, statement_timeout_ms: int, lock_timeout_ms: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> AbstractContextManager[None]:
    """A transaction with tighter limits than the connection's (/healthz's own check)."""
    return _limits(statement_timeout_ms, lock_timeout_ms or statement_timeout_ms, using)


def is_busy_error(exc: BaseException) -> bool:
    """True for a lock wait or a statement cut short by the time limits above (psycopg's
    LockNotAvailable, QueryCanceled), which Django raises as OperationalError; also SQLite's
    "database is locked" after its busy timeout."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in ("55P03", "57014"):  # lock_not_available, query_canceled
        return True
    return "database is locked" in str(exc)


class ReportLimitsMixin(_ViewBase):
    """For a class-based report view: the request, rendering included, runs in one
    transaction with the report limits of long_running(report=True), its reads on the
    replica when there is one (replica_reads). Put it after the permission mixins so that
    refusals stay cheap."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads(), long_running(report=True):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response


# --- A read replica for reports --------------------------------------------------------------
#
# With DATABASE_REPLICA_URL set (settings: the "replica" alias), the reads of report and
# export views and tasks — wrapped in replica_reads(), or ReportLimitsMixin — go to a
# PostgreSQL streaming replica; everything else, every write and every page a user reads
# about their own things, stays on the primary. A user who has just written (any request
# that is not GET/HEAD) is pinned to the primary for DATABASE_REPLICA_PIN_SECONDS
# (PrimaryAfterWriteMiddleware, a cookie), so a report they open next shows what they just
# did even while the replica lags. Without a replica everything is on the primary.

REPLICA = "replica"
_reports: ContextVar[bool] = ContextVar("kcc_replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("kcc_primary_pinned", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """Where reads go now: the replica inside replica_reads() when one is configured and
    the request is not pinned to the primary; else the primary."""
    if _reports.get() and not _pinned.get() and replica_configured():
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica (if any): report and export selectors only."""
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


@contextmanager
def primary_pinned(pinned: bool = True) -> Iterator[None]:
    """Reads inside stay on the primary even in replica_reads() (a user who just wrote)."""
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS: reads to read_alias(), writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = read_alias()
        return alias if alias != DEFAULT_DB_ALIAS else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary's schema


PIN_COOKIE = "kcc_primary_until"


class PrimaryAfterWriteMiddleware:
    """Pins a user who has just written to the primary for a few seconds (a cookie with
    the time it ends), so that no page they open next reads a lagging replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_configured():
            return self.get_response(request)
        try:
            until = float(request.COOKIES.get(PIN_COOKIE, "0"))
        except ValueError:
            until = 0.0
        with primary_pinned(until > time.time()):
            response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def replica_lag_ms() -> float | None:
    """How far the replica is behind the primary, in milliseconds: 0 when it has replayed
    everything it received (or is not a standby), else the age of the last transaction it
    replayed. None without a replica."""
    if not replica_configured():
        return None
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            " * 1000, 0) END"
        )
        return float(cursor.fetchone()[0])


class ReplicaReadsMixin(_ViewBase):
    """For a class-based report view that only reads: its reads go to the replica when
    there is one (replica_reads). Put it after the permission mixins."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads():
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # the template's queries too, inside
            return response
