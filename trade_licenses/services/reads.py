"""Reads the services need: the year's fee schedule and category, the one check into
holdings (is the holding registered, does it owe?), and an application's fee lines."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.fiscal import parse_fiscal_year
from holdings.public import HoldingCheck, holding_check  # noqa: F401 - re-exported

from .. import fees
from ..defaults import ensure_schedule
from ..models import Application, BusinessCategory, FeeSchedule


def schedule_for(fiscal_year: str) -> FeeSchedule:
    """The year's fee schedule (seeded with the defaults if missing)."""
    return ensure_schedule(parse_fiscal_year(fiscal_year))


def category_for(fiscal_year: str, code: str) -> BusinessCategory:
    category = (BusinessCategory.objects.select_related("schedule")
                .filter(schedule=schedule_for(fiscal_year), code=code).first())
    if category is None:
        raise ValidationError(_("“%(code)s” is not a business category in the FY %(fy)s "
                                "schedule.") % {"code": code, "fy": fiscal_year},
                              code="unknown_category")
    return category


def fee_lines(application: Application, *, paid_on: date) -> list[fees.FeeLine]:
    """The application's fee lines from its year's schedule, as if paid on `paid_on`."""
    category = category_for(application.fiscal_year, application.applied_category_code)
    capital = application.applied_paid_up_capital
    sqft = application.applied_signboard_sqft
    try:
        return fees.assess(kind=application.kind,
                           rates=fees.ScheduleRates.from_schedule(category.schedule),
                           category=fees.CategoryRates.from_category(category),
                           paid_on=paid_on, paid_up_capital=capital, signboard_sqft=sqft)
    except fees.FeeError:
        raise ValidationError(_("No fee is set for a paid-up capital of %(capital)s in this "
                                "category; check the capital or the schedule.")
                              % {"capital": capital}, code="no_capital_band") from None
