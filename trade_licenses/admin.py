"""Admin for the yearly schedule: fee schedules, business categories and capital bands,
every edit audited with before and after (core.admin.AuditedAdmin). Applications and
licences are read-only here: they change only through the workflow (services/)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import (
    Application,
    ApplicationEvent,
    BusinessCategory,
    CapitalBand,
    FeeSchedule,
    Licence,
    ReminderSent,
    RenewalDeadlineExtension,
)


class CategoryInline(admin.TabularInline):
    model = BusinessCategory
    extra = 0
    fields = ["code", "name_bn", "name_en", "yearly_fee", "by_capital", "is_sample", "is_active"]
    show_change_link = True


class RenewalDeadlineExtensionInline(admin.TabularInline):
    """An office order extending the renewal deadline: the latest order's date is the one
    bills, reminders and certificates read (FeeSchedule.effective_renewal_deadline)."""

    model = RenewalDeadlineExtension
    extra = 0
    fields = ["new_date", "order_reference", "order_date", "recorded_by", "created_at"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(AuditedAdmin):
    list_display = [
        "fiscal_year",
        "renewal_deadline",
        "vat_percent",
        "income_tax_at_source",
        "late_surcharge_percent_per_month",
        "transfer_percent",
        "signboard_mode",
        "signboard_amount",
    ]
    inlines = [CategoryInline, RenewalDeadlineExtensionInline]
    fieldsets = [
        (None, {"fields": ["fiscal_year", "renewal_deadline"]}),
        (
            _("Taxes and charges"),
            {
                "fields": [
                    "vat_percent",
                    "income_tax_at_source",
                    "late_surcharge_percent_per_month",
                    "late_surcharge_cap_percent",
                    "transfer_percent",
                    "application_fee",
                ]
            },
        ),
        (_("Signboard tax"), {"fields": ["signboard_mode", "signboard_amount"]}),
        (None, {"fields": ["note"]}),
    ]


class CapitalBandInline(admin.TabularInline):
    model = CapitalBand
    extra = 0
    fields = ["min_capital", "max_capital", "fee", "is_sample"]


@admin.register(BusinessCategory)
class BusinessCategoryAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name_en",
        "name_bn",
        "schedule",
        "yearly_fee",
        "by_capital",
        "is_sample",
        "is_active",
    ]
    list_filter = ["schedule", "is_sample", "by_capital", "is_active"]
    search_fields = ["code", "name_en", "name_bn"]
    inlines = [CapitalBandInline]


@admin.register(CapitalBand)
class CapitalBandAdmin(AuditedAdmin):
    list_display = ["category", "schedule", "min_capital", "max_capital", "fee", "is_sample"]
    list_filter = ["schedule"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "business",
        "fiscal_year",
        "kind",
        "status",
        "on_behalf",
        "status_changed_at",
    ]
    list_filter = ["status", "kind", "fiscal_year", "on_behalf"]
    search_fields = ["business__name_en", "business__name_bn", "trader_mobile", "trader_nid"]
    inlines = [EventInline]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["number", "business", "fiscal_year", "valid_until", "is_current", "issued_at"]
    list_filter = ["fiscal_year", "is_current"]
    search_fields = ["number", "business__name_en", "business__name_bn"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["business", "fiscal_year", "step", "channels", "sent_at"]
    list_filter = ["fiscal_year", "step"]
