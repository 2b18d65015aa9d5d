"""Applications for an e-bike licence, from home (a signed-in citizen) or filed at the
counter: the owner (a permanent resident: owner_register's residency rule; photo), the
vehicle (chassis and motor numbers unique; photo and ownership papers checked by content
through core.uploads) and its drivers (one vehicle at a time) go into the register, the
year's licence is applied for (licence_apply) and the application fee is billed through
payments. Nothing is kept when any check fails. The e-bike officer then approves
(licence_approve: approved, or waiting under the fleet cap; the licence fee billed) or
rejects with a reason; an owner renews a licensed e-bike in one step (renewal fee and late
fee billed). An SMS at each step."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.fiscal import current_fiscal_year
from core.uploads import MAX_DOCUMENT_BYTES, check_document
from core.validators import normalize_mobile, normalize_nid

from ..models import (
    Application,
    ApplicationDocument,
    DocumentKind,
    Driver,
    DriverAssignment,
    Licence,
    Owner,
    Vehicle,
)
from ..notify import notify_owner
from ._common import record
from .billing import application_fee_bill, licence_fee_bill
from .licences import licence_apply, licence_approve, licence_set_status
from .register import driver_assign, driver_register, owner_register, vehicle_register

S = Licence.Status
REQUIRED_DOCUMENTS = (DocumentKind.VEHICLE_PHOTO, DocumentKind.OWNERSHIP)
#: The most drivers one application names.
MAX_DRIVERS = 3


def _read(file) -> tuple[bytes, str, int]:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_DOCUMENT_BYTES + 1)
    size = max(len(data), int(getattr(file, "size", 0) or 0))
    return data, (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:200], size


def _checked(file, *, kind: str, field: str, errors: dict[str, list[str]]):
    """(data, original name, CheckedFile) of an upload, or None with the error on `field`."""
    if not file:
        errors[field] = [
            _("Upload a photo (JPEG or PNG).") if kind == "photo" else _("Upload this document.")
        ]
        return None
    data, name, size = _read(file)
    try:
        return data, name, check_document(data, name=name, kind=kind, size=size)
    except ValidationError as e:
        errors[field] = e.messages
        return None


def _content(checked) -> ContentFile:
    data, _name, result = checked
    return ContentFile(data, name=f"{uuid.uuid4().hex}{result.extension}")


def _collect(errors: dict[str, list[str]], prefix: str, call: Callable[[], Any]) -> Any:
    """Run a service in a savepoint; its refusal goes into `errors` (fields prefixed)."""
    try:
        with transaction.atomic():
            return call()
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            for name, messages in e.message_dict.items():
                errors.setdefault(f"{prefix}{name}", []).extend(messages)
        else:
            errors.setdefault("__all__", []).extend(e.messages)
        return None


def _existing_owner(nid: object) -> Owner | None:
    try:
        return Owner.objects.filter(nid=normalize_nid(nid)).first()
    except ValidationError:
        return None


def _driver(data: dict, photo, *, index: int, errors, actor) -> Driver | None:
    """The driver of one row: registered now, or already registered with the same NID and
    driving licence (a driver in the register drives another e-bike only when released)."""
    prefix = f"driver{index}_"
    try:
        nid = normalize_nid(data.get("nid"))
    except ValidationError as e:
        errors[f"{prefix}nid"] = e.messages
        return None
    existing = Driver.objects.filter(nid=nid).first()
    if existing is not None:
        typed = "".join(str(data.get("driving_licence_no") or "").split()).upper()
        if existing.driving_licence_no != typed:
            errors[f"{prefix}driving_licence_no"] = [
                _("This NID is registered with another driving licence number.")
            ]
            return None
        if DriverAssignment.objects.filter(driver=existing, ended_on__isnull=True).exists():
            errors[f"{prefix}nid"] = [_("This driver already drives another e-bike.")]
            return None
        return existing
    return _collect(
        errors,
        prefix,
        lambda: driver_register(
            nid=nid,
            driving_licence_no=data.get("driving_licence_no", ""),
            name_bn=data.get("name_bn", ""),
            name_en=data.get("name_en", ""),
            mobile=data.get("mobile", ""),
            photo=_content(photo) if photo else None,
            actor=actor,
        ),
    )


def _precheck(
    *, owner: dict, documents: dict, drivers: list[dict], applicant, channel: str, errors
) -> dict[str, Any]:
    """Everything that needs no writes: the mobile, whether the owner is registered, the
    photos and papers by content, the driver rows."""
    try:
        mobile = normalize_mobile(owner.get("mobile"))
    except ValidationError as e:
        errors["owner_mobile"] = e.messages
        mobile = ""
    existing = _existing_owner(owner.get("nid"))
    if (
        existing is not None
        and applicant is not None
        and existing.user_id not in (None, applicant.pk)
        and channel == Application.Channel.ONLINE
    ):
        errors["owner_nid"] = [_("An owner with this NID is registered to another account.")]
    owner_photo = None
    if existing is None or not existing.photo:
        owner_photo = _checked(owner.get("photo"), kind="photo", field="owner_photo", errors=errors)
    papers = {
        kind: _checked(
            documents.get(kind),
            kind="photo" if kind == DocumentKind.VEHICLE_PHOTO else str(kind),
            field=f"doc_{kind}",
            errors=errors,
        )
        for kind in REQUIRED_DOCUMENTS
    }
    rows = [d for d in drivers if any(str(v or "").strip() for k, v in d.items() if k != "photo")]
    if not rows:
        errors["driver1_nid"] = [_("Name at least one driver (the owner, if they drive).")]
    rows = rows[:MAX_DRIVERS]
    driver_photos = [
        _checked(d.get("photo"), kind="photo", field=f"driver{i}_photo", errors=errors)
        for i, d in enumerate(rows, start=1)
    ]
    nids = [str(d.get("nid") or "") for d in rows]
    for i, nid in enumerate(nids, start=1):
        if nid and nids.index(nid) != i - 1:
            errors[f"driver{i}_nid"] = [_("This driver is named twice.")]
    return {
        "mobile": mobile,
        "existing": existing,
        "owner_photo": owner_photo,
        "papers": papers,
        "rows": rows,
        "driver_photos": driver_photos,
    }


def _owner(owner: dict, checked: dict, *, applicant, actor, errors, stored) -> Owner | None:
    existing = checked["existing"]
    if existing is not None:
        if applicant is not None and existing.user_id is None:
            existing.user = applicant
            existing.save(update_fields=["user"])
        return existing
    photo = checked["owner_photo"]
    registered = _collect(
        errors,
        "owner_",
        lambda: owner_register(
            nid=owner.get("nid", ""),
            name_bn=owner.get("name_bn", ""),
            name_en=owner.get("name_en", ""),
            nid_ward=owner.get("ward"),
            nid_address=owner.get("address", ""),
            mobile=checked["mobile"],
            photo=_content(photo) if photo else None,
            user=applicant,
            actor=actor,
        ),
    )
    if registered is not None and registered.photo:
        stored.append(registered.photo.name)
    return registered


def _assign(driver: Driver, vehicle: Vehicle, today, actor) -> DriverAssignment:
    return driver_assign(driver=driver, vehicle=vehicle, on=today, actor=actor)


def _register(
    *, owner: dict, vehicle: dict, checked: dict, applicant, actor, today, errors, stored
) -> Vehicle:
    """The owner, the vehicle and its drivers into the register (inside the caller's
    transaction); every refusal collected in `errors`, then raised together."""
    the_owner = _owner(
        owner, checked, applicant=applicant, actor=actor, errors=errors, stored=stored
    )
    the_vehicle = None
    if the_owner is not None:
        the_vehicle = _collect(
            errors,
            "",
            lambda: vehicle_register(
                owner=the_owner,
                vehicle_type=vehicle.get("vehicle_type", ""),
                chassis_no=vehicle.get("chassis_no", ""),
                motor_no=vehicle.get("motor_no", ""),
                battery_count=vehicle.get("battery_count") or 0,
                maker=vehicle.get("maker", ""),
                actor=actor,
            ),
        )
    the_drivers = []
    rows = zip(checked["rows"], checked["driver_photos"], strict=True)
    for i, (row, photo) in enumerate(rows, start=1):
        if f"driver{i}_nid" in errors:
            continue
        driver = _driver(row, photo, index=i, errors=errors, actor=actor)
        if driver is not None:
            if driver.photo and photo:
                stored.append(driver.photo.name)
            the_drivers.append((i, driver))
    if errors or the_vehicle is None:
        raise ValidationError(errors or {"__all__": [_("Check the form.")]})
    for i, driver in the_drivers:
        _collect(errors, f"driver{i}_", partial(_assign, driver, the_vehicle, today, actor))
    if errors:
        raise ValidationError(errors)
    return the_vehicle


def _store_papers(application: Application, papers: dict, *, actor, stored: list[str]) -> None:
    for kind, (data, name, result) in papers.items():
        document = ApplicationDocument(
            application=application,
            kind=kind,
            original_name=name,
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
            uploaded_by=actor,
        )
        document.file.save(f"{uuid.uuid4().hex}{result.extension}", ContentFile(data), save=False)
        stored.append(str(document.file.name))
        document.save()


def application_submit(
    *,
    owner: dict,
    vehicle: dict,
    drivers: list[dict],
    documents: dict,
    actor,
    applicant=None,
    channel: str = Application.Channel.ONLINE,
    today: datetime.date | None = None,
) -> Application:
    """File an application. `owner`: nid, name_bn, name_en, mobile, ward (of the NID
    address), address, photo; `vehicle`: vehicle_type, chassis_no, motor_no, battery_count,
    maker; `drivers`: 1 to 3 of nid, driving_licence_no, name_bn, name_en, mobile, photo;
    `documents`: vehicle_photo and ownership. Every paper is checked by content before
    anything is stored; every refusal is reported on its field (owner_…, driver<n>_…, the
    vehicle's own names, doc_…) and nothing is kept. Then: the year's licence applied for,
    the application fee billed, an SMS."""
    errors: dict[str, list[str]] = {}
    checked = _precheck(
        owner=owner,
        documents=documents,
        drivers=drivers,
        applicant=applicant,
        channel=channel,
        errors=errors,
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            the_vehicle = _register(
                owner=owner,
                vehicle=vehicle,
                checked=checked,
                applicant=applicant,
                actor=actor,
                today=today,
                errors=errors,
                stored=stored,
            )
            licence = licence_apply(vehicle=the_vehicle, actor=actor)
            application = Application.objects.create(
                licence=licence,
                channel=channel,
                applicant=applicant,
                filed_by=actor,
                mobile=checked["mobile"] or the_vehicle.owner.mobile,
            )
            _store_papers(application, checked["papers"], actor=actor, stored=stored)
            bill = application_fee_bill(application=application, actor=actor, today=today)
            application.fee_bill = bill
            if bill is None:
                application.fee_paid_at = timezone.now()
            application.save(update_fields=["fee_bill", "fee_paid_at"])
            record(
                "application_submitted",
                application,
                actor=actor,
                after={
                    **audit.snapshot(application),
                    "documents": {k: v[2].sha256 for k, v in checked["papers"].items()},
                },
            )
            notify_owner(
                mobile=application.mobile,
                user=applicant,
                key="submitted" if bill is not None else "submitted_paid",
                ref=application.reference,
                fy=licence.fiscal_year,
                **({"amount": bill.total, "bill": bill.number} if bill is not None else {}),
            )
    except Exception:
        storage = ApplicationDocument.file.field.storage
        for name in stored:
            storage.delete(name)
        raise
    return application


# --- the e-bike officer's decision ------------------------------------------------------------


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("licence__vehicle__owner", "applicant")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    actor,
    approve: bool,
    reason: str,
    today: datetime.date | None = None,
) -> Application:
    """The e-bike officer's decision (documents and the vehicle checked), with the reason
    on record; once the application fee is paid, and once only (the row lock: a second
    decision at the same moment finds it decided). Approve: licence_approve — approved,
    the licence fee billed and the owner told the amount and the plate; or, beyond the
    fleet cap, waiting in the queue. Reject: the licence is rejected with the reason."""
    if not actor.has_perm("accounts.manage_ebikes"):
        raise ValidationError(_("Only an e-bike officer decides applications."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")}, code="reason")
    row = _lock(application)
    licence = row.licence
    if row.decided_at is not None or licence.status != S.APPLIED:
        raise ValidationError(
            _("This application has been decided already (%(status)s).")
            % {"status": licence.get_status_display()},
            code="decided",
        )
    if approve and row.fee_paid_at is None:
        raise ValidationError(
            _("The application fee is not paid yet: approve the application once it is."),
            code="fee_unpaid",
        )
    row.decided_by, row.decided_at, row.decision_reason = actor, timezone.now(), reason
    row.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    record("application_decided", row, actor=actor, reason=reason, after={"approve": approve})
    if not approve:
        licence_set_status(licence=licence, to=S.REJECTED, reason=reason, actor=actor)
        notify_owner(
            mobile=row.mobile, user=row.applicant, key="rejected", ref=row.reference, reason=reason
        )
        return row
    licence_approve(licence=licence, actor=actor)
    if licence.status == S.WAITING:
        notify_owner(mobile=row.mobile, user=row.applicant, key="waiting", ref=row.reference)
        return row
    bill = licence_fee_bill(licence=licence, actor=actor, today=today)
    licence.vehicle.refresh_from_db()
    notify_owner(
        mobile=row.mobile,
        user=row.applicant,
        key="approved",
        ref=row.reference,
        plate=licence.vehicle.plate_no or "",
        amount=bill.total,
        bill=bill.number,
        due=bill.due_date,
    )
    return row


# --- renewal ----------------------------------------------------------------------------------


def renewal_open(vehicle: Vehicle, *, fiscal_year: str | None = None) -> bool:
    """Whether the owner may renew the e-bike now: it had a licence issued, its latest is
    active or expired (a suspended or seized one is dealt with at the office), and it has
    no licence or application for the current fiscal year yet."""
    fy = fiscal_year or current_fiscal_year()
    licences = list(vehicle.licences.all())
    issued = [lic for lic in licences if lic.status in Licence.ISSUED]
    if not issued:
        return False
    latest = max(issued, key=lambda lic: lic.fiscal_year)
    if latest.status not in (S.ACTIVE, S.EXPIRED):
        return False
    return not any(lic.fiscal_year == fy and lic.status != S.REJECTED for lic in licences)


@transaction.atomic
def licence_renew(*, vehicle: Vehicle, actor, today: datetime.date | None = None):
    """Renew the e-bike for the current fiscal year in one step: the renewal applied for
    and approved (a renewal needs no place under the cap), the renewal fee and any late fee
    billed; SMS. Returns (licence, bill)."""
    vehicle = (
        Vehicle.objects.select_for_update(of=("self",))
        .select_related("owner__user")
        .get(pk=vehicle.pk)
    )
    if not renewal_open(vehicle):
        raise ValidationError(
            _("This e-bike cannot be renewed now: it is renewed already, or not licensed yet."),
            code="not_renewable",
        )
    licence = licence_apply(vehicle=vehicle, actor=actor)
    licence_approve(licence=licence, actor=actor)
    bill = licence_fee_bill(licence=licence, actor=actor, today=today)
    owner = vehicle.owner
    notify_owner(
        mobile=owner.mobile,
        user=owner.user,
        key="renewal_billed",
        plate=vehicle.plate_no or "",
        fy=licence.fiscal_year,
        amount=bill.total,
        bill=bill.number,
        due=bill.due_date,
    )
    return licence, bill
