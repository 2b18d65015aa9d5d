"""Water bill pages for citizens: a month's bill as PDF (the connection's account holder and
staff), and the pay link the bill's SMS carries (anyone holding the bill's code)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.privacy import mask_name
from core.roles import perm
from payments.models import Bill

from ..documents import bill_pdf as render_bill_pdf
from ..documents import pdf_filename
from ..models import WaterBill
from ..services.billing import unpaid_months, water_bill_issue

STAFF_PERMISSIONS = (perm("manage_water"), perm("use_counter"), perm("view_revenue_reports"))


def bill_visible_to(user, bill: WaterBill) -> bool:
    if not user.is_authenticated:
        return False
    if bill.connection.user_id == user.pk:
        return True
    return any(user.has_perm(p) for p in STAFF_PERMISSIONS)


@login_required
@require_safe
def bill_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A month's bill as PDF, for the connection's account holder and water, counter and
    revenue staff."""
    bill = get_object_or_404(WaterBill.objects.select_related("connection"), pk=pk)
    if not bill_visible_to(request.user, bill):
        raise PermissionDenied(_("You can download only the bills of your own connections."))
    response = HttpResponse(render_bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=pdf_filename(bill)) or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    """The pay link of a bill's SMS: the connection's unpaid months (the consumer's name
    partly hidden) and a button that takes them to the gateway — for whoever holds the
    code, with or without an account (as holding tax's quick pay)."""
    bill = get_object_or_404(
        WaterBill.objects.select_related("connection__ward"), verify_code=code.strip().lower()
    )
    connection = bill.connection
    months = unpaid_months(connection)
    error = ""
    if request.method == "POST" and months:
        from payments.services import PaymentError, payment_initiate_online

        user = request.user if request.user.is_authenticated else None
        try:
            payments_bill: Bill = water_bill_issue(connection=connection, payer=user)
            payment = payment_initiate_online(
                bills=[payments_bill],
                payer=user,
                payer_mobile=getattr(user, "mobile", "") or "",
            )
        except (ValidationError, PaymentError) as exc:
            error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        else:
            if payment.gateway_url:
                return redirect(payment.gateway_url)
            return redirect("payments:status", tran_id=payment.tran_id)
    return TemplateResponse(
        request,
        "water_billing/billing/pay.html",
        {
            "bill": bill,
            "connection": connection,
            "name_masked": mask_name(connection.name_en or connection.name_bn),
            "months": months,
            "owed": sum((m.total for m in months), bill.total * 0),
            "error": error,
        },
        status=400 if error else 200,
    )
