"""A citizen's figures (the dashboard's panels, "what I owe"), cached per citizen until
something they are worked out from is written.

Reading: `figures(user, name, compute)` returns `compute()`'s value, kept in the cache under
the citizen, the name, the page's language, today's date, and two version tokens — the
city's and the citizen's. A hit costs two cache round trips instead of the dozens of
queries and the rendering the figures need.

Invalidation is by construction, not by remembering every place that changes a due: every
SQL statement run through Django's connections passes `_watch` (an execute wrapper added to
each new connection). A statement that writes (INSERT, UPDATE, DELETE, TRUNCATE, COPY) to a
table outside IGNORED_TABLES — tables no figure is worked out from (a test reads every
figure and checks it touches none of them) — marks the transaction; when it commits, the
version tokens change and every figure cached before is never read again:
- for the citizens and bill subjects the write was scoped to (`scoped_to(user_ids,
  subjects)`), when every write of the transaction was scoped: the bill path names a bill's
  subject, its payer and the people of its subject (core.portal.ServiceSpec.subject_users),
  so one citizen's payment drops only the figures of those who see it and its subject's
  (`subject_figures`: a holding's statement, also for quick pay without an account);
- otherwise for everyone (the city's token): a demand run, a staff member's change, a
  write nobody scoped — a new kind of write can make the cache useless, never wrong.

Guards: a connection with uncommitted writes of its own neither reads nor fills the cache
(it sees what others cannot yet); figures are worked out on the primary (a lagging replica
would store the past under the new token); the tokens are random, and a token the cache
lost is replaced by a new one, never by its earlier value; each entry lives at most
CITIZEN_CACHE_SECONDS, which bounds what a write made outside Django (psql) leaves stale;
the cache unreachable, figures are worked out as if nothing were cached.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import get_language

from .db import primary_pinned

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Tables written often that no citizen's figure is worked out from: a write to them keeps
#: the cache (tests/core/test_citizen_cache.py reads every figure and checks none of these).
IGNORED_TABLES = frozenset(
    {
        "django_session",  # signing in
        "django_admin_log",
        "core_auditlog",
        "accounts_smsmessage",  # sign-in codes sent
        "payments_paymentevent",  # each gateway notification, as it comes
        "payments_collectionrollup",  # the revenue figures' refresh
        "payments_rollupstate",
        "ezbike_sighting",  # RFID scans
        "ezbike_cardlookup",
        "ezbike_scandevice",  # a gate's last contact, every minute
        "holdings_reportexport",
        # The gateway simulator's own books (development and tests: the gateway's, not ours)
        "gateway_simulator_simulatedtransaction",
        "gateway_simulator_simulatedrefund",
    }
)

_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|(?<!FOR )(?<!KEY )(?<!DO )UPDATE|DELETE\s+FROM|COPY)"
    r"\s+(?:ONLY\s+)?\"?(\w+)\"?",
    re.IGNORECASE,
)
_TRUNCATE = re.compile(r"\bTRUNCATE\s+(?:TABLE\s+)?([\w\",\s]+)", re.IGNORECASE)
_GLOBAL = "cz:g"
ALIAS = "citizen"  # settings.CACHES: its own store, so its entries never push out others
_MISS = object()
#: The version tokens a scoped write replaces ("cz:u:<user id>", "cz:s:<subject>").
_scope: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "citizen_cache_scope", default=None
)


def _user_key(user_id: int) -> str:
    return f"cz:u:{user_id}"


def _subject_key(subject: str) -> str:
    return f"cz:s:{hashlib.sha256(subject.encode()).hexdigest()[:20]}"  # any characters


def written_tables(sql: str) -> set[str]:
    """The tables a statement writes to (lower case)."""
    tables = {m.group(1).lower() for m in _WRITE.finditer(sql)}
    for m in _TRUNCATE.finditer(sql):  # every table of the list
        tables |= {t.strip().strip('"').lower() for t in m.group(1).split(",") if t.strip()}
    return tables


@contextmanager
def everyone() -> Iterator[None]:
    """Writes inside concern everyone's figures, even inside a scope (a service that cannot
    name whom its bills concern)."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def scoped_to(user_ids: Iterable[int | None], subjects: Iterable[str] = ()) -> Iterator[None]:
    """Writes inside concern only these citizens' figures and these subjects' (a bill's
    subject, "holdings:holding:3/45A"); inside another scope: both scopes'."""
    keys = frozenset(_user_key(i) for i in user_ids if i is not None) | frozenset(
        _subject_key(s) for s in subjects
    )
    outer = _scope.get()
    token = _scope.set(keys | outer if outer is not None else keys)
    try:
        yield
    finally:
        _scope.reset(token)


class _Bump:
    """Run at a transaction's commit (transaction.on_commit): new version tokens for the
    citizens it wrote for, or for the whole city."""

    def __init__(self) -> None:
        self.everyone = False
        self.keys: set[str] = set()

    def add(self, scope: frozenset[str] | None) -> None:
        if scope is None:
            self.everyone = True
        else:
            self.keys |= scope

    def __call__(self) -> None:
        try:
            if self.everyone:
                caches[ALIAS].set(_GLOBAL, secrets.token_hex(8), None)
            elif self.keys:
                token = secrets.token_hex(8)
                caches[ALIAS].set_many(dict.fromkeys(self.keys, token), None)
        except Exception:  # noqa: BLE001 - the entries' lifetime bounds what stays stale
            log.exception("The citizens' cached figures could not be dropped")


