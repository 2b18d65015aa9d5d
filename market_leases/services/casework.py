"""An allotment's casework: a name change (transfer) for the transfer fee, and a
cancellation for arrears after a notice and a hearing.

**Transfer**: the estate officer records the decision and the new lessee (their current
trade licence checked through trade_licenses.public); the fee — the lease rules' months
(14) × the monthly rent under the schedule in force today (rent.transfer_fee) — is billed to
the new lessee through payments' one bill path (subject type "transfer", due
``transfer:<pk>``). Refused while rent is unpaid (the arrears are the old lessee's). When the
fee is paid (registry_hooks.on_paid → transfer_complete), in the payment's transaction and
under the shop's lock, the old allotment becomes `transferred` and a new one is made active
for the new lessee until the same end date, `transferred_from` the old one, the security
deposit carried over, no salami.

**Arrears**: with at least the rules' months (3) of rent unpaid past their due dates, the
officer sends the notice (SMS: months, amount with surcharges today, the hearing date) and,
on or after the hearing, cancels the allotment with a reason — the security deposit set
against the unpaid months (each month's rent, then its surcharge, oldest first;
rent.deposit_set_off), the result recorded on the case — or withdraws the notice.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import localize_date, localize_digits
from core.fiscal import fiscal_year
from payments.models import Bill, Payment
from payments.services import LineSpec, PaymentError, bill_issue

from .. import rent
from ..models import (
    Allotment,
    AllotmentStatusChange,
    ArrearsCase,
    Lessee,
    RentMonth,
    Shop,
    Transfer,
)
from ..notify import notify
from ..selectors import NotInForce, rules_in_force, schedule_in_force
from ._common import field_error, record, require_estate_officer
from .allotments import _check_licence, allotment_set_status
from .billing import RENT, SERVICE, month_lines, premium_bill, shop_label, unpaid_months

TRANSFER = "transfer"  # the Bill's subject type for a transfer fee

#: Days the new lessee has to pay the transfer fee.
TRANSFER_DUE_DAYS = 30


def _active(allotment: Allotment) -> Allotment:
    row = Allotment.objects.select_related("shop__market__ward", "lessee").get(pk=allotment.pk)
    if row.status != Allotment.Status.ACTIVE:
        raise ValidationError(
            _("Only an active allotment can be transferred or cancelled for arrears."),
            code="not_active",
        )
    return row


def transfer_request(
    *,
    allotment: Allotment,
    new_lessee: Lessee,
    trade_licence_number: str,
    decision_reference: str,
    decision_date: datetime.date,
    actor=None,
) -> Transfer:
    """Record a name change and bill the transfer fee to the new lessee."""
    require_estate_officer(actor)
    today = timezone.localdate()
    row = _active(allotment)
    if new_lessee.pk == row.lessee_id:
        raise field_error("nid", _("The new lessee is the present one."), "same_lessee")
    decision_reference = (decision_reference or "").strip()
    if not decision_reference:
        raise field_error(
            "decision_reference", _("Enter the decision's memo number."), "reference_required"
        )
    if decision_date > today:
        raise field_error(
            "decision_date",
            _("%(date)s is in the future: enter the day it happened.")
            % {"date": localize_date(decision_date)},
            "future_decision",
        )
    if unpaid_months(row):
        raise ValidationError(
            _("Rent is unpaid on this shop: the present lessee must pay it before a transfer."),
            code="rent_unpaid",
        )
    number, valid_until = _check_licence(trade_licence_number, new_lessee, today)
    try:
        schedule = schedule_in_force(row.shop, today)
        rules = rules_in_force(today)
    except NotInForce as e:
        raise ValidationError(str(e), code="no_schedule") from None
    fee = rent.transfer_fee(row.shop.area_sqft, schedule, rules)
    try:
        with transaction.atomic():
            Shop.objects.select_for_update().get(pk=row.shop_id)
            transfer = Transfer.objects.create(
                allotment=row,
                new_lessee=new_lessee,
                decision_reference=decision_reference,
                decision_date=decision_date,
                trade_licence_number=number,
                trade_licence_valid_until=valid_until,
                fee=fee.amount,
                requested_by=actor,
            )
            bn, en = shop_label(row)
            bill = bill_issue(
                service=SERVICE,
                subject_type=TRANSFER,
                subject_id=transfer.pk,
                dues=[f"transfer:{transfer.pk}"],
                lines=[
                    LineSpec(
                        head="transfer_fee",
                        amount=fee.amount,
                        description_bn="নাম পরিবর্তন (হস্তান্তর) ফি",
                        description_en="Transfer (name change) fee",
                        explanation=fee.rule,
                        explanation_data=[fee.explanation],
                    )
                ],
                fiscal_year_label=fiscal_year(today),
                due_date=today + datetime.timedelta(days=TRANSFER_DUE_DAYS),
                payer=new_lessee.user,
                payer_name=new_lessee.name_en or new_lessee.name_bn,
                payer_mobile=new_lessee.mobile,
                ward=row.shop.market.ward,
                subject_label_bn=f"হস্তান্তর — {bn}",
                subject_label_en=f"Transfer — {en}",
                actor=actor,
            )
            record(
                "transfer_request",
                transfer,
                actor=actor,
                after={"fee": str(fee.amount), "bill": bill.number, "to": new_lessee.nid},
            )
    except IntegrityError:
        raise ValidationError(
            _("A transfer of this shop is already waiting for its fee."), code="transfer_pending"
        ) from None
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc
    notify_transfer(transfer, bill)
    return transfer


def notify_transfer(transfer: Transfer, bill) -> None:
    from ..notify import notify_lessee

    notify_lessee(
        transfer.new_lessee,
        transfer.allotment.shop,
        "transfer_billed",
        amount=bill.total,
        bill=bill.number,
        due=bill.due_date,
    )


def transfer_complete(transfer_id: int, *, bill_number: str = "") -> Allotment | None:
    """The fee is paid: the shop passes to the new lessee (inside the payment's transaction;
    a second call finds the transfer done and changes nothing)."""
    first = Transfer.objects.filter(pk=transfer_id).select_related("allotment").first()
    if first is None:
        return None
    Shop.objects.select_for_update().get(pk=first.allotment.shop_id)
    transfer = Transfer.objects.select_for_update().get(pk=transfer_id)
    old = Allotment.objects.select_related("shop__market", "lessee").get(pk=transfer.allotment_id)
    if transfer.status != Transfer.Status.PENDING_PAYMENT or old.status != Allotment.Status.ACTIVE:
        return None
    new_lessee = transfer.new_lessee
    allotment_set_status(
        allotment=old,
        to=Allotment.Status.TRANSFERRED,
        reason=f"name change to {new_lessee.name_en or new_lessee.name_bn} "
        f"({transfer.decision_reference}; fee bill {bill_number})",
    )
    today = timezone.localdate()
    new = Allotment.objects.create(
        shop=old.shop,
        lessee=new_lessee,
        basis=old.basis,
        decision_reference=transfer.decision_reference,
        decision_date=transfer.decision_date,
        starts_on=min(today, old.ends_on - datetime.timedelta(days=1)),
        ends_on=old.ends_on,
        salami=0,
        security_deposit=old.security_deposit,  # carried over with the shop
        trade_licence_number=transfer.trade_licence_number,
        trade_licence_valid_until=transfer.trade_licence_valid_until,
        transferred_from=old,
        status=Allotment.Status.ACTIVE,
        verify_code=secrets.token_hex(8),
    )
    AllotmentStatusChange.objects.create(
        allotment=new, from_status="", to_status=Allotment.Status.ACTIVE, reason="transfer"
    )
    transfer.status = Transfer.Status.DONE
    transfer.new_allotment = new
    transfer.done_at = timezone.now()
    transfer.save(update_fields=["status", "new_allotment", "done_at"])
    record("transfer_done", transfer, after={"new_allotment": new.pk})
    notify(new, "active")
    return new


def transfer_cancel_on_bill(transfer_id: int) -> None:
    """The fee's bill was cancelled: a transfer still waiting for it is cancelled."""
    Transfer.objects.filter(pk=transfer_id, status=Transfer.Status.PENDING_PAYMENT).update(
        status=Transfer.Status.CANCELLED
    )


