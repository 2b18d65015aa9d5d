"""Errors of the SSLCommerz client: GatewayError, GatewayUnavailable, GatewayRejected."""

from __future__ import annotations

from typing import Any


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


class Retryable(Exception):
    """Internal: a failure that may go away on another attempt (already redacted)."""
