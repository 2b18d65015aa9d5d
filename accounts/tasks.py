"""Celery tasks for accounts: thin wrappers that take ids."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import SmsMessage, User
from .sms import deliver, send_sms


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_welcome_sms(user_id: int) -> int | None:
    """The welcome message after sign-up; returns the SmsMessage id."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.mobile:
        return None
    with override(user.preferred_language or "bn"):
        text = _(
            "Welcome to the city corporation portal. You can now see and pay your "
            "holding tax and trade licence bills in one place."
        )
    return send_sms(user.mobile, text, kind="welcome").pk


@shared_task
def deliver_sms(message_id: int, text: str) -> str:
    """Deliver a recorded message through a remote backend (accounts.sms.send_sms); a
    message no longer queued (delivered by an earlier run of this task) is left alone.
    Returns its status."""
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None:
        return "gone"
    if message.status != SmsMessage.Status.QUEUED:
        return message.status
    return deliver(message, text).status


@shared_task
def prune_sms_outbox(days: int = 90) -> int:
    """Forget text messages older than `days` days."""
    deleted, _ = SmsMessage.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
