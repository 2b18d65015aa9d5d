"""The Content-Security-Policy header on every response (Django 5.2 has none built in).

Scripts come only from this site (static/js/*.js; no inline script or on…= handlers in any
template — tests/core/test_security_headers.py scans them), nothing may frame the portal,
and forms post only to this site and to the payment gateway (checkout redirects there).

style-src also allows 'unsafe-inline': templates carry a few style="…" attributes (spacing,
a balance cell's colour), the gateway simulator has its own <style>, and Swagger UI (the
staff API docs) sets inline styles. Inline styles cannot run code; scripts stay strict.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    form_action = ["'self'"]
    gateway = _origin(getattr(settings, "SSLCOMMERZ_BASE_URL", ""))
    if gateway:
        form_action.append(gateway)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # style="…" only; see the module doc
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": form_action,
    }
    extra = getattr(settings, "CONTENT_SECURITY_POLICY_EXTRA", {}) or {}
    for name, sources in extra.items():
        directives.setdefault(name, []).extend(sources)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = content_security_policy()
        return response
