"""Issuing, superseding and cancelling bills: the one safe path every service uses.

Whatever a bill covers (an instalment, an arrear, a licence year, a water month, a shop's
rent month) is a *due*, named by the service ("instalment:123"). A due is claimed by at
most one live bill (open or paid) — `BillClaim`'s conditional unique constraint is the
rule — and every change to a subject's bills happens in one transaction under a lock on
the subject. A bill that a payment may still bring money for (initiated, pending, on hold)
is never cancelled or superseded: a second payer gets that same bill, or is told that a
payment is in progress.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from core.digits import localize_digits
from core.fiscal import fiscal_year
from core.models import Ward
from core.money import to_money
from core.status import can_transition

from .. import people
from ..codes import random_code
from ..models import Bill, BillClaim, BillLine, Payment
from ..registry import billing_service, run_hook
from .ledger import PaymentError


@dataclass(frozen=True)
class LineSpec:
    """One bill line. `period` is the fiscal year (or month) the amount is owed for, and
    `arrears` says it is owed for an earlier period than the current one: a
    demand–collection–balance register keeps arrears and the current year apart."""

    head: str
    amount: Decimal
    description_bn: str = ""
    description_en: str = ""
    explanation: str = ""
    explanation_data: list[dict[str, Any]] = field(default_factory=list)  # core.explain
    period: str = ""
    arrears: bool = False


class BillBusy(PaymentError):
    """A payment for these dues is under way; the bill cannot be replaced or cancelled now.
    `minutes` says when to try again (None while an officer reviews a held payment)."""

    def __init__(self, message: str, *, minutes: int | None = None):
        super().__init__(message)
        self.minutes = minutes


class DueAlreadyPaid(PaymentError):
    """A due asked for is already paid by another bill."""


def _bill_number() -> str:
    """Short, unique and unguessable enough to type at a counter: B + FY + 8 characters."""
    fy = fiscal_year(timezone.localdate()).replace("-", "")
    return f"B{fy}{random_code(8)}"


def _due_key(service: str, due: str) -> str:
    return f"{service}:{due}"


def bill_subject_lock(*, service: str, subject_type: str, subject_id: str | int) -> None:
    """Take the subject's lock until the end of the caller's transaction (PostgreSQL: a
    transaction-level advisory lock; SQLite runs one writing transaction at a time, taken
    when it begins). Services take it before reading what is still due, so the read and
    the bill it leads to are one step."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bill_subject_lock() needs a transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"bill-subject:{service}:{subject_type}:{subject_id}"],
            )


def live_payment(bill_ids: Sequence[int]) -> Payment | None:
    """The newest payment that may still bring money for any of these bills: one an officer
    holds (on hold, flagged), or a checkout started within PAYMENT_IN_PROGRESS_MINUTES (an
    older one is taken as abandoned: if its money still arrives, it becomes a credit)."""
    since = timezone.now() - timedelta(minutes=settings.PAYMENT_IN_PROGRESS_MINUTES)
    return (
        Payment.objects.filter(items__bill_id__in=list(bill_ids))
        .filter(
            Q(status__in=Payment.REVIEWED_STATUSES)
            | Q(status__in=Payment.OPEN_STATUSES, created_at__gte=since)
        )
        .order_by("-created_at")
        .first()
    )


def busy_error(payment: Payment) -> BillBusy:
    """What to tell a second payer while `payment` is under way."""
    if payment.status in Payment.REVIEWED_STATUSES:
        return BillBusy(
            _(
                "A payment for this is being checked by a revenue officer. Please "
                "ask at a city corporation counter."
            )
        )
    window = timedelta(minutes=settings.PAYMENT_IN_PROGRESS_MINUTES)
    left = (payment.created_at + window - timezone.now()).total_seconds() / 60
    minutes = max(1, math.ceil(left))
    return BillBusy(
        ngettext(
            "A payment for this is in progress. Try again in %(minutes)s minute.",
            "A payment for this is in progress. Try again in %(minutes)s minutes.",
            minutes,
        )
        % {"minutes": localize_digits(minutes)},
        minutes=minutes,
    )


def _refuse_if_live(bills: Sequence[Bill]) -> None:
    payment = live_payment([b.pk for b in bills])
    if payment is not None:
        raise busy_error(payment)


