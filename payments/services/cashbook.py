"""Counter cash to the bank: a daily cash book per office and the bank deposits recorded
against closed counter sessions.

An office is a counter session's ward (a ward office), or the head office (no ward). A
session's cash is what its payments brought in the ledger (``session_cash_taken``: voided
ones count nothing) — the drawer's own shortage or excess is the session's difference,
explained when it closed. A deposit is one bank slip (bank and branch, slip number, date,
amount) against one or more closed sessions of one office, each session on one slip only;
its variance (slip − the sessions' cash) is flagged until a revenue officer explains it, and
an unexplained variance stops the deposit's month from closing (closing.blockers).

The cash book of an office, day by day: cash in hand at the start, cash taken by the
sessions closed that day, deposited that day, in hand at the end — and the sessions still
waiting for the bank.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits
from core.money import to_money
from core.roles import perm

from ..models import BankDeposit, CounterSession, Payment
from .closing import ensure_open
from .counter import session_cash_taken
from .ledger import PaymentError

ZERO = Decimal("0.00")
#: Sessions closed and not yet deposited: the states whose cash is waiting for the bank.
DEPOSITABLE = (CounterSession.Status.CLOSED, CounterSession.Status.VERIFIED)


def _office_q(ward_id: int | None, prefix: str = "") -> Q:
    field = f"{prefix}ward"
    return Q(**{f"{field}__isnull": True}) if ward_id is None else Q(**{f"{field}_id": ward_id})


def waiting_sessions(ward_id: int | None) -> QuerySet[CounterSession]:
    """Closed sessions of the office whose cash has not been deposited yet, oldest first."""
    return (
        CounterSession.objects.filter(_office_q(ward_id), status__in=DEPOSITABLE, deposit=None)
        .select_related("clerk")
        .order_by("closed_at", "pk")
    )


def oldest_waiting_office() -> int | None:
    """The ward of the office whose closed session has waited longest for the bank; None
    for the head office, or when no session waits."""
    oldest = (
        CounterSession.objects.filter(status__in=DEPOSITABLE, deposit=None)
        .order_by("closed_at", "pk")
        .first()
    )
    return oldest.ward_id if oldest else None


def deposit_record(
    *,
    sessions: list[CounterSession],
    bank: str,
    slip_number: str,
    deposited_on: datetime.date,
    amount: Decimal,
    officer: Any,
) -> BankDeposit:
    """Record one bank slip against closed sessions of one office (audited). Refused with a
    PaymentError saying why: no session, a session open or already on a slip, sessions of
    two offices, a slip recorded already, a date in the future or before a session closed,
    a date in a closed month, an amount that is not a sum of money."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer records bank deposits."))
    bank, slip_number = bank.strip(), slip_number.strip()
    if not sessions:
        raise PaymentError(_("Choose the counter sessions whose cash went to the bank."))
    if not bank or not slip_number:
        raise PaymentError(_("Give the bank and branch and the slip number."))
    amount = to_money(amount)
    if amount <= 0:
        raise PaymentError(_("The amount deposited must be more than zero."))
    if deposited_on > timezone.localdate():
        raise PaymentError(_("The deposit date cannot be in the future."))
    with transaction.atomic():
        ensure_open(deposited_on)
        locked = list(
            CounterSession.objects.select_for_update()
            .filter(pk__in=[s.pk for s in sessions])
            .order_by("pk")
        )
        offices = {s.ward_id for s in locked}
        if len(offices) > 1:
            raise PaymentError(_("One slip is for the sessions of one office."))
        for session in locked:
            number = localize_digits(session.pk)
            if session.status not in DEPOSITABLE:
                raise PaymentError(
                    _("Counter session #%(pk)s is still open: it must be closed first.")
                    % {"pk": number}
                )
            if session.deposit_id is not None:
                raise PaymentError(
                    _("The cash of counter session #%(pk)s is already on another slip.")
                    % {"pk": number}
                )
            assert session.closed_at is not None  # noqa: S101 (a closed session has its time)
            if timezone.localtime(session.closed_at).date() > deposited_on:
                raise PaymentError(
                    _("Counter session #%(pk)s closed after the deposit date.") % {"pk": number}
                )
        expected = sum((session_cash_taken(s) for s in locked), ZERO)
        try:
            with transaction.atomic():
                deposit = BankDeposit.objects.create(
                    ward_id=offices.pop(),
                    bank=bank[:100],
                    slip_number=slip_number[:50],
                    deposited_on=deposited_on,
                    amount=amount,
                    expected=expected,
                    variance=amount - expected,
                    recorded_by=officer,
                )
        except IntegrityError:
            raise PaymentError(
                _("Slip %(slip)s of %(bank)s is recorded already.")
                % {"slip": slip_number, "bank": bank}
            ) from None
        CounterSession.objects.filter(pk__in=[s.pk for s in locked]).update(deposit=deposit)
        audit.record(
            action="cash.deposited",
            obj=deposit,
            actor=officer,
            after={
                "sessions": [s.pk for s in locked],
                "amount": amount,
                "expected": expected,
                "variance": deposit.variance,
            },
        )
    return deposit


