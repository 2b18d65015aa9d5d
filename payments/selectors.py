"""Reads for payments pages and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import perm

from .models import Allocation, Bill, BillLine, Credit, Payment, PaymentBill, PaymentTransition

#: Counter and revenue staff: they may see every bill (API) and download any receipt.
STAFF_PERMISSIONS = (perm("use_counter"), perm("view_revenue_reports"))


def is_payments_staff(user: Any) -> bool:
    return any(user.has_perm(p) for p in STAFF_PERMISSIONS)


def bills_for(user: Any) -> QuerySet[Bill]:
    """The caller's bills (as payer), lines prefetched."""
    return (
        Bill.objects.filter(payer=user)
        .prefetch_related(Prefetch("lines", queryset=BillLine.objects.order_by("position")))
        .select_related("ward")
    )


def open_bills_for(user: Any) -> QuerySet[Bill]:
    return bills_for(user).filter(status=Bill.Status.OPEN).order_by("due_date", "pk")


def open_bills_by_number(user: Any, numbers: Iterable[str]) -> tuple[list[Bill], list[str]]:
    """The caller's open bills among `numbers`, and (sorted) the numbers that are not."""
    wanted = set(numbers)
    bills = list(open_bills_for(user).filter(number__in=wanted)) if wanted else []
    return bills, sorted(wanted - {b.number for b in bills})


def payments_for(user: Any) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(payer=user)
        .select_related("receipt")
        .prefetch_related("items__bill")
        .order_by("-created_at")
    )


def payment_by_tran_id(tran_id: str) -> Payment | None:
    return (
        Payment.objects.select_related("receipt")
        .prefetch_related("items__bill")
        .filter(tran_id=tran_id)
        .first()
    )


def receipt_cancelled_at(payment: Payment) -> datetime.datetime | None:
    """When a payment's receipt stopped standing (the move to voided or refunded), or None
    while the payment has succeeded. A receipt stands only while its payment has succeeded."""
    if payment.status == Payment.Status.SUCCEEDED:
        return None
    move = (
        PaymentTransition.objects.filter(payment=payment, to_status=payment.status)
        .order_by("-created_at", "-pk")
        .first()
    )
    return move.created_at if move else None


@dataclass(frozen=True)
class BillOutcome:
    """What one payment's money did for one of its bills: applied to it, or credited to
    the payer (the bill had been paid by another payment, replaced or cancelled)."""

    bill: Bill
    amount: Decimal
    applied: bool
    credit: Credit | None

    @property
    def why_not_applied(self) -> str | Promise:
        """Why the money was credited instead (translatable; '' when it was applied)."""
        if self.applied:
            return ""
        status = self.bill.status
        if status == Bill.Status.PAID:
            return _("the bill had already been paid")
        if status == Bill.Status.SUPERSEDED:
            return _("the bill had been replaced by a new one")
        if status == Bill.Status.CANCELLED:
            return _("the bill had been cancelled")
        return _("the bill had changed")

    @property
    def credit_state(self) -> str:
        """'refundable', 'refunding' or 'refunded' for credited money ('' when applied)."""
        if self.credit is None:
            return ""
        return {
            Credit.Status.OPEN: "refundable",
            Credit.Status.REFUNDING: "refunding",
            Credit.Status.REFUNDED: "refunded",
        }[Credit.Status(self.credit.status)]


def payment_outcomes(payment: Payment) -> list[BillOutcome]:
    """Bill by bill, what a payment's money did (one query each for bills, allocations and
    credits). Before the payment succeeded nothing is applied and nothing credited."""
    items = list(PaymentBill.objects.filter(payment=payment).select_related("bill").order_by("pk"))
    applied = set(
        Allocation.objects.filter(payment=payment, kind=Allocation.Kind.PAYMENT).values_list(
            "bill_id", flat=True
        )
    )
    credits = {c.bill_id: c for c in Credit.objects.filter(payment=payment)}
    return [
        BillOutcome(
            bill=i.bill,
            amount=i.amount,
            applied=i.bill_id in applied,
            credit=credits.get(i.bill_id),
        )
        for i in items
    ]
