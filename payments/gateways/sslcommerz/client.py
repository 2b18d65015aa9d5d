"""Small, strict client for the SSLCommerz v4 payment gateway.

The portal carries its own client instead of ``sslcommerz-python`` (shared class-level
request data, no timeouts, uninstallable on Python 3.11) or ``sslcommerz-lib`` (swallows
every error).

Two parts:

* IPN signature helpers, :func:`verify_ipn_signature` and :func:`sign_ipn_payload` (the
  latter is used by the local gateway simulator and by tests).
* :class:`SSLCommerzClient`, an HTTP client for the session, validation, transaction
  query and refund APIs. Every call has a timeout; read-only calls are retried with
  exponential back-off; calls that create state at the gateway are never retried.

Errors are reported through one hierarchy: :class:`GatewayError`, with
:class:`GatewayUnavailable` (network error, timeout, 5xx, empty or non-JSON answer: try
again later) and :class:`GatewayRejected` (the gateway answered clearly and said no).
The store password never appears in exception messages or in this module's log output.

This module does not touch Django settings; callers construct the client with the values
they read from their own configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, quote_plus

import requests

__all__ = [
    "GatewayError",
    "GatewayRejected",
    "GatewayUnavailable",
    "REQUIRED_SIGNED_KEYS",
    "RefundResult",
    "SSLCommerzClient",
    "SessionResult",
    "TransactionRecord",
    "ValidationResult",
    "pick_settled",
    "sign_ipn_payload",
    "verify_ipn_signature",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# Protocol constants
# --------------------------------------------------------------------------------------

SESSION_PATH = "/gwprocess/v4/api.php"
VALIDATION_PATH = "/validator/api/validationserverAPI.php"
MERCHANT_TRANS_PATH = "/validator/api/merchantTransIDvalidationAPI.php"

#: Fields a verify_key must cover, otherwise the IPN is refused.
REQUIRED_SIGNED_KEYS: frozenset[str] = frozenset(
    {"amount", "currency", "tran_id", "val_id", "status"}
)
#: Validation/transaction statuses that mean "the money arrived".
SETTLED_STATUSES: frozenset[str] = frozenset({"VALID", "VALIDATED"})

MIN_AMOUNT = Decimal("10.00")
MAX_AMOUNT = Decimal("500000.00")
MAX_TRAN_ID_LENGTH = 30
MAX_VALUE_FIELD_LENGTH = 255

_SIGNATURE_FIELDS = ("verify_key", "verify_sign", "verify_sign_sha2")
_STORE_PASSWD_KEY = "store_passwd"
_CENT = Decimal("0.01")
_MAX_REASON_CHARS = 300

# store_passwd=<anything up to a separator>, as it appears in URLs and form bodies.
_STORE_PASSWD_RE = re.compile(r"(store_passwd=)[^&\s'\"]*")


# --------------------------------------------------------------------------------------
# IPN signature
# --------------------------------------------------------------------------------------

_HashFactory = Callable[[bytes], Any]


def _md5(data: bytes) -> Any:
    return hashlib.md5(data, usedforsecurity=False)


def _sha256(data: bytes) -> Any:
    return hashlib.sha256(data)


def _digest(values: Mapping[str, str], store_password: str, hash_factory: _HashFactory) -> str:
    """Hash ``k=v&...`` over ``values`` plus the hashed store password, sorted by key."""
    data = dict(values)
    data[_STORE_PASSWD_KEY] = hash_factory(store_password.encode("utf-8")).hexdigest()
    message = "&".join(f"{key}={data[key]}" for key in sorted(data))
    return hash_factory(message.encode("utf-8")).hexdigest()


def _same_digest(expected: str, given: str) -> bool:
    # compare_digest on str raises TypeError for non-ASCII text: compare bytes instead.
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8"))


def verify_ipn_signature(payload: Mapping[str, str | None], store_password: str) -> bool:
    """Return True only if ``payload`` (an IPN or return POST) is signed by the gateway.

    Rules: verify_key and verify_sign must be present and non-empty; verify_key must
    cover amount, currency, tran_id, val_id and status; the md5 digest must match
    verify_sign and, when verify_sign_sha2 is sent (non-empty), the sha256 digest must
    match it too. A key named in verify_key but missing from the payload, or None, counts
    as an empty string. Any malformed input yields False; this function never raises.
    """
    try:
        return _verify_ipn_signature(payload, store_password)
    except Exception:  # defensive: garbage in must never become a 500
        logger.warning("IPN signature check refused malformed input")
        return False


def _verify_ipn_signature(payload: Mapping[str, str | None], store_password: str) -> bool:
    if not isinstance(payload, Mapping):
        return False
    if not isinstance(store_password, str) or not store_password:
        return False

    verify_key = payload.get("verify_key")
    verify_sign = payload.get("verify_sign")
    verify_sign_sha2 = payload.get("verify_sign_sha2")
    if not isinstance(verify_key, str) or not verify_key:
        return False
    if not isinstance(verify_sign, str) or not verify_sign:
        return False
    if verify_sign_sha2 is not None and not isinstance(verify_sign_sha2, str):
        return False

    keys = verify_key.split(",")
    if any(not key or key == _STORE_PASSWD_KEY for key in keys):
        return False
    if not REQUIRED_SIGNED_KEYS.issubset(keys):
        return False

    values: dict[str, str] = {}
    for key in keys:
        value = payload.get(key)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            return False
        values[key] = value

    if not _same_digest(_digest(values, store_password, _md5), verify_sign):
        return False
    if verify_sign_sha2:  # absent, None or "" means the gateway did not send one
        if not _same_digest(_digest(values, store_password, _sha256), verify_sign_sha2):
            return False
    return True


def sign_ipn_payload(
    payload: dict[str, str | None],
    store_password: str,
    keys: Iterable[str] | None = None,
) -> dict[str, str | None]:
    """Return a copy of ``payload`` with verify_key, verify_sign and verify_sign_sha2 set.

    ``keys`` defaults to every field of the payload (sorted) except the signature fields.
    Keys may be listed that are absent from the payload (signed as empty strings), and a
    key list that leaves out required fields is allowed, so tests can build payloads
    that only :func:`verify_ipn_signature`'s coverage rule refuses.
    """
    if not isinstance(store_password, str) or not store_password:
        raise ValueError("store_password must be a non-empty string")
    if keys is None:
        key_list = sorted(
            k for k in payload if k not in _SIGNATURE_FIELDS and k != _STORE_PASSWD_KEY
        )
    else:
        key_list = list(dict.fromkeys(keys))
    if not key_list:
        raise ValueError("nothing to sign")
    for key in key_list:
        if not isinstance(key, str) or not key or "," in key:
            raise ValueError(f"invalid key to sign: {key!r}")
        if key == _STORE_PASSWD_KEY or key in _SIGNATURE_FIELDS:
            raise ValueError(f"{key!r} cannot be a signed field")

    values: dict[str, str] = {}
    for key in key_list:
        value = payload.get(key)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise TypeError(f"value of {key!r} must be str or None, not {type(value).__name__}")
        values[key] = value

    signed = dict(payload)
    signed["verify_key"] = ",".join(key_list)
    signed["verify_sign"] = _digest(values, store_password, _md5)
    signed["verify_sign_sha2"] = _digest(values, store_password, _sha256)
    return signed


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class GatewayError(Exception):
    """Any failure talking to SSLCommerz. Messages never contain the store password."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class GatewayUnavailable(GatewayError):
    """No usable answer: network error, timeout, 5xx, empty or non-JSON body."""


