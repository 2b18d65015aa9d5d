"""State of the SSLCommerz simulator, and the protocol fields "the gateway" sends.

One :class:`SimulatedTransaction` row per checkout session (a retry of the same tran_id
is a new session, hence a new row); one :class:`SimulatedRefund` row per refund.

Everything that decides *what the gateway answers* lives here (session checks, outcome
of the checkout, IPN/validation/transaction-query fields, refund rules), so the views
only parse HTTP and render. State changes that must happen once (paying a session,
validating it for the first time) are conditional ``UPDATE ... WHERE status = ...``
statements, so two concurrent requests cannot both win.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.db import models
from django.db import transaction as db_transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.gateways.sslcommerz import (
    MAX_AMOUNT,
    MAX_TRAN_ID_LENGTH,
    MAX_VALUE_FIELD_LENGTH,
    MIN_AMOUNT,
)

CENT = Decimal("0.01")
#: The gateway keeps 2.5 % of every payment: store_amount = amount less this share.
GATEWAY_FEE_RATE = Decimal("0.025")
#: An unpaid session older than this is reported as EXPIRED and can no longer be paid.
SESSION_LIFETIME = timedelta(hours=24)
DEFAULT_SLOW_SECONDS = 3
MAX_SLOW_SECONDS = 120

#: Boolean test switches (the checkout page's checkboxes and the control endpoint).
SWITCH_FLAGS: tuple[str, ...] = ("risk", "no_ipn", "duplicate_ipn", "validation_down")
SLOW_SWITCH = "slow_validation"

VALUE_FIELDS: tuple[str, ...] = ("value_a", "value_b", "value_c", "value_d")
SESSION_REQUIRED_FIELDS: tuple[str, ...] = (
    "tran_id",
    "total_amount",
    "currency",
    "success_url",
    "fail_url",
    "cancel_url",
    "cus_name",
    "cus_email",
    "cus_add1",
    "cus_city",
    "cus_country",
    "cus_phone",
    "product_name",
    "product_category",
)
_URL_FIELDS: tuple[str, ...] = ("success_url", "fail_url", "cancel_url", "ipn_url")
_ALNUM = string.ascii_letters + string.digits

#: What each checkout button does. "fail" is a card payment the bank declines.
_INSTRUMENTS: dict[str, dict[str, str]] = {
    "bkash": {
        "card_type": "BKASH-BKash",
        "card_no": "",  # filled from the customer's phone, masked
        "card_issuer": "BKash Mobile Banking",
        "card_brand": "MOBILEBANKING",
    },
    "card": {
        "card_type": "VISA-Dutch Bangla",
        "card_no": "418117XXXXXX6675",
        "card_issuer": "DUTCH-BANGLA BANK LIMITED",
        "card_brand": "VISA",
    },
}
_FAILURE_REASONS = {
    "FAILED": "Transaction declined by the issuing bank (simulated)",
    "CANCELLED": "Transaction cancelled by the customer",
}


# --------------------------------------------------------------------------------------
# Protocol helpers
# --------------------------------------------------------------------------------------


class SessionRefused(Exception):
    """The session API answers FAILED with this failedreason."""


class RefundRefused(Exception):
    """The refund API answers status "failed" with this errorReason."""


def money_text(value: Decimal) -> str:
    """Two decimals, as the gateway writes amounts: Decimal("10") -> "10.00"."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def parse_amount(text: Any) -> Decimal | None:
    """A posted amount as Decimal with two places, or None (garbage, <= 0, > 2 places)."""
    if not isinstance(text, str):
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def gateway_time(moment: datetime | None) -> str:
    """Local (Asia/Dhaka) time as the gateway writes it: "2020-01-05 22:58:21"."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def new_sessionkey() -> str:
    return secrets.token_hex(16).upper()


def new_refund_ref_id() -> str:
    return secrets.token_hex(7)[:13]


def _stamped_id() -> str:
    """val_id / bank_tran_id style: local yymmddHHMMSS followed by 15 random characters."""
    stamp = timezone.localtime().strftime("%y%m%d%H%M%S")
    return stamp + "".join(secrets.choice(_ALNUM) for _ in range(15))


def _mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
    if len(digits) < 6:
        return "01XXXXXXXXX"
    return digits[:3] + "X" * (len(digits) - 5) + digits[-2:]


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def parse_flag(value: Any) -> bool:
    """A form flag: "1", "true", "on", "yes" are true; anything else is false."""
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


def parse_slow_seconds(value: Any, *, default: float = DEFAULT_SLOW_SECONDS) -> float:
    """Seconds for the slow-validation switch ("2", "0.5"), clamped to 0..MAX_SLOW_SECONDS.

    An empty value means ``default``; a value that is not a number raises ValueError.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return float(default)
    try:
        seconds = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number of seconds: {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"not a number of seconds: {value!r}")
    return float(max(Decimal(0), min(seconds, Decimal(MAX_SLOW_SECONDS))))


