"""Renewal reminders (beat, daily: core.tasks.send_reminders runs `send_due_reminders`, the
`reminders` declared in ezbike/portal.py), as trade licences send theirs.

For the fiscal year of today, an e-bike whose licence of the previous year was issued (active,
or expired after the deadline) and which has no licence issued for this year yet (none, or a
renewal billed but not paid) is reminded by SMS at these steps of the year's renewal deadline
(FeeSchedule.renewal_deadline, 30 September unless extended):

- "30d": 30 days before; "7d": 7 days before; "day": on the deadline;
- "month-1", "month-2", …: on the same day of each following month (the last day of a
  shorter month), up to the end of the fiscal year, while still not renewed.

On a given date the step due is the latest one whose date has come: a day the worker did not
run is caught up the next day, and an older step missed by then is not sent late. Each step
goes out at most once per licence: the RenewalReminder row is inserted first (its unique
constraint decides between concurrent runs) and the SMS after that row is committed
(core.reminders.send_once)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.utils import timezone

from core.fiscal import fiscal_year, fiscal_year_bounds, previous_fiscal_year
from core.reminders import renewal_step_due, send_once

from .defaults import ensure_schedule
from .models import Licence, RenewalReminder
from .notify import notify_owner


@dataclass
class Due:
    licence: Licence  # last year's
    step: str
    deadline: datetime.date


def due_reminders(today: datetime.date | None = None) -> list[Due]:
    """The reminders due on `today` and not sent yet (three queries)."""
    today = today or timezone.localdate()
    fy = fiscal_year(today)
    deadline = ensure_schedule(fy).renewal_deadline
    step = renewal_step_due(today, deadline, fiscal_year_bounds(fy)[1])
    if step is None:
        return []
    renewed = Licence.objects.filter(fiscal_year=fy, status__in=Licence.ISSUED).values("vehicle_id")
    licences = (
        Licence.objects.filter(
            fiscal_year=previous_fiscal_year(fy),
            status__in=(Licence.Status.ACTIVE, Licence.Status.EXPIRED),
        )
        .exclude(vehicle_id__in=renewed)
        .exclude(reminders__step=step)
        .select_related("vehicle__owner__user")
        .order_by("pk")
    )
    return [Due(licence=lic, step=step, deadline=deadline) for lic in licences]


def send_reminder(due: Due) -> bool:
    """Record the step (once only) and send the SMS after the commit; False if sent already."""
    vehicle = due.licence.vehicle
    owner = vehicle.owner
    return send_once(
        partial(RenewalReminder.objects.create, licence=due.licence, step=due.step),
        partial(
            notify_owner,
            mobile=owner.mobile,
            user=owner.user,
            key="reminder_late" if due.step.startswith("month") else "reminder",
            plate=vehicle.plate_no or "",
            deadline=due.deadline,
        ),
    )


def send_due_reminders(today: datetime.date | None = None) -> dict:
    """Send every reminder due on `today`; a summary for the task result."""
    today = today or timezone.localdate()
    sent = sum(send_reminder(due) for due in due_reminders(today))
    return {"date": today.isoformat(), "sent": sent}
