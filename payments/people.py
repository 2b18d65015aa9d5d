"""Whose cached figures a write for some bills changes (core.citizen_cache): the bills'
subjects', their payers', the payment's, and those of the accounts each bill's service
names for its subject (core.portal.ServiceSpec.subject_users). When a service cannot tell,
nobody is named and the write drops everyone's figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from core import citizen_cache, portal

from .models import Bill, Payment

F = TypeVar("F", bound=Callable[..., Any])


def subject(bill: Bill) -> str:
    """The name of a bill's subject in the citizens' cache (core.citizen_cache): what a
    page about that subject keys its figures by."""
    return f"{bill.service}:{bill.subject_type}:{bill.subject_id}"


def of_bills(bills: Sequence[Bill]) -> set[int] | None:
    """The accounts that see these bills, or None when a service cannot tell."""
    people: set[int] = set()
    by_service: dict[str, list[Bill]] = defaultdict(list)
    for bill in bills:
        by_service[bill.service].append(bill)
        if bill.payer_id is not None:
            people.add(bill.payer_id)
    for service, some in by_service.items():
        spec = portal.spec_for(service)
        named = spec.subject_users(some) if spec and spec.subject_users else None
        if named is None:
            return None
        people |= set(named)
    return people


@contextmanager
def scoped_to_bills(bills: Sequence[Bill], *also: Any) -> Iterator[None]:
    """Writes inside drop the cached figures of these bills' people (and of `also`'s user
    ids) only — or everyone's, when a bill's service cannot name its people."""
    people = of_bills(bills)
    if people is None:  # everyone's, even inside another scope
        with citizen_cache.everyone():
            yield
        return
    with citizen_cache.scoped_to(people | set(also), [subject(bill) for bill in bills]):
        yield


@contextmanager
def scoped_to_payment(payment: Payment) -> Iterator[None]:
    """As scoped_to_bills, for the bills of a payment and its payer."""
    bills = list(Bill.objects.filter(payment_items__payment=payment))
    with scoped_to_bills(bills, payment.payer_id):
        yield


def scoped(bills_of: Callable[..., Sequence[Bill]], payer: str = "payer") -> Callable[[F], F]:
    """A service function whose writes concern the people of `bills_of(**its keyword
    arguments)` (an unsaved Bill names a subject and payer before the bill exists) and its
    `payer` keyword argument's."""

    def decorate(func: F) -> F:
        @wraps(func)
        def scoped_call(*args: Any, **kwargs: Any) -> Any:
            also = getattr(kwargs.get(payer), "pk", None)
            with scoped_to_bills(bills_of(**kwargs), also):
                return func(*args, **kwargs)

        return scoped_call  # type: ignore[return-value]

    return decorate
