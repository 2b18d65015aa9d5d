"""Reads for market shops and leases: what is in force (rent schedule, lease rules), which
shops are vacant, and what a shop's rent is for a month."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from core.digits import localize_date

from . import rent
from .models import Allotment, LeaseRules, RentSchedule, Shop, floor_label


class NotInForce(LookupError):
    """No rent schedule (or no lease rules) in force: the officer must set one first. The
    message is translated, for the page that asked."""


def schedules_of(shop: Shop) -> list[rent.Schedule]:
    """Every rent schedule of the shop's market and floor, as the arithmetic takes them."""
    return [
        s.as_schedule()
        for s in RentSchedule.objects.filter(market_id=shop.market_id, floor=shop.floor)
    ]


def schedule_in_force(shop: Shop, on: datetime.date) -> rent.Schedule:
    """The rent schedule of the shop's market and floor in force on `on`."""
    try:
        return rent.in_force(schedules_of(shop), on)
    except rent.ScheduleError:
        raise NotInForce(
            _("%(market)s, %(floor)s has no rent schedule in force on %(date)s.")
            % {
                "market": shop.market.name,
                "floor": floor_label(shop.floor),
                "date": localize_date(on),
            }
        ) from None


def rules_in_force(on: datetime.date) -> rent.Rules:
    """The lease rules in force on `on`."""
    try:
        return rent.in_force([r.as_rules() for r in LeaseRules.objects.all()], on)
    except rent.ScheduleError:
        raise NotInForce(
            _("No lease rules are in force on %(date)s.") % {"date": localize_date(on)}
        ) from None


def rent_for_month(shop: Shop, month: datetime.date) -> rent.Line:
    """The shop's rent for `month`'s month: the schedule in force on the month's first day."""
    return rent.monthly_rent(shop.area_sqft, schedule_in_force(shop, rent.month_start(month)))


def live_allotment(shop: Shop) -> Allotment | None:
    """The shop's allotment pending payment or active, if any (at most one)."""
    return (
        Allotment.objects.select_related("lessee")
        .filter(shop=shop, status__in=Allotment.OCCUPYING)
        .first()
    )


def vacant_shops(market=None) -> QuerySet[Shop]:
    """Shops with no allotment pending payment or active, by market, floor and number."""
    occupied = Allotment.objects.filter(shop=OuterRef("pk"), status__in=Allotment.OCCUPYING)
    qs = Shop.objects.select_related("market").filter(~Exists(occupied))
    if market is not None:
        qs = qs.filter(market=market)
    return qs.order_by("market__name_en", "floor", "number")
