"""Ijara pages. The bidder's (signed-in citizens): the tenders taking bids, a tender with
the bid form (the bid goes straight to paying its schedule fee and security at the
gateway), and my bids with their state, paying what is owed and the work order once
leased. The estate officer's: the tenders, a new tender notice, and a tender's page —
before the opening only how many bids there are and which are paid (never an amount);
from the opening time the opening (pay orders confirmed there), the ranking, the award,
the forfeit of an unpaid balance and the securities' refunds."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST, require_safe

from payments.services import PaymentError, payment_initiate_online

from .. import rent
from ..ijara_documents import work_order_filename, work_order_pdf
from ..ijara_forms import BidForm, TenderForm
from ..ijara_models import Bid, SchedulePurchase, Tender
from ..services import ijara
from .officer import MANAGE, EstateOfficerRequired


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _pay(request: HttpRequest, bills) -> HttpResponse:
    try:
        payment = payment_initiate_online(bills=bills, payer=request.user)
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("market_leases:ijara_bids")
    return redirect(payment.gateway_url)


# --- the bidder ---------------------------------------------------------------------------------


@login_required
@require_safe
def tenders(request: HttpRequest) -> HttpResponse:
    rows = [{"tender": t, "term": rent.ijara_term(t.year)} for t in ijara.open_tenders()]
    return TemplateResponse(request, "market_leases/ijara/tenders.html", {"rows": rows})


@login_required
def tender_page(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(Tender.objects.select_related("site__ward"), pk=pk)
    mine = Bid.objects.filter(tender=tender, bidder_id=request.user.pk).first()
    form = BidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = ijara.bid_submit(
                tender=tender,
                bidder=request.user,
                amount=data["amount"],
                pay_order_number=data["pay_order_number"],
                pay_order_bank=data["pay_order_bank"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if done.bills:
                return _pay(request, done.bills)
            messages.success(request, _("Your sealed bid is recorded."))
            return redirect("market_leases:ijara_bids")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "market_leases/ijara/tender.html",
        {
            "tender": tender,
            "term": rent.ijara_term(tender.year),
            "form": form,
            "mine": mine,
            "taking_bids": tender.status == Tender.Status.OPEN
            and tender.bid_opens_at <= timezone.now() < tender.bid_closes_at,
        },
        status=status,
    )


@login_required
@require_safe
def my_bids(request: HttpRequest) -> HttpResponse:
    bids = list(
        Bid.objects.filter(bidder_id=request.user.pk)
        .select_related("tender__site__ward")
        .order_by("-pk")
    )
    rows = [
        {
            "bid": b,
            "owed": ijara.bid_bills_open(b) + ijara.balance_bills_open(b),
            "opened": b.amount is not None,
        }
        for b in bids
    ]
    return TemplateResponse(request, "market_leases/ijara/my_bids.html", {"rows": rows})


@login_required
@require_POST
def bid_pay(request: HttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(Bid.objects.filter(bidder_id=request.user.pk), pk=pk)
    bills = ijara.bid_bills_open(bid) + ijara.balance_bills_open(bid)
    if not bills:
        return redirect("market_leases:ijara_bids")
    return _pay(request, bills)


@require_safe
def work_order(request: HttpRequest, pk: int) -> HttpResponse:
    """The work order PDF of a leased site: its lessee (the winning bidder) and the estate
    officer."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    bid = get_object_or_404(
        Bid.objects.select_related("tender__site__ward", "bidder"),
        tender_id=pk,
        status=Bid.Status.LEASED,
    )
    if not (request.user.has_perm(MANAGE) or bid.bidder_id == request.user.pk):
        raise PermissionDenied(_("Only the lessee and the estate officer see this work order."))
    response = HttpResponse(work_order_pdf(bid), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=work_order_filename(bid))
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the estate officer --------------------------------------------------------------------------


class OfficerTendersView(EstateOfficerRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = Tender.objects.select_related("site__ward").order_by("-year", "-pk")[:200]
        return TemplateResponse(
            request, "market_leases/ijara/officer_tenders.html", {"tenders": rows}
        )


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class TenderNewView(EstateOfficerRequired, View):
    template_name = "market_leases/ijara/officer_new.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return TemplateResponse(request, self.template_name, {"form": TenderForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TenderForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                tender = ijara.tender_publish(
                    site=d["site"],
                    year=d["year"],
                    reference=d["reference"],
                    schedule_fee=d["schedule_fee"],
                    security_step=d["security_step"],
                    bid_opens_at=_local(d["bid_opens_at"]),
                    bid_closes_at=_local(d["bid_closes_at"]),
                    opening_at=_local(d["opening_at"]),
                    reserve_price=d["reserve_price"],
                    reserve_reason=d["reserve_reason"],
                    balance_days=d["balance_days"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The tender notice is published."))
                return redirect("market_leases:ijara_officer_tender", pk=tender.pk)
        return TemplateResponse(request, self.template_name, {"form": form}, status=400)


class OfficerTenderView(EstateOfficerRequired, View):
    template_name = "market_leases/ijara/officer_tender.html"

    def context(self, tender: Tender) -> dict:
        bids = list(Bid.objects.filter(tender=tender).select_related("bidder").order_by("pk"))
        paid_fee = set(
            SchedulePurchase.objects.filter(tender=tender, paid_at__isnull=False).values_list(
                "bidder_id", flat=True
            )
        )
        opened = tender.status != Tender.Status.OPEN
        rows = [
            {
                "bid": b,
                "fee_paid": b.bidder_id in paid_fee or tender.schedule_fee <= 0,
                "security_paid": b.security_paid_at is not None,
            }
            for b in (sorted(bids, key=lambda b: (b.rank or 9999, b.pk)) if opened else bids)
        ]
        return {
            "tender": tender,
            "term": rent.ijara_term(tender.year),
            "rows": rows,
            "opened": opened,
            "can_open": tender.status == Tender.Status.OPEN and timezone.now() >= tender.opening_at,
            "pay_orders": [b for b in bids if b.method == Bid.Method.PAY_ORDER],
            "offered": next((b for b in bids if b.status == Bid.Status.OFFERED), None),
            "leased": next((b for b in bids if b.status == Bid.Status.LEASED), None),
            "today": timezone.localdate(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        tender = get_object_or_404(Tender.objects.select_related("site__ward"), pk=pk)
        return TemplateResponse(request, self.template_name, self.context(tender))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        tender = get_object_or_404(Tender.objects.select_related("site__ward"), pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "open":
                confirmed = [int(v) for v in request.POST.getlist("pay_order") if v.isdigit()]
                tender = ijara.tender_open(
                    tender=tender, actor=request.user, confirmed_pay_orders=confirmed
                )
                messages.success(request, _("The bids are opened."))
            elif action == "award":
                ijara.tender_award(tender=tender, actor=request.user)
                messages.success(request, _("The lease is offered to the highest valid bid."))
            elif action == "forfeit":
                ijara.offer_forfeit(tender=tender, actor=request.user)
                messages.success(request, _("The security is forfeited."))
            elif action == "refund":
                for bid in Bid.objects.filter(tender=tender, refund=Bid.Refund.FAILED):
                    Bid.objects.filter(pk=bid.pk).update(refund=Bid.Refund.PENDING, refund_note="")
                    ijara.bid_security_refund(bid_id=bid.pk, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("market_leases:ijara_officer_tender", pk=tender.pk)
