"""Allotting a vacant shop to a lessee, and the one function that moves an allotment's
status (with a history row and an audit row).

A shop is occupied while one of its allotments is pending payment or active. Allotting
locks the shop's row, so two officers allotting one shop at the same moment queue: the
second finds it occupied and is refused (the partial unique constraint
`one_live_allotment_per_shop` stands behind the lock)."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.digits import localize_date, localize_digits
from core.money import to_money
from core.status import check_transition, status_label
from trade_licenses.public import licence_summary

from .. import rent
from ..defaults import DEFAULT_AGREEMENT_YEARS
from ..models import Allotment, AllotmentStatusChange, Lessee, Shop
from ..notify import notify
from ..selectors import NotInForce, schedule_in_force
from ._common import field_error, record, require_estate_officer
from .billing import premium_bill, premium_bill_issue

S = Allotment.Status

#: Refused moves (core.status.check_transition fills in the two statuses' labels).
BAD_TRANSITION = gettext_lazy("An allotment cannot go from “%(old)s” to “%(new)s”.")

#: Moves that need a reason on record.
REASON_NEEDED = {S.CANCELLED, S.TRANSFERRED}


def _occupied_message(shop: Shop, holder: Allotment | None) -> str:
    if holder is None:
        return _("Shop %(number)s in %(market)s was allotted meanwhile: it is not vacant.") % {
            "number": localize_digits(shop.number),
            "market": shop.market.name,
        }
    return _(
        "Shop %(number)s in %(market)s is not vacant: it is allotted to %(lessee)s "
        "(%(status)s). Cancel or end that allotment first."
    ) % {
        "number": localize_digits(shop.number),
        "market": shop.market.name,
        "lessee": holder.lessee.name,
        "status": status_label(S, holder.status),
    }


def _default_end(starts_on: datetime.date) -> datetime.date:
    """The day before the same date DEFAULT_AGREEMENT_YEARS (5) years on."""
    year = starts_on.year + DEFAULT_AGREEMENT_YEARS
    try:
        same_day = starts_on.replace(year=year)
    except ValueError:  # 29 February
        same_day = starts_on.replace(year=year, day=28)
    return same_day - datetime.timedelta(days=1)


def _check_licence(number: str, lessee: Lessee, on: datetime.date) -> tuple[str, datetime.date]:
    """The lessee's current trade licence, asked through trade_licenses.public: it must
    exist, be valid on `on` and have been issued to the lessee's NID."""
    licence = licence_summary(number=number or "", on=on)
    if licence is None:
        raise field_error(
            "trade_licence_number", _("No trade licence has this number."), "unknown_licence"
        )
    if not licence.valid:
        raise field_error(
            "trade_licence_number",
            _(
                "Trade licence %(number)s is not current on %(date)s (valid until "
                "%(until)s, or replaced): the lessee must renew it first."
            )
            % {
                "number": localize_digits(licence.number),
                "date": localize_date(on),
                "until": localize_date(licence.valid_until),
            },
            "licence_not_current",
        )
    if licence.holder_nid != lessee.nid:
        raise field_error(
            "trade_licence_number",
            _("Trade licence %(number)s was not issued to this lessee (the NID on it differs).")
            % {"number": localize_digits(licence.number)},
            "licence_not_lessees",
        )
    return licence.number, licence.valid_until


