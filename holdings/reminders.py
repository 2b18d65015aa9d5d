"""Holding-tax reminders by SMS (beat, daily: declared in holdings/portal.py and run by
core.tasks.send_reminders), on the machinery shared with trade licences (core.reminders:
each step recorded once, sent after the commit, never twice).

- Before each instalment's due date: from `reminder_days_before` days (the year's
  schedule; 7 by default) before its effective due date (office-order extensions
  included) until that date, once per holding and instalment ("2026-27:q2:before"),
  while it is unpaid. A day the worker did not run is caught up the next day.
- Overdue (বকেয়া): once a month ("overdue:2026-12"), to every holding that owes
  instalments past their due date or arrears of earlier years, with the amount the
  defaulters report shows (arrears surcharge included).

Each owner's mobile gets one SMS (the same number once), in the language of the owner's
portal account (Bengali otherwise), with the city's own word for holding tax and the
quick-pay link filled in for the holding. Holdings without an owner's mobile are skipped
and not recorded (they are reminded once a mobile is on record).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.digits import localize_date, localize_digits
from core.fiscal import fiscal_year
from core.models import CityProfile
from core.money import format_amount
from core.reminders import language_of, send_once

from .documents import pay_url
from .models import Holding, HoldingReminder, Instalment, Owner, RateSchedule
from .reports import DefaulterRows
from .selectors import effective_due_date_expr

SMS_KIND = "holding_reminder"

TEXTS = {
    "before": _(
        "%(tax)s: instalment %(quarter)s of FY %(fy)s for holding %(number)s, ward %(ward)s, "
        "%(amount)s, is due by %(date)s. Pay online: %(url)s"
    ),
    "overdue": _(
        "%(tax)s: holding %(number)s, ward %(ward)s, owes %(amount)s past its due dates "
        "(surcharge included). Pay online or at the city corporation's counter: %(url)s"
    ),
}


@dataclass(frozen=True)
class Due:
    holding_id: int
    key: str
    kind: str  # "before" | "overdue"
    amount: Decimal
    fiscal_year: str = ""
    quarter: int = 0
    due_date: datetime.date | None = None


def _before_due(today: datetime.date) -> list[Due]:
    fy = fiscal_year(today)
    schedule = RateSchedule.objects.filter(fiscal_year=fy).first()
    if schedule is None:
        return []
    sent = HoldingReminder.objects.filter(
        holding_id=OuterRef("demand__holding_id"),
        key=Concat(Value(f"{fy}:q"), Cast(OuterRef("quarter"), CharField()), Value(":before")),
    )
    instalments = (
        Instalment.objects.filter(status=Instalment.Status.DUE, demand__fiscal_year=fy)
        .annotate(effective_due=effective_due_date_expr())
        .filter(
            effective_due__gte=today,
            effective_due__lte=today + datetime.timedelta(days=schedule.reminder_days_before),
        )
        .exclude(Exists(sent))
        .values_list("demand__holding_id", "quarter", "amount", "effective_due")
        .order_by("demand__holding_id", "quarter")
    )
    return [
        Due(holding, f"{fy}:q{quarter}:before", "before", amount, fy, quarter, due)
        for holding, quarter, amount, due in instalments
    ]


def _overdue(today: datetime.date) -> list[Due]:
    key = f"overdue:{today:%Y-%m}"
    rows = DefaulterRows(today=today, sort="pk", exclude_reminder=key)
    return [Due(row["pk"], key, "overdue", row["owed"]) for row in rows]


def due_reminders(today: datetime.date | None = None) -> list[Due]:
    """The reminders due on `today` and not yet sent."""
    today = today or timezone.localdate()
    return _before_due(today) + _overdue(today)


def message(due: Due, holding: Holding, lang: str) -> str:
    """The reminder in `lang` (Bengali digits in Bengali)."""
    city = CityProfile.current()
    with translation.override(lang):
        return str(TEXTS[due.kind]) % {
            "tax": city.holding_tax_name_bn if lang == "bn" else city.holding_tax_name_en,
            "quarter": localize_digits(str(due.quarter)),
            "fy": localize_digits(due.fiscal_year),
            "number": localize_digits(holding.number),
            "ward": localize_digits(str(holding.ward.number)),
            "amount": format_amount(due.amount, lang=lang),
            "date": localize_date(due.due_date) if due.due_date else "",
            "url": pay_url(holding),
        }


def _deliver(due: Due, holding: Holding, recipients: list[tuple[str, str]]) -> None:
    from accounts.sms import send_sms

    for mobile, lang in recipients:
        send_sms(mobile, message(due, holding, lang), kind=SMS_KIND)


def _recipients(owners: list[Owner]) -> list[tuple[str, str]]:
    """(mobile, language) per distinct owner mobile, in the owners' order."""
    seen: dict[str, str] = {}
    for owner in owners:
        if owner.mobile and owner.mobile not in seen:
            seen[owner.mobile] = language_of(owner.user)
    return list(seen.items())


def send_due_reminders(today: datetime.date | None = None) -> dict:
    """Send every reminder due on `today`; a summary for the task result."""
    today = today or timezone.localdate()
    dues = due_reminders(today)
    ids = {due.holding_id for due in dues}
    holdings = Holding.objects.select_related("ward").in_bulk(ids)
    owners: dict[int, list[Owner]] = defaultdict(list)
    for owner in Owner.objects.filter(holding_id__in=ids).select_related("user").order_by("pk"):
        owners[owner.holding_id].append(owner)
    sent = {"before": 0, "overdue": 0}
    for due in dues:
        recipients = _recipients(owners[due.holding_id])
        if not recipients:
            continue
        holding = holdings[due.holding_id]
        record = partial(
            HoldingReminder.objects.create,
            holding=holding,
            key=due.key,
            amount=due.amount,
            recipients=len(recipients),
        )
        if send_once(record, partial(_deliver, due, holding, recipients)):
            sent[due.kind] += 1
    return {"date": today.isoformat(), **sent}
