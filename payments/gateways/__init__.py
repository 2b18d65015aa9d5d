"""Payment gateways. `get_client()` builds the SSLCommerz client from settings."""

import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from django.conf import settings

from .sslcommerz import SSLCommerzClient

_local = threading.local()


def _http_session() -> requests.Session:
    """One keep-alive HTTP session per thread (no cookies kept): a notification's validation
    call reuses the open connection instead of dialling the gateway again."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        _local.session = session
    return session


def get_client(**kwargs: Any) -> SSLCommerzClient:
    kwargs.setdefault("session", _http_session())
    return SSLCommerzClient(
        base_url=settings.SSLCOMMERZ_BASE_URL,
        store_id=settings.SSLCOMMERZ_STORE_ID,
        store_password=settings.SSLCOMMERZ_STORE_PASSWORD,
        **kwargs,
    )
