"""Meter readings: recorded from the field or the office after every check, and a missing
month estimated. The rules (rollover, replacement, held, flagged, estimate and true-up) are
water_billing/tariff.py's; here they meet the register."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.digits import localize_digits
from core.explain import Data, because, number

from .. import selectors
from .. import tariff as arithmetic
from ..defaults import DEFAULT_SETTINGS
from ..models import Connection, Reading
from ..numbers import parse_reading
from ._common import as_date, lock, not_in_future, record

R = Reading.Status


def _snapshot(reading: Reading) -> dict:
    """The reading for the audit row (the photo by its stored name: core.audit.snapshot asks
    an empty file for its URL)."""
    names = [f.attname for f in Reading._meta.concrete_fields if f.name != "photo"]
    return {**audit.snapshot(reading, names), "photo": reading.photo.name or ""}


def _month_label(period: datetime.date) -> str:
    return localize_digits(formats.date_format(period, "F Y"))


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _settings(period: datetime.date) -> tuple[Decimal, int]:
    """The spike multiple and the averaging months of the tariff in effect in the month."""
    tariff = selectors.tariff_on(arithmetic.month_bounds(period)[1])
    if tariff is None:
        return (
            Decimal(str(DEFAULT_SETTINGS["spike_multiple"])),
            int(str(DEFAULT_SETTINGS["average_months"])),
        )
    return Decimal(tariff.spike_multiple), int(tariff.average_months)


def _as_period(value: object) -> datetime.date:
    """A billing month: a date (any day of it) or "YYYY-MM"."""
    if isinstance(value, str) and len(value.strip()) <= 7:
        value = f"{value.strip()}-01"
    return as_date(value, field="period").replace(day=1)


def _connection(connection: Connection | None, consumer_no: object) -> Connection:
    if connection is None:
        connection = selectors.connection_by_consumer_no(consumer_no)
    return lock(connection)


def _check_month_free(row: Connection, period: datetime.date) -> None:
    if row.readings.filter(period=period).exists():
        raise ValidationError(
            _("Connection %(number)s already has a reading for %(month)s.")
            % {"number": localize_digits(row.consumer_no), "month": _month_label(period)},
            code="duplicate_reading",
        )
    later = row.readings.filter(period__gt=period).order_by("-period").first()
    if later is not None:
        raise ValidationError(
            _("Connection %(number)s already has a reading for a later month, %(month)s.")
            % {"number": localize_digits(row.consumer_no), "month": _month_label(later.period)},
            code="reading_out_of_order",
        )


def _since_last_actual(row: Connection, period: datetime.date):
    """(the last measured reading before `period` or None, the estimated units billed since
    it, the credit carried by the latest reading)."""
    before = selectors.readings_before(row, period)
    previous = before.filter(status__in=Reading.MEASURED).first()
    latest = before.exclude(status=R.HELD).first()
    estimated = before.filter(status=R.ESTIMATED)
    if previous is not None:
        estimated = estimated.filter(period__gt=previous.period)
    estimated_units = sum(r.consumption or 0 for r in estimated)
    return previous, estimated_units, (latest.credit_after if latest else 0)


def _create(**fields) -> Reading:
    try:
        with transaction.atomic():
            return Reading.objects.create(**fields)
    except IntegrityError:  # a reading for the month recorded meanwhile
        raise ValidationError(
            _("This connection already has a reading for %(month)s.")
            % {"month": _month_label(fields["period"])},
            code="duplicate_reading",
        ) from None


@transaction.atomic
def reading_record(
    *,
    period: datetime.date | str,
    value: object,
    read_on: datetime.date | str,
    source: str = Reading.Source.OFFICE,
    consumer_no: object = None,
    connection: Connection | None = None,
    read_by=None,
    note: str = "",
    photo=None,
    actor=None,
) -> Reading:
    """Check and store a meter reading for a billing month of an active metered connection.

    Refused with a translated message and nothing stored: an unknown consumer number, a
    connection not active or without a meter, a reading that is not a whole non-negative
    number (Bengali digits are accepted) or has more digits than the dials, a reading dated
    in the future or before the meter was installed, a month not begun, a second reading for
    the month, a month before one already read. Stored with status "held" (not billed) when
    it is below the previous reading and neither a rollover nor a replacement explains it;
    "flagged" on a spike or zero use; else "ok", "rollover" or "replaced" — and its billable
    units after the true-up of estimated months and any credit."""
    row = _connection(connection, consumer_no)
    today = timezone.localdate()
    period = _as_period(period)
    day = as_date(read_on, field="read_on")
    not_in_future(day, field="read_on", today=today)
    if period > today.replace(day=1):
        raise ValidationError(
            {"period": _("%(month)s has not begun.") % {"month": _month_label(period)}},
            code="future_month",
        )
    if row.status != Connection.Status.ACTIVE:
        raise ValidationError(
            _(
                "Connection %(number)s is not active (%(status)s): readings are taken on "
                "active connections."
            )
            % {"number": localize_digits(row.consumer_no), "status": row.get_status_display()},
            code="connection_not_active",
        )
    meter = selectors.meter_in_place(row)
    if not row.metered or meter is None:
        raise ValidationError(
            _("Connection %(number)s has no meter in place.")
            % {"number": localize_digits(row.consumer_no)},
            code="no_meter",
        )
    try:
        reading = parse_reading(value, dial_digits=meter.dial_digits)
    except ValidationError as e:
        raise ValidationError({"value": e.messages[0]}, code=e.code) from None
    if day < meter.installed_on:
        raise ValidationError(
            {"read_on": _("The meter was installed after that day.")}, code="before_install"
        )
    if source not in Reading.Source.values or source == Reading.Source.ESTIMATE:
        raise ValidationError({"source": _("Choose where the reading comes from.")})
    _check_month_free(row, period)

    spike_multiple, average_months = _settings(period)
    previous, estimated_since, credit = _since_last_actual(row, period)
    months = _months_between(previous.period, period) if previous else 1
    history = selectors.measured_history(row, period, average_months)
    avg = arithmetic.average(history, average_months)
    replaced = None
    if previous is None:
        previous_value = meter.initial_reading
    else:
        previous_value = previous.value or 0
        if previous.meter_id is not None and previous.meter_id != meter.pk:
            old = previous.meter
            replaced = arithmetic.MeterChange(
                final_reading=old.final_reading or 0, initial_reading=meter.initial_reading
            )
    measured = arithmetic.consumption(
        previous_value,
        reading,
        meter.dial_digits,
        replaced=replaced,
        average=avg,
        spike_multiple=spike_multiple,
        months=months,
    )
    explanation: list[Data] = [measured.explanation]
    flag = ""
    status: str
    if measured.units is None:
        status, units, to_bill, credit_after = R.HELD, None, None, credit
    else:
        units = measured.units
        kind, why = arithmetic.check(
            units, average=avg, spike_multiple=spike_multiple, months=months
        )
        flag = kind or ""
        status = R.FLAGGED if flag else measured.status
        if why:
            explanation.append(why)
        to_bill, credit_after = arithmetic.billable(
            units, estimated_since=estimated_since, credit=credit
        )
        if estimated_since or credit:
            explanation.append(
                because(
                    gettext_noop(
                        "Billed %(billable)s: %(units)s less %(estimated)s already billed as "
                        "estimated and a credit of %(credit)s; %(left)s carried as credit"
                    ),
                    billable=number(to_bill),
                    units=number(units),
                    estimated=number(estimated_since),
                    credit=number(credit),
                    left=number(credit_after),
                )
            )
    created = _create(
        connection=row,
        meter=meter,
        period=period,
        value=reading,
        read_on=day,
        source=source,
        status=status,
        flag=flag or "",
        consumption=units,
        billable=to_bill,
        credit_after=credit_after,
        explanation_data=explanation,
        note=(note or "").strip(),
        read_by=read_by,
        photo=photo or "",
    )
    record("reading_record", created, actor=actor or read_by, after=_snapshot(created))
    return created


@transaction.atomic
def reading_estimate(*, connection: Connection, period: datetime.date | str, actor=None) -> Reading:
    """The month's estimate for a metered connection without a reading: the average of its
    last measured months rounded to whole cubic metres, billable after any credit; the next
    actual reading trues it up. Refused when the month already has a reading."""
    row = lock(connection)
    period = _as_period(period)
    _check_month_free(row, period)
    _spike, average_months = _settings(period)
    history = selectors.measured_history(row, period, average_months)
    avg = arithmetic.average(history, average_months)
    units = arithmetic.estimate(avg)
    _previous, _estimated, credit = _since_last_actual(row, period)
    to_bill, credit_after = arithmetic.billable(units, credit=credit)
    explanation = because(
        gettext_noop(
            "Estimated: the average of the last %(months)s measured months, %(units)s cubic metres"
        ),
        months=number(len(history[-average_months:])),
        units=number(units),
    )
    created = _create(
        connection=row,
        meter=selectors.meter_in_place(row),
        period=period,
        value=None,
        read_on=None,
        source=Reading.Source.ESTIMATE,
        status=R.ESTIMATED,
        consumption=units,
        billable=to_bill,
        credit_after=credit_after,
        explanation_data=[explanation],
    )
    record("reading_estimate", created, actor=actor, after=_snapshot(created))
    return created


# --- from the field: a repeat is not a second reading -----------------------------------------


def _same_reading(row: Connection, period: datetime.date, value: object, day: object):
    """The month's stored reading when it is the one being sent again (same value and read
    date), else None."""
    existing = row.readings.filter(period=period).first()
    if existing is None or existing.status == R.ESTIMATED:
        return None
    try:
        same_value = parse_reading(value) == existing.value
        same_day = as_date(day, field="read_on") == existing.read_on
    except ValidationError:
        return None
    return existing if same_value and same_day else None


def reading_submit(
    *,
    period: datetime.date | str | None = None,
    value: object,
    read_on: datetime.date | str,
    source: str,
    consumer_no: object = None,
    connection: Connection | None = None,
    meter_serial: str = "",
    read_by=None,
    note: str = "",
    photo=None,
) -> tuple[Reading, bool]:
    """A reading sent from the field (the reader's phone page, a handheld's file, the API):
    reading_record for the month of `read_on` unless `period` says another, and (reading,
    True). Sent again — the same value and read date for the same month, as a phone or a
    handheld does when it did not hear the answer — it is not a second reading: (the stored
    reading, False). When `meter_serial` is given it must be the meter in place."""
    if connection is None:
        connection = selectors.connection_by_consumer_no(consumer_no)
    day = as_date(read_on, field="read_on")
    month = _as_period(period) if period not in (None, "") else day.replace(day=1)
    serial = (meter_serial or "").strip().upper()
    if serial:
        meter = selectors.meter_in_place(connection)
        if meter is not None and meter.serial.upper() != serial:
            raise ValidationError(
                {
                    "meter_serial": _(
                        "The meter in place on %(number)s is %(serial)s, not %(given)s: check "
                        "the meter, or ask the water officer to record its replacement."
                    )
                    % {
                        "number": localize_digits(connection.consumer_no),
                        "serial": meter.serial,
                        "given": serial[:40],
                    }
                },
                code="wrong_meter",
            )
    try:
        reading = reading_record(
            connection=connection,
            period=month,
            value=value,
            read_on=day,
            source=source,
            read_by=read_by,
            note=note,
            photo=photo,
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "duplicate_reading":
            same = _same_reading(connection, month, value, day)
            if same is not None:
                return same, False
        raise
    return reading, True


# --- the water officer's review of held and flagged readings ----------------------------------

REVIEWED = (R.HELD, R.FLAGGED)


def _reviewable(reading: Reading, *, latest: bool) -> Reading:
    """The reading, locked with its connection, when it is still held or flagged (and, for a
    change of what it measured, the connection's latest reading)."""
    lock(reading.connection)
    row = (
        Reading.objects.select_for_update(of=("self",))
        .select_related("connection", "meter")
        .get(pk=reading.pk)
    )
    if row.status not in REVIEWED:
        raise ValidationError(
            _("This reading is no longer waiting for review (it is now “%(status)s”).")
            % {"status": row.get_status_display()},
            code="not_under_review",
        )
    if latest and row.connection.readings.filter(period__gt=row.period).exists():
        raise ValidationError(
            _(
                "A later month of this connection has been read since, measured without this "
                "reading: this reading can no longer change what the connection used. Leave "
                "it, or ask for the later month to be corrected first."
            ),
            code="not_latest",
        )
    return row


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the record.")}, code="reason_required")
    return reason


@transaction.atomic
def reading_accept(*, reading: Reading, reason: str, actor) -> Reading:
    """The water officer accepts a held or flagged reading as read, with a reason (audited);
    a held one only while it is the connection's latest reading.

    Flagged (a spike or zero use): billed as measured; the status becomes "ok" and the flag
    stays on the row as it was found. Held (below the previous reading, no rollover or
    replacement): the meter shows this value, so the previous reading was too high — the
    month measures 0, and the units the previous reading over-counted are carried as a
    credit (taken off the next months' consumption); the next reading is read from this one.
    """
    reason = _reason(reason)
    row = _reviewable(reading, latest=False)
    before = _snapshot(row)
    explanation = list(row.explanation_data or [])
    if row.status == R.HELD:
        # The next months are read from the reading before this one: accepting it after
        # a later month would count the over-read twice.
        _reviewable(row, latest=True)
        previous, _estimated, credit = _since_last_actual(row.connection, row.period)
        previous_value = previous.value if previous is not None else None
        if previous_value is None:
            meter = row.meter
            previous_value = meter.initial_reading if meter is not None else row.value
        over = max(int(previous_value or 0) - int(row.value or 0), 0)
        row.consumption, row.billable, row.credit_after = 0, 0, credit + over
        explanation.append(
            because(
                gettext_noop(
                    "Accepted as read by the water officer: nothing measured this month; "
                    "%(over)s over-counted before carried as credit"
                ),
                over=number(over),
            )
        )
    else:
        explanation.append(because(gettext_noop("Accepted as read by the water officer")))
    row.status = R.OK
    row.explanation_data = explanation
    row.save(
        update_fields=["status", "consumption", "billable", "credit_after", "explanation_data"]
    )
    record("reading_accept", row, actor=actor, reason=reason, before=before, after=_snapshot(row))
    return row


def _again(row: Reading, *, value: object, actor=None) -> Reading:
    """Record the reading's month again (after the old row is deleted), keeping who read it,
    the photo and the note."""
    fields = _again_fields(row)
    row.delete()
    return reading_record(value=value, actor=actor, **fields)


@transaction.atomic
def reading_correct(*, reading: Reading, value: object, reason: str, actor) -> Reading:
    """The water officer corrects a held or flagged reading's value (the reader misread the
    meter): the month is checked again as if read so — it may be held or flagged again."""
    reason = _reason(reason)
    row = _reviewable(reading, latest=True)
    before = _snapshot(row)
    corrected = _again(row, value=value, actor=actor)
    record(
        "reading_correct",
        corrected,
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(corrected),
    )
    return corrected


@transaction.atomic
def reading_meter_replaced(
    *,
    reading: Reading,
    final_reading: object,
    replaced_on: datetime.date | str,
    serial: str,
    initial_reading: object = 0,
    dial_digits: int | None = None,
    reason: str,
    actor,
) -> Reading:
    """A held reading was read from a new meter: the replacement is recorded
    (services.meters.meter_replace: the old meter's final reading, the new one's serial and
    initial reading, from `replaced_on`) and the month read again from the new meter, so it
    counts the old meter's last units and the new one's (status "replaced")."""
    from .meters import meter_replace

    reason = _reason(reason)
    row = _reviewable(reading, latest=True)
    before = _snapshot(row)
    value, read_on, connection = row.value, row.read_on, row.connection
    day = as_date(replaced_on, field="replaced_on")
    if read_on is not None and day > read_on:
        raise ValidationError(
            {"replaced_on": _("The meter was replaced after the reading was taken.")},
            code="replaced_after_reading",
        )
    held = _again_fields(row)
    row.delete()
    meter_replace(
        connection=connection,
        final_reading=final_reading,
        replaced_on=day,
        serial=serial,
        initial_reading=initial_reading,
        dial_digits=dial_digits,
        reason=reason,
        actor=actor,
    )
    again = reading_record(value=value, actor=actor, **held)
    record(
        "reading_meter_replaced",
        again,
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(again),
    )
    return again


def _again_fields(row: Reading) -> dict:
    return {
        "connection": row.connection,
        "period": row.period,
        "read_on": row.read_on,
        "source": row.source,
        "read_by": row.read_by,
        "note": row.note,
        "photo": row.photo.name or None,
    }


@transaction.atomic
def reading_leave_for_estimate(*, reading: Reading, reason: str, actor) -> Reading:
    """The water officer sets a held or flagged reading aside: the month is billed the
    estimate (services.reading_estimate: the average) and the next actual reading trues it
    up. The reading set aside is kept in the audit row and in the estimate's note."""
    reason = _reason(reason)
    row = _reviewable(reading, latest=True)
    before = _snapshot(row)
    connection, period, value = row.connection, row.period, row.value
    row.delete()
    estimate = reading_estimate(connection=connection, period=period, actor=actor)
    estimate.note = _("Reading %(value)s set aside by the water officer: %(reason)s") % {
        "value": localize_digits(value if value is not None else ""),
        "reason": reason,
    }
    estimate.save(update_fields=["note"])
    record(
        "reading_leave_for_estimate",
        estimate,
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(estimate),
    )
    return estimate
