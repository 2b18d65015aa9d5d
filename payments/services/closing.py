"""Closing a month: after reconciliation the revenue officer closes a month that has ended,
and from then on nothing can be dated into it — no settlement, void, refund or paper
receipt back-entered with a day of that month. A correction goes into the open month as
reversing rows (a void of a November payment made in December is December's). Only an
administrator reopens a closed month, with a reason; both are audited.

Every ledger write calls `ensure_open(day)` inside its transaction with the day its rows
will carry (the city's date). The guard and the close share one lock per month, so a
write and a close at the same moment never leave a row in a month reported closed:

- PostgreSQL: a transaction-level advisory lock on the month. A write takes it *shared*
  (writes never wait on one another), `month_close` and `month_reopen` take it
  *exclusive*: the close waits for the writes already under way in that month to commit,
  counts the month's totals after them, and a write that comes after the close reads the
  closed month (its statement starts after the close committed) and is refused.
- SQLite runs one writing transaction at a time, taken when it begins (IMMEDIATE), so a
  write and a close cannot overlap there.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from core.digits import localize_digits
from core.money import format_amount
from core.roles import perm

from .. import rollups
from ..models import BankDeposit, CounterSession, MonthClose, Payment, ReconciliationCase
from .ledger import PaymentError


class MonthClosed(PaymentError):
    """A write dated into a closed month; its message is translated and safe to show."""


def first_day(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_label(month: datetime.date) -> str:
    """ "November 2026" / "নভেম্বর ২০২৬" in the active language."""
    from django.utils.dates import MONTHS

    return localize_digits(f"{MONTHS[month.month]} {month.year}")


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as the city's instants: [its first midnight, the next month's)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(first_day(month), datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last_day(month) + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def _lock(month: datetime.date, *, shared: bool) -> None:
    """The month's lock until the end of the caller's transaction (see the module's note)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The month's lock needs a transaction.")
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {function}(hashtextextended(%s, 0))",
                [f"payments-month:{month:%Y-%m}"],
            )


def is_closed(day: datetime.date) -> bool:
    """Whether `day`'s month is closed now (a plain read, for pages: a write asks
    `ensure_open`, which also takes the month's lock)."""
    return MonthClose.objects.filter(month=first_day(day), closed=True).exists()


def ensure_open(day: datetime.date | None = None) -> None:
    """Refuse (MonthClosed) a ledger write whose rows will carry `day` (default: today in
    the city's time zone) when that day's month is closed.

    Call it inside the write's transaction, before its rows are written, with the day the
    rows will be dated: a settlement, void or refund dates its rows today; a paper receipt
    entered later dates them on the receipt's day. It takes the month's lock shared until
    the transaction ends, so the month cannot be closed under the write.
    """
    day = day or timezone.localdate()
    month = first_day(day)
    _lock(month, shared=True)
    if MonthClose.objects.filter(month=month, closed=True).exists():
        raise MonthClosed(
            _(
                "%(month)s is closed: nothing can be dated into it. Record the correction "
                "in the open month."
            )
            % {"month": month_label(month)}
        )


