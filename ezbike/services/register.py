"""The register: owners (permanent residents: the NID address's ward is one of the
city's), vehicles (chassis and motor numbers unique), drivers (one vehicle at a time)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import to_ascii_digits
from core.places import ward_by_number
from core.validators import normalize_mobile, normalize_nid

from ..models import Driver, DriverAssignment, Owner, Vehicle, VehicleType
from ..numbers import normalize_frame_number
from ._common import record


def _facts(obj) -> dict:
    """The audit row's picture of an owner or driver (the photo by its file name only)."""
    names = [f.attname for f in obj._meta.concrete_fields if f.name != "photo"]
    return {**audit.snapshot(obj, names), "photo": obj.photo.name or ""}


def _nid(value: object, errors: dict[str, str]) -> str:
    try:
        return normalize_nid(value)
    except ValidationError as e:
        errors["nid"] = e.messages[0]
        return ""


def _mobile(value: object, errors: dict[str, str]) -> str:
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except ValidationError as e:
        errors["mobile"] = e.messages[0]
        return ""


def owner_register(
    *,
    nid: str,
    name_bn: str = "",
    name_en: str = "",
    nid_ward: object,
    nid_address: str = "",
    mobile: str = "",
    photo=None,
    user=None,
    actor=None,
) -> Owner:
    """Register an owner. The owner must be a permanent resident of the city: the ward of
    the address on the NID must be one of the city's wards (ValidationError on "nid_ward"
    otherwise). An NID already registered is refused."""
    errors: dict[str, str] = {}
    nid = _nid(nid, errors)
    mobile = _mobile(mobile, errors)
    ward = None
    try:
        ward = ward_by_number(getattr(nid_ward, "number", nid_ward))
    except ValidationError:
        errors["nid_ward"] = _(
            "The owner must be a permanent resident of the city: the address on the NID "
            "must be in one of the city's wards."
        )
    if not (name_bn or name_en).strip():
        errors["name_bn"] = _("Enter the owner's name.")
    if nid and Owner.objects.filter(nid=nid).exists():
        errors["nid"] = _("An owner with this NID is already registered.")
    if errors or ward is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            owner = Owner.objects.create(
                nid=nid,
                name_bn=name_bn.strip(),
                name_en=name_en.strip(),
                nid_ward=ward,
                nid_address=nid_address.strip(),
                mobile=mobile,
                user=user,
                **({"photo": photo} if photo else {}),
            )
            record("owner_register", owner, actor=actor, after=_facts(owner))
    except IntegrityError:
        raise ValidationError(
            {"nid": _("An owner with this NID is already registered.")}, code="nid_taken"
        ) from None
    return owner


def vehicle_register(
    *,
    owner: Owner,
    vehicle_type: str = VehicleType.PASSENGER,
    chassis_no: str,
    motor_no: str,
    battery_count: int,
    maker: str = "",
    ward: object = None,
    actor=None,
) -> Vehicle:
    """Register an owner's e-bike (in the owner's ward unless `ward` is given). Chassis
    and motor numbers are normalised (upper case, no spaces, Bengali digits read) and
    unique across the register."""
    errors: dict[str, str] = {}
    if vehicle_type not in VehicleType.values:
        errors["vehicle_type"] = _("Choose passenger or goods.")
    chassis = motor = ""
    try:
        chassis = normalize_frame_number(chassis_no, what="chassis")
    except ValidationError as e:
        errors["chassis_no"] = e.messages[0]
    try:
        motor = normalize_frame_number(motor_no, what="motor")
    except ValidationError as e:
        errors["motor_no"] = e.messages[0]
    try:
        batteries = int(battery_count)
    except (TypeError, ValueError):
        batteries = 0
    if not 1 <= batteries <= 12:
        errors["battery_count"] = _("Enter the number of batteries (1 to 12).")
    ward_obj = owner.nid_ward
    if ward is not None:
        try:
            ward_obj = ward_by_number(getattr(ward, "number", ward))
        except ValidationError as e:
            errors["ward"] = e.messages[0]
    if chassis and Vehicle.objects.filter(chassis_no=chassis).exists():
        errors["chassis_no"] = _("An e-bike with this chassis number is already registered.")
    if motor and Vehicle.objects.filter(motor_no=motor).exists():
        errors["motor_no"] = _("An e-bike with this motor number is already registered.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(
                owner=owner,
                vehicle_type=vehicle_type,
                ward=ward_obj,
                chassis_no=chassis,
                motor_no=motor,
                battery_count=batteries,
                maker=maker.strip(),
            )
            record("vehicle_register", vehicle, actor=actor, after=audit.snapshot(vehicle))
    except IntegrityError:
        raise ValidationError(
            _("An e-bike with this chassis or motor number was registered meanwhile."),
            code="frame_taken",
        ) from None
    return vehicle


def driver_register(
    *,
    nid: str,
    driving_licence_no: str,
    name_bn: str = "",
    name_en: str = "",
    mobile: str = "",
    photo=None,
    actor=None,
) -> Driver:
    """Register a driver (NID and driving licence number, both unique)."""
    errors: dict[str, str] = {}
    nid = _nid(nid, errors)
    mobile = _mobile(mobile, errors)
    licence_no = re.sub(r"\s+", "", to_ascii_digits(str(driving_licence_no or ""))).upper()
    if not re.fullmatch(r"[0-9A-Z/\-]{5,30}", licence_no):
        errors["driving_licence_no"] = _(
            "Enter the driving licence number (5 to 30 letters or digits)."
        )
    if not (name_bn or name_en).strip():
        errors["name_bn"] = _("Enter the driver's name.")
    if nid and Driver.objects.filter(nid=nid).exists():
        errors["nid"] = _("A driver with this NID is already registered.")
    if (
        "driving_licence_no" not in errors
        and Driver.objects.filter(driving_licence_no=licence_no).exists()
    ):
        errors["driving_licence_no"] = _(
            "A driver with this driving licence is already registered."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        driver = Driver.objects.create(
            nid=nid,
            driving_licence_no=licence_no,
            name_bn=name_bn.strip(),
            name_en=name_en.strip(),
            mobile=mobile,
            **({"photo": photo} if photo else {}),
        )
        record("driver_register", driver, actor=actor, after=_facts(driver))
    return driver


def driver_assign(
    *, driver: Driver, vehicle: Vehicle, on: datetime.date | None = None, actor=None
) -> DriverAssignment:
    """Put a driver on a vehicle from `on` (default today). A driver drives one vehicle at
    a time: while another assignment is open this is refused (the partial unique
    constraint decides between two at once)."""
    day = on or timezone.localdate()
    try:
        with transaction.atomic():
            assignment = DriverAssignment.objects.create(
                driver=driver, vehicle=vehicle, started_on=day
            )
            record("driver_assign", assignment, actor=actor, after=audit.snapshot(assignment))
    except IntegrityError:
        raise ValidationError(
            _("This driver already drives another e-bike: end that first."),
            code="driver_busy",
        ) from None
    return assignment


@transaction.atomic
def driver_release(
    *, driver: Driver, on: datetime.date | None = None, actor=None
) -> DriverAssignment | None:
    """End the driver's open assignment (None when there is none)."""
    assignment = (
        DriverAssignment.objects.select_for_update()
        .filter(driver=driver, ended_on__isnull=True)
        .first()
    )
    if assignment is None:
        return None
    assignment.ended_on = on or timezone.localdate()
    assignment.save(update_fields=["ended_on"])
    record("driver_release", assignment, actor=actor, after={"ended_on": assignment.ended_on})
    return assignment
