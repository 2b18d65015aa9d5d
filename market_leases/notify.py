"""SMS to lessees, in the account's language (Bengali without one), sent after the commit
through the portal's SMS helper (accounts.sms.send_sms): a message at each step of an
allotment, and each month's rent once (claimed by setting `sms_sent_at` in a conditional
UPDATE, as water bills do, so a retry or a second sender sends nothing)."""

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

log = logging.getLogger(__name__)

SMS_KIND = "shop_rent"
CASE_SMS_KIND = "shop_allotment"
CHUNK = 500

RENT_MESSAGE = _(
    "Shop rent %(month)s, shop %(number)s, %(market)s: %(amount)s, due %(due)s. Pay: %(link)s"
)
RENT_WITH_ARREARS = _(
    "Shop rent %(month)s, shop %(number)s, %(market)s: %(amount)s (with earlier months "
    "unpaid: %(owed)s), due %(due)s. Pay: %(link)s"
)

MESSAGES = {
    "allotted": _(
        "Shop %(number)s, %(market)s is allotted to you. Pay the salami and security deposit "
        "%(amount)s (bill %(bill)s) by %(due)s online or at a counter."
    ),
    "active": _("Salami and deposit received: shop %(number)s, %(market)s is yours from today."),
    "transfer_billed": _(
        "Shop %(number)s, %(market)s is to be transferred to your name. Pay the transfer fee "
        "%(amount)s (bill %(bill)s) by %(due)s online or at a counter."
    ),
    "arrears_notice": _(
        "Shop %(number)s, %(market)s: %(months)s months' rent unpaid (%(amount)s with "
        "surcharge). The allotment may be cancelled; hearing on %(hearing)s. Pay: %(link)s"
    ),
}


def language(user) -> str:
    return "en" if (getattr(user, "preferred_language", "") or "bn")[:2] == "en" else "bn"


def pay_link() -> str:
    return settings.SITE_URL + reverse("market_leases:mine")


def _deliver(mobile: str, message: str, kind: str) -> None:
    from accounts.sms import send_sms

    try:
        send_sms(mobile, message, kind=kind)
    except Exception:  # a message never undoes the step, nor stops the others
        log.exception("market SMS not sent")


def _case_text(key: str, lang: str, shop, values: dict) -> str:
    with translation.override(lang):
        params = {
            "number": localize_digits(shop.number, lang),
            "market": (shop.market.name_en or shop.market.name_bn)
            if lang == "en"
            else (shop.market.name_bn or shop.market.name_en),
        }
        for name, value in values.items():
            if isinstance(value, datetime.date):
                params[name] = localize_date(value, lang)
            elif name == "amount":
                params[name] = format_amount(value, lang=lang)
            elif name in ("bill", "link"):  # a code typed at a counter, an address: as is
                params[name] = str(value)
            else:
                params[name] = localize_digits(str(value), lang)
        return str(MESSAGES[key]) % params


def notify(allotment, key: str, **values) -> None:
    """Queue the message `key` to the allotment's lessee after the commit."""
    notify_lessee(allotment.lessee, allotment.shop, key, **values)


def notify_lessee(lessee, shop, key: str, **values) -> None:
    """Queue the message `key` about `shop` to `lessee` after the commit."""
    if not lessee.mobile or key not in MESSAGES:
        return
    values.setdefault("link", pay_link())
    message = _case_text(key, language(lessee.user), shop, values)
    transaction.on_commit(partial(_deliver, lessee.mobile, message, CASE_SMS_KIND))


def rent_text(month, lang: str) -> str:
    allotment = month.allotment
    shop = allotment.shop
    with translation.override(lang):
        values = {
            "month": localize_digits(f"{month.period:%m/%Y}", lang),
            "number": localize_digits(shop.number, lang),
            "market": (shop.market.name_en or shop.market.name_bn)
            if lang == "en"
            else (shop.market.name_bn or shop.market.name_en),
            "amount": format_amount(month.rent, lang=lang),
            "owed": format_amount(month.rent + month.arrears, lang=lang),
            "due": localize_date(month.due_date, lang),
            "link": pay_link(),
        }
        return str(RENT_WITH_ARREARS if month.arrears > 0 else RENT_MESSAGE) % values


def send_rent_sms(period: datetime.date, *, chunk: int = CHUNK) -> int:
    """Send the SMS of every month of rent of `period` not sent yet, `chunk` per
    transaction; returns how many were claimed."""
    from .models import RentMonth

    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                RentMonth.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("allotment__lessee__user", "allotment__shop__market")
                .filter(period=period, sms_sent_at__isnull=True, rent__gt=0)
                .exclude(allotment__lessee__mobile="")
                .order_by("pk")[:chunk]
            )
            if not batch:
                return sent
            RentMonth.objects.filter(pk__in=[m.pk for m in batch], sms_sent_at__isnull=True).update(
                sms_sent_at=timezone.now()
            )
            for month in batch:
                lessee = month.allotment.lessee
                message = rent_text(month, language(lessee.user))
                transaction.on_commit(partial(_deliver, lessee.mobile, message, SMS_KIND))
            sent += len(batch)
