"""Bills, payments, the allocation ledger, gateway events, receipts, counter sessions,
credits and refunds. Money is Decimal with two places; reversals are new rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.explain import explain


class _Digits(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Digits = {"max_digits": 14, "decimal_places": 2}


class RevenueHead(models.TextChoices):
    HOLDING_TAX = "holding_tax", _("Holding tax")
    CONSERVANCY = "conservancy", _("Conservancy")
    LIGHTING = "lighting", _("Lighting")
    LICENCE_FEE = "licence_fee", _("Licence fee")
    SIGNBOARD_TAX = "signboard_tax", _("Signboard tax")
    VAT = "vat", _("VAT")
    INCOME_TAX = "income_tax", _("Income tax at source")
    SURCHARGE = "surcharge", _("Surcharge")
    REBATE = "rebate", _("Rebate")
    RENT = "rent", _("Rent")
    WATER = "water", _("Water")
    SEWERAGE = "sewerage", _("Sewerage")
    LATE_FEE = "late_fee", _("Late fee")
    APPLICATION_FEE = "application_fee", _("Application fee")
    REGISTRATION_FEE = "registration_fee", _("Registration fee")
    RENEWAL_FEE = "renewal_fee", _("Renewal fee")
    TRANSFER_FEE = "transfer_fee", _("Transfer fee")
    MUTATION_FEE = "mutation_fee", _("Mutation fee")
    SALAMI = "salami", _("Premium (salami)")
    SECURITY_DEPOSIT = "security_deposit", _("Security deposit")
    LEASE = "lease", _("Lease amount")
    PLATE_FEE = "plate_fee", _("Number plate and card fee")
    OTHER = "other", _("Other")


class Bill(models.Model):
    """What someone owes now for one service subject."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        SUPERSEDED = "superseded", _("Superseded")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.OPEN: {Status.PAID, Status.SUPERSEDED, Status.CANCELLED},
        Status.PAID: {Status.OPEN},  # only by voiding the payment that paid it
        Status.SUPERSEDED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("bill number"), max_length=30, unique=True)
    service = models.CharField(_("service"), max_length=40, db_index=True)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    subject_label_bn = models.CharField(max_length=300, blank=True)
    subject_label_en = models.CharField(max_length=300, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        verbose_name=_("payer"),
    )
    payer_name = models.CharField(_("payer name"), max_length=200, blank=True)
    payer_mobile = models.CharField(_("payer mobile"), max_length=11, blank=True, db_index=True)
    ward = models.ForeignKey(
        "core.Ward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ward"),
    )
    fiscal_year = models.CharField(_("fiscal year"), max_length=7, db_index=True)
    period_label = models.CharField(_("period"), max_length=100, blank=True)  # English
    period_label_bn = models.CharField(_("period (Bengali)"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("due date"))
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        indexes = [models.Index(fields=["service", "subject_type", "subject_id"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="bill_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def subject_label(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.subject_label_bn or self.subject_label_en
        return self.subject_label_en or self.subject_label_bn

    @property
    def period(self) -> str:
        """The period in the reader's language ("অর্থবছর ২০২৬-২৭ কিস্তি ১" / "FY 2026-27 Q1")."""
        if (get_language() or "bn").startswith("bn"):
            return self.period_label_bn or self.period_label
        return self.period_label or self.period_label_bn

    @property
    def is_payable(self) -> bool:
        return self.status == self.Status.OPEN and self.total > 0


class BillClaim(models.Model):
    """A due that a bill covers: an instalment, an arrear, a licence year, a water month, a
    shop's rent month. A due is claimed by at most one live bill (open or paid): the
    conditional unique constraint is the database rule. Superseding or cancelling a bill
    releases its claims; a payment that lands on it afterwards becomes a credit."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="claims")
    due = models.CharField(max_length=150, db_index=True)  # "<service>:<what>:<id>"
    live = models.BooleanField(default=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bill", "due"]
        constraints = [
            models.UniqueConstraint(
                fields=["due"], condition=Q(live=True), name="one_live_bill_per_due"
            ),
            models.UniqueConstraint(fields=["bill", "due"], name="bill_claims_due_once"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.due}"


class BillLine(models.Model):
    """One revenue head of a bill, with the rule that made it."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    head = models.CharField(_("revenue head"), max_length=30, choices=RevenueHead.choices)
    description_bn = models.CharField(max_length=300, blank=True)
    description_en = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    explanation = models.TextField(_("how it was computed"), blank=True)
    # The same explanation as data (core.explain), written in the reader's language; lines
    # made before it was kept have only the English `explanation`.
    explanation_data = models.JSONField(default=list, blank=True, editable=False)
    period = models.CharField(
        _("owed for"), max_length=7, blank=True, help_text=_("The fiscal year or month.")
    )
    arrears = models.BooleanField(
        _("arrears"), default=False, help_text=_("Owed for an earlier period than the current one.")
    )

    class Meta:
        ordering = ["bill", "position", "pk"]
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")

    def __str__(self) -> str:
        return f"{self.bill.number} {self.head} {self.amount}"

    @property
    def description(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.description_bn or self.description_en or self.get_head_display()
        return self.description_en or self.description_bn or self.get_head_display()

    @property
    def explanation_text(self) -> str:
        """How the amount was computed, in the active language (older lines: English)."""
        return explain(self.explanation_data) or self.explanation


class Payment(models.Model):
    """One attempt to pay one or more bills through one channel."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online (SSLCommerz)")
        COUNTER = "counter", _("Counter cash")

    class Status(models.TextChoices):
        INITIATED = "initiated", _("Initiated")
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        ON_HOLD = "on_hold", _("On hold")
        FLAGGED = "flagged", _("Flagged")
        VOIDED = "voided", _("Voided")
        REFUNDED = "refunded", _("Refunded")

    TRANSITIONS = {
        Status.INITIATED: {
            Status.PENDING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.EXPIRED,
            Status.ON_HOLD,
            Status.FLAGGED,
        },
        Status.PENDING: {
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.EXPIRED,
            Status.ON_HOLD,
            Status.FLAGGED,
        },
        # A late, validated notice of money can still rescue a failed/cancelled/expired one.
        Status.FAILED: {Status.SUCCEEDED, Status.ON_HOLD, Status.FLAGGED},
        Status.CANCELLED: {Status.SUCCEEDED, Status.ON_HOLD, Status.FLAGGED},
        Status.EXPIRED: {Status.SUCCEEDED, Status.ON_HOLD, Status.FLAGGED},
        Status.ON_HOLD: {Status.SUCCEEDED, Status.REFUNDED},
        Status.FLAGGED: {Status.SUCCEEDED, Status.REFUNDED, Status.FAILED},
        Status.SUCCEEDED: {Status.VOIDED},
        Status.VOIDED: set(),
        Status.REFUNDED: set(),
    }
    OPEN_STATUSES = {Status.INITIATED, Status.PENDING}
    # A payment that may still bring money for its bills: they are never cancelled or
    # superseded under it.
    LIVE_STATUSES = {Status.INITIATED, Status.PENDING, Status.ON_HOLD, Status.FLAGGED}
    # Of those, the ones an officer holds (no time limit): the others count as under way
    # only for PAYMENT_IN_PROGRESS_MINUTES, after which a checkout is taken as abandoned.
    REVIEWED_STATUSES = {Status.ON_HOLD, Status.FLAGGED}

    tran_id = models.CharField(_("transaction id"), max_length=30, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INITIATED, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="BDT")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("payer"),
    )
    payer_name = models.CharField(max_length=200, blank=True)
    payer_mobile = models.CharField(max_length=11, blank=True)
    bills = models.ManyToManyField(Bill, through="PaymentBill", related_name="payments")
    # Gateway facts (online)
    gateway_url = models.URLField(max_length=500, blank=True)
    sessionkey = models.CharField(max_length=100, blank=True)
    val_id = models.CharField(max_length=100, blank=True, db_index=True)
    bank_tran_id = models.CharField(max_length=100, blank=True)
    card_type = models.CharField(max_length=100, blank=True)
    risk_level = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_title = models.CharField(max_length=100, blank=True)
    # Counter facts
    counter_session = models.ForeignKey(
        "CounterSession", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # What the gateway kept of an online payment, from its settlement report
    # (payments.reconciliation): amount − store amount.
    gateway_fee = models.DecimalField(_("gateway fee"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tran_id} {self.amount} {self.status}"


class PaymentBill(models.Model):
    """Which bills a payment covers, and the amount owed on each when it began."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="items")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payment_items")
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "bill"], name="payment_bill_once")
        ]


class PaymentTransition(models.Model):
    """The history of a payment's status: every move, who made it and why."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Allocation(models.Model):
    """The ledger: how a succeeded payment's money is split over bills and their lines.

    A payment is allocated once per bill line; a void or refund adds negative rows that
    point at the rows they reverse. Every report sums this table.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REVERSAL = "reversal", _("Reversal")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    bill_line = models.ForeignKey(BillLine, on_delete=models.PROTECT, related_name="allocations")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    head = models.CharField(max_length=30, choices=RevenueHead.choices, db_index=True)
    amount = models.DecimalField(**MONEY)
    service = models.CharField(max_length=40, db_index=True)
    fiscal_year = models.CharField(max_length=7, db_index=True)
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Payment.Channel.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Counted in the collection rollups yet (payments/rollups.py): the one column of the
    # ledger that changes, once, from false to true, and only by the rollups' refresh.
    rolled_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "bill_line"],
                condition=Q(kind="payment"),
                name="allocate_line_once",
            ),
        ]
        indexes = [
            # The rows not rolled up yet: few, found without reading the ledger.
            models.Index(fields=["id"], condition=Q(rolled_up=False), name="allocation_not_rolled"),
        ]


