"""Meters: installing one on a connection, and replacing it — the old meter closed with its
final reading and the new one installed with its initial reading, in one transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits

from ..defaults import DEFAULT_DIAL_DIGITS
from ..models import Connection, Meter, Reading
from ..numbers import parse_reading
from ._common import as_date, lock, not_in_future, record


def _check_new_meter(
    serial: str, dial_digits: int, initial_reading: object
) -> tuple[str, int, int]:
    serial = (serial or "").strip().upper()
    errors = {}
    if not serial:
        errors["serial"] = _("Enter the meter's serial number.")
    try:
        digits = int(dial_digits)
        if not 3 <= digits <= 9:
            raise ValueError
    except (TypeError, ValueError):
        errors["dial_digits"] = _("A meter has 3 to 9 dials.")
        digits = DEFAULT_DIAL_DIGITS
    try:
        initial = parse_reading(initial_reading, dial_digits=digits)
    except ValidationError as e:
        errors["initial_reading"] = e.messages[0]
        initial = 0
    if errors:
        raise ValidationError(errors)
    return serial, digits, initial


@transaction.atomic
def meter_install(
    *,
    connection: Connection,
    serial: str,
    installed_on: datetime.date | str,
    initial_reading: object = 0,
    dial_digits: int = DEFAULT_DIAL_DIGITS,
    actor=None,
) -> Meter:
    """Install the first meter of a metered connection (one in place at a time: a second
    one is a replacement, meter_replace)."""
    row = lock(connection)
    serial, digits, initial = _check_new_meter(serial, dial_digits, initial_reading)
    day = as_date(installed_on, field="installed_on")
    not_in_future(day, field="installed_on")
    if not row.metered:
        raise ValidationError(
            _("Connection %(number)s is charged a flat rate: it has no meter.")
            % {"number": localize_digits(row.consumer_no)},
            code="not_metered",
        )
    if row.status == Connection.Status.CLOSED:
        raise ValidationError(_("The connection is closed."), code="connection_closed")
    if row.meters.filter(removed_on__isnull=True).exists():
        raise ValidationError(
            _("A meter is in place on this connection: replace it instead."),
            code="meter_in_place",
        )
    meter = Meter.objects.create(
        connection=row,
        serial=serial,
        installed_on=day,
        initial_reading=initial,
        dial_digits=digits,
    )
    record("meter_install", meter, actor=actor, after=audit.snapshot(meter))
    return meter


@transaction.atomic
def meter_replace(
    *,
    connection: Connection,
    final_reading: object,
    replaced_on: datetime.date | str,
    serial: str,
    initial_reading: object = 0,
    dial_digits: int | None = None,
    reason: str = "",
    actor=None,
) -> Meter:
    """Close the meter in place with its final reading on `replaced_on` and install the new
    one (serial, initial reading, dials — the old meter's unless given) from that day, both
    or neither. The next reading counts the old meter's last units and the new one's
    (water_billing.tariff.consumption, status "replaced")."""
    row = lock(connection)
    old = row.meters.select_for_update().filter(removed_on__isnull=True).first()
    if old is None:
        raise ValidationError(
            _("No meter is in place on this connection: install one."), code="no_meter"
        )
    serial, digits, initial = _check_new_meter(
        serial, dial_digits if dial_digits is not None else old.dial_digits, initial_reading
    )
    day = as_date(replaced_on, field="replaced_on")
    not_in_future(day, field="replaced_on")
    try:
        final = parse_reading(final_reading, dial_digits=old.dial_digits)
    except ValidationError as e:
        raise ValidationError({"final_reading": e.messages[0]}, code=e.code) from None
    if day < old.installed_on:
        raise ValidationError(
            {"replaced_on": _("The meter was installed after that day.")}, code="before_install"
        )
    last = Reading.objects.filter(meter=old, value__isnull=False).order_by("-period").first()
    if last is not None and last.value is not None and final < last.value:
        raise ValidationError(
            {
                "final_reading": _("The final reading is below the meter's last reading %(last)s.")
                % {"last": localize_digits(last.value)}
            },
            code="final_below_last",
        )
    before = audit.snapshot(old)
    old.removed_on = day
    old.final_reading = final
    old.save(update_fields=["removed_on", "final_reading"])
    new = Meter.objects.create(
        connection=row,
        serial=serial,
        installed_on=day,
        initial_reading=initial,
        dial_digits=digits,
    )
    record(
        "meter_replace",
        new,
        actor=actor,
        reason=reason,
        before={"meter": before},
        after={"old": audit.snapshot(old), "new": audit.snapshot(new)},
    )
    return new
