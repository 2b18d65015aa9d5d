"""What the water services share: the row lock, date input and the audit row. Private to
the services package."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_date, to_ascii_digits

from ..models import Connection


def lock(connection: Connection) -> Connection:
    """The connection's row, locked until the transaction ends (its meters and readings
    change under this lock only)."""
    return Connection.objects.select_for_update().select_related("ward").get(pk=connection.pk)


def as_date(value: object, *, field: str) -> datetime.date:
    """A date given as a date or typed as YYYY-MM-DD (Bengali digits accepted)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(to_ascii_digits(str(value or "")).strip())
    except ValueError:
        raise ValidationError(
            {field: _("Enter a date such as 2026-12-31.")}, code="invalid_date"
        ) from None


def not_in_future(day: datetime.date, *, field: str, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError(
            {
                field: _("%(date)s is in the future: enter the day it happened.")
                % {"date": localize_date(day)}
            },
            code="future_date",
        )


def record(action: str, obj, *, actor=None, reason: str = "", before=None, after=None) -> None:
    audit.record(
        action=f"water.{action}", obj=obj, actor=actor, reason=reason, before=before, after=after
    )
