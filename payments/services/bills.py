"""Creating, superseding and cancelling bills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import audit
from core.fiscal import fiscal_year
from core.money import to_money

from ..codes import random_code
from ..models import Bill, BillLine
from ..registry import hooks_for


@dataclass(frozen=True)
class LineSpec:
    head: str
    amount: Decimal
    description_bn: str = ""
    description_en: str = ""
    explanation: str = ""


def _bill_number(service: str) -> str:
    """Short, unique and unguessable enough to type at a counter: B + FY + 8 characters."""
    fy = fiscal_year(timezone.localdate()).replace("-", "")
    return f"B{fy}{random_code(8)}"


@transaction.atomic
def bill_create(
    *,
    service: str,
    subject_type: str,
    subject_id: str | int,
    lines: Sequence[LineSpec],
    fiscal_year_label: str,
    due_date: date,
    payer=None,
    payer_name: str = "",
    payer_mobile: str = "",
    ward=None,
    subject_label_bn: str = "",
    subject_label_en: str = "",
    period_label: str = "",
    actor=None,
) -> Bill:
    """Create an open bill whose total is the sum of its lines (rebates are negative lines)."""
    if not lines:
        raise ValueError("A bill needs at least one line.")
    amounts = [to_money(line.amount) for line in lines]
    total = sum(amounts, Decimal("0.00"))
    if total < 0:
        raise ValueError("A bill's total cannot be negative.")
    bill = Bill.objects.create(
        number=_bill_number(service),
        service=service,
        subject_type=subject_type,
        subject_id=str(subject_id),
        subject_label_bn=subject_label_bn,
        subject_label_en=subject_label_en,
        payer=payer,
        payer_name=payer_name or (payer.display_name if payer else ""),
        payer_mobile=payer_mobile or (getattr(payer, "mobile", "") or ""),
        ward=ward,
        fiscal_year=fiscal_year_label,
        period_label=period_label,
        issued_on=timezone.localdate(),
        due_date=due_date,
        total=total,
    )
    BillLine.objects.bulk_create([
        BillLine(bill=bill, position=i, head=line.head, amount=amount,
                 description_bn=line.description_bn, description_en=line.description_en,
                 explanation=line.explanation)
        for i, (line, amount) in enumerate(zip(lines, amounts, strict=True))
    ])
    audit.record(action="bill.created", obj=bill, actor=actor,
                 after={"total": total, "service": service, "subject": bill.subject_id})
    return bill


@transaction.atomic
def bill_supersede(*, bill: Bill, lines: Sequence[LineSpec], due_date: date | None = None,
                   actor=None, reason: str = "") -> Bill:
    """Replace an open bill by a new one (e.g. the surcharge grew). Money that later lands
    on the old bill becomes a credit, never lost."""
    old = Bill.objects.select_for_update().get(pk=bill.pk)
    if old.status != Bill.Status.OPEN:
        raise ValueError(f"Bill {old.number} is {old.status}, not open.")
    new = bill_create(
        service=old.service, subject_type=old.subject_type, subject_id=old.subject_id,
        lines=lines, fiscal_year_label=old.fiscal_year, due_date=due_date or old.due_date,
        payer=old.payer, payer_name=old.payer_name, payer_mobile=old.payer_mobile,
        ward=old.ward, subject_label_bn=old.subject_label_bn,
        subject_label_en=old.subject_label_en, period_label=old.period_label, actor=actor,
    )
    old.status = Bill.Status.SUPERSEDED
    old.superseded_by = new
    old.save(update_fields=["status", "superseded_by"])
    audit.record(action="bill.superseded", obj=old, actor=actor, reason=reason,
                 before={"status": "open"}, after={"status": "superseded", "by": new.number})
    return new


@transaction.atomic
def bill_cancel(*, bill: Bill, reason: str, actor=None) -> Bill:
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != Bill.Status.OPEN:
        raise ValueError(f"Bill {bill.number} is {bill.status}, not open.")
    bill.status = Bill.Status.CANCELLED
    bill.save(update_fields=["status"])
    audit.record(action="bill.cancelled", obj=bill, actor=actor, reason=reason,
                 before={"status": "open"}, after={"status": "cancelled"})
    hooks = hooks_for(bill.service)
    if hooks.on_cancelled:
        hooks.on_cancelled(bill)
    return bill
