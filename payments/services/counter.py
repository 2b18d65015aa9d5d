"""The counter: a clerk's cash session, cash taken against bills, closing and verifying."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.money import format_amount, to_money

from ..models import Bill, CounterSession, Payment, PaymentEvent
from .ledger import PaymentError, payment_settle
from .online import create_payment, record_event


def counter_session_open(*, clerk: Any, opening_float: Decimal = Decimal("0.00")) -> CounterSession:
    if not clerk.has_perm("accounts.use_counter"):
        raise PaymentError(_("Only counter clerks open cash sessions."))
    try:
        with transaction.atomic():
            session = CounterSession.objects.create(
                clerk=clerk, ward=clerk.ward, opening_float=to_money(opening_float)
            )
            audit.record(
                action="counter.session_opened",
                obj=session,
                actor=clerk,
                after={"opening_float": session.opening_float},
            )
    except IntegrityError as exc:
        raise PaymentError(_("You already have an open cash session.")) from exc
    return session


def counter_take_cash(
    *, session: CounterSession, bills: Sequence[Bill], clerk: Any, tendered: Decimal | None = None
) -> Payment:
    """Take cash for one or more open bills: the payment is created and settled at once."""
    with transaction.atomic():
        session = CounterSession.objects.select_for_update().get(pk=session.pk)
        if session.clerk_id != clerk.pk or session.status != CounterSession.Status.OPEN:
            raise PaymentError(_("Open your own cash session first."))
        payment = create_payment(
            bills=bills,
            channel=Payment.Channel.COUNTER,
            received_by=clerk,
            counter_session=session,
            payer=bills[0].payer if bills else None,
        )
        if tendered is not None and to_money(tendered) < payment.amount:
            raise PaymentError(
                _("The cash tendered is less than the total %(total)s.")
                % {"total": format_amount(payment.amount)}
            )
        record_event(
            PaymentEvent.Kind.COUNTER,
            payment=payment,
            payload={"tendered": str(tendered) if tendered is not None else ""},
            outcome=f"cash taken by {clerk.pk}",
        )
        return payment_settle(payment_id=payment.pk, reason="cash at the counter", actor=clerk)


def session_cash_taken(session: CounterSession) -> Decimal:
    """Net cash from this session's payments (voided ones count nothing)."""
    return session.payments.filter(status=Payment.Status.SUCCEEDED).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")


def close_note_required_message(difference: Decimal) -> str:
    """Why a session that does not balance cannot close without a note."""
    if difference < 0:
        return _("The drawer is short by %(amount)s. Write a note saying why before closing.") % {
            "amount": format_amount(-difference)
        }
    return _("The drawer is over by %(amount)s. Write a note saying why before closing.") % {
        "amount": format_amount(difference)
    }


@transaction.atomic
def counter_session_close(
    *, session: CounterSession, clerk: Any, counted_cash: Decimal, note: str = ""
) -> CounterSession:
    session = CounterSession.objects.select_for_update().get(pk=session.pk)
    if session.clerk_id != clerk.pk or session.status != CounterSession.Status.OPEN:
        raise PaymentError(_("This cash session is not yours or is already closed."))
    session.expected_cash = session.opening_float + session_cash_taken(session)
    session.counted_cash = to_money(counted_cash)
    session.difference = session.counted_cash - session.expected_cash
    note = (note or "").strip()
    if session.difference and not note:
        raise PaymentError(close_note_required_message(session.difference))
    session.status = CounterSession.Status.CLOSED
    session.closed_at = timezone.now()
    session.note = note
    session.save()
    audit.record(
        action="counter.session_closed",
        obj=session,
        actor=clerk,
        after={
            "expected": session.expected_cash,
            "counted": session.counted_cash,
            "difference": session.difference,
        },
    )
    return session


@transaction.atomic
def counter_session_verify(
    *, session: CounterSession, officer: Any, note: str = ""
) -> CounterSession:
    if not officer.has_perm("accounts.verify_counter_sessions"):
        raise PaymentError(_("Only a revenue officer verifies cash sessions."))
    session = CounterSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CounterSession.Status.CLOSED:
        raise PaymentError(_("Only a closed session can be verified."))
    # Voids after closing change what the drawer should have held: recompute.
    session.expected_cash = session.opening_float + session_cash_taken(session)
    counted = session.counted_cash
    if counted is None:  # a closed session always has its count
        raise ValueError(f"Counter session {session.pk} is closed without a count.")
    session.difference = counted - session.expected_cash
    session.status = CounterSession.Status.VERIFIED
    session.verified_by = officer
    session.verified_at = timezone.now()
    if note:
        session.note = f"{session.note}\n{note}".strip()
    session.save()
    audit.record(
        action="counter.session_verified",
        obj=session,
        actor=officer,
        after={"difference": session.difference},
    )
    return session
