"""The counter clerk's shop rent: find a shop by its number (and market) or the lessee's
mobile or NID, see what is unpaid, bill it and take the cash at the payments counter."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.digits import to_ascii_digits
from core.roles import perm
from core.views import StaffRoleRequiredMixin

from ..models import Allotment, Market
from ..numbers import normalize_shop_number
from ..services.billing import month_lines, owed, premium_bill, rent_bill_issue, unpaid_months

FOUND = 20


def _search(q: str, market: Market | None):
    live = Allotment.objects.filter(status__in=Allotment.OCCUPYING).select_related(
        "shop__market", "lessee"
    )
    if market is not None:
        live = live.filter(shop__market=market)
    digits = to_ascii_digits(q).replace(" ", "").replace("-", "")
    found = (
        Q(lessee__mobile__endswith=digits[-10:]) if digits.isdigit() and len(digits) >= 10 else Q()
    )
    if digits.isdigit() and len(digits) in (10, 13, 17):
        found |= Q(lessee__nid=digits)
    with contextlib.suppress(ValidationError):
        found |= Q(shop__number=normalize_shop_number(q))
    if not found:
        return live.none()
    return live.filter(found).order_by("shop__market__name_en", "shop__number")[:FOUND]


class RentCounterView(StaffRoleRequiredMixin, View):
    permission_required = perm("use_counter")
    template_name = "market_leases/counter.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        market = None
        if str(request.GET.get("market", "")).isdigit():
            market = Market.objects.filter(pk=int(request.GET["market"])).first()
        today = timezone.localdate()
        rows = []
        for a in _search(q, market) if q else []:
            months = unpaid_months(a)
            rows.append(
                {
                    "allotment": a,
                    "months": month_lines(months, today),
                    "owed": owed(months, today),
                    "premium": premium_bill(a),
                }
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "q": q,
                "market": market,
                "markets": Market.objects.order_by("name_en", "pk"),
                "rows": rows,
                "searched": bool(q),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        allotment = get_object_or_404(
            Allotment.objects.select_related("lessee"),
            pk=request.POST.get("allotment") or 0,
            status__in=Allotment.OCCUPYING,
        )
        try:
            bill = rent_bill_issue(allotment=allotment, payer=allotment.lessee.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(
                f"{reverse('market_leases:counter')}?" + urlencode({"q": allotment.shop.number})
            )
        messages.success(
            request, _("Bill %(number)s is ready: take the cash here.") % {"number": bill.number}
        )
        return HttpResponseRedirect(
            f"{reverse('payments:counter_home')}?" + urlencode({"q": bill.number})
        )