def switches_from_checkout(form: Mapping[str, str]) -> dict[str, Any]:
    """The switches ticked on the checkout page (unticked checkboxes are not posted)."""
    switches: dict[str, Any] = {flag: parse_flag(form.get(flag)) for flag in SWITCH_FLAGS}
    if parse_flag(form.get(SLOW_SWITCH)):
        try:
            switches[SLOW_SWITCH] = parse_slow_seconds(form.get("slow_seconds"))
        except ValueError:
            switches[SLOW_SWITCH] = float(DEFAULT_SLOW_SECONDS)
    else:
        switches[SLOW_SWITCH] = 0.0
    return switches


# --------------------------------------------------------------------------------------
# Checkout sessions
# --------------------------------------------------------------------------------------


class SimulatedTransactionQuerySet(models.QuerySet["SimulatedTransaction"]):
    def paid(self) -> SimulatedTransactionQuerySet:
        return self.filter(
            status__in=[SimulatedTransaction.Status.VALID, SimulatedTransaction.Status.VALIDATED]
        )

    def by_val_id(self, val_id: str) -> SimulatedTransaction | None:
        if not val_id:
            return None
        return self.filter(val_id=val_id).first()

    def open_session(self, store_id: str, data: Mapping[str, str]) -> SimulatedTransaction:
        """Check a session request as the gateway does and store it; SessionRefused if bad."""
        missing = [name for name in SESSION_REQUIRED_FIELDS if not data.get(name, "").strip()]
        if missing:
            raise SessionRefused(f"Missing or empty field(s): {', '.join(missing)}")
        tran_id = data["tran_id"].strip()
        if len(tran_id) > MAX_TRAN_ID_LENGTH:
            raise SessionRefused(f"tran_id must be at most {MAX_TRAN_ID_LENGTH} characters")
        amount = parse_amount(data["total_amount"])
        if amount is None or not MIN_AMOUNT <= amount <= MAX_AMOUNT:
            raise SessionRefused(
                f"Invalid total_amount: it must be between {MIN_AMOUNT} and {MAX_AMOUNT} BDT"
            )
        currency = data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise SessionRefused("Invalid currency")
        for name in _URL_FIELDS:
            url = data.get(name, "").strip()
            if url and not _is_http_url(url):
                raise SessionRefused(f"Invalid {name}")
        for name in VALUE_FIELDS:
            if len(data.get(name, "")) > MAX_VALUE_FIELD_LENGTH:
                raise SessionRefused(f"{name} must be at most {MAX_VALUE_FIELD_LENGTH} characters")
        return self.create(
            tran_id=tran_id,
            store_id=store_id,
            amount=amount,
            currency=currency,
            success_url=data["success_url"].strip(),
            fail_url=data["fail_url"].strip(),
            cancel_url=data["cancel_url"].strip(),
            ipn_url=data.get("ipn_url", "").strip(),
            cus_name=data["cus_name"].strip()[:255],
            cus_phone=data["cus_phone"].strip()[:32],
            product_name=data["product_name"].strip()[:255],
            **{name: data.get(name, "") for name in VALUE_FIELDS},
        )

    def set_switches(self, tran_id: str, changes: Mapping[str, Any], *, clear: bool) -> int:
        """Change the test switches of every session of ``tran_id``; returns how many."""
        with db_transaction.atomic():
            rows = list(self.select_for_update().filter(tran_id=tran_id))
            for row in rows:
                switches = {} if clear else dict(row.switches)
                switches.update(changes)
                row.switches = switches
                row.save(update_fields=["switches"])
        return len(rows)


