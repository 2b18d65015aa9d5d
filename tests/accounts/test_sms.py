"""SMS backends: the generic HTTP gateway (against a local server), called by the worker
after the sender's commit; the outbox, delivered at once; redaction."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.db import transaction

from accounts import tasks
from accounts.models import SmsMessage
from accounts.sms import send_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append(parse_qs(body))
            self.send_response(Handler.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"message_id": f"m{len(received)}"}).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/send", received, Handler
    server.shutdown()


def test_http_gateway_delivers_in_international_form(
    settings, sms_gateway, django_capture_on_commit_callbacks, tasks_inline
):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_API_KEY = url, "k3y"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("০১৭১২৩৪৫৬৭৮", "Your code is 123456", kind="code")
    message.refresh_from_db()
    assert received[0]["to"] == ["8801712345678"]
    assert received[0]["api_key"] == ["k3y"]
    assert received[0]["message"] == ["Your code is 123456"]
    assert message.status == "sent" and message.provider_reference == "m1"


def test_gateway_failure_is_recorded_not_raised(
    settings, sms_gateway, django_capture_on_commit_callbacks, tasks_inline
):
    url, _received, handler = sms_gateway
    handler.status = 500
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("01712345678", "hello")
    message.refresh_from_db()
    assert message.status == "failed" and "500" in message.error


def test_outbox_can_hide_codes(settings):
    settings.SMS_OUTBOX_KEEPS_TEXT = False
    send_sms("01712345678", "Your code is 123456", kind="code")
    assert SmsMessage.objects.get().text == "Your code is ••••••"


def test_a_remote_backend_is_called_by_the_worker_after_the_commit(
    settings, sms_gateway, django_capture_on_commit_callbacks, monkeypatch
):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.deliver_sms, "apply_async", lambda args, **kw: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send_sms("01712345678", "Receipt KCC/R/2026-27/000001", kind="receipt")
    # Recorded where it was sent from; nothing handed to anyone before the commit.
    assert message.status == "queued" and queued == [] and received == []
    for callback in callbacks:
        callback()
    assert queued == [(message.pk, "Receipt KCC/R/2026-27/000001")] and received == []
    assert tasks.deliver_sms(*queued[0]) == "sent"  # the worker's run
    assert received[0]["message"] == ["Receipt KCC/R/2026-27/000001"]
    assert tasks.deliver_sms(*queued[0]) == "sent"  # a repeated task sends nothing more
    assert len(received) == 1


def test_a_rolled_back_sender_sends_nothing(settings, sms_gateway, monkeypatch):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.deliver_sms, "apply_async", lambda args, **kw: queued.append(args))

    def send_then_roll_back() -> None:
        with transaction.atomic():
            send_sms("01712345678", "hello")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        send_then_roll_back()
    assert queued == [] and received == [] and not SmsMessage.objects.exists()


def test_with_the_broker_down_the_message_is_delivered_at_once(
    settings, sms_gateway, django_capture_on_commit_callbacks, monkeypatch
):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_sms, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("01712345678", "hello")
    message.refresh_from_db()
    assert message.status == "sent" and len(received) == 1


def test_a_local_backend_delivers_at_once():
    message = send_sms("01712345678", "hello")  # the outbox: nothing to wait for
    assert message.status == "sent" and message.provider_reference == f"outbox-{message.pk}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_through_the_provider(settings, sms_gateway, celery_worker_thread):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    with transaction.atomic():
        message = send_sms("01712345678", "Your licence is issued", kind="ezbike")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not received:
        time.sleep(0.1)
    message.refresh_from_db()
    assert received[0]["message"] == ["Your licence is issued"]
    assert message.status == "sent" and message.provider_reference == "m1"


def test_delivery_has_a_queue_of_its_own():
    """A sign-in code never waits behind a rush of payment validations on the gateway
    queue; the gateway worker's threads read both (manage.py serve, docker-compose.yml)."""
    from kcc_portal.settings import base

    assert base.CELERY_TASK_ROUTES["accounts.tasks.deliver_sms"] == {"queue": base.CELERY_SMS_QUEUE}
    queues = {base.CELERY_TASK_DEFAULT_QUEUE, base.CELERY_GATEWAY_QUEUE, base.CELERY_SMS_QUEUE}
    assert len(queues | {base.CELERY_PDF_QUEUE}) == 4