# --- cancellation for arrears ------------------------------------------------------------------


def _overdue(allotment: Allotment, today: datetime.date) -> list[RentMonth]:
    return [m for m in unpaid_months(allotment) if m.due_date < today]


@transaction.atomic
def arrears_notice(*, allotment: Allotment, hearing_on: datetime.date, actor=None) -> ArrearsCase:
    """Send the notice of cancellation for arrears with a hearing date: refused unless at
    least the rules' months of rent are unpaid past their due dates."""
    require_estate_officer(actor)
    today = timezone.localdate()
    row = _active(allotment)
    if hearing_on <= today:
        raise field_error("hearing_on", _("The hearing must be on a day to come."), "hearing_past")
    try:
        rules = rules_in_force(today)
    except NotInForce as e:
        raise ValidationError(str(e), code="no_rules") from None
    overdue = _overdue(row, today)
    if not rent.arrears_reach_cancellation(len(overdue), rules):
        raise ValidationError(
            _("%(months)s month(s) of rent are overdue; a notice of cancellation needs %(needed)s.")
            % {
                "months": localize_digits(len(overdue)),
                "needed": localize_digits(rules.cancellation_arrears_months),
            },
            code="not_enough_arrears",
        )
    owed = sum(
        (m.rent + (s.amount if s else 0) for m, s in month_lines(overdue, today)),
        rent.ZERO,
    )
    try:
        with transaction.atomic():
            case = ArrearsCase.objects.create(
                allotment=row,
                months_unpaid=len(overdue),
                owed=owed,
                hearing_on=hearing_on,
                opened_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            _("A notice for this allotment is already open."), code="notice_open"
        ) from None
    record(
        "arrears_notice",
        case,
        actor=actor,
        after={"months": len(overdue), "owed": str(owed), "hearing_on": hearing_on.isoformat()},
    )
    notify(row, "arrears_notice", months=len(overdue), amount=owed, hearing=hearing_on)
    return case


