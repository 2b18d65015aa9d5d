"""Helpers shared by the counter and revenue officer pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest

from .models import Payment, PaymentEvent
from .services import PaymentError

# --- helpers ----------------------------------------------------------------------------


def refused(request: HttpRequest, generic: str, exc: PaymentError) -> None:
    """Show a refusal: a translated generic sentence with the reason filled in."""
    messages.error(request, generic % {"reason": exc})


def cash_tendered(payment: Payment) -> Decimal | None:
    """What the payer handed over, as recorded when the cash was taken."""
    event = payment.events.filter(kind=PaymentEvent.Kind.COUNTER).order_by("pk").first()
    raw = (event.payload or {}).get("tendered", "") if event else ""
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        return None
