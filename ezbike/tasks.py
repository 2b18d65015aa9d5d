"""Celery tasks for e-bikes: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task


@shared_task
def expire_licences() -> dict:
    """Beat, daily just after midnight: licences past their renewal deadline are expired
    (each through licence_set_status) and the waiting list moves (licences_expire_due)."""
    from django.utils import timezone

    from .services import licences_expire_due

    today = timezone.localdate()
    return {"date": today.isoformat(), "expired": licences_expire_due(today=today)}
