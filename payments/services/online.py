"""The online flow through SSLCommerz: start, notifications (IPN), browser returns,
reconciliation, holds and refunds. Return pages never settle on their own word."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.money import format_amount

from .. import people
from ..codes import random_code
from ..gateways import get_client
from ..gateways.sslcommerz import (
    MAX_AMOUNT,
    MIN_AMOUNT,
    GatewayError,
    GatewayUnavailable,
    RefundResult,
    pick_settled,
    verify_ipn_signature,
)
from ..models import Bill, CounterSession, Credit, Payment, PaymentBill, PaymentEvent, Refund
from .callbacks import clean_text, count_refused, has_nul, refused_payload, stored_payload
from .ledger import PaymentError, payment_transition, settle_locked

log = logging.getLogger(__name__)
FAILED_STATUSES = {
    "FAILED": Payment.Status.FAILED,
    "CANCELLED": Payment.Status.CANCELLED,
    "EXPIRED": Payment.Status.EXPIRED,
}


def new_tran_id(prefix: str = "P") -> str:
    """Unique and unguessable: P + date + 12 random characters (≤ 30)."""
    return f"{prefix}{timezone.localdate():%y%m%d}{random_code(12)}"


def _storable(value: Any) -> Any:
    """A JSON value without NUL characters (PostgreSQL cannot store them)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def record_event(
    kind: str,
    *,
    payment: Payment | None = None,
    tran_id: str = "",
    payload: Mapping[str, Any] | None = None,
    answer: Mapping[str, Any] | None = None,
    outcome: str = "",
    remote_addr: str | None = None,
) -> PaymentEvent:
    """Append one event. Callers bound what they pass (gateway callbacks: see
    payments.services.callbacks); NUL characters are removed here."""
    return PaymentEvent.objects.create(
        payment=payment,
        tran_id=clean_text(tran_id or (payment.tran_id if payment else ""))[:100],
        kind=kind,
        payload=_storable(payload or {}),
        answer=_storable(answer or {}),
        outcome=clean_text(outcome)[:300],
        remote_addr=remote_addr,
    )


def callback_refuse(
    *,
    kind: str,
    payload: Mapping[str, str],
    reason: str,
    payment: Payment | None = None,
    remote_addr: str | None = None,
) -> PaymentEvent:
    """A refused gateway callback: counted and logged, and only a small record of it
    stored (payments.services.callbacks.refused_payload), never the posted body."""
    tran_id = clean_text(str(payload.get("tran_id", "")))[:30]
    count_refused(kind=kind, reason=reason, remote_addr=remote_addr, tran_id=tran_id)
    return record_event(
        kind,
        payment=payment,
        tran_id=tran_id,
        payload=refused_payload(payload),
        outcome=f"refused: {reason}",
        remote_addr=remote_addr,
    )


