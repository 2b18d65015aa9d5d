"""Paper receipt books of the transition year.

The revenue officer registers a book (its number and the range of receipt numbers printed in
it) and issues it to a counter clerk. When the system or the network is down the clerk
writes paper receipts from it; later, with a cash session open (the paper cash goes into
that drawer, and from it to the bank), the clerk back-enters each one — book, number, the
day it was written, the bills it paid: the bills become paid by a counter payment whose
ledger rows are dated the day the receipt was written, with the paper receipt as its
reference. Refused: a number outside the clerk's book, a number entered twice, a day in the
future, before the book was issued or in a closed month. Flagged (``late``) for the
officer: a receipt entered more than ``PAPER_RECEIPT_ENTRY_DAYS`` days after it was written.
A leaf never used is cancelled or spoiled with a reason; a book closes only when every leaf
is accounted for. Everything is audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits
from core.roles import perm

from ..models import Bill, CounterSession, PaperReceipt, Payment, PaymentEvent, ReceiptBook
from .ledger import PaymentError, settle_locked
from .online import create_payment, record_event

#: The most leaves one book may have.
MAX_LEAVES = 1000


def _officer(user: Any) -> None:
    if not user.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer manages receipt books."))


def book_register(*, number: str, first_leaf: int, last_leaf: int, officer: Any) -> ReceiptBook:
    """Register a new book with its printed receipt numbers [first_leaf, last_leaf]."""
    _officer(officer)
    number = number.strip()
    if not number:
        raise PaymentError(_("Give the book's number."))
    if first_leaf < 1 or last_leaf < first_leaf:
        raise PaymentError(_("The last receipt number must not be below the first."))
    if last_leaf - first_leaf + 1 > MAX_LEAVES:
        raise PaymentError(
            _("A book has at most %(max)s receipts.") % {"max": localize_digits(MAX_LEAVES)}
        )
    try:
        with transaction.atomic():
            book = ReceiptBook.objects.create(
                number=number[:30], first_leaf=first_leaf, last_leaf=last_leaf,
                registered_by=officer,
            )  # fmt: skip
            audit.record(
                action="receipt_book.registered",
                obj=book,
                actor=officer,
                after={"first": first_leaf, "last": last_leaf},
            )
    except IntegrityError:
        message = _("Book %(number)s is registered already.") % {"number": number}
        raise PaymentError(message) from None
    return book


def book_issue(*, book: ReceiptBook, clerk: Any, officer: Any) -> ReceiptBook:
    """Issue a registered book to a counter clerk (today)."""
    _officer(officer)
    if not clerk.has_perm(perm("use_counter")):
        raise PaymentError(_("A book is issued to a counter clerk."))
    with transaction.atomic():
        locked = ReceiptBook.objects.select_for_update().get(pk=book.pk)
        if locked.status != ReceiptBook.Status.REGISTERED:
            holder = locked.clerk.display_name if locked.clerk else "—"
            raise PaymentError(
                _("Book %(number)s is already issued to %(clerk)s.")
                % {"number": locked.number, "clerk": holder}
            )
        locked.status = ReceiptBook.Status.ISSUED
        locked.clerk = clerk
        locked.issued_on = timezone.localdate()
        locked.save(update_fields=["status", "clerk", "issued_on"])
        audit.record(
            action="receipt_book.issued", obj=locked, actor=officer, after={"clerk": clerk.pk}
        )
    return locked


def _clerks_book(book: ReceiptBook, clerk: Any, leaf: int) -> ReceiptBook:
    locked = ReceiptBook.objects.select_for_update().get(pk=book.pk)
    if locked.clerk_id != clerk.pk or locked.status != ReceiptBook.Status.ISSUED:
        raise PaymentError(
            _("Book %(number)s is not a book issued to you.") % {"number": locked.number}
        )
    if not locked.first_leaf <= leaf <= locked.last_leaf:
        raise PaymentError(
            _("Receipt %(leaf)s is not in book %(number)s (%(first)s to %(last)s).")
            % {
                "leaf": localize_digits(leaf),
                "number": locked.number,
                "first": localize_digits(locked.first_leaf),
                "last": localize_digits(locked.last_leaf),
            }
        )
    earlier = PaperReceipt.objects.filter(book=locked, leaf=leaf).first()
    if earlier is not None:
        raise PaymentError(
            _("Receipt %(reference)s is entered already (%(use)s).")
            % {"reference": earlier.reference, "use": earlier.get_use_display()}
        )
    return locked


def _saved(receipt: PaperReceipt) -> PaperReceipt:
    """Save a new leaf; a concurrent entry of the same leaf is refused, not doubled."""
    try:
        with transaction.atomic():
            receipt.save()
    except IntegrityError:
        raise PaymentError(
            _("Receipt %(reference)s is entered already.") % {"reference": receipt.reference}
        ) from None
    return receipt


def paper_receipt_enter(
    *,
    book: ReceiptBook,
    leaf: int,
    written_on: datetime.date,
    bills: Sequence[Bill],
    clerk: Any,
    payer_name: str = "",
) -> PaperReceipt:
    """Back-enter a paper receipt: its bills are paid by a counter payment in the clerk's
    open session, its ledger rows dated at noon of the day the receipt was written."""
    today = timezone.localdate()
    if written_on > today:
        raise PaymentError(_("A receipt cannot be written on a day still to come."))
    with transaction.atomic():
        locked = _clerks_book(book, clerk, leaf)
        if locked.issued_on and written_on < locked.issued_on:
            raise PaymentError(_("The receipt's day is before the book was issued to you."))
        session = (
            CounterSession.objects.select_for_update()
            .filter(clerk=clerk, status=CounterSession.Status.OPEN)
            .first()
        )
        if session is None:
            raise PaymentError(
                _("Open your cash session first: the paper receipts' cash goes into its drawer.")
            )
        payment = create_payment(
            bills=bills,
            channel=Payment.Channel.COUNTER,
            received_by=clerk,
            counter_session=session,
            payer=bills[0].payer if bills else None,
            payer_name=payer_name.strip()[:200],
        )
        receipt = _saved(
            PaperReceipt(
                book=locked,
                leaf=leaf,
                use=PaperReceipt.Use.USED,
                written_on=written_on,
                payer_name=payment.payer_name,
                payment=payment,
                late=(today - written_on).days > settings.PAPER_RECEIPT_ENTRY_DAYS,
                entered_by=clerk,
            )
        )
        record_event(
            PaymentEvent.Kind.COUNTER,
            payment=payment,
            payload={"paper_receipt": receipt.reference, "written_on": written_on.isoformat()},
            outcome=f"paper receipt {receipt.reference} entered by {clerk.pk}",
        )
        noon = datetime.datetime.combine(
            written_on, datetime.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        locked_payment = Payment.objects.select_for_update().get(pk=payment.pk)
        receipt.payment = settle_locked(
            locked_payment,
            reason=f"paper receipt {receipt.reference}",
            actor=clerk,
            dated=min(noon, timezone.now()),
        )
        audit.record(
            action="paper_receipt.entered",
            obj=receipt,
            actor=clerk,
            after={
                "payment": payment.tran_id,
                "amount": payment.amount,
                "written_on": written_on,
                "late": receipt.late,
            },
        )
    return receipt


def paper_leaf_set_aside(
    *, book: ReceiptBook, leaf: int, use: str, reason: str, clerk: Any
) -> PaperReceipt:
    """Account for a leaf never used: cancelled or spoiled, with a reason."""
    if use not in (PaperReceipt.Use.CANCELLED, PaperReceipt.Use.SPOILED):
        raise PaymentError(_("A leaf is set aside as cancelled or spoiled."))
    reason = reason.strip()
    if not reason:
        raise PaymentError(_("Say why the leaf was not used."))
    with transaction.atomic():
        locked = _clerks_book(book, clerk, leaf)
        receipt = _saved(
            PaperReceipt(book=locked, leaf=leaf, use=use, reason=reason[:2000], entered_by=clerk)
        )
        audit.record(
            action="paper_receipt.set_aside", obj=receipt, actor=clerk, after={"use": use},
            reason=reason,
        )  # fmt: skip
    return receipt


def missing_leaves(book: ReceiptBook) -> list[int]:
    used = set(book.receipts.values_list("leaf", flat=True))
    return [n for n in range(book.first_leaf, book.last_leaf + 1) if n not in used]


def book_close(*, book: ReceiptBook, officer: Any) -> ReceiptBook:
    """Close an issued book once every leaf is used, cancelled or spoiled."""
    _officer(officer)
    with transaction.atomic():
        locked = ReceiptBook.objects.select_for_update().get(pk=book.pk)
        if locked.status != ReceiptBook.Status.ISSUED:
            raise PaymentError(_("Only an issued book can be closed."))
        missing = missing_leaves(locked)
        if missing:
            shown = ", ".join(localize_digits(n) for n in missing[:10])
            raise PaymentError(
                _(
                    "Book %(number)s cannot close: %(count)s leaves are not accounted for "
                    "(%(leaves)s)."
                )
                % {
                    "number": locked.number,
                    "count": localize_digits(len(missing)),
                    "leaves": shown + (" …" if len(missing) > 10 else ""),
                }
            )
        locked.status = ReceiptBook.Status.CLOSED
        locked.closed_by = officer
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_by", "closed_at"])
        audit.record(action="receipt_book.closed", obj=locked, actor=officer)
    return locked