@transaction.atomic
def arrears_decide(*, case: ArrearsCase, cancel: bool, reason: str, actor=None) -> ArrearsCase:
    """After the hearing: cancel the allotment (the deposit set against what is owed, recorded
    on the case) or withdraw the notice; a reason either way."""
    require_estate_officer(actor)
    today = timezone.localdate()
    case = ArrearsCase.objects.select_for_update().get(pk=case.pk)
    if case.status != ArrearsCase.Status.NOTICE:
        raise ValidationError(_("This notice has been decided already."), code="decided")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why."), "reason_required")
    if cancel and today < case.hearing_on:
        raise ValidationError(
            _("The hearing is on %(date)s: the allotment can be cancelled after it.")
            % {"date": localize_date(case.hearing_on)},
            code="before_hearing",
        )
    allotment = Allotment.objects.get(pk=case.allotment_id)
    if cancel:
        _cancel_open_rent_bills(allotment, actor)
        overdue = unpaid_months(allotment)
        dues: list[tuple[str, Decimal]] = []
        for m, s in month_lines(overdue, today):
            dues.append((f"rent:{m.month}", m.rent))
            if s is not None:
                dues.append((f"surcharge:{m.month}", s.amount))
        set_off = rent.deposit_set_off(allotment.security_deposit, dues)
        applied = dict(set_off.applied)
        covered = [m.pk for m in overdue if applied.get(f"rent:{m.month}") == m.rent]
        RentMonth.objects.filter(pk__in=covered, status=RentMonth.Status.DUE).update(
            status=RentMonth.Status.SET_OFF
        )
        allotment_set_status(
            allotment=allotment, to=Allotment.Status.CANCELLED, reason=reason, actor=actor
        )
        case.set_off = {
            "deposit": str(set_off.deposit),
            "owed": str(set_off.owed),
            "applied": [[what, str(amount)] for what, amount in set_off.applied],
            "refund": str(set_off.refund),
            "still_owed": str(set_off.still_owed),
        }
        case.status = ArrearsCase.Status.CANCELLED
        if set_off.refund > 0:
            case.refund = ArrearsCase.Refund.PENDING
            case_id = case.pk
            transaction.on_commit(lambda: deposit_refund(case_id=case_id), robust=True)
    else:
        case.status = ArrearsCase.Status.WITHDRAWN
    case.reason = reason
    case.decided_by = actor
    case.decided_at = timezone.now()
    case.save(update_fields=["set_off", "status", "reason", "decided_by", "decided_at", "refund"])
    record("arrears_decided", case, actor=actor, reason=reason, after={"status": case.status})
    return case


def _cancel_open_rent_bills(allotment: Allotment, actor) -> None:
    """Before the deposit is set against the rent owed, the allotment's open rent bills are
    cancelled, so that no month is paid twice (by the deposit and by a bill). Refused while
    a payment of one is under way."""
    from payments.services import bill_cancel

    for bill in Bill.objects.filter(
        service=SERVICE, subject_type=RENT, subject_id=str(allotment.pk), status=Bill.Status.OPEN
    ):
        try:
            bill_cancel(bill=bill, reason="allotment cancelled for arrears", actor=actor)
        except PaymentError as exc:
            raise ValidationError(
                _("A payment of this shop's rent is under way: decide after it ends. %(reason)s")
                % {"reason": exc},
                code="payment_in_progress",
            ) from exc


