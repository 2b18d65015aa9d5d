"""Ijara (docs/markets.md, "Ijara"): the register of sites and their past lease amounts, a
tender for a Bengali year with its reserve price, sealed bids paid through payments, the
opening, the award (the balance with VAT and income tax), the forfeit of a winner who does
not pay (the next bidder offered) and the refund of the other bidders' securities.

Every write is one transaction with an audit row; refusals are ValidationErrors with a
translated message and nothing changed. **No audit row, log line, message or exception
carries a bid's amount before the opening**: the amount exists in the clear only in the
bidder's request, and sealed (market_leases.sealing) in the database.

Bills (through payments' one bill path, subject types below): the schedule fee (due
``ijara:schedule:<tender>:<bidder>``, once per tender and bidder), a bid's security (due
``ijara:security:<bid>``, when paid online) and the winner's balance (``ijara:balance:<bid>``).
The hooks (market_leases.registry_hooks → on_paid here) mark them paid.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import localize_digits, to_bengali_digits
from core.fiscal import fiscal_year
from core.money import format_amount, to_money
from payments.gateways.sslcommerz import MAX_AMOUNT
from payments.models import Bill
from payments.services import LineSpec, PaymentError, bill_cancel, bill_issue

from .. import rent, sealing
from ..ijara_models import Bid, IjaraSite, PastLease, SchedulePurchase, Tender
from ..selectors import NotInForce, rules_in_force
from ._common import field_error, record, require_estate_officer

log = logging.getLogger(__name__)

SERVICE = "market_leases"
SCHEDULE = "ijara_schedule"  # subject: the SchedulePurchase
SECURITY = "ijara_security"  # subject: the Bid
BALANCE = "ijara_balance"  # subject: the Bid
KHAS = "ijara_khas"  # subject: the IjaraSite (a day's takings collected directly)
SUBJECT_TYPES = (SCHEDULE, SECURITY, BALANCE, KHAS)


def _rules(on: datetime.date) -> rent.Rules:
    try:
        return rules_in_force(on)
    except NotInForce as exc:
        raise ValidationError(str(exc), code="no_rules") from None


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = to_money(value if isinstance(value, Decimal | int) else str(value))
    except (TypeError, ValueError):
        raise field_error(
            field, _("Write an amount in taka, such as 1234567.00."), "not_an_amount"
        ) from None
    return amount


# --- the register --------------------------------------------------------------------------------


def site_register(*, ward, kind: str, name_bn: str, name_en: str = "", actor=None) -> IjaraSite:
    require_estate_officer(actor)
    if kind not in IjaraSite.Kind.values:
        raise field_error("kind", _("Choose the kind of site."), "bad_kind")
    if not name_bn.strip():
        raise field_error("name_bn", _("Give the site's name in Bengali."), "no_name")
    with transaction.atomic():
        site, created = IjaraSite.objects.get_or_create(
            ward=ward, name_bn=name_bn.strip(), defaults={"kind": kind, "name_en": name_en.strip()}
        )
        if created:
            record("ijara_site_registered", site, actor=actor, after={"name": site.name_bn})
    return site


def past_lease_record(*, site: IjaraSite, year: int, amount: Any, actor=None) -> PastLease:
    """Record (or correct) what the site was leased for in Bengali `year`."""
    require_estate_officer(actor)
    value = _money(amount, "amount")
    if value <= 0:
        raise field_error("amount", _("A lease amount is more than zero."), "not_positive")
    with transaction.atomic():
        row, created = PastLease.objects.select_for_update().get_or_create(
            site=site, year=year, defaults={"amount": value}
        )
        before = None if created else {"amount": row.amount}
        if not created:
            row.amount = value
            row.save(update_fields=["amount"])
        record("ijara_past_lease", row, actor=actor, before=before, after={"amount": value})
    return row


def reserve_for(site: IjaraSite, year: int, rules: rent.Rules) -> rent.Reserve:
    amounts = dict(site.past_leases.values_list("year", "amount"))
    try:
        return rent.reserve_price(amounts, year, years=rules.reserve_years)
    except ValueError:
        raise ValidationError(
            _("No lease amount of this site is on record before %(year)s.")
            % {"year": localize_digits(year)},
            code="no_past_leases",
        ) from None


# --- the tender ---------------------------------------------------------------------------------


def tender_publish(
    *,
    site: IjaraSite,
    year: int,
    reference: str,
    schedule_fee: Any,
    security_step: Any,
    bid_opens_at: datetime.datetime,
    bid_closes_at: datetime.datetime,
    opening_at: datetime.datetime,
    reserve_price: Any = None,
    reserve_reason: str = "",
    balance_days: int = 7,
    actor=None,
) -> Tender:
    """Publish a site's tender for Bengali `year`. The reserve price is the average of the
    last years' lease amounts (the rules' reserve_years, 3); the officer may set another
    figure with the reason, recorded with the average."""
    require_estate_officer(actor)
    rules = _rules(timezone.localdate())
    average = reserve_for(site, year, rules).amount
    reserve = average if reserve_price in (None, "") else _money(reserve_price, "reserve_price")
    if reserve <= 0:
        raise field_error("reserve_price", _("A reserve price is more than zero."), "bad")
    if reserve != average and not reserve_reason.strip():
        raise field_error(
            "reserve_reason",
            _("Give the reason the reserve price differs from the average %(average)s.")
            % {"average": format_amount(average)},
            "reason_required",
        )
    if not reference.strip():
        raise field_error("reference", _("Give the notice's memo number."), "no_reference")
    fee = _money(schedule_fee, "schedule_fee")
    step = _money(security_step, "security_step")
    if fee < 0 or step <= 0:
        raise field_error("security_step", _("The security's step is more than zero."), "bad")
    if not (bid_opens_at < bid_closes_at <= opening_at):
        raise field_error(
            "opening_at",
            _("The bid window must close after it opens, and the opening come after it closes."),
            "bad_window",
        )
    start, _end = rent.ijara_term(year)
    if bid_closes_at.date() >= start + datetime.timedelta(days=365):
        raise field_error("year", _("The bids close after that year has gone."), "late")
    try:
        with transaction.atomic():
            tender = Tender.objects.create(
                site=site,
                year=year,
                reference=reference.strip(),
                schedule_fee=fee,
                security_step=step,
                bid_opens_at=bid_opens_at,
                bid_closes_at=bid_closes_at,
                opening_at=opening_at,
                reserve_average=average,
                reserve_price=reserve,
                reserve_reason=reserve_reason.strip(),
                balance_days=balance_days,
                created_by=actor,
            )
            record(
                "ijara_tender_published",
                tender,
                actor=actor,
                reason=reserve_reason,
                after={"reserve_average": average, "reserve_price": reserve, "year": year},
            )
    except IntegrityError:
        raise field_error(
            "year", _("This site already has a tender for that year."), "duplicate"
        ) from None
    return tender


def open_tenders(now: datetime.datetime | None = None):
    """Tenders taking bids now."""
    now = now or timezone.now()
    return (
        Tender.objects.filter(
            status=Tender.Status.OPEN, bid_opens_at__lte=now, bid_closes_at__gt=now
        )
        .select_related("site__ward")
        .order_by("bid_closes_at", "pk")
    )


# --- bidding -------------------------------------------------------------------------------------


def _labels(tender: Tender) -> tuple[str, str]:
    site = tender.site
    return (
        f"ইজারা {to_bengali_digits(tender.year)} — {site.name_bn or site.name_en}",
        f"Ijara {tender.year} — {site.name_en or site.name_bn}",
    )


def _issue(
    *, tender: Tender, bidder, subject_type: str, subject_id: int, due: str, lines, due_date
) -> Bill:
    bn, en = _labels(tender)
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=subject_type,
            subject_id=subject_id,
            dues=[due],
            lines=lines,
            fiscal_year_label=fiscal_year(timezone.localdate()),
            due_date=due_date,
            payer=bidder,
            payer_name=bidder.display_name,
            payer_mobile=getattr(bidder, "mobile", "") or "",
            ward=tender.site.ward,
            subject_label_bn=bn,
            subject_label_en=en,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc


def schedule_bill(purchase: SchedulePurchase) -> Bill | None:
    """The schedule fee's bill (None when the tender charges no fee)."""
    tender = purchase.tender
    if tender.schedule_fee <= 0:
        return None
    return _issue(
        tender=tender,
        bidder=purchase.bidder,
        subject_type=SCHEDULE,
        subject_id=purchase.pk,
        due=f"ijara:schedule:{tender.pk}:{purchase.bidder_id}",
        lines=[
            LineSpec(
                head="application_fee",
                amount=tender.schedule_fee,
                description_bn="দরপত্র সিডিউলের মূল্য",
                description_en="Tender schedule fee",
            )
        ],
        due_date=timezone.localtime(tender.bid_closes_at).date(),
    )


