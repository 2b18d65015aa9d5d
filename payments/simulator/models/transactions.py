"""Checkout sessions at the simulated gateway: SimulatedTransaction and its queryset."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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

from .protocol import (
    CENT,
    FAILURE_REASONS,
    GATEWAY_FEE_RATE,
    INSTRUMENTS,
    SESSION_LIFETIME,
    SESSION_REQUIRED_FIELDS,
    URL_FIELDS,
    VALUE_FIELDS,
    SessionRefused,
    gateway_time,
    is_http_url,
    mask_phone,
    money_text,
    new_sessionkey,
    parse_amount,
    stamped_id,
)
from .switches import SLOW_SWITCH, parse_slow_seconds


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
        for name in URL_FIELDS:
            url = data.get(name, "").strip()
            if url and not is_http_url(url):
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
        if action in INSTRUMENTS:
            risky = bool(switches.get("risk"))
            changes.update(
                INSTRUMENTS[action],
                status=self.Status.VALID,
                paid_at=now,
                val_id=stamped_id(),
                bank_tran_id=stamped_id(),
                risk_level=1 if risky else 0,
                risk_title="Risky" if risky else "Safe",
            )
            if action == "bkash":
                changes["card_no"] = mask_phone(self.cus_phone)
        elif action == "fail":
            changes.update(
                INSTRUMENTS["card"], status=self.Status.FAILED, bank_tran_id=stamped_id()
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
        if status in FAILURE_REASONS:
            fields["error"] = FAILURE_REASONS[status]
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
            "error": FAILURE_REASONS.get(status, ""),
        }