#: What a rollup row is keyed by, besides its grain (payments.rollups.KEY).
ROLLUP_KEY = (
    "day",
    "fiscal_year",
    "service",
    "head",
    "channel",
    "method",
    "ward_key",
    "office_key",
    "clerk_key",
)


class CollectionRollup(models.Model):
    """What the ledger collected, summed by day and by everything the collections dashboard
    groups or filters on. Kept by payments/rollups.py from the allocations (a void's
    reversal rows count, negative, on the day of the void); `rebuild_rollups --check`
    proves it equals a recomputation from the ledger. The ward, office and clerk are kept
    as plain numbers (0: none), so that every row has one key, on every database."""

    class Grain(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"

    # Each allocation is counted twice: in its day's row and in its month's row (`day` the
    # month's first day), so a year reads twelve months' rows and a few days' (rollups.py).
    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField()  # the allocation's day in the city's time zone
    fiscal_year = models.CharField(max_length=7)  # the bill's
    service = models.CharField(max_length=40)
    head = models.CharField(max_length=30)
    channel = models.CharField(max_length=10)
    method = models.CharField(max_length=20)  # payments.rollups.METHODS; "" at the counter
    ward_key = models.IntegerField(default=0)  # the bill's core.Ward pk
    office_key = models.IntegerField(default=0)  # the counter session's core.Ward pk
    clerk_key = models.IntegerField(default=0)  # the collecting clerk's accounts.User pk
    amount = models.DecimalField(default=Decimal("0.00"), **MONEY)
    lines = models.IntegerField(default=0)  # allocation rows summed, reversals included

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", *ROLLUP_KEY],
                name="collection_rollup_one_row_per_key",
            ),
        ]
        indexes = [models.Index(fields=["grain", "day"], name="collection_rollup_day")]


