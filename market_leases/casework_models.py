"""An allotment's casework: a name change (`Transfer`, for the transfer fee, billed through
payments; paid, the shop passes to the new lessee) and a cancellation for arrears
(`ArrearsCase`: a notice by SMS with a hearing date, then the decision). Imported by
models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import DecimalDigits

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


class Transfer(models.Model):
    """A name change of an active allotment to a new lessee (the new lessee's current trade
    licence checked), done when the transfer fee is paid."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Waiting for the transfer fee")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    allotment = models.ForeignKey(
        "market_leases.Allotment", on_delete=models.PROTECT, related_name="transfers"
    )
    new_lessee = models.ForeignKey(
        "market_leases.Lessee", on_delete=models.PROTECT, related_name="+"
    )
    decision_reference = models.CharField(_("decision reference"), max_length=200)
    decision_date = models.DateField(_("decision date"))
    trade_licence_number = models.CharField(_("trade licence number"), max_length=40)
    trade_licence_valid_until = models.DateField(_("trade licence valid until"))
    fee = models.DecimalField(_("transfer fee"), **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    new_allotment = models.OneToOneField(
        "market_leases.Allotment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["allotment"],
                condition=Q(status="pending_payment"),
                name="one_pending_transfer_per_allotment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.allotment_id} → {self.new_lessee_id}"


class ArrearsCase(models.Model):
    """A cancellation for arrears: the notice (SMS, with the hearing date) and the decision —
    cancelled with a reason (the deposit set against what is owed), or withdrawn."""

    class Status(models.TextChoices):
        NOTICE = "notice", _("Notice sent, hearing to come")
        CANCELLED = "cancelled", _("Allotment cancelled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    allotment = models.ForeignKey(
        "market_leases.Allotment", on_delete=models.PROTECT, related_name="arrears_cases"
    )
    months_unpaid = models.PositiveSmallIntegerField(_("months unpaid"))
    owed = models.DecimalField(_("owed at the notice"), **MONEY)
    hearing_on = models.DateField(_("hearing date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOTICE
    )
    reason = models.TextField(_("reason"), blank=True)
    # On cancellation: the deposit set against the dues (rent.deposit_set_off).
    set_off = models.JSONField(default=dict, blank=True)

    class Refund(models.TextChoices):
        NONE = "none", _("Nothing to refund")
        PENDING = "pending", _("Refund being sent")
        REFUNDED = "refunded", _("Refunded through the gateway")
        AT_COUNTER = "counter", _("To refund at the counter")
        FAILED = "failed", _("Refund failed: the revenue officer refunds by hand")

    # What is left of the deposit, sent back to whoever paid it (services.casework).
    refund = models.CharField(
        _("refund of the deposit"), max_length=10, choices=Refund.choices, default=Refund.NONE
    )
    refund_note = models.CharField(max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cancellation for arrears")
        verbose_name_plural = _("cancellations for arrears")
        constraints = [
            models.UniqueConstraint(
                fields=["allotment"],
                condition=Q(status="notice"),
                name="one_open_arrears_case_per_allotment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.allotment_id} {self.status}"
