"""Helpers shared by the counter and revenue officer pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages

from .models import CounterSession, Payment, PaymentEvent
from .services import PaymentError

# --- helpers ----------------------------------------------------------------------------


def refused(request, generic: str, exc: PaymentError) -> None:
    """Show a refusal: a translated generic sentence with the reason filled in."""
    messages.error(request, generic % {"reason": exc})




@dataclass(frozen=True)
class Balance:
    """A closed drawer's result: balanced, short or over, and by how much."""

    kind: str  # "balanced" | "short" | "over" | "unknown"
    amount: Decimal

    @classmethod
    def of(cls, difference: Decimal | None) -> Balance:
        if difference is None:
            return cls("unknown", Decimal("0.00"))
        if difference == 0:
            return cls("balanced", Decimal("0.00"))
        return cls("short" if difference < 0 else "over", abs(difference))


def with_balance(sessions: Iterable[CounterSession]) -> list[CounterSession]:
    rows = list(sessions)
    for session in rows:
        session.balance = Balance.of(session.difference)
    return rows


def cash_tendered(payment: Payment) -> Decimal | None:
    """What the payer handed over, as recorded when the cash was taken."""
    event = payment.events.filter(kind=PaymentEvent.Kind.COUNTER).order_by("pk").first()
    raw = (event.payload or {}).get("tendered", "") if event else ""
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        return None
