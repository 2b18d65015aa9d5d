"""What market shops bill through payments' one bill path (payments.services.bill_issue):

- the **salami and security deposit** of a new allotment — one Bill (subject type
  "allotment", dues ``allotment:<pk>:salami`` and ``allotment:<pk>:deposit``) issued when
  the estate officer allots; paying it makes the allotment active (registry_hooks.on_paid);
- a lessee's **unpaid months of rent** — one Bill per allotment (subject type "rent", a due
  ``rent:<allotment>:<YYYY-MM>`` per month, the earlier months as arrears) with each overdue
  month's surcharge reckoned on the day the bill is made (rent.surcharge, the lease rules in
  force on the month's due date). Choosing twice gives the same bill; once a surcharge has
  grown, the open bill is replaced (unless a payment on it is under way).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import to_bengali_digits
from core.fiscal import fiscal_year
from payments.models import Bill
from payments.services import LineSpec, PaymentError, bill_issue, bill_subject_lock

from .. import rent
from ..defaults import PREMIUM_DUE_DAYS
from ..models import Allotment, RentMonth
from ..selectors import NotInForce, rules_in_force

SERVICE = "market_leases"
PREMIUM = "allotment"  # the Bill's subject type for salami and deposit
RENT = "rent"  # the Bill's subject type for months of rent

MONTHS_BN = [
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
]


def month_bn(period: datetime.date) -> str:
    return f"{MONTHS_BN[period.month - 1]} {to_bengali_digits(period.year)}"


def month_en(period: datetime.date) -> str:
    return period.strftime("%B %Y")


def shop_label(allotment: Allotment) -> tuple[str, str]:
    shop = allotment.shop
    market = shop.market
    return (
        f"দোকান {to_bengali_digits(shop.number)}, {market.name_bn or market.name_en}",
        f"Shop {shop.number}, {market.name_en or market.name_bn}",
    )


def premium_dues(allotment: Allotment) -> list[str]:
    return [f"allotment:{allotment.pk}:salami", f"allotment:{allotment.pk}:deposit"]


def premium_bill_issue(*, allotment: Allotment, payer=None, actor=None) -> Bill | None:
    """The Bill for the allotment's salami and security deposit (None when both are 0:
    nothing to pay). Called by shop_allot in its transaction; called again by the lessee's
    account (`payer`), it is the same open bill, which gains the payer if it had none (so it
    is in their bills)."""
    lines = []
    if allotment.salami > 0:
        lines.append(
            LineSpec(
                head="salami",
                amount=allotment.salami,
                description_bn="সালামি",
                description_en="Salami (premium)",
            )
        )
    if allotment.security_deposit > 0:
        lines.append(
            LineSpec(
                head="security_deposit",
                amount=allotment.security_deposit,
                description_bn="জামানত",
                description_en="Security deposit",
            )
        )
    if not lines:
        return None
    lessee = allotment.lessee
    bn, en = shop_label(allotment)
    today = timezone.localdate()
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=PREMIUM,
            subject_id=allotment.pk,
            dues=premium_dues(allotment),
            lines=lines,
            fiscal_year_label=fiscal_year(today),
            due_date=today + datetime.timedelta(days=PREMIUM_DUE_DAYS),
            payer=payer or lessee.user,
            payer_name=lessee.name_en or lessee.name_bn,
            payer_mobile=lessee.mobile,
            ward=allotment.shop.market.ward,
            subject_label_bn=f"বরাদ্দ — {bn}",
            subject_label_en=f"Allotment — {en}",
            actor=actor,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc


def premium_bill(allotment: Allotment) -> Bill | None:
    """The allotment's live (open or paid) salami and deposit bill, if any."""
    return (
        Bill.objects.filter(
            service=SERVICE,
            subject_type=PREMIUM,
            subject_id=str(allotment.pk),
            status__in=[Bill.Status.OPEN, Bill.Status.PAID],
        )
        .order_by("-pk")
        .first()
    )


# --- months of rent ----------------------------------------------------------------------------


def unpaid_months(allotment: Allotment) -> list[RentMonth]:
    """The allotment's months of rent not paid yet, oldest first."""
    return list(
        RentMonth.objects.filter(
            allotment=allotment, status=RentMonth.Status.DUE, rent__gt=0
        ).order_by("period")
    )


def month_lines(
    months: Sequence[RentMonth], on: datetime.date
) -> list[tuple[RentMonth, rent.Line | None]]:
    """Each month with its surcharge as it stands on `on` (None when not overdue)."""
    found: list[tuple[RentMonth, rent.Line | None]] = []
    for m in months:
        try:
            rules = rules_in_force(m.due_date)
        except NotInForce:
            found.append((m, None))
            continue
        found.append((m, rent.surcharge(m.rent, due=m.due_date, on=on, rules=rules)))
    return found


def owed(months: Sequence[RentMonth], on: datetime.date) -> Decimal:
    """What the months come to on `on`: rent and surcharges."""
    return sum(
        (m.rent + (s.amount if s else Decimal("0.00")) for m, s in month_lines(months, on)),
        Decimal("0.00"),
    )


def _rent_line_specs(months: Sequence[RentMonth], on: datetime.date) -> list[LineSpec]:
    newest = months[-1].period
    specs = []
    for m, surcharge in month_lines(months, on):
        arrears = m.period < newest
        specs.append(
            LineSpec(
                head="rent",
                amount=m.rent,
                description_bn=f"ভাড়া — {month_bn(m.period)}",
                description_en=f"Rent — {month_en(m.period)}",
                period=m.month,
                arrears=arrears,
            )
        )
        if surcharge is not None:
            specs.append(
                LineSpec(
                    head="surcharge",
                    amount=surcharge.amount,
                    description_bn=f"সারচার্জ — {month_bn(m.period)}",
                    description_en=f"Surcharge — {month_en(m.period)}",
                    explanation=surcharge.rule,
                    explanation_data=[surcharge.explanation],
                    period=m.month,
                    arrears=arrears,
                )
            )
    return specs


@transaction.atomic
def rent_bill_issue(
    *, allotment: Allotment, payer=None, actor=None, today: datetime.date | None = None
) -> Bill:
    """The payments Bill for every unpaid month of the allotment's rent, with the overdue
    months' surcharges as of today, under the allotment's bill lock: an open bill for
    exactly these is reused; refused (ValidationError) when nothing is due or while a
    payment on an open bill is under way."""
    today = today or timezone.localdate()
    bill_subject_lock(service=SERVICE, subject_type=RENT, subject_id=allotment.pk)
    months = unpaid_months(allotment)
    if not months:
        raise ValidationError(_("Nothing is due for what you chose."), code="nothing_due")
    row = Allotment.objects.select_related("shop__market__ward", "lessee").get(pk=allotment.pk)
    lessee = row.lessee
    bn, en = shop_label(row)
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=RENT,
            subject_id=row.pk,
            dues=[m.due_key for m in months],
            lines=_rent_line_specs(months, today),
            fiscal_year_label=fiscal_year(today),
            due_date=max(min(m.due_date for m in months), today),
            payer=payer or lessee.user,
            payer_name=lessee.name_en or lessee.name_bn,
            payer_mobile=lessee.mobile,
            ward=row.shop.market.ward,
            subject_label_bn=f"দোকান ভাড়া — {bn}",
            subject_label_en=f"Shop rent — {en}",
            period_label=", ".join(m.month for m in months),
            period_label_bn=", ".join(month_bn(m.period) for m in months),
            actor=actor,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc
