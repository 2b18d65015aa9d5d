"""Payment gateways. `get_client()` builds the SSLCommerz client from settings."""

import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
import requests.adapters
from django.conf import settings

from .sslcommerz import SSLCommerzClient

_local = threading.local()


def _http_session() -> requests.Session:
    """One keep-alive HTTP session per thread (no cookies kept): a notification's validation
    call reuses the open connection instead of dialling the gateway again.

    The environment is not consulted per call (``trust_env`` off: requests would otherwise
    look up proxy variables, the system's proxy bypass list and ~/.netrc on every request,
    about 2 ms each); a proxy, when the servers need one, is set once from
    ``SSLCOMMERZ_PROXY``."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=2)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        proxy = getattr(settings, "SSLCOMMERZ_PROXY", "")
        if proxy:
            session.proxies = {"http": proxy, "https": proxy}
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