class RollupState(models.Model):
    """One row, locked by whoever changes the rollups, so two refreshes never add the same
    allocations twice; it also says when they last ran."""

    refreshed_at = models.DateTimeField(null=True, blank=True)


class PaymentEvent(models.Model):
    """Every raw gateway message and answer, append-only."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        IPN = "ipn", _("Payment notification (IPN)")
        RETURN_SUCCESS = "return_success", _("Browser return: success")
        RETURN_FAIL = "return_fail", _("Browser return: fail")
        RETURN_CANCEL = "return_cancel", _("Browser return: cancel")
        VALIDATION = "validation", _("Validation")
        QUERY = "query", _("Transaction query")
        REFUND = "refund", _("Refund")
        COUNTER = "counter", _("Counter")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    tran_id = models.CharField(max_length=100, blank=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    payload = models.JSONField(default=dict, blank=True)
    answer = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("Payment events are append-only.")
        super().save(*args, **kwargs)


class ReceiptCounter(models.Model):
    """The last receipt number used in a fiscal year (locked while a receipt is issued)."""

    fiscal_year = models.CharField(max_length=7, unique=True)
    last = models.PositiveIntegerField(default=0)


class Receipt(models.Model):
    """Numbered per fiscal year, without gaps or duplicates; verifiable by its code."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    fiscal_year = models.CharField(max_length=7)
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    verify_code = models.CharField(max_length=24, unique=True)
    amount = models.DecimalField(**MONEY)
    issued_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(upload_to="receipts/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="receipt_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number


@dataclass(frozen=True)
class Balance:
    """A closed drawer's result: balanced, short or over, and by how much."""

    kind: str  # "balanced" | "short" | "over" | "unknown"
    amount: Decimal

    @classmethod
    def of(cls, difference: Decimal | None) -> Balance:
        if difference is None:
            return cls("unknown", Decimal("0.00"))
        if difference == 0:
            return cls("balanced", Decimal("0.00"))
        return cls("short" if difference < 0 else "over", abs(difference))


class CounterSession(models.Model):
    """A clerk's cash drawer: opened, payments taken, closed with counted cash, verified."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        VERIFIED = "verified", _("Verified")

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counter_sessions"
    )
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opening_float = models.DecimalField(_("opening cash"), default=Decimal("0.00"), **MONEY)
    expected_cash = models.DecimalField(null=True, blank=True, **MONEY)
    counted_cash = models.DecimalField(_("counted cash"), null=True, blank=True, **MONEY)
    difference = models.DecimalField(null=True, blank=True, **MONEY)
    note = models.TextField(blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # The bank slip its cash went to the bank on (payments.services.cashbook).
    deposit = models.ForeignKey(
        "BankDeposit", on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(status="open"), name="one_open_session_per_clerk"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.clerk} {self.status}"

    @property
    def balance(self) -> Balance:
        """Balanced, short or over (unknown while the session is open)."""
        return Balance.of(self.difference)


class Credit(models.Model):
    """Money that arrived for a bill already paid or superseded, or too much: owed back."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REFUNDING = "refunding", _("Refund in progress")
        REFUNDED = "refunded", _("Refunded")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="credits")
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credits",
    )
    payer_mobile = models.CharField(max_length=11, blank=True)
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_amount_positive"),
            models.UniqueConstraint(fields=["payment", "bill"], name="credit_once_per_bill"),
        ]


