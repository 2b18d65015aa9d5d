"""Admin for the yearly fee schedule with its fleet caps, every edit audited with before and
after (core.admin.AuditedAdmin). The register, cards, devices and sightings are read-only
here: they change only through ezbike/services."""

from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import (
    Driver,
    FeeSchedule,
    Licence,
    LicenceStatusChange,
    Owner,
    RfidCard,
    ScanDevice,
    Sighting,
    Vehicle,
    WardCap,
)
from .services import schedule_deadline_moved


class WardCapInline(admin.TabularInline):
    model = WardCap
    extra = 0
    fields = ["ward", "cap"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(AuditedAdmin):
    list_display = [
        "fiscal_year",
        "application_fee",
        "licence_fee",
        "renewal_fee",
        "card_replacement_fee",
        "renewal_deadline",
        "city_cap",
    ]
    inlines = [WardCapInline]

    def save_model(self, request, obj, form, change) -> None:
        """A moved renewal deadline moves the day last year's licences run until."""
        old = FeeSchedule.objects.filter(pk=obj.pk).values_list("renewal_deadline", flat=True)
        old_deadline = old.first() if change and obj.pk else None
        super().save_model(request, obj, form, change)
        if old_deadline is not None and old_deadline != obj.renewal_deadline:
            schedule_deadline_moved(schedule=obj, old_deadline=old_deadline, actor=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Owner)
class OwnerAdmin(ReadOnlyAdmin):
    list_display = ["nid", "name_bn", "name_en", "nid_ward"]
    search_fields = ["nid", "name_bn", "name_en", "mobile"]


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyAdmin):
    list_display = ["plate_no", "licence_no", "vehicle_type", "ward", "chassis_no", "motor_no"]
    search_fields = ["plate_no", "licence_no", "chassis_no", "motor_no"]


@admin.register(Driver)
class DriverAdmin(ReadOnlyAdmin):
    list_display = ["nid", "driving_licence_no", "name_bn", "name_en"]
    search_fields = ["nid", "driving_licence_no"]


class LicenceStatusChangeInline(admin.TabularInline):
    model = LicenceStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["vehicle", "fiscal_year", "kind", "status", "valid_until"]
    list_filter = ["fiscal_year", "status", "kind"]
    inlines = [LicenceStatusChangeInline]


@admin.register(RfidCard)
class RfidCardAdmin(ReadOnlyAdmin):
    list_display = ["uid", "vehicle", "status", "bound_at", "blacklisted_at"]
    search_fields = ["uid"]


@admin.register(ScanDevice)
class ScanDeviceAdmin(ReadOnlyAdmin):
    list_display = ["name", "place", "active", "last_contact_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(Sighting)
class SightingAdmin(ReadOnlyAdmin):
    list_display = ["uid", "status", "place", "read_at", "device", "seq"]
    list_filter = ["status"]
    search_fields = ["uid"]