class GatewayRejected(GatewayError):
    """A well-formed answer refusing the request (session FAILED, refund failed, ...)."""

    def __init__(
        self,
        message: str,
        *,
        result: Any = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.result = result


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionResult:
    status: str
    sessionkey: str
    gateway_url: str
    failed_reason: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class ValidationResult:
    """The gateway's word on one payment attempt (validation API)."""

    status: str
    tran_id: str
    val_id: str
    amount: Decimal | None
    currency: str
    store_amount: Decimal | None
    bank_tran_id: str
    risk_level: int
    risk_title: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def is_valid(self) -> bool:
        return self.status in SETTLED_STATUSES


@dataclass(frozen=True, kw_only=True)
class TransactionRecord(ValidationResult):
    """One attempt listed by the transaction query, with its date."""

    tran_date: str


@dataclass(frozen=True)
class RefundResult:
    status: str
    refund_ref_id: str
    bank_tran_id: str
    trans_id: str
    error_reason: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def is_failed(self) -> bool:
        return self.status.lower() == "failed"


def pick_settled(records: Iterable[TransactionRecord]) -> TransactionRecord | None:
    """Return the VALID/VALIDATED attempt among a tran_id's records, or None."""
    for record in records:
        if record.is_valid:
            return record
    return None


# --------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal | float):
        return str(value)
    return ""


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return number if number.is_finite() else None


def _risk_level(value: Any) -> int:
    """Parse risk_level; an unknown or garbled value counts as risky (1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 1


def _record_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": _text(raw.get("status")).upper(),
        "tran_id": _text(raw.get("tran_id")),
        "val_id": _text(raw.get("val_id")),
        "amount": _decimal(raw.get("amount")),
        "currency": _text(raw.get("currency")),
        "store_amount": _decimal(raw.get("store_amount")),
        "bank_tran_id": _text(raw.get("bank_tran_id")),
        "risk_level": _risk_level(raw.get("risk_level")),
        "risk_title": _text(raw.get("risk_title")),
    }


def _refund_result(raw: dict[str, Any]) -> RefundResult:
    return RefundResult(
        status=_text(raw.get("status")).lower(),
        refund_ref_id=_text(raw.get("refund_ref_id")),
        bank_tran_id=_text(raw.get("bank_tran_id")),
        trans_id=_text(raw.get("trans_id")),
        error_reason=_text(raw.get("errorReason")),
        raw=raw,
    )


def _money(name: str, amount: Decimal, *, low: Decimal | None, high: Decimal | None) -> str:
    """Check a money amount and format it with exactly two decimals."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount")
    if value != value.quantize(_CENT):
        raise ValueError(f"{name} has more than two decimal places: {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} {value} is below the minimum {low}")
    if high is not None and value > high:
        raise ValueError(f"{name} {value} is above the maximum {high}")
    return f"{value.quantize(_CENT):f}"