def security_bill(bid: Bid) -> Bill:
    return _issue(
        tender=bid.tender,
        bidder=bid.bidder,
        subject_type=SECURITY,
        subject_id=bid.pk,
        due=f"ijara:security:{bid.pk}",
        lines=[
            LineSpec(
                head="security_deposit",
                amount=bid.security,
                description_bn="দরের জামানত",
                description_en="Bid security",
            )
        ],
        due_date=timezone.localtime(bid.tender.bid_closes_at).date(),
    )


def schedule_buy(*, tender: Tender, bidder) -> SchedulePurchase:
    """The bidder's purchase of the schedule (made once; its bill issued while unpaid)."""
    purchase, _created = SchedulePurchase.objects.get_or_create(tender=tender, bidder=bidder)
    if purchase.paid_at is None:
        if tender.schedule_fee <= 0:
            purchase.paid_at = timezone.now()
            purchase.save(update_fields=["paid_at"])
        else:
            schedule_bill(purchase)
    return purchase


@dataclass
class Submitted:
    bid: Bid
    bills: list[Bill]  # what the bidder still owes for it, to pay online now


def _refuse(message: str, code: str, field: str = "amount") -> ValidationError:
    return field_error(field, message, code)


def bid_submit(
    *,
    tender: Tender,
    bidder,
    amount: Any,
    pay_order_number: str = "",
    pay_order_bank: str = "",
    now: datetime.datetime | None = None,
) -> Submitted:
    """A signed-in citizen's sealed bid. Refused: outside the bid window, below the reserve
    price, a second bid by the same bidder (one bid each: it is refused, not replaced), and
    a security above the gateway's limit without a bank pay order's number and bank. The
    bid counts once the schedule fee and the security are paid by the window's end."""
    if bidder is None or not getattr(bidder, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to bid."))
    value = _money(amount, "amount")
    with transaction.atomic():
        tender = Tender.objects.select_for_update().select_related("site__ward").get(pk=tender.pk)
        now = now or timezone.now()
        if tender.status != Tender.Status.OPEN or not (
            tender.bid_opens_at <= now < tender.bid_closes_at
        ):
            raise _refuse(_("This tender is not taking bids now."), "window_closed")
        if value < tender.reserve_price:
            raise _refuse(
                _("A bid must be at least the reserve price, %(reserve)s.")
                % {"reserve": format_amount(tender.reserve_price)},
                "below_reserve",
            )
        if Bid.objects.filter(tender=tender, bidder=bidder).exists():
            raise _refuse(
                _("You have already bid on this tender; a bid cannot be replaced."),
                "second_bid",
            )
        rules = _rules(timezone.localdate())
        security = rent.bid_security_banded(value, rules, tender.security_step)
        purchase = schedule_buy(tender=tender, bidder=bidder)
        fee_owed = tender.schedule_fee if purchase.paid_at is None else Decimal("0.00")
        online = fee_owed + security <= MAX_AMOUNT
        if not online and not (pay_order_number.strip() and pay_order_bank.strip()):
            raise _refuse(
                _(
                    "The security, %(security)s, is above what can be paid online "
                    "(%(limit)s): give the bank pay order's number and bank."
                )
                % {"security": format_amount(security), "limit": format_amount(MAX_AMOUNT)},
                "pay_order_needed",
                field="pay_order_number",
            )
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    tender=tender,
                    bidder=bidder,
                    amount_sealed="",
                    security=security,
                    method=Bid.Method.ONLINE if online else Bid.Method.PAY_ORDER,
                    pay_order_number="" if online else pay_order_number.strip()[:40],
                    pay_order_bank="" if online else pay_order_bank.strip()[:120],
                )
        except IntegrityError:
            raise _refuse(
                _("You have already bid on this tender; a bid cannot be replaced."),
                "second_bid",
            ) from None
        bid.amount_sealed = sealing.seal(tender_id=tender.pk, bidder_id=bidder.pk, amount=value)
        bid.save(update_fields=["amount_sealed"])
        bills: list[Bill] = []
        fee = schedule_bill(purchase) if purchase.paid_at is None else None
        if fee is not None:
            bills.append(fee)
        if online:
            bills.append(security_bill(bid))
        # The audit row says that a bid was made, with its security: never the amount.
        record(
            "ijara_bid_submitted",
            bid,
            actor=bidder,
            after={"tender": tender.pk, "security": security, "method": bid.method},
        )
    return Submitted(bid=bid, bills=bills)


