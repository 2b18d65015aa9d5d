"""Admin for users (roles are groups) and the SMS outbox."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import SmsMessage, User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["mobile"]
    list_display = ["mobile", "name_en", "name_bn", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "ward"]
    search_fields = ["mobile", "name_en", "name_bn", "nid", "email"]
    fieldsets = (
        (None, {"fields": ("mobile", "mobile_verified", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "name_bn",
                    "name_en",
                    "email",
                    "nid",
                    "address",
                    "ward",
                    "preferred_language",
                )
            },
        ),
        (
            _("Roles and access"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "zone",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("mobile", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "kind", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["to"]
    readonly_fields = [f.name for f in SmsMessage._meta.fields]