class SimulatedTransaction(models.Model):
    """One checkout session at the simulated gateway."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("pending")
        VALID = "VALID", _("paid (valid)")
        VALIDATED = "VALIDATED", _("paid and validated")
        FAILED = "FAILED", _("failed")
        CANCELLED = "CANCELLED", _("cancelled")
        UNATTEMPTED = "UNATTEMPTED", _("unattempted")
        EXPIRED = "EXPIRED", _("expired")

    #: Moves the simulator makes (UNATTEMPTED and EXPIRED are reported, never stored).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.VALID, Status.FAILED, Status.CANCELLED}),
        Status.VALID: frozenset({Status.VALIDATED}),
    }

    tran_id = models.CharField(_("transaction ID"), max_length=MAX_TRAN_ID_LENGTH, db_index=True)
    sessionkey = models.CharField(
        _("session key"), max_length=64, unique=True, default=new_sessionkey, editable=False
    )
    store_id = models.CharField(_("store ID"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="BDT")
    success_url = models.CharField(_("success URL"), max_length=1000)
    fail_url = models.CharField(_("fail URL"), max_length=1000)
    cancel_url = models.CharField(_("cancel URL"), max_length=1000)
    ipn_url = models.CharField(_("IPN URL"), max_length=1000, blank=True)
    cus_name = models.CharField(_("customer name"), max_length=255)
    cus_phone = models.CharField(_("customer phone"), max_length=32)
    product_name = models.CharField(_("product name"), max_length=255)
    value_a = models.CharField(max_length=MAX_VALUE_FIELD_LENGTH, blank=True)
    value_b = models.CharField(max_length=MAX_VALUE_FIELD_LENGTH, blank=True)
    value_c = models.CharField(max_length=MAX_VALUE_FIELD_LENGTH, blank=True)
    value_d = models.CharField(max_length=MAX_VALUE_FIELD_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    val_id = models.CharField(_("validation ID"), max_length=64, blank=True, db_index=True)
    bank_tran_id = models.CharField(
        _("bank transaction ID"), max_length=64, blank=True, db_index=True
    )
    card_type = models.CharField(_("card type"), max_length=64, blank=True)
    card_no = models.CharField(_("card number (masked)"), max_length=32, blank=True)
    card_issuer = models.CharField(_("card issuer"), max_length=100, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=32, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), default=0)
    risk_title = models.CharField(_("risk title"), max_length=32, default="Safe")
    switches = models.JSONField(_("test switches"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    objects = SimulatedTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("simulated transaction")
        verbose_name_plural = _("simulated transactions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["val_id"], condition=~Q(val_id=""), name="gwsim_unique_val_id"
            ),
            models.UniqueConstraint(
                fields=["bank_tran_id"],
                condition=~Q(bank_tran_id=""),
                name="gwsim_unique_bank_tran_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="gwsim_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tran_id} ({self.sessionkey[:8]}…, {self.status})"

    # ---------------------------------------------------------------- switches

    def switch(self, name: str) -> bool:
        return bool(self.switches.get(name))

    @property
    def slow_seconds(self) -> float:
        try:
            return parse_slow_seconds(self.switches.get(SLOW_SWITCH), default=0)
        except ValueError:
            return 0

    # ---------------------------------------------------------------- state

    @property
    def is_paid(self) -> bool:
        return self.status in {self.Status.VALID, self.Status.VALIDATED}

    def is_expired(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PENDING and now - self.created_at >= SESSION_LIFETIME

    def is_open(self, now: datetime | None = None) -> bool:
        """Can the customer still pay, fail or cancel this session?"""
        return self.status == self.Status.PENDING and not self.is_expired(now)

    def reported_status(self, now: datetime | None = None) -> str:
        """Status as the transaction query reports it (an unpaid session is UNATTEMPTED)."""
        if self.status == self.Status.PENDING:
            return self.Status.EXPIRED if self.is_expired(now) else self.Status.UNATTEMPTED
        return self.status

    @property
    def store_amount(self) -> Decimal:
        return (self.amount * (1 - GATEWAY_FEE_RATE)).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def return_url(self) -> str:
        """Where the browser goes back to once the session is closed."""
        if self.is_paid:
            return self.success_url
        if self.status == self.Status.CANCELLED:
            return self.cancel_url
        return self.fail_url

    def close(self, action: str, switches: Mapping[str, Any]) -> bool:
        """The customer pressed ``action`` (bkash, card, fail, cancel) on the checkout page.

        Returns False, changing nothing, when the session is no longer open (already
        closed by another request, or expired). Raises ValueError for an unknown action.
        """
        now = timezone.now()
        changes: dict[str, Any] = {"switches": dict(switches), "closed_at": now}
        if action in _INSTRUMENTS:
            risky = bool(switches.get("risk"))
            changes.update(
                _INSTRUMENTS[action],
                status=self.Status.VALID,
                paid_at=now,
                val_id=_stamped_id(),
                bank_tran_id=_stamped_id(),
                risk_level=1 if risky else 0,
                risk_title="Risky" if risky else "Safe",
            )
            if action == "bkash":
                changes["card_no"] = _mask_phone(self.cus_phone)
        elif action == "fail":
            changes.update(
                _INSTRUMENTS["card"], status=self.Status.FAILED, bank_tran_id=_stamped_id()
            )
        elif action == "cancel":
            changes["status"] = self.Status.CANCELLED
        else:
            raise ValueError(f"unknown checkout action {action!r}")
        if not self.is_open(now):
            return False
        return self._move(self.Status.PENDING, changes)

    def mark_validated(self) -> bool:
        """VALID -> VALIDATED. True only for the one call that made the move."""
        return self._move(
            self.Status.VALID, {"status": self.Status.VALIDATED, "validated_at": timezone.now()}
        )

    def _move(self, expected: str, changes: dict[str, Any]) -> bool:
        """Apply ``changes`` (a status move) only if the row is still ``expected``.

        A conditional UPDATE, so of two concurrent requests only one makes the move.
        Returns whether this call made it; ``self`` is refreshed either way.
        """
        target = changes["status"]
        if target not in self.TRANSITIONS.get(expected, frozenset()):
            raise ValueError(f"illegal simulator move {expected} -> {target}")
        updated = type(self).objects.filter(pk=self.pk, status=expected).update(**changes)
        if updated:
            for name, value in changes.items():
                setattr(self, name, value)
        else:
            self.refresh_from_db()
        return bool(updated)

    def refundable_amount(self) -> Decimal:
        refunded = self.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        return self.amount - refunded

    # ---------------------------------------------------------------- protocol fields

    def _common_fields(self) -> dict[str, str]:
        has_instrument = bool(self.card_type)
        amount = money_text(self.amount)
        return {
            "tran_id": self.tran_id,
            "val_id": self.val_id,
            "amount": amount,
            "store_amount": money_text(self.store_amount),
            "currency": self.currency,
            "bank_tran_id": self.bank_tran_id,
            "tran_date": gateway_time(self.closed_at or self.created_at),
            "card_type": self.card_type,
            "card_no": self.card_no,
            "card_issuer": self.card_issuer,
            "card_brand": self.card_brand,
            "card_issuer_country": "Bangladesh" if has_instrument else "",
            "card_issuer_country_code": "BD" if has_instrument else "",
            "currency_type": self.currency,
            "currency_amount": amount,
            "currency_rate": "1.0000",
            "base_fair": "0.00",
            "risk_level": str(self.risk_level),
            "risk_title": self.risk_title,
            **{name: getattr(self, name) for name in VALUE_FIELDS},
        }

    def gateway_fields(self) -> dict[str, str]:
        """Unsigned fields of the IPN and of the browser's return POST."""
        status = self.Status.VALID if self.is_paid else self.status
        fields = {**self._common_fields(), "status": str(status), "store_id": self.store_id}
        if status in _FAILURE_REASONS:
            fields["error"] = _FAILURE_REASONS[status]
        return fields

    def validation_fields(self, status: str) -> dict[str, str]:
        """Answer of the Order Validation API for this (paid) session."""
        return {
            **self._common_fields(),
            "status": status,
            "APIConnect": "DONE",
            "validated_on": gateway_time(self.validated_at),
            "gw_version": "",
        }

    def query_element(self, now: datetime | None = None) -> dict[str, str]:
        """One element of the transaction query's answer."""
        fields = self._common_fields()
        status = self.reported_status(now)
        return {
            **fields,
            "status": str(status),
            "validated_on": gateway_time(self.validated_at),
            "tran_date": gateway_time(self.closed_at or self.created_at),
            "error": _FAILURE_REASONS.get(status, ""),
        }