def _required_text(name: str, value: Any, *, max_length: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is required")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value


def _optional_text(name: str, value: Any, *, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value


# --------------------------------------------------------------------------------------
# Log redaction for urllib3 (it logs request lines, query string included, at DEBUG)
# --------------------------------------------------------------------------------------


class _RedactStorePasswdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _STORE_PASSWD_RE.sub(r"\1***", record.msg)
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _STORE_PASSWD_RE.sub(r"\1***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


_URLLIB3_FILTER = _RedactStorePasswdFilter()
logging.getLogger("urllib3.connectionpool").addFilter(_URLLIB3_FILTER)


# --------------------------------------------------------------------------------------
# Client
# --------------------------------------------------------------------------------------


class SSLCommerzClient:
    """HTTP client for one SSLCommerz store. All state lives on the instance.

    ``read_retries`` is the number of *additional* attempts for read-only calls
    (validation, transaction query, refund query): up to ``1 + read_retries`` requests,
    sleeping ``backoff * 2**attempt`` seconds between them. ``timeout`` applies to the
    connection and to each read. The client owns (and :meth:`close` closes) its
    ``requests.Session`` unless one is passed in.
    """

    def __init__(
        self,
        base_url: str,
        store_id: str,
        store_password: str,
        *,
        timeout: float = 10.0,
        read_retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        if not isinstance(store_id, str) or not store_id:
            raise ValueError("store_id is required")
        if not isinstance(store_password, str) or not store_password:
            raise ValueError("store_password is required")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if read_retries < 0:
            raise ValueError("read_retries must be >= 0")
        if backoff < 0:
            raise ValueError("backoff must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.store_id = store_id
        self._store_password = store_password
        self.timeout = float(timeout)
        self.read_retries = int(read_retries)
        self.backoff = float(backoff)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._secrets = tuple(
            sorted(
                {
                    store_password,
                    quote_plus(store_password),
                    quote(store_password),
                    quote(store_password, safe=""),
                },
                key=len,
                reverse=True,
            )
        )

    def __repr__(self) -> str:
        return f"<SSLCommerzClient base_url={self.base_url!r} store_id={self.store_id!r}>"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> SSLCommerzClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- public API

    def create_session(
        self,
        *,
        tran_id: str,
        total_amount: Decimal,
        currency: str = "BDT",
        success_url: str,
        fail_url: str,
        cancel_url: str,
        ipn_url: str,
        cus_name: str,
        cus_email: str,
        cus_phone: str,
        cus_add1: str,
        cus_city: str,
        cus_postcode: str = "",
        cus_country: str = "Bangladesh",
        product_name: str,
        product_category: str,
        num_of_item: int = 1,
        value_a: str = "",
        value_b: str = "",
        value_c: str = "",
        value_d: str = "",
    ) -> SessionResult:
        """Open a checkout session. Never retried: a timeout leaves the outcome unknown.

        Raises ValueError/TypeError before any request on bad input,
        GatewayRejected on a FAILED answer (``exc.result`` holds the SessionResult),
        GatewayUnavailable when there is no usable answer.
        """
        amount = _money("total_amount", total_amount, low=MIN_AMOUNT, high=MAX_AMOUNT)
        _required_text("tran_id", tran_id, max_length=MAX_TRAN_ID_LENGTH)
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            raise ValueError("currency must be a three-letter code")
        if isinstance(num_of_item, bool) or not isinstance(num_of_item, int) or num_of_item < 1:
            raise ValueError("num_of_item must be a positive integer")
        form: dict[str, str] = {
            "store_id": self.store_id,
            "store_passwd": self._store_password,
            "tran_id": tran_id,
            "total_amount": amount,
            "currency": currency.upper(),
            "shipping_method": "NO",
            "product_profile": "non-physical-goods",
            "num_of_item": str(num_of_item),
        }
        required = {
            "success_url": success_url,
            "fail_url": fail_url,
            "cancel_url": cancel_url,
            "ipn_url": ipn_url,
            "cus_name": cus_name,
            "cus_email": cus_email,
            "cus_phone": cus_phone,
            "cus_add1": cus_add1,
            "cus_city": cus_city,
            "cus_country": cus_country,
            "product_name": product_name,
            "product_category": product_category,
        }
        for name, value in required.items():
            form[name] = _required_text(name, value)
        form["cus_postcode"] = _optional_text("cus_postcode", cus_postcode)
        for name, value in (
            ("value_a", value_a),
            ("value_b", value_b),
            ("value_c", value_c),
            ("value_d", value_d),
        ):
            form[name] = _optional_text(name, value, max_length=MAX_VALUE_FIELD_LENGTH)

        raw = self._request_json("POST", SESSION_PATH, form, retry=False)
        status = _text(raw.get("status")).upper()
        result = SessionResult(
            status=status,
            sessionkey=_text(raw.get("sessionkey")),
            gateway_url=_text(raw.get("GatewayPageURL")),
            failed_reason=_text(raw.get("failedreason")),
            raw=raw,
        )
        if status == "FAILED":
            reason = result.failed_reason or "no reason given"
            raise GatewayRejected(
                self._clean(f"SSLCommerz refused the session for {tran_id}: {reason}"),
                result=result,
            )
        if status != "SUCCESS" or not result.gateway_url:
            raise GatewayError(
                self._clean(
                    f"SSLCommerz session answer for {tran_id} is unusable "
                    f"(status {status or 'missing'!r}, GatewayPageURL "
                    f"{'present' if result.gateway_url else 'missing'})"
                )
            )
        return result

    def validate(self, val_id: str) -> ValidationResult:
        """Ask the Order Validation API about ``val_id``. Retried.

        An answer such as INVALID_TRANSACTION is returned (``is_valid`` is False);
        the caller still has to compare tran_id, currency and amount with its record.
        """
        _required_text("val_id", val_id)
        raw = self._request_json(
            "GET",
            VALIDATION_PATH,
            self._auth({"val_id": val_id}),
            retry=True,
        )
        self._check_api_connect(raw, "validation")
        return ValidationResult(**_record_fields(raw), raw=raw)

    def query_transaction(self, tran_id: str) -> list[TransactionRecord]:
        """All attempts the gateway knows for ``tran_id`` (see :func:`pick_settled`)."""
        _required_text("tran_id", tran_id, max_length=MAX_TRAN_ID_LENGTH)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth({"tran_id": tran_id}),
            retry=True,
        )
        self._check_api_connect(raw, "transaction query")
        elements = raw.get("element")
        if elements is None:
            return []
        if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
            raise GatewayUnavailable("SSLCommerz transaction query answer is malformed")
        return [
            TransactionRecord(
                **_record_fields(element),
                tran_date=_text(element.get("tran_date")),
                raw=element,
            )
            for element in elements
        ]

    def initiate_refund(
        self,
        *,
        bank_tran_id: str,
        refund_amount: Decimal,
        refund_remarks: str,
        refund_trans_id: str,
    ) -> RefundResult:
        """Ask for a refund. Not retried (it creates state at the gateway).

        Returns the answer for status success/processing; raises GatewayRejected when
        the gateway answers failed (``exc.result`` holds the RefundResult).
        """
        amount = _money("refund_amount", refund_amount, low=_CENT, high=MAX_AMOUNT)
        _required_text("bank_tran_id", bank_tran_id)
        _required_text("refund_remarks", refund_remarks, max_length=MAX_VALUE_FIELD_LENGTH)
        _required_text("refund_trans_id", refund_trans_id, max_length=MAX_TRAN_ID_LENGTH)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth(
                {
                    "bank_tran_id": bank_tran_id,
                    "refund_amount": amount,
                    "refund_remarks": refund_remarks,
                    "refund_trans_id": refund_trans_id,
                }
            ),
            retry=False,
        )
        self._check_api_connect(raw, "refund")
        result = _refund_result(raw)
        if result.status == "failed":
            reason = result.error_reason or "no reason given"
            raise GatewayRejected(
                self._clean(f"SSLCommerz refused the refund {refund_trans_id}: {reason}"),
                result=result,
            )
        if result.status not in {"success", "processing"}:
            raise GatewayError(
                self._clean(
                    f"SSLCommerz refund answer for {refund_trans_id} has unexpected "
                    f"status {result.status or 'missing'!r}"
                )
            )
        return result

    def query_refund(self, refund_ref_id: str) -> RefundResult:
        """Status of a refund by the gateway's refund_ref_id. Retried."""
        _required_text("refund_ref_id", refund_ref_id)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth({"refund_ref_id": refund_ref_id}),
            retry=True,
        )
        self._check_api_connect(raw, "refund query")
        return _refund_result(raw)

    # ---------------------------------------------------------------- internals

    def _auth(self, params: dict[str, str]) -> dict[str, str]:
        return {
            **params,
            "store_id": self.store_id,
            "store_passwd": self._store_password,
            "format": "json",
        }

    def _clean(self, text: str) -> str:
        """Remove the store password (raw or URL-encoded) from ``text``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = _STORE_PASSWD_RE.sub(r"\1***", text)
        if len(text) > _MAX_REASON_CHARS * 2:
            text = text[: _MAX_REASON_CHARS * 2] + "…"
        return text

    def _check_api_connect(self, raw: Mapping[str, Any], what: str) -> None:
        api_connect = _text(raw.get("APIConnect")).upper()
        if api_connect and api_connect != "DONE":
            reason = _text(raw.get("errorReason")) or _text(raw.get("failedreason"))
            message = f"SSLCommerz {what} refused: APIConnect={api_connect}"
            if reason:
                message += f" ({reason[:_MAX_REASON_CHARS]})"
            raise GatewayRejected(self._clean(message))

    def _request_json(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        *,
        retry: bool,
    ) -> dict[str, Any]:
        attempts = 1 + (self.read_retries if retry else 0)
        last_problem = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return self._request_once(method, path, params)
            except _Retryable as problem:
                last_problem = str(problem)
                if attempt + 1 < attempts:
                    logger.warning(
                        "SSLCommerz %s %s attempt %d/%d failed: %s; retrying",
                        method,
                        path,
                        attempt + 1,
                        attempts,
                        last_problem,
                    )
        suffix = f" after {attempts} attempts" if attempts > 1 else ""
        raise GatewayUnavailable(f"SSLCommerz {path} unavailable{suffix}: {last_problem}")

    def _request_once(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        try:
            if method == "POST":
                response = self._session.post(
                    url, data=params, headers=headers, timeout=self.timeout, allow_redirects=False
                )
            else:
                response = self._session.get(
                    url,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
        except requests.Timeout as exc:
            # `from None`: the requests exception carries the URL with store_passwd.
            raise _Retryable(self._clean(f"timeout ({type(exc).__name__})")) from None
        except requests.RequestException as exc:
            raise _Retryable(self._clean(f"{type(exc).__name__}: {exc}")) from None

        try:
            status = response.status_code
            body = response.content
        except requests.RequestException as exc:  # body cut off mid-read
            raise _Retryable(self._clean(f"{type(exc).__name__}: {exc}")) from None
        finally:
            response.close()

        if status >= 500:
            raise _Retryable(f"HTTP {status}")
        if status != 200:
            raise GatewayError(f"SSLCommerz {path} answered HTTP {status}", status_code=status)
        if not body.strip():
            raise _Retryable("empty answer")
        try:
            data = json.loads(body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise _Retryable("answer is not JSON") from None
        if not isinstance(data, dict):
            raise _Retryable("answer is not a JSON object")
        return data


class _Retryable(Exception):
    """Internal: a failure that may go away on another attempt (already redacted)."""
