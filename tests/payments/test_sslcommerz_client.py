"""SSLCommerzClient against a real local HTTP server (no mocking of requests)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest

from payments.gateways.sslcommerz import (
    MERCHANT_TRANS_PATH,
    SESSION_PATH,
    VALIDATION_PATH,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    RefundResult,
    SSLCommerzClient,
    pick_settled,
)

STORE_ID = "kcc_test"
# Characters that URL-encoding changes, so both raw and encoded forms can be looked for.
STORE_PASSWORD = "kcc S3cret/p@ss+word"


# ------------------------------------------------------------------ fake gateway


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeGateway:
    """Answers canned replies per path (the last reply of a path repeats)."""

    server: ThreadingHTTPServer
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def next_reply(self, path: str) -> Reply:
        with self.lock:
            queue = self.routes.get(path)
            if not queue:
                return Reply(404, b"not found")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def record(self, item: Recorded) -> None:
        with self.lock:
            self.requests.append(item)

    def hits(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGateway

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hung up on a slow reply: expected in timeout tests


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        fake = self.server.fake
        fake.record(
            Recorded(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                form={k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()},
            )
        )
        reply = fake.next_reply(parts.path)
        if reply.delay:
            time.sleep(reply.delay)
        payload = reply.body
        if isinstance(payload, dict | list):
            payload = json.dumps(payload)
        data = payload.encode() if isinstance(payload, str) else payload
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeGateway(server=server)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_client(base_url: str, **kwargs: Any) -> SSLCommerzClient:
    options: dict[str, Any] = {"timeout": 2.0, "read_retries": 2, "backoff": 0}
    options.update(kwargs)
    return SSLCommerzClient(base_url, STORE_ID, STORE_PASSWORD, **options)


@pytest.fixture
def client(gateway: FakeGateway) -> Iterator[SSLCommerzClient]:
    with make_client(gateway.base_url) as c:
        yield c


def session_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "tran_id": "KCC250101ABCDEF",
        "total_amount": Decimal("1050.5"),
        "success_url": "https://portal.example/pay/return/success/",
        "fail_url": "https://portal.example/pay/return/fail/",
        "cancel_url": "https://portal.example/pay/return/cancel/",
        "ipn_url": "https://portal.example/pay/ipn/",
        "cus_name": "Rahima Khatun",
        "cus_email": "rahima@example.com",
        "cus_phone": "01711111111",
        "cus_add1": "12 KDA Avenue",
        "cus_city": "Khulna",
        "product_name": "Holding tax 2025-26",
        "product_category": "Municipal tax",
        "value_a": "payment:42",
    }
    kwargs.update(overrides)
    return kwargs


def assert_no_password(exc: BaseException) -> None:
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for text in texts:
        for secret in (STORE_PASSWORD, quote_plus(STORE_PASSWORD), quote(STORE_PASSWORD)):
            assert secret not in text


SESSION_OK = {
    "status": "SUCCESS",
    "failedreason": "",
    "sessionkey": "F8A3C0E1B2D4",
    "GatewayPageURL": "https://sandbox.sslcommerz.com/EasyCheckOut/testcdeF8A3C0E1B2D4",
}

VALID_ANSWER = {
    "status": "VALID",
    "tran_date": "2025-01-01 12:00:00",
    "tran_id": "KCC250101ABCDEF",
    "val_id": "2501011200001abcDEF",
    "amount": "1050.50",
    "store_amount": "1024.24",
    "currency": "BDT",
    "bank_tran_id": "250101120000xyz",
    "card_type": "BKASH-BKash",
    "risk_level": "0",
    "risk_title": "Safe",
    "APIConnect": "DONE",
    "validated_on": "",
}


# ------------------------------------------------------------------ session


def test_create_session_success_posts_the_form(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK))

    result = client.create_session(**session_kwargs())

    assert result.status == "SUCCESS"
    assert result.sessionkey == "F8A3C0E1B2D4"
    assert result.gateway_url == SESSION_OK["GatewayPageURL"]
    assert result.failed_reason == ""
    assert result.raw["sessionkey"] == "F8A3C0E1B2D4"
    [hit] = gateway.hits(SESSION_PATH)
    assert hit.method == "POST"
    assert hit.query == {}
    form = hit.form
    assert form["store_id"] == STORE_ID
    assert form["store_passwd"] == STORE_PASSWORD
    assert form["total_amount"] == "1050.50"
    assert form["currency"] == "BDT"
    assert form["tran_id"] == "KCC250101ABCDEF"
    assert form["shipping_method"] == "NO"
    assert form["product_profile"] == "non-physical-goods"
    assert form["num_of_item"] == "1"
    assert form["cus_country"] == "Bangladesh"
    assert form["cus_postcode"] == ""
    assert form["ipn_url"] == "https://portal.example/pay/ipn/"
    assert form["value_a"] == "payment:42"
    assert form["value_d"] == ""


@pytest.mark.parametrize(
    ("amount", "sent"),
    [(Decimal("10"), "10.00"), (Decimal("500000.00"), "500000.00"), (Decimal("1E+3"), "1000.00")],
)
def test_create_session_formats_amount_with_two_decimals(
    gateway: FakeGateway, client: SSLCommerzClient, amount: Decimal, sent: str
) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK))
    client.create_session(**session_kwargs(total_amount=amount))
    assert gateway.hits(SESSION_PATH)[0].form["total_amount"] == sent


def test_create_session_failed_answer_raises_rejected(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(
        SESSION_PATH,
        Reply(
            body={
                "status": "FAILED",
                "failedreason": "Store Credential Error Or Store is De-active",
                "sessionkey": "",
                "GatewayPageURL": "",
            }
        ),
    )
    with pytest.raises(GatewayRejected) as info:
        client.create_session(**session_kwargs())
    assert "Store Credential Error" in str(info.value)
    assert info.value.result.status == "FAILED"
    assert info.value.result.failed_reason.startswith("Store Credential Error")
    assert len(gateway.hits(SESSION_PATH)) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"total_amount": Decimal("9.99")},
        {"total_amount": Decimal("500000.01")},
        {"total_amount": Decimal("0")},
        {"total_amount": Decimal("-50.00")},
        {"total_amount": Decimal("100.005")},
        {"total_amount": Decimal("NaN")},
        {"tran_id": "T" * 31},
        {"tran_id": ""},
        {"cus_email": ""},
        {"value_b": "x" * 256},
        {"currency": "TAKA"},
    ],
)
def test_create_session_validates_before_any_request(
    gateway: FakeGateway, client: SSLCommerzClient, overrides: dict[str, Any]
) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK))
    with pytest.raises(ValueError, match="required|longer than|must be|below|above|decimal places"):
        client.create_session(**session_kwargs(**overrides))
    assert gateway.requests == []


def test_create_session_refuses_float_amount(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    with pytest.raises(TypeError):
        client.create_session(**session_kwargs(total_amount=100.5))
    assert gateway.requests == []


def test_create_session_accepts_boundaries(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK))
    client.create_session(**session_kwargs(total_amount=Decimal("10.00"), tran_id="T" * 30))
    assert len(gateway.hits(SESSION_PATH)) == 1


def test_create_session_is_not_retried(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(SESSION_PATH, Reply(500, b"oops"), Reply(body=SESSION_OK))
    with pytest.raises(GatewayUnavailable):
        client.create_session(**session_kwargs())
    assert len(gateway.hits(SESSION_PATH)) == 1


def test_create_session_success_without_gateway_url_is_an_error(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(SESSION_PATH, Reply(body={**SESSION_OK, "GatewayPageURL": ""}))
    with pytest.raises(GatewayError) as info:
        client.create_session(**session_kwargs())
    assert not isinstance(info.value, GatewayRejected)


def test_clients_do_not_share_state(gateway: FakeGateway) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK))
    first = SSLCommerzClient(gateway.base_url, "store_one", "pw-one", backoff=0)
    second = SSLCommerzClient(gateway.base_url, "store_two", "pw-two", backoff=0)
    with first, second:
        first.create_session(**session_kwargs(tran_id="ONE", cus_name="First Payer"))
        second.create_session(**session_kwargs(tran_id="TWO"))
        first.create_session(**session_kwargs(tran_id="THREE"))
    forms = [
        (h.form["store_id"], h.form["store_passwd"], h.form["tran_id"], h.form["cus_name"])
        for h in gateway.hits(SESSION_PATH)
    ]
    assert forms == [
        ("store_one", "pw-one", "ONE", "First Payer"),
        ("store_two", "pw-two", "TWO", "Rahima Khatun"),
        ("store_one", "pw-one", "THREE", "Rahima Khatun"),
    ]
    assert "pw-one" not in repr(first)


# ------------------------------------------------------------------ validation


def test_validate_parses_valid_answer(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(VALIDATION_PATH, Reply(body=VALID_ANSWER))

    result = client.validate("2501011200001abcDEF")

    assert result.is_valid
    assert result.status == "VALID"
    assert result.tran_id == "KCC250101ABCDEF"
    assert result.val_id == "2501011200001abcDEF"
    assert result.amount == Decimal("1050.50")
    assert isinstance(result.amount, Decimal)
    assert result.store_amount == Decimal("1024.24")
    assert result.currency == "BDT"
    assert result.bank_tran_id == "250101120000xyz"
    assert result.risk_level == 0
    assert result.risk_title == "Safe"
    assert result.raw["card_type"] == "BKASH-BKash"
    [hit] = gateway.hits(VALIDATION_PATH)
    assert hit.method == "GET"
    assert hit.query == {
        "val_id": "2501011200001abcDEF",
        "store_id": STORE_ID,
        "store_passwd": STORE_PASSWORD,
        "format": "json",
    }


def test_validate_numeric_json_amount_is_exact_decimal(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    body = json.dumps({**VALID_ANSWER, "status": "VALIDATED", "risk_level": 1}).replace(
        '"amount": "1050.50"', '"amount": 1050.10'
    )
    gateway.on(VALIDATION_PATH, Reply(body=body))
    result = client.validate("v1")
    assert result.is_valid
    assert result.amount == Decimal("1050.10")
    assert result.risk_level == 1


def test_validate_invalid_transaction_is_returned_not_raised(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(VALIDATION_PATH, Reply(body={"status": "INVALID_TRANSACTION"}))
    result = client.validate("nope")
    assert not result.is_valid
    assert result.amount is None
    assert result.risk_level == 1  # unknown risk counts as risky


def test_validate_retries_on_500_then_succeeds(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(VALIDATION_PATH, Reply(500, b"boom"), Reply(502, b""), Reply(body=VALID_ANSWER))
    result = client.validate("2501011200001abcDEF")
    assert result.is_valid
    assert len(gateway.hits(VALIDATION_PATH)) == 3


def test_validate_gives_up_after_retries(gateway: FakeGateway) -> None:
    gateway.on(VALIDATION_PATH, Reply(503, b"down"))
    with make_client(gateway.base_url, read_retries=3) as c, pytest.raises(GatewayUnavailable):
        c.validate("v1")
    assert len(gateway.hits(VALIDATION_PATH)) == 4


def test_validate_empty_body_is_unavailable(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(VALIDATION_PATH, Reply(200, b""))
    with pytest.raises(GatewayUnavailable) as info:
        client.validate("v1")
    assert "empty" in str(info.value)
    assert len(gateway.hits(VALIDATION_PATH)) == 3  # 1 + read_retries


def test_validate_empty_body_then_answer_recovers(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(VALIDATION_PATH, Reply(200, b"  \n"), Reply(body=VALID_ANSWER))
    assert client.validate("v1").is_valid
    assert len(gateway.hits(VALIDATION_PATH)) == 2


@pytest.mark.parametrize("body", [b"<html>Service Unavailable</html>", b"[1, 2]", b'"VALID"'])
def test_validate_non_json_is_unavailable(gateway: FakeGateway, body: bytes) -> None:
    gateway.on(VALIDATION_PATH, Reply(200, body))
    with make_client(gateway.base_url, read_retries=0) as c, pytest.raises(GatewayUnavailable):
        c.validate("v1")


def test_validate_timeout_is_unavailable(gateway: FakeGateway) -> None:
    gateway.on(VALIDATION_PATH, Reply(body=VALID_ANSWER, delay=1.0))
    started = time.monotonic()
    with make_client(gateway.base_url, timeout=0.2, read_retries=1) as c:
        with pytest.raises(GatewayUnavailable) as info:
            c.validate("v1")
    assert time.monotonic() - started < 0.95
    assert "timeout" in str(info.value)
    assert len(gateway.hits(VALIDATION_PATH)) == 2
    assert_no_password(info.value)


def test_create_session_timeout_is_unavailable_and_not_retried(gateway: FakeGateway) -> None:
    gateway.on(SESSION_PATH, Reply(body=SESSION_OK, delay=1.0))
    with make_client(gateway.base_url, timeout=0.2) as c, pytest.raises(GatewayUnavailable):
        c.create_session(**session_kwargs())
    assert len(gateway.hits(SESSION_PATH)) == 1


def test_client_error_status_is_not_retried(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(VALIDATION_PATH, Reply(403, b"forbidden"))
    with pytest.raises(GatewayError) as info:
        client.validate("v1")
    assert not isinstance(info.value, GatewayUnavailable)
    assert info.value.status_code == 403
    assert len(gateway.hits(VALIDATION_PATH)) == 1


def test_api_connect_refusal_is_rejected(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(VALIDATION_PATH, Reply(body={"APIConnect": "INACTIVE", "status": ""}))
    with pytest.raises(GatewayRejected) as info:
        client.validate("v1")
    assert "INACTIVE" in str(info.value)


# ------------------------------------------------------------------ transaction query


def test_query_transaction_picks_the_valid_attempt(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    failed = {**VALID_ANSWER, "status": "FAILED", "val_id": "", "bank_tran_id": "b1"}
    cancelled = {**VALID_ANSWER, "status": "CANCELLED", "val_id": "", "bank_tran_id": "b2"}
    valid = {**VALID_ANSWER, "val_id": "v3", "bank_tran_id": "b3"}
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(
            body={
                "APIConnect": "DONE",
                "no_of_trans_found": 3,
                "element": [failed, valid, cancelled],
            }
        ),
    )

    records = client.query_transaction("KCC250101ABCDEF")

    assert [r.status for r in records] == ["FAILED", "VALID", "CANCELLED"]
    settled = pick_settled(records)
    assert settled is not None
    assert settled.val_id == "v3"
    assert settled.bank_tran_id == "b3"
    assert settled.amount == Decimal("1050.50")
    assert settled.tran_date == "2025-01-01 12:00:00"
    assert pick_settled([records[0], records[2]]) is None
    [hit] = gateway.hits(MERCHANT_TRANS_PATH)
    assert hit.query == {
        "tran_id": "KCC250101ABCDEF",
        "store_id": STORE_ID,
        "store_passwd": STORE_PASSWORD,
        "format": "json",
    }


def test_query_transaction_nothing_found(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(body={"APIConnect": "DONE", "no_of_trans_found": 0, "element": []}),
    )
    records = client.query_transaction("UNKNOWN")
    assert records == []
    assert pick_settled(records) is None


def test_query_transaction_is_retried(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(500),
        Reply(body={"APIConnect": "DONE", "no_of_trans_found": 1, "element": [VALID_ANSWER]}),
    )
    assert pick_settled(client.query_transaction("KCC250101ABCDEF")) is not None
    assert len(gateway.hits(MERCHANT_TRANS_PATH)) == 2


# ------------------------------------------------------------------ refunds


def test_initiate_refund(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(
            body={
                "APIConnect": "DONE",
                "bank_tran_id": "250101120000xyz",
                "trans_id": "KCC250101ABCDEF",
                "refund_ref_id": "59bd63fea5455",
                "status": "processing",
                "errorReason": "",
            }
        ),
    )

    result = client.initiate_refund(
        bank_tran_id="250101120000xyz",
        refund_amount=Decimal("500"),
        refund_remarks="Paid twice",
        refund_trans_id="RF250101000001",
    )

    assert isinstance(result, RefundResult)
    assert result.status == "processing"
    assert result.refund_ref_id == "59bd63fea5455"
    assert not result.is_failed
    [hit] = gateway.hits(MERCHANT_TRANS_PATH)
    assert hit.method == "GET"
    assert hit.query == {
        "bank_tran_id": "250101120000xyz",
        "refund_amount": "500.00",
        "refund_remarks": "Paid twice",
        "refund_trans_id": "RF250101000001",
        "store_id": STORE_ID,
        "store_passwd": STORE_PASSWORD,
        "format": "json",
    }


def test_initiate_refund_failed_is_rejected(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(
            body={
                "APIConnect": "DONE",
                "status": "failed",
                "refund_ref_id": "",
                "errorReason": "Refund amount exceeds the transaction amount",
            }
        ),
    )
    with pytest.raises(GatewayRejected) as info:
        client.initiate_refund(
            bank_tran_id="b3",
            refund_amount=Decimal("99999.00"),
            refund_remarks="too much",
            refund_trans_id="RF2",
        )
    assert "exceeds" in str(info.value)
    assert info.value.result.is_failed


def test_initiate_refund_is_not_retried(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(MERCHANT_TRANS_PATH, Reply(500), Reply(body={"status": "success"}))
    with pytest.raises(GatewayUnavailable):
        client.initiate_refund(
            bank_tran_id="b3",
            refund_amount=Decimal("10.00"),
            refund_remarks="r",
            refund_trans_id="RF3",
        )
    assert len(gateway.hits(MERCHANT_TRANS_PATH)) == 1


def test_initiate_refund_validates_amount(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    for bad in (Decimal("0"), Decimal("-1"), Decimal("1.001")):
        with pytest.raises(ValueError, match="below the minimum|more than two decimal places"):
            client.initiate_refund(
                bank_tran_id="b3", refund_amount=bad, refund_remarks="r", refund_trans_id="RF4"
            )
    assert gateway.requests == []


def test_query_refund(gateway: FakeGateway, client: SSLCommerzClient) -> None:
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(503),
        Reply(
            body={
                "APIConnect": "DONE",
                "bank_tran_id": "250101120000xyz",
                "tran_id": "KCC250101ABCDEF",
                "refund_ref_id": "59bd63fea5455",
                "status": "success",
                "errorReason": "",
            }
        ),
    )

    result = client.query_refund("59bd63fea5455")

    assert result.status == "success"
    assert result.refund_ref_id == "59bd63fea5455"
    hits = gateway.hits(MERCHANT_TRANS_PATH)
    assert len(hits) == 2  # retried after the 503
    assert hits[-1].query == {
        "refund_ref_id": "59bd63fea5455",
        "store_id": STORE_ID,
        "store_passwd": STORE_PASSWORD,
        "format": "json",
    }


# ------------------------------------------------------------------ secrecy


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_error_does_not_leak_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with make_client(f"http://127.0.0.1:{_closed_port()}", read_retries=1) as c:
        with pytest.raises(GatewayUnavailable) as info:
            c.validate("v1")
        assert_no_password(info.value)
        with pytest.raises(GatewayUnavailable) as info:
            c.query_transaction("T1")
        assert_no_password(info.value)
        with pytest.raises(GatewayUnavailable) as info:
            c.create_session(**session_kwargs())
        assert_no_password(info.value)
    assert "retrying" in caplog.text
    assert_not_in_logs(caplog)


def assert_not_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records
    for secret in (STORE_PASSWORD, quote_plus(STORE_PASSWORD), quote(STORE_PASSWORD)):
        assert secret not in caplog.text


def test_urllib3_debug_log_does_not_leak_password(
    gateway: FakeGateway, client: SSLCommerzClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway.on(VALIDATION_PATH, Reply(body=VALID_ANSWER))
    client.validate("v1")
    assert "store_passwd=***" in caplog.text  # urllib3 logged the request line, redacted
    assert_not_in_logs(caplog)


def test_gateway_echoing_password_does_not_leak(
    gateway: FakeGateway, client: SSLCommerzClient
) -> None:
    gateway.on(
        SESSION_PATH,
        Reply(body={"status": "FAILED", "failedreason": f"bad store_passwd {STORE_PASSWORD}"}),
    )
    gateway.on(
        MERCHANT_TRANS_PATH,
        Reply(
            body={
                "APIConnect": "INVALID_REQUEST",
                "errorReason": f"store_passwd={quote_plus(STORE_PASSWORD)} invalid",
            }
        ),
    )
    with pytest.raises(GatewayRejected) as info:
        client.create_session(**session_kwargs())
    assert_no_password(info.value)
    with pytest.raises(GatewayRejected) as info:
        client.query_refund("ref")
    assert_no_password(info.value)
    for status in (500, 404):
        gateway.on(VALIDATION_PATH, Reply(status, STORE_PASSWORD))
        with pytest.raises(GatewayError) as info:
            client.validate("v1")
        assert_no_password(info.value)


def test_client_repr_hides_password() -> None:
    client = SSLCommerzClient("https://sandbox.sslcommerz.com/", STORE_ID, STORE_PASSWORD)
    assert STORE_PASSWORD not in repr(client)
    assert client.base_url == "https://sandbox.sslcommerz.com"
    client.close()
