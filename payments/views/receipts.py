"""Public verification at /verify/<code>/ (receipts now; certificates register their own
lookups later) and the receipt PDF download."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import portal
from core.digits import to_ascii_digits
from core.privacy import mask_name

from ..models import Payment, Receipt
from ..receipts import pdf_filename, receipt_pdf_bytes, receipt_visible_to
from ..registry import service_label
from ..selectors import payment_outcomes, receipt_cancelled_at

VERIFY_TEMPLATE = "payments/verify.html"
VERIFY_FORM_TEMPLATE = "payments/verify_form.html"
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class Verified:
    """What a verification code turned out to be.

    `kind` picks the block of verify.html that shows it ("receipt"); a kind verify.html
    does not know itself names its own `template` to include, with `data` in its context.
    """

    kind: str
    valid: bool
    data: dict[str, Any] = field(default_factory=dict)
    template: str = ""


VerifyLookup = Callable[[str], Verified | None]


def receipt_lookup(code: str) -> Verified | None:
    receipt = (
        Receipt.objects.select_related("payment").filter(verify_code=code.strip().lower()).first()
    )
    if receipt is None:
        return None
    payment = receipt.payment
    valid = payment.status == Payment.Status.SUCCEEDED
    cancelled_at = receipt_cancelled_at(payment)
    bills = [
        {
            "number": o.bill.number,
            "subject": o.bill.subject_label,
            "service": service_label(o.bill.service),
            "fiscal_year": o.bill.fiscal_year,
            "applied": o.applied,
            "why": o.why_not_applied,
            "credit_state": o.credit_state,
            "amount": o.amount,
        }
        for o in payment_outcomes(payment)
    ]
    return Verified(
        kind="receipt",
        valid=valid,
        data={
            "receipt": receipt,
            "payment": payment,
            "issued_on": timezone.localtime(receipt.issued_at).date(),
            "payer_masked": mask_name(payment.payer_name),
            "status_label": payment.get_status_display(),
            "cancelled_at": cancelled_at,
            "bills": [b for b in bills if b["applied"]],
            "credited": [b for b in bills if b["credit_state"]],
        },
    )


def find_by_code(code: str) -> Verified | None:
    """Receipts first, then each service's declared lookups (core.portal) in page order:
    the first that recognises the code wins."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    for lookup in [receipt_lookup, *portal.verify_lookups()]:
        found: Verified | None = lookup(code)
        if found is not None:
            return found
    return None


def normalize_code(typed: str) -> str:
    """A code as typed from paper: spaces, dashes and dots dropped, Bengali digits made
    ASCII, lower case ("A1B2 C3D4-…" or "a১b২…" → "a1b2c3d4…")."""
    return re.sub(r"[\s\-.]+", "", to_ascii_digits(typed or "")).lower()


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """Public: type the code printed on a receipt or certificate, then see /verify/<code>/."""
    typed = request.GET.get("code")
    error = ""
    if typed is not None:
        code = normalize_code(typed)
        if code and len(code) <= MAX_CODE_LENGTH and code.isalnum():
            return redirect("verify", code=code)
        error = _(
            "Type the verification code printed on the paper, under the QR code: "
            "letters a to f and digits, such as 3f9a 12c0 77be 4d21."
        )
    return render(
        request,
        VERIFY_FORM_TEMPLATE,
        {"typed": typed or "", "error": error, "page_has_errors": bool(error)},
        status=400 if error else 200,
    )


@never_cache
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this receipt (or, later, certificate) genuine and still standing?"""
    found = find_by_code(normalize_code(code))
    context = {"code": code, "found": found}
    if found is None:
        return render(request, VERIFY_TEMPLATE, context, status=404)
    return render(request, VERIFY_TEMPLATE, {**context, **found.data})


def pdf_response(receipt: Receipt) -> HttpResponse:
    """The receipt's PDF, shown in the browser, never cached by shared caches."""
    response = HttpResponse(receipt_pdf_bytes(receipt), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=pdf_filename(receipt)) or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt PDF, for whoever paid it and for counter and revenue staff."""
    receipt = get_object_or_404(Receipt.objects.select_related("payment"), number=number)
    if not receipt_visible_to(request.user, receipt):
        raise PermissionDenied(_("You can download only your own receipts."))
    return pdf_response(receipt)
