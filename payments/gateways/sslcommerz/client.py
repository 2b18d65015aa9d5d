"""SSLCommerzClient: one store's client, the session, validation and refund calls together."""

from __future__ import annotations

from .refunds import RefundCalls
from .session import SessionCalls
from .validation import ValidationCalls


class SSLCommerzClient(SessionCalls, ValidationCalls, RefundCalls):
    """HTTP client for one SSLCommerz store. All state lives on the instance.

    ``read_retries`` is the number of *additional* attempts for read-only calls
    (validation, transaction query, refund query): up to ``1 + read_retries`` requests,
    sleeping ``backoff * 2**attempt`` seconds between them. ``timeout`` applies to the
    connection and to each read. The client owns (and :meth:`close` closes) its
    ``requests.Session`` unless one is passed in.
    """