class Refund(models.Model):
    """Money sent back through the gateway's refund API."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    credit = models.ForeignKey(
        Credit, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = models.DecimalField(**MONEY)
    remarks = models.CharField(max_length=255)
    refund_trans_id = models.CharField(max_length=30, unique=True)
    refund_ref_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            # One live refund per credit, and one live full refund per held payment: the
            # row is the claim, made under the payment's lock before the gateway is asked.
            # A failed refund frees the claim, so the officer can try again.
            models.UniqueConstraint(
                fields=["credit"],
                condition=Q(credit__isnull=False) & ~Q(status="failed"),
                name="refund_credit_once_unless_failed",
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(credit__isnull=True) & ~Q(status="failed"),
                name="refund_payment_once_unless_failed",
            ),
        ]


class MonthClose(models.Model):
    """A month the revenue officer has closed after reconciliation: nothing more can be
    dated into it (payments.services.closing). One row per month, kept when an
    administrator reopens it (with a reason) and used again if it is closed again; every
    close and reopening is in the audit log. `totals` is what the month's ledger held by
    revenue head when it was closed: {"heads": {head: "amount"}, "total": "…", "lines": n}.
    """

    month = models.DateField(_("month"), unique=True)  # its first day
    closed = models.BooleanField(_("closed"), default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="month_close_on_first_day"),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class SettlementImport(models.Model):
    """One settlement report of the gateway, imported by a revenue officer
    (payments.reconciliation). The same file is imported once (its SHA-256)."""

    file_name = models.CharField(_("file"), max_length=200)
    digest = models.CharField(max_length=64, unique=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    summary = models.JSONField(default=dict, blank=True)  # outcome → how many rows

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("settlement report")
        verbose_name_plural = _("settlement reports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.first_day}–{self.last_day})"


class SettlementRow(models.Model):
    """One transaction of a settlement report, as the gateway wrote it, and how it
    compared with the payment of the same tran_id here."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("In both, agreeing")
        REPORT_ONLY = "report_only", _("Money taken, not recorded here")
        AMOUNT = "amount", _("Amount differs")
        STATUS = "status", _("Status differs")
        UNPAID = "unpaid", _("Not paid on either side")

    settlement = models.ForeignKey(SettlementImport, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    tran_id = models.CharField(_("transaction id"), max_length=30, db_index=True)
    val_id = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    store_amount = models.DecimalField(_("store amount"), **MONEY)
    card_type = models.CharField(_("card type"), max_length=100, blank=True)
    bank_tran_id = models.CharField(max_length=100, blank=True)
    tran_date = models.DateTimeField(_("transaction date"))
    settlement_date = models.DateField(_("settlement date"), null=True, blank=True)
    status = models.CharField(_("gateway status"), max_length=20)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)

    class Meta:
        ordering = ["settlement", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "line_no"], name="settlement_line_once"),
            models.UniqueConstraint(fields=["settlement", "tran_id"], name="settlement_tran_once"),
        ]

    @property
    def fee(self) -> Decimal:
        return self.amount - self.store_amount


