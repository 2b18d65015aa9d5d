"""Core Celery tasks."""

from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Beat → worker proof of life; /healthz shows the last one."""
    now = timezone.now().isoformat()
    cache.set("kcc:worker-heartbeat", now, timeout=600)
    return now


@shared_task(soft_time_limit=1800, time_limit=2000)
def send_reminders() -> dict[str, Any]:
    """Beat, daily: each installed service's reminders (its declared `reminders`)."""
    from . import portal

    return {spec.key: spec.reminders() for spec in portal.specs() if spec.reminders}
