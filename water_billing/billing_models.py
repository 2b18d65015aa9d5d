"""Water bills: the monthly dues and the runs that make them (imported by models.py).

A **WaterBill** is what one connection owes for one billing month: made set-based by
water_billing.billing.generate_water_bills (one per connection and month — a unique
constraint), with its lines (water, minimum-charge top-up or flat charge, sewerage, VAT,
late fees for earlier months left unpaid past their due date) and how each was made. It is
a *due* in payments' words (``water-month:<connection>:<YYYY-MM>``): the payments Bill is
made through payments.services.bill_issue when someone pays (water_billing.dues), with
the earlier unpaid months on it as arrears lines. Paid (on_paid) it points at that Bill.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import DecimalDigits
from core.runs import HeartbeatFields

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


class WaterBill(models.Model):
    """One connection's charges for one billing month (`period`, its first day)."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")

    # Moved only by the payments hooks (registry_hooks): paid, and back when the payment
    # that paid it is voided.
    TRANSITIONS = {Status.DUE: {Status.PAID}, Status.PAID: {Status.DUE}}

    connection = models.ForeignKey(
        "water_billing.Connection",
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,  # the (connection, period) constraint's index leads with it
    )
    period = models.DateField(_("billing month"), help_text=_("The first day of the month."))
    reading = models.ForeignKey(
        "water_billing.Reading",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reading"),
    )
    # The connection as it was billed.
    category = models.CharField(_("category"), max_length=15)
    metered = models.BooleanField(_("metered"))
    pipe_diameter_mm = models.PositiveSmallIntegerField(_("pipe diameter"))
    sewerage = models.BooleanField(_("sewerage connected"))
    units = models.PositiveBigIntegerField(_("billed (m³)"), null=True, blank=True)
    estimated = models.BooleanField(_("estimated"), default=False)
    bill_date = models.DateField(_("bill date"))
    due_date = models.DateField(_("due date"))
    charges = models.DecimalField(_("the month's charges"), **MONEY)
    late_fee = models.DecimalField(_("late fees"), default=0, **MONEY)
    total = models.DecimalField(_("total for the month"), **MONEY)
    arrears = models.DecimalField(
        _("arrears"),
        default=0,
        help_text=_("Earlier months unpaid on the bill date (each remains its own due)."),
        **MONEY,
    )
    status = models.CharField(_("status"), max_length=5, choices=Status.choices, default=Status.DUE)
    # The month whose bill charged this month's late fee (once: set when it is charged).
    late_fee_period = models.DateField(_("late fee charged in"), null=True, blank=True)
    paid_bill = models.ForeignKey(
        "payments.Bill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by bill"),
    )
    # Unique by a constraint, not unique=True: on PostgreSQL that would add a second
    # (pattern) index every bill pays for and no lookup uses.
    verify_code = models.CharField(max_length=16)
    sms_sent_at = models.DateTimeField(_("SMS sent"), null=True, blank=True)
    run = models.ForeignKey(
        "water_billing.BillingRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connection", "-period"]
        verbose_name = _("water bill")
        verbose_name_plural = _("water bills")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "period"], name="one_water_bill_per_connection_month"
            ),
            models.UniqueConstraint(fields=["verify_code"], name="water_bill_verify_code_unique"),
            models.CheckConstraint(
                condition=Q(charges__gte=0) & Q(late_fee__gte=0) & Q(arrears__gte=0),
                name="water_bill_amounts_not_negative",
            ),
        ]
        # Few indexes: every one is written for each of the month's bills.
        indexes = [models.Index(fields=["period", "status"], name="water_bill_period_status")]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.period:%Y-%m}"

    @property
    def due_key(self) -> str:
        """The due's name in payments (without the service): water-month:<conn>:<YYYY-MM>."""
        return f"water-month:{self.connection_id}:{self.period:%Y-%m}"

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"


class WaterBillLine(models.Model):
    """One line of a month's bill: kind (water_billing.tariff: water, minimum, flat,
    sewerage, vat, late_fee), revenue head, amount, and how it was made (core.explain)."""

    water_bill = models.ForeignKey(WaterBill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10)
    head = models.CharField(max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY)
    explanation_data = models.JSONField(default=list, blank=True)
    tariff_from = models.DateField(null=True, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    # A late fee's overdue month.
    for_period = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["water_bill", "position", "pk"]
        verbose_name = _("water bill line")
        verbose_name_plural = _("water bill lines")

    def __str__(self) -> str:
        return f"{self.water_bill} {self.kind} {self.amount}"

    @property
    def explanation_text(self) -> str:
        from core.explain import explain

        return explain(self.explanation_data)

    @property
    def rule(self) -> str:
        from core.explain import explain

        return explain(self.explanation_data, "en")


class BillingRun(HeartbeatFields):
    """One run of a month's bill generation, with the progress the water officer sees. The
    worker writes `heartbeat_at` while it runs (core.runs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.DateField(_("billing month"))
    bill_date = models.DateField(_("bill date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    created = models.JSONField(default=dict, blank=True)  # counts
    held = models.JSONField(default=list, blank=True)  # consumer numbers skipped (held)
    error = models.TextField(blank=True)
    sms_sent = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("water billing run")
        verbose_name_plural = _("water billing runs")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"]),
                name="one_live_water_billing_run_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} #{self.pk}"
