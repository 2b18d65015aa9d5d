"""The lessee's pages: my shops (each with what is unpaid), and a shop's rent statement —
every month billed with its due date, surcharge as of today and whether it is paid — with
paying the unpaid months in "my bills" alongside the other services (the dues of
market_leases.dues), and the allotment letter."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.roles import perm
from payments.models import Bill, BillClaim

from ..dashboard_panels import shops_with_dues
from ..dues import allotments_of
from ..models import Allotment, RentMonth
from ..services.billing import SERVICE, month_lines, premium_bill, premium_bill_issue

STAFF_PERMISSIONS = (perm("manage_markets"), perm("use_counter"), perm("view_revenue_reports"))


@login_required
@require_safe
def my_shops(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "market_leases/lessee/mine.html", {"rows": shops_with_dues(request.user)}
    )


@login_required
@require_safe
def shop_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A shop's rent statement (the allotment's months), for its lessee and staff."""
    allotment = get_object_or_404(
        Allotment.objects.select_related("shop__market__ward", "lessee"), pk=pk
    )
    user = request.user
    own = allotments_of(user).filter(pk=allotment.pk).exists()
    if not own and not any(user.has_perm(p) for p in STAFF_PERMISSIONS):
        raise PermissionDenied(_("This is not a shop allotted to your account."))
    today = timezone.localdate()
    months = list(RentMonth.objects.filter(allotment=allotment).order_by("period"))
    unpaid = [m for m in months if m.status == RentMonth.Status.DUE and m.rent > 0]
    surcharges = {m.pk: s.amount for m, s in month_lines(unpaid, today) if s is not None}
    rows = [
        {
            "month": m,
            "surcharge": surcharges.get(m.pk),
        }
        for m in months
    ]
    owed = sum(
        (m.rent + surcharges.get(m.pk, Decimal("0.00")) for m in unpaid),
        Decimal("0.00"),
    )
    keys = [f"{SERVICE}:{m.due_key}" for m in unpaid]
    claim = (
        BillClaim.objects.filter(due__in=keys, live=True, bill__status=Bill.Status.OPEN)
        .select_related("bill")
        .first()
        if keys
        else None
    )
    return TemplateResponse(
        request,
        "market_leases/lessee/shop.html",
        {
            "allotment": allotment,
            "rows": rows,
            "unpaid": unpaid,
            "owed": owed,
            "own": own,
            "open_bill": claim.bill if claim else None,
            "premium_bill": premium_bill(allotment),
            "service": SERVICE,
            "due_token": f"a{allotment.pk}",
        },
    )


@login_required
@require_POST
def pay_allotment(request: HttpRequest, pk: int) -> HttpResponse:
    """The lessee takes the salami and deposit bill into my bills (the same open bill)."""
    allotment = get_object_or_404(allotments_of(request.user), pk=pk)
    if allotment.status != Allotment.Status.PENDING_PAYMENT:
        return redirect("market_leases:shop", pk=allotment.pk)
    bill = premium_bill(allotment)
    if bill is not None and bill.status == Bill.Status.OPEN:
        with transaction.atomic():
            bill = premium_bill_issue(allotment=allotment, payer=request.user)
    if bill is None:
        return redirect("market_leases:shop", pk=allotment.pk)
    return redirect(f"{reverse('payments:bills')}?new={bill.number}")