def bid_bills_open(bid: Bid) -> list[Bill]:
    """What the bidder still owes for the bid: the open schedule fee and security bills."""
    purchase = SchedulePurchase.objects.filter(tender=bid.tender_id, bidder=bid.bidder_id).first()
    subjects = [(SECURITY, str(bid.pk))]
    if purchase is not None:
        subjects.append((SCHEDULE, str(purchase.pk)))
    bills = []
    for subject_type, subject_id in subjects:
        bills += list(
            Bill.objects.filter(
                service=SERVICE,
                subject_type=subject_type,
                subject_id=subject_id,
                status=Bill.Status.OPEN,
            )
        )
    return sorted(bills, key=lambda b: b.pk)


def balance_bills_open(bid: Bid) -> list[Bill]:
    return list(
        Bill.objects.filter(
            service=SERVICE,
            subject_type=BALANCE,
            subject_id=str(bid.pk),
            status=Bill.Status.OPEN,
        ).order_by("pk")
    )


def bid_paid_in_full(bid: Bid) -> bool:
    purchase = SchedulePurchase.objects.filter(tender=bid.tender_id, bidder=bid.bidder_id).first()
    fee_paid = purchase is not None and purchase.paid_at is not None
    return fee_paid and (bid.method == Bid.Method.PAY_ORDER or bid.security_paid_at is not None)


