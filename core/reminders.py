"""The reminder machinery every service's daily reminders use (core.tasks.send_reminders
runs the `reminders` each service declares in its portal.py).

A reminder is sent at most once: the service's "sent" row — whose unique constraint
names the subject and the step — is inserted first, inside a savepoint, and the messages
go out only after that row is committed (transaction.on_commit). Two runs on the same day,
or a worker retry, race on the constraint and the loser sends nothing.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


#: Renewal reminders: 30 and 7 days before the deadline, on the day, then monthly.
BEFORE = (("30d", 30), ("7d", 7))


def renewal_steps(
    deadline: datetime.date, fy_end: datetime.date
) -> list[tuple[str, datetime.date]]:
    """Every reminder step of a renewal season with its date, in order: "30d", "7d", "day",
    then "month-1", "month-2", … on the deadline's day of each following month (the last
    day of a shorter month) up to the end of the fiscal year."""
    steps = [(name, deadline - datetime.timedelta(days=days)) for name, days in BEFORE]
    steps.append(("day", deadline))
    n = 1
    while (when := add_months(deadline, n)) <= fy_end:
        steps.append((f"month-{n}", when))
        n += 1
    return steps


def renewal_step_due(
    today: datetime.date, deadline: datetime.date, fy_end: datetime.date
) -> str | None:
    """The step due on `today`: the latest whose date has come (None before the first), so
    a day the worker did not run is caught up and an older missed step is not sent late."""
    due = None
    for name, when in renewal_steps(deadline, fy_end):
        if when <= today:
            due = name
    return due


def language_of(user: Any) -> str:
    """ "bn" or "en": the account's preferred language (Bengali when unknown)."""
    lang = (getattr(user, "preferred_language", "") or "bn")[:2]
    return "en" if lang == "en" else "bn"


def send_once(record: Callable[[], Any], deliver: Callable[[], None]) -> bool:
    """Insert the reminder's "sent" row with `record()` and, once it is committed, call
    `deliver()`; False (and nothing sent) when the row already exists."""
    try:
        with transaction.atomic():
            record()
            transaction.on_commit(partial(_deliver_safely, deliver), robust=True)
    except IntegrityError:
        return False  # another run sent this step
    return True


def _deliver_safely(deliver: Callable[[], None]) -> None:
    try:
        deliver()
    except Exception:  # one failed delivery never stops the other reminders
        logger.exception("reminder delivery failed")
