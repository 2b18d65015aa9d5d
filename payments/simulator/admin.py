"""Read-only admin for the simulator's sessions and refunds (handy in demonstrations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import SimulatedRefund, SimulatedTransaction

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _TabularInline = admin.TabularInline[Any, Any]
else:
    _ModelAdmin = admin.ModelAdmin
    _TabularInline = admin.TabularInline


class ReadOnlyAdmin(_ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class SimulatedRefundInline(_TabularInline):
    model = SimulatedRefund
    extra = 0
    can_delete = False
    readonly_fields = [
        "refund_ref_id",
        "amount",
        "remarks",
        "refund_trans_id",
        "status",
        "initiated_at",
        "refunded_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(SimulatedTransaction)
class SimulatedTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "tran_id",
        "amount",
        "currency",
        "status",
        "card_type",
        "risk_level",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "card_type", "risk_level"]
    search_fields = ["tran_id", "sessionkey", "val_id", "bank_tran_id"]
    date_hierarchy = "created_at"
    inlines = [SimulatedRefundInline]


@admin.register(SimulatedRefund)
class SimulatedRefundAdmin(ReadOnlyAdmin):
    list_display = ["refund_ref_id", "transaction", "amount", "status", "initiated_at"]
    list_filter = ["status"]
    search_fields = ["refund_ref_id", "refund_trans_id", "transaction__tran_id"]
    list_select_related = ["transaction"]
