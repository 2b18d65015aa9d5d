"""RFID cards: bound to a licensed vehicle's plate, replaced (the old UID blacklisted), and
the lookup rows readers are answered from (CardLookup), rebuilt for a vehicle whenever its
cards or licences change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CardLookup, Licence, RfidCard, Vehicle
from ..numbers import normalize_uid
from ._common import record
from .billing import card_fee_bill

#: A licence's status as readers are told it (a "valid" past its day is "expired").
SCAN_STATUS: dict[str, str] = {
    Licence.Status.ACTIVE: "valid",
    Licence.Status.SUSPENDED: "suspended",
    Licence.Status.SEIZED: "suspended",
    Licence.Status.EXPIRED: "expired",
}


def refresh_lookup(vehicle: Vehicle) -> None:
    """Bring the lookup rows of the vehicle's cards up to date: the card in use answers
    its latest issued licence's status (until that licence's day); a blacklisted card
    answers "blacklisted". Called by every service that changes cards or licences."""
    licence = (
        Licence.objects.filter(vehicle=vehicle, status__in=Licence.ISSUED)
        .order_by("-fiscal_year")
        .first()
    )
    status = SCAN_STATUS.get(licence.status, "expired") if licence else "expired"
    valid_until = licence.valid_until if licence and status == "valid" else None
    rows = [
        CardLookup(
            uid=uid,
            status="blacklisted" if card_status == RfidCard.Status.BLACKLISTED else status,
            plate=vehicle.plate_no or "",
            vehicle_type=vehicle.vehicle_type,
            ward=vehicle.ward.number,
            valid_until=valid_until if card_status == RfidCard.Status.IN_USE else None,
        )
        for uid, card_status in RfidCard.objects.filter(vehicle=vehicle).values_list(
            "uid", "status"
        )
    ]
    if rows:
        CardLookup.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["uid"],
            update_fields=["status", "plate", "vehicle_type", "ward", "valid_until"],
        )


def _locked_vehicle(vehicle: Vehicle) -> Vehicle:
    return Vehicle.objects.select_for_update().select_related("ward").get(pk=vehicle.pk)


def _uid_taken(uid: str) -> ValidationError:
    return ValidationError(
        {
            "uid": _(
                "The card %(uid)s is already in the register: a card is bound once, to one "
                "e-bike, and never moves to another."
            )
            % {"uid": uid}  # a code, typed as it is
        },
        code="uid_taken",
    )


def _new_card(vehicle: Vehicle, uid: str, actor) -> RfidCard:
    if RfidCard.objects.filter(uid=uid).exists():
        raise _uid_taken(uid)
    try:
        with transaction.atomic():
            return RfidCard.objects.create(uid=uid, vehicle=vehicle, bound_by=actor)
    except IntegrityError:  # the same UID bound meanwhile, elsewhere
        raise _uid_taken(uid) from None


def _check_licensed(vehicle: Vehicle) -> None:
    if not vehicle.plate_no or not vehicle.licences.filter(status=Licence.Status.ACTIVE).exists():
        raise ValidationError(
            _("A card is bound only to the plate of an e-bike with an active licence."),
            code="not_licensed",
        )


@transaction.atomic
def card_bind(*, vehicle: Vehicle, uid: str, actor=None) -> RfidCard:
    """Bind a card to the vehicle's plate. The UID is checked and normalised (hex, upper
    case); it must be new to the register (unique forever: two binds of one UID at once,
    one wins); the vehicle must have an active licence and no card in use (a lost or
    damaged card is replaced with card_replace)."""
    uid = normalize_uid(uid)
    row = _locked_vehicle(vehicle)
    _check_licensed(row)
    if RfidCard.objects.filter(vehicle=row, status=RfidCard.Status.IN_USE).exists():
        raise ValidationError(
            _("This e-bike already has a card: replace it instead."), code="card_in_use"
        )
    card = _new_card(row, uid, actor)
    refresh_lookup(row)
    record("card_bind", card, actor=actor, after={"uid": uid, "plate": row.plate_no})
    return card


@transaction.atomic
def card_replace(*, card: RfidCard, new_uid: str, reason: str, actor=None) -> RfidCard:
    """Replace a lost or damaged card, all at once: the old UID is blacklisted, the new card
    bound to the same vehicle's plate and the year's card replacement fee billed to the owner
    through payments (nothing changes when the new UID is refused)."""
    new_uid = normalize_uid(new_uid)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason_required")
    vehicle = _locked_vehicle(card.vehicle)
    old = RfidCard.objects.select_for_update().get(pk=card.pk)
    if old.status != RfidCard.Status.IN_USE:
        raise ValidationError(
            _("This card is blacklisted already: bind the new card instead."),
            code="card_not_in_use",
        )
    old.status = RfidCard.Status.BLACKLISTED
    old.blacklisted_at = timezone.now()
    old.blacklist_reason = reason[:300]
    old.save(update_fields=["status", "blacklisted_at", "blacklist_reason"])
    new = _new_card(vehicle, new_uid, actor)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    refresh_lookup(vehicle)
    bill = card_fee_bill(
        card=new,
        vehicle=Vehicle.objects.select_related("owner__user", "ward").get(pk=vehicle.pk),
        actor=actor,
    )
    record(
        "card_replace",
        new,
        actor=actor,
        reason=reason,
        before={"uid": old.uid},
        after={"uid": new.uid, "plate": vehicle.plate_no, "bill": bill.number if bill else ""},
    )
    card.status, card.replaced_by = old.status, new
    return new


@transaction.atomic
def card_blacklist(*, card: RfidCard, reason: str, actor=None) -> RfidCard:
    """Blacklist a card reported lost or stolen before a new one is bound (card_bind then
    binds the new card)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason_required")
    vehicle = _locked_vehicle(card.vehicle)
    row = RfidCard.objects.select_for_update().get(pk=card.pk)
    if row.status == RfidCard.Status.BLACKLISTED:
        return row
    row.status = RfidCard.Status.BLACKLISTED
    row.blacklisted_at = timezone.now()
    row.blacklist_reason = reason[:300]
    row.save(update_fields=["status", "blacklisted_at", "blacklist_reason"])
    refresh_lookup(vehicle)
    record("card_blacklist", row, actor=actor, reason=reason, after={"uid": row.uid})
    return row
