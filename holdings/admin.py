"""Admin for holdings: the yearly rate schedule (with its heads, rebate grades and the office
orders extending its deadlines) is edited here by officers, every change audited with before
and after."""

from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import (
    Assessment,
    DeadlineExtension,
    Holding,
    Owner,
    RateHead,
    RateSchedule,
    RebateGrade,
)


class RateHeadInline(admin.TabularInline):
    model = RateHead
    extra = 0


class RebateGradeInline(admin.TabularInline):
    model = RebateGrade
    extra = 0


class DeadlineExtensionInline(admin.TabularInline):
    """An office order extending a deadline: the latest order's date is the deadline every
    bill, notice and statement reads (holdings.selectors.deadline)."""

    model = DeadlineExtension
    extra = 0
    fields = ["deadline", "new_date", "order_reference", "order_date", "recorded_by", "created_at"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(RateSchedule)
class RateScheduleAdmin(AuditedAdmin):
    list_display = [
        "fiscal_year",
        "q1_due",
        "arrears_surcharge_percent",
        "owner_occupied_concession_percent",
        "vacant_land_flat_tax",
        "vacant_land_basis",
    ]
    inlines = [RateHeadInline, RebateGradeInline, DeadlineExtensionInline]


class OwnerInline(admin.TabularInline):
    model = Owner
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Holding)
class HoldingAdmin(AuditedAdmin):
    list_display = ["ward", "number", "road", "use", "owner_occupied"]
    list_filter = ["ward", "use"]
    search_fields = ["number", "road", "mahalla", "owners__name_en", "owners__name_bn"]
    inlines = [OwnerInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["holding", "effective_fy", "annual_rent", "annual_valuation"]
    list_filter = ["effective_fy"]
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request):
        return False  # assessments are recorded through the assessor's page
