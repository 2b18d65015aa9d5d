"""Trade licences: the yearly fee schedule (categories, capital bands, signboard tax, VAT,
income tax at source, renewal deadline, late surcharge, transfer fee), businesses,
applications with their documents, inspections and workflow history, issued licences and
the reminders sent. Money: Decimal, two places; the arithmetic is trade_licenses/fees.py,
every write is in trade_licenses/services/.

Service apps never import each other's models: an owned premises names its holding by
ward and holding number (text), and the services ask holdings through its read function.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import OfficeOrderExtension
from core.money import DecimalDigits
from core.storage import private_storage  # migration 0001 names it here

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}
PERCENT: DecimalDigits = {"max_digits": 5, "decimal_places": 2}


def _is_bengali() -> bool:
    return (get_language() or "bn").startswith("bn")


# --- the yearly schedule ------------------------------------------------------------------


class SignboardMode(models.TextChoices):
    PER_SQFT = "per_sqft", _("Per square foot")
    FLAT = "flat", _("Flat amount per signboard")


class FeeSchedule(models.Model):
    """One fiscal year's trade-licence rules. Officers edit it in the admin (audited); the
    renewal deadline is extended by order most years."""

    fiscal_year = models.CharField(_("fiscal year"), max_length=7, unique=True)
    renewal_deadline = models.DateField(
        _("renewal deadline"),
        help_text=_(
            "Renewals paid after this date pay the late "
            "surcharge. 30 September unless extended by order."
        ),
    )
    vat_percent = models.DecimalField(
        _("VAT on licence fee and signboard tax (%)"), default=15, **PERCENT
    )
    income_tax_at_source = models.DecimalField(
        _("income tax at source on renewal"),
        default=2000,
        **MONEY,
        help_text=_(
            "Income Tax Act 2023, s.131: Tk 2,000 in city corporations other than "
            "Dhaka and Chattogram (Tk 3,000 there)."
        ),
    )
    late_surcharge_percent_per_month = models.DecimalField(
        # xgettext:no-python-format
        _("late surcharge (% of the licence fee per month or part)"),
        default=10,
        **PERCENT,
    )
    late_surcharge_cap_percent = models.DecimalField(
        # xgettext:no-python-format
        _("late surcharge cap (% of the licence fee)"),
        default=100,
        max_digits=6,
        decimal_places=2,
        # xgettext:no-python-format
        help_text=_(
            "A year's late surcharge stops growing at this share of the year's "
            "licence fee. Default 100%: no public source sets a cap, so the surcharge "
            "of a year is never more than the fee it penalises; at 10% a month it "
            "stops after 10 months, when a skipped year is billed as arrears."
        ),
    )
    transfer_percent = models.DecimalField(
        # xgettext:no-python-format
        _("transfer fee (% of the licence fee)"),
        default=10,
        **PERCENT,
    )
    signboard_mode = models.CharField(
        _("signboard tax charged"),
        max_length=10,
        choices=SignboardMode.choices,
        default=SignboardMode.PER_SQFT,
    )
    signboard_amount = models.DecimalField(
        _("signboard tax amount"),
        default=100,
        **MONEY,
        help_text=_("Taka per square foot, or per signboard when charged flat."),
    )
    application_fee = models.DecimalField(_("application fee (new licences)"), default=0, **MONEY)
    note = models.TextField(_("note (sources, orders)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("trade-licence fee schedule")
        verbose_name_plural = _("trade-licence fee schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_percent__gte=0)
                & Q(vat_percent__lte=100)
                & Q(late_surcharge_percent_per_month__gte=0)
                & Q(late_surcharge_percent_per_month__lte=100)
                & Q(transfer_percent__gte=0)
                & Q(transfer_percent__lte=100),
                name="tl_schedule_percents_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(late_surcharge_cap_percent__gte=0),
                name="tl_schedule_surcharge_cap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(income_tax_at_source__gte=0)
                & Q(signboard_amount__gte=0)
                & Q(application_fee__gte=0),
                name="tl_schedule_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.fiscal_year

    @property
    def effective_renewal_deadline(self) -> datetime.date:
        """The one read of the renewal deadline: the date of the latest office order that
        extended it (RenewalDeadlineExtension), else the schedule's own date. Bills,
        reminders, reports and the certificate read this."""
        latest = OfficeOrderExtension.latest(self.extensions.all())
        return latest.new_date if latest else self.renewal_deadline


class RenewalDeadlineExtension(OfficeOrderExtension):
    """An office order extending a year's renewal deadline; the latest order wins."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="extensions")

    class Meta:
        ordering = ["schedule", "order_date", "created_at"]
        verbose_name = _("renewal deadline extension")
        verbose_name_plural = _("renewal deadline extensions")

    def __str__(self) -> str:
        return f"{self.schedule} → {self.new_date} ({self.order_reference})"


