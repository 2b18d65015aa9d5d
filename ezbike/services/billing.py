"""E-bike fees billed through payments' one bill path (payments.services.bill_issue):

- the application fee, when an application is filed (subject "application", due
  "application-fee:<licence>");
- the licence fee of a new licence once approved, or the renewal fee with its late fee
  (subject "licence", due "licence-fee:<licence>");
- the replacement fee of a card that replaced a lost or damaged one (subject "card", due
  "card-fee:<new card>"), billed with the replacement. The late fee is reckoned on the day the
  bill is made: asking again later (the owner's "pay" or every-due-in-one-place) replaces an
  open bill whose late fee has grown, and returns the same bill otherwise.

The licence becomes active when its fee bill is paid (ezbike.registry_hooks)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import to_bengali_digits
from core.fiscal import fiscal_year as fiscal_year_of
from payments.models import Bill, BillClaim
from payments.services import LineSpec, PaymentError, bill_issue

from .. import fees
from ..defaults import ensure_schedule
from ..models import Licence, RfidCard, Vehicle
from ..numbers import plate_bengali

SERVICE = "ezbike"
#: Days to pay a fee bill.
DUE_DAYS = 15

#: Each revenue head's words on the bill.
HEAD_WORDS = {
    "application_fee": ("আবেদন ফি", "Application fee"),
    "licence_fee": ("লাইসেন্স ফি", "Licence fee"),
    "renewal_fee": ("নবায়ন ফি", "Renewal fee"),
    "late_fee": ("বিলম্ব ফি", "Late fee"),
    "plate_fee": ("আরএফআইডি কার্ড ফি", "RFID card fee"),
    "other": ("জব্দ ইজিবাইক ছাড়ানোর জরিমানা", "Fine to release a seized e-bike"),
}


def application_due(licence: Licence) -> str:
    return f"application-fee:{licence.pk}"


def licence_due(licence: Licence) -> str:
    return f"licence-fee:{licence.pk}"


def _lines(lines: list[fees.FeeLine], fy: str) -> list[LineSpec]:
    return [
        LineSpec(
            head=line.head,
            amount=line.amount,
            description_bn=HEAD_WORDS[line.head][0],
            description_en=HEAD_WORDS[line.head][1],
            explanation=line.rule,
            explanation_data=[line.rule_data] if line.rule_data else [],
            period=fy,
        )
        for line in lines
    ]


def _labels(vehicle: Vehicle) -> tuple[str, str]:
    if vehicle.plate_no:
        return (
            f"ইজিবাইক {plate_bengali(vehicle.plate_no)}",
            f"E-bike {vehicle.plate_no}",
        )
    return (
        f"ইজিবাইক, চেসিস {to_bengali_digits(vehicle.chassis_no)}",
        f"E-bike, chassis {vehicle.chassis_no}",
    )


def _issue(
    *,
    vehicle: Vehicle,
    fiscal_year: str,
    subject_type: str,
    subject_id: int,
    due: str,
    lines: list[fees.FeeLine],
    payer,
    mobile: str,
    today: datetime.date,
    actor,
) -> Bill:
    owner = vehicle.owner
    label_bn, label_en = _labels(vehicle)
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=subject_type,
            subject_id=subject_id,
            dues=[due],
            lines=_lines(lines, fiscal_year),
            fiscal_year_label=fiscal_year,
            due_date=today + datetime.timedelta(days=DUE_DAYS),
            payer=payer,
            payer_name=owner.name_bn or owner.name_en,
            payer_mobile=mobile,
            ward=vehicle.ward,
            subject_label_bn=label_bn,
            subject_label_en=label_en,
            period_label=f"FY {fiscal_year}",
            period_label_bn=f"অর্থবছর {to_bengali_digits(fiscal_year)}",
            actor=actor,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc


def application_fee_bill(*, application, actor=None, today: datetime.date | None = None):
    """The application fee's bill (None when the year's fee is 0)."""
    licence = application.licence
    lines = fees.application_fee(ensure_schedule(licence.fiscal_year))
    if not lines:
        return None
    return _issue(
        vehicle=licence.vehicle,
        fiscal_year=licence.fiscal_year,
        subject_type="application",
        subject_id=application.pk,
        due=application_due(licence),
        lines=lines,
        payer=application.applicant,
        mobile=application.mobile,
        today=today or timezone.localdate(),
        actor=actor,
    )


def licence_fee_lines(
    licence: Licence, today: datetime.date, schedule: fees.Fees | None = None
) -> list[fees.FeeLine]:
    """A new licence's licence fee, or a renewal's fee with the late fee due on `today`
    (`schedule`: the licence year's, when the caller has it)."""
    schedule = schedule or ensure_schedule(licence.fiscal_year)
    if licence.kind == Licence.Kind.RENEWAL:
        return fees.renewal_fees(schedule, paid_on=today)
    return fees.licence_fee(schedule)


def licence_fee_bill(*, licence: Licence, actor=None, today: datetime.date | None = None) -> Bill:
    """The bill for an approved licence's fee (licence or renewal fee and any late fee).
    Asked again, the open bill is returned — or replaced when the late fee has grown."""
    if licence.status != Licence.Status.APPROVED:
        raise ValidationError(_("This licence has no fee to pay now."), code="not_approved")
    today = today or timezone.localdate()
    vehicle = licence.vehicle
    return _issue(
        vehicle=vehicle,
        fiscal_year=licence.fiscal_year,
        subject_type="licence",
        subject_id=licence.pk,
        due=licence_due(licence),
        lines=licence_fee_lines(licence, today),
        payer=vehicle.owner.user,
        mobile=vehicle.owner.mobile,
        today=today,
        actor=actor,
    )


def card_fee_bill(
    *, card: RfidCard, vehicle: Vehicle, actor=None, today: datetime.date | None = None
) -> Bill | None:
    """The replacement fee of a new card that replaced a lost or damaged one, billed to the
    e-bike's owner (None when this year's fee is 0)."""
    today = today or timezone.localdate()
    fy = fiscal_year_of(today)
    lines = fees.card_replacement_fee(ensure_schedule(fy))
    if not lines:
        return None
    owner = vehicle.owner
    return _issue(
        vehicle=vehicle,
        fiscal_year=fy,
        subject_type="card",
        subject_id=card.pk,
        due=f"card-fee:{card.pk}",
        lines=lines,
        payer=owner.user,
        mobile=owner.mobile,
        today=today,
        actor=actor,
    )


def seizure_fine_bill(
    *, licence: Licence, seizure_id: int, actor=None, today: datetime.date | None = None
) -> Bill | None:
    """The fine that releases a seized e-bike (subject "seizure": the status change that
    seized it), billed to the owner; None when the year's fine is 0."""
    today = today or timezone.localdate()
    lines = fees.seizure_fine(ensure_schedule(licence.fiscal_year))
    if not lines:
        return None
    vehicle = licence.vehicle
    return _issue(
        vehicle=vehicle,
        fiscal_year=licence.fiscal_year,
        subject_type="seizure",
        subject_id=seizure_id,
        due=f"seizure-fine:{seizure_id}",
        lines=lines,
        payer=vehicle.owner.user,
        mobile=vehicle.owner.mobile,
        today=today,
        actor=actor,
    )


def live_bill(due: str) -> Bill | None:
    """The open or paid bill that claims the service's `due`, if any."""
    claim = (
        BillClaim.objects.filter(due=f"{SERVICE}:{due}", live=True)
        .select_related("bill")
        .order_by("-pk")
        .first()
    )
    return claim.bill if claim else None
