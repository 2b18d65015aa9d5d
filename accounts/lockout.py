"""Sign-in back-off that a stranger cannot use to lock someone else out.

Attempts (code requests, wrong staff passwords) are counted per mobile number *and*
client address. The first few are free; after that each further attempt from that address
for that number must wait 1, 2, 4, 8 … minutes (at most a day). Someone hammering a
clerk's number from their own address slows only themselves: the clerk, at the counter's
address, signs in as usual. No captcha.

A larger cap per number over all addresses (core.ratelimit) is the safety net against a
flood of text messages from many addresses.

When the cache cannot be reached these checks fail closed: `LockoutUnavailable`, which
the sign-in forms turn into a "try again in a minute" message.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.audit import client_ip
from core.ratelimit import over_limit

log = logging.getLogger(__name__)

MAX_WAIT = 24 * 3600


class LockoutUnavailable(Exception):  # noqa: N818 - a state, not an "Error"
    """The back-off counters could not be read or written (the cache is unavailable)."""


@dataclass(frozen=True)
class Backoff:
    """`free` attempts per (number, address) in `window` seconds, then a growing wait."""

    kind: str
    free: int
    window: int = 24 * 3600

    def _keys(self, mobile: str, ip: str | None) -> tuple[str, str]:
        raw = f"{mobile}|{ip or '-'}".encode()
        digest = hashlib.sha256(raw).hexdigest()[:32]
        return f"signin:{self.kind}:n:{digest}", f"signin:{self.kind}:until:{digest}"

    def wait_seconds(self, mobile: str, ip: str | None) -> int:
        """Seconds this address must still wait before its next attempt for this number."""
        _count_key, until_key = self._keys(mobile, ip)
        try:
            until = cache.get(until_key)
        except Exception as exc:  # noqa: BLE001 - whatever the cache client raised
            log.warning("sign-in back-off %s: cache unavailable (%s)", self.kind, exc)
            raise LockoutUnavailable(self.kind) from exc
        if not until:
            return 0
        return max(0, math.ceil(until - time.time()))

    def record(self, mobile: str, ip: str | None) -> int:
        """Count one attempt; return the wait (seconds) it starts, 0 while attempts are free."""
        count_key, until_key = self._keys(mobile, ip)
        try:
            cache.add(count_key, 0, self.window)
            try:
                count = cache.incr(count_key)
            except ValueError:  # expired between add and incr
                cache.set(count_key, 1, self.window)
                count = 1
            if count < self.free:
                return 0
            wait = min(MAX_WAIT, 60 * 2 ** min(count - self.free, 20))
            cache.set(until_key, time.time() + wait, wait)
            return wait
        except Exception as exc:  # noqa: BLE001
            log.warning("sign-in back-off %s: cache unavailable (%s)", self.kind, exc)
            raise LockoutUnavailable(self.kind) from exc

    def clear(self, mobile: str, ip: str | None) -> None:
        """A successful sign-in from this address forgets its attempts for this number."""
        try:
            cache.delete_many(list(self._keys(mobile, ip)))
        except Exception as exc:  # noqa: BLE001 - nothing to protect by failing here
            log.warning("sign-in back-off %s: could not clear (%s)", self.kind, exc)


# Asking for a sign-in code: three in a row are free (a lost SMS, a retry), then 1, 2, 4 …
# minutes between requests from the same address for the same number.
CODE_REQUESTS = Backoff("code", free=getattr(settings, "SIGNIN_FREE_CODE_REQUESTS", 3))
# Wrong staff passwords (asked only after the one-time code): five free, then the wait.
PASSWORD_FAILURES = Backoff("password", free=getattr(settings, "SIGNIN_FREE_PASSWORD_FAILURES", 5))


def number_over_global_cap(mobile: str) -> bool:
    """The safety net: code requests for one number over all addresses, per hour."""
    limit = getattr(settings, "SIGNIN_CODE_REQUESTS_PER_NUMBER_HOUR", 20)
    try:
        return over_limit(f"signin:code:number:{mobile}", limit, 3600, fail_closed=True)
    except Exception as exc:  # noqa: BLE001 - core.ratelimit may fail closed
        raise LockoutUnavailable("code") from exc


def request_ip(request) -> str | None:
    return client_ip(request)
