"""The ijara work order as a PDF (WeasyPrint through core.pdf, like the allotment letter):
bilingual — the site, the Bengali year's term (1 Boishakh to the last day of Chaitra, with
the Gregorian dates), the lessee, the tender, the lease amount, VAT and income tax, the
security held and the balance paid."""

from __future__ import annotations

from typing import Any

from core.digits import to_bengali_digits
from core.models import CityProfile
from core.pdf import both_choice, gregorian, logo_src, money, render_pdf

from . import rent
from .ijara_models import Bid
from .selectors import rules_in_force

TEMPLATE = "market_leases/pdf/work_order.html"


def work_order_context(bid: Bid) -> dict[str, Any]:
    city = CityProfile.current()
    tender = bid.tender
    site = tender.site
    starts, ends = rent.ijara_term(tender.year)
    amount = bid.amount or rent.ZERO
    lease, vat, tax = rent.lease_taxes(amount, rules_in_force(starts))
    bidder = bid.bidder
    return {
        "city": city,
        "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
        "city_address": {"bn": city.address_bn, "en": city.address_en},
        "logo_src": logo_src(city),
        "number": f"IJARA-{tender.year}-{tender.pk}",
        "site": {"bn": site.name_bn or site.name_en, "en": site.name_en or site.name_bn},
        "kind": both_choice(site, "kind"),
        "ward": {"bn": to_bengali_digits(site.ward.number), "en": site.ward.number},
        "year": {"bn": to_bengali_digits(tender.year), "en": tender.year},
        "starts": gregorian(starts),
        "ends": gregorian(ends),
        "lessee": {"bn": bidder.display_name, "en": bidder.display_name},
        "mobile": {"bn": to_bengali_digits(bidder.mobile or ""), "en": bidder.mobile or ""},
        "reference": tender.reference,
        "lease": money(lease.amount),
        "vat": money(vat.amount),
        "tax": money(tax.amount),
        "total": money(lease.amount + vat.amount + tax.amount),
        "reserve": money(tender.reserve_price),
    }


def work_order_pdf(bid: Bid) -> bytes:
    return render_pdf(TEMPLATE, work_order_context(bid))


def work_order_filename(bid: Bid) -> str:
    return f"ijara-work-order-{bid.tender.year}-{bid.tender_id}.pdf"
