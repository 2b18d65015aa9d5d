"""Refunds at the simulated gateway: SimulatedRefund and its queryset (refund rules)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db import transaction as db_transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.gateways.sslcommerz import MAX_TRAN_ID_LENGTH, MAX_VALUE_FIELD_LENGTH

from .protocol import RefundRefused, gateway_time, new_refund_ref_id
from .transactions import SimulatedTransaction


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
        _("refund reference"),
        max_length=32,
        unique=True,
        default=new_refund_ref_id,
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
