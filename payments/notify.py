"""The receipt by SMS: after a payment succeeds (online or at the counter), its receipt
number, amount and verify link go to the payer's mobile — the number given on quick pay
and the signed-in payer's own — once the settlement is committed.

Payments never imports accounts: the text is handed to core's `sms_requested` signal,
which accounts sends through its SMS backend. A payment settles once (its row is locked,
payments.services.ledger.settle_locked), so a repeated IPN never sends a second message.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.money import format_amount
from core.signals import sms_requested

from .models import Payment

SMS_KIND = "receipt"


def recipients(payment: Payment) -> list[tuple[str, str]]:
    """(mobile, language) for each number the receipt goes to, without repeats: the
    payment's mobile (the quick-pay number, or the payer's) and the payer's account mobile.
    The account's own language for its number; Bengali otherwise."""
    payer = payment.payer
    payer_mobile = str(getattr(payer, "mobile", "") or "") if payer is not None else ""
    payer_lang = str(getattr(payer, "preferred_language", "") or "bn")
    seen: dict[str, str] = {}
    for mobile in (payment.payer_mobile, payer_mobile):
        if mobile and mobile not in seen:
            seen[mobile] = payer_lang if payer is not None and mobile == payer_mobile else "bn"
    return list(seen.items())


def receipt_text(payment: Payment, lang: str) -> str:
    """The message in `lang` (Bengali digits in the Bengali amount; the receipt number and
    the link stay as printed on the receipt)."""
    receipt = payment.receipt
    url = settings.SITE_URL + reverse("verify", args=[receipt.verify_code])
    with translation.override(lang):
        return _("Payment received: %(amount)s. Receipt %(number)s. Check it at %(url)s") % {
            "amount": format_amount(payment.amount, lang=lang),
            "number": receipt.number,
            "url": url,
        }


def send_receipt_sms(payment_id: int) -> int:
    """Text the receipt of a succeeded payment to its recipients; returns how many."""
    payment = Payment.objects.select_related("payer", "receipt").filter(pk=payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        return 0
    if getattr(payment, "receipt", None) is None:
        return 0
    sent = 0
    for mobile, lang in recipients(payment):
        sms_requested.send(
            sender=Payment, to=mobile, text=receipt_text(payment, lang), kind=SMS_KIND
        )
        sent += 1
    return sent


def queue_receipt_sms(payment: Payment) -> None:
    """Send the receipt SMS once the caller's transaction commits (nothing on rollback)."""
    transaction.on_commit(partial(send_receipt_sms, payment.pk), robust=True)
