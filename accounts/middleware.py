"""Staff sessions end after a few idle hours (shared counter machines); citizens keep the
long session (SESSION_COOKIE_AGE)."""

from __future__ import annotations

import time

from django.conf import settings

from core.roles import signs_in_as_staff

# The session key that marks a staff session, and when its expiry was last pushed forward
# (at most once a minute, so a busy clerk's session is not written on every request).
STAFF_SESSION_KEY = "_staff_idle_refreshed"
REFRESH_EVERY = 60


def is_staff_session_user(user) -> bool:
    """Accounts with a password sign in as staff (accounts.stages); administrators too."""
    return signs_in_as_staff(user)


def start_staff_session(request, user) -> None:
    """At sign-in (accounts.signals): a staff member's session gets the short idle expiry."""
    if request is not None and hasattr(request, "session") and is_staff_session_user(user):
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        request.session[STAFF_SESSION_KEY] = int(time.time())


class StaffSessionExpiryMiddleware:
    """A staff session expires STAFF_SESSION_IDLE_SECONDS after its last request (the
    session row and the cookie): each request pushes the expiry forward."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None:
            refreshed = session.get(STAFF_SESSION_KEY)
            now = int(time.time())
            if refreshed is not None and now - refreshed >= REFRESH_EVERY:
                session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
                session[STAFF_SESSION_KEY] = now
        return response
