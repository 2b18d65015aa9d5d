"""Shared kernel data: the city profile, zones and wards, and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.digits import localize_digits, to_ascii_digits
from core.images import seal_upload_to, signature_upload_to, validate_print_image
from core.storage import private_storage

#: The legal basis printed on trade licences: every city corporation licenses trades under
#: the same act and schedule (DNCC's certificate cites them in these words).
LEGAL_BASIS_BN = (
    "স্থানীয় সরকার (সিটি কর্পোরেশন) আইন, ২০০৯ এর ধারা ৮৪ এবং আদর্শ কর তফসিল, ২০১৬ এর ১০ অনুচ্ছেদ অনুযায়ী"
)
LEGAL_BASIS_EN = (
    "Under section 84 of the Local Government (City Corporation) Act 2009 and paragraph 10 "
    "of the Model Tax Schedule 2016"
)
BIN_RE = r"^[0-9]{9}(-?[0-9]{4})?$"


class BilingualNameMixin:
    """`name` in the active language, from `name_bn` / `name_en`."""

    name_bn: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn


class CityProfile(BilingualNameMixin, models.Model):
    """The city corporation running the portal. One row; edited in the admin."""

    code = models.CharField(
        _("short code"), max_length=10, help_text=_("Used in numbers, e.g. KCC/TL/2025-26/000123.")
    )
    name_bn = models.CharField(_("name (Bengali)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    address_bn = models.CharField(_("address (Bengali)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="city/", blank=True)
    holding_tax_name_bn = models.CharField(
        _("the city's word for holding tax (Bengali)"),
        max_length=60,
        default="পৌরকর",
        help_text=_("As the city's notices and bills say it, e.g. পৌরকর or হোল্ডিং ট্যাক্স."),
    )
    holding_tax_name_en = models.CharField(
        _("the city's word for holding tax (English)"), max_length=60, default="Holding tax"
    )
    legal_basis_bn = models.TextField(
        _("legal basis of trade licences (Bengali)"),
        default=LEGAL_BASIS_BN,
        help_text=_(
            "The licence certificate's statement begins with it: the act and the schedule "
            "the licence is issued under."
        ),
    )
    legal_basis_en = models.TextField(
        _("legal basis of trade licences (English)"), default=LEGAL_BASIS_EN
    )
    vat_bin = models.CharField(
        _("VAT registration number (BIN)"),
        max_length=14,
        blank=True,
        validators=[
            RegexValidator(
                BIN_RE,
                _("Enter the 9-digit BIN, or the 13-digit one such as 000123456-0101."),
            )
        ],
        help_text=_("Printed on every receipt that includes VAT."),
    )
    seal = models.ImageField(
        _("seal of the corporation"),
        storage=private_storage,
        upload_to=seal_upload_to,
        blank=True,
        validators=[validate_print_image],
        help_text=_(
            "A PNG or JPEG scan, printed beside the officer's signature on licences and "
            "certificates (a transparent background prints best)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("city profile")
        verbose_name_plural = _("city profile")

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    @property
    def address(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.address_bn or self.address_en
        return self.address_en or self.address_bn

    @property
    def holding_tax_name(self) -> str:
        """The city's own word for holding tax, in the page's language."""
        if (get_language() or "bn").startswith("bn"):
            return self.holding_tax_name_bn or self.holding_tax_name_en
        return self.holding_tax_name_en or self.holding_tax_name_bn

    @classmethod
    def current(cls) -> CityProfile:
        """The city's profile; a placeholder (unsaved) when none is configured yet."""
        profile = cls.objects.order_by("pk").first()
        return profile or cls(code="CITY", name_bn="সিটি কর্পোরেশন", name_en="City Corporation")


class Zone(BilingualNameMixin, models.Model):
    """A zonal office area grouping several wards."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    office_address_bn = models.CharField(
        _("zone office address (Bengali)"), max_length=300, blank=True
    )
    office_address_en = models.CharField(
        _("zone office address (English)"), max_length=300, blank=True
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class Ward(BilingualNameMixin, models.Model):
    """A city ward, identified by its number."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        verbose_name=_("zone"),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """ "ওয়ার্ড ৫" / "Ward 5", with the ward's own name after it when it has one
        ("ওয়ার্ড ৫ — সোনাডাঙ্গা"); a name that only repeats the number is not repeated."""
        number = gettext("Ward %(number)s") % {"number": localize_digits(self.number)}
        plain = {f"ward {self.number}", f"ওয়ার্ড {self.number}"}
        name = self.name.strip()
        if not name or to_ascii_digits(name).lower() in plain:
            return number
        return f"{number} — {name}"


class OfficerSignature(models.Model):
    """An officer's designation and signature image, uploaded by an administrator. The
    documents an officer approved or issued print them (trade licence, no-dues
    certificate), with the corporation's seal (CityProfile.seal)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="officer_signature",
        verbose_name=_("officer"),
    )
    designation_bn = models.CharField(_("designation (Bengali)"), max_length=150)
    designation_en = models.CharField(_("designation (English)"), max_length=150)
    image = models.ImageField(
        _("signature"),
        storage=private_storage,
        upload_to=signature_upload_to,
        validators=[validate_print_image],
        help_text=_("A PNG or JPEG scan of the signature, at most 1 MB."),
    )
    is_active = models.BooleanField(
        _("printed on documents"),
        default=True,
        help_text=_("Untick when the officer leaves the post: documents stop printing it."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("officer's signature")
        verbose_name_plural = _("officers' signatures")

    def __str__(self) -> str:
        return f"{self.user} — {self.designation_en}"


class OfficeOrderExtension(models.Model):
    """An office order moving a deadline (corporations extend the rebate or renewal deadline
    by order most years). Each service keeps its own table of these against its per-year
    schedule; `latest()` is the one rule for which order counts: the latest by order date,
    then by when it was recorded. The admin fills `recorded_by` (AuditedAdmin)."""

    new_date = models.DateField(_("extended to"))
    order_reference = models.CharField(_("office order reference"), max_length=100)
    order_date = models.DateField(_("office order date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @staticmethod
    def latest(extensions: Iterable[OfficeOrderExtension]) -> OfficeOrderExtension | None:
        """The order that counts among `extensions` (None when there is none)."""
        return max(extensions, key=lambda e: (e.order_date, e.created_at, e.pk), default=None)


class AuditLog(models.Model):
    """Who did what, when, from where, with the state before and after. Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not kwargs.pop("_allow_update", False):
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only.")


class StatusChangeBase(models.Model):
    """One move of a subject's status, append-only: why, who and when. A service's history
    model adds its subject's foreign key and `from_status` / `to_status` with the subject's
    choices (water connections, e-bike licences, shop allotments)."""

    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        abstract = True