def _refuse_move(bill: Bill, to: str) -> None:
    """ValueError unless Bill.TRANSITIONS lets the bill go to `to` (only open bills are
    superseded or cancelled)."""
    if not can_transition(Bill.TRANSITIONS, bill.status, to):
        raise ValueError(f"Bill {bill.number} is {bill.status}, not open.")


def _release(bill: Bill) -> None:
    BillClaim.objects.filter(bill=bill, live=True).update(live=False, released_at=timezone.now())


def _same_lines(bill: Bill, lines: Sequence[LineSpec]) -> bool:
    ours = Counter((line.head, to_money(line.amount), line.period, line.arrears) for line in lines)
    return ours == Counter(bill.lines.values_list("head", "amount", "period", "arrears"))


def _create(
    *,
    service: str,
    subject_type: str,
    subject_id: str,
    dues: Sequence[str],
    lines: Sequence[LineSpec],
    fiscal_year_label: str,
    due_date: date,
    payer: Any,
    payer_name: str,
    payer_mobile: str,
    ward: Ward | None,
    subject_label_bn: str,
    subject_label_en: str,
    period_label: str,
    period_label_bn: str,
    actor: Any,
) -> Bill:
    """A new open bill with its lines and claims (inside the caller's locked transaction)."""
    if not lines:
        raise ValueError("A bill needs at least one line.")
    if not dues:
        raise ValueError("A bill must say which dues it covers.")
    amounts = [to_money(line.amount) for line in lines]
    total = sum(amounts, Decimal("0.00"))
    if total < 0:
        raise ValueError("A bill's total cannot be negative.")
    bill = Bill.objects.create(
        number=_bill_number(),
        service=service,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label_bn=subject_label_bn,
        subject_label_en=subject_label_en,
        payer=payer,
        payer_name=payer_name or (payer.display_name if payer else ""),
        payer_mobile=payer_mobile or (getattr(payer, "mobile", "") or ""),
        ward=ward,
        fiscal_year=fiscal_year_label,
        period_label=period_label,
        period_label_bn=period_label_bn,
        issued_on=timezone.localdate(),
        due_date=due_date,
        total=total,
    )
    BillLine.objects.bulk_create(
        [
            BillLine(
                bill=bill,
                position=i,
                head=line.head,
                amount=amount,
                description_bn=line.description_bn,
                description_en=line.description_en,
                explanation=line.explanation,
                explanation_data=line.explanation_data,
                period=line.period,
                arrears=line.arrears,
            )
            for i, (line, amount) in enumerate(zip(lines, amounts, strict=True))
        ]
    )
    try:
        with transaction.atomic():
            BillClaim.objects.bulk_create(
                [BillClaim(bill=bill, due=due) for due in sorted(set(dues))]
            )
    except IntegrityError:
        # Only a caller that skipped the subject's lock can get here.
        raise PaymentError(
            _("These dues are already billed. Look at the open bills again.")
        ) from None
    audit.record(
        action="bill.created",
        obj=bill,
        actor=actor,
        after={
            "total": total,
            "service": service,
            "subject": subject_id,
            "dues": sorted(set(dues)),
        },
    )
    return bill


