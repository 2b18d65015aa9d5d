"""Keeps the current request reachable (for the audit log) without passing it everywhere."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


class LanguageMiddleware:
    """Bengali unless the visitor chose otherwise: the language cookie set by the switch
    or, without one, the signed-in user's preferred language (from the profile).

    The browser's Accept-Language is deliberately ignored: most phones in Bangladesh
    announce English, yet the portal is Bengali first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        valid = {c for c, _label in settings.LANGUAGES}
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in valid:
            code = self.preferred_language(request) or ""
        if code not in valid:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def preferred_language(request: HttpRequest) -> str | None:
        """The signed-in user's preferred language, when the session has a user.

        This runs before AuthenticationMiddleware, so the user is loaded here and left in
        the cache that middleware reads: no second query.
        """
        from django.contrib.auth import SESSION_KEY
        from django.contrib.auth.middleware import get_user

        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return None
        user = get_user(request)  # caches request._cached_user
        if not user.is_authenticated:
            return None
        return getattr(user, "preferred_language", None) or None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul(request: HttpRequest) -> HttpResponseBadRequest:
    """A plain 400, in the language of the visitor's cookie (this runs before
    LanguageMiddleware)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code not in {c for c, _label in settings.LANGUAGES}:
        code = settings.LANGUAGE_CODE
    with translation.override(code):
        message = _("Bad request: the address or a form field contains a NUL character.")
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class RejectMalformedInputMiddleware:
    """Answers a plain 400 to a request with a NUL character wherever a view would read it
    — the path, the query string (raw or as %00), form field names and values, uploaded
    file names, a JSON body (\\u0000) — so that it never reaches PostgreSQL (which cannot
    store it) as a 500. Other malformed path parameters (invalid UTF-8, numbers too big for
    the database) already answer 404 through Django's URL converters and lookups.

    Views that check their own form fields and record what they refuse (the gateway
    callbacks) carry `checks_own_form = True`: their body is left to them (the path and
    the query are still checked here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from urllib.parse import unquote_plus

        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote_plus(query):
            return _refuse_nul(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if getattr(view_func, "checks_own_form", False):
            return None
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        content_type = request.content_type or ""
        if content_type in _FORM_TYPES:
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
                    return _refuse_nul(request)
            for upload in request.FILES.values():
                if not isinstance(upload, list) and "\x00" in (upload.name or ""):
                    return _refuse_nul(request)
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return _refuse_nul(request)
        return None
