"""A month's water bill as a PDF (WeasyPrint through core.pdf): bilingual, the lines with how
each was made, earlier months unpaid, the last 12 months' consumption as a small bar chart
(inline SVG) and a QR code to /verify/<code>/ (water_billing.verify)."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from core.digits import to_bengali_digits
from core.explain import explain
from core.models import CityProfile
from core.pdf import both_choice, gregorian, logo_src, money, qr_png_data_uri, render_pdf

from .models import Reading, WaterBill
from .services.billing import KIND_WORDS, month_bn, month_en

TEMPLATE = "water_billing/pdf/bill.html"

CATEGORY = {
    "residential": ("আবাসিক", "Residential"),
    "commercial": ("বাণিজ্যিক", "Commercial"),
    "industrial": ("শিল্প", "Industrial"),
    "institutional": ("প্রাতিষ্ঠানিক", "Institutional"),
    "exempt": ("অব্যাহতিপ্রাপ্ত", "Exempt"),
}


def verify_url(bill: WaterBill) -> str:
    return f"{settings.SITE_URL}/verify/{bill.verify_code}/"


def _months_back(period: datetime.date, n: int) -> list[datetime.date]:
    months = []
    y, m = period.year, period.month
    for _ in range(n):
        months.append(datetime.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(months))


def consumption_history(bill: WaterBill) -> list[dict[str, Any]]:
    """The last 12 months up to the bill's: cubic metres billed (a reading's consumption),
    and whether the month was estimated; None for a month without one."""
    months = _months_back(bill.period, 12)
    readings = {
        r.period: r
        for r in Reading.objects.filter(
            connection_id=bill.connection_id, period__gte=months[0], period__lte=bill.period
        )
    }
    rows = []
    for month in months:
        r = readings.get(month)
        units = r.consumption if r is not None and r.status != Reading.Status.HELD else None
        rows.append(
            {
                "month": month,
                "units": units,
                "estimated": bool(r and r.status == Reading.Status.ESTIMATED),
                "held": bool(r and r.status == Reading.Status.HELD),
            }
        )
    return rows


def chart_svg(rows: list[dict[str, Any]]) -> str:
    """A small bar chart of the months' cubic metres as an SVG data URI: one bar a month
    (estimated months hatched grey, the bill's month dark), the value over each bar and the
    month under it in Bengali and English digits."""
    width, height, left, top, bottom = 300, 120, 6, 16, 30
    slot = (width - 2 * left) / len(rows)
    top_value = max([r["units"] or 0 for r in rows] + [1])
    plot = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width * 0.3:.0f}mm" height="{height * 0.3:.0f}mm" '
        'font-family="Noto Sans, Noto Sans Bengali, sans-serif">',
        '<defs><pattern id="h" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#e3e7e5"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#8a9a93" stroke-width="1.5"/></pattern></defs>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
        'stroke="#4a4a4a" stroke-width="0.6"/>',
    ]
    for i, row in enumerate(rows):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        cx = left + i * slot + slot / 2
        units = row["units"]
        last = i == len(rows) - 1
        if units is not None:
            h = max(plot * units / top_value, 0.8)
            y = height - bottom - h
            fill = "url(#h)" if row["estimated"] else ("#004d38" if last else "#4f9d80")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{y - 2:.1f}" font-size="7" text-anchor="middle" '
                f'fill="#1a1a1a">{to_bengali_digits(units)}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom - 2:.1f}" font-size="7" '
                'text-anchor="middle" fill="#8a8a8a">–</text>'
            )
        month = row["month"]
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 9:.1f}" font-size="6.5" '
            f'text-anchor="middle" fill="#1a1a1a">{to_bengali_digits(f"{month:%m}")}</text>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 17:.1f}" font-size="5.5" '
            f'text-anchor="middle" fill="#6a6a6a">{month:%b}</text>'
        )
        if i == 0 or month.month == 1:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 25:.1f}" font-size="5.5" '
                f'text-anchor="middle" fill="#6a6a6a">{month.year}</text>'
            )
    parts.append("</svg>")
    svg = "".join(parts)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def bill_context(bill: WaterBill) -> dict[str, Any]:
    """Everything the printed bill shows, each text in Bengali and English."""
    bill = WaterBill.objects.select_related("connection__ward", "reading").get(pk=bill.pk)
    connection = bill.connection
    city = CityProfile.current()
    lines = []
    for line in bill.lines.all():
        bn, en = KIND_WORDS.get(line.kind, (line.head, line.head))
        if line.for_period:
            bn, en = f"{bn} — {month_bn(line.for_period)}", f"{en} — {month_en(line.for_period)}"
        lines.append(
            {
                "name": {"bn": bn, "en": en},
                "amount": money(line.amount),
                "rule": {"bn": explain(line.explanation_data, "bn"), "en": line.rule},
            }
        )
    earlier = list(
        WaterBill.objects.filter(
            connection=connection,
            period__lt=bill.period,
            status=WaterBill.Status.DUE,
            total__gt=0,
        ).order_by("period")
    )
    arrears = sum((m.total for m in earlier), Decimal("0.00"))
    history = consumption_history(bill)
    category = CATEGORY.get(bill.category, (bill.category, bill.category))
    reading = bill.reading
    url = verify_url(bill)
    with translation.override("en"):
        return {
            "city": city,
            "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
            "city_address": {"bn": city.address_bn, "en": city.address_en},
            "logo_src": logo_src(city),
            "bill": bill,
            "number": f"{connection.consumer_no} · {bill.period:%Y-%m}",
            "consumer_no": {
                "bn": to_bengali_digits(connection.consumer_no),
                "en": connection.consumer_no,
            },
            "month": {"bn": month_bn(bill.period), "en": month_en(bill.period)},
            "name": {
                "bn": connection.name_bn or connection.name_en,
                "en": connection.name_en or connection.name_bn,
            },
            "address": connection.address,
            "ward": {"bn": to_bengali_digits(connection.ward.number), "en": connection.ward.number},
            "holding": {
                "bn": to_bengali_digits(connection.holding_number),
                "en": connection.holding_number,
            },
            "category": {"bn": category[0], "en": category[1]},
            "pipe": {
                "bn": to_bengali_digits(f"{bill.pipe_diameter_mm}") + " মিমি",
                "en": f"{bill.pipe_diameter_mm} mm",
            },
            "metered": bill.metered,
            "estimated": bill.estimated,
            "reading": {
                "value": {
                    "bn": to_bengali_digits(reading.value) if reading and reading.value else "—",
                    "en": str(reading.value) if reading and reading.value else "—",
                },
                "read_on": gregorian(reading.read_on) if reading and reading.read_on else None,
            },
            "units": {
                "bn": to_bengali_digits(bill.units) if bill.units is not None else "—",
                "en": str(bill.units) if bill.units is not None else "—",
            },
            "bill_date": gregorian(bill.bill_date),
            "due_date": gregorian(bill.due_date),
            "lines": lines,
            "charges": money(bill.charges),
            "late_fee": money(bill.late_fee),
            "total": money(bill.total),
            "earlier": [
                {
                    "month": {"bn": month_bn(m.period), "en": month_en(m.period)},
                    "total": money(m.total),
                }
                for m in earlier
            ],
            "arrears": money(arrears),
            "has_arrears": arrears > 0,
            "payable": money(bill.total + arrears),
            "paid": bill.status == WaterBill.Status.PAID,
            "history": history,
            "chart_src": chart_svg(history),
            "qr_src": qr_png_data_uri(url),
            "verify_url": url,
            "status": both_choice(bill, "status"),
        }


def bill_pdf(bill: WaterBill) -> bytes:
    return render_pdf(TEMPLATE, bill_context(bill))


def pdf_filename(bill: WaterBill) -> str:
    return f"water-bill-{bill.connection.consumer_no}-{bill.period:%Y-%m}.pdf"