# --------------------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------------------


class SimulatedRefundQuerySet(models.QuerySet["SimulatedRefund"]):
    def initiate(
        self,
        *,
        bank_tran_id: str,
        amount: Decimal,
        remarks: str,
        refund_trans_id: str = "",
    ) -> SimulatedRefund:
        """Refund part or all of a paid session; RefundRefused when the gateway would say no.

        The session row is locked, so concurrent refunds cannot together exceed the paid
        amount. Repeating a refund_trans_id returns the refund it already made.
        """
        if not remarks.strip():
            raise RefundRefused("refund_remarks is required")
        if len(refund_trans_id) > MAX_TRAN_ID_LENGTH:
            raise RefundRefused("refund_trans_id is too long")
        with db_transaction.atomic():
            txn = (
                SimulatedTransaction.objects.select_for_update()
                .paid()
                .filter(bank_tran_id=bank_tran_id)
                .first()
                if bank_tran_id
                else None
            )
            if txn is None:
                raise RefundRefused("Invalid bank_tran_id or the transaction is not paid")
            if refund_trans_id:
                earlier = txn.refunds.filter(refund_trans_id=refund_trans_id).first()
                if earlier is not None:
                    if earlier.amount != amount:
                        raise RefundRefused("refund_trans_id already used for another amount")
                    return earlier
            if amount > txn.refundable_amount():
                raise RefundRefused(
                    "Refund amount exceeds the transaction amount less earlier refunds"
                )
            now = timezone.now()
            return self.create(
                transaction=txn,
                amount=amount,
                remarks=remarks.strip()[:MAX_VALUE_FIELD_LENGTH],
                refund_trans_id=refund_trans_id,
                status=SimulatedRefund.Status.REFUNDED,
                initiated_at=now,
                refunded_at=now,
            )


