"""The printed papers of a licensed e-bike (WeasyPrint through core.pdf), bilingual whatever
the reader's language, Bengali digits in the Bengali text:

- the plate sticker: the number plate in both forms, the fiscal year, valid until, the
  blue book number and a QR code to /verify/<code>/ (ezbike.verify: the status only);
- the licence ("blue book"): the owner, the e-bike, its drivers, the licence's year, kind,
  status and validity, with the same QR code.

Printable: the e-bike's latest issued licence (active, suspended, seized or expired)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation

from core.digits import to_bengali_digits
from core.models import CityProfile
from core.pdf import both, fy_label, gregorian, logo_src, qr_png_data_uri, render_pdf

from .models import Licence, Vehicle, VehicleType
from .numbers import plate_bengali

TYPE_WORDS: dict[str, tuple[str, str]] = {
    VehicleType.PASSENGER: ("যাত্রীবাহী", "Passenger"),
    VehicleType.GOODS: ("মালবাহী", "Goods"),
}


def printable_licence(vehicle: Vehicle) -> Licence | None:
    """The e-bike's latest issued licence, if it has numbers and a verify code."""
    if not (vehicle.plate_no and vehicle.verify_code):
        return None
    return (
        vehicle.licences.filter(status__in=Licence.ISSUED).order_by("-fiscal_year", "-pk").first()
    )


def verify_url(vehicle: Vehicle) -> str:
    return f"{settings.SITE_URL}/verify/{vehicle.verify_code}/"


def _pair(value: object) -> dict[str, str]:
    text = str(value or "")
    return {"bn": to_bengali_digits(text), "en": text}


def context(licence: Licence) -> dict[str, Any]:
    licence = Licence.objects.select_related("vehicle__owner__nid_ward", "vehicle__ward").get(
        pk=licence.pk
    )
    vehicle = licence.vehicle
    owner = vehicle.owner
    city = CityProfile.current()
    url = verify_url(vehicle)
    kind = TYPE_WORDS.get(vehicle.vehicle_type, (vehicle.vehicle_type, vehicle.vehicle_type))
    drivers = [
        {
            "name": {
                "bn": a.driver.name_bn or a.driver.name_en,
                "en": a.driver.name_en or a.driver.name_bn,
            },
            "licence": _pair(a.driver.driving_licence_no),
        }
        for a in vehicle.assignments.filter(ended_on__isnull=True).select_related("driver")
    ]
    with translation.override("en"):
        return {
            "city": city,
            "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
            "city_address": {"bn": city.address_bn, "en": city.address_en},
            "logo_src": logo_src(city),
            "number": f"{vehicle.licence_no} · {licence.fiscal_year}",
            "plate": {"bn": plate_bengali(vehicle.plate_no or ""), "en": vehicle.plate_no or ""},
            "licence_no": _pair(vehicle.licence_no),
            "fy": fy_label(licence.fiscal_year),
            "kind": both(Licence.Kind(licence.kind).label),
            "status": both(Licence.Status(licence.status).label),
            "active": licence.status == Licence.Status.ACTIVE,
            "valid_until": gregorian(licence.valid_until) if licence.valid_until else None,
            "vehicle_type": {"bn": kind[0], "en": kind[1]},
            "ward": _pair(vehicle.ward.number),
            "chassis": _pair(vehicle.chassis_no),
            "motor": _pair(vehicle.motor_no),
            "batteries": _pair(vehicle.battery_count),
            "maker": vehicle.maker,
            "owner": {
                "name": {
                    "bn": owner.name_bn or owner.name_en,
                    "en": owner.name_en or owner.name_bn,
                },
                "nid": _pair(owner.nid),
                "address": owner.nid_address,
                "ward": _pair(owner.nid_ward.number),
            },
            "drivers": drivers,
            "printed": gregorian(timezone.localdate()),
            "qr_src": qr_png_data_uri(url),
            "verify_url": url,
        }


def sticker_pdf(licence: Licence) -> bytes:
    return render_pdf("ezbike/pdf/sticker.html", context(licence))


def bluebook_pdf(licence: Licence) -> bytes:
    return render_pdf("ezbike/pdf/bluebook.html", context(licence))


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
