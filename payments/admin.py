"""Read-only admin views of the money: bills, payments, the ledger and gateway events.
Every change to money goes through payments.services, never through the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import (
    Allocation,
    Bill,
    CollectionRollup,
    CounterSession,
    Credit,
    MonthClose,
    Payment,
    PaymentEvent,
    Receipt,
)

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "service",
        "subject_id",
        "payer_mobile",
        "fiscal_year",
        "total",
        "status",
    ]
    list_filter = ["service", "status", "fiscal_year"]
    search_fields = ["number", "subject_id", "payer_mobile"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["tran_id", "channel", "amount", "status", "created_at"]
    list_filter = ["channel", "status"]
    search_fields = ["tran_id", "payer_mobile", "val_id", "bank_tran_id"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "bill", "head", "amount", "kind", "created_at"]
    list_filter = ["kind", "head", "service"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "tran_id", "kind", "outcome"]
    list_filter = ["kind"]
    search_fields = ["tran_id"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "amount", "issued_at"]
    search_fields = ["number", "verify_code"]


@admin.register(CounterSession)
class CounterSessionAdmin(ReadOnlyAdmin):
    list_display = ["clerk", "status", "opened_at", "closed_at", "difference"]
    list_filter = ["status"]


@admin.register(Credit)
class CreditAdmin(ReadOnlyAdmin):
    list_display = ["payment", "bill", "amount", "status", "created_at"]
    list_filter = ["status"]


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnlyAdmin):
    """Closed months, read only: they are closed and reopened on the revenue pages."""

    list_display = ["month", "closed", "closed_by", "closed_at", "reopened_by", "reopened_at"]
    list_filter = ["closed"]


@admin.register(CollectionRollup)
class CollectionRollupAdmin(ReadOnlyAdmin):
    """The collection rollups, read only: made from the ledger (rebuild_rollups)."""

    list_display = ["grain", "day", "service", "head", "channel", "method", "amount", "lines"]
    list_filter = ["grain", "service", "channel", "method"]