# --- what stops a month from closing --------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Something of the month still undecided: what it is, in the officer's words, and
    the page where it is decided."""

    text: str
    url: str


def _blocking_sessions(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Any]:
    """Sessions that took cash in [start, end) and are still open or not yet verified."""
    return (
        CounterSession.objects.filter(opened_at__lt=end)
        .exclude(status=CounterSession.Status.VERIFIED)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .select_related("clerk")
        .order_by("opened_at", "pk")
    )


def _blocking_payments(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Any]:
    """Payments begun in [start, end) that may still bring or return money."""
    return Payment.objects.filter(
        created_at__gte=start, created_at__lt=end, status__in=Payment.LIVE_STATUSES
    ).order_by("created_at", "pk")


def _session_blocker(session: CounterSession) -> Blocker:
    params = {"pk": localize_digits(session.pk), "clerk": session.clerk}
    if session.status == CounterSession.Status.OPEN:
        text = _("Counter session #%(pk)s of %(clerk)s is still open: the clerk must close it.")
        # An open drawer is the clerk's page; the officer sees the cash it took so far.
        query = urlencode(
            {
                "period": "custom",
                "start": timezone.localtime(session.opened_at).date().isoformat(),
                "end": timezone.localdate().isoformat(),
                "clerk": session.clerk_id,
            }
        )
        url = reverse("payments:revenue_collection_rows") + "?" + query
    else:
        text = _("Counter session #%(pk)s of %(clerk)s is closed but not verified yet.")
        url = reverse("payments:revenue_sessions") + f"#session-{session.pk}"
    return Blocker(text=text % params, url=url)


def _payment_blocker(payment: Payment) -> Blocker:
    params = {"tran_id": payment.tran_id, "amount": format_amount(payment.amount)}
    if payment.status == Payment.Status.ON_HOLD:
        text = _("Payment %(tran_id)s (%(amount)s) is on hold: release or refund it.")
    elif payment.status == Payment.Status.FLAGGED:
        text = _("Payment %(tran_id)s (%(amount)s) is flagged: release or refund it.")
    else:
        text = _(
            "Payment %(tran_id)s (%(amount)s) is still waiting for the gateway's answer: "
            "check it again or wait until it expires."
        )
    return Blocker(
        text=text % params,
        url=reverse("payments:revenue_payment", kwargs={"tran_id": payment.tran_id}),
    )


def _blocking_cases(first: datetime.date, last: datetime.date) -> QuerySet[Any]:
    """Reconciliation cases of transactions of the days [first, last] still open."""
    return ReconciliationCase.objects.filter(
        status=ReconciliationCase.Status.OPEN, day__gte=first, day__lte=last
    ).order_by("day", "pk")


def _case_blocker(case: ReconciliationCase) -> Blocker:
    return Blocker(
        text=_("Reconciliation case of %(tran_id)s (%(kind)s) is open: resolve it.")
        % {"tran_id": case.tran_id, "kind": case.get_kind_display()},
        url=reverse("payments:revenue_case", kwargs={"pk": case.pk}),
    )


def _blocking_deposits(first: datetime.date, last: datetime.date) -> QuerySet[Any]:
    """Bank deposits of the days [first, last] whose variance nobody has explained."""
    return (
        BankDeposit.objects.filter(deposited_on__gte=first, deposited_on__lte=last)
        .exclude(variance=0)
        .filter(explained_at__isnull=True)
        .order_by("deposited_on", "pk")
    )


def _deposit_blocker(deposit: BankDeposit) -> Blocker:
    return Blocker(
        text=_("Bank slip %(slip)s differs from its sessions' cash by %(amount)s: explain it.")
        % {"slip": deposit.slip_number, "amount": format_amount(deposit.variance)},
        url=reverse("payments:revenue_deposit", kwargs={"pk": deposit.pk}),
    )


def blockers(month: datetime.date) -> list[Blocker]:
    """What stops `month` from closing, sessions first (four queries)."""
    start, end = month_bounds(month)
    first, last = first_day(month), last_day(month)
    return (
        [_session_blocker(s) for s in _blocking_sessions(start, end)]
        + [_payment_blocker(p) for p in _blocking_payments(start, end)]
        + [_case_blocker(c) for c in _blocking_cases(first, last)]
        + [_deposit_blocker(d) for d in _blocking_deposits(first, last)]
    )


def blockers_by_month(months: list[datetime.date]) -> dict[datetime.date, list[Blocker]]:
    """`blockers` of several months in four queries (the months list)."""
    found: dict[datetime.date, list[Blocker]] = {first_day(m): [] for m in months}
    if not found:
        return found
    start, end = month_bounds(min(found))[0], month_bounds(max(found))[1]
    zone = ZoneInfo(settings.TIME_ZONE)
    for session in _blocking_sessions(start, end):
        blocker = _session_blocker(session)
        for month in found:
            m_start, m_end = month_bounds(month)
            if session.opened_at < m_end and (
                session.closed_at is None or session.closed_at >= m_start
            ):
                found[month].append(blocker)
    for payment in _blocking_payments(start, end):
        month = first_day(payment.created_at.astimezone(zone).date())
        if month in found:
            found[month].append(_payment_blocker(payment))
    for case in _blocking_cases(min(found), last_day(max(found))):
        if first_day(case.day) in found:
            found[first_day(case.day)].append(_case_blocker(case))
    for deposit in _blocking_deposits(min(found), last_day(max(found))):
        if first_day(deposit.deposited_on) in found:
            found[first_day(deposit.deposited_on)].append(_deposit_blocker(deposit))
    return found


# --- the month's totals ---------------------------------------------------------------------


def month_totals(month: datetime.date) -> dict[str, Any]:
    """What the ledger holds for `month` by revenue head, read from the collection rollups
    (exact: rollups.collected): {"heads": {head: "amount"}, "total": "…", "lines": n}."""
    rows = rollups.collected(["head"], start=first_day(month), end=last_day(month))
    heads = {row.key[0]: row.amount for row in sorted(rows, key=lambda r: r.key[0])}
    return {
        "heads": {head: str(amount) for head, amount in heads.items()},
        "total": str(sum(heads.values(), start=Decimal("0.00"))),
        "lines": sum(row.lines for row in rows),
    }


# --- closing and reopening ------------------------------------------------------------------

#: How many of the things that stop a month from closing a refusal names (the month's page
#: lists them all).
SHOWN_BLOCKERS = 5


def month_close(*, month: datetime.date, officer: Any) -> MonthClose:
    """Close `month` (any day of it): a revenue officer, after the month has ended and
    when nothing in it is left undecided (`blockers`). Records the month's totals by
    revenue head and an audit row. Refused with a PaymentError saying why."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer can close a month."))
    month = first_day(month)
    if last_day(month) >= timezone.localdate():
        raise PaymentError(
            _("%(month)s has not ended yet; it can be closed from its next day.")
            % {"month": month_label(month)}
        )
    with transaction.atomic():
        _lock(month, shared=False)
        row, _created = MonthClose.objects.select_for_update().get_or_create(month=month)
        if row.closed:
            raise PaymentError(_("%(month)s is already closed.") % {"month": month_label(month)})
        waiting = blockers(month)
        if waiting:
            what = " ".join(b.text for b in waiting[:SHOWN_BLOCKERS])
            if len(waiting) > SHOWN_BLOCKERS:
                more = len(waiting) - SHOWN_BLOCKERS
                what += " " + ngettext(
                    "And %(n)s more: see the month's page.",
                    "And %(n)s more: see the month's page.",
                    more,
                ) % {"n": localize_digits(more)}
            raise PaymentError(
                _("%(month)s cannot be closed yet: %(what)s")
                % {"month": month_label(month), "what": what}
            )
        row.closed = True
        row.closed_by = officer
        row.closed_at = timezone.now()
        row.totals = month_totals(month)
        row.save()
        audit.record(
            action="month.closed",
            obj=row,
            actor=officer,
            after={"month": month, "totals": row.totals},
        )
    return row


