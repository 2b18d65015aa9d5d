"""Text messages to an e-bike's owner at each step (application received, approved with the
fee to pay, waiting for a place under the cap, rejected, licence active, renewal billed,
renewal reminders), sent after the commit in the owner's language (Bengali without an
account) through accounts.sms.send_sms, as water bills and trade licences send theirs."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.digits import localize_date, localize_digits
from core.fiscal import fiscal_year_label
from core.money import format_amount

log = logging.getLogger(__name__)

SMS_KIND = "ezbike"

MESSAGES = {
    "submitted": _(
        "E-bike licence application %(ref)s (FY %(fy)s) has been received. Pay the "
        "application fee %(amount)s (bill %(bill)s); we will send a message at each step."
    ),
    "submitted_paid": _(
        "E-bike licence application %(ref)s (FY %(fy)s) has been received. We will send a "
        "message at each step."
    ),
    "approved": _(
        "E-bike licence application %(ref)s is approved: number plate %(plate)s. Pay the "
        "licence fee %(amount)s (bill %(bill)s) by %(due)s online or at a counter."
    ),
    "waiting": _(
        "E-bike licence application %(ref)s is accepted, but the fleet cap is full: it waits "
        "in the queue and you will get a message when a place is free."
    ),
    "rejected": _("E-bike licence application %(ref)s was rejected: %(reason)s"),
    "active": _(
        "Fee received. E-bike licence %(licence)s, number plate %(plate)s, is valid until "
        "%(valid_until)s. Download the plate sticker from the portal."
    ),
    "renewal_billed": _(
        "E-bike %(plate)s: renewal for FY %(fy)s billed, %(amount)s (bill %(bill)s) by %(due)s."
    ),
    "suspended": _("E-bike %(plate)s: the licence is suspended: %(reason)s"),
    "reinstated": _("E-bike %(plate)s: the licence is active again."),
    "seized": _(
        "E-bike %(plate)s is seized: %(reason)s. Pay the fine %(amount)s (bill %(bill)s) to "
        "release it."
    ),
    "released": _("Fine received. E-bike %(plate)s is released; the licence is active again."),
    "reminder": _(
        "E-bike %(plate)s: the licence must be renewed by %(deadline)s. Renew and pay on the "
        "portal or at a counter."
    ),
    "reminder_late": _(
        "E-bike %(plate)s: the licence was not renewed by %(deadline)s and has expired. Renew "
        "now; a late fee is added each month."
    ),
}


def _language(user) -> str:
    return "en" if (getattr(user, "preferred_language", "") or "bn")[:2] == "en" else "bn"


def _send(mobile: str, lang: str, key: str, params: dict) -> None:
    from accounts.sms import send_sms

    with translation.override(lang):
        values = {k: (v(lang) if callable(v) else v) for k, v in params.items()}
        try:
            send_sms(mobile, str(MESSAGES[key]) % values, kind=SMS_KIND)
        except Exception:  # a message never undoes the step
            log.exception("e-bike SMS not sent")


def _plate(value: str, lang: str) -> str:
    from .numbers import plate_display

    return plate_display(value, lang) if value else "—"


def notify_owner(*, mobile: str, user, key: str, **values) -> None:
    """Queue the message `key` to `mobile` after the commit, in `user`'s language. Amounts
    ("amount"), dates, fiscal years ("fy"), plates ("plate") and other numbers are written in
    that language when the message is sent."""
    if not mobile or key not in MESSAGES:
        return
    params: dict = {"reason": ""}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            params[name] = partial(lambda d, lang: localize_date(d, lang), value)
        elif name == "amount":
            params[name] = partial(lambda a, lang: format_amount(a, lang=lang), value)
        elif name == "fy":
            params[name] = partial(lambda f, lang: fiscal_year_label(f, lang), value)
        elif name == "plate":
            params[name] = partial(_plate, value or "")
        elif name in ("reason", "bill", "licence"):
            params[name] = value
        else:
            params[name] = partial(lambda v, lang: localize_digits(str(v), lang), value)
    transaction.on_commit(partial(_send, mobile, _language(user), key, params), robust=True)
