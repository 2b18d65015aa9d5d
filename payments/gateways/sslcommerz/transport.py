"""HTTP plumbing of the SSLCommerz client: timeouts, retries, JSON answers, password redaction."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Self
from urllib.parse import quote, quote_plus

import requests

from . import fields
from .errors import GatewayError, GatewayRejected, GatewayUnavailable, Retryable
from .protocol import MAX_REASON_CHARS, STORE_PASSWD_RE

logger = logging.getLogger(__package__)


# urllib3 logs request lines, query string included, at DEBUG: redact store_passwd there.


class _RedactStorePasswdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = STORE_PASSWD_RE.sub(r"\1***", record.msg)
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                STORE_PASSWD_RE.sub(r"\1***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


_URLLIB3_FILTER = _RedactStorePasswdFilter()
logging.getLogger("urllib3.connectionpool").addFilter(_URLLIB3_FILTER)


class Transport:
    """Credentials, HTTP session and request plumbing shared by the client's API calls.

    The constructor's arguments are described on :class:`.client.SSLCommerzClient`.
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
        return f"<{type(self).__name__} base_url={self.base_url!r} store_id={self.store_id!r}>"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
        text = STORE_PASSWD_RE.sub(r"\1***", text)
        if len(text) > MAX_REASON_CHARS * 2:
            text = text[: MAX_REASON_CHARS * 2] + "…"
        return text

    def _check_api_connect(self, raw: Mapping[str, Any], what: str) -> None:
        api_connect = fields.text(raw.get("APIConnect")).upper()
        if api_connect and api_connect != "DONE":
            reason = fields.text(raw.get("errorReason")) or fields.text(raw.get("failedreason"))
            message = f"SSLCommerz {what} refused: APIConnect={api_connect}"
            if reason:
                message += f" ({reason[:MAX_REASON_CHARS]})"
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
            except Retryable as problem:
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
            raise Retryable(self._clean(f"timeout ({type(exc).__name__})")) from None
        except requests.RequestException as exc:
            raise Retryable(self._clean(f"{type(exc).__name__}: {exc}")) from None

        try:
            status = response.status_code
            body = response.content
        except requests.RequestException as exc:  # body cut off mid-read
            raise Retryable(self._clean(f"{type(exc).__name__}: {exc}")) from None
        finally:
            response.close()

        if status >= 500:
            raise Retryable(f"HTTP {status}")
        if status != 200:
            raise GatewayError(f"SSLCommerz {path} answered HTTP {status}", status_code=status)
        if not body.strip():
            raise Retryable("empty answer")
        try:
            data = json.loads(body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise Retryable("answer is not JSON") from None
        if not isinstance(data, dict):
            raise Retryable("answer is not a JSON object")
        return data
