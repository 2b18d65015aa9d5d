"""Renewal reminders (beat, daily: core.tasks.send_reminders runs send_due_reminders, the
reminders declared in portal.py).

For the fiscal year of today, a business whose licence of the previous year has not been
renewed (no licence issued, i.e. paid, for this year) is reminded by SMS, and by e-mail when
the trader has an address, at these steps of the year's renewal deadline (FeeSchedule,
30 September unless extended):

- "30d": 30 days before the deadline; "7d": 7 days before; "day": on the deadline;
- "month-1", "month-2", …: on the same day of each following month (the last day of a
  shorter month), up to the end of the fiscal year, while still not renewed.

On a given date the step due is the latest one whose date has come: a day the worker did
not run is caught up the next day, and an older step missed by then is not sent late.
Each step is sent at most once per business and year: the ReminderSent row is inserted
first (its unique constraint is the referee between concurrent runs) and the messages go
out after that row is committed (core.reminders.send_once, shared with holding tax).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.digits import is_bengali, localize_date, localize_digits
from core.fiscal import fiscal_year, fiscal_year_bounds, previous_fiscal_year
from core.reminders import language_of, renewal_step_due, send_once

from .models import Business, Licence, ReminderSent

logger = logging.getLogger(__name__)

SMS_KIND = "trade_licence_reminder"


@dataclass
class Due:
    business: Business
    licence: Licence
    fiscal_year: str
    step: str
    deadline: datetime.date


def due_reminders(today: datetime.date | None = None) -> list[Due]:
    """The reminders due on `today` and not yet sent."""
    from .services import schedule_for

    today = today or timezone.localdate()
    fy = fiscal_year(today)
    deadline = schedule_for(fy).effective_renewal_deadline
    step = renewal_step_due(today, deadline, fiscal_year_bounds(fy)[1])
    if step is None:
        return []
    renewed = Licence.objects.filter(fiscal_year=fy, is_current=True).values("business_id")
    already = ReminderSent.objects.filter(fiscal_year=fy, step=step).values("business_id")
    licences = (
        Licence.objects.filter(fiscal_year=previous_fiscal_year(fy), is_current=True)
        .exclude(business_id__in=renewed)
        .exclude(business_id__in=already)
        .select_related("business__trader", "application")
        .order_by("pk")
    )
    return [
        Due(
            business=licence.business, licence=licence, fiscal_year=fy, step=step, deadline=deadline
        )
        for licence in licences
    ]


# --- the messages ---------------------------------------------------------------------------


REMINDER_TEXTS = {
    "before": _(
        "Renew trade licence %(number)s of %(name)s for FY %(fy)s by %(deadline)s "
        "(%(days)s days left) to avoid the late surcharge. %(url)s"
    ),
    "day": _(
        "Today, %(deadline)s, is the last day to renew trade licence %(number)s of "
        "%(name)s for FY %(fy)s without the late surcharge. %(url)s"
    ),
    "month": _(
        "Trade licence %(number)s of %(name)s is not yet renewed for FY %(fy)s (the "
        "deadline was %(deadline)s). The late surcharge grows each month; renew now. "
        "%(url)s"
    ),
}
REMINDER_SUBJECT = _("Trade licence renewal reminder")


def message(due: Due, lang: str) -> str:
    """The reminder in the trader's language (Bengali or English)."""
    business = due.business
    kind = "before" if due.step in ("30d", "7d") else "day" if due.step == "day" else "month"
    with translation.override(lang):
        return str(REMINDER_TEXTS[kind]) % {
            "name": pick(business.name_bn, business.name_en),
            "number": due.licence.number,
            "url": f"{settings.SITE_URL}/licences/",
            "fy": localize_digits(due.fiscal_year),
            "deadline": localize_date(due.deadline),
            "days": localize_digits(due.step.removesuffix("d")),
        }


def pick(bn: str, en: str) -> str:
    """The Bengali or English name, by the active language (the other when missing)."""
    return (bn or en) if is_bengali() else (en or bn)


def _contact(due: Due) -> tuple[str, str, str]:
    """(mobile, e-mail, language) of the business's trader."""
    trader = due.business.trader
    mobile = getattr(trader, "mobile", "") or due.licence.application.trader_mobile or ""
    email = getattr(trader, "email", "") or ""
    return mobile, email, language_of(trader)


def _deliver(due: Due, mobile: str, email: str, lang: str) -> None:
    from django.core.mail import send_mail

    from accounts.sms import send_sms

    text = message(due, lang)
    if mobile:
        send_sms(mobile, text, kind=SMS_KIND)
    if email:
        with translation.override(lang):
            subject = str(REMINDER_SUBJECT)
        try:
            send_mail(f"{subject}: {due.licence.number}", text, None, [email])
        except Exception:  # a mail failure never stops the other reminders
            logger.exception("renewal reminder e-mail to %s failed", email)


def send_reminder(due: Due) -> bool:
    """Record the step (once only) and send it after the commit; False if already sent."""
    mobile, email, lang = _contact(due)
    channels = ",".join(c for c, to in (("sms", mobile), ("email", email)) if to)
    return send_once(
        partial(
            ReminderSent.objects.create,
            business=due.business,
            licence=due.licence,
            fiscal_year=due.fiscal_year,
            step=due.step,
            channels=channels,
        ),
        partial(_deliver, due, mobile, email, lang),
    )


def send_due_reminders(today: datetime.date | None = None) -> dict:
    """Send every reminder due on `today`; a summary for the task result."""
    today = today or timezone.localdate()
    sent = sum(send_reminder(due) for due in due_reminders(today))
    return {"date": today.isoformat(), "sent": sent}
