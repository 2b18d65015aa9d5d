"""Degrade, don't fail: a request that runs into a busy database or an unavailable cache
gets a short "try again in a moment" answer with status 503 (and Retry-After), never a 500.

- The database: a lock wait or a statement cut short by PostgreSQL's lock_timeout /
  statement_timeout (core.db), or SQLite's busy timeout → "The system is busy, please try
  again in a moment."
- The cache (Redis): a rate limit that fails closed (core.ratelimit.RateLimitUnavailable)
  or any Redis error that reaches the view (allauth's sign-in rate limits, holding link
  codes) → "Sign-in is unavailable for a moment …" on the sign-in pages, "This is
  unavailable for a moment …" elsewhere. Nothing is let through: the request stops.

Pages get templates/busy.html; /api/ paths get JSON {"detail": …, "code": "busy" |
"unavailable"}. Installed near the end of MIDDLEWARE so its process_exception runs first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from .db import is_busy_error
from .ratelimit import RateLimitUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
SIGN_IN_PREFIXES = (
    "/accounts/login",
    "/accounts/signup",
    "/accounts/password",
    "/accounts/phone",
    "/accounts/reauthenticate",
    "/admin/login",
)


def _is_cache_error(exc: BaseException) -> bool:
    if isinstance(exc, RateLimitUnavailable):
        return True
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, redis.exceptions.RedisError)


def classify(request: HttpRequest, exc: BaseException) -> tuple[str, str] | None:
    """(code, message) for an error this module answers, None for any other."""
    if is_busy_error(exc):
        return "busy", _("The system is busy, please try again in a moment.")
    if _is_cache_error(exc):
        if request.path.startswith(SIGN_IN_PREFIXES):
            return "unavailable", _(
                "Sign-in is unavailable for a moment. Please try again in a minute."
            )
        return "unavailable", _("This is unavailable for a moment. Please try again in a minute.")
    return None


def busy_response(request: HttpRequest, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": code}, status=503)
    else:
        try:
            html: str = render_to_string(
                "busy.html", {"message": message, "code": code}, request=request
            )
        except Exception:  # noqa: BLE001 - the page must not need what is failing
            html = (
                f'<!doctype html><html><head><meta charset="utf-8"><title>'
                f"{escape(message)}</title></head><body><p>{escape(message)}</p>"
                f"</body></html>"
            )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class BusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        found = classify(request, exception)
        if found is None:
            return None
        code, message = found
        log.warning(
            "%s %s answered 503 (%s): %s: %s",
            request.method,
            request.path,
            code,
            type(exception).__name__,
            exception,
        )
        return busy_response(request, code, message)