def _mark_valid_if_paid(bid: Bid) -> None:
    """Inside the payment's transaction, the bid locked: SUBMITTED → VALID once both the
    schedule fee and the security (online) are paid before the window closes."""
    if bid.status != Bid.Status.SUBMITTED or bid.method != Bid.Method.ONLINE:
        return
    if timezone.now() >= bid.tender.bid_closes_at:
        return
    if bid_paid_in_full(bid):
        bid.status = Bid.Status.VALID
        bid.save(update_fields=["status"])


# --- payments' hooks -----------------------------------------------------------------------------


def on_paid(bill: Bill) -> None:
    """A schedule fee, a security or a balance paid (inside payments' transaction)."""
    if not str(bill.subject_id).isdigit():
        return
    pk = int(bill.subject_id)
    when = bill.paid_at or timezone.now()
    if bill.subject_type == SCHEDULE:
        purchase = SchedulePurchase.objects.select_for_update().filter(pk=pk).first()
        if purchase is None or purchase.paid_at is not None:
            return
        purchase.paid_at = when
        purchase.save(update_fields=["paid_at"])
        for made in Bid.objects.select_for_update().filter(
            tender_id=purchase.tender_id, bidder_id=purchase.bidder_id
        ):
            _mark_valid_if_paid(made)
        return
    bid = Bid.objects.select_for_update().select_related("tender").filter(pk=pk).first()
    if bid is None:
        return
    if bill.subject_type == SECURITY:
        if bid.security_paid_at is not None:
            return
        bid.security_paid_at = when
        bid.save(update_fields=["security_paid_at"])
        if bid.status == Bid.Status.SUBMITTED:
            _mark_valid_if_paid(bid)
        elif bid.status in (Bid.Status.INVALID, Bid.Status.LOST):  # paid too late
            bid.refund = Bid.Refund.PENDING
            bid.save(update_fields=["refund"])
            transaction.on_commit(lambda: bid_security_refund(bid_id=bid.pk), robust=True)
    elif bill.subject_type == BALANCE and bid.status == Bid.Status.OFFERED:
        bid.status = Bid.Status.LEASED
        bid.save(update_fields=["status"])
        Tender.objects.filter(pk=bid.tender_id).update(status=Tender.Status.LEASED)
        record("ijara_leased", bid.tender, after={"bid": bid.pk, "bill": bill.number})


