"""The portal's user: mobile-first, e-mail optional, with a bilingual profile."""

import contextlib
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.roles import PERMISSIONS, Role
from core.validators import normalize_mobile, validate_mobile, validate_nid


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, mobile, password, **extra):
        mobile = normalize_mobile(mobile) if mobile else None
        email = self.normalize_email(extra.pop("email", "") or "")
        user = self.model(mobile=mobile, email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, mobile=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(mobile, password, **extra)

    def create_superuser(self, mobile, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("mobile_verified", True)
        return self._create(mobile, password, **extra)

    def get_by_natural_key(self, mobile):
        with contextlib.suppress(Exception):  # an unparseable login simply matches no one
            mobile = normalize_mobile(mobile)
        return self.get(mobile=mobile)


class User(AbstractBaseUser, PermissionsMixin):
    """A citizen or a member of staff. Signs in with the mobile number."""

    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
        help_text=_("11 digits, e.g. 01712345678."),
    )
    mobile_verified = models.BooleanField(_("mobile verified"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    nid = models.CharField(
        _("national ID number"), max_length=17, blank=True, validators=[validate_nid]
    )
    address = models.TextField(_("address"), blank=True)
    ward = models.ForeignKey(
        "core.Ward",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ward"),
    )
    zone = models.ForeignKey(
        "core.Zone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone (staff)"),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        default="bn",
        choices=[("bn", "বাংলা"), ("en", "English")],
    )
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Lets this person open the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = list(PERMISSIONS.items())

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            name = self.name_bn or self.name_en
        else:
            name = self.name_en or self.name_bn
        return name or self.mobile or f"#{self.pk}"

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def roles(self) -> list[str]:
        """The role slugs this user holds (group names), citizen when none."""
        names = [g.name for g in self.groups.all()]
        return [r.value for r in Role if r.value in names]

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    @property
    def is_staff_member(self) -> bool:
        return self.has_perm("accounts.view_staff_dashboard")


class SmsMessage(models.Model):
    """Every text message the portal sends: the outbox (tests read it) and the delivery log."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.CharField(max_length=11, db_index=True)
    text = models.TextField(blank=True)
    kind = models.CharField(max_length=40, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(max_length=100, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self) -> str:
        return f"{self.to} {self.kind} {self.status}"
