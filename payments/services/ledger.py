"""The ledger: status transitions, settlement (allocations, credits, receipt), voids."""

from __future__ import annotations

import datetime
import secrets
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.fiscal import fiscal_year
from core.models import CityProfile
from core.sequences import next_in_year
from core.status import check_transition

from .. import people
from ..models import (
    Allocation,
    Bill,
    BillLine,
    Credit,
    Payment,
    PaymentBill,
    PaymentTransition,
    Receipt,
    ReceiptCounter,
)
from ..notify import queue_receipt_sms
from ..registry import run_hook


class PaymentError(Exception):
    """A refused payment operation; its message is translated and safe to show."""


def payment_transition(
    *,
    payment: Payment,
    to: str,
    reason: str = "",
    actor: Any = None,
    extra_fields: tuple[str, ...] = (),
    scoped: bool = False,
) -> Payment:
    """The one way a payment changes status. The caller holds the row lock; fields named
    in `extra_fields` (already set on the instance) are saved in the same UPDATE. Its two
    writes drop the cached figures of the payment's people only (a failed or cancelled
    checkout no longer drops everyone's); `scoped`: the caller has scoped them already."""
    if not scoped:
        with people.scoped_to_payment(payment):
            return payment_transition(
                payment=payment,
                to=to,
                reason=reason,
                actor=actor,
                extra_fields=extra_fields,
                scoped=True,
            )
    check_transition(
        Payment.TRANSITIONS,
        payment.status,
        to,
        choices=Payment.Status,
        message=gettext_lazy("Payment %(tran_id)s cannot go from “%(old)s” to “%(new)s”."),
        error=PaymentError,
        params={"tran_id": payment.tran_id},
    )
    PaymentTransition.objects.create(
        payment=payment, from_status=payment.status, to_status=to, reason=reason[:2000], actor=actor
    )
    payment.status = to
    payment.status_reason = reason[:2000]
    payment.save(update_fields=["status", "status_reason", "updated_at", *extra_fields])
    return payment


def _issue_receipt(payment: Payment) -> Receipt:
    """Number the receipt now; its PDF is rendered by the worker (render_pending_receipts,
    every minute) or on the first download, whichever comes first."""
    fy = fiscal_year(timezone.localdate())
    sequence = next_in_year(ReceiptCounter, fy)
    return Receipt.objects.create(
        payment=payment,
        fiscal_year=fy,
        sequence=sequence,
        number=f"{city_code()}/R/{fy}/{sequence:06d}",
        verify_code=secrets.token_hex(8),
        amount=payment.amount,
    )


_city_code: tuple[float, str] = (0.0, "")


def city_code() -> str:
    """The city's short code, read at most once a minute per process (every receipt uses it)."""
    global _city_code
    if time.monotonic() - _city_code[0] > 60:
        _city_code = (time.monotonic(), CityProfile.current().code)
    return _city_code[1]


def settle_locked(
    payment: Payment,
    *,
    facts: dict[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
    dated: datetime.datetime | None = None,
) -> Payment:
    """Settle a payment whose row the caller has locked, inside the caller's transaction.

    Each bill still open is paid line by line; money for a bill already paid, superseded
    or cancelled (or whose total changed) becomes a credit on the payer, never lost. The
    ledger rows are dated now, or `dated` (a paper receipt back-entered on a later day).
    """
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.VOIDED, Payment.Status.REFUNDED):
        return payment
    from .closing import ensure_open

    # The allocations are dated today (or `dated`): refused if that month is closed.
    ensure_open(timezone.localtime(dated).date() if dated else None)
    items = list(
        PaymentBill.objects.filter(payment=payment)
        .select_related("bill")
        .select_for_update(of=("bill",))
        .order_by("bill_id")
    )
    # Its writes concern the cached figures of the bills' and the payment's people only.
    with people.scoped_to_bills([i.bill for i in items], payment.payer_id):
        return _settle(payment, items, facts=facts, reason=reason, actor=actor, dated=dated)