def on_reopened(bill: Bill) -> None:
    """Online payments are refunded, not voided; nothing of ours moves back (the officer
    sees the payment's history)."""


def on_cancelled(bill: Bill) -> None:
    """A bill replaced or cancelled: nothing of ours changes (an unpaid bid stays unpaid)."""


def subject_url(bill: Bill) -> str:
    from django.urls import reverse

    if bill.subject_type == KHAS:
        return reverse("market_leases:khas")
    return reverse("market_leases:ijara_bids")


# --- opening, award, forfeit ---------------------------------------------------------------------


def _lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("site__ward").get(pk=tender.pk)


def _cancel_open(bills: list[Bill], reason: str, actor) -> None:
    for bill in bills:
        try:
            bill_cancel(bill=bill, reason=reason, actor=actor)
        except PaymentError:  # a payment under way: if it lands, the hook refunds it
            log.info("ijara: bill %s left open (payment under way)", bill.number)


def tender_open(
    *, tender: Tender, actor, confirmed_pay_orders: list[int] | tuple[int, ...] = ()
) -> Tender:
    """The opening, at or after the opening time, by the estate officer: every bid is
    unsealed; a bid is valid when its schedule fee and its security were paid by the
    window's end (a pay order: confirmed by the officer now) and it is at least the reserve;
    the valid ones are ranked, the highest first (equal bids: the earlier paid first). No
    valid bid → the site goes to khas collection. Unpaid bills are cancelled; a security
    paid too late is refunded."""
    require_estate_officer(actor)
    refunds: list[int] = []
    with transaction.atomic():
        tender = _lock_tender(tender)
        if tender.status != Tender.Status.OPEN:
            raise ValidationError(_("This tender has been opened already."), code="opened")
        if timezone.now() < tender.opening_at:
            raise ValidationError(
                _("The bids cannot be opened before the opening time."), code="too_early"
            )
        closes = tender.bid_closes_at
        fee_paid = {p.bidder_id: p.paid_at for p in SchedulePurchase.objects.filter(tender=tender)}
        bids = list(Bid.objects.select_for_update().filter(tender=tender).order_by("pk"))
        valid: list[Bid] = []
        for bid in bids:
            bid.amount = sealing.unseal(
                bid.amount_sealed, tender_id=tender.pk, bidder_id=bid.bidder_id
            )
            paid_fee = fee_paid.get(bid.bidder_id)
            fee_ok = tender.schedule_fee <= 0 or (paid_fee is not None and paid_fee <= closes)
            if bid.method == Bid.Method.PAY_ORDER:
                bid.pay_order_confirmed = bid.pk in set(confirmed_pay_orders)
                security_ok = bid.pay_order_confirmed
            else:
                security_ok = bid.security_paid_at is not None and bid.security_paid_at <= closes
            if fee_ok and security_ok and bid.amount >= tender.reserve_price:
                bid.status = Bid.Status.VALID
                valid.append(bid)
            else:
                bid.status = Bid.Status.INVALID
                if bid.method == Bid.Method.ONLINE and bid.security_paid_at is not None:
                    bid.refund = Bid.Refund.PENDING
                    refunds.append(bid.pk)
                elif bid.method == Bid.Method.PAY_ORDER and bid.pay_order_confirmed:
                    bid.refund = Bid.Refund.RETURN_PAY_ORDER
                _cancel_open(bid_bills_open(bid), "the bid is invalid at the opening", actor)
        valid.sort(key=lambda b: (-(b.amount or 0), b.security_paid_at or b.created_at, b.pk))
        for i, bid in enumerate(valid, start=1):
            bid.rank = i
        for bid in bids:
            bid.save(update_fields=["amount", "status", "rank", "pay_order_confirmed", "refund"])
        # Schedules bought without a bid: their open fee bills are of no use now.
        for purchase in SchedulePurchase.objects.filter(tender=tender, paid_at__isnull=True):
            _cancel_open(
                list(
                    Bill.objects.filter(
                        service=SERVICE,
                        subject_type=SCHEDULE,
                        subject_id=str(purchase.pk),
                        status=Bill.Status.OPEN,
                    )
                ),
                "the tender was opened",
                actor,
            )
        tender.status = Tender.Status.OPENED if valid else Tender.Status.KHAS
        tender.opened_by = actor
        tender.opened_at = timezone.now()
        tender.save(update_fields=["status", "opened_by", "opened_at"])
        record(
            "ijara_tender_opened",
            tender,
            actor=actor,
            after={
                "bids": len(bids),
                "valid": len(valid),
                "ranking": [[b.pk, str(b.amount)] for b in valid],
            },
        )
    for pk in refunds:
        bid_security_refund(bid_id=pk, actor=actor)
    return tender


