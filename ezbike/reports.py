"""The e-bike officer's reports (reads only): the fleet per ward against the caps, licences
expired or suspended, and where and when readers saw cards that may not run (unknown,
expired, suspended, blacklisted) by place and hour."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncHour

from core.models import Ward

from .defaults import ensure_schedule
from .models import Licence, LicenceStatusChange, Sighting, WardCap
from .services import fleet_counts

#: What readers were told that a report of sightings lists.
NOT_VALID = ("unknown", "expired", "suspended", "blacklisted")


def fleet(fiscal_year: str) -> dict[str, Any]:
    """Each ward's e-bikes holding a place in `fiscal_year` against its cap, the room left and
    the applications waiting; the city's the same (a few queries whatever the fleet)."""
    schedule = ensure_schedule(fiscal_year)
    city_count, per_ward = fleet_counts(fiscal_year)
    caps = dict(WardCap.objects.filter(schedule=schedule).values_list("ward__number", "cap"))
    waiting = dict(
        Licence.objects.filter(fiscal_year=fiscal_year, status=Licence.Status.WAITING)
        .values_list("vehicle__ward__number")
        .annotate(n=Count("pk"))
        .values_list("vehicle__ward__number", "n")
    )
    rows = []
    for ward in Ward.objects.order_by("number"):
        held, cap = per_ward.get(ward.number, 0), caps.get(ward.number)
        rows.append(
            {
                "ward": ward,
                "held": held,
                "cap": cap,
                "room": None if cap is None else max(cap - held, 0),
                "waiting": waiting.get(ward.number, 0),
            }
        )
    city_cap = schedule.city_cap
    return {
        "rows": rows,
        "held": city_count,
        "cap": city_cap,
        "room": None if city_cap is None else max(city_cap - city_count, 0),
        "waiting": sum(waiting.values()),
    }


def licences_with_status(status: str, *, ward: Ward | None = None):
    """Licences now expired or suspended (seized with them), newest year first, each with
    the reason of its last move."""
    statuses = (status,) if status != "suspended" else ("suspended", "seized")
    last_reason = (
        LicenceStatusChange.objects.filter(licence=OuterRef("pk"))
        .order_by("-changed_at", "-pk")
        .values("reason")[:1]
    )
    qs = (
        Licence.objects.filter(status__in=statuses)
        .select_related("vehicle__owner", "vehicle__ward")
        .annotate(last_reason=Subquery(last_reason))
        .order_by("-fiscal_year", "vehicle__ward__number", "vehicle__plate_no", "pk")
    )
    if ward is not None:
        qs = qs.filter(vehicle__ward=ward)
    return qs


def sightings_by_place_and_hour(*, start: datetime.date, end: datetime.date):
    """Reads of cards that may not run, counted by place, hour and what readers were told,
    from `start` to `end` (both included), the busiest first."""
    return (
        Sighting.objects.filter(
            status__in=NOT_VALID, read_at__date__gte=start, read_at__date__lte=end
        )
        .annotate(hour=TruncHour("read_at"))
        .values("place", "hour", "status")
        .annotate(reads=Count("pk"), cards=Count("uid", distinct=True))
        .order_by("-reads", "place", "hour", "status")
    )
