"""Sending text messages through a pluggable backend, recorded in the outbox.

Backends: ConsoleBackend (development: prints), OutboxBackend (tests: only records),
HttpGatewayBackend (production: a generic HTTP SMS gateway configured by URL and key).

A message is recorded at once, where it is sent from. A local backend (console, outbox)
delivers it there and then; a backend that calls a provider over the network (`remote`)
is called by the worker once the sender's transaction commits (task
accounts.tasks.deliver_sms, on a queue of its own — settings.CELERY_SMS_QUEUE, read by the
gateway worker's threads, which wait on the network cheaply — so a sign-in code never
waits behind a rush of payment validations). So no request (a counter receipt, an
officer's decision, a sign-in code) and no settlement in the gateway worker waits on the
SMS provider, whichever service sends the message. The task carries the text (the outbox
may keep it masked: SMS_OUTBOX_KEEPS_TEXT); it lives in the broker until the worker
takes it.
"""

from __future__ import annotations

import logging
import re
from functools import partial

import requests
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from core.validators import mobile_to_e164, normalize_mobile

from .models import SmsMessage

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class BaseBackend:
    #: Calls a provider over the network: delivered by the worker, after the commit.
    remote = False

    def send(self, message: SmsMessage, text: str) -> str:
        """Deliver the text; return the provider's reference. Raise SmsError on failure."""
        raise NotImplementedError


class OutboxBackend(BaseBackend):
    """Delivers nothing: the SmsMessage row is the message (tests read it)."""

    def send(self, message: SmsMessage, text: str) -> str:
        return f"outbox-{message.pk}"


class ConsoleBackend(BaseBackend):
    """Prints each message to the console (embedded defaults, `make run`)."""

    def send(self, message: SmsMessage, text: str) -> str:
        rule = "=" * 30
        print(f"\n===== SMS to {message.to} =====\n{text}\n{rule}", flush=True)  # noqa: T201
        return f"console-{message.pk}"


class HttpGatewayBackend(BaseBackend):
    """POSTs to a generic HTTP SMS gateway: `to` (880…), `message`, `sender_id`, `api_key`."""

    remote = True

    def send(self, message: SmsMessage, text: str) -> str:
        if not settings.SMS_GATEWAY_URL:
            raise SmsError("SMS_GATEWAY_URL is not configured")
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL,
                data={
                    "api_key": settings.SMS_GATEWAY_API_KEY,
                    "sender_id": settings.SMS_GATEWAY_SENDER_ID,
                    "to": mobile_to_e164(message.to).lstrip("+"),
                    "message": text,
                },
                timeout=settings.SMS_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SmsError(f"gateway unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 300:
            raise SmsError(f"gateway answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return str(body.get("message_id") or body.get("id") or "")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def _stored_text(text: str) -> str:
    if settings.SMS_OUTBOX_KEEPS_TEXT:
        return text
    return re.sub(r"\d{4,}", lambda m: "•" * len(m.group()), text)


def send_sms(to: str, text: str, *, kind: str = "") -> SmsMessage:
    """Record one message and deliver it: at once through a local backend, by the worker
    after the caller's commit through a remote one (nothing is sent if the caller's
    transaction rolls back). Never raises for a delivery failure."""
    to = normalize_mobile(to)
    backend = get_backend()
    message = SmsMessage.objects.create(
        to=to, text=_stored_text(text), kind=kind, backend=type(backend).__name__
    )
    if backend.remote:
        transaction.on_commit(partial(_queue_delivery, message.pk, text), robust=True)
        return message
    return deliver(message, text, backend)


def _queue_delivery(message_id: int, text: str) -> None:
    from . import tasks

    try:
        tasks.deliver_sms.apply_async(
            (message_id, text), retry_policy={"max_retries": 1, "interval_start": 0}
        )
    except Exception:  # noqa: BLE001 - the broker is down: deliver it here rather than never
        log.warning("could not queue SMS %s for the worker; delivering it now", message_id)
        message = SmsMessage.objects.filter(pk=message_id).first()
        if message is not None:
            deliver(message, text)


def deliver(message: SmsMessage, text: str, backend: BaseBackend | None = None) -> SmsMessage:
    """Hand a recorded message to the backend and record the outcome."""
    backend = backend or get_backend()
    try:
        message.provider_reference = backend.send(message, text)[:100]
        message.status = SmsMessage.Status.SENT
    except SmsError as exc:
        log.warning("SMS to %s failed: %s", message.to, exc)
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)
    message.save(update_fields=["provider_reference", "status", "error"])
    return message
