"""Disconnection for arrears: the connections with `disconnection_arrears_months` (tariff) or
more months unpaid past their due date, listed for the water officer (one grouped query);
a notice by SMS (once: one open case per connection, a unique constraint); the order that
disconnects (who, when, why: connection_set_status); the reconnection fee billed through
payments (bill_issue); reconnected when the months and the fee are paid (registry hooks).
Every step writes an audit row."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.digits import localize_digits, to_bengali_digits
from core.explain import because, explain, taka
from core.explain import day as explain_day
from core.fiscal import fiscal_year
from payments.models import Bill
from payments.services import LineSpec, PaymentError, bill_issue

from ..models import Connection, Disconnection, WaterBill
from ..notify import notify_case, pay_link
from ..selectors import tariff_on
from ._common import lock, record
from .connections import connection_set_status

D = Disconnection.Status
SERVICE = "water_billing"
SUBJECT_TYPE = "reconnection"
RECONNECTION_HEAD = "other"
DEFAULT_MONTHS = 3


def threshold(today: datetime.date | None = None) -> int:
    """Months unpaid past their due date before a connection may be disconnected (the
    tariff in effect today)."""
    tariff = tariff_on(today or timezone.localdate())
    return tariff.disconnection_arrears_months if tariff else DEFAULT_MONTHS


def _overdue(today: datetime.date) -> Q:
    return Q(
        bills__status=WaterBill.Status.DUE,
        bills__total__gt=0,
        bills__due_date__lt=today,
    )


def in_arrears(
    *, today: datetime.date | None = None, months: int | None = None, ward=None
) -> QuerySet[Connection]:
    """Active and disconnected connections with `months` (the tariff's) or more months
    unpaid past their due date, most months first — one grouped query, each row with
    `months_unpaid`, `arrears` (their total), `oldest`, `newest_bill` (the newest unpaid
    month's pk, for the pay link) and `case_status` (the open case's status, or None)."""
    today = today or timezone.localdate()
    months = months if months is not None else threshold(today)
    overdue = _overdue(today)
    open_case = Disconnection.objects.filter(
        connection=OuterRef("pk"), status__in=Disconnection.OPEN
    )
    qs = (
        Connection.objects.filter(
            status__in=[Connection.Status.ACTIVE, Connection.Status.DISCONNECTED]
        )
        .annotate(
            months_unpaid=Count("bills", filter=overdue),
            arrears=Sum("bills__total", filter=overdue),
            oldest=Min("bills__period", filter=overdue),
            newest_bill=Max("bills__pk", filter=overdue),
            case_status=Subquery(open_case.values("status")[:1]),
            case_id=Subquery(open_case.values("pk")[:1]),
        )
        .filter(months_unpaid__gte=max(1, months))
        .select_related("ward")
        .order_by("-months_unpaid", "-arrears", "consumer_no")
    )
    if ward is not None:
        qs = qs.filter(ward=ward)
    return qs


def _owed(connection: Connection, today: datetime.date) -> tuple[int, Decimal, WaterBill | None]:
    rows = WaterBill.objects.filter(
        connection=connection,
        status=WaterBill.Status.DUE,
        total__gt=0,
        due_date__lt=today,
    ).order_by("period")
    months = list(rows)
    return (
        len(months),
        sum((m.total for m in months), Decimal("0.00")),
        months[-1] if months else None,
    )


def _unpaid_any(connection_id: int) -> bool:
    return WaterBill.objects.filter(
        connection_id=connection_id, status=WaterBill.Status.DUE, total__gt=0
    ).exists()


def _notify(connection: Connection, key: str, **values) -> None:
    notify_case(
        mobile=connection.billing_mobile,
        user=connection.user,
        key=key,
        number=connection.consumer_no,
        **values,
    )


@transaction.atomic
def disconnection_notice(
    *, connection: Connection, actor, today: datetime.date | None = None
) -> Disconnection:
    """Send the notice (SMS with what is owed and the pay link) and open the case — once per
    connection while a case is open; refused when the connection no longer has the months
    unpaid."""
    today = today or timezone.localdate()
    row = lock(connection)
    if row.status != Connection.Status.ACTIVE:
        raise ValidationError(_("Only an active connection gets a notice."), code="not_active")
    needed = threshold(today)
    months, owed, newest = _owed(row, today)
    if months < needed:
        raise ValidationError(
            _("Connection %(number)s has %(months)s months unpaid; a notice needs %(needed)s.")
            % {
                "number": localize_digits(row.consumer_no),
                "months": localize_digits(months),
                "needed": localize_digits(needed),
            },
            code="not_in_arrears",
        )
    try:
        with transaction.atomic():
            case = Disconnection.objects.create(
                connection=row, months_unpaid=months, arrears=owed, noticed_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            _("A notice has been sent to this connection already."), code="noticed"
        ) from None
    record(
        "disconnection_notice",
        case,
        actor=actor,
        after={"connection": row.consumer_no, "months": months, "arrears": str(owed)},
    )
    _notify(row, "notice", months=months, amount=owed, link=pay_link(newest) if newest else "")
    return case


def _lock_case(case: Disconnection) -> Disconnection:
    return (
        Disconnection.objects.select_for_update(of=("self",))
        .select_related("connection__ward", "connection__user")
        .get(pk=case.pk)
    )


@transaction.atomic
def disconnection_order(
    *, case: Disconnection, actor, reason: str, today: datetime.date | None = None
) -> Disconnection:
    """The order to disconnect, after the notice: who, when, why; the connection goes to
    "disconnected" (its history row), the reconnection fee is billed, SMS. A case whose
    months were paid meanwhile is settled instead (ValidationError "settled")."""
    if not actor.has_perm("accounts.manage_water"):
        raise ValidationError(_("Only a water officer orders a disconnection."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")}, code="reason")
    today = today or timezone.localdate()
    row = _lock_case(case)
    if row.status != D.NOTICED:
        raise ValidationError(
            _("This connection has been disconnected already."), code="not_noticed"
        )
    months, owed, _newest = _owed(row.connection, today)
    if months == 0:
        _close(row, D.SETTLED, actor=actor)
        raise ValidationError(
            _("The unpaid months have been paid since the notice: nothing to disconnect."),
            code="settled",
        )
    connection_set_status(
        connection=row.connection, to=Connection.Status.DISCONNECTED, reason=reason, actor=actor
    )
    row.status, row.ordered_by, row.ordered_at, row.reason = (
        D.DISCONNECTED,
        actor,
        timezone.now(),
        reason,
    )
    row.save(update_fields=["status", "ordered_by", "ordered_at", "reason"])
    record(
        "disconnection_order",
        row,
        actor=actor,
        reason=reason,
        before={"status": D.NOTICED},
        after={"status": D.DISCONNECTED, "months": months, "arrears": str(owed)},
    )
    bill = _bill_fee(row, actor=actor, today=today)
    _notify(
        row.connection,
        "disconnected",
        amount=owed,
        fee=bill.total if bill is not None else Decimal("0.00"),
    )
    return row


def _close(row: Disconnection, to: str, *, actor) -> None:
    before = row.status
    row.status, row.closed_at = to, timezone.now()
    fields = ["status", "closed_at"]
    if to == D.RECONNECTED:
        row.reconnected_at = row.closed_at
        fields.append("reconnected_at")
    row.save(update_fields=fields)
    record(f"disconnection_{to}", row, actor=actor, before={"status": before}, after={"status": to})


def _fee_lines(today: datetime.date) -> list[LineSpec]:
    tariff = tariff_on(today)
    if tariff is None or tariff.reconnection_fee <= 0:
        return []
    why = [
        because(
            gettext_noop("Tariff from %(tariff)s: reconnection fee %(fee)s"),
            tariff=explain_day(tariff.effective_from),
            fee=taka(tariff.reconnection_fee),
        )
    ]
    return [
        LineSpec(
            head=RECONNECTION_HEAD,
            amount=Decimal(tariff.reconnection_fee),
            description_bn="পুনঃসংযোগ ফি",
            description_en="Reconnection fee",
            explanation=explain(why, "en"),
            explanation_data=why,
        )
    ]


def _bill_fee(row: Disconnection, *, actor, today: datetime.date) -> Bill | None:
    """The reconnection fee bill of a locked, disconnected case (the open one if billed
    already); None when the tariff charges no fee (then the fee counts as paid)."""
    if row.fee_paid:
        return row.fee_bill
    bill = row.fee_bill
    if bill is not None and bill.status == Bill.Status.OPEN:
        return bill
    lines = _fee_lines(today)
    if not lines:
        row.fee_paid = True
        row.reconnection_fee = Decimal("0.00")
        row.save(update_fields=["fee_paid", "reconnection_fee"])
        return None
    conn = row.connection
    tariff = tariff_on(today)
    try:
        bill = bill_issue(
            service=SERVICE,
            subject_type=SUBJECT_TYPE,
            subject_id=row.pk,
            dues=[f"reconnection:{row.pk}"],
            lines=lines,
            fiscal_year_label=fiscal_year(today),
            due_date=today + datetime.timedelta(days=tariff.due_days if tariff else 15),
            payer=conn.user,
            payer_name=conn.name_en or conn.name_bn,
            payer_mobile=conn.billing_mobile,
            ward=conn.ward,
            subject_label_bn=f"পানির সংযোগ {to_bengali_digits(conn.consumer_no)} — পুনঃসংযোগ",
            subject_label_en=f"Water connection {conn.consumer_no} — reconnection",
            actor=actor,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc
    row.fee_bill, row.reconnection_fee = bill, bill.total
    row.save(update_fields=["fee_bill", "reconnection_fee"])
    record(
        "reconnection_fee_billed",
        row,
        actor=actor,
        after={"bill": bill.number, "total": str(bill.total)},
    )
    return bill


@transaction.atomic
def reconnection_fee_bill(
    *, case: Disconnection, actor=None, today: datetime.date | None = None
) -> Bill | None:
    """The reconnection fee's bill for a disconnected connection (the open one when billed
    already: asking twice, or two people at once, gives one bill)."""
    row = _lock_case(case)
    if row.status != D.DISCONNECTED:
        raise ValidationError(_("The connection is not disconnected."), code="not_disconnected")
    return _bill_fee(row, actor=actor, today=today or timezone.localdate())


def _maybe_reconnect(row: Disconnection) -> None:
    """A locked open case: reconnected when the fee and every unpaid month are paid; a
    noticed case whose months are paid is settled."""
    if row.status == D.NOTICED and not _unpaid_any(row.connection_id):
        _close(row, D.SETTLED, actor=None)
    elif row.status == D.DISCONNECTED and row.fee_paid and not _unpaid_any(row.connection_id):
        conn = row.connection
        if conn.status == Connection.Status.DISCONNECTED:
            connection_set_status(
                connection=conn,
                to=Connection.Status.ACTIVE,
                reason="arrears and reconnection fee paid",
            )
        _close(row, D.RECONNECTED, actor=None)
        _notify(conn, "reconnected")


def on_months_paid(connection_ids) -> None:
    """Registry hook (monthly bills paid): the open cases of these connections move on."""
    for case in Disconnection.objects.filter(
        connection_id__in=list(connection_ids), status__in=Disconnection.OPEN
    ).order_by("pk"):
        _maybe_reconnect(_lock_case(case))


def case_for_bill(bill: Bill) -> Disconnection | None:
    if bill.subject_type != SUBJECT_TYPE or not str(bill.subject_id).isdigit():
        return None
    return Disconnection.objects.filter(pk=int(bill.subject_id)).first()


def on_fee_paid(bill: Bill) -> None:
    case = case_for_bill(bill)
    if case is None:
        return
    row = _lock_case(case)
    row.fee_paid = True
    row.save(update_fields=["fee_paid"])
    record("reconnection_fee_paid", row, after={"bill": bill.number})
    _maybe_reconnect(row)


def on_fee_cancelled(bill: Bill) -> None:
    case = case_for_bill(bill)
    if case is None:
        return
    row = _lock_case(case)
    if row.fee_bill_id == bill.pk and not row.fee_paid:
        row.fee_bill = None
        row.save(update_fields=["fee_bill"])
        record("reconnection_fee_cancelled", row, after={"bill": bill.number})


def on_fee_reopened(bill: Bill) -> None:
    case = case_for_bill(bill)
    if case is None:
        return
    row = _lock_case(case)
    if row.fee_bill_id == bill.pk:
        row.fee_paid = False
        row.save(update_fields=["fee_paid"])
    record("reconnection_fee_voided", row, after={"bill": bill.number, "status": row.status})
