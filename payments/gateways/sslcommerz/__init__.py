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
The store password never appears in exception messages or in this package's log output
(urllib3's request lines included).

This package does not touch Django settings; callers construct the client with the values
they read from their own configuration.

Modules, by topic: :mod:`.protocol` (paths and limits), :mod:`.errors`,
:mod:`.signature` (IPN signatures), :mod:`.session` (checkout sessions),
:mod:`.validation` (validation and transaction query), :mod:`.refunds`,
:mod:`.fields` (field parsing and checks), :mod:`.transport` (HTTP plumbing) and
:mod:`.client` (:class:`SSLCommerzClient`). Import from this package, not from them.
"""

from .client import SSLCommerzClient
from .errors import GatewayError, GatewayRejected, GatewayUnavailable
from .protocol import (
    MAX_AMOUNT,
    MAX_TRAN_ID_LENGTH,
    MAX_VALUE_FIELD_LENGTH,
    MERCHANT_TRANS_PATH,
    MIN_AMOUNT,
    REQUIRED_SIGNED_KEYS,
    SESSION_PATH,
    SETTLED_STATUSES,
    VALIDATION_PATH,
)
from .refunds import RefundResult
from .session import SessionResult
from .signature import sign_ipn_payload, verify_ipn_signature
from .validation import TransactionRecord, ValidationResult, pick_settled

__all__ = [
    "GatewayError",
    "GatewayRejected",
    "GatewayUnavailable",
    "MAX_AMOUNT",
    "MAX_TRAN_ID_LENGTH",
    "MAX_VALUE_FIELD_LENGTH",
    "MERCHANT_TRANS_PATH",
    "MIN_AMOUNT",
    "REQUIRED_SIGNED_KEYS",
    "RefundResult",
    "SESSION_PATH",
    "SETTLED_STATUSES",
    "SSLCommerzClient",
    "SessionResult",
    "TransactionRecord",
    "VALIDATION_PATH",
    "ValidationResult",
    "pick_settled",
    "sign_ipn_payload",
    "verify_ipn_signature",
]
