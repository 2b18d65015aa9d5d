"""Water casework: applications for a new connection (with their documents and fee bill) and
disconnections for arrears (notice, order, reconnection fee). Imported by
water_billing.models; every write is in water_billing/services/ (applications,
disconnections)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import DecimalDigits
from core.storage import private_storage

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


class ConnectionApplication(models.Model):
    """An application for a new connection. The Connection it asks for exists from the
    start in status "applied" (consumer number, holding, category, pipe); the application
    carries the workflow: the water officer's decision, the fee bill, the connection."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the water officer")
        BILLED = "billed", _("Approved: fee to pay")
        PAID = "paid", _("Fee paid: meter to install")
        CONNECTED = "connected", _("Connected")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.BILLED, Status.REJECTED},
        Status.BILLED: {Status.PAID, Status.SUBMITTED},  # paid, or the bill cancelled
        Status.PAID: {Status.CONNECTED, Status.BILLED},  # connected, or the payment voided
        Status.CONNECTED: set(),
        Status.REJECTED: set(),
    }
    #: Waiting for the officer's decision.
    WAITING = (Status.SUBMITTED,)
    DECIDED = (Status.BILLED, Status.PAID, Status.CONNECTED, Status.REJECTED)

    class Channel(models.TextChoices):
        ONLINE = "online", _("From home")
        COUNTER = "counter", _("At the counter")

    connection = models.OneToOneField(
        "water_billing.Connection", on_delete=models.PROTECT, related_name="application"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    channel = models.CharField(_("filed"), max_length=8, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="water_applications",
        verbose_name=_("applicant's account"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("applicant's name"), max_length=200)
    applicant_mobile = models.CharField(_("applicant's mobile"), max_length=11)
    road_cutting = models.BooleanField(
        _("the pipe crosses a road"),
        default=False,
        help_text=_("The road-cutting fee is charged when the pipe must cross a road."),
    )
    connection_fee = models.DecimalField(_("connection fee"), null=True, blank=True, **MONEY)
    road_cutting_fee = models.DecimalField(_("road-cutting fee"), null=True, blank=True, **MONEY)
    bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application for a water connection")
        verbose_name_plural = _("applications for a water connection")
        indexes = [models.Index(fields=["status", "created_at"], name="water_app_queue")]

    def __str__(self) -> str:
        return f"WA-{self.pk}"

    @property
    def reference(self) -> str:
        return f"WA-{self.pk}"


class DocumentKind(models.TextChoices):
    NID = "nid", _("NID of the applicant")
    OWNERSHIP = "ownership", _("Deed or latest holding-tax receipt")


def document_upload_to(instance: ConnectionDocument, filename: str) -> str:
    """The stored name never carries the uploader's file name (services pass a random one)."""
    return f"water_billing/applications/{instance.application_id}/{filename}"


class ConnectionDocument(models.Model):
    """A paper of an application, checked by content (core.uploads), stored privately."""

    application = models.ForeignKey(
        ConnectionApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
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
        verbose_name = _("connection application document")
        verbose_name_plural = _("connection application documents")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.original_name}"


class Disconnection(models.Model):
    """A connection's case for arrears: the notice (sent once), the order that disconnected
    it, the reconnection fee bill and the reconnection. One open case per connection."""

    class Status(models.TextChoices):
        NOTICED = "noticed", _("Notice sent")
        DISCONNECTED = "disconnected", _("Disconnected")
        RECONNECTED = "reconnected", _("Reconnected")
        SETTLED = "settled", _("Paid before disconnection")

    TRANSITIONS = {
        Status.NOTICED: {Status.DISCONNECTED, Status.SETTLED},
        Status.DISCONNECTED: {Status.RECONNECTED},
        Status.RECONNECTED: set(),
        Status.SETTLED: set(),
    }
    OPEN = (Status.NOTICED, Status.DISCONNECTED)

    connection = models.ForeignKey(
        "water_billing.Connection", on_delete=models.PROTECT, related_name="disconnections"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOTICED
    )
    months_unpaid = models.PositiveSmallIntegerField(_("months unpaid at the notice"))
    arrears = models.DecimalField(_("arrears at the notice"), **MONEY)
    noticed_at = models.DateTimeField(_("notice sent"), auto_now_add=True)
    noticed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ordered_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disconnected by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    reconnection_fee = models.DecimalField(_("reconnection fee"), null=True, blank=True, **MONEY)
    fee_bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_paid = models.BooleanField(_("reconnection fee paid"), default=False)
    reconnected_at = models.DateTimeField(_("reconnected at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-noticed_at"]
        verbose_name = _("disconnection for arrears")
        verbose_name_plural = _("disconnections for arrears")
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(status__in=["noticed", "disconnected"]),
                name="one_open_disconnection_per_connection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.status}"