def deposit_explain(*, deposit: BankDeposit, officer: Any, explanation: str) -> BankDeposit:
    """Explain a deposit's variance (audited); the flag goes."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer explains a deposit's variance."))
    explanation = explanation.strip()
    if not explanation:
        raise PaymentError(_("Write why the slip differs from the sessions' cash."))
    with transaction.atomic():
        locked = BankDeposit.objects.select_for_update().get(pk=deposit.pk)
        if not locked.variance:
            raise PaymentError(_("This deposit has no variance to explain."))
        if locked.explained_at:
            raise PaymentError(_("This variance is explained already."))
        locked.explanation = explanation[:2000]
        locked.explained_by = officer
        locked.explained_at = timezone.now()
        locked.save(update_fields=["explanation", "explained_by", "explained_at"])
        audit.record(
            action="cash.variance_explained",
            obj=locked,
            actor=officer,
            after={"variance": locked.variance},
            reason=locked.explanation,
        )
    return locked


# --- the cash book --------------------------------------------------------------------------


@dataclass(frozen=True)
class CashDay:
    day: datetime.date
    opening: Decimal  # in hand at the start of the day
    taken: Decimal  # by the sessions closed that day
    deposited: Decimal
    closing: Decimal  # in hand at the end of the day


def _taken_by_day(ward_id: int | None, before: datetime.date | None = None,
                  first: datetime.date | None = None,
                  last: datetime.date | None = None) -> dict[datetime.date, Decimal]:  # fmt: skip
    """Cash of the office's closed sessions by the day they closed (one statement)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = (
        Payment.objects.filter(
            _office_q(ward_id, "counter_session__"),
            status=Payment.Status.SUCCEEDED,
            counter_session__status__in=DEPOSITABLE,
        )
        .annotate(day=TruncDate("counter_session__closed_at", tzinfo=zone))
        .order_by()
    )
    if before is not None:
        rows = rows.filter(day__lt=before)
    if first is not None and last is not None:
        rows = rows.filter(day__gte=first, day__lte=last)
    return {r["day"]: r["total"] for r in rows.values("day").annotate(total=Sum("amount"))}


def cash_book(ward_id: int | None, first: datetime.date, last: datetime.date) -> list[CashDay]:
    """The office's cash book for the days [first, last] (four statements)."""
    deposits = BankDeposit.objects.filter(_office_q(ward_id))
    opening = sum(_taken_by_day(ward_id, before=first).values(), ZERO) - (
        deposits.filter(deposited_on__lt=first).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    taken = _taken_by_day(ward_id, first=first, last=last)
    banked = {
        r["deposited_on"]: r["total"]
        for r in deposits.filter(deposited_on__gte=first, deposited_on__lte=last)
        .values("deposited_on")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    days = []
    day = first
    while day <= last:
        closing = opening + taken.get(day, ZERO) - banked.get(day, ZERO)
        days.append(CashDay(day, opening, taken.get(day, ZERO), banked.get(day, ZERO), closing))
        opening = closing
        day += datetime.timedelta(days=1)
    return days