@people.scoped(lambda **kw: kw["bills"])
def create_payment(
    *,
    bills: Sequence[Bill],
    channel: str,
    payer: Any = None,
    payer_name: str = "",
    payer_mobile: str = "",
    received_by: Any = None,
    counter_session: CounterSession | None = None,
) -> Payment:
    """A payment over open bills (inside the caller's transaction)."""
    if not bills:
        raise PaymentError(_("Choose at least one bill to pay."))
    ids = sorted({b.pk for b in bills})
    locked = list(Bill.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    not_open = [b.number for b in locked if not b.is_payable]
    if not_open:
        raise PaymentError(
            _("These bills cannot be paid now (already paid, replaced or cancelled): %(bills)s.")
            % {"bills": ", ".join(not_open)}
        )
    amount = sum((b.total for b in locked), Decimal("0.00"))
    payment = Payment.objects.create(
        tran_id=new_tran_id("C" if channel == Payment.Channel.COUNTER else "P"),
        channel=channel,
        amount=amount,
        payer=payer,
        payer_name=payer_name or (payer.display_name if payer else locked[0].payer_name),
        payer_mobile=payer_mobile or (getattr(payer, "mobile", "") or locked[0].payer_mobile),
        received_by=received_by,
        counter_session=counter_session,
    )
    PaymentBill.objects.bulk_create(
        [PaymentBill(payment=payment, bill=b, amount=b.total) for b in locked]
    )
    return payment


def _callback_urls() -> dict[str, str]:
    base = settings.SITE_URL
    return {
        "success_url": f"{base}/payments/sslcommerz/success/",
        "fail_url": f"{base}/payments/sslcommerz/fail/",
        "cancel_url": f"{base}/payments/sslcommerz/cancel/",
        "ipn_url": f"{base}/payments/sslcommerz/ipn/",
    }


def payment_initiate_online(
    *, bills: Sequence[Bill], payer: Any = None, payer_name: str = "", payer_mobile: str = ""
) -> Payment:
    """Create the payment (committed first, so an early IPN finds it), then open the
    gateway session. The payment is pending with a gateway URL, or failed with a reason."""
    with people.scoped_to_bills(bills, getattr(payer, "pk", None)):  # whom it concerns
        with transaction.atomic():
            payment = _create_online(
                bills=bills, payer=payer, payer_name=payer_name, payer_mobile=payer_mobile
            )
        return _open_session(payment)


def _create_online(
    *, bills: Sequence[Bill], payer: Any, payer_name: str = "", payer_mobile: str = ""
) -> Payment:
    """An online payment of open bills, within the gateway's limits (in the caller's
    transaction)."""
    payment = create_payment(
        bills=bills,
        channel=Payment.Channel.ONLINE,
        payer=payer,
        payer_name=payer_name,
        payer_mobile=payer_mobile,
    )
    if not (MIN_AMOUNT <= payment.amount <= MAX_AMOUNT):
        raise PaymentError(
            _("Online payments must be between %(low)s and %(high)s.")
            % {"low": format_amount(MIN_AMOUNT), "high": format_amount(MAX_AMOUNT)}
        )
    audit.record(
        action="payment.initiated",
        obj=payment,
        after={"amount": payment.amount, "bills": [b.number for b in bills]},
    )
    return payment


def _open_session(payment: Payment) -> Payment:
    """Open the gateway session of a committed payment (outside any transaction: the
    gateway's answer is awaited without a lock held): pending with its gateway URL, or
    failed with the reason (PaymentError)."""
    items = list(payment.items.select_related("bill"))
    payer = payment.payer
    try:
        with get_client() as client:
            result = client.create_session(
                tran_id=payment.tran_id,
                total_amount=payment.amount,
                **_callback_urls(),
                cus_name=payment.payer_name or "Citizen",
                cus_email=(getattr(payer, "email", "") or "noreply@example.com"),
                cus_phone=payment.payer_mobile or "01700000000",
                cus_add1="N/A",
                cus_city="Khulna",
                product_name=", ".join(i.bill.number for i in items)[:255],
                product_category="city-services",
                num_of_item=len(items),
                value_a=payment.tran_id,
            )
    except (GatewayError, ValueError) as exc:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            record_event(PaymentEvent.Kind.SESSION, payment=locked, outcome=f"failed: {exc}"[:300])
            payment_transition(
                payment=locked, to=Payment.Status.FAILED, reason=f"gateway session failed: {exc}"
            )
        raise PaymentError(
            _(
                "The payment gateway could not be reached. Nothing was charged; "
                "please try again in a few minutes."
            )
        ) from exc
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        record_event(
            PaymentEvent.Kind.SESSION,
            payment=locked,
            answer=dict(result.raw),
            outcome="session opened",
        )
        locked.gateway_url = result.gateway_url
        locked.sessionkey = result.sessionkey
        locked.save(update_fields=["gateway_url", "sessionkey", "updated_at"])
        if locked.status == Payment.Status.INITIATED:
            payment_transition(
                payment=locked, to=Payment.Status.PENDING, reason="sent to the gateway"
            )
    return locked


#: A payment the gateway answered "no" to: its still-open bills can be paid again.
RETRYABLE_STATUSES = frozenset(
    {Payment.Status.FAILED, Payment.Status.CANCELLED, Payment.Status.EXPIRED}
)


def retry_bills(payment: Payment) -> tuple[list[Bill], list[Bill]]:
    """The bills of `payment` split into (still payable, no longer payable), by number."""
    bills = sorted((i.bill for i in payment.items.select_related("bill")), key=lambda b: b.number)
    return [b for b in bills if b.is_payable], [b for b in bills if not b.is_payable]


def payment_try_again(*, payment: Payment) -> Payment:
    """A new online payment, for the same payer, of the bills of a failed, cancelled or
    expired one that are still open — through the same rules as payment_initiate_online.
    Decided under the old payment's row lock, so pressing "try again" twice (two tabs, a
    double click) starts one new payment: the second press gets the first one's payment
    while it is still open. PaymentError (translated) when it cannot be tried again or
    none of its bills is open any more (e.g. paid meanwhile at a counter)."""
    with transaction.atomic():
        old = Payment.objects.select_for_update().get(pk=payment.pk)
        if old.channel != Payment.Channel.ONLINE or old.status not in RETRYABLE_STATUSES:
            raise PaymentError(
                _("Only a failed, cancelled or expired online payment can be tried again.")
            )
        payable, gone = retry_bills(old)
        if not payable:
            numbers = ", ".join(b.number for b in gone)
            if all(b.status == Bill.Status.PAID for b in gone):
                raise PaymentError(
                    _("These bills were paid meanwhile, so nothing is left to pay: %(bills)s.")
                    % {"bills": numbers}
                )
            raise PaymentError(
                _("These bills can no longer be paid (paid, replaced or cancelled): %(bills)s.")
                % {"bills": numbers}
            )
        started = _open_retry(old, payable)
        if started is not None:
            return started
        new = _create_online(
            bills=payable,
            payer=old.payer,
            payer_name=old.payer_name,
            payer_mobile=old.payer_mobile,
        )
    return _open_session(new)


def _open_retry(old: Payment, bills: Sequence[Bill]) -> Payment | None:
    """The payment an earlier "try again" of `old` started for exactly these bills, while
    it is still open (initiated or pending)."""
    wanted = {b.pk for b in bills}
    candidates = Payment.objects.filter(
        channel=Payment.Channel.ONLINE,
        payer=old.payer,
        payer_mobile=old.payer_mobile,
        status__in=(Payment.Status.INITIATED, Payment.Status.PENDING),
        created_at__gt=old.created_at,
        items__bill__in=wanted,
    ).distinct()
    for candidate in candidates.prefetch_related("items"):
        if {i.bill_id for i in candidate.items.all()} == wanted:
            return candidate
    return None


def _check_money(payment: Payment, *, tran_id: str, amount: Decimal | None, currency: str) -> str:
    """Why the gateway's word does not match our record ('' when it does)."""
    if tran_id != payment.tran_id:
        return f"tran_id {tran_id!r} is not {payment.tran_id!r}"
    if (currency or "").upper() != payment.currency:
        return f"currency {currency!r} is not {payment.currency}"
    if amount is None or Decimal(amount) != payment.amount:
        return f"amount {amount} is not {payment.amount}"
    return ""


def _apply_gateway_verdict(
    *, payment_id: int, facts: dict[str, Any], mismatch: str, risk_level: int, source: str
) -> Payment:
    """Settle, hold or flag a payment the gateway confirmed, in one transaction under the
    payment's row lock: duplicates and concurrent notices decide once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        status = payment.status
        if status in (Payment.Status.SUCCEEDED, Payment.Status.VOIDED, Payment.Status.REFUNDED):
            return payment  # already decided: a duplicate or late message changes nothing
        if mismatch:
            if status != Payment.Status.FLAGGED:
                payment_transition(
                    payment=payment, to=Payment.Status.FLAGGED, reason=f"{source}: {mismatch}"
                )
            return payment
        if risk_level == 1:
            if status != Payment.Status.ON_HOLD:
                for key, value in facts.items():
                    setattr(payment, key, value)
                payment_transition(
                    payment=payment,
                    to=Payment.Status.ON_HOLD,
                    reason=f"{source}: the gateway flagged this payment as risky",
                    extra_fields=tuple(facts),
                )
            return payment
        if status in (Payment.Status.ON_HOLD, Payment.Status.FLAGGED):
            return payment  # only an officer moves these on
        return settle_locked(payment, facts=facts, reason=f"{source}: validated")


def ipn_receive(*, payload: Mapping[str, Any], remote_addr: str | None = None) -> tuple[int, str]:
    """Handle one IPN. Returns (HTTP status, short answer). Never raises for bad input.
    Each notification is recorded once. No gateway call is made here: a signed VALID
    notice is acknowledged at once and its validation and settlement queued for the
    worker (:func:`ipn_validate`, task payments.tasks.settle_ipn), so a slow gateway never
    holds a web thread. FAILED/CANCELLED/EXPIRED notices are applied here (no call needed).

    The signature is verified on the values exactly as posted; what is stored is the
    known fields only, each cut (payments.services.callbacks.stored_payload). A refused
    IPN — a NUL character anywhere (400), a bad signature (400), an unknown tran_id (404)
    or another store (400) — is counted and logged, and only a small record of it is
    stored (callbacks.refused_payload), without the posted body."""
    payload = {str(k): ("" if v is None else str(v)) for k, v in payload.items()}
    kind = PaymentEvent.Kind.IPN
    if has_nul(payload):  # PostgreSQL cannot even look such a tran_id up
        callback_refuse(kind=kind, payload=payload, reason="NUL byte", remote_addr=remote_addr)
        return 400, "bad request"
    tran_id = payload.get("tran_id", "")[:30]
    if not verify_ipn_signature(payload, settings.SSLCOMMERZ_STORE_PASSWORD):
        callback_refuse(kind=kind, payload=payload, reason="bad signature", remote_addr=remote_addr)
        return 400, "bad signature"
    # The acknowledgement reads only these fields of the payment.
    found = Payment.objects.filter(tran_id=tran_id).only("pk", "tran_id", "status")
    payment = found.first() if tran_id else None
    if payment is None:
        callback_refuse(
            kind=kind, payload=payload, reason="unknown tran_id", remote_addr=remote_addr
        )
        return 404, "unknown transaction"
    if payload.get("store_id") and payload["store_id"] != settings.SSLCOMMERZ_STORE_ID:
        callback_refuse(
            kind=kind,
            payload=payload,
            reason="another store",
            payment=payment,
            remote_addr=remote_addr,
        )
        return 400, "wrong store"
    stored = stored_payload(payload)

    def note(outcome: str, answer: dict[str, Any] | None = None) -> None:
        record_event(
            kind,
            payment=payment,
            tran_id=tran_id,
            payload=stored,
            answer=answer,
            outcome=outcome,
            remote_addr=remote_addr,
        )

    status = payload.get("status", "").upper()
    if status in FAILED_STATUSES:
        note(f"gateway says {status}")
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status in Payment.OPEN_STATUSES:
                payment_transition(
                    payment=locked,
                    to=FAILED_STATUSES[status],
                    reason=f"IPN: {status} {payload.get('error', '')}".strip(),
                )
        return 200, "noted"
    if status != "VALID":
        note(f"ignored status {status!r}")
        return 200, "ignored"
    if payment.status in DECIDED_STATUSES:
        note(f"duplicate: payment already {payment.status}")
        return 200, "already settled"
    # Acknowledged now; the worker asks the validation API and settles (ipn_validate).
    note("accepted: validation queued")
    if not _queue_validation(payment, payload.get("val_id", "")):
        return 202, "pending: reconciliation will confirm"
    return 200, "accepted"


#: Statuses a duplicate or late notification changes nothing in.
DECIDED_STATUSES = frozenset(
    {Payment.Status.SUCCEEDED, Payment.Status.VOIDED, Payment.Status.REFUNDED}
)


def _queue_validation(payment: Payment, val_id: str) -> bool:
    """Hand the validation of a notified payment to the worker (payments.tasks.settle_ipn).
    False when the broker cannot take it: the payment stays pending and the reconciliation
    task (every 10 minutes, for payments pending over 15) asks the gateway instead."""
    from .. import tasks

    try:
        tasks.settle_ipn.apply_async(
            (payment.pk, val_id),
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:  # noqa: BLE001 - a broker outage must not turn an IPN into a 500
        log.exception("could not queue the validation of %s", payment.tran_id)
        return False
    return True


def ipn_validate(*, payment_id: int, val_id: str) -> str:
    """The worker's half of a notification: ask the validation API about `val_id`, then
    settle, hold or flag the payment in one transaction under its row lock (so duplicate
    and concurrent tasks decide once). A payment already decided is left as it is without
    asking the gateway. Returns the payment's status.

    Raises GatewayUnavailable when the gateway cannot answer now (the task retries with
    back-off; the reconciliation task takes over after its last try). Every answer, or
    the failure to get one, is recorded as a validation event."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status in DECIDED_STATUSES:
        return payment.status
    kind = PaymentEvent.Kind.VALIDATION
    try:
        # One attempt per task run: the task's own retries wait without holding a thread.
        with get_client(read_retries=0) as client:
            result = client.validate(val_id)
    except (GatewayError, ValueError) as exc:
        record_event(kind, payment=payment, outcome=f"validation unavailable: {exc}"[:300])
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == Payment.Status.INITIATED:
                payment_transition(
                    payment=locked,
                    to=Payment.Status.PENDING,
                    reason="validation unavailable; reconciliation will retry",
                )
        if isinstance(exc, GatewayUnavailable):
            raise
        return payment.status  # refused outright: reconciliation asks again later
    record_event(
        kind, payment=payment, answer=dict(result.raw), outcome=f"validation status {result.status}"
    )
    if not result.is_valid:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status in Payment.OPEN_STATUSES:
                payment_transition(
                    payment=locked,
                    to=Payment.Status.FLAGGED,
                    reason=f"IPN: validation said {result.status}",
                )
            return locked.status
    mismatch = _check_money(
        payment, tran_id=result.tran_id, amount=result.amount, currency=result.currency
    )
    facts = {
        "val_id": result.val_id[:100],
        "bank_tran_id": result.bank_tran_id[:100],
        "card_type": str(result.raw.get("card_type", ""))[:100],
        "risk_level": result.risk_level,
        "risk_title": result.risk_title[:100],
    }
    payment = _apply_gateway_verdict(
        payment_id=payment.pk,
        facts=facts,
        mismatch=mismatch,
        risk_level=result.risk_level,
        source="IPN",
    )
    return payment.status


def return_receive(
    *, kind: str, payload: Mapping[str, Any], remote_addr: str | None = None
) -> Payment | None:
    """The browser came back from the gateway. Record it; settle nothing.

    Stored in full (known fields only, each cut) when it names a payment of ours and is
    signed by the gateway; otherwise (NUL character, unknown tran_id, bad signature) it
    is counted and logged, and only a small record is stored. A signed or unsigned return
    for a known payment still leads the browser to that payment's status page (None is
    returned only for a NUL character or an unknown tran_id)."""
    payload = {str(k): ("" if v is None else str(v)) for k, v in payload.items()}
    if has_nul(payload):
        callback_refuse(kind=kind, payload=payload, reason="NUL byte", remote_addr=remote_addr)
        return None
    tran_id = payload.get("tran_id", "")[:30]
    payment = Payment.objects.filter(tran_id=tran_id).first() if tran_id else None
    if payment is None:
        callback_refuse(
            kind=kind, payload=payload, reason="unknown tran_id", remote_addr=remote_addr
        )
    elif not verify_ipn_signature(payload, settings.SSLCOMMERZ_STORE_PASSWORD):
        callback_refuse(
            kind=kind,
            payload=payload,
            reason="bad signature",
            payment=payment,
            remote_addr=remote_addr,
        )
    else:
        record_event(
            kind,
            payment=payment,
            tran_id=tran_id,
            payload=stored_payload(payload),
            outcome="browser returned",
            remote_addr=remote_addr,
        )
    return payment


def payment_reconcile(*, payment: Payment, expire_after: timedelta = timedelta(days=1)) -> str:
    """Ask the gateway what happened to a payment and settle, fail or expire it."""
    try:
        with get_client() as client:
            records = client.query_transaction(payment.tran_id)
    except GatewayError as exc:
        record_event(PaymentEvent.Kind.QUERY, payment=payment, outcome=f"query failed: {exc}"[:300])
        return "unavailable"
    record_event(
        PaymentEvent.Kind.QUERY,
        payment=payment,
        answer={"element": [dict(r.raw) for r in records]},
        outcome=f"{len(records)} record(s)",
    )
    settled = pick_settled(records)
    if settled is not None:
        mismatch = _check_money(
            payment,
            tran_id=settled.tran_id,
            amount=settled.amount,
            currency=settled.currency or payment.currency,
        )
        facts = {
            "val_id": settled.val_id[:100],
            "bank_tran_id": settled.bank_tran_id[:100],
            "risk_level": settled.risk_level,
            "risk_title": settled.risk_title[:100],
        }
        payment = _apply_gateway_verdict(
            payment_id=payment.pk,
            facts=facts,
            mismatch=mismatch,
            risk_level=settled.risk_level,
            source="reconciliation",
        )
        return payment.status
    statuses = {r.status.upper() for r in records}
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in Payment.OPEN_STATUSES:
            return locked.status
        for gateway_status, ours in FAILED_STATUSES.items():
            if gateway_status in statuses:
                payment_transition(
                    payment=locked, to=ours, reason=f"reconciliation: gateway says {gateway_status}"
                )
                return locked.status
        if timezone.now() - locked.created_at > expire_after:
            payment_transition(
                payment=locked,
                to=Payment.Status.EXPIRED,
                reason="reconciliation: never completed at the gateway",
            )
        return locked.status


def pending_for_reconciliation(older_than: timedelta) -> QuerySet[Payment]:
    return Payment.objects.filter(
        channel=Payment.Channel.ONLINE,
        status__in=Payment.OPEN_STATUSES,
        created_at__lt=timezone.now() - older_than,
    ).order_by("created_at")


HELD_STATUSES = (Payment.Status.ON_HOLD, Payment.Status.FLAGGED)


def _live_full_refund(payment: Payment) -> QuerySet[Refund]:
    """The held payment's full refund that is requested, in progress or done (not failed)."""
    return Refund.objects.filter(payment=payment, credit__isnull=True).exclude(
        status=Refund.Status.FAILED
    )


def payment_release_hold(*, payment: Payment, officer: Any, reason: str) -> Payment:
    """A revenue officer accepts a payment the gateway flagged as risky: settle it, in one
    transaction under the payment's row lock."""
    if not officer.has_perm("accounts.void_payments"):
        raise PaymentError(_("Only a revenue officer can release a held payment."))
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in HELD_STATUSES:
            raise PaymentError(_("Only held or flagged payments can be released."))
        if _live_full_refund(locked).exists():
            raise PaymentError(_("A refund of this payment is already under way."))
        settle_locked(locked, reason=f"released by officer: {reason}", actor=officer)
        if locked.status == Payment.Status.SUCCEEDED:
            audit.record(action="payment.released", obj=locked, actor=officer, reason=reason)
    return locked


def _ensure_open_today() -> None:
    """A refund is dated when it is claimed, before the gateway is asked: refused then if
    today's month is closed (never after the gateway has sent the money back)."""
    from .closing import ensure_open

    ensure_open()


def _claim_refund(
    *, payment: Payment, amount: Decimal, remarks: str, officer: Any, credit: Credit | None = None
) -> Refund:
    """Record the refund before the gateway is asked (inside the caller's transaction,
    with the payment or credit row locked): a second claim is refused by the constraints
    on Refund until this one fails."""
    return Refund.objects.create(
        payment=payment,
        credit=credit,
        amount=amount,
        remarks=remarks[:255],
        refund_trans_id=new_tran_id("R"),
        requested_by=officer,
    )


def _send_refund(
    refund: Refund, *, payment: Payment, undo: Callable[[], object] | None = None
) -> RefundResult:
    """Ask the gateway for a claimed refund (outside any transaction). On failure the claim
    is undone in one transaction (the refund FAILED, `undo()` run) and PaymentError raised."""
    try:
        with get_client() as client:
            return client.initiate_refund(
                bank_tran_id=payment.bank_tran_id,
                refund_amount=refund.amount,
                refund_remarks=refund.remarks,
                refund_trans_id=refund.refund_trans_id,
            )
    except (GatewayError, ValueError) as exc:
        with transaction.atomic():
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status", "updated_at"])
            record_event(
                PaymentEvent.Kind.REFUND,
                payment=payment,
                outcome=f"refund {refund.refund_trans_id} failed: {exc}"[:300],
            )
            if undo is not None:
                undo()
        raise PaymentError(
            _("The gateway refused or could not take the refund; nothing changed.")
        ) from exc


def _record_refund_answer(refund: Refund, result: RefundResult, *, payment: Payment) -> None:
    """Inside the caller's transaction: the gateway's answer on the refund row."""
    record_event(
        PaymentEvent.Kind.REFUND,
        payment=payment,
        answer=dict(result.raw),
        outcome=f"refund {result.status}",
    )
    refund.refund_ref_id = result.refund_ref_id[:100]
    refund.status = (
        Refund.Status.SUCCEEDED if result.status.lower() == "success" else Refund.Status.PROCESSING
    )
    refund.save(update_fields=["refund_ref_id", "status", "updated_at"])


def payment_refund_credit(*, credit: Credit, officer: Any, remarks: str = "") -> Refund:
    """Send a credit back through the gateway's refund API."""
    if not officer.has_perm("accounts.void_payments"):
        raise PaymentError(_("Only a revenue officer can refund."))
    with transaction.atomic():
        credit = Credit.objects.select_for_update().select_related("payment").get(pk=credit.pk)
        if credit.status != Credit.Status.OPEN:
            raise PaymentError(_("This credit is not open."))
        _ensure_open_today()
        credit.status = Credit.Status.REFUNDING
        credit.save(update_fields=["status"])
        refund = _claim_refund(
            payment=credit.payment,
            amount=credit.amount,
            officer=officer,
            credit=credit,
            remarks=remarks or f"credit #{credit.pk}",
        )
    result = _send_refund(
        refund,
        payment=credit.payment,
        undo=lambda: Credit.objects.filter(pk=credit.pk).update(status=Credit.Status.OPEN),
    )
    with transaction.atomic():
        _record_refund_answer(refund, result, payment=credit.payment)
        Credit.objects.filter(pk=credit.pk).update(status=Credit.Status.REFUNDED)
        credit.status = Credit.Status.REFUNDED
        audit.record(
            action="credit.refunded",
            obj=credit,
            actor=officer,
            after={"amount": credit.amount, "refund": refund.refund_trans_id},
        )
    return refund


def payment_refund_held(*, payment: Payment, officer: Any, reason: str) -> Refund:
    """Refund a held or flagged online payment in full; it is never fulfilled.

    The refund is claimed under the payment's row lock (a second one is refused), the
    gateway is asked after that commits, and the payment moves to refunded with its audit
    row in one transaction. If the gateway refuses, the claim is undone (refund failed)
    and the payment stays held, so the officer can try again."""
    if not officer.has_perm("accounts.void_payments"):
        raise PaymentError(_("Only a revenue officer can refund."))
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in HELD_STATUSES:
            raise PaymentError(_("Only held or flagged payments can be refunded here."))
        if not locked.bank_tran_id:
            raise PaymentError(_("The gateway never confirmed money for this payment."))
        if _live_full_refund(locked).exists():
            raise PaymentError(_("A refund of this payment is already under way."))
        _ensure_open_today()
        refund = _claim_refund(
            payment=locked, amount=locked.amount, officer=officer, remarks=reason
        )
    result = _send_refund(refund, payment=locked)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        _record_refund_answer(refund, result, payment=locked)
        payment_transition(payment=locked, to=Payment.Status.REFUNDED, reason=reason, actor=officer)
        audit.record(
            action="payment.refunded",
            obj=locked,
            actor=officer,
            reason=reason,
            after={"amount": locked.amount, "refund": refund.refund_trans_id},
        )
    return refund


def bill_refund_to_payer(
    *, bill: Bill, requested_by: Any, remarks: str, amount: Decimal | None = None
) -> Refund:
    """Send a paid bill's money (or `amount` of it) back to whoever paid it online, through
    the gateway's refund API — for a service whose bill was a deposit that is returned in the
    end (a losing bidder's bid security). The service decides that the money is owed back and
    passes who asked (`requested_by`, recorded on the Refund).

    The bill stays paid and its allocations stand (the money was received for it); the
    Refund row records what went back. The refund is claimed under the payment's row lock
    (Refund's constraint: one live refund per payment without a credit), the gateway is
    asked after that commits, and a refusal there marks the claim failed (nothing else
    changes; PaymentError) so it can be asked again. Refused: a bill not paid, or paid at the
    counter (cash goes back at the counter), or an amount beyond what the payment brought
    for the bill."""
    with transaction.atomic():
        bill = Bill.objects.select_for_update().get(pk=bill.pk)
        if bill.status != Bill.Status.PAID:
            raise PaymentError(_("Only a paid bill's money can be refunded."))
        from ..models import Allocation

        paid = (
            Allocation.objects.filter(bill=bill, kind=Allocation.Kind.PAYMENT)
            .select_related("payment")
            .order_by("-pk")
            .first()
        )
        if paid is None:
            raise PaymentError(_("Only a paid bill's money can be refunded."))
        locked = Payment.objects.select_for_update().get(pk=paid.payment_id)
        if locked.channel != Payment.Channel.ONLINE or not locked.bank_tran_id:
            raise PaymentError(_("This bill was not paid online; refund it at the counter."))
        brought = sum(
            (a.amount for a in Allocation.objects.filter(payment=locked, bill=bill)),
            Decimal("0.00"),
        )
        refund_amount = brought if amount is None else Decimal(amount)
        if not (Decimal("0.00") < refund_amount <= brought):
            raise PaymentError(_("The refund is more than was paid for this bill."))
        if _live_full_refund(locked).exists():
            raise PaymentError(_("A refund of this payment is already under way."))
        _ensure_open_today()
        refund = _claim_refund(
            payment=locked, amount=refund_amount, officer=requested_by, remarks=remarks
        )
    result = _send_refund(refund, payment=locked)
    with transaction.atomic():
        _record_refund_answer(refund, result, payment=locked)
        audit.record(
            action="bill.refunded",
            obj=bill,
            actor=requested_by,
            reason=remarks,
            after={"amount": refund_amount, "refund": refund.refund_trans_id},
        )
    return refund
