"""Keeps the current request reachable (for the audit log) without passing it everywhere."""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("current_request", default=None)


def current_request():
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        valid = {c for c, _label in settings.LANGUAGES}
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in valid:
            code = self.preferred_language(request)
        if code not in valid:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def preferred_language(request) -> str | None:
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
