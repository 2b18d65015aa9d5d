"""Reads for water bills: connections by consumer number, the meter in place, the tariffs in
effect on a day or over a month, and a connection's reading history."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.digits import localize_digits

from . import tariff as arithmetic
from .models import Connection, Meter, Reading, WaterTariff
from .numbers import normalize_consumer_no


def connection_by_consumer_no(value: object) -> Connection:
    """The connection with this consumer number as typed (Bengali digits accepted); a
    ValidationError "invalid_consumer_no" or "unknown_consumer_no" with a translated message."""
    number = normalize_consumer_no(value)
    try:
        return Connection.objects.select_related("ward").get(consumer_no=number)
    except Connection.DoesNotExist:
        raise ValidationError(
            _("No water connection has the consumer number %(number)s.")
            % {"number": localize_digits(number)},
            code="unknown_consumer_no",
        ) from None


def meter_in_place(connection: Connection) -> Meter | None:
    return connection.meters.filter(removed_on__isnull=True).first()


def tariff_on(day: datetime.date) -> WaterTariff | None:
    """The tariff in effect on `day` (the latest to take effect on or before it)."""
    return (
        WaterTariff.objects.filter(effective_from__lte=day)
        .prefetch_related("prices", "pipes")
        .order_by("-effective_from")
        .first()
    )


def tariffs_for_month(month: datetime.date) -> list[arithmetic.Tariff]:
    """The tariffs that apply to some day of `month`'s month, oldest first, as the arithmetic
    takes them (water_billing.tariff.water_charges)."""
    first, last = arithmetic.month_bounds(month)
    found = []
    current = tariff_on(first)
    if current is not None:
        found.append(current)
    found.extend(
        WaterTariff.objects.filter(effective_from__gt=first, effective_from__lte=last)
        .prefetch_related("prices", "pipes")
        .order_by("effective_from")
    )
    return [t.as_tariff() for t in found]


def readings_before(connection: Connection, period: datetime.date):
    """The connection's readings for months before `period`, latest first."""
    return connection.readings.filter(period__lt=period).order_by("-period")


def measured_history(connection: Connection, period: datetime.date, months: int) -> list[int]:
    """The consumption of the last `months` measured readings before `period`, oldest first:
    what the average is taken over (held and estimated months are left out)."""
    rows = list(
        readings_before(connection, period)
        .filter(status__in=Reading.MEASURED, consumption__isnull=False)
        .values_list("consumption", flat=True)[:months]
    )
    return list(reversed(rows))