def _settle(
    payment: Payment,
    items: list[PaymentBill],
    *,
    facts: dict[str, Any] | None,
    reason: str,
    actor: Any,
    dated: datetime.datetime | None,
) -> Payment:
    """settle_locked's work on the payment's bills, locked."""
    for key, value in (facts or {}).items():
        setattr(payment, key, value)
    payment.settled_at = dated or timezone.now()
    payment_transition(
        payment=payment,
        to=Payment.Status.SUCCEEDED,
        reason=reason or "settled",
        actor=actor,
        extra_fields=("settled_at", *(facts or {})),
        scoped=True,  # by settle_locked
    )
    open_items = [
        i for i in items if i.bill.status == Bill.Status.OPEN and i.bill.total == i.amount
    ]
    open_bills = {i.bill_id: i.bill for i in open_items}
    lines = BillLine.objects.filter(bill_id__in=open_bills).order_by("bill_id", "position")
    Allocation.objects.bulk_create(
        [
            Allocation(
                payment=payment,
                bill_id=line.bill_id,
                bill_line=line,
                head=line.head,
                amount=line.amount,
                service=open_bills[line.bill_id].service,
                fiscal_year=open_bills[line.bill_id].fiscal_year,
                ward_id=open_bills[line.bill_id].ward_id,
                channel=payment.channel,
                collected_by_id=payment.received_by_id,
            )
            for line in lines
        ]
    )
    if dated is not None:
        Allocation.objects.filter(payment=payment).update(created_at=dated)
    if open_items:
        Bill.objects.filter(pk__in=[i.bill_id for i in open_items]).update(
            status=Bill.Status.PAID, paid_at=payment.settled_at
        )
    Credit.objects.bulk_create(
        [
            Credit(
                payment=payment,
                bill=i.bill,
                payer_id=payment.payer_id,
                payer_mobile=payment.payer_mobile,
                amount=i.amount,
                reason=f"bill {i.bill.number} was {i.bill.status} when the money arrived",
            )
            for i in items
            if i not in open_items
        ]
    )
    queue_receipt_sms(payment)  # after the commit; a payment settles once, so one SMS
    if actor is not None:
        audit.record(
            action="payment.settled",
            obj=payment,
            actor=actor,
            reason=reason,
            after={"amount": payment.amount},
        )
    for item in open_items:
        item.bill.status = Bill.Status.PAID
        run_hook(item.bill, "paid")
    # The very last step: the year's receipt counter row stays locked from here until the
    # caller commits, and every settlement of the year queues on it — so nothing but the
    # receipt's own INSERT comes after it (docs/performance.md: the ceiling this leaves).
    _issue_receipt(payment)
    return payment


def payment_settle(
    *, payment_id: int, facts: dict[str, Any] | None = None, reason: str = "", actor: Any = None
) -> Payment:
    """Mark a payment succeeded and allocate its money, exactly once: the payment row is
    locked, so duplicate and concurrent notifications settle once. (Automatic settlements
    are recorded by the payment's transition history; an officer's also in the audit log.)
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        return settle_locked(payment, facts=facts, reason=reason, actor=actor)


@transaction.atomic
def payment_void(*, payment: Payment, reason: str, officer: Any) -> Payment:
    """Void a succeeded cash payment: reversal rows, the bills reopen. Revenue officers only."""
    if not officer.has_perm("accounts.void_payments"):
        raise PaymentError(_("Only a revenue officer can void a payment."))
    if not reason.strip():
        raise PaymentError(_("A reason is required to void a payment."))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.channel != Payment.Channel.COUNTER:
        raise PaymentError(_("Online payments are refunded, not voided."))
    from .closing import ensure_open

    ensure_open()  # the reversal rows are dated today, whenever the payment was made
    payment_transition(payment=payment, to=Payment.Status.VOIDED, reason=reason, actor=officer)
    originals = list(payment.allocations.filter(kind=Allocation.Kind.PAYMENT))
    Allocation.objects.bulk_create(
        [
            Allocation(
                payment=payment,
                bill_id=a.bill_id,
                bill_line_id=a.bill_line_id,
                kind=Allocation.Kind.REVERSAL,
                reverses=a,
                head=a.head,
                amount=-a.amount,
                service=a.service,
                fiscal_year=a.fiscal_year,
                ward_id=a.ward_id,
                channel=a.channel,
                collected_by=a.collected_by,
            )
            for a in originals
        ]
    )
    reopened = []
    for bill in (
        Bill.objects.select_for_update()
        .filter(pk__in={a.bill_id for a in originals})
        .order_by("pk")
    ):
        if bill.status == Bill.Status.PAID:
            bill.status = Bill.Status.OPEN
            bill.paid_at = None
            bill.save(update_fields=["status", "paid_at"])
            reopened.append(bill)
    from .. import tasks

    receipt = Receipt.objects.filter(payment=payment).first()
    if receipt is not None:  # re-render with the VOID mark
        transaction.on_commit(lambda: tasks.render_receipt_pdf.delay(receipt.pk), robust=True)
    audit.record(
        action="payment.voided",
        obj=payment,
        actor=officer,
        reason=reason,
        before={"status": "succeeded"},
        after={"status": "voided", "reopened": [b.number for b in reopened]},
    )
    for bill in reopened:
        run_hook(bill, "reopened")
    return payment
