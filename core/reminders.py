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
