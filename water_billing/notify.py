"""The month's bill by SMS to the billing mobile: amount, due date and a pay link, in the
account's language (Bengali without one). Sent by the worker after a run, once per bill:
each bill is claimed by setting its `sms_sent_at` (a conditional UPDATE, as
core.reminders.send_once claims a reminder with its row) and the message goes out after that
commit; a retry or a second sender finds it claimed and sends nothing.

A possible leak: when the month's reading jumped (flagged as a spike by the readings check:
above the tariff's `spike_multiple` × the average — the flag stays when the officer accepts
the reading), a second message goes with the bill's, under the same claim — so once per
connection and month, with no row of its own."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.digits import localize_date, localize_digits
from core.money import format_amount

from .models import WaterBill

log = logging.getLogger(__name__)

SMS_KIND = "water_bill"
CHUNK = 500

MESSAGE = _("Water bill %(month)s, connection %(number)s: %(amount)s, due %(due)s. Pay: %(link)s")
WITH_ARREARS = _(
    "Water bill %(month)s, connection %(number)s: %(amount)s (with earlier months unpaid: "
    "%(owed)s), due %(due)s. Pay: %(link)s"
)


LEAK_SMS_KIND = "water_leak"
LEAK_MESSAGE = _(
    "Water connection %(number)s used %(units)s m³ in %(month)s, far more than usual. Please "
    "check the taps, tank and pipes for a leak."
)


def leak_text(bill: WaterBill, lang: str) -> str:
    with translation.override(lang):
        return str(LEAK_MESSAGE) % {
            "number": localize_digits(bill.connection.consumer_no, lang),
            "units": localize_digits((bill.reading and bill.reading.consumption) or 0, lang),
            "month": localize_digits(f"{bill.period:%m/%Y}", lang),
        }


def jumped(bill: WaterBill) -> bool:
    """The month's reading was flagged as a spike (a possible leak)."""
    from .tariff import SPIKE

    reading = bill.reading
    return reading is not None and reading.flag == SPIKE and not bill.estimated


def pay_link(bill: WaterBill) -> str:
    return settings.SITE_URL + reverse("water_billing:pay", args=[bill.verify_code])


def text(bill: WaterBill, lang: str) -> str:
    with translation.override(lang):
        month = localize_digits(f"{bill.period:%m/%Y}", lang)
        values = {
            "month": month,
            "number": localize_digits(bill.connection.consumer_no, lang),
            "amount": format_amount(bill.total, lang=lang),
            "owed": format_amount(bill.total + bill.arrears, lang=lang),
            "due": localize_date(bill.due_date, lang),
            "link": pay_link(bill),
        }
        return str(WITH_ARREARS if bill.arrears > 0 else MESSAGE) % values


def _deliver(mobile: str, message: str, kind: str = SMS_KIND) -> None:
    from accounts.sms import send_sms

    try:
        send_sms(mobile, message, kind=kind)
    except Exception:  # one failed message never stops the others
        log.exception("water bill SMS not sent")


def send_bill_sms(period: datetime.date, *, chunk: int = CHUNK) -> int:
    """Send the SMS of every bill of `period` not sent yet (with a billing mobile and
    something to pay), `chunk` bills per transaction; returns how many were claimed."""
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                WaterBill.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("connection__user", "reading")
                .filter(period=period, sms_sent_at__isnull=True, total__gt=0)
                .exclude(connection__billing_mobile="")
                .order_by("pk")[:chunk]
            )
            if not batch:
                return sent
            WaterBill.objects.filter(pk__in=[b.pk for b in batch], sms_sent_at__isnull=True).update(
                sms_sent_at=timezone.now()
            )
            for bill in batch:
                user = bill.connection.user
                lang = (
                    "en" if (getattr(user, "preferred_language", "") or "bn")[:2] == "en" else "bn"
                )
                transaction.on_commit(
                    partial(_deliver, bill.connection.billing_mobile, text(bill, lang))
                )
                if jumped(bill):
                    transaction.on_commit(
                        partial(
                            _deliver,
                            bill.connection.billing_mobile,
                            leak_text(bill, lang),
                            LEAK_SMS_KIND,
                        )
                    )
            sent += len(batch)


# --- applications for a connection and disconnections (a message at each step) ---------------

CASE_SMS_KIND = "water_case"

CASE_MESSAGES = {
    "submitted": _(
        "Water connection application %(ref)s for holding %(holding)s has been received. "
        "We will send a message at each step."
    ),
    "approved": _(
        "Water connection application %(ref)s is approved. Pay %(amount)s (bill %(bill)s) "
        "by %(due)s online or at a counter."
    ),
    "rejected": _("Water connection application %(ref)s was rejected: %(reason)s"),
    "paid": _(
        "Fee received for water connection application %(ref)s. The meter will be installed "
        "and the connection opened."
    ),
    "connected": _("Your water connection %(number)s is open. Bills come each month by SMS."),
    "bill_cancelled": _(
        "The fee bill of water connection application %(ref)s was cancelled; a new bill will "
        "follow."
    ),
    "notice": _(
        "Water connection %(number)s: %(months)s months unpaid (%(amount)s). Pay now or the "
        "connection will be cut. Pay: %(link)s"
    ),
    "disconnected": _(
        "Water connection %(number)s was disconnected for unpaid bills. To reconnect, pay "
        "%(amount)s unpaid and the reconnection fee %(fee)s."
    ),
    "reconnected": _("Water connection %(number)s is reconnected."),
}


def _language(user) -> str:
    return "en" if (getattr(user, "preferred_language", "") or "bn")[:2] == "en" else "bn"


def _send_case(mobile: str, lang: str, key: str, values: dict) -> None:
    from accounts.sms import send_sms

    with translation.override(lang):
        params = {k: (v(lang) if callable(v) else v) for k, v in values.items()}
        try:
            send_sms(mobile, str(CASE_MESSAGES[key]) % params, kind=CASE_SMS_KIND)
        except Exception:  # a message never undoes the step
            log.exception("water case SMS not sent")


def _money_text(amount):
    return partial(lambda a, lang: format_amount(a, lang=lang), amount)


def _digits_text(value):
    return partial(lambda v, lang: localize_digits(str(v), lang), value)


def notify_case(*, mobile: str, user, key: str, **values) -> None:
    """Queue the message `key` to `mobile` after the commit, in `user`'s language (Bengali
    without an account). Amounts (Decimal) and numbers are written in that language."""
    if not mobile or key not in CASE_MESSAGES:
        return
    params: dict = {"reason": "", "link": ""}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            params[name] = partial(lambda d, lang: localize_date(d, lang), value)
        elif name in ("amount", "fee"):
            params[name] = _money_text(value)
        elif name in ("reason", "link"):
            params[name] = value
        else:
            params[name] = _digits_text(value)
    transaction.on_commit(partial(_send_case, mobile, _language(user), key, params))
