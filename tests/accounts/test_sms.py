"""SMS backends: the generic HTTP gateway (against a local server), the outbox, redaction."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

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


def test_http_gateway_delivers_in_international_form(settings, sms_gateway):
    url, received, _handler = sms_gateway
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_API_KEY = url, "k3y"
    message = send_sms("০১৭১২৩৪৫৬৭৮", "Your code is 123456", kind="code")
    assert received[0]["to"] == ["8801712345678"]
    assert received[0]["api_key"] == ["k3y"]
    assert received[0]["message"] == ["Your code is 123456"]
    assert message.status == "sent" and message.provider_reference == "m1"


def test_gateway_failure_is_recorded_not_raised(settings, sms_gateway):
    url, _received, handler = sms_gateway
    handler.status = 500
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    message = send_sms("01712345678", "hello")
    assert message.status == "failed" and "500" in message.error


def test_outbox_can_hide_codes(settings):
    settings.SMS_OUTBOX_KEEPS_TEXT = False
    send_sms("01712345678", "Your code is 123456", kind="code")
    assert SmsMessage.objects.get().text == "Your code is ••••••"
