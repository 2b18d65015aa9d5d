"""Long runs (a year's demand generation; later water bills, shop rent) carry a heartbeat,
so that a run whose worker died is marked failed and can be started again instead of
blocking its year until someone notices.

The pieces, for any model with the fields of `HeartbeatFields` plus a status field:

- `HeartbeatFields`: an abstract model with `heartbeat_at` (and nothing else) to mix in.
- `Heartbeat(model, pk)`: a context manager the task wraps its work in. A background
  thread writes `heartbeat_at` every `interval` seconds (default a fifth of the stale
  threshold) and at once whenever the task calls `.beat()` (each step or progress
  update). The thread has its own database connection, so the heartbeat is visible while
  the work's own transaction is still open and takes no lock inside it; it stops with the
  block. When the worker process is killed, the thread dies with it and the heartbeat ages.
  (On SQLite a writer holds the whole file: beats wait for the work's transaction, so a
  run there must finish within the threshold — the embedded mode's small cities do.)
- `claim(model, pk, …)`: the one delivery of a run's task that does the work (queued →
  running in one UPDATE); a second delivery leaves the run alone.
- `fail_stale(model, …)`: marks failed every live run whose heartbeat (or, before the
  first beat, its creation) is older than settings.RUN_HEARTBEAT_STALE_SECONDS, with the
  error WORKER_STOPPED. Called by a beat task and by the service that starts a new run,
  so a dead run never blocks the next one. The work must be idempotent (demand
  generation inserts only what is missing), so the new run completes what the dead one
  left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

log = logging.getLogger(__name__)

# Stored in English in the run's error field; pages show it with {% translate run.error %}.
WORKER_STOPPED = gettext_noop(
    "The worker stopped before the run finished (no heartbeat). "
    "Nothing of it was kept; start it again."
)


class HeartbeatFields(models.Model):
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"),
        null=True,
        blank=True,
        help_text=_("Written by the worker while the run is alive."),
    )

    class Meta:
        abstract = True


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "RUN_HEARTBEAT_STALE_SECONDS", 300))


def stale_runs(
    model: type[models.Model], *, live_statuses: Iterable[str], created_field: str = "created_at"
) -> models.QuerySet[Any]:
    """The live runs of `model` whose last sign of life is older than the threshold."""
    cutoff = timezone.now() - stale_after()
    return model._default_manager.filter(
        models.Q(heartbeat_at__lt=cutoff)
        | models.Q(heartbeat_at__isnull=True, **{f"{created_field}__lt": cutoff}),
        status__in=live_statuses,
    )


def claim(model: type[models.Model], pk: int, *, queued_status: str, running_status: str) -> bool:
    """The worker takes a queued run: True for exactly one delivery of its task, which then
    does the work. Celery delivers a task at least once (acks late: the message of a worker
    that stopped is delivered again; a message may also be sent twice), so another
    delivery — also one at the same moment on another worker — finds the run no longer
    queued and must leave it: the first is working on it or has finished it, or, its worker
    dead, `fail_stale` marks it failed and a new run completes it."""
    return bool(
        model._default_manager.filter(pk=pk, status=queued_status).update(
            status=running_status, heartbeat_at=timezone.now()
        )
    )


def fail_stale(
    model: type[models.Model],
    *,
    live_statuses: Iterable[str],
    failed_status: str,
    created_field: str = "created_at",
    error: str = WORKER_STOPPED,
) -> list[int]:
    """Mark the stale live runs failed (error, finished_at); returns their ids. Safe to
    call from several places at once: the UPDATE checks staleness again, so a beat that
    arrived meanwhile keeps its run alive."""
    ids = list(
        stale_runs(model, live_statuses=live_statuses, created_field=created_field).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return []
    stale = stale_runs(model, live_statuses=live_statuses, created_field=created_field)
    failed = list(stale.filter(pk__in=ids).values_list("pk", flat=True))
    stale.filter(pk__in=failed).update(
        status=failed_status, error=error, finished_at=timezone.now()
    )
    for pk in failed:
        log.warning("%s #%s: no heartbeat for %s; marked failed", model.__name__, pk, stale_after())
    return failed


class Heartbeat:
    """with Heartbeat(DemandRun, run_id, live_statuses=[…]) as hb: … hb.beat() …"""

    def __init__(
        self,
        model: type[models.Model],
        pk: int,
        *,
        live_statuses: Iterable[str],
        interval: float | None = None,
    ) -> None:
        self.model, self.pk, self.live_statuses = model, pk, list(live_statuses)
        self.interval = interval or max(1.0, stale_after().total_seconds() / 5)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.beats = 0

    def write(self) -> None:
        """One heartbeat, on the calling thread's connection (the thread's own)."""
        self.model._default_manager.filter(pk=self.pk, status__in=self.live_statuses).update(
            heartbeat_at=timezone.now()
        )
        self.beats += 1

    def beat(self) -> None:
        """Ask for a heartbeat now (from the task, at each step)."""
        self._wake.set()

    def _run(self) -> None:
        try:
            while True:
                # The run's start wrote the first heartbeat (e.g. demand_run_mark_running).
                self._wake.wait(self.interval)
                self._wake.clear()
                if self._stop.is_set():
                    return
                try:
                    self.write()
                except Exception:  # noqa: BLE001 - a missed beat must not stop the work
                    log.warning(
                        "heartbeat of %s #%s not written",
                        self.model.__name__,
                        self.pk,
                        exc_info=True,
                    )
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(
            target=self._run, daemon=True, name=f"heartbeat-{self.model.__name__}-{self.pk}"
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            # A beat stuck behind a lock (SQLite: the work's own transaction) is not waited
            # for: it finds the run finished and writes nothing.
            self._thread.join(timeout=5)
