"""The estate officer's pages: markets (search, pagination) and their shops (search by
number, vacant only), allotting a vacant shop (the lessee by NID with name, mobile and
photo, tender or committee with the decision's reference, a confirmation), an allotment
with its bill and history, the allotment letter PDF, and the monthly rent runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.roles import perm
from core.uploads import check_document
from core.views import StaffRoleRequiredMixin, paginate

from .. import rent
from ..documents import letter_filename, letter_pdf
from ..dues import allotments_of
from ..forms import AllotForm, ArrearsDecisionForm, MonthForm, NoticeForm, TransferForm
from ..models import Allotment, Market, RentMonth, RentRun, Shop
from ..numbers import normalize_shop_number
from ..selectors import NotInForce, schedule_in_force
from ..services import (
    arrears_decide,
    arrears_notice,
    lessee_register,
    shop_allot,
    transfer_request,
)
from ..services.billing import premium_bill
from ..services.rent_runs import LIVE_RUN_STATUSES, rent_run_start
from ..tasks import progress_key

MANAGE = perm("manage_markets")

STEPS = {
    "rent": gettext_lazy("Writing every active allotment's rent"),
    "summary": gettext_lazy("Counting"),
    "sms": gettext_lazy("Sending the rent by SMS"),
    "done": gettext_lazy("Done"),
}


class EstateOfficerRequired(StaffRoleRequiredMixin):
    permission_required = MANAGE


class MarketsView(EstateOfficerRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        occupied = Q(shops__allotments__status__in=Allotment.OCCUPYING)
        markets = Market.objects.select_related("ward").annotate(
            shop_count=Count("shops", distinct=True),
            occupied=Count("shops", filter=occupied, distinct=True),
        )
        if q:
            markets = markets.filter(
                Q(name_bn__icontains=q) | Q(name_en__icontains=q) | Q(address__icontains=q)
            )
        page = paginate(request, markets.order_by("ward__number", "name_en", "pk"))
        for market in page:
            market.vacant = market.shop_count - market.occupied  # type: ignore[attr-defined]
        return TemplateResponse(
            request, "market_leases/officer/markets.html", {"page": page, "q": q}
        )


class ShopsView(EstateOfficerRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        vacant = request.GET.get("vacant") == "1"
        market = None
        if str(request.GET.get("market", "")).isdigit():
            market = Market.objects.filter(pk=int(request.GET["market"])).first()
        live = Allotment.objects.filter(shop=OuterRef("pk"), status__in=Allotment.OCCUPYING)
        shops = Shop.objects.select_related("market").annotate(occupied=Exists(live))
        if market is not None:
            shops = shops.filter(market=market)
        if vacant:
            shops = shops.filter(occupied=False)
        if q:
            try:
                number = normalize_shop_number(q)
            except ValidationError:
                number = q
            shops = shops.filter(Q(number=number) | Q(number__icontains=number))
        page = paginate(request, shops.order_by("market__name_en", "floor", "number", "pk"))
        holders = {
            a.shop_id: a
            for a in Allotment.objects.select_related("lessee").filter(
                shop__in=[s.pk for s in page.object_list], status__in=Allotment.OCCUPYING
            )
        }
        rows = [{"shop": s, "allotment": holders.get(s.pk)} for s in page.object_list]
        return TemplateResponse(
            request,
            "market_leases/officer/shops.html",
            {
                "page": page,
                "rows": rows,
                "q": q,
                "vacant": vacant,
                "market": market,
                "markets": Market.objects.order_by("name_en", "pk"),
            },
        )


def _rates(shop: Shop) -> dict:
    """What allotting the shop today would charge (for the officer to read first)."""
    try:
        schedule = schedule_in_force(shop, timezone.localdate())
    except NotInForce as e:
        return {"error": str(e)}
    salami = rent.salami(shop.area_sqft, schedule).amount
    deposit = rent.security_deposit(shop.area_sqft, schedule).amount
    return {
        "rent": rent.monthly_rent(shop.area_sqft, schedule).amount,
        "salami": salami,
        "deposit": deposit,
        "total": salami + deposit,
        "months": schedule.deposit_months,
    }


class AllotView(EstateOfficerRequired, View):
    template_name = "market_leases/officer/allot.html"

    def render(self, request, shop: Shop, form: AllotForm, status: int = 200) -> HttpResponse:
        holder = (
            Allotment.objects.select_related("lessee")
            .filter(shop=shop, status__in=Allotment.OCCUPYING)
            .first()
        )
        return TemplateResponse(
            request,
            self.template_name,
            {"shop": shop, "form": form, "rates": _rates(shop), "holder": holder},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = get_object_or_404(Shop.objects.select_related("market"), pk=pk)
        return self.render(request, shop, AllotForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = get_object_or_404(Shop.objects.select_related("market"), pk=pk)
        form = AllotForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, shop, form, status=400)
        data = form.cleaned_data
        photo = data.get("photo")
        from ..models import Lessee

        known = Lessee.objects.filter(nid=data["nid"]).first()
        if photo:
            content = photo.read()
            try:
                check_document(content, name=photo.name, kind="photo", size=photo.size)
            except ValidationError as e:
                form.add_error("photo", e)
                return self.render(request, shop, form, status=400)
            photo.seek(0)
        elif known is None or not known.photo:
            form.add_error("photo", _("Upload the lessee's photo (JPEG or PNG)."))
            return self.render(request, shop, form, status=400)
        try:
            lessee = lessee_register(
                nid=data["nid"],
                mobile=data["mobile"],
                name_bn=data["name_bn"],
                name_en=data["name_en"],
                address=data["address"],
                photo=photo or None,
                actor=request.user,
            )
            allotment = shop_allot(
                shop=shop,
                lessee=lessee,
                basis=data["basis"],
                decision_reference=data["decision_reference"],
                decision_date=data["decision_date"],
                starts_on=data["starts_on"],
                trade_licence_number=data["trade_licence_number"],
                salami=data.get("salami"),
                actor=request.user,
            )
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, errors in e.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, e)
            return self.render(request, shop, form, status=400)
        messages.success(
            request,
            _("Shop %(number)s is allotted; the lessee has been sent the bill by SMS.")
            % {"number": shop.number},
        )
        return redirect("market_leases:allotment", pk=allotment.pk)


class AllotmentView(EstateOfficerRequired, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allotment = get_object_or_404(
            Allotment.objects.select_related("shop__market__ward", "lessee", "allotted_by"), pk=pk
        )
        history = allotment.status_changes.select_related("changed_by").order_by("changed_at", "pk")
        months = RentMonth.objects.filter(allotment=allotment).order_by("-period")[:24]
        return TemplateResponse(
            request,
            "market_leases/officer/allotment.html",
            {
                "allotment": allotment,
                "history": history,
                "bill": premium_bill(allotment),
                "months": months,
                "transfers": allotment.transfers.select_related("new_lessee").order_by("-pk"),
                "cases": allotment.arrears_cases.order_by("-pk"),
            },
        )


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The allotment letter PDF: the estate officer, or the lessee's own account."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    allotment = get_object_or_404(
        Allotment.objects.select_related("shop__market__ward", "lessee", "allotted_by"), pk=pk
    )
    own = allotments_of(request.user).filter(pk=allotment.pk).exists()
    if not (request.user.has_perm(MANAGE) or own):
        raise PermissionDenied(_("Only the lessee and the estate officer see this letter."))
    response = HttpResponse(letter_pdf(allotment), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=letter_filename(allotment))
        or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


class RentRunsView(EstateOfficerRequired, View):
    template_name = "market_leases/officer/rent_runs.html"

    def render(self, request, form: MonthForm, status: int = 200) -> HttpResponse:
        runs = paginate(request, RentRun.objects.select_related("started_by").order_by("-pk"))
        return TemplateResponse(
            request, self.template_name, {"form": form, "runs": runs}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, MonthForm(initial={"month": f"{timezone.localdate():%Y-%m}"}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MonthForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        period = form.cleaned_data["month"]
        if request.POST.get("confirm") != "yes":
            active = Allotment.objects.filter(
                status=Allotment.Status.ACTIVE, starts_on__lte=period, ends_on__gte=period
            ).count()
            return TemplateResponse(
                request,
                "market_leases/officer/rent_confirm.html",
                {
                    "period": period,
                    "month": f"{period:%Y-%m}",
                    "active": active,
                    "already": RentMonth.objects.filter(period=period).count(),
                },
            )
        try:
            run = rent_run_start(period=period, actor=request.user)
        except ValidationError as exc:
            form.add_error("month", exc)
            return self.render(request, form, status=400)
        messages.success(request, _("The rent is being made. This page shows the progress."))
        return redirect("market_leases:rent_run", pk=run.pk)


class RentRunView(EstateOfficerRequired, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(RentRun.objects.select_related("started_by"), pk=pk)
        live = run.status in LIVE_RUN_STATUSES
        step, progress = run.step, run.progress
        if live:
            cached = cache.get(progress_key(run.pk)) or {}
            step = cached.get("step", step)
            progress = cached.get("progress", progress)
        created = run.created or {}
        return TemplateResponse(
            request,
            "market_leases/officer/rent_run.html",
            {
                "run": run,
                "live": live,
                "step_label": STEPS.get(step, step),
                "progress": progress,
                "created": created,
            },
        )


# --- casework: transfer, arrears --------------------------------------------------------------


def _allotment(pk: int) -> Allotment:
    return get_object_or_404(
        Allotment.objects.select_related("shop__market__ward", "lessee"), pk=pk
    )


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TransferView(EstateOfficerRequired, View):
    template_name = "market_leases/officer/transfer.html"

    def render(self, request, allotment, form, status: int = 200) -> HttpResponse:
        from ..selectors import rules_in_force

        fee = None
        try:
            schedule = schedule_in_force(allotment.shop, timezone.localdate())
            fee = rent.transfer_fee(
                allotment.shop.area_sqft, schedule, rules_in_force(timezone.localdate())
            ).amount
        except NotInForce:
            pass
        return TemplateResponse(
            request,
            self.template_name,
            {"allotment": allotment, "form": form, "fee": fee},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, _allotment(pk), TransferForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        allotment = _allotment(pk)
        form = TransferForm(request.POST)
        if not form.is_valid():
            return self.render(request, allotment, form, status=400)
        data = form.cleaned_data
        try:
            lessee = lessee_register(
                nid=data["nid"],
                mobile=data["mobile"],
                name_bn=data["name_bn"],
                name_en=data["name_en"],
                actor=request.user,
            )
            transfer_request(
                allotment=allotment,
                new_lessee=lessee,
                trade_licence_number=data["trade_licence_number"],
                decision_reference=data["decision_reference"],
                decision_date=data["decision_date"],
                actor=request.user,
            )
        except ValidationError as e:
            _form_errors(form, e)
            return self.render(request, allotment, form, status=400)
        messages.success(
            request,
            _("The transfer fee is billed to the new lessee; the shop passes to them when paid."),
        )
        return redirect("market_leases:allotment", pk=allotment.pk)


class ArrearsListView(EstateOfficerRequired, View):
    """Active allotments with months of rent overdue, most months first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        overdue = Q(rent_months__status=RentMonth.Status.DUE, rent_months__due_date__lt=today)
        rows = (
            Allotment.objects.filter(status=Allotment.Status.ACTIVE)
            .annotate(
                months=Count("rent_months", filter=overdue),
                owed=Sum("rent_months__rent", filter=overdue),
            )
            .filter(months__gt=0)
            .select_related("shop__market", "lessee")
            .order_by("-months", "shop__market__name_en", "shop__number")
        )
        return TemplateResponse(
            request, "market_leases/officer/arrears.html", {"page": paginate(request, rows)}
        )