@people.scoped(
    lambda **kw: [
        Bill(
            service=kw["service"],
            subject_type=kw["subject_type"],
            subject_id=str(kw["subject_id"]),
        )
    ]
)
@transaction.atomic
def bill_issue(
    *,
    service: str,
    subject_type: str,
    subject_id: str | int,
    dues: Sequence[str],
    lines: Sequence[LineSpec],
    fiscal_year_label: str,
    due_date: date,
    payer: Any = None,
    payer_name: str = "",
    payer_mobile: str = "",
    ward: Ward | None = None,
    subject_label_bn: str = "",
    subject_label_en: str = "",
    period_label: str = "",
    period_label_bn: str = "",
    actor: Any = None,
) -> Bill:
    """The bill for `dues` of one subject, under the subject's lock:

    - an open bill that claims exactly these dues with the same lines is returned as it is
      (a second payer pays that bill; it gains `payer` if it had none);
    - open bills claiming any of these dues are cancelled and replaced — unless a payment
      on one of them is under way (BillBusy, saying when to try again);
    - a due already claimed by a paid bill is refused (DueAlreadyPaid).

    `dues` are the service's own names ("instalment:123"); rebates are negative lines and
    the total (their sum) is never negative."""
    billing_service(service)  # refuses a service nobody declared
    subject_id = str(subject_id)
    bill_subject_lock(service=service, subject_type=subject_type, subject_id=subject_id)
    keys = sorted({_due_key(service, due) for due in dues})
    claimed = list(
        Bill.objects.filter(
            pk__in=BillClaim.objects.filter(due__in=keys, live=True).values("bill_id")
        )
        .order_by("pk")
        .select_for_update()
    )
    if any(b.status == Bill.Status.PAID for b in claimed):
        raise DueAlreadyPaid(
            _("Part of what you chose has just been paid. Look at what is due again.")
        )
    if len(claimed) == 1:
        bill = claimed[0]
        same_dues = set(bill.claims.filter(live=True).values_list("due", flat=True)) == set(keys)
        if same_dues and _same_lines(bill, lines):
            if bill.payer_id is None and payer is not None:
                bill.payer = payer
                bill.save(update_fields=["payer"])
            return bill
    if claimed:
        _refuse_if_live(claimed)
        with people.scoped_to_bills(claimed):  # their payers see them go
            for old in claimed:
                _cancel_locked(old, reason="replaced by a new bill for the same dues", actor=actor)
    return _create(
        service=service,
        subject_type=subject_type,
        subject_id=subject_id,
        dues=keys,
        lines=lines,
        fiscal_year_label=fiscal_year_label,
        due_date=due_date,
        payer=payer,
        payer_name=payer_name,
        payer_mobile=payer_mobile,
        ward=ward,
        subject_label_bn=subject_label_bn,
        subject_label_en=subject_label_en,
        period_label=period_label,
        period_label_bn=period_label_bn,
        actor=actor,
    )


@people.scoped(lambda **kw: [kw["bill"]])
@transaction.atomic
def bill_supersede(
    *,
    bill: Bill,
    lines: Sequence[LineSpec],
    due_date: date | None = None,
    actor: Any = None,
    reason: str = "",
) -> Bill:
    """Replace an open bill by a new one for the same dues (e.g. the surcharge grew).
    Refused (BillBusy) while a payment on it is under way; money that lands on the old
    bill later becomes a credit, never lost."""
    bill_subject_lock(
        service=bill.service, subject_type=bill.subject_type, subject_id=bill.subject_id
    )
    old = Bill.objects.select_for_update().get(pk=bill.pk)
    _refuse_move(old, Bill.Status.SUPERSEDED)
    _refuse_if_live([old])
    dues = list(old.claims.filter(live=True).values_list("due", flat=True))
    _release(old)
    new = _create(
        service=old.service,
        subject_type=old.subject_type,
        subject_id=old.subject_id,
        dues=dues,
        lines=lines,
        fiscal_year_label=old.fiscal_year,
        due_date=due_date or old.due_date,
        payer=old.payer,
        payer_name=old.payer_name,
        payer_mobile=old.payer_mobile,
        ward=old.ward,
        subject_label_bn=old.subject_label_bn,
        subject_label_en=old.subject_label_en,
        period_label=old.period_label,
        period_label_bn=old.period_label_bn,
        actor=actor,
    )
    old.status = Bill.Status.SUPERSEDED
    old.superseded_by = new
    old.save(update_fields=["status", "superseded_by"])
    audit.record(
        action="bill.superseded",
        obj=old,
        actor=actor,
        reason=reason,
        before={"status": "open"},
        after={"status": "superseded", "by": new.number},
    )
    return new


def _cancel_locked(bill: Bill, *, reason: str, actor: Any) -> Bill:
    """Cancel an open bill whose row the caller has locked: its dues are free again."""
    _refuse_move(bill, Bill.Status.CANCELLED)
    _release(bill)
    bill.status = Bill.Status.CANCELLED
    bill.save(update_fields=["status"])
    audit.record(
        action="bill.cancelled",
        obj=bill,
        actor=actor,
        reason=reason,
        before={"status": "open"},
        after={"status": "cancelled"},
    )
    run_hook(bill, "cancelled")
    return bill


@people.scoped(lambda **kw: [kw["bill"]])
@transaction.atomic
def bill_cancel(*, bill: Bill, reason: str, actor: Any = None) -> Bill:
    """Cancel an open bill (ValueError if it is not open; BillBusy while a payment on it is
    under way)."""
    bill_subject_lock(
        service=bill.service, subject_type=bill.subject_type, subject_id=bill.subject_id
    )
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status == Bill.Status.OPEN:
        _refuse_if_live([bill])
    return _cancel_locked(bill, reason=reason, actor=actor)
