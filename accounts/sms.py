"""Sending text messages through a pluggable backend, recorded in the outbox.

Backends: ConsoleBackend (development: prints), OutboxBackend (tests: only records),
HttpGatewayBackend (production: a generic HTTP SMS gateway configured by URL and key).
"""

from __future__ import annotations

import logging
import re

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from core.validators import mobile_to_e164, normalize_mobile

from .models import SmsMessage

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class BaseBackend:
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
    """Send one message now and record it. Never raises for a delivery failure."""
    to = normalize_mobile(to)
    backend = get_backend()
    message = SmsMessage.objects.create(
        to=to, text=_stored_text(text), kind=kind, backend=type(backend).__name__
    )
    try:
        message.provider_reference = backend.send(message, text)[:100]
        message.status = SmsMessage.Status.SENT
    except SmsError as exc:
        log.warning("SMS to %s failed: %s", to, exc)
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)
    message.save(update_fields=["provider_reference", "status", "error"])
    return message
