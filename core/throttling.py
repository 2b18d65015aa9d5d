"""REST API throttles that fail open: when the cache is down the request goes through
(logged) instead of answering 500. Throttling only slows callers down; the API's own
permissions still apply, so letting a request through for a minute is harmless."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rest_framework import throttling

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    _ThrottleBase = throttling.BaseThrottle
else:
    _ThrottleBase = object

log = logging.getLogger(__name__)


class _FailOpen(_ThrottleBase):
    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - whatever the cache client raised
            log.warning(
                "%s: cache unavailable (%s: %s); request allowed",
                type(self).__name__,
                type(exc).__name__,
                exc,
            )
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_FailOpen, throttling.ScopedRateThrottle):
    pass