class SimulatedRefund(models.Model):
    """A refund of (part of) a paid session. The simulator refunds at once."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        REFUNDED = "refunded", _("refunded")
        CANCELLED = "cancelled", _("cancelled")

    refund_ref_id = models.CharField(
        _("refund reference"), max_length=32, unique=True, default=new_refund_ref_id,
        editable=False,
    )
    transaction = models.ForeignKey(
        SimulatedTransaction,
        on_delete=models.CASCADE,
        related_name="refunds",
        verbose_name=_("transaction"),
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    remarks = models.CharField(_("remarks"), max_length=MAX_VALUE_FIELD_LENGTH)
    refund_trans_id = models.CharField(
        _("merchant refund ID"), max_length=MAX_TRAN_ID_LENGTH, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROCESSING
    )
    initiated_at = models.DateTimeField(_("initiated at"), default=timezone.now)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    objects = SimulatedRefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("simulated refund")
        verbose_name_plural = _("simulated refunds")
        ordering = ["initiated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "refund_trans_id"],
                condition=~Q(refund_trans_id=""),
                name="gwsim_unique_refund_trans_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="gwsim_refund_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.refund_ref_id} ({self.amount} of {self.transaction.tran_id})"

    def initiate_answer(self) -> dict[str, str]:
        return {
            "APIConnect": "DONE",
            "bank_tran_id": self.transaction.bank_tran_id,
            "trans_id": self.refund_trans_id,
            "refund_ref_id": self.refund_ref_id,
            "status": "success",
            "errorReason": "",
        }

    def query_answer(self) -> dict[str, str]:
        return {
            "APIConnect": "DONE",
            "bank_tran_id": self.transaction.bank_tran_id,
            "tran_id": self.transaction.tran_id,
            "refund_ref_id": self.refund_ref_id,
            "initiated_on": gateway_time(self.initiated_at),
            "refunded_on": gateway_time(self.refunded_at),
            "status": self.status,
            "errorReason": "",
        }
