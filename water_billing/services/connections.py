"""The register: connections on registered holdings, and the one function that moves a
connection's status (with a history row and an audit row)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.digits import localize_digits
from core.places import ward_by_number
from core.status import check_transition
from core.validators import normalize_mobile
from holdings.public import holding_summary

from ..models import PIPE_CHOICES, Category, Connection, StatusChange
from ..numbers import consumer_no, normalize_consumer_no
from ._common import as_date, lock, not_in_future, record

S = Connection.Status

#: Refused moves (core.status.check_transition fills in the two statuses' labels).
BAD_TRANSITION = gettext_lazy("A water connection cannot go from “%(old)s” to “%(new)s”.")

#: Moves that need a reason on record.
REASON_NEEDED = {S.DISCONNECTED, S.CLOSED}


def _next_consumer_no(ward) -> str:
    """The ward's next free consumer number (the ward row is locked meanwhile, so two
    registrations in one ward queue)."""
    type(ward).objects.select_for_update().get(pk=ward.pk)
    serial = Connection.objects.filter(ward=ward).count() + 1
    while Connection.objects.filter(
        consumer_no=(number := consumer_no(ward=ward.number, serial=serial))
    ).exists():
        serial += 1
    return number


def connection_register(
    *,
    ward: object,
    holding_number: str,
    category: str = Category.RESIDENTIAL,
    pipe_diameter_mm: int = 12,
    metered: bool = True,
    sewerage: bool = False,
    billing_mobile: str = "",
    name_bn: str = "",
    name_en: str = "",
    address: str = "",
    user=None,
    number: str | None = None,
    actor=None,
) -> Connection:
    """Register an application for a connection on a registered holding (asked through
    holdings.public), with the next consumer number of the ward unless `number` is given.
    The billing mobile defaults to the holding's first owner's, the names to the owner's.
    Status "applied", with its first history row."""
    errors: dict[str, str] = {}
    ward_obj = None
    try:
        ward_obj = ward_by_number(ward.number if hasattr(ward, "number") else ward)
        holding = holding_summary(ward=ward_obj.number, number=holding_number)
    except ValidationError as e:
        errors["holding_number" if ward_obj else "ward"] = e.messages[0]
        holding = None
    if category not in Category.values:
        errors["category"] = _("Choose one of the categories.")
    if int(pipe_diameter_mm or 0) not in dict(PIPE_CHOICES):
        errors["pipe_diameter_mm"] = _("Choose one of the pipe diameters.")
    mobile = billing_mobile or (
        holding.owner_mobiles[0] if holding and holding.owner_mobiles else ""
    )
    if mobile:
        try:
            mobile = normalize_mobile(mobile)
        except ValidationError as e:
            errors["billing_mobile"] = e.messages[0]
    if number:
        try:
            number = normalize_consumer_no(number)
        except ValidationError as e:
            errors["consumer_no"] = e.messages[0]
        else:
            if Connection.objects.filter(consumer_no=number).exists():
                errors["consumer_no"] = _("The consumer number %(number)s is taken.") % {
                    "number": localize_digits(number)
                }
    if errors or holding is None or ward_obj is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                consumer_no=number or _next_consumer_no(ward_obj),
                ward=ward_obj,
                holding_number=holding.number,
                name_bn=name_bn or holding.owner_name_bn,
                name_en=name_en or holding.owner_name_en,
                address=address or holding.label_en,
                category=category,
                pipe_diameter_mm=int(pipe_diameter_mm),
                metered=bool(metered),
                sewerage=bool(sewerage),
                billing_mobile=mobile,
                user=user,
                status=S.APPLIED,
            )
            StatusChange.objects.create(
                connection=connection, from_status="", to_status=S.APPLIED, changed_by=actor
            )
            record("connection_register", connection, actor=actor, after=audit.snapshot(connection))
    except IntegrityError:
        raise ValidationError(
            {"consumer_no": _("The consumer number was taken meanwhile: try again.")},
            code="consumer_no_taken",
        ) from None
    return connection


@transaction.atomic
def connection_set_status(
    *,
    connection: Connection,
    to: str,
    reason: str = "",
    actor=None,
    on: datetime.date | str | None = None,
) -> Connection:
    """The one place a connection's status changes (Connection.TRANSITIONS): refused moves
    and a disconnection or closure without a reason are ValidationErrors with nothing
    changed; every move writes a StatusChange (who, when, from, to, why) and an audit row.
    Becoming active records the day it was connected (`on`, default today)."""
    row = lock(connection)
    before = row.status
    check_transition(
        Connection.TRANSITIONS,
        before,
        to,
        choices=S,
        message=BAD_TRANSITION,
        params={"number": row.consumer_no},
    )
    reason = (reason or "").strip()
    if to in REASON_NEEDED and not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason_required")
    fields = ["status"]
    row.status = to
    if to == S.ACTIVE and row.connected_on is None:
        day = as_date(on, field="on") if on else timezone.localdate()
        not_in_future(day, field="on")
        row.connected_on = day
        fields.append("connected_on")
    row.save(update_fields=fields)
    StatusChange.objects.create(
        connection=row, from_status=before, to_status=to, reason=reason, changed_by=actor
    )
    record(
        f"connection_{to}",
        row,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": to},
    )
    for field in row._meta.concrete_fields:
        setattr(connection, field.attname, getattr(row, field.attname))
    return connection
