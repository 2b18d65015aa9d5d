"""The demand notice and no-dues certificate pages and PDFs.

For a linked owner of the holding and for counter, assessment and revenue staff; anyone
else signed in gets a 404 (whether a holding exists is not theirs to learn), anyone
signed out goes to the sign-in page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.fiscal import parse_fiscal_year

from ..documents import (
    demand_notice_filename,
    issue_no_dues_certificate,
    no_dues_filename,
    no_dues_is_current,
    no_dues_pdf_bytes,
    pay_url,
    render_demand_notice,
)
from ..models import Demand, Holding, NoDuesCertificate
from ..selectors import holding_visible_to, statement


def _holding_for(request: HttpRequest, pk: int) -> Holding:
    holding = get_object_or_404(Holding.objects.select_related("ward"), pk=pk)
    if not holding_visible_to(request.user, holding):
        raise Http404(_("No such holding."))
    return holding


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=filename) or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def demand_notice_pdf(request: HttpRequest, pk: int, fy: str) -> HttpResponse:
    """The holding's demand notice for fiscal year `fy` ("2025-26" or "২০২৫-২৬")."""
    holding = _holding_for(request, pk)
    try:
        label = parse_fiscal_year(fy)
    except ValueError:
        raise Http404(_("No such fiscal year.")) from None
    demand = get_object_or_404(
        Demand.objects.select_related("holding__ward"), holding=holding, fiscal_year=label
    )
    return _pdf_response(render_demand_notice(demand), demand_notice_filename(demand))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def no_dues(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the holding owes and its certificates; POST: issue a certificate."""
    holding = _holding_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            certificate = issue_no_dues_certificate(holding, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("No-dues certificate %(number)s is ready.") % {"number": certificate.number},
            )
            return redirect("holdings:no_dues", pk=holding.pk)
    current = statement(holding)
    certificates = list(holding.no_dues_certificates.all()[:20])
    for certificate in certificates:
        certificate.current = no_dues_is_current(certificate)
    return render(
        request,
        "holdings/documents/no_dues.html",
        {
            "holding": holding,
            "statement": current,
            "owes": current.total_overdue > 0,  # only what is past its due date
            "certificates": certificates,
            "demands": current.demands,
            "error": error,
            "pay_url": pay_url(holding),
        },
    )


@login_required
@require_safe
def no_dues_pdf(request: HttpRequest, cert_pk: int) -> HttpResponse:
    certificate = get_object_or_404(NoDuesCertificate.objects.select_related("holding"), pk=cert_pk)
    if not holding_visible_to(request.user, certificate.holding):
        raise Http404(_("No such certificate."))
    return _pdf_response(no_dues_pdf_bytes(certificate), no_dues_filename(certificate))