def _offer(bid: Bid, tender: Tender, *, security_held: Decimal, actor) -> Bill:
    rules = _rules(timezone.localdate())
    lines = rent.lease_balance(bid.amount or Decimal("0"), security_held, rules)
    bid.status = Bid.Status.OFFERED
    bid.balance_due = timezone.localdate() + datetime.timedelta(days=tender.balance_days)
    bid.save(update_fields=["status", "balance_due"])
    descriptions = {
        rent.LEASE: ("ইজারা মূল্য (জামানত বাদে)", "Lease amount less the bid security"),
        rent.VAT: ("ভ্যাট", "VAT"),
        rent.INCOME_TAX: ("উৎসে আয়কর", "Income tax at source"),
    }
    bill = _issue(
        tender=tender,
        bidder=bid.bidder,
        subject_type=BALANCE,
        subject_id=bid.pk,
        due=f"ijara:balance:{bid.pk}",
        lines=[
            LineSpec(
                head=line.head,
                amount=line.amount,
                description_bn=descriptions[line.kind][0],
                description_en=descriptions[line.kind][1],
                explanation=line.rule,
            )
            for line in lines
            if line.amount > 0
        ],
        due_date=bid.balance_due,
    )
    record("ijara_offered", bid, actor=actor, after={"bill": bill.number, "total": bill.total})
    return bill


