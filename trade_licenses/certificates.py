"""The trade-licence certificate: a bilingual A4 PDF (WeasyPrint) in the manner of
payments/receipts.py and holdings/documents.py (shared helpers: core/pdf.py), with a
QR code to /verify/<code>/.

It prints Bengali and English side by side whatever the reader's language, so its context
carries both versions of every value (``{"bn": ..., "en": ...}``). Rendered by a Celery task
after the licence is issued (trade_licenses/tasks.py) and stored on ``Licence.pdf``;
``certificate_pdf_bytes`` renders on demand when the worker has not done it yet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.digits import to_bengali_digits
from core.documents import StoredDocument
from core.fiscal import next_fiscal_year
from core.models import CityProfile
from core.pdf import (
    Bilingual,
    both_calendars,
    fy_label,
    gregorian,
    logo_src,
    money,
    qr_data_uri,
    render_pdf,
)

from .fees import HEAD_LABELS
from .models import Licence
from .reports import renewal_deadline
from .selectors import category_names

TEMPLATE = "trade_licenses/certificate_pdf.html"
#: Staff who may open any licence certificate (the trader sees their own).
STAFF_PERMISSIONS = (
    "accounts.inspect_trade_licences",
    "accounts.approve_trade_licences",
    "accounts.use_counter",
    "accounts.view_revenue_reports",
)

KIND_LABELS = {
    "new": ("নতুন", "New"),
    "renewal": ("নবায়ন", "Renewal"),
    "transfer": ("হস্তান্তর", "Transfer"),
}


def certificate_visible_to(user, licence: Licence) -> bool:
    """The trader who owns the business, and licence, counter and revenue staff."""
    if not user.is_authenticated:
        return False
    if any(user.has_perm(p) for p in STAFF_PERMISSIONS):
        return True
    return licence.business.trader_id is not None and licence.business.trader_id == user.pk


def verify_url(licence: Licence) -> str:
    return f"{settings.SITE_URL}/verify/{licence.verify_code}/"


def _pair(bn: str, en: str) -> Bilingual:
    return {"bn": bn or en, "en": en or bn}


def _fee_rows(licence: Licence) -> tuple[list[dict[str, Any]], Decimal]:
    bill = licence.bill
    if bill is None:
        return [], Decimal("0.00")
    rows, total = [], Decimal("0.00")
    for line in bill.lines.order_by("position", "pk"):
        bn, en = HEAD_LABELS.get(line.head, (line.get_head_display(), line.get_head_display()))
        rows.append(
            {
                "head": {"bn": line.description_bn or bn, "en": line.description_en or en},
                "amount": money(line.amount),
            }
        )
        total += line.amount
    return rows, total


def certificate_context(licence: Licence) -> dict[str, Any]:
    """Everything the certificate shows, each text in Bengali and English."""
    licence = Licence.objects.select_related("business__ward", "application", "bill").get(
        pk=licence.pk
    )
    business, application = licence.business, licence.application
    city = CityProfile.current()
    issued_on = timezone.localtime(licence.issued_at).date()
    url = verify_url(licence)
    fees, total = _fee_rows(licence)
    ward = business.ward
    address = application.applied_premises_address
    kind = KIND_LABELS.get(application.kind, (application.kind, application.kind))
    return {
        "city": city,
        "city_name": _pair(city.name_bn, city.name_en),
        "city_address": {"bn": city.address_bn, "en": city.address_en},
        "logo_src": logo_src(city),
        "licence": licence,
        "number": licence.number,
        "kind": {"bn": kind[0], "en": kind[1]},
        "fiscal_year": fy_label(licence.fiscal_year),
        "issued_on": both_calendars(issued_on),
        "valid_until": both_calendars(licence.valid_until),
        "renew_for": fy_label(next_fiscal_year(licence.fiscal_year)),
        "renew_by": gregorian(renewal_deadline(next_fiscal_year(licence.fiscal_year))),
        "business_name": _pair(business.name_bn, business.name_en),
        "category": category_names(application.applied_category_code, licence.fiscal_year),
        "owner": _pair(application.trader_name_bn, application.trader_name_en),
        "trader_nid": {
            "bn": to_bengali_digits(application.trader_nid),
            "en": application.trader_nid,
        },
        "address": address,
        "ward": {
            "bn": ward.name_bn or f"ওয়ার্ড {to_bengali_digits(ward.number)}",
            "en": ward.name_en or f"Ward {ward.number}",
        },
        "fees": fees,
        "fees_total": money(total),
        "bill_number": licence.bill.number if licence.bill else "",
        "verify_url": url,
        "verify_code": licence.verify_code,
        "qr_data_uri": qr_data_uri(url),
    }


def render_certificate(licence: Licence) -> bytes:
    """The licence certificate as a PDF (A4 portrait, Bengali and English)."""
    return render_pdf(TEMPLATE, certificate_context(licence))


def certificate_filename(licence: Licence) -> str:
    """ "trade-licence-KCC-TL-2025-26-000001.pdf"."""
    return f"trade-licence-{licence.number.replace('/', '-')}.pdf"


def _stored_name(licence: Licence) -> str:
    return f"trade_licenses/certificates/{licence.fiscal_year}/{certificate_filename(licence)}"


CERTIFICATE_PDF: StoredDocument[Licence] = StoredDocument(
    field="pdf", render=render_certificate, stored_name=_stored_name
)


def certificate_store_pdf(licence: Licence) -> str:
    """Render the certificate and store it on ``licence.pdf``; the stored name.
    Idempotent: rendering again replaces the file (same name)."""
    return CERTIFICATE_PDF.store(licence)


def certificate_pdf_bytes(licence: Licence) -> bytes:
    """The stored PDF, or (worker still busy, file lost) a fresh rendering, stored now."""
    return CERTIFICATE_PDF.read(licence)
