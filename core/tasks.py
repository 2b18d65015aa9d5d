"""Core Celery tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Beat → worker proof of life; /healthz shows the last one."""
    now = timezone.now().isoformat()
    cache.set("kcc:worker-heartbeat", now, timeout=600)
    return now
