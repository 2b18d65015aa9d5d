"""The allotment letter as a PDF (WeasyPrint through core.pdf): bilingual, the shop, the
lessee, the decision, the agreement period, the salami, the deposit and the monthly rent,
whether they are paid, and a QR code to /verify/<code>/ (market_leases.verify)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from core.digits import to_bengali_digits
from core.models import CityProfile
from core.pdf import both_choice, gregorian, logo_src, money, qr_png_data_uri, render_pdf

from .models import Allotment, floor_label
from .selectors import NotInForce, rent_for_month

TEMPLATE = "market_leases/pdf/letter.html"


def verify_url(allotment: Allotment) -> str:
    return f"{settings.SITE_URL}/verify/{allotment.verify_code}/"


def letter_context(allotment: Allotment) -> dict[str, Any]:
    city = CityProfile.current()
    shop, market, lessee = allotment.shop, allotment.shop.market, allotment.lessee
    try:
        monthly = money(rent_for_month(shop, allotment.starts_on).amount)
    except NotInForce:
        monthly = {"bn": "—", "en": "—"}
    url = verify_url(allotment)
    with translation.override("bn"):
        floor_bn = floor_label(shop.floor)
    with translation.override("en"):
        floor_en = floor_label(shop.floor)
        return {
            "city": city,
            "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
            "city_address": {"bn": city.address_bn, "en": city.address_en},
            "logo_src": logo_src(city),
            "number": f"ALLOT-{allotment.pk}",
            "allotment": allotment,
            "shop_number": {"bn": to_bengali_digits(shop.number), "en": shop.number},
            "market": {
                "bn": market.name_bn or market.name_en,
                "en": market.name_en or market.name_bn,
            },
            "ward": {"bn": to_bengali_digits(market.ward.number), "en": market.ward.number},
            "floor": {"bn": floor_bn, "en": floor_en},
            "area": {"bn": to_bengali_digits(str(shop.area_sqft)), "en": str(shop.area_sqft)},
            "lessee": {
                "bn": lessee.name_bn or lessee.name_en,
                "en": lessee.name_en or lessee.name_bn,
            },
            "nid": {"bn": to_bengali_digits(lessee.nid), "en": lessee.nid},
            "basis": both_choice(allotment, "basis"),
            "reference": allotment.decision_reference,
            "decision_date": gregorian(allotment.decision_date),
            "starts_on": gregorian(allotment.starts_on),
            "ends_on": gregorian(allotment.ends_on),
            "licence": allotment.trade_licence_number,
            "salami": money(allotment.salami),
            "deposit": money(allotment.security_deposit),
            "total": money(allotment.salami + allotment.security_deposit),
            "rent": monthly,
            "status": both_choice(allotment, "status"),
            "paid": allotment.status != Allotment.Status.PENDING_PAYMENT,
            "qr_src": qr_png_data_uri(url),
            "verify_url": url,
        }


def letter_pdf(allotment: Allotment) -> bytes:
    return render_pdf(TEMPLATE, letter_context(allotment))


def letter_filename(allotment: Allotment) -> str:
    return f"allotment-letter-{allotment.pk}.pdf"
