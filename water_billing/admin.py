"""Admin for water bills: officers edit the tariffs (a price for every category, a flat charge
and connection fee for every pipe diameter — the forms refuse a tariff missing one) and see
the register; every change is audited with before and after (core.admin.AuditedAdmin).
Connections change status, and meters are replaced, through the services only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy

from core.admin import AuditedAdmin

from .defaults import PIPE_DIAMETERS_MM
from .models import (
    Category,
    Connection,
    Meter,
    Reading,
    StatusChange,
    TariffPipe,
    TariffPrice,
    WaterTariff,
)


class _CompleteFormSet(BaseInlineFormSet):
    """Refuses the tariff unless every one of `required` is given exactly once."""

    key: str
    required: list
    message: Any

    def clean(self) -> None:
        super().clean()
        given = [
            form.cleaned_data.get(self.key)
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        missing = [str(v) for v in self.required if v not in given]
        if missing:
            raise ValidationError(self.message % {"missing": ", ".join(missing)})


class PriceFormSet(_CompleteFormSet):
    key = "category"
    required = list(Category.values)
    message = gettext_lazy("Give a price for every category; missing: %(missing)s.")


class PipeFormSet(_CompleteFormSet):
    key = "diameter_mm"
    required = PIPE_DIAMETERS_MM
    message = gettext_lazy("Give the charges for every pipe diameter; missing: %(missing)s.")


class TariffPriceInline(admin.TabularInline):
    model = TariffPrice
    formset = PriceFormSet
    extra = 0


class TariffPipeInline(admin.TabularInline):
    model = TariffPipe
    formset = PipeFormSet
    extra = 0


@admin.register(WaterTariff)
class WaterTariffAdmin(AuditedAdmin):
    list_display = [
        "effective_from",
        "minimum_charge",
        "sewerage_percent",
        "late_fee_percent",
        "late_fee_fixed",
        "vat_percent",
        "due_days",
    ]
    inlines = [TariffPriceInline, TariffPipeInline]

    def get_changeform_initial_data(self, request):
        """A new tariff starts from the latest one's figures (its rows are added below)."""
        initial = super().get_changeform_initial_data(request)
        latest = WaterTariff.objects.order_by("-effective_from").first()
        if latest is not None:
            for field in WaterTariff._meta.fields:
                if field.name not in ("id", "effective_from", "updated_at", "note"):
                    initial.setdefault(field.name, getattr(latest, field.name))
        return initial


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


class MeterInline(admin.TabularInline):
    model = Meter
    extra = 0
    can_delete = False
    fields = [
        "serial",
        "installed_on",
        "initial_reading",
        "dial_digits",
        "removed_on",
        "final_reading",
    ]
    readonly_fields = ["removed_on", "final_reading"]

    def has_add_permission(self, request, obj=None):
        return False  # installed and replaced through water_billing.services


@admin.register(Connection)
class ConnectionAdmin(AuditedAdmin):
    list_display = [
        "consumer_no",
        "ward",
        "holding_number",
        "category",
        "pipe_diameter_mm",
        "metered",
        "sewerage",
        "status",
    ]
    list_filter = ["status", "category", "metered", "sewerage", "ward"]
    search_fields = ["consumer_no", "holding_number", "name_bn", "name_en", "billing_mobile"]
    raw_id_fields = ["user"]
    readonly_fields = ["consumer_no", "ward", "holding_number", "status", "connected_on"]
    inlines = [MeterInline, StatusChangeInline]

    def has_add_permission(self, request):
        return False  # registered through water_billing.services (the holding is checked)


@admin.register(Reading)
class ReadingAdmin(AuditedAdmin):
    list_display = ["connection", "period", "value", "consumption", "billable", "status", "source"]
    list_filter = ["status", "source", "period"]
    search_fields = ["connection__consumer_no"]
    readonly_fields = [f.name for f in Reading._meta.fields if f.name != "note"] + ["explanation"]

    @admin.display(description=gettext_lazy("how it was read"))
    def explanation(self, obj: Reading) -> str:
        return obj.explanation_text or "—"

    def has_add_permission(self, request):
        return False  # recorded through water_billing.services.reading_record
