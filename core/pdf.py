"""What every printed document shares (receipts here, holding-tax notices and certificates,
trade-licence certificates): rendering a template to PDF bytes with WeasyPrint, offline,
and the bilingual values their contexts carry.

The documents print Bengali and English side by side whatever the reader's language, so
each value is a ``{"bn": ..., "en": ...}`` pair (``Bilingual``) rather than text in the
active language. Payments and the service apps use this module; it knows none of them.
"""

from __future__ import annotations

import base64
import datetime
import io
import mimetypes
import threading
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.functional import Promise

from core.bengali import bengali_date
from core.digits import to_bengali_digits
from core.fiscal import fiscal_year_label
from core.images import image_data_uri
from core.models import CityProfile, OfficerSignature
from core.money import format_amount

Bilingual = dict[str, str]


# --- bilingual values -------------------------------------------------------------------------


def both(text: str | Promise) -> Bilingual:
    """A translatable text in Bengali and in English (Bengali falls back to the msgid)."""
    with translation.override("bn"):
        bn = str(text)
    with translation.override("en"):
        en = str(text)
    return {"bn": bn, "en": en}


def both_choice(instance: Any, field: str) -> Bilingual:
    """A model field's choice label in Bengali and in English. (`get_FOO_display()` gives
    the label already turned into the active language, so both lines would read alike.)"""
    value = getattr(instance, field)
    label = dict(instance._meta.get_field(field).flatchoices).get(value, value)
    return both(label)


def money(amount: Decimal) -> Bilingual:
    """ "৳১২,৫০,০০০.০০" and "৳12,50,000.00"."""
    return {"bn": format_amount(amount, lang="bn"), "en": format_amount(amount, lang="en")}


def gregorian(d: datetime.date) -> Bilingual:
    """ "১৭ ডিসেম্বর ২০২৫" and "17 December 2025"."""
    out = {}
    for lang in ("bn", "en"):
        with translation.override(lang):
            out[lang] = dateformat.format(d, "j F Y")
    out["bn"] = to_bengali_digits(out["bn"])
    return out


def fy_label(label: str) -> Bilingual:
    """A fiscal year label: "২০২৫-২৬" and "2025-26"."""
    return {"bn": fiscal_year_label(label, "bn"), "en": fiscal_year_label(label, "en")}


def bengali_calendar(d: datetime.date) -> Bilingual:
    """The date in the Bengali calendar, with the era: "… বঙ্গাব্দ" and "… BS"."""
    bdate = bengali_date(d)
    return {"bn": bdate.format_bn() + " বঙ্গাব্দ", "en": bdate.format_en() + " BS"}


def both_calendars(d: datetime.date) -> dict[str, Any]:
    """A date in both calendars: {"bn", "en"} Gregorian, "bs" {"bn", "en"} Bengali (with
    the era), "bs_short" without it."""
    bdate = bengali_date(d)
    return {
        **gregorian(d),
        "bs": bengali_calendar(d),
        "bs_short": {"bn": bdate.format_bn(), "en": bdate.format_en()},
    }


# --- images -----------------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of a QR code of `data` (error correction M), the quiet zone included."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def qr_data_uri(data: str) -> str:
    """A QR code of `data` as an inline SVG data URI (vector, so it prints sharp).

    One path with a stroke one module wide along each run of dark modules in a row (not a
    square per module): WeasyPrint parses two commands per run instead of five per module,
    which made the QR code a fifth of a receipt's rendering."""
    matrix = qr_matrix(data)
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}mm" height="{size}mm" shape-rendering="crispEdges">'
        f'<path stroke="#000" stroke-width="1" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def qr_png_data_uri(data: str) -> str:
    """A QR code of `data` as a PNG data URI, one pixel per module (a few hundred bytes).

    Cheaper for WeasyPrint than any SVG (nothing to parse or draw); shown with
    ``image-rendering: pixelated`` it is printed without smoothing (the PDF image is not
    interpolated), so every module stays a sharp square at any size."""
    from PIL import Image

    matrix = qr_matrix(data)
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def logo_src(city: CityProfile) -> str:
    """The city's logo inline, or the portal logo (relative to the static base URL)."""
    if city.logo:
        try:
            with city.logo.open("rb") as fh:
                data = fh.read()
        except (OSError, ValueError):
            pass
        else:
            mime = mimetypes.guess_type(city.logo.name or "")[0] or "image/png"
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return "img/logo.svg"


def seal_src(city: CityProfile) -> str:
    """The corporation's seal inline (a data URI), or "" when none is uploaded."""
    return image_data_uri(city.seal) if city.pk else ""


def signatory(user: Any) -> dict[str, Any] | None:
    """The officer who signs a document: {"name", "designation"} (each Bilingual) and
    "signature_src" (a data URI, "" without one) from the officer's OfficerSignature; the
    designation is empty when the administrator has uploaded none (or it was withdrawn).
    None without a user."""
    if user is None:
        return None
    bn = getattr(user, "name_bn", "") or getattr(user, "name_en", "") or ""
    en = getattr(user, "name_en", "") or getattr(user, "name_bn", "") or ""
    signature = OfficerSignature.objects.filter(user_id=user.pk, is_active=True).first()
    return {
        "name": {"bn": bn or "—", "en": en or "—"},
        "designation": {
            "bn": signature.designation_bn if signature else "",
            "en": signature.designation_en if signature else "",
        },
        "signature_src": image_data_uri(signature.image) if signature else "",
        "has_signature": signature is not None,
    }


# --- PDF --------------------------------------------------------------------------------------


def url_fetcher() -> Any:
    """Fetch only local files and data URIs: rendering never touches the network."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 66: function fetchers
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith(("file:", "data:")):
                raise ValueError(f"Printed documents load no remote resources: {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"file", "data"})


_fonts = threading.local()


def font_config() -> Any:
    """This thread's WeasyPrint font configuration, made once and kept.

    Made per document (WeasyPrint's default), it reloads fontconfig's list of every
    installed font and forgets the line metrics it measured for each font and size: a
    third of a receipt's rendering time. Pango's font map is not thread-safe, so each
    thread (worker process, web thread) keeps its own."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render `template` with `context` and print it to PDF bytes (relative URLs resolve
    against the static folder; nothing is fetched from the network)."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    pdf: bytes = HTML(
        string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=url_fetcher()
    ).write_pdf(font_config=font_config())
    return pdf