def month_reopen(*, month: datetime.date, admin: Any, reason: str) -> MonthClose:
    """Reopen a closed month: an administrator, with a reason (audited). Writes dated
    into it are accepted again until it is closed again."""
    if not admin.has_perm(perm("administer_portal")):
        raise PaymentError(_("Only an administrator can reopen a closed month."))
    if not reason.strip():
        raise PaymentError(_("A reason is required to reopen a month."))
    month = first_day(month)
    with transaction.atomic():
        _lock(month, shared=False)
        row = MonthClose.objects.select_for_update().filter(month=month, closed=True).first()
        if row is None:
            raise PaymentError(_("%(month)s is not closed.") % {"month": month_label(month)})
        before = {"closed": True, "closed_by": row.closed_by_id, "closed_at": row.closed_at}
        row.closed = False
        row.reopened_by = admin
        row.reopened_at = timezone.now()
        row.reopen_reason = reason.strip()[:2000]
        row.save()
        audit.record(
            action="month.reopened",
            obj=row,
            actor=admin,
            reason=row.reopen_reason,
            before=before,
            after={"closed": False, "month": month},
        )
    return row


# --- the daily collection register ----------------------------------------------------------


@dataclass(frozen=True)
class RegisterDay:
    day: datetime.date
    amounts: list[Decimal]  # one per head of the register, in its order
    total: Decimal


@dataclass(frozen=True)
class Register:
    """A month's collections day by day and by revenue head, for the accounts section:
    every day of the month (nothing collected reads 0.00), a column per head collected in
    the month (reversals count, negative, on the day of the void)."""

    month: datetime.date
    heads: list[str]
    days: list[RegisterDay]
    head_totals: list[Decimal]
    total: Decimal
    lines: int


def daily_register(month: datetime.date) -> Register:
    """The register of `month` (any day of it), from the collection rollups (one query)."""
    from ..models import RevenueHead

    month = first_day(month)
    end = last_day(month)
    rows = rollups.collected(["day", "head"], start=month, end=end)
    order = {head: i for i, head in enumerate(RevenueHead.values)}
    heads = sorted({row.key[1] for row in rows}, key=lambda h: (order.get(h, len(order)), h))
    cells = {(row.key[0], row.key[1]): row.amount for row in rows}
    zero = Decimal("0.00")
    days = []
    for number in range(1, end.day + 1):
        day = month.replace(day=number)
        amounts = [cells.get((day, head), zero) for head in heads]
        days.append(RegisterDay(day=day, amounts=amounts, total=sum(amounts, start=zero)))
    head_totals = [sum((d.amounts[i] for d in days), start=zero) for i in range(len(heads))]
    return Register(
        month=month,
        heads=heads,
        days=days,
        head_totals=head_totals,
        total=sum(head_totals, start=zero),
        lines=sum(row.lines for row in rows),
    )
