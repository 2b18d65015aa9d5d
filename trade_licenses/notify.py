"""Text messages to the trader at each step of an application, sent after the commit in the
trader's language (Bengali when the trader has no account)."""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.digits import localize_date, localize_digits
from core.fiscal import fiscal_year_label
from core.money import format_amount

SMS_KIND = "trade_licence"

MESSAGES = {
    "submitted": _(
        "Trade licence application %(ref)s for %(business)s (FY %(fy)s) has been "
        "received. We will send a message at each step."
    ),
    "inspection": _(
        "Trade licence application %(ref)s for %(business)s: a licence inspector "
        "will visit the premises."
    ),
    "approval": _(
        "Trade licence application %(ref)s for %(business)s is waiting for the "
        "licence officer's approval."
    ),
    "billed": _(
        "Trade licence application %(ref)s for %(business)s is approved. Pay "
        "%(amount)s (bill %(bill)s) by %(due)s online or at a counter."
    ),
    "issued": _(
        "Fee received. Trade licence %(number)s for %(business)s is issued, valid "
        "until %(valid_until)s."
    ),
    "returned": _(
        "Trade licence application %(ref)s for %(business)s was returned for correction: %(reason)s"
    ),
    "rejected": _("Trade licence application %(ref)s for %(business)s was rejected: %(reason)s"),
    "bill_cancelled": _(
        "The fee bill of trade licence application %(ref)s was cancelled; a new bill will follow."
    ),
}


def _send(mobile: str, lang: str, key: str, params: dict) -> None:
    from accounts.sms import send_sms

    with translation.override(lang):
        values = {k: (v(lang) if callable(v) else v) for k, v in params.items()}
        send_sms(mobile, str(MESSAGES[key]) % values, kind=SMS_KIND)


def trader_language(application) -> str:
    trader = application.business.trader
    return (getattr(trader, "preferred_language", "") or "bn") if trader else "bn"


def notify_trader(application, key: str, **extra) -> None:
    """Queue the message for `key` to the application's trader mobile, after the commit.
    Amounts and dates are formatted in the trader's language when the message is sent."""
    mobile = application.trader_mobile
    if not mobile or key not in MESSAGES:
        return
    lang = trader_language(application)
    is_bn = lang.startswith("bn")
    business = (
        (application.business.name_bn if is_bn else application.business.name_en)
        or application.business.name_bn
        or application.business.name_en
    )
    params = {
        "ref": partial(_ref, application.pk),
        "business": business,
        "fy": partial(_fy, application.fiscal_year),
        "reason": "",
        **extra,
    }
    if "amount" in params:
        params["amount"] = partial(_amount, params["amount"])
    for key_, value in list(params.items()):
        if isinstance(value, datetime.date):
            params[key_] = partial(_date, value)
    transaction.on_commit(partial(_send, mobile, lang, key, params), robust=True)


def _ref(pk: int, lang: str) -> str:
    """The application's number as its pages show it: "TL-৩২" / "TL-32"."""
    return f"TL-{localize_digits(pk, lang)}"


def _fy(label: str, lang: str) -> str:
    return fiscal_year_label(label, lang)


def _amount(value, lang: str) -> str:
    return format_amount(value, lang=lang)


def _date(value: datetime.date, lang: str) -> str:
    return localize_date(value, lang)
