"""Reads for payments pages and the API."""

from django.db.models import Prefetch, QuerySet

from .models import Bill, BillLine, Payment


def bills_for(user) -> QuerySet[Bill]:
    """The caller's bills (as payer), lines prefetched."""
    return (Bill.objects.filter(payer=user)
            .prefetch_related(Prefetch("lines", queryset=BillLine.objects.order_by("position")))
            .select_related("ward"))


def open_bills_for(user) -> QuerySet[Bill]:
    return bills_for(user).filter(status=Bill.Status.OPEN).order_by("due_date", "pk")


def payments_for(user) -> QuerySet[Payment]:
    return (Payment.objects.filter(payer=user).select_related("receipt")
            .prefetch_related("items__bill").order_by("-created_at"))


def payment_by_tran_id(tran_id: str) -> Payment | None:
    return (Payment.objects.select_related("receipt")
            .prefetch_related("items__bill").filter(tran_id=tran_id).first())
