"""What each service says about its bills. Filled in each service app's AppConfig.ready();
payments calls it and never imports a service app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class ServiceHooks:
    key: str
    label: str | Promise
    on_paid: Callable[[object], None] | None = None  # receives the Bill, inside the txn
    on_reopened: Callable[[object], None] | None = None  # a void put the bill back to open
    on_cancelled: Callable[[object], None] | None = None
    subject_url: Callable[[object], str] | None = None  # the bill's subject page, if any


_services: dict[str, ServiceHooks] = {}


def register(hooks: ServiceHooks) -> None:
    _services[hooks.key] = hooks


def hooks_for(service: str) -> ServiceHooks:
    return _services.get(service) or ServiceHooks(key=service, label=service)


def registered() -> dict[str, ServiceHooks]:
    return dict(_services)
