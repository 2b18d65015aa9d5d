"""Admin for the city profile, zones, wards (edits audited) and the read-only audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from . import audit
from .images import image_data_uri
from .models import AuditLog, CityProfile, OfficeOrderExtension, OfficerSignature, Ward, Zone

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class AuditedAdmin(_ModelAdmin):
    """Every add, change or delete made in the admin (inlines included) writes an audit row
    with before and after."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        if before is not None:
            before, after = audit.changed(before, after)
        audit.record(
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=after,
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(action="admin.delete", obj=obj, before=audit.snapshot(obj), request=request)
        super().delete_model(request, obj)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        # Fresh from the database: the forms have already changed their instances.
        pks = [f.instance.pk for f in formset.forms if f.instance.pk]
        for inline_form in formset.forms:  # a new office order is recorded by whoever saves
            if (
                isinstance(inline_form.instance, OfficeOrderExtension)
                and not inline_form.instance.pk
            ):
                inline_form.instance.recorded_by_id = request.user.pk
        before = {obj.pk: audit.snapshot(obj) for obj in formset.model.objects.filter(pk__in=pks)}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit.record(action="admin.add", obj=obj, after=audit.snapshot(obj), request=request)
        for obj, _fields in formset.changed_objects:
            old, new = audit.changed(before.get(obj.pk, {}), audit.snapshot(obj))
            audit.record(action="admin.change", obj=obj, before=old, after=new, request=request)
        for obj in formset.deleted_objects:
            audit.record(
                action="admin.delete",
                object_type=obj._meta.label_lower,
                object_id=before.get(obj.pk, {}).get("id", ""),
                before=before.get(obj.pk),
                request=request,
            )


def _preview(file: Any) -> SafeString | str:
    """A stored signature or seal as it prints (private files have no URL to link to)."""
    src = image_data_uri(file)
    if not src:
        return "—"
    return format_html('<img src="{}" alt="" style="max-height:25mm;max-width:60mm">', src)


@admin.register(CityProfile)
class CityProfileAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "name_bn"]
    readonly_fields = ["seal_preview"]

    @admin.display(description=_("seal as printed"))
    def seal_preview(self, obj: CityProfile) -> SafeString | str:
        return _preview(obj.seal)


@admin.register(Zone)
class ZoneAdmin(AuditedAdmin):
    list_display = ["number", "name_en", "name_bn", "office_address_en"]


@admin.register(OfficerSignature)
class OfficerSignatureAdmin(AuditedAdmin):
    """Administrators upload each signing officer's designation and signature."""

    list_display = ["user", "designation_en", "designation_bn", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["user__mobile", "user__name_en", "user__name_bn", "designation_en"]
    autocomplete_fields = ["user"]
    readonly_fields = ["signature_preview"]

    @admin.display(description=_("signature as printed"))
    def signature_preview(self, obj: OfficerSignature) -> SafeString | str:
        return _preview(obj.image)


@admin.register(Ward)
class WardAdmin(AuditedAdmin):
    list_display = ["number", "name_en", "name_bn", "zone"]
    list_filter = ["zone"]
    search_fields = ["name_en", "name_bn"]


@admin.register(AuditLog)
class AuditLogAdmin(_ModelAdmin):
    list_display = ["created_at", "action", "object_type", "object_id", "actor", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "action"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
