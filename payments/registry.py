"""What each service says about its bills, read from its portal declaration (core.portal):
what happens when one is paid, reopened or cancelled, its name on receipts, and where the
page of a bill's subject is. Payments
never imports a service app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from core.portal import ServiceSpec, spec_for

if TYPE_CHECKING:
    from .models import Bill


class UnknownService(ValueError):
    """A bill for a service key that no installed app declared (or that bills nothing)."""


def billing_service(key: str) -> ServiceSpec:
    """The declaration of a service that bills; UnknownService otherwise."""
    spec = spec_for(key)
    if spec is None or not spec.bills:
        raise UnknownService(f"No installed app declares the billing service {key!r}.")
    return spec


def service_label(key: str) -> str | Promise:
    """The service's name for receipts and pages (the key itself for an old bill of a
    service no longer installed)."""
    spec = spec_for(key)
    return spec.title if spec else key


def run_hook(bill: Bill, event: str) -> None:
    """Call the declaring service's `on_paid`, `on_reopened` or `on_cancelled` for a bill
    (nothing for a service no longer installed)."""
    spec = spec_for(bill.service)
    hook = getattr(spec, f"on_{event}", None) if spec else None
    if hook is not None:
        hook(bill)


def subject_links(bills: Iterable[Bill]) -> list[tuple[str, str | Promise]]:
    """(URL, words) of the pages of the bills' subjects that their services declare (the
    licence a fee bill is for), each once, in the bills' order."""
    links: list[tuple[str, str | Promise]] = []
    for bill in bills:
        spec = spec_for(bill.service)
        url = spec.subject_url(bill) if spec is not None and spec.subject_url else ""
        if spec is not None and url and all(url != seen for seen, _words in links):
            links.append((url, spec.subject_link or spec.title))
    return links