def deposit_refund(*, case_id: int) -> str:
    """Send what is left of a cancelled allotment's deposit back through payments' refund
    (after the cancelling transaction has committed) to whoever paid the salami and deposit
    bill online: part of that bill's payment. Paid at the counter, it is to be refunded at
    the counter; refused by the gateway, the revenue officer refunds by hand — the case's
    `refund` and `refund_note` say which. Called again, a case already sent is left alone."""
    from payments.services.online import bill_refund_to_payer

    claimed = ArrearsCase.objects.filter(
        pk=case_id, refund=ArrearsCase.Refund.PENDING, refund_note=""
    ).update(refund_note="sending")
    case = ArrearsCase.objects.select_related("allotment", "decided_by").get(pk=case_id)
    if not claimed:  # done already, or under way in another call
        return case.refund
    amount = Decimal(case.set_off.get("refund") or "0")
    bill = premium_bill(case.allotment)
    outcome, note = ArrearsCase.Refund.REFUNDED, ""
    if bill is None or bill.status != Bill.Status.PAID or case.decided_by is None:
        outcome, note = ArrearsCase.Refund.FAILED, "no paid salami and deposit bill"
    elif not bill.payments.filter(channel=Payment.Channel.ONLINE, status="succeeded").exists():
        outcome, note = ArrearsCase.Refund.AT_COUNTER, bill.number
    else:
        try:
            refund = bill_refund_to_payer(
                bill=bill,
                requested_by=case.decided_by,
                remarks=f"deposit of allotment {case.allotment_id}, cancelled for arrears",
                amount=amount,
            )
            note = refund.refund_trans_id
        except PaymentError as exc:
            outcome, note = ArrearsCase.Refund.FAILED, str(exc)[:200]
    ArrearsCase.objects.filter(pk=case.pk).update(refund=outcome, refund_note=note)
    record("deposit_refunded", case, actor=case.decided_by, after={"refund": outcome,
           "amount": str(amount), "note": note})  # fmt: skip
    return outcome


# --- agreements: expiry and renewal --------------------------------------------------------


def agreements_expire(*, today: datetime.date | None = None) -> int:
    """Every active allotment whose agreement ended before `today` becomes `expired` (each
    through allotment_set_status, with its history row); returns how many. Run daily."""
    today = today or timezone.localdate()
    ended = Allotment.objects.filter(status=Allotment.Status.ACTIVE, ends_on__lt=today)
    done = 0
    for allotment in ended.order_by("pk").iterator():
        try:
            allotment_set_status(
                allotment=allotment,
                to=Allotment.Status.EXPIRED,
                reason=f"the agreement ended on {allotment.ends_on.isoformat()}",
            )
        except ValidationError:  # moved meanwhile (transferred, cancelled)
            continue
        done += 1
    return done


@transaction.atomic
def allotment_renew(
    *, allotment: Allotment, ends_on: datetime.date, decision_reference: str, actor=None
) -> Allotment:
    """Renew an agreement to a new end date (the city's decision): an active allotment's end
    moves on; an expired one becomes active again — refused if the shop was allotted to
    someone else meanwhile (allotment_set_status)."""
    require_estate_officer(actor)
    Shop.objects.select_for_update().get(pk=allotment.shop_id)
    row = Allotment.objects.select_for_update().get(pk=allotment.pk)
    if row.status not in (Allotment.Status.ACTIVE, Allotment.Status.EXPIRED):
        raise ValidationError(
            _("Only an active or expired allotment can be renewed."), code="not_renewable"
        )
    if ends_on <= max(row.ends_on, timezone.localdate()):
        raise field_error(
            "ends_on",
            _("The renewed agreement must end after %(date)s.")
            % {"date": localize_date(max(row.ends_on, timezone.localdate()))},
            "ends_too_soon",
        )
    decision_reference = (decision_reference or "").strip()
    if not decision_reference:
        raise field_error(
            "decision_reference", _("Enter the decision's memo number."), "reference_required"
        )
    before = row.ends_on
    row.ends_on = ends_on
    row.save(update_fields=["ends_on"])
    if row.status == Allotment.Status.EXPIRED:
        allotment_set_status(
            allotment=row,
            to=Allotment.Status.ACTIVE,
            reason=f"renewed to {ends_on.isoformat()} ({decision_reference})",
            actor=actor,
        )
    record(
        "allotment_renew",
        row,
        actor=actor,
        reason=decision_reference,
        before={"ends_on": before.isoformat()},
        after={"ends_on": ends_on.isoformat()},
    )
    for field in ("ends_on", "status", "status_changed_at"):
        setattr(allotment, field, getattr(row, field))
    return allotment
