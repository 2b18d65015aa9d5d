"""Licences per fiscal year: the application, the one function that moves a licence's
status (with its history row, its audit row and the card lookup kept up to date), the
officer's approval under the fleet cap with its first-come waiting list, and expiry."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fiscal import (
    current_fiscal_year,
    next_fiscal_year,
    parse_fiscal_year,
    previous_fiscal_year,
)
from core.sequences import next_in_year
from core.status import check_transition

from .. import fees
from ..defaults import ensure_schedule
from ..models import (
    CardLookup,
    Licence,
    LicenceStatusChange,
    NumberCounter,
    RfidCard,
    Vehicle,
    WardCap,
)
from ..numbers import licence_number, plate_number
from ._common import record
from .cards import refresh_lookup

S = Licence.Status

#: Refused moves (core.status.check_transition fills in the two statuses' labels).
BAD_TRANSITION = gettext_lazy("An e-bike licence cannot go from “%(old)s” to “%(new)s”.")

#: Moves that need a reason on record.
REASON_NEEDED = {S.REJECTED, S.SUSPENDED, S.SEIZED}


def licence_apply(*, vehicle: Vehicle, fiscal_year: str | None = None, actor=None) -> Licence:
    """Apply for the vehicle's licence for `fiscal_year` (default: the current one): a new
    licence for a vehicle never licensed, else a renewal. Status "applied", with its first
    history row. A second live application for the same year is refused."""
    fy = parse_fiscal_year(fiscal_year or current_fiscal_year())
    ensure_schedule(fy)
    kind = (
        Licence.Kind.RENEWAL
        if vehicle.licences.filter(status__in=Licence.ISSUED).exists()
        else Licence.Kind.NEW
    )
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                vehicle=vehicle, fiscal_year=fy, kind=kind, status=S.APPLIED
            )
            LicenceStatusChange.objects.create(
                licence=licence, from_status="", to_status=S.APPLIED, changed_by=actor
            )
            record("licence_apply", licence, actor=actor, after={"fiscal_year": fy, "kind": kind})
    except IntegrityError:
        raise ValidationError(
            _("This e-bike already has a licence or an application for FY %(fy)s.") % {"fy": fy},
            code="licence_exists",
        ) from None
    return licence


def _assign_numbers(vehicle: Vehicle) -> None:
    """The vehicle's blue book and plate numbers, given once (counters under row locks)."""
    fields = []
    if not vehicle.licence_no:
        vehicle.licence_no = licence_number(next_in_year(NumberCounter, "licence"))
        fields.append("licence_no")
    if not vehicle.plate_no:
        ward = vehicle.ward.number
        key = f"plate-{vehicle.vehicle_type}-{ward}"
        serial = next_in_year(NumberCounter, key)
        vehicle.plate_no = plate_number(vehicle_type=vehicle.vehicle_type, ward=ward, serial=serial)
        fields.append("plate_no")
    if not vehicle.verify_code:
        vehicle.verify_code = secrets.token_hex(8)
        fields.append("verify_code")
    if fields:
        vehicle.save(update_fields=fields)


def _valid_until(fiscal_year: str) -> datetime.date:
    """A licence of `fiscal_year` runs until the next year's renewal deadline."""
    return ensure_schedule(next_fiscal_year(fiscal_year)).renewal_deadline


@transaction.atomic
def licence_set_status(*, licence: Licence, to: str, reason: str = "", actor=None) -> Licence:
    """The one place a licence's status changes (Licence.TRANSITIONS): refused moves and a
    rejection, suspension or seizure without a reason are ValidationErrors with nothing
    changed; every move writes a LicenceStatusChange (who, when, from, to, why) and an
    audit row, and brings the vehicle's cards' lookup rows up to date. Approval gives the
    vehicle its blue book and plate numbers (once); becoming active sets the day the
    licence runs until (the next year's renewal deadline)."""
    row = Licence.objects.select_for_update().select_related("vehicle__ward").get(pk=licence.pk)
    before = row.status
    check_transition(Licence.TRANSITIONS, before, to, choices=S, message=BAD_TRANSITION)
    reason = (reason or "").strip()
    if to in REASON_NEEDED and not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason_required")
    fields = ["status"]
    row.status = to
    if to == S.APPROVED:
        _assign_numbers(
            Vehicle.objects.select_for_update().select_related("ward").get(pk=row.vehicle_id)
        )
    if to == S.ACTIVE and row.valid_until is None:
        row.valid_until = _valid_until(row.fiscal_year)
        fields.append("valid_until")
    row.save(update_fields=fields)
    LicenceStatusChange.objects.create(
        licence=row, from_status=before, to_status=to, reason=reason, changed_by=actor
    )
    record(
        f"licence_{to}",
        row,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": to},
    )
    refresh_lookup(Vehicle.objects.select_related("ward").get(pk=row.vehicle_id))
    for field in row._meta.concrete_fields:
        setattr(licence, field.attname, getattr(row, field.attname))
    return licence


# --- the fleet cap and the waiting list -------------------------------------------------------


def fleet_counts(
    fiscal_year: str, *, today: datetime.date | None = None
) -> tuple[int, dict[int, int]]:
    """Vehicles holding a place in `fiscal_year`: the city's count and each ward's. A
    place is held by a licence of the year that is approved, active, suspended or seized,
    and by a licence of an earlier year still running (its renewal deadline not passed)."""
    today = today or timezone.localdate()
    holding = Licence.objects.filter(status__in=Licence.HOLDS_PLACE).filter(
        Q(fiscal_year=fiscal_year) | Q(valid_until__gte=today)
    )
    per_ward = dict(
        Vehicle.objects.filter(pk__in=holding.values("vehicle_id"))
        .values_list("ward__number")
        .annotate(n=Count("pk"))
        .values_list("ward__number", "n")
    )
    return sum(per_ward.values()), per_ward


