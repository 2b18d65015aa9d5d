"""Money receipts: the bilingual printable PDF (with a QR code to /verify/<code>/), stored on
the Receipt by a Celery task and served from there.

The PDF always prints Bengali and English side by side, whatever the reader's language, so
its context carries both versions of every value (``{"bn": ..., "en": ...}``) rather than
relying on the active language. The helpers for that and the rendering are shared with the
other printed documents in core/pdf.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.digits import to_bengali_digits
from core.documents import StoredDocument
from core.models import CityProfile
from core.money import amount_in_words_bn, amount_in_words_en
from core.pdf import (
    Bilingual,
    bengali_calendar,
    both,
    both_choice,
    fy_label,
    gregorian,
    logo_src,
    money,
    qr_png_data_uri,
    render_pdf,
)
from core.validators import format_mobile

from . import people
from .models import BillLine, Payment, Receipt, RevenueHead
from .registry import service_label
from .selectors import is_payments_staff, payment_outcomes, receipt_cancelled_at

TEMPLATE = "payments/receipt_pdf.html"
#: The revenue head of VAT lines.
VAT_HEAD = RevenueHead.VAT


# --- small helpers --------------------------------------------------------------------------


def _mobile(value: str) -> Bilingual:
    if not value:
        return {"bn": "", "en": ""}
    try:
        return {"bn": format_mobile(value, "bn"), "en": format_mobile(value, "en")}
    except ValidationError:
        return {"bn": to_bengali_digits(value), "en": value}


def _person(user: Any) -> Bilingual | None:
    """A staff member's name in both languages (either one stands in for the other)."""
    if user is None:
        return None
    bn = user.name_bn or user.name_en or user.mobile or f"#{user.pk}"
    en = user.name_en or user.name_bn or user.mobile or f"#{user.pk}"
    return {"bn": bn, "en": en}


def pdf_filename(receipt: Receipt) -> str:
    """ "receipt-KCC-R-2025-26-000001.pdf" (receipt numbers contain slashes)."""
    return f"receipt-{receipt.number.replace('/', '-')}.pdf"


def _is_cancelled(payment: Payment) -> bool:
    """A receipt stands only while its payment has succeeded (voided/refunded cancel it)."""
    return payment.status != Payment.Status.SUCCEEDED


def _stored_name(receipt: Receipt) -> str:
    """Where the receipt's PDF lives: the upload_to folder of its issue month; a cancelled
    receipt's file has its own name, so a copy printed before the void is never served."""
    issued = timezone.localtime(receipt.issued_at) if receipt.issued_at else timezone.localtime()
    name = pdf_filename(receipt)
    if _is_cancelled(receipt.payment):
        name = name.removesuffix(".pdf") + "-void.pdf"
    return f"receipts/{issued:%Y/%m}/{name}"


def verify_url(receipt: Receipt) -> str:
    return f"{settings.SITE_URL}/verify/{receipt.verify_code}/"


def receipt_visible_to(user: Any, receipt: Receipt) -> bool:
    """The payer, the account a paid bill belongs to, counter clerks and revenue staff."""
    if not user.is_authenticated:
        return False
    if is_payments_staff(user):
        return True
    payment = receipt.payment
    if payment.payer_id == user.pk:
        return True
    return payment.items.filter(bill__payer=user).exists()


# --- context ----------------------------------------------------------------------------------


def _bills(payment: Payment) -> list[dict[str, Any]]:
    lines_by_bill: dict[int, list[BillLine]] = {}
    for line in BillLine.objects.filter(bill__payment_items__payment=payment).order_by(
        "position", "pk"
    ):
        lines_by_bill.setdefault(line.bill_id, []).append(line)
    bills = []
    for outcome in payment_outcomes(payment):
        bill = outcome.bill
        lines = []
        if outcome.applied:
            for line in lines_by_bill.get(bill.pk, []):
                head = both_choice(line, "head")
                lines.append(
                    {
                        "head": line.head,
                        "description": {
                            "bn": line.description_bn or head["bn"],
                            "en": line.description_en or head["en"],
                        },
                        "amount": money(line.amount),
                        "value": line.amount,
                    }
                )
        subject = {
            "bn": bill.subject_label_bn or bill.subject_label_en,
            "en": bill.subject_label_en or bill.subject_label_bn,
        }
        bills.append(
            {
                "bill": bill,
                "number": bill.number,
                "service": both(service_label(bill.service)),
                "subject": subject,
                "fiscal_year": fy_label(bill.fiscal_year),
                "period": {
                    "bn": bill.period_label_bn or bill.period_label,
                    "en": bill.period_label,
                },
                "lines": lines,
                # Money for a bill already paid or changed is credited to the payer, not
                # applied: the receipt says so, and why.
                "credited": not outcome.applied,
                "why": both(outcome.why_not_applied) if not outcome.applied else None,
                "amount": money(outcome.amount),
                "value": outcome.amount,
            }
        )
    return bills