def tender_award(*, tender: Tender, actor) -> Bid:
    """Offer the lease to the highest valid bid: its balance (the bid less the security
    held) with VAT and income tax on the whole bid is billed, due in the tender's days; the
    other bidders' securities go back at once (online: refunded through payments; a pay
    order: to be returned by hand)."""
    require_estate_officer(actor)
    refunds: list[int] = []
    with transaction.atomic():
        tender = _lock_tender(tender)
        if tender.status != Tender.Status.OPENED:
            raise ValidationError(_("Open the bids before awarding."), code="not_opened")
        bids = list(
            Bid.objects.select_for_update()
            .select_related("bidder")
            .filter(tender=tender, status=Bid.Status.VALID)
            .order_by("rank")
        )
        winner, others = bids[0], bids[1:]
        _offer(winner, tender, security_held=winner.security, actor=actor)
        for bid in others:
            bid.status = Bid.Status.LOST
            if bid.method == Bid.Method.ONLINE:
                bid.refund = Bid.Refund.PENDING
                refunds.append(bid.pk)
            else:
                bid.refund = Bid.Refund.RETURN_PAY_ORDER
            bid.save(update_fields=["status", "refund"])
        tender.status = Tender.Status.OFFERED
        tender.save(update_fields=["status"])
        record("ijara_awarded", tender, actor=actor, after={"winner": winner.pk})
    for pk in refunds:
        bid_security_refund(bid_id=pk, actor=actor)
    return winner


def offer_forfeit(*, tender: Tender, actor) -> Bid | None:
    """After the balance's due date has passed unpaid: the winner's security is forfeited
    and the lease offered to the next bidder in rank (their security was returned at the
    award, so they pay the whole bid with VAT and income tax); none left → khas."""
    require_estate_officer(actor)
    with transaction.atomic():
        tender = _lock_tender(tender)
        if tender.status != Tender.Status.OFFERED:
            raise ValidationError(_("No offer of this tender is waiting."), code="no_offer")
        current = Bid.objects.select_for_update().get(tender=tender, status=Bid.Status.OFFERED)
        due = current.balance_due or timezone.localdate()
        if timezone.localdate() <= due:
            raise ValidationError(
                _("The balance may still be paid until %(date)s.")
                % {"date": localize_digits(due.isoformat())},
                code="not_due",
            )
        open_balance = list(
            Bill.objects.filter(
                service=SERVICE,
                subject_type=BALANCE,
                subject_id=str(current.pk),
                status=Bill.Status.OPEN,
            )
        )
        for bill in open_balance:
            try:
                bill_cancel(bill=bill, reason="the balance was not paid in time", actor=actor)
            except PaymentError as exc:
                raise ValidationError(str(exc), code="payment_in_progress") from exc
        current.status = Bid.Status.FORFEITED
        current.refund = Bid.Refund.FORFEITED
        current.save(update_fields=["status", "refund"])
        following = (
            Bid.objects.select_for_update()
            .select_related("bidder")
            .filter(tender=tender, status=Bid.Status.LOST, rank__gt=current.rank or 0)
            .order_by("rank")
            .first()
        )
        record(
            "ijara_forfeited", current, actor=actor, after={"next": getattr(following, "pk", None)}
        )
        if following is None:
            tender.status = Tender.Status.KHAS
            tender.save(update_fields=["status"])
            return None
        _offer(following, tender, security_held=Decimal("0.00"), actor=actor)
        return following


# --- refunds -------------------------------------------------------------------------------------


def bid_security_refund(*, bid_id: int, actor=None) -> str:
    """Send a bid's security back through payments' refund (after the deciding transaction
    has committed). The bid's `refund` says what happened: refunded, or failed (the revenue
    officer refunds by hand; the officer's page says so). Called again, a refunded one is
    left alone."""
    from payments.services.online import bill_refund_to_payer

    claimed = Bid.objects.filter(pk=bid_id, refund=Bid.Refund.PENDING, refund_note="").update(
        refund_note="sending"
    )
    bid = Bid.objects.select_related("tender__opened_by").get(pk=bid_id)
    if not claimed:  # done already, or under way in another call
        return bid.refund
    bill = (
        Bill.objects.filter(
            service=SERVICE,
            subject_type=SECURITY,
            subject_id=str(bid.pk),
            status=Bill.Status.PAID,
        )
        .order_by("-pk")
        .first()
    )
    requested_by = actor or bid.tender.opened_by
    outcome, note = Bid.Refund.REFUNDED, ""
    if bill is None or requested_by is None:
        outcome, note = Bid.Refund.FAILED, "no paid security bill"
    else:
        try:
            refund = bill_refund_to_payer(
                bill=bill,
                requested_by=requested_by,
                remarks=f"ijara bid security, tender {bid.tender.reference}",
            )
            note = refund.refund_trans_id
        except PaymentError as exc:
            outcome, note = Bid.Refund.FAILED, str(exc)[:200]
    Bid.objects.filter(pk=bid.pk).update(refund=outcome, refund_note=note)
    return outcome


