"""Monthly shop rent: a month's rent of an allotment (`RentMonth`, one per allotment and
month — a unique constraint) and the runs that make a month's rents (`RentRun`, with the
progress the estate officer sees and the worker's heartbeat). Imported by models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import DecimalDigits
from core.runs import HeartbeatFields

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


class RentRun(HeartbeatFields):
    """One run of a month's rent generation (market_leases.billing.generate_shop_rent)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.DateField(_("rent month"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    created = models.JSONField(default=dict, blank=True)  # counts
    error = models.TextField(blank=True)
    sms_sent = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("shop rent run")
        verbose_name_plural = _("shop rent runs")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"]),
                name="one_live_shop_rent_run_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} #{self.pk}"


class RentMonth(models.Model):
    """An allotment's rent for one month: the schedule in force on the month's first day,
    due on the lease rules' due day; paid by a payments Bill that claims its due
    ``rent:<allotment>:<YYYY-MM>`` (with the surcharge reckoned on the day the bill is
    made). `arrears` is what earlier months still owed in rent when this one was made."""

    class Status(models.TextChoices):
        DUE = "due", _("Unpaid")
        PAID = "paid", _("Paid")
        # Covered by the security deposit when the allotment was cancelled for arrears.
        SET_OFF = "set_off", _("Set against the deposit")

    allotment = models.ForeignKey(
        "market_leases.Allotment",
        on_delete=models.PROTECT,
        related_name="rent_months",
        verbose_name=_("allotment"),
    )
    period = models.DateField(_("month"))
    rent = models.DecimalField(_("rent"), **MONEY)
    schedule_from = models.DateField(_("rent schedule from"))
    due_date = models.DateField(_("due date"))
    arrears = models.DecimalField(_("earlier months unpaid"), default=0, **MONEY)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DUE, db_index=True
    )
    paid_bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(
        RentRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="months"
    )
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["allotment", "period"]
        verbose_name = _("month's shop rent")
        verbose_name_plural = _("months' shop rent")
        constraints = [
            models.UniqueConstraint(
                fields=["allotment", "period"], name="one_rent_per_allotment_and_month"
            ),
            models.CheckConstraint(condition=Q(rent__gte=0), name="rent_month_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.allotment_id} {self.period:%Y-%m}"

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def due_key(self) -> str:
        """The due a payments Bill claims for this month."""
        return f"rent:{self.allotment_id}:{self.period:%Y-%m}"