def _cancelled_on(payment: Payment) -> Bilingual | None:
    at = receipt_cancelled_at(payment)
    return gregorian(timezone.localtime(at).date()) if at else None


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    """Everything the printable receipt shows, each text in Bengali and English."""
    payment = Payment.objects.select_related("received_by", "payer").get(pk=receipt.payment_id)
    city = CityProfile.current()
    issued_at = timezone.localtime(receipt.issued_at)
    issued_on = issued_at.date()
    url = verify_url(receipt)
    online = payment.channel == Payment.Channel.ONLINE
    bills = _bills(payment)
    includes_vat = any(line["head"] == VAT_HEAD for b in bills for line in b["lines"])
    return {
        "city": city,
        "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
        "city_address": {"bn": city.address_bn, "en": city.address_en},
        "logo_src": logo_src(city),
        "receipt": receipt,
        "payment": payment,
        "number": receipt.number,
        "receipt_fiscal_year": fy_label(receipt.fiscal_year),
        "issued_at": issued_at,
        "issued_on": gregorian(issued_on),
        "issued_time": {"bn": to_bengali_digits(f"{issued_at:%H:%M}"), "en": f"{issued_at:%H:%M}"},
        "bengali_date": bengali_calendar(issued_on),
        "payer_name": payment.payer_name,
        "payer_mobile": _mobile(payment.payer_mobile),
        "tran_id": payment.tran_id,
        "channel": both_choice(payment, "channel"),
        "online": online,
        "card_type": payment.card_type if online else "",
        "bank_tran_id": payment.bank_tran_id if online else "",
        "collected_by": _person(payment.received_by),
        "bills": bills,
        # A receipt that includes VAT names the corporation's VAT registration (BIN).
        "vat_bin": (
            {"bn": to_bengali_digits(city.vat_bin), "en": city.vat_bin}
            if includes_vat and city.vat_bin
            else None
        ),
        "amount_value": receipt.amount,
        "amount": money(receipt.amount),
        "amount_words": {
            "bn": amount_in_words_bn(receipt.amount),
            "en": amount_in_words_en(receipt.amount),
        },
        "verify_url": url,
        "verify_code": receipt.verify_code,
        "qr_data_uri": qr_png_data_uri(url),
        "cancelled": _is_cancelled(payment),
        "status": both_choice(payment, "status"),
        "cancelled_on": _cancelled_on(payment),
    }


# --- PDF --------------------------------------------------------------------------------------


def render_receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a PDF (A5 portrait, Bengali with English under each label)."""
    return render_pdf(TEMPLATE, receipt_context(receipt))


def _is_current(receipt: Receipt, name: str) -> bool:
    """A stored copy stands only under the name the receipt has now (a copy printed before
    the payment was voided is printed again, with the VOID mark)."""
    return name == _stored_name(receipt)


RECEIPT_PDF: StoredDocument[Receipt] = StoredDocument(
    field="pdf", render=render_receipt_pdf, stored_name=_stored_name, is_current=_is_current
)


def receipt_store_pdf(receipt: Receipt) -> str:
    """Render the receipt and store it on ``receipt.pdf``; returns the stored name.

    Idempotent: rendering again replaces the file (same name). The receipt's row is the
    payment's people's concern only (core.citizen_cache)."""
    with people.scoped_to_payment(receipt.payment):
        return RECEIPT_PDF.store(receipt)


def receipt_pdf_bytes(receipt: Receipt) -> bytes:
    """The stored PDF, or (worker still busy, file lost, or the payment voided since it was
    printed) a fresh rendering, stored now so the next download is served from storage."""
    receipt.payment.refresh_from_db(fields=["status"])
    return RECEIPT_PDF.read(receipt)
