"""Applications for an e-bike licence (from home or filed at the counter) with their papers,
and the renewal reminders sent. Imported by ezbike.models; every write is in
ezbike/services/applications.py.

An application files the owner, the vehicle and its drivers into the register and applies
for the year's Licence (status "applied"); the licence carries the workflow (waiting,
approved, active, rejected — ezbike.services.licences), the application carries who filed
it, its papers, its application fee and the officer's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage


class Application(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("From home")
        COUNTER = "counter", _("At the counter")

    licence = models.OneToOneField(
        "ezbike.Licence", on_delete=models.PROTECT, related_name="application"
    )
    channel = models.CharField(_("filed"), max_length=8, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ezbike_applications",
        verbose_name=_("applicant's account"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    mobile = models.CharField(_("mobile for messages"), max_length=11)
    fee_bill = models.ForeignKey(
        "payments.Bill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application fee bill"),
    )
    fee_paid_at = models.DateTimeField(_("application fee paid"), null=True, blank=True)
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
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("e-bike licence application")
        verbose_name_plural = _("e-bike licence applications")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"EB-{self.pk}"


class DocumentKind(models.TextChoices):
    VEHICLE_PHOTO = "vehicle_photo", _("Photo of the e-bike")
    OWNERSHIP = "ownership", _("Ownership papers (purchase receipt or deed)")


def document_upload_to(instance: ApplicationDocument, filename: str) -> str:
    """The stored name never carries the uploader's file name (services pass a random one)."""
    return f"ezbike/applications/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """A paper of an application, checked by content (core.uploads), stored privately."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
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
        verbose_name = _("e-bike application document")
        verbose_name_plural = _("e-bike application documents")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.original_name}"


class RenewalReminder(models.Model):
    """A renewal reminder sent for a licence (the step: "d30", "d7", "d0", "m1", "m2", …);
    the unique constraint makes each step go out once (core.reminders.send_once)."""

    licence = models.ForeignKey(
        "ezbike.Licence", on_delete=models.CASCADE, related_name="reminders"
    )
    step = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "step"], name="ezbike_one_reminder_per_step"
            ),
        ]


__all__ = ["Application", "ApplicationDocument", "DocumentKind", "RenewalReminder"]