class ReconciliationCase(models.Model):
    """A difference between the gateway's report and the ledger, for a revenue officer to
    resolve with a note: one per transaction and kind."""

    class Kind(models.TextChoices):
        REPORT_ONLY = "report_only", _("In the report only")
        HERE_ONLY = "here_only", _("Here only")
        AMOUNT = "amount", _("Amount differs")
        STATUS = "status", _("Status differs")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    tran_id = models.CharField(_("transaction id"), max_length=30)
    day = models.DateField(_("day"))  # the transaction's day (for closing its month)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    row = models.ForeignKey(
        SettlementRow, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    settlement = models.ForeignKey(SettlementImport, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("reconciliation case")
        verbose_name_plural = _("reconciliation cases")
        constraints = [
            models.UniqueConstraint(fields=["tran_id", "kind"], name="case_once_per_tran_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.tran_id} {self.kind} {self.status}"


class BankDeposit(models.Model):
    """Counter cash taken to the bank: one bank slip, against closed counter sessions of one
    office (a ward office, or the head office). The variance (slip − the sessions' cash in
    the ledger) is flagged until a revenue officer explains it."""

    ward = models.ForeignKey(
        "core.Ward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    bank = models.CharField(_("bank and branch"), max_length=100)
    slip_number = models.CharField(_("bank slip number"), max_length=50)
    deposited_on = models.DateField(_("deposited on"))
    amount = models.DecimalField(_("amount deposited"), **MONEY)
    expected = models.DecimalField(_("cash taken in the sessions"), **MONEY)
    variance = models.DecimalField(_("variance"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    explanation = models.TextField(_("explanation"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deposited_on", "-pk"]
        verbose_name = _("bank deposit")
        verbose_name_plural = _("bank deposits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.UniqueConstraint(fields=["bank", "slip_number"], name="deposit_slip_once"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.slip_number} {self.amount}"

    @property
    def flagged(self) -> bool:
        """A variance nobody has explained yet."""
        return bool(self.variance) and not self.explained_at


class ReceiptBook(models.Model):
    """A book of paper receipts for the transition year: registered with its number range,
    issued to a counter clerk, closed when every leaf is accounted for (used, cancelled or
    spoiled). payments.services.paper."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("book number"), max_length=30, unique=True)
    first_leaf = models.PositiveIntegerField(_("first receipt number"))
    last_leaf = models.PositiveIntegerField(_("last receipt number"))
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipt_books",
        verbose_name=_("issued to"),
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("receipt book")
        verbose_name_plural = _("receipt books")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_leaf__gte=models.F("first_leaf")), name="book_range_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def leaves(self) -> int:
        return self.last_leaf - self.first_leaf + 1


class PaperReceipt(models.Model):
    """One leaf of a receipt book, accounted for: used (a payment back-entered from it, dated
    the day it was written), cancelled or spoiled (with a reason). One row per leaf."""

    class Use(models.TextChoices):
        USED = "used", _("Used")
        CANCELLED = "cancelled", _("Cancelled")
        SPOILED = "spoiled", _("Spoiled")

    book = models.ForeignKey(ReceiptBook, on_delete=models.PROTECT, related_name="receipts")
    leaf = models.PositiveIntegerField(_("receipt number"))
    use = models.CharField(_("use"), max_length=10, choices=Use.choices)
    written_on = models.DateField(_("written on"), null=True, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="paper_receipt"
    )
    reason = models.TextField(_("reason"), blank=True)
    late = models.BooleanField(_("entered late"), default=False)  # after the days allowed
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["book", "leaf"]
        verbose_name = _("paper receipt")
        verbose_name_plural = _("paper receipts")
        constraints = [
            models.UniqueConstraint(fields=["book", "leaf"], name="paper_leaf_once"),
            models.CheckConstraint(
                condition=Q(use="used", payment__isnull=False, written_on__isnull=False)
                | (~Q(use="used") & Q(payment__isnull=True) & ~Q(reason="")),
                name="paper_leaf_used_or_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book.number}/{self.leaf}"

    @property
    def reference(self) -> str:
        return f"{self.book.number}/{self.leaf}"
