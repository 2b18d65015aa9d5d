"""Reads for payments pages and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from core.roles import perm

from .models import Bill, BillLine, Payment, PaymentTransition

#: Counter and revenue staff: they may see every bill (API) and download any receipt.
STAFF_PERMISSIONS = (perm("use_counter"), perm("view_revenue_reports"))


def is_payments_staff(user) -> bool:
    return any(user.has_perm(p) for p in STAFF_PERMISSIONS)


def bills_for(user) -> QuerySet[Bill]:
    """The caller's bills (as payer), lines prefetched."""
    return (Bill.objects.filter(payer=user)
            .prefetch_related(Prefetch("lines", queryset=BillLine.objects.order_by("position")))
            .select_related("ward"))


def open_bills_for(user) -> QuerySet[Bill]:
    return bills_for(user).filter(status=Bill.Status.OPEN).order_by("due_date", "pk")


def open_bills_by_number(user, numbers: Iterable[str]) -> tuple[list[Bill], list[str]]:
    """The caller's open bills among `numbers`, and (sorted) the numbers that are not."""
    wanted = set(numbers)
    bills = list(open_bills_for(user).filter(number__in=wanted)) if wanted else []
    return bills, sorted(wanted - {b.number for b in bills})


def payments_for(user) -> QuerySet[Payment]:
    return (Payment.objects.filter(payer=user).select_related("receipt")
            .prefetch_related("items__bill").order_by("-created_at"))


def payment_by_tran_id(tran_id: str) -> Payment | None:
    return (Payment.objects.select_related("receipt")
            .prefetch_related("items__bill").filter(tran_id=tran_id).first())


def receipt_cancelled_at(payment: Payment) -> datetime.datetime | None:
    """When a payment's receipt stopped standing (the move to voided or refunded), or None
    while the payment has succeeded. A receipt stands only while its payment has succeeded."""
    if payment.status == Payment.Status.SUCCEEDED:
        return None
    move = (PaymentTransition.objects.filter(payment=payment, to_status=payment.status)
            .order_by("-created_at", "-pk").first())
    return move.created_at if move else None
