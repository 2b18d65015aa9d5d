"""E-bikes in "every due in one place" (declared in ezbike/portal.py): what an owner owes on
their e-bikes that no open bill covers yet (core.portal.OpenDue), and the bill for one.

Tokens: "l<licence pk>" — an approved licence's fee (the licence fee, or the renewal fee with
the late fee reckoned today); "a<application pk>" — an application fee whose bill was
cancelled. A due an open bill already covers is left out (the bill is listed)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import localize_digits
from core.fiscal import fiscal_year_label
from core.portal import OpenDue
from payments.models import Bill, BillClaim

from . import fees
from .defaults import ensure_schedule
from .models import Application, Licence
from .numbers import plate_display
from .services.billing import (
    SERVICE,
    application_due,
    application_fee_bill,
    licence_due,
    licence_fee_bill,
    licence_fee_lines,
)

TOKEN = re.compile(r"^([la])(\d+)$")


def _vehicle_label(vehicle) -> str:
    if vehicle.plate_no:
        return _("E-bike %(plate)s") % {"plate": plate_display(vehicle.plate_no)}
    return _("E-bike, chassis %(chassis)s") % {"chassis": localize_digits(vehicle.chassis_no)}


def open_dues(user: Any) -> list[OpenDue]:
    """What `user` owes on their e-bikes with no open bill yet: one query for a user with
    nothing to pay, two otherwise (and the year's fee schedules)."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    rows = list(
        Licence.objects.filter(
            vehicle__owner__user=user, status__in=(Licence.Status.APPROVED, Licence.Status.APPLIED)
        )
        .select_related("vehicle", "application")
        .order_by("pk")
    )
    licences = [lic for lic in rows if lic.status == Licence.Status.APPROVED]
    applications = [
        a
        for lic in rows
        if lic.status == Licence.Status.APPLIED
        and (a := getattr(lic, "application", None)) is not None
        and a.fee_paid_at is None
        and a.decided_at is None
    ]
    if not licences and not applications:
        return []
    keys = [f"{SERVICE}:{licence_due(lic)}" for lic in licences] + [
        f"{SERVICE}:{application_due(a.licence)}" for a in applications
    ]
    schedules: dict[str, fees.Fees] = {}

    def schedule(fy: str) -> fees.Fees:
        if fy not in schedules:
            schedules[fy] = ensure_schedule(fy)
        return schedules[fy]

    billed = set(BillClaim.objects.filter(due__in=keys, live=True).values_list("due", flat=True))
    dues = []
    for lic in licences:
        if f"{SERVICE}:{licence_due(lic)}" in billed:
            continue
        lines = licence_fee_lines(lic, today, schedule(lic.fiscal_year))
        dues.append(
            OpenDue(
                service=SERVICE,
                token=f"l{lic.pk}",
                label=_vehicle_label(lic.vehicle),
                period=_("FY %(fy)s") % {"fy": fiscal_year_label(lic.fiscal_year)},
                amount=fees.total(lines),
                due_date=today,
                overdue=any(line.head == "late_fee" for line in lines),
                url=reverse("ezbike:vehicle", args=[lic.vehicle_id]),
            )
        )
    for a in applications:
        if f"{SERVICE}:{application_due(a.licence)}" in billed:
            continue
        lines = fees.application_fee(schedule(a.licence.fiscal_year))
        if not lines:
            continue
        dues.append(
            OpenDue(
                service=SERVICE,
                token=f"a{a.pk}",
                label=_vehicle_label(a.licence.vehicle),
                period=_("Application fee, FY %(fy)s")
                % {"fy": fiscal_year_label(a.licence.fiscal_year)},
                amount=fees.total(lines),
                due_date=today,
                overdue=False,
                url=reverse("ezbike:vehicle", args=[a.licence.vehicle_id]),
            )
        )
    return dues


def bill_due(user: Any, token: str, actor: Any = None) -> Bill:
    """The bill for one of `user`'s dues (an open bill for the same fee is returned).
    Refused (ValidationError) for an e-bike not the user's or nothing to pay."""
    match = TOKEN.match(token or "")
    if match and user.is_authenticated:
        kind, pk = match.group(1), int(match.group(2))
        if kind == "l":
            licence = (
                Licence.objects.select_related("vehicle__owner__user", "vehicle__ward")
                .filter(pk=pk, vehicle__owner__user=user)
                .first()
            )
            if licence is not None:
                return licence_fee_bill(licence=licence, actor=actor)
        else:
            application = (
                Application.objects.select_related("licence__vehicle__owner", "applicant")
                .filter(pk=pk, licence__vehicle__owner__user=user, fee_paid_at__isnull=True)
                .first()
            )
            if application is not None:
                bill = application_fee_bill(application=application, actor=actor)
                if bill is not None:
                    Application.objects.filter(pk=application.pk).update(fee_bill=bill)
                    return bill
    raise ValidationError(_("This is not a due of an e-bike of the account."), code="not_yours")