def _pending(conn: Any, *, current_level: bool) -> _Bump | None:
    """The commit callback of this connection's open transaction, if it has written:
    `current_level` — one that runs if the current savepoint level commits."""
    if not conn.in_atomic_block:
        return None
    level = set(conn.savepoint_ids)
    for sids, func, _robust in conn.run_on_commit:
        if isinstance(func, _Bump) and (not current_level or sids <= level):
            return func
    return None


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    """The execute wrapper: a write to a watched table marks the transaction (also in a
    process that does not read the cache itself: others do)."""
    result = execute(sql, params, many, context)
    tables = written_tables(sql) - IGNORED_TABLES if isinstance(sql, str) else {"?"}
    if tables:
        changed(context["connection"])
    return result


def changed(conn: Any = None) -> None:
    """Figures may have changed (the current scope's, or everyone's) as of this connection's
    commit — done by `_watch` for every statement; call it for a write Django's cursor does
    not see (a COPY through cursor.copy)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    scope = _scope.get()
    if not conn.in_atomic_block:
        now = _Bump()
        now.add(scope)
        now()
        return
    bump = _pending(conn, current_level=True)
    if bump is None:
        bump = _Bump()
        transaction.on_commit(bump, using=conn.alias, robust=True)  # whatever ran before
    bump.add(scope)


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: watch every statement of the new connection."""
    if _watch not in connection.execute_wrappers:
        # First, so that a `connection.execute_wrapper()` block the connection was opened in
        # pops its own wrapper, not this one.
        connection.execute_wrappers.insert(0, _watch)


def _token(key: str, tokens: dict[str, Any]) -> str:
    value = tokens.get(key)
    if value is None:  # never set, or lost by the cache: a new one, never an earlier one
        caches[ALIAS].add(key, secrets.token_hex(8), None)
        value = caches[ALIAS].get(key)
    return str(value)


@functools.cache
def release() -> str:
    """This code's own mark (a digest of the project's Python files and templates, read once
    a process): a figure is kept in the shape the code that stored it gave it, so a new
    release never reads an entry of the one before (a rolling deploy runs both)."""
    from django.apps import apps

    root = Path(settings.BASE_DIR)
    ours = [Path(a.path) for a in apps.get_app_configs()]
    ours = [p for p in ours if p.is_relative_to(root) and "site-packages" not in p.parts]
    files = sorted({f for folder in ours for f in folder.rglob("*.py")})
    files += sorted((root / "templates").rglob("*.html"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def figures(user: Any, name: str, compute: Callable[[], T]) -> T:
    """`compute()` for this citizen, from the cache while nothing it reads has changed."""
    if not getattr(user, "is_authenticated", False):
        return compute()
    return _cached(_user_key(user.pk), name, compute)


def subject_figures(subject: str, name: str, compute: Callable[[], T]) -> T:
    """`compute()` about one bill subject ("holdings:holding:3/45A": a holding's statement,
    for anyone who may see it), from the cache while nothing it reads has changed: a write
    scoped to the subject, or an unscoped one, drops it."""
    return _cached(_subject_key(subject), name, compute)


def _cached(own: str, name: str, compute: Callable[[], T]) -> T:
    seconds = settings.CITIZEN_CACHE_SECONDS
    if not seconds:
        return compute()
    if _pending(connections[DEFAULT_DB_ALIAS], current_level=False) is not None:
        return compute()  # this transaction's own writes: not for the cache
    cache = caches[ALIAS]
    try:
        keys = [_GLOBAL, own]
        tokens = cache.get_many(keys)
        city, mine = (_token(k, tokens) for k in keys)
        day = f"{timezone.localdate():%Y%m%d}"
        key = f"{own}:{name}:{get_language()}:{day}:{release()}:{city}:{mine}"
        value = cache.get(key, _MISS)
    except Exception:  # noqa: BLE001 - no cache: worked out each time
        log.warning("The citizens' cache cannot be read", exc_info=True)
        return compute()
    if value is not _MISS:
        return cast(T, value)
    with primary_pinned(True):
        value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001 - the figures are right, only not kept
        log.warning("The citizens' cache cannot be written", exc_info=True)
    return value


def scope_last_login() -> None:
    """Signing in writes the account's last_login: scoped to that citizen, so a morning of
    sign-ins does not drop the whole city's figures (Django's own receiver, replaced)."""
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in

    def scoped_last_login(sender: Any, user: Any, **kwargs: Any) -> None:
        with scoped_to([user.pk]):
            update_last_login(sender, user, **kwargs)

    if user_logged_in.disconnect(dispatch_uid="update_last_login"):
        user_logged_in.connect(scoped_last_login, dispatch_uid="update_last_login", weak=False)