# --- khas collection -----------------------------------------------------------------------------


def khas_sites(on: datetime.date | None = None) -> list[IjaraSite]:
    """Sites collected directly on day `on`: no tender of that Bengali year has leased them
    or is offering them (none was made, or none had a valid bid, or every offer lapsed)."""
    on = on or timezone.localdate()
    year = rent.bengali_year_of(on)
    taken = Tender.objects.filter(
        year=year, status__in=[Tender.Status.LEASED, Tender.Status.OFFERED]
    ).values("site_id")
    return list(IjaraSite.objects.exclude(pk__in=taken).select_related("ward"))


def khas_bill_issue(
    *, site: IjaraSite, day: datetime.date, amount: Any, collector: str, actor=None
) -> Bill:
    """A day's takings of a site collected directly (khas), brought to the counter by its
    collector: one bill per site and day (due ``ijara:khas:<site>:<YYYY-MM-DD>``; a second
    entry for the day is refused once the first is paid), paid in cash at the counter,
    whose receipt is the record. Refused: a day to come, a site that is leased that year."""
    value = _money(amount, "amount")
    if value <= 0:
        raise field_error("amount", _("The takings are more than zero."), "not_positive")
    if day > timezone.localdate():
        raise field_error("day", _("The day has not come yet."), "future")
    if not collector.strip():
        raise field_error("collector", _("Give the collector's name."), "no_collector")
    if site.pk not in {s.pk for s in khas_sites(day)}:
        raise field_error(
            "site", _("This site is leased that year; it is not collected directly."), "leased"
        )
    year = rent.bengali_year_of(day)
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=KHAS,
            subject_id=site.pk,
            dues=[f"ijara:khas:{site.pk}:{day.isoformat()}"],
            lines=[
                LineSpec(
                    head="lease",
                    amount=value,
                    description_bn=f"খাস আদায় {to_bengali_digits(day.isoformat())}",
                    description_en=f"Khas collection {day.isoformat()}",
                    period=str(year),
                )
            ],
            fiscal_year_label=fiscal_year(day),
            due_date=timezone.localdate(),
            payer_name=collector.strip()[:200],
            ward=site.ward,
            subject_label_bn=f"খাস আদায় — {site.name_bn or site.name_en}",
            subject_label_en=f"Khas collection — {site.name_en or site.name_bn}",
            period_label=day.isoformat(),
            period_label_bn=to_bengali_digits(day.isoformat()),
            actor=actor,
        )
    except PaymentError as exc:
        raise field_error("day", str(exc), "already_recorded") from exc


def offers_lapse(today: datetime.date | None = None) -> int:
    """Beat (markets-lapse-ijara-offers): every offer whose balance is unpaid past its due
    date is forfeited and the next bidder offered (offer_forfeit, as the system). An offer
    whose balance a payment is paying just now is left for the next round. Returns how many
    lapsed."""
    today = today or timezone.localdate()
    lapsed = 0
    due = Bid.objects.filter(status=Bid.Status.OFFERED, balance_due__lt=today).values_list(
        "tender_id", flat=True
    )
    for tender in Tender.objects.filter(pk__in=list(due), status=Tender.Status.OFFERED):
        try:
            offer_forfeit(tender=tender, actor=None)
        except ValidationError:
            log.info("ijara: the offer of tender %s is left for the next round", tender.pk)
            continue
        lapsed += 1
    return lapsed
