"""The SSLCommerz simulator, driven over HTTP by the portal's real client.

The live server runs the simulator; IPNs go to a tiny recording HTTP server.
"""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from django.urls import resolve, reverse
from django.utils import timezone

from payments.gateways.sslcommerz import (
    MERCHANT_TRANS_PATH,
    SESSION_PATH,
    VALIDATION_PATH,
    GatewayRejected,
    GatewayUnavailable,
    SessionResult,
    SSLCommerzClient,
    pick_settled,
    verify_ipn_signature,
)
from payments.simulator import views as simulator_views
from payments.simulator.models import SimulatedRefund, SimulatedTransaction

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
AMOUNT = Decimal("1250.50")


# ------------------------------------------------------------------ IPN receiver


@dataclass
class IpnReceiver:
    """Records every form POST it receives."""

    url: str
    posts: list[dict[str, str]] = field(default_factory=list)
    #: Seconds the receiver takes before answering (a slow merchant).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, form: dict[str, str]) -> None:
        with self.lock:
            self.posts.append(form)

    def wait_for(
        self, count: int, timeout: float = 5.0, settle: float = 0.6
    ) -> list[dict[str, str]]:
        """Wait until ``count`` POSTs arrived, then ``settle`` seconds to catch extra ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.posts) >= count:
                    break
            time.sleep(0.05)
        time.sleep(settle)
        with self.lock:
            return list(self.posts)


@pytest.fixture
def ipn_receiver() -> Iterator[IpnReceiver]:
    receiver: IpnReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            time.sleep(receiver.delay)
            receiver.record(form)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = IpnReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/payments/ipn/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------ helpers


@pytest.fixture
def base_url(live_server, settings) -> str:
    return live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH


@pytest.fixture
def gateway(base_url, settings) -> Iterator[SSLCommerzClient]:
    with SSLCommerzClient(
        base_url=base_url,
        store_id=settings.SSLCOMMERZ_STORE_ID,
        store_password=settings.SSLCOMMERZ_STORE_PASSWORD,
        backoff=0,
    ) as client:
        yield client


def new_tran_id() -> str:
    return "TEST" + secrets.token_hex(8).upper()


def open_session(
    gateway: SSLCommerzClient,
    ipn_url: str,
    *,
    tran_id: str | None = None,
    amount: Decimal = AMOUNT,
) -> SessionResult:
    return gateway.create_session(
        tran_id=tran_id or new_tran_id(),
        total_amount=amount,
        success_url="http://portal.test/payments/return/success/",
        fail_url="http://portal.test/payments/return/fail/",
        cancel_url="http://portal.test/payments/return/cancel/",
        ipn_url=ipn_url,
        cus_name="Karim",
        cus_email="karim@example.com",
        cus_phone="01712345678",
        cus_add1="12 KDA Avenue",
        cus_city="Khulna",
        product_name="Holding tax 2025-26",
        product_category="municipal-service",
        value_a="payment:42",
        value_b="",
        value_c="bill:KCC/HT/2025-26/000123",
    )


def checkout(session: SessionResult, action: str, **switches: str) -> requests.Response:
    return requests.post(session.gateway_url, data={"action": action, **switches}, timeout=10)


def control(base_url: str, tran_id: str, **fields: str) -> requests.Response:
    return requests.post(f"{base_url}/control/{tran_id}/", data=fields, timeout=10)


class FormParser(HTMLParser):
    """Collects the forms of a page: method, action and hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({**attributes, "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and attributes.get("type") == "hidden":
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(attributes)
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse_forms(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def paid(
    gateway: SSLCommerzClient, receiver: IpnReceiver, action: str = "bkash", **switches: str
) -> tuple[SessionResult, dict[str, str]]:
    """Open a session and pay it; returns the session and the return form's fields."""
    session = open_session(gateway, receiver.url)
    response = checkout(session, action, **switches)
    assert response.status_code == 200
    if "no_ipn" not in switches:
        receiver.wait_for(1, settle=0)  # no IPN left in flight when the test ends
    return session, parse_forms(response.text).forms[0]["fields"]


# ------------------------------------------------------------------ wiring


def test_urls_resolve_when_enabled(settings):
    assert settings.SSLCOMMERZ_SIMULATOR_ENABLED
    prefix = settings.SSLCOMMERZ_SIMULATOR_PATH
    assert resolve(prefix + SESSION_PATH).func is simulator_views.session_api
    assert resolve(prefix + VALIDATION_PATH).func is simulator_views.validation_api
    assert resolve(prefix + MERCHANT_TRANS_PATH).func is simulator_views.merchant_trans_api
    assert reverse("gateway_simulator:checkout", args=["ABC"]) == f"{prefix}/checkout/ABC/"
    assert reverse("gateway_simulator:control", args=["T1"]) == f"{prefix}/control/T1/"


def test_production_settings_refuse_the_simulator():
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60))
    env = {
        **os.environ,
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "portal.example.gov.bd",
        "DATABASE_URL": "postgres://kcc:kcc@localhost:5432/kcc",
        "SSLCOMMERZ_BASE_URL": "http://x/gateway-simulator",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import kcc_portal.settings.production"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "simulator" in result.stderr


# ------------------------------------------------------------------ session API


def test_session_success(gateway, ipn_receiver, live_server):
    session = open_session(gateway, ipn_receiver.url)

    assert session.status == "SUCCESS"
    assert session.sessionkey
    assert session.gateway_url == (
        f"{live_server.url}/gateway-simulator/checkout/{session.sessionkey}/"
    )
    txn = SimulatedTransaction.objects.get(sessionkey=session.sessionkey)
    assert txn.amount == AMOUNT
    assert txn.status == SimulatedTransaction.Status.PENDING
    assert txn.ipn_url == ipn_receiver.url
    assert txn.value_a == "payment:42"


def test_session_with_wrong_password_fails(base_url, settings, ipn_receiver):
    with (
        SSLCommerzClient(
            base_url=base_url,
            store_id=settings.SSLCOMMERZ_STORE_ID,
            store_password="not-the-password",
            backoff=0,
        ) as client,
        pytest.raises(GatewayRejected) as excinfo,
    ):
        open_session(client, ipn_receiver.url)
    assert "Credential" in excinfo.value.result.failed_reason
    assert not SimulatedTransaction.objects.exists()


def _raw_session_form(settings, **overrides: str) -> dict[str, str]:
    form = {
        "store_id": settings.SSLCOMMERZ_STORE_ID,
        "store_passwd": settings.SSLCOMMERZ_STORE_PASSWORD,
        "tran_id": new_tran_id(),
        "total_amount": "100.00",
        "currency": "BDT",
        "success_url": "http://portal.test/s/",
        "fail_url": "http://portal.test/f/",
        "cancel_url": "http://portal.test/c/",
        "ipn_url": "http://portal.test/i/",
        "cus_name": "Karim",
        "cus_email": "karim@example.com",
        "cus_add1": "Khulna",
        "cus_city": "Khulna",
        "cus_country": "Bangladesh",
        "cus_phone": "01712345678",
        "shipping_method": "NO",
        "product_name": "Trade licence",
        "product_category": "licence",
        "product_profile": "non-physical-goods",
    }
    form.update(overrides)
    return form


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"total_amount": "9.99"}, "total_amount"),
        ({"total_amount": "500000.01"}, "total_amount"),
        ({"total_amount": "abc"}, "total_amount"),
        ({"total_amount": "10.005"}, "total_amount"),
        ({"tran_id": "T" * 31}, "tran_id"),
        ({"cus_phone": ""}, "cus_phone"),
        ({"success_url": "javascript:alert(1)"}, "success_url"),
        ({"value_a": "x" * 256}, "value_a"),
    ],
)
def test_session_refuses_bad_input(base_url, settings, overrides, reason):
    response = requests.post(
        base_url + SESSION_PATH, data=_raw_session_form(settings, **overrides), timeout=10
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "FAILED"
    assert reason in answer["failedreason"]
    assert not SimulatedTransaction.objects.exists()


def test_session_accepts_the_amount_limits(base_url, settings):
    for amount in ("10.00", "500000.00"):
        response = requests.post(
            base_url + SESSION_PATH,
            data=_raw_session_form(settings, total_amount=amount),
            timeout=10,
        )
        assert response.json()["status"] == "SUCCESS"


# ------------------------------------------------------------------ checkout


def test_checkout_page_shows_merchant_amount_and_buttons(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)
    txn = SimulatedTransaction.objects.get(sessionkey=session.sessionkey)

    response = requests.get(session.gateway_url, cookies={"kcc_language": "en"}, timeout=10)

    assert response.status_code == 200
    assert "1,250.50" in response.text
    assert txn.tran_id in response.text
    form = next(f for f in parse_forms(response.text).forms if f.get("method") == "post")
    assert form["action"] == f"/gateway-simulator/checkout/{session.sessionkey}/"
    assert {b["value"] for b in form["buttons"]} == {"bkash", "card", "fail", "cancel"}
    for switch in ("risk", "no_ipn", "duplicate_ipn", "validation_down", "slow_validation"):
        assert f'name="{switch}"' in response.text


def test_checkout_page_in_bengali_uses_bengali_digits(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)

    response = requests.get(session.gateway_url, cookies={"kcc_language": "bn"}, timeout=10)

    assert "১,২৫০.৫০" in response.text


def test_unknown_session_is_404(base_url):
    assert requests.get(f"{base_url}/checkout/NOPE/", timeout=10).status_code == 404


def test_unknown_action_is_refused(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)

    assert checkout(session, "steal").status_code == 400
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.PENDING


def test_paying_delivers_a_signed_ipn(gateway, ipn_receiver, settings):
    session, _ = paid(gateway, ipn_receiver, "bkash")

    posts = ipn_receiver.wait_for(1)

    assert len(posts) == 1
    ipn = posts[0]
    assert verify_ipn_signature(ipn, settings.SSLCOMMERZ_STORE_PASSWORD) is True
    txn = SimulatedTransaction.objects.get(sessionkey=session.sessionkey)
    assert txn.status == SimulatedTransaction.Status.VALID
    assert ipn["tran_id"] == txn.tran_id
    assert ipn["status"] == "VALID"
    assert ipn["amount"] == "1250.50"
    assert Decimal(ipn["amount"]) == txn.amount
    assert ipn["store_amount"] == "1219.24"  # less 2.5 %
    assert ipn["currency"] == "BDT"
    assert ipn["card_type"] == "BKASH-BKash"
    assert ipn["card_issuer_country_code"] == "BD"
    assert ipn["val_id"] == txn.val_id and txn.val_id
    assert ipn["bank_tran_id"] == txn.bank_tran_id and txn.bank_tran_id
    assert (ipn["risk_level"], ipn["risk_title"]) == ("0", "Safe")
    assert (ipn["value_a"], ipn["value_b"]) == ("payment:42", "")
    assert ipn["value_c"] == "bill:KCC/HT/2025-26/000123"
    assert ipn["store_id"] == settings.SSLCOMMERZ_STORE_ID
    assert "amount" in ipn["verify_key"].split(",")
    assert not verify_ipn_signature({**ipn, "amount": "1.00"}, settings.SSLCOMMERZ_STORE_PASSWORD)


def test_ipn_does_not_hold_up_the_browser(gateway, ipn_receiver):
    ipn_receiver.delay = 2.0
    session = open_session(gateway, ipn_receiver.url)

    started = time.monotonic()
    response = checkout(session, "bkash")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 1.5
    assert len(ipn_receiver.wait_for(1)) == 1


def test_unreachable_ipn_url_does_not_break_the_checkout(gateway):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/ipn/"
    session = open_session(gateway, dead_url)

    response = checkout(session, "card")

    assert response.status_code == 200
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.VALID


def test_concurrent_clicks_pay_once(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)
    barrier = threading.Barrier(5)
    codes: list[int] = []

    def click(action: str) -> None:
        barrier.wait()
        codes.append(checkout(session, action).status_code)

    threads = [
        threading.Thread(target=click, args=(action,))
        for action in ("bkash", "card", "fail", "cancel", "bkash")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(codes) == [200, 409, 409, 409, 409]
    assert len(ipn_receiver.wait_for(2, timeout=1.0)) == 1


def test_card_payment_and_risk_flag(gateway, ipn_receiver, settings):
    _, fields = paid(gateway, ipn_receiver, "card", risk="1")

    ipn = ipn_receiver.wait_for(1)[0]

    assert verify_ipn_signature(ipn, settings.SSLCOMMERZ_STORE_PASSWORD)
    assert ipn["card_type"] == "VISA-Dutch Bangla"
    assert (ipn["risk_level"], ipn["risk_title"]) == ("1", "Risky")
    result = gateway.validate(fields["val_id"])
    assert result.is_valid and result.risk_level == 1


def test_duplicate_ipn_switch_delivers_two(gateway, ipn_receiver, settings):
    paid(gateway, ipn_receiver, "bkash", duplicate_ipn="1")

    posts = ipn_receiver.wait_for(2)

    assert len(posts) == 2
    assert posts[0] == posts[1]
    assert verify_ipn_signature(posts[1], settings.SSLCOMMERZ_STORE_PASSWORD)


def test_no_ipn_switch_delivers_none(gateway, ipn_receiver):
    paid(gateway, ipn_receiver, "bkash", no_ipn="1")

    assert ipn_receiver.wait_for(1, timeout=1.0) == []


def test_return_page_posts_signed_fields_to_success_url(gateway, ipn_receiver, settings):
    session = open_session(gateway, ipn_receiver.url)

    response = checkout(session, "bkash")

    assert response.status_code == 200
    page = parse_forms(response.text)
    (form,) = page.forms
    assert form["id"] == "return-form"
    assert form["method"] == "post"
    assert form["action"] == "http://portal.test/payments/return/success/"
    assert [b.get("type") for b in form["buttons"]] == ["submit"]  # "Continue" without JS
    # It submits itself through the site's script (no inline script under the CSP).
    assert page.scripts == [""]
    assert "data-autosubmit" in response.text and "/static/js/portal.js" in response.text
    fields = form["fields"]
    assert verify_ipn_signature(fields, settings.SSLCOMMERZ_STORE_PASSWORD)
    assert fields["status"] == "VALID"
    assert fields["amount"] == "1250.50"
    assert fields == ipn_receiver.wait_for(1)[0]


def test_fail_posts_failed_ipn_and_returns_to_fail_url(gateway, ipn_receiver, settings):
    session = open_session(gateway, ipn_receiver.url)

    response = checkout(session, "fail")

    (form,) = parse_forms(response.text).forms
    assert form["action"] == "http://portal.test/payments/return/fail/"
    assert form["fields"]["status"] == "FAILED"
    ipn = ipn_receiver.wait_for(1)[0]
    assert ipn["status"] == "FAILED"
    assert verify_ipn_signature(ipn, settings.SSLCOMMERZ_STORE_PASSWORD)
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.FAILED


def test_cancel_posts_cancelled_ipn_and_returns_to_cancel_url(gateway, ipn_receiver, settings):
    session = open_session(gateway, ipn_receiver.url)

    response = checkout(session, "cancel")

    (form,) = parse_forms(response.text).forms
    assert form["action"] == "http://portal.test/payments/return/cancel/"
    ipn = ipn_receiver.wait_for(1)[0]
    assert ipn["status"] == "CANCELLED"
    assert verify_ipn_signature(ipn, settings.SSLCOMMERZ_STORE_PASSWORD)
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.CANCELLED


def test_a_closed_session_cannot_be_paid_again(gateway, ipn_receiver):
    session, _ = paid(gateway, ipn_receiver, "bkash")

    again = checkout(session, "card")

    assert again.status_code == 409
    assert requests.get(session.gateway_url, timeout=10).status_code == 409
    assert len(ipn_receiver.wait_for(2, timeout=0.5)) == 1
    assert SimulatedTransaction.objects.get().card_type == "BKASH-BKash"


def test_an_expired_session_cannot_be_paid(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)
    SimulatedTransaction.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert checkout(session, "bkash").status_code == 409
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.PENDING
    (record,) = gateway.query_transaction(SimulatedTransaction.objects.get().tran_id)
    assert record.status == "EXPIRED"


# ------------------------------------------------------------------ validation API


def test_validation_answers_valid_then_validated(gateway, ipn_receiver):
    session, fields = paid(gateway, ipn_receiver, "bkash")
    txn = SimulatedTransaction.objects.get(sessionkey=session.sessionkey)

    first = gateway.validate(fields["val_id"])
    second = gateway.validate(fields["val_id"])

    assert first.status == "VALID"
    assert (first.tran_id, first.val_id, first.currency) == (txn.tran_id, txn.val_id, "BDT")
    assert first.amount == AMOUNT
    assert first.store_amount == Decimal("1219.24")
    assert first.bank_tran_id == txn.bank_tran_id
    assert first.raw["APIConnect"] == "DONE"
    assert first.raw["card_type"] == "BKASH-BKash"
    assert first.raw["value_a"] == "payment:42"
    assert second.status == "VALIDATED" and second.is_valid
    assert second.raw["validated_on"]
    txn.refresh_from_db()
    assert txn.status == SimulatedTransaction.Status.VALIDATED


def test_validation_of_unknown_val_id_or_with_wrong_credentials(
    gateway, ipn_receiver, base_url, settings
):
    _, fields = paid(gateway, ipn_receiver, "bkash")

    assert gateway.validate("NO-SUCH-VAL-ID").status == "INVALID_TRANSACTION"
    with SSLCommerzClient(
        base_url=base_url,
        store_id=settings.SSLCOMMERZ_STORE_ID,
        store_password="wrong",
        backoff=0,
    ) as client:
        assert client.validate(fields["val_id"]).status == "INVALID_TRANSACTION"
    assert SimulatedTransaction.objects.get().status == SimulatedTransaction.Status.VALID


def test_validation_down_until_cleared(gateway, ipn_receiver, base_url):
    session, fields = paid(gateway, ipn_receiver, "bkash", validation_down="1")
    tran_id = fields["tran_id"]

    with pytest.raises(GatewayUnavailable):
        gateway.validate(fields["val_id"])
    with pytest.raises(GatewayUnavailable):
        gateway.query_transaction(tran_id)

    answer = control(base_url, tran_id, validation_down="0")

    assert answer.status_code == 200
    assert answer.json()["sessions"][0]["switches"]["validation_down"] is False
    assert gateway.validate(fields["val_id"]).status == "VALID"


def test_slow_validation_switch(gateway, ipn_receiver, base_url):
    _, fields = paid(gateway, ipn_receiver, "bkash")
    control(base_url, fields["tran_id"], slow_validation="1")

    started = time.monotonic()
    assert gateway.validate(fields["val_id"]).status == "VALID"
    assert time.monotonic() - started >= 1.0

    control(base_url, fields["tran_id"], clear="1")
    assert SimulatedTransaction.objects.get().switches == {}


def test_control_of_unknown_tran_id_is_404(base_url):
    assert control(base_url, "NOPE", validation_down="1").status_code == 404


# ------------------------------------------------------------------ transaction query


def test_transaction_query_lists_every_session_and_picks_the_paid_one(gateway, ipn_receiver):
    tran_id = new_tran_id()
    open_session(gateway, ipn_receiver.url, tran_id=tran_id)  # abandoned first attempt
    retry = open_session(gateway, ipn_receiver.url, tran_id=tran_id)
    checkout(retry, "card")
    ipn_receiver.wait_for(1, settle=0)

    records = gateway.query_transaction(tran_id)

    assert [r.status for r in records] == ["UNATTEMPTED", "VALID"]
    settled = pick_settled(records)
    assert settled is not None
    txn = SimulatedTransaction.objects.get(sessionkey=retry.sessionkey)
    assert (settled.val_id, settled.bank_tran_id) == (txn.val_id, txn.bank_tran_id)
    assert settled.amount == AMOUNT and settled.currency == "BDT"
    assert settled.raw["error"] == ""
    assert gateway.query_transaction("UNKNOWN") == []


def test_transaction_query_with_wrong_credentials(base_url, settings):
    response = requests.get(
        base_url + MERCHANT_TRANS_PATH,
        params={
            "tran_id": "X1",
            "store_id": settings.SSLCOMMERZ_STORE_ID,
            "store_passwd": "wrong",
            "format": "json",
        },
        timeout=10,
    )

    assert response.json() == {"APIConnect": "INVALID_REQUEST"}


# ------------------------------------------------------------------ refunds


def test_refund_initiate_and_query(gateway, ipn_receiver):
    _, fields = paid(gateway, ipn_receiver, "bkash")

    refund = gateway.initiate_refund(
        bank_tran_id=fields["bank_tran_id"],
        refund_amount=Decimal("250.50"),
        refund_remarks="Paid twice",
        refund_trans_id="RF-1",
    )

    assert refund.status == "success"
    assert refund.refund_ref_id
    assert (refund.bank_tran_id, refund.trans_id) == (fields["bank_tran_id"], "RF-1")
    status = gateway.query_refund(refund.refund_ref_id)
    assert status.status == "refunded"
    assert status.raw["tran_id"] == fields["tran_id"]
    assert status.raw["initiated_on"] and status.raw["refunded_on"]
    # The same refund_trans_id again is the same refund, not a second one.
    again = gateway.initiate_refund(
        bank_tran_id=fields["bank_tran_id"],
        refund_amount=Decimal("250.50"),
        refund_remarks="Paid twice",
        refund_trans_id="RF-1",
    )
    assert again.refund_ref_id == refund.refund_ref_id
    assert SimulatedRefund.objects.count() == 1


def test_refund_above_the_paid_amount_fails(gateway, ipn_receiver):
    _, fields = paid(gateway, ipn_receiver, "card")
    gateway.initiate_refund(
        bank_tran_id=fields["bank_tran_id"],
        refund_amount=Decimal("1000.00"),
        refund_remarks="Partly refunded",
        refund_trans_id="RF-1",
    )

    with pytest.raises(GatewayRejected) as excinfo:
        gateway.initiate_refund(
            bank_tran_id=fields["bank_tran_id"],
            refund_amount=Decimal("250.51"),  # only 250.50 is left
            refund_remarks="Too much",
            refund_trans_id="RF-2",
        )

    assert excinfo.value.result.status == "failed"
    assert "exceeds" in excinfo.value.result.error_reason
    remaining = gateway.initiate_refund(
        bank_tran_id=fields["bank_tran_id"],
        refund_amount=Decimal("250.50"),
        refund_remarks="The rest",
        refund_trans_id="RF-3",
    )
    assert remaining.status == "success"


def test_refund_of_an_unpaid_session_fails(gateway, ipn_receiver):
    session = open_session(gateway, ipn_receiver.url)
    checkout(session, "fail")
    ipn_receiver.wait_for(1, settle=0)
    bank_tran_id = SimulatedTransaction.objects.get().bank_tran_id

    with pytest.raises(GatewayRejected):
        gateway.initiate_refund(
            bank_tran_id=bank_tran_id,
            refund_amount=Decimal("10.00"),
            refund_remarks="Nothing was paid",
            refund_trans_id="RF-1",
        )