class BusinessCategory(models.Model):
    """A kind of business and its fixed yearly licence fee in one year's schedule. A
    category charged by paid-up capital (limited companies) takes its fee from its bands."""

    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.CASCADE, related_name="categories", verbose_name=_("schedule")
    )
    code = models.SlugField(_("code"), max_length=40)
    name_bn = models.CharField(_("name (Bengali)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    yearly_fee = models.DecimalField(_("yearly licence fee"), default=0, **MONEY)
    by_capital = models.BooleanField(
        _("fee by paid-up capital"),
        default=False,
        help_text=_("Limited companies: the fee comes from the capital bands."),
    )
    is_sample = models.BooleanField(
        _("sample figure"),
        default=False,
        help_text=_("A plausible figure seeded for the demo, not from an official source."),
    )
    requires_documents = models.JSONField(
        _("documents required"),
        default=list,
        blank=True,
        help_text=_(
            "Document kinds this category must upload, e.g. "
            '["environment_clearance", "fire_clearance"].'
        ),
    )
    needs_health_inspection = models.BooleanField(_("health inspection"), default=False)
    is_active = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        ordering = ["schedule", "name_en"]
        verbose_name = _("business category")
        verbose_name_plural = _("business categories")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "code"], name="tl_category_code_unique_in_schedule"
            ),
            models.CheckConstraint(
                condition=Q(yearly_fee__gte=0), name="tl_category_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.name_en}"

    @property
    def name(self) -> str:
        return (self.name_bn or self.name_en) if _is_bengali() else (self.name_en or self.name_bn)


class CapitalBand(models.Model):
    """Fee for a limited company whose paid-up capital is at least `min_capital` and at
    most `max_capital` (no upper limit when empty)."""

    schedule = models.ForeignKey(
        FeeSchedule,
        on_delete=models.CASCADE,
        blank=True,
        related_name="capital_bands",
        verbose_name=_("schedule"),
    )
    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.CASCADE,
        related_name="capital_bands",
        verbose_name=_("category"),
    )
    min_capital = models.DecimalField(_("paid-up capital from"), **MONEY)
    max_capital = models.DecimalField(_("paid-up capital up to"), null=True, blank=True, **MONEY)
    fee = models.DecimalField(_("yearly licence fee"), **MONEY)
    is_sample = models.BooleanField(_("sample figure"), default=False)

    class Meta:
        ordering = ["category", "min_capital"]
        verbose_name = _("capital band")
        verbose_name_plural = _("capital bands")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "min_capital"], name="tl_band_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(min_capital__gte=0)
                & Q(fee__gte=0)
                & (Q(max_capital__isnull=True) | Q(max_capital__gte=models.F("min_capital"))),
                name="tl_band_sane",
            ),
        ]

    def __str__(self) -> str:
        upper = self.max_capital if self.max_capital is not None else "…"
        return f"{self.category.code} {self.min_capital}–{upper}: {self.fee}"

    def save(self, *args, **kwargs):
        if self.schedule_id is None and self.category_id is not None:
            self.schedule_id = self.category.schedule_id  # a band belongs to its category's year
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.schedule_id and self.category_id and self.category.schedule_id != self.schedule_id:
            raise ValidationError(_("The band's schedule must be its category's schedule."))


# --- businesses and applications ------------------------------------------------------------