def _lock_fleet(fiscal_year: str):
    """The year's schedule row, locked: decisions about the year's places queue on it."""
    schedule = ensure_schedule(fiscal_year)
    return type(schedule).objects.select_for_update().get(pk=schedule.pk)


def _ward_caps(schedule) -> dict[int, int | None]:
    return {
        number: cap
        for number, cap in WardCap.objects.filter(schedule=schedule).values_list(
            "ward__number", "cap"
        )
    }


@transaction.atomic
def licence_approve(*, licence: Licence, actor=None) -> Licence:
    """The officer approves an application (documents and vehicle checked). A renewal, or a
    new licence with room under the city's and the ward's caps, is approved; a new licence
    beyond a cap waits, first come first served (waiting_list_advance moves the queue)."""
    schedule = _lock_fleet(licence.fiscal_year)
    if licence.kind == Licence.Kind.RENEWAL:
        return licence_set_status(licence=licence, to=S.APPROVED, actor=actor)
    city_count, per_ward = fleet_counts(licence.fiscal_year)
    ward = Vehicle.objects.select_related("ward").get(pk=licence.vehicle_id).ward.number
    if fees.may_license(
        city_cap=schedule.city_cap,
        city_count=city_count,
        ward_cap=_ward_caps(schedule).get(ward),
        ward_count=per_ward.get(ward, 0),
    ):
        return licence_set_status(licence=licence, to=S.APPROVED, actor=actor)
    return licence_set_status(licence=licence, to=S.WAITING, actor=actor)


@transaction.atomic
def waiting_list_advance(*, fiscal_year: str, actor=None) -> list[Licence]:
    """Move the year's waiting list as far as the caps allow now (after a licence lapsed
    or a cap was raised): waiting applications approved in the order they applied."""
    fy = parse_fiscal_year(fiscal_year)
    schedule = _lock_fleet(fy)
    city_count, per_ward = fleet_counts(fy)
    waiting = list(
        Licence.objects.filter(fiscal_year=fy, status=S.WAITING)
        .select_related("vehicle__ward")
        .order_by("applied_at", "pk")
    )
    moves = fees.waiting_list_moves(
        city_cap=schedule.city_cap,
        city_count=city_count,
        ward_caps=_ward_caps(schedule),
        ward_counts=per_ward,
        waiting=[(lic, lic.vehicle.ward.number) for lic in waiting],
    )
    reason = _("A place under the fleet cap became free.")
    approved = [
        licence_set_status(licence=lic, to=S.APPROVED, reason=reason, actor=actor)
        for lic in moves
        if isinstance(lic, Licence)
    ]
    for lic in approved:
        _bill_and_tell(lic, actor=actor)
    return approved


def _bill_and_tell(licence: Licence, *, actor=None) -> None:
    """A waiting application that took a place: its licence fee billed and the owner told,
    as on an approval (ezbike.services.applications.application_decide)."""
    from ..notify import notify_owner
    from .billing import licence_fee_bill

    bill = licence_fee_bill(licence=licence, actor=actor)
    vehicle = Vehicle.objects.select_related("owner__user").get(pk=licence.vehicle_id)
    application = getattr(licence, "application", None)
    notify_owner(
        mobile=application.mobile if application else vehicle.owner.mobile,
        user=vehicle.owner.user,
        key="approved",
        ref=application.reference if application else vehicle.chassis_no,
        plate=vehicle.plate_no or "",
        amount=bill.total,
        bill=bill.number,
        due=bill.due_date,
    )


def licences_expire_due(*, today: datetime.date | None = None, actor=None) -> int:
    """Expire every issued licence whose renewal deadline has passed (each through
    licence_set_status, in a transaction of its own), then move the current year's waiting
    list. Returns how many it expired: two runs at once expire each licence once."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(
        status__in=[S.ACTIVE, S.SUSPENDED, S.SEIZED], valid_until__lt=today
    ).order_by("pk")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            # Still due under its lock: the same job on another worker at the same moment
            # (beat's task delivered twice) may have expired it meanwhile; it is left.
            licence = due.select_for_update().filter(pk=pk).first()
            if licence is None:
                continue
            licence_set_status(
                licence=licence,
                to=S.EXPIRED,
                reason=_("Not renewed by the renewal deadline."),
                actor=actor,
            )
        count += 1
    if count:
        from core.fiscal import fiscal_year as fy_of

        waiting_list_advance(fiscal_year=fy_of(today), actor=actor)
    return count


@transaction.atomic
def schedule_deadline_moved(*, schedule, old_deadline: datetime.date, actor=None) -> int:
    """A year's renewal deadline was changed (an office order extends it most years): the
    licences of the year before that ran until the old deadline run until the new one, and
    so do their cards' lookup rows — set-based, in one transaction. Returns how many
    licences moved."""
    new = schedule.renewal_deadline
    if new == old_deadline:
        return 0
    previous = previous_fiscal_year(schedule.fiscal_year)
    moved = Licence.objects.filter(
        fiscal_year=previous, valid_until=old_deadline, status__in=Licence.ISSUED
    ).update(valid_until=new)
    vehicles = Licence.objects.filter(fiscal_year=previous, valid_until=new).values("vehicle_id")
    CardLookup.objects.filter(
        valid_until=old_deadline,
        uid__in=RfidCard.objects.filter(vehicle_id__in=vehicles).values("uid"),
    ).update(valid_until=new)
    record(
        "schedule_deadline_moved",
        schedule,
        actor=actor,
        before={"renewal_deadline": old_deadline},
        after={"renewal_deadline": new, "licences": moved},
    )
    return moved
