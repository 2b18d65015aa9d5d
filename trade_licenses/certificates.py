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

from core import citizen_cache
from core.digits import to_bengali_digits
from core.documents import StoredDocument
from core.fiscal import next_fiscal_year
from core.models import LEGAL_BASIS_BN, LEGAL_BASIS_EN, CityProfile, Ward
from core.pdf import (
    Bilingual,
    both_calendars,
    fy_label,
    gregorian,
    logo_src,
    money,
    qr_data_uri,
    render_pdf,
    seal_src,
    signatory,
)

from .fees import ARREARS_PREFIX, HEAD_LABELS
from .models import Application, ApplicationEvent, Business, BusinessCategory, Licence
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


#: More fee lines than this (a renewal after skipped years) print each arrears year on one
#: row, its heads named together, so the certificate stays on one page.
MAX_FEE_ROWS = 9


def _fee_rows(licence: Licence) -> tuple[list[dict[str, Any]], Decimal]:
    bill = licence.bill
    if bill is None:
        return [], Decimal("0.00")
    lines = list(bill.lines.order_by("position", "pk"))
    total = sum((line.amount for line in lines), Decimal("0.00"))
    rows: list[dict[str, Any]] = []
    years: dict[str, dict[str, Any]] = {}
    collapse = len(lines) > MAX_FEE_ROWS
    for line in lines:
        bn, en = HEAD_LABELS.get(line.head, (line.get_head_display(), line.get_head_display()))
        if collapse and line.arrears and line.period:
            year = years.get(line.period)
            if year is None:
                year = years[line.period] = {"heads": ([], []), "amount": Decimal("0.00")}
                rows.append({"year": line.period, "group": year})
            year["heads"][0].append(bn)
            year["heads"][1].append(en)
            year["amount"] += line.amount
            continue
        rows.append(
            {
                "head": {"bn": line.description_bn or bn, "en": line.description_en or en},
                "amount": money(line.amount),
            }
        )
    for row in rows:
        group = row.pop("group", None)
        if group is not None:
            fy = fy_label(row.pop("year"))
            row["head"] = {
                "bn": f"{ARREARS_PREFIX[0]} {fy['bn']}: " + ", ".join(group["heads"][0]),
                "en": f"{ARREARS_PREFIX[1]} {fy['en']}: " + ", ".join(group["heads"][1]),
            }
            row["amount"] = money(group["amount"])
    return rows, total


#: Printed under the approving officer's name when no designation was uploaded for them.
LICENCE_OFFICER = {"bn": "লাইসেন্স কর্মকর্তা", "en": "Licence officer"}


def _holding(business) -> Bilingual | None:
    """ "১২/৩ (ওয়ার্ড ৫)" / "12/3 (ward 5)" when the premises' holding is known."""
    number = business.holding_number
    if not number:
        return None
    ward = business.holding_ward
    return {
        "bn": to_bengali_digits(number) + (f" (ওয়ার্ড {to_bengali_digits(ward)})" if ward else ""),
        "en": number + (f" (ward {ward})" if ward else ""),
    }


def _paid_up_capital(application: Application, fiscal_year: str) -> Bilingual | None:
    """The paid-up capital, for a category charged by it (or whenever one was given)."""
    capital = application.applied_paid_up_capital
    by_capital = BusinessCategory.objects.filter(
        code=application.applied_category_code, schedule__fiscal_year=fiscal_year, by_capital=True
    ).exists()
    if capital is None:
        return {"bn": "—", "en": "—"} if by_capital else None
    return money(capital)


def _zone_office(ward: Ward) -> Bilingual | None:
    """The zonal office of the premises' ward: its name and address, when the ward belongs
    to a zone."""
    zone = ward.zone
    if zone is None:
        return None
    name = _pair(zone.name_bn, zone.name_en)
    address = _pair(zone.office_address_bn, zone.office_address_en)
    return {
        lang: ", ".join(part for part in (name[lang], address[lang]) if part)
        for lang in ("bn", "en")
    }


def approved_by(application: Application):
    """The licence officer who approved the application (its last move to "billed"), or
    None for an old record without one."""
    event = (
        ApplicationEvent.objects.filter(
            application=application, to_status=Application.Status.BILLED, actor__isnull=False
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return event.actor if event else None


def _officer(application: Application) -> dict[str, Any] | None:
    officer = signatory(approved_by(application))
    if officer is not None and not officer["designation"]["en"]:
        officer["designation"] = dict(LICENCE_OFFICER)
    return officer


def _text(value: str) -> str:
    return (value or "").strip() or "—"


def certificate_context(licence: Licence) -> dict[str, Any]:
    """Everything the certificate shows, each text in Bengali and English."""
    licence = Licence.objects.select_related("business__ward__zone", "application", "bill").get(
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
        "seal_src": seal_src(city),
        "legal_basis": _pair(
            city.legal_basis_bn or LEGAL_BASIS_BN, city.legal_basis_en or LEGAL_BASIS_EN
        ),
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
        "trader_tin": {
            "bn": to_bengali_digits(application.trader_tin),
            "en": application.trader_tin,
        },
        "father_or_husband": _text(application.trader_father_or_husband_name),
        "mother": _text(application.trader_mother_name),
        "present_address": _text(application.trader_present_address),
        "permanent_address": _text(application.trader_permanent_address),
        "address": address,
        "holding": _holding(business),
        "paid_up_capital": _paid_up_capital(application, licence.fiscal_year),
        "zone_office": _zone_office(ward),
        "officer": _officer(application),
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


def _traders(licence: Licence):
    """The licence's row is its trader's concern only (core.citizen_cache): storing its
    PDF keeps everyone else's cached figures."""
    trader = Business.objects.filter(pk=licence.business_id).values_list("trader_id", flat=True)
    return citizen_cache.scoped_to(trader)


def certificate_store_pdf(licence: Licence) -> str:
    """Render the certificate and store it on ``licence.pdf``; the stored name.
    Idempotent: rendering again replaces the file (same name)."""
    with _traders(licence):
        return CERTIFICATE_PDF.store(licence)


def certificate_pdf_bytes(licence: Licence) -> bytes:
    """The stored PDF, or (worker still busy, file lost) a fresh rendering, stored now."""
    with _traders(licence):
        return CERTIFICATE_PDF.read(licence)