def shop_allot(
    *,
    shop: Shop,
    lessee: Lessee,
    basis: str,
    decision_reference: str,
    decision_date: datetime.date,
    starts_on: datetime.date,
    trade_licence_number: str,
    ends_on: datetime.date | None = None,
    salami: Decimal | str | None = None,
    actor=None,
) -> Allotment:
    """Allot a vacant shop to a lessee, by tender or by a committee's decision (its memo
    number and date), for an agreement from `starts_on` to `ends_on` (default five years).
    The lessee's trade licence must be current today and theirs (trade_licenses.public).
    The salami (unless a tender set it) and the security deposit come from the rent schedule
    of the shop's market and floor in force on `starts_on`. The allotment waits for them to
    be paid ("pending_payment"); an occupied shop is refused with a message naming who
    holds it, and nothing is written."""
    require_estate_officer(actor)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if basis not in Allotment.Basis.values:
        errors["basis"] = _("Choose tender or committee.")
    decision_reference = (decision_reference or "").strip()
    if not decision_reference:
        errors["decision_reference"] = _("Enter the tender's or the committee's memo number.")
    if decision_date > today:
        errors["decision_date"] = _("%(date)s is in the future: enter the day it happened.") % {
            "date": localize_date(decision_date)
        }
    ends_on = ends_on or _default_end(starts_on)
    if ends_on <= starts_on:
        errors["ends_on"] = _("The agreement must end after it starts.")
    if errors:
        raise ValidationError(errors)
    licence_number, licence_until = _check_licence(trade_licence_number, lessee, today)
    try:
        schedule = schedule_in_force(shop, starts_on)
    except NotInForce as e:
        raise field_error("starts_on", str(e), "no_schedule") from None
    premium = (
        rent.salami(shop.area_sqft, schedule).amount if salami in (None, "") else to_money(salami)
    )
    if premium < 0:
        raise ValidationError({"salami": _("The salami cannot be negative.")})
    deposit = rent.security_deposit(shop.area_sqft, schedule).amount
    try:
        with transaction.atomic():
            locked = Shop.objects.select_for_update().select_related("market").get(pk=shop.pk)
            holder = (
                Allotment.objects.select_related("lessee")
                .filter(shop=locked, status__in=Allotment.OCCUPYING)
                .first()
            )
            if holder is not None:
                raise ValidationError(_occupied_message(locked, holder), code="shop_occupied")
            allotment = Allotment.objects.create(
                shop=locked,
                lessee=lessee,
                basis=basis,
                decision_reference=decision_reference,
                decision_date=decision_date,
                starts_on=starts_on,
                ends_on=ends_on,
                salami=premium,
                security_deposit=deposit,
                trade_licence_number=licence_number,
                trade_licence_valid_until=licence_until,
                status=S.PENDING_PAYMENT,
                allotted_by=actor,
                verify_code=secrets.token_hex(8),
            )
            AllotmentStatusChange.objects.create(
                allotment=allotment, from_status="", to_status=S.PENDING_PAYMENT, changed_by=actor
            )
            record("shop_allot", allotment, actor=actor, after=audit.snapshot(allotment))
            # The salami and deposit through payments' one bill path; paying it makes the
            # allotment active (registry_hooks.on_paid). Nothing to pay: active at once.
            bill = premium_bill_issue(allotment=allotment, actor=actor)
            if bill is None:
                allotment_set_status(
                    allotment=allotment, to=S.ACTIVE, reason="nothing to pay", actor=actor
                )
            else:
                notify(
                    allotment, "allotted", amount=bill.total, bill=bill.number, due=bill.due_date
                )
    except IntegrityError:
        # Another transaction took the shop between the lock and the insert (only without
        # row locks, as on SQLite's shared cache): the constraint refused the second.
        raise ValidationError(_occupied_message(shop, None), code="shop_occupied") from None
    return allotment


def _cancel_premium_bill(allotment: Allotment, *, reason: str, actor) -> None:
    """A withdrawn allotment's open salami and deposit bill is cancelled (refused while a
    payment on it is under way: the money may still come)."""
    from payments.services import PaymentError, bill_cancel

    bill = premium_bill(allotment)
    if bill is None or bill.status != bill.Status.OPEN:
        return
    try:
        bill_cancel(bill=bill, reason=f"allotment cancelled: {reason}", actor=actor)
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc


@transaction.atomic
def allotment_set_status(
    *, allotment: Allotment, to: str, reason: str = "", actor=None
) -> Allotment:
    """The one place an allotment's status changes (Allotment.TRANSITIONS): refused moves,
    and a cancellation or transfer without a reason, are ValidationErrors with nothing
    changed; every move writes an AllotmentStatusChange (who, when, from, to, why) and an
    audit row. Back to active from expired (a renewal) is refused when the shop was allotted
    to someone else meanwhile."""
    # The shop's row first, as shop_allot takes it: a renewal and an allotment queue.
    Shop.objects.select_for_update().get(pk=allotment.shop_id)
    row = Allotment.objects.select_for_update().select_related("shop__market").get(pk=allotment.pk)
    before = row.status
    check_transition(
        Allotment.TRANSITIONS,
        before,
        to,
        choices=S,
        message=BAD_TRANSITION,
    )
    reason = (reason or "").strip()
    if to in REASON_NEEDED and not reason:
        raise field_error("reason", _("Say why."), "reason_required")
    row.status = to
    row.status_changed_at = timezone.now()
    try:
        with transaction.atomic():
            row.save(update_fields=["status", "status_changed_at"])
    except IntegrityError:
        raise ValidationError(_occupied_message(row.shop, None), code="shop_occupied") from None
    if before == S.PENDING_PAYMENT and to == S.CANCELLED:
        _cancel_premium_bill(row, reason=reason, actor=actor)
    AllotmentStatusChange.objects.create(
        allotment=row, from_status=before, to_status=to, reason=reason, changed_by=actor
    )
    record(
        f"allotment_{to}",
        row,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": to},
    )
    for field in row._meta.concrete_fields:
        setattr(allotment, field.attname, getattr(row, field.attname))
    return allotment
