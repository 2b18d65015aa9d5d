"""A simple counter in the cache: at most `limit` hits per key in a window.

The cache (Redis in production) can be down or slow. Each caller decides what that means:

- `fail_closed=False` (the default), for limits whose only purpose is to slow down
  harmless look-ups (quick pay, the public licence search): the error is logged and the
  hit is allowed.
- `fail_closed=True`, for limits that protect something (sign-in, linking a holding by NID
  or one-time code, SMS sends): the error is logged and `RateLimitUnavailable` is raised.
  A view may catch it and say so in its own words; if it does not, core.busy's middleware
  answers 503 with "… is unavailable for a moment, try again in a minute" (JSON under
  /api/) instead of a 500.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


class RateLimitUnavailable(Exception):  # noqa: N818 - a state, not an "Error"
    """The rate-limit counter could not be read or written (the cache is unavailable)."""


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def over_limit(key: str, limit: int, window: int, *, fail_closed: bool = False) -> bool:
    """Count one more hit under `key`; True once there are more than `limit` in the window.

    When the cache fails: False (`fail_closed=False`) or `RateLimitUnavailable`
    (`fail_closed=True`); the failure is logged either way."""
    try:
        count = _count(key, window)
    except Exception as exc:  # noqa: BLE001 - whatever the cache client raised
        log.warning(
            "rate limit %s: cache unavailable (%s: %s); failing %s",
            key,
            type(exc).__name__,
            exc,
            "closed" if fail_closed else "open",
        )
        if fail_closed:
            raise RateLimitUnavailable(key) from exc
        return False
    return count > limit
