"""Public trade-licence pages: the certificate PDF (for its trader and the staff who handle
licences) and the search by licence number (anyone; rate-limited per IP)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.audit import client_ip
from core.digits import to_ascii_digits
from core.ratelimit import over_limit

from ..certificates import certificate_filename, certificate_pdf_bytes, certificate_visible_to
from ..models import Licence
from ..selectors import public_licence

SEARCH_LIMIT = 30  # lookups per IP address …
SEARCH_WINDOW = 600  # … in this many seconds
MAX_NUMBER_LENGTH = 40


@login_required
@require_safe
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The licence certificate: the business's trader and licence, counter and revenue
    staff; anyone else gets "not found" (the licence's existence is not disclosed)."""
    licence = get_object_or_404(Licence.objects.select_related("business"), pk=pk)
    if not certificate_visible_to(request.user, licence):
        raise Http404(_("No such licence."))
    response = HttpResponse(certificate_pdf_bytes(licence), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=certificate_filename(licence))
        or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def normalize_number(value: str) -> str:
    """ "kcc/tl/২০২৫-২৬/০০০১২৩ " → "KCC/TL/2025-26/000123" (spaces dropped)."""
    return re.sub(r"\s+", "", to_ascii_digits(value or "")).upper()


@require_safe
def licence_search(request: HttpRequest) -> HttpResponse:
    """Is there a valid licence with this number? Business name, category, ward and
    validity only."""
    query = (request.GET.get("number") or "").strip()[: MAX_NUMBER_LENGTH * 2]
    context: dict = {"query": query, "searched": False, "result": None, "error": ""}
    status = 200
    if query:
        number = normalize_number(query)
        if over_limit(
            f"trade_licenses:search:{client_ip(request) or 'unknown'}", SEARCH_LIMIT, SEARCH_WINDOW
        ):
            context["error"] = _(
                "Too many searches from this connection. Please wait a few minutes and try again."
            )
            status = 429
        elif len(number) > MAX_NUMBER_LENGTH:
            context["error"] = _("That is not a licence number.")
        else:
            context["searched"] = True
            context["number"] = number
            found = public_licence(number=number)
            if found is not None:
                licence, business = found["licence"], found["business"]
                context["result"] = {
                    "number": licence.number,
                    "valid": found["valid"],
                    "expired": found["expired"],
                    "name_bn": business.name_bn,
                    "name_en": business.name_en,
                    "category": found["category"],
                    "ward": business.ward.number,
                    "valid_until": licence.valid_until,
                }
    response = render(request, "trade_licenses/search.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
