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

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
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
    using: str = DEFAULT_DB_ALIAS,
) -> AbstractContextManager[None]:
    """A transaction with the longer limits of bulk jobs (or, with `report=True`, of
    reports). 0 means no limit. Opened inside another transaction, the caller's limits
    come back when the block ends."""
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
    transaction with the report limits of long_running(report=True). Put it after the
    permission mixins so that refusals stay cheap."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with long_running(report=True):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