class ArrearsView(EstateOfficerRequired, View):
    """An allotment's arrears: the notice with a hearing date, then the decision."""

    template_name = "market_leases/officer/arrears_case.html"

    def render(self, request, allotment, *, notice=None, decision=None, status=200):
        from ..models import ArrearsCase
        from ..services.billing import month_lines, unpaid_months

        today = timezone.localdate()
        months = [(m, s) for m, s in month_lines(unpaid_months(allotment), today)]
        case = ArrearsCase.objects.filter(
            allotment=allotment, status=ArrearsCase.Status.NOTICE
        ).first()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "allotment": allotment,
                "months": months,
                "case": case,
                "cases": allotment.arrears_cases.order_by("-pk"),
                "notice_form": notice or NoticeForm(),
                "decision_form": decision or ArrearsDecisionForm(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, _allotment(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from ..models import ArrearsCase

        allotment = _allotment(pk)
        if request.POST.get("action") == "notice":
            notice = NoticeForm(request.POST)
            if notice.is_valid():
                try:
                    arrears_notice(
                        allotment=allotment,
                        hearing_on=notice.cleaned_data["hearing_on"],
                        actor=request.user,
                    )
                except ValidationError as e:
                    _form_errors(notice, e)
                else:
                    messages.success(request, _("The notice has been sent to the lessee by SMS."))
                    return redirect("market_leases:arrears", pk=allotment.pk)
            return self.render(request, allotment, notice=notice, status=400)
        decision = ArrearsDecisionForm(request.POST)
        case = ArrearsCase.objects.filter(
            allotment=allotment, status=ArrearsCase.Status.NOTICE
        ).first()
        if case is None:
            decision.add_error(None, _("No notice is open for this allotment."))
        elif decision.is_valid():
            try:
                arrears_decide(
                    case=case,
                    cancel=decision.cleaned_data["decision"] == "cancel",
                    reason=decision.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as e:
                _form_errors(decision, e)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("market_leases:arrears", pk=allotment.pk)
        return self.render(request, allotment, decision=decision, status=400)
