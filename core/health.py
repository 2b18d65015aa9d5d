"""The checks behind GET /healthz: database, cache, broker and the worker's heartbeat.

Each check is quick and bounded: the database answers `SELECT 1` under a 1-second
statement and lock limit (it reads no table, so a table lock held elsewhere does not hold
it up); the cache round-trips one key under the Redis socket timeouts of the settings; the
broker is a connection attempt with one retry at most and a 1-second connect timeout (for
the embedded filesystem broker: its folders exist and are writable); the heartbeat is what
core.tasks.heartbeat (beat → worker, once a minute) last wrote to the cache.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from .audit import client_ip
from .db import short_limits

HEARTBEAT_KEY = "kcc:worker-heartbeat"
OK = "ok"


def _error(exc: BaseException) -> str:
    return f"error: {type(exc).__name__}"


def check_database() -> str:
    try:
        with short_limits(statement_timeout_ms=1000), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - health must answer, whatever failed
        return _error(exc)
    return OK


def check_cache() -> str:
    try:
        now = timezone.now().isoformat()
        cache.set("kcc:healthz", now, 60)
        if cache.get("kcc:healthz") != now:
            return "error: value not kept"
    except Exception as exc:  # noqa: BLE001
        return _error(exc)
    return OK


def check_broker() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    try:
        if url.startswith("filesystem://"):
            for key in ("data_folder_in", "data_folder_out", "processed_folder"):
                folder = options.get(key)
                if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                    return f"error: {key} is not a writable folder"
            return OK
        from celery import current_app
        from kombu import Connection

        with Connection(
            url or current_app.conf.broker_url,
            connect_timeout=1,
            transport_options={**options, "socket_timeout": 1, "socket_connect_timeout": 1},
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            conn.default_channel  # noqa: B018 - redis connects on the first channel
    except Exception as exc:  # noqa: BLE001
        return _error(exc)
    return OK


def check_worker(heartbeat: str | None) -> str:
    """ "ok" when the last heartbeat is at most HEALTHZ_HEARTBEAT_STALE_SECONDS old,
    "stale" when older, "missing" when there is none (fresh start, or the worker has been
    gone for 10 minutes and the cached heartbeat expired)."""
    if not heartbeat:
        return "missing"
    try:
        beat = datetime.fromisoformat(heartbeat)
    except (TypeError, ValueError):
        return "missing"
    limit = timedelta(seconds=getattr(settings, "HEALTHZ_HEARTBEAT_STALE_SECONDS", 180))
    return OK if timezone.now() - beat <= limit else "stale"


def report() -> tuple[int, dict[str, Any]]:
    """(HTTP status, the full body). 503 when the database, the cache or the broker is
    down ("down" names them); a stale or missing worker heartbeat is listed under
    "degraded" but the answer stays 200 unless HEALTHZ_WORKER_REQUIRED is set (see
    core.views.healthz for why)."""
    body: dict[str, Any] = {"time": timezone.now().isoformat()}
    body["database"] = check_database()
    body["cache"] = check_cache()
    body["broker"] = check_broker()
    heartbeat = None
    if body["cache"] == OK:
        try:
            heartbeat = cache.get(HEARTBEAT_KEY)
        except Exception:  # noqa: BLE001
            heartbeat = None
        body["worker"] = check_worker(heartbeat)
    else:
        body["worker"] = "unknown"  # the heartbeat lives in the cache
    body["worker_heartbeat"] = heartbeat
    replica_ok = check_replica(body)
    down = [name for name in ("database", "cache", "broker") if body[name] != OK]
    worker_ok = body["worker"] == OK
    if not worker_ok and getattr(settings, "HEALTHZ_WORKER_REQUIRED", False):
        down.append("worker")
    status = 503 if down else 200
    body["status"] = "unavailable" if down else OK
    body["down"] = down
    body["degraded"] = [] if worker_ok or "worker" in down else ["worker"]
    if not replica_ok:
        body["degraded"].append("replica")  # reports wait; pages and payments go on
    return status, body


def check_replica(body: dict[str, Any]) -> bool:
    """With a read replica: its state and lag ("replica", "replica_lag_ms"); False when it
    does not answer. Without one, nothing is added."""
    from .db import replica_configured, replica_lag_ms

    if not replica_configured():
        return True
    try:
        body["replica_lag_ms"] = round(replica_lag_ms() or 0.0, 1)
    except Exception:  # noqa: BLE001 - any failure to answer is "down"
        body["replica"], body["replica_lag_ms"] = "down", None
        return False
    body["replica"] = OK
    return True


def is_internal(request: HttpRequest) -> bool:
    """May this caller see the details? A request carrying HEALTHZ_TOKEN (header
    X-Healthz-Token), or one from a loopback address or from HEALTHZ_INTERNAL_NETWORKS
    (the client as core.audit.client_ip sees it). A loopback peer that forwards someone
    else's request (X-Forwarded-For while no proxy is trusted: a local nginx) is not
    internal: the address belongs to the proxy, not the caller."""
    token = getattr(settings, "HEALTHZ_TOKEN", "")
    if token:
        import hmac

        sent = request.META.get("HTTP_X_HEALTHZ_TOKEN", "")
        if sent and hmac.compare_digest(sent.encode(), token.encode()):
            return True
    if request.META.get("HTTP_X_FORWARDED_FOR") and not getattr(settings, "TRUSTED_PROXY_COUNT", 0):
        return False
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    if address.is_loopback:
        return True
    for network in getattr(settings, "HEALTHZ_INTERNAL_NETWORKS", []) or []:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