class Business(models.Model):
    """A trader's business at one premises. The trader may have no account (filed at the
    counter); the premises names its holding by ward and number when owned."""

    trader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="businesses",
        verbose_name=_("trader"),
    )
    name_bn = models.CharField(_("business name (Bengali)"), max_length=200)
    name_en = models.CharField(_("business name (English)"), max_length=200, blank=True)
    category_code = models.SlugField(_("business category"), max_length=40)
    paid_up_capital = models.DecimalField(_("paid-up capital"), null=True, blank=True, **MONEY)
    premises_address = models.TextField(_("premises address"))
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    premises_owned = models.BooleanField(_("premises owned (not rented)"), default=False)
    holding_ward = models.CharField(_("holding's ward"), max_length=5, blank=True)
    holding_number = models.CharField(_("holding number"), max_length=20, blank=True)
    signboard_sqft = models.DecimalField(
        _("signboard size (sq ft)"), max_digits=8, decimal_places=2, default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        constraints = [
            models.CheckConstraint(
                condition=Q(signboard_sqft__gte=0), name="tl_business_signboard_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(paid_up_capital__isnull=True) | Q(paid_up_capital__gte=0),
                name="tl_business_capital_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_bn

    @property
    def name(self) -> str:
        return (self.name_bn or self.name_en) if _is_bengali() else (self.name_en or self.name_bn)


class Application(models.Model):
    """One application for one business and fiscal year: new, renewal or transfer."""

    class Kind(models.TextChoices):
        NEW = "new", _("New licence")
        RENEWAL = "renewal", _("Renewal")
        TRANSFER = "transfer", _("Transfer of owner or place")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        INSPECTION = "inspection", _("Under inspection")
        APPROVAL = "approval", _("Waiting for approval")
        BILLED = "billed", _("Fee bill issued")
        PAID = "paid", _("Paid")
        ISSUED = "issued", _("Licence issued")
        RETURNED = "returned", _("Returned for correction")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        # A renewal with nothing changed skips inspection (submitted → approval).
        Status.SUBMITTED: {Status.INSPECTION, Status.APPROVAL, Status.RETURNED, Status.REJECTED},
        Status.INSPECTION: {Status.APPROVAL, Status.RETURNED, Status.REJECTED},
        Status.APPROVAL: {Status.BILLED, Status.RETURNED, Status.REJECTED},
        # Back to approval only when the bill is cancelled (the officer bills again).
        Status.BILLED: {Status.PAID, Status.APPROVAL},
        Status.PAID: {Status.ISSUED},
        Status.ISSUED: set(),
        Status.RETURNED: {Status.SUBMITTED},
        Status.REJECTED: set(),
    }
    # Applications in these states do not hold the business's place for the year.
    CLOSED_WITHOUT_LICENCE = (Status.RETURNED, Status.REJECTED)
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="applications", verbose_name=_("business")
    )
    fiscal_year = models.CharField(_("fiscal year"), max_length=7, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this status since"), auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    on_behalf = models.BooleanField(_("filed by a clerk on the trader's behalf"), default=False)
    # The trader's details as given with this application.
    trader_name_bn = models.CharField(_("trader's name (Bengali)"), max_length=200, blank=True)
    trader_name_en = models.CharField(_("trader's name (English)"), max_length=200, blank=True)
    trader_nid = models.CharField(_("trader's NID"), max_length=17, blank=True)
    trader_mobile = models.CharField(_("trader's mobile"), max_length=11, blank=True)
    trader_tin = models.CharField(_("trader's e-TIN"), max_length=12, blank=True)
    # Printed on the licence; blank on records from before they were asked for.
    trader_father_or_husband_name = models.CharField(
        _("father's or husband's name"), max_length=200, blank=True
    )
    trader_mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    trader_present_address = models.TextField(_("present address"), blank=True)
    trader_permanent_address = models.TextField(_("permanent address"), blank=True)
    # What was applied for, fixed when submitted (the fee is computed from these).
    category_code = models.SlugField(_("business category"), max_length=40, blank=True)
    paid_up_capital = models.DecimalField(_("paid-up capital"), null=True, blank=True, **MONEY)
    signboard_sqft = models.DecimalField(
        _("signboard size (sq ft)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    premises_address = models.TextField(_("premises address"), blank=True)
    needs_inspection = models.BooleanField(_("premises inspection needed"), default=True)
    dues_override_reason = models.TextField(
        _("reason for approving despite holding-tax dues"), blank=True
    )
    decision_reason = models.TextField(_("reason (return or rejection)"), blank=True)
    bill = models.ForeignKey(
        "payments.Bill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fee bill"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("trade-licence application")
        verbose_name_plural = _("trade-licence applications")
        constraints = [
            # One licence application (new or renewal) per business and year; transfers are
            # counted on their own. Returned and rejected ones do not count.
            models.UniqueConstraint(
                fields=["business", "fiscal_year"],
                condition=Q(kind__in=["new", "renewal"]) & ~Q(status__in=["returned", "rejected"]),
                name="tl_one_live_application_per_business_year",
            ),
            models.UniqueConstraint(
                fields=["business", "fiscal_year"],
                condition=Q(kind="transfer") & ~Q(status__in=["returned", "rejected", "issued"]),
                name="tl_one_open_transfer_per_business_year",
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self) -> str:
        return f"{self.business} {self.fiscal_year} {self.kind} #{self.pk}"

    @property
    def trader_name(self) -> str:
        if _is_bengali():
            return self.trader_name_bn or self.trader_name_en
        return self.trader_name_en or self.trader_name_bn

    @property
    def is_editable(self) -> bool:
        """A draft or an application returned for correction (the trader may change it)."""
        return self.status in self.EDITABLE

    # What was applied for: the values fixed on submission (SNAPSHOT_FIELDS, all set
    # together, so a category code marks a submitted application), else the business's
    # current ones (a draft).
    SNAPSHOT_FIELDS = ("category_code", "paid_up_capital", "signboard_sqft", "premises_address")

    def applied(self, field: str):
        """The submitted value of a SNAPSHOT_FIELDS field, else the business's value."""
        if field not in self.SNAPSHOT_FIELDS:
            raise ValueError(f"not a field fixed on submission: {field}")
        return getattr(self, field) if self.category_code else getattr(self.business, field)

    @property
    def applied_category_code(self) -> str:
        return self.applied("category_code")

    @property
    def applied_paid_up_capital(self):
        return self.applied("paid_up_capital")

    @property
    def applied_signboard_sqft(self):
        return self.applied("signboard_sqft")

    @property
    def applied_premises_address(self) -> str:
        return self.applied("premises_address")


def applied_category_code_expr(prefix: str = ""):
    """Application.applied_category_code in SQL (`prefix`: the path to the application,
    e.g. "application__"): the category applied for, else the business's."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, NullIf

    return Coalesce(
        NullIf(F(f"{prefix}category_code"), Value("")), F(f"{prefix}business__category_code")
    )


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("Signed application form")
    NID = "nid", _("National ID card")
    PHOTO = "photo", _("Trader's photo")
    TIN = "tin", _("TIN certificate")
    RENT_AGREEMENT = "rent_agreement", _("Rent agreement")
    HOLDING_TAX_RECEIPT = "holding_tax_receipt", _("Holding-tax receipt")
    INCORPORATION = "incorporation", _("Certificate of incorporation")
    ENVIRONMENT_CLEARANCE = "environment_clearance", _("Environment clearance")
    FIRE_CLEARANCE = "fire_clearance", _("Fire service clearance")
    HEALTH_APPROVAL = "health_approval", _("Health department approval")
    TRANSFER_DEED = "transfer_deed", _("Deed or agreement of transfer")
    INSPECTION_PHOTO = "inspection_photo", _("Inspection photo")
    OTHER = "other", _("Other document")


def document_upload_to(instance: ApplicationDocument, filename: str) -> str:
    """The stored name never carries the uploader's file name (services pass a random one)."""
    return f"trade_licenses/applications/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """An uploaded document, checked for type, size and content, stored privately."""

    # The download link on the officer's page, set by views.officer (not a field).
    url: str

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    inspection = models.ForeignKey(
        "Inspection", on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_upload_to, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "kind", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.original_name}"


class Inspection(models.Model):
    """The inspector's visit to the premises: when, what was found, photos (documents)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspector"),
    )
    visited_at = models.DateTimeField(_("visited at"))
    findings = models.TextField(_("findings"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-visited_at"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.application_id} {self.visited_at:%Y-%m-%d}"


class ApplicationEvent(models.Model):
    """The workflow history of an application: every status change, who, why, when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '∅'} → {self.to_status}"


# --- licences --------------------------------------------------------------------------------


class LicenceCounter(models.Model):
    """The last licence number used in a fiscal year (locked while a licence is issued)."""

    fiscal_year = models.CharField(max_length=7, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last}"


class Licence(models.Model):
    """An issued trade licence, valid to 30 June of its fiscal year, numbered per fiscal
    year without gaps (`KCC/TL/2025-26/000123`), checked by anyone at /verify/<code>/. A
    transfer issues a new licence for the year; the one it replaces stops being current."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="licences", verbose_name=_("business")
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="licence"
    )
    fiscal_year = models.CharField(_("fiscal year"), max_length=7, db_index=True)
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("licence number"), max_length=40, unique=True)
    verify_code = models.CharField(max_length=32, unique=True)
    valid_until = models.DateField(_("valid until"))
    is_current = models.BooleanField(_("current"), default=True)
    withdrawn_reason = models.CharField(_("withdrawn because"), max_length=300, blank=True)
    bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to="trade_licenses/certificates/", blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("trade licence")
        verbose_name_plural = _("trade licences")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="tl_licence_sequence_unique_in_year"
            ),
            models.UniqueConstraint(
                fields=["business", "fiscal_year"],
                condition=Q(is_current=True),
                name="tl_one_current_licence_per_business_year",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReminderSent(models.Model):
    """A renewal reminder sent (SMS and e-mail) for a business and fiscal year. Steps:
    "30d" and "7d" before the deadline, "day" (on it), "month-1", "month-2", … after it.
    The unique constraint makes sure no step is ever sent twice."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reminders")
    licence = models.ForeignKey(
        Licence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        help_text=_("The licence being renewed (last year's)."),
    )
    fiscal_year = models.CharField(max_length=7, help_text=_("The year being renewed for."))
    step = models.CharField(max_length=12)
    sent_at = models.DateTimeField(auto_now_add=True)
    channels = models.CharField(max_length=30, blank=True)  # e.g. "sms,email"

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "fiscal_year", "step"], name="tl_reminder_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.fiscal_year} {self.step}"
