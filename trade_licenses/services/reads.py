"""Reads the services need: the year's fee schedule and category, the one check into
holdings (is the holding registered, does it owe?), an application's fee lines (with the
arrears of skipped years for a renewal), the years already settled, and the preview of a
renewal's fee that the renewal page shows before the trader commits."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.digits import localize_digits
from core.fiscal import fiscal_year_label, next_fiscal_year, parse_fiscal_year
from holdings.public import HoldingCheck, holding_check  # noqa: F401 - re-exported

from .. import fees
from ..defaults import ensure_schedule
from ..models import Application, Business, BusinessCategory, FeeSchedule
from ..selectors import previous_licence
from ._common import SERVICE


def schedule_for(fiscal_year: str) -> FeeSchedule:
    """The year's fee schedule (seeded with the defaults if missing)."""
    return ensure_schedule(parse_fiscal_year(fiscal_year))


def category_for(fiscal_year: str, code: str) -> BusinessCategory:
    category = (
        BusinessCategory.objects.select_related("schedule")
        .filter(schedule=schedule_for(fiscal_year), code=code)
        .first()
    )
    if category is None:
        raise ValidationError(
            _("“%(code)s” is not a business category in the FY %(fy)s schedule.")
            % {"code": code, "fy": fiscal_year_label(fiscal_year)},
            code="unknown_category",
        )
    return category


def licence_year_due(business_id: int, fiscal_year: str) -> str:
    """The due a licence bill claims for one year of a business (the renewal's own year or
    a skipped year billed as arrears): payments keeps it claimed by one live bill."""
    return f"licence-year:{business_id}:{fiscal_year}"


def settled_years(business: Business) -> set[str]:
    """The years of the business whose licence year a PAID bill claims: paid with a licence,
    or skipped and paid as arrears with a later renewal (no Licence row is issued for a
    skipped year — the paid claim is the record that it is settled)."""
    from payments.models import Bill, BillClaim

    prefix = f"{SERVICE}:{licence_year_due(business.pk, '')}"
    dues = BillClaim.objects.filter(
        due__startswith=prefix, live=True, bill__status=Bill.Status.PAID
    ).values_list("due", flat=True)
    return {due[len(prefix) :] for due in dues}


def skipped_years(business: Business, fiscal_year: str) -> list[str]:
    """The unlicensed years a renewal for `fiscal_year` must bill as arrears, oldest first:
    every year after the licence it renews and before `fiscal_year`, unless already
    settled (`settled_years`). None without an earlier licence (a new licence)."""
    previous = previous_licence(business, fiscal_year)
    if previous is None:
        return []
    years: list[str] = []
    year = next_fiscal_year(previous.fiscal_year)
    while year < fiscal_year:
        years.append(year)
        year = next_fiscal_year(year)
    if not years:
        return []
    settled = settled_years(business)
    return [y for y in years if y not in settled]


def _assess(
    *,
    business: Business,
    fiscal_year: str,
    kind: str,
    category_code: str,
    capital,
    sqft,
    paid_on: date,
) -> list[fees.FeeLine]:
    category = category_for(fiscal_year, category_code)
    arrears = []
    if kind == Application.Kind.RENEWAL:
        for year in skipped_years(business, fiscal_year):
            # That year's schedule (seeded with that year's defaults when missing).
            year_category = category_for(year, category_code)
            arrears.append(
                (
                    fees.ScheduleRates.from_schedule(year_category.schedule),
                    fees.CategoryRates.from_category(year_category),
                )
            )
    try:
        return fees.assess(
            kind=kind,
            rates=fees.ScheduleRates.from_schedule(category.schedule),
            category=fees.CategoryRates.from_category(category),
            paid_on=paid_on,
            paid_up_capital=capital,
            signboard_sqft=sqft,
            arrears=arrears,
        )
    except fees.FeeError:
        raise ValidationError(
            _(
                "No fee is set for a paid-up capital of %(capital)s in this "
                "category; check the capital or the schedule."
            )
            % {"capital": localize_digits(capital)},
            code="no_capital_band",
        ) from None


def fee_lines(application: Application, *, paid_on: date) -> list[fees.FeeLine]:
    """The application's fee lines from its year's schedule, as if paid on `paid_on`; a
    renewal's start with the arrears lines of every skipped year (`skipped_years`)."""
    return _assess(
        business=application.business,
        fiscal_year=application.fiscal_year,
        kind=application.kind,
        category_code=application.applied_category_code,
        capital=application.applied_paid_up_capital,
        sqft=application.applied_signboard_sqft,
        paid_on=paid_on,
    )


def renewal_preview(business: Business, fiscal_year: str, *, paid_on: date) -> list[fees.FeeLine]:
    """The lines a renewal of `business` for `fiscal_year` would be billed, paid on
    `paid_on`: the same computation as `fee_lines` on the particulars the renewal fixes
    when it is submitted (the business's present ones)."""
    return _assess(
        business=business,
        fiscal_year=parse_fiscal_year(fiscal_year),
        kind=Application.Kind.RENEWAL,
        category_code=business.category_code,
        capital=business.paid_up_capital,
        sqft=business.signboard_sqft,
        paid_on=paid_on,
    )
