"""Holding-tax pages for citizens (my holdings, linking, statement and paying), quick pay
without an account, and the counter clerk's holding desk.

Views are thin: citizen_forms.py cleans the input and prepares the pay choices,
holdings.services and payments.services do every write, and a refused operation
(ValidationError, PaymentError) is shown as a message with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Subquery, prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods

from core import citizen_cache
from core.audit import client_ip
from core.digits import is_bengali
from core.money import format_amount
from core.ratelimit import over_limit
from core.roles import perm
from core.validators import format_mobile
from core.views import StaffRoleRequiredMixin
from payments.services import PaymentError, payment_initiate_online

from ..citizen_forms import (
    AppealForm,
    BaseNewOwnerFormSet,
    CounterLinkForm,
    HoldingApplicationForm,
    HoldingLookupForm,
    LinkCodeForm,
    LinkForm,
    MutationForm,
    NewOwnerFormSet,
    ObjectionForm,
    PayForm,
    PayOption,
    QuickPayForm,
    decorate,
    masked_owner_names,
    pay_options,
)
from ..dashboard_panels import holdings_with_dues
from ..models import Appeal, Holding, HoldingApplication, Mutation, Objection, Owner
from ..selectors import (
    Statement,
    assessment_basis,
    counter_payer,
    holding_visible_to,
    is_owner,
    statement,
)
from ..services import (
    appeal_deadline,
    appeal_file,
    cached_subject,
    holding_bill,
    holding_link_at_counter,
    holding_link_by_nid,
    holding_link_send_code,
    holding_link_verify_code,
    objection_file,
    quick_pay_name,
)
from ..services.mutations import mutation_apply
from ..services.new_holdings import holding_application_file

T = TypeVar("T")
QUICK_PAY_WINDOW = 600  # seconds: settings.QUICK_PAY_LOOKUPS per IP address in 10 minutes
LINK_LIMIT, LINK_WINDOW = 10, 3600  # link attempts per account per hour


def _start_online(request, bill, *, payer=None, payer_name: str = "", payer_mobile: str = ""):
    """Send the payer to the gateway for `bill`; on refusal say why (returns None). The bill
    stays open: the next attempt, or another payer, uses it again."""
    try:
        payment = payment_initiate_online(
            bills=[bill], payer=payer, payer_name=payer_name, payer_mobile=payer_mobile
        )
    except PaymentError as exc:
        messages.error(request, _("The payment could not start: %(reason)s") % {"reason": exc})
        return None
    return HttpResponseRedirect(payment.gateway_url)


# --- my holdings and linking -----------------------------------------------------------------


@login_required
def my_holdings(request):
    return render(
        request, "holdings/citizen/my_holdings.html", {"rows": holdings_with_dues(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def holding_link(request):
    form = LinkForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        holding, user = form.holding, request.user
        if holding.owners.filter(user=user).exists():
            messages.info(request, _("This holding is already linked to your account."))
            return redirect("holdings:statement", pk=holding.pk)
        if over_limit(
            f"holdings:link-tries:{user.pk}", LINK_LIMIT, LINK_WINDOW, fail_closed=True
        ):  # guards NID guessing: no limit, no linking
            messages.error(
                request,
                _(
                    "Too many attempts to link a holding. Please wait an "
                    "hour, or link it at a counter with your NID card."
                ),
            )
            return render(request, "holdings/citizen/link.html", {"form": form}, status=429)
        try:
            if form.cleaned_data["method"] == LinkForm.NID:
                holding_link_by_nid(user=user, holding=holding, nid=form.cleaned_data["nid"])
                messages.success(
                    request,
                    _("%(holding)s is now linked to your account.") % {"holding": holding.label},
                )
                return redirect("holdings:statement", pk=holding.pk)
            masked = holding_link_send_code(user=user, holding=holding)
        except ValidationError as exc:
            form.add_error("nid" if form.cleaned_data["method"] == LinkForm.NID else None, exc)
        else:
            request.session[f"holding_link_{holding.pk}"] = masked
            return redirect("holdings:link_code", holding_pk=holding.pk)
    return render(request, "holdings/citizen/link.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def holding_link_code(request, holding_pk: int):
    holding = get_object_or_404(Holding.objects.select_related("ward"), pk=holding_pk)
    session_key = f"holding_link_{holding.pk}"
    masked = request.session.get(session_key)
    if masked is None:
        messages.info(request, _("Ask for a code first."))
        query: dict[str, int | str] = {
            "ward": holding.ward.number,
            "number": holding.number,
            "method": LinkForm.CODE,
        }
        return redirect(f"{reverse('holdings:link')}?" + urlencode(query))
    form = LinkCodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            request.session[session_key] = holding_link_send_code(
                user=request.user, holding=holding
            )
            messages.success(request, _("We sent a new code."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("holdings:link_code", holding_pk=holding.pk)
    if request.method == "POST" and form.is_valid():
        try:
            holding_link_verify_code(
                user=request.user, holding=holding, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(session_key, None)
            messages.success(
                request,
                _("%(holding)s is now linked to your account.") % {"holding": holding.label},
            )
            return redirect("holdings:statement", pk=holding.pk)
    return render(
        request,
        "holdings/citizen/link_code.html",
        {"form": form, "holding": holding, "masked_mobile": masked},
    )


# --- the statement and paying ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def holding_statement(request, pk: int):
    holding = get_object_or_404(Holding.objects.select_related("ward"), pk=pk)
    owner = is_owner(request.user, holding)
    if not (owner or holding_visible_to(request.user, holding)):
        raise Http404
    today = timezone.localdate()

    def compute() -> tuple[Statement, str, list[PayOption], Objection | None]:
        st, table = _with_table(decorate(statement(holding), today))
        return st, table, pay_options(st, today), _latest_objection(holding)

    st, table, options, objection = _statement(request, holding, compute)
    holding = st.holding  # its owners read with the statement
    form = PayForm(request.POST or None, options=options if owner else [])
    if request.method == "POST":
        if not owner:
            raise Http404
        if form.is_valid():
            option = form.option
            try:
                bill = holding_bill(
                    holding=holding,
                    instalments=option.instalments,
                    arrears=option.arrears,
                    payer=request.user,
                    today=today,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("holdings:statement", pk=holding.pk)
            if request.POST.get("to") == "cart":
                messages.success(
                    request,
                    _(
                        "Bill %(number)s for %(amount)s is ready. Pay it "
                        "together with your other bills."
                    )
                    % {"number": bill.number, "amount": format_amount(bill.total)},
                )
                return redirect("payments:bills")
            response = _start_online(request, bill, payer=request.user)
            if response:
                return response
            return redirect("holdings:statement", pk=holding.pk)
    return render(
        request,
        "holdings/citizen/statement.html",
        {
            "st": st,
            "table": table,
            "holding": holding,
            "form": form,
            "is_owner": owner,
            "today": today,
            "objection": objection if owner else None,
        },
    )


def _latest_objection(holding: Holding) -> Objection | None:
    """The owner's last objection to the assessment in force (its state is shown on the
    statement; while it is open no second one can be filed)."""
    in_force = holding.assessments.order_by("-effective_fy").values("pk")[:1]
    return (
        Objection.objects.filter(assessment=Subquery(in_force))
        .order_by("-created_at", "-pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def holding_objection(request, pk: int):
    """The owner objects to the assessment in force; an assessor decides it."""
    holding = get_object_or_404(
        Holding.objects.select_related("ward"), pk=pk, owners__user=request.user
    )
    assessment = holding.assessments.order_by("-effective_fy").first()
    if assessment is None:
        messages.error(request, _("This holding has no assessment to object to yet."))
        return redirect("holdings:statement", pk=holding.pk)
    form = ObjectionForm(request.POST or None)
    objections = list(assessment.objections.order_by("-created_at"))
    if request.method == "POST" and form.is_valid():
        try:
            objection_file(
                assessment=assessment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                claimed_rent=form.cleaned_data["claimed_rent"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "Your objection is filed. An assessor will decide it "
                    "and you will see the decision here."
                ),
            )
            return redirect("holdings:statement", pk=holding.pk)
    return render(
        request,
        "holdings/citizen/objection.html",
        {
            "holding": holding,
            "assessment": assessment,
            "basis": assessment_basis(assessment)["bn" if is_bengali() else "en"],
            "form": form,
            "objections": objections,
            "open_objection": next(
                (o for o in objections if o.status == Objection.Status.OPEN), None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def holding_appeal(request, pk: int, objection_pk: int):
    """The owner appeals against an objection's decision, within the appeal period; a
    review officer decides it. Shows the appeal's state once filed."""
    objection = get_object_or_404(
        Objection.objects.select_related("assessment__holding__ward", "decided_by"),
        pk=objection_pk,
        assessment__holding_id=pk,
        assessment__holding__owners__user=request.user,
    )
    holding = objection.assessment.holding
    appeal = Appeal.objects.filter(objection=objection).first()
    last_day = appeal_deadline(objection)
    can_appeal = appeal is None and last_day is not None and timezone.localdate() <= last_day
    form = AppealForm(request.POST or None) if can_appeal else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            appeal_file(
                objection=objection,
                user=request.user,
                reason=form.cleaned_data["reason"],
                claimed_rent=form.cleaned_data["claimed_rent"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Your appeal is filed. A review officer will decide it and you will see "
                    "the decision here."
                ),
            )
            return redirect("holdings:appeal_file", pk=holding.pk, objection_pk=objection.pk)
    return render(
        request,
        "holdings/citizen/appeal.html",
        {
            "holding": holding,
            "objection": objection,
            "appeal": appeal,
            "last_day": last_day,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def holding_mutation(request, pk: int):
    """An owner applies for mutation (নামজারি) on a registered deed; the fee is billed and
    paid from "my bills"; an assessor decides. The holding's mutations and their state."""
    holding = get_object_or_404(
        Holding.objects.select_related("ward"), pk=pk, owners__user=request.user
    )
    mutations = list(holding.mutations.select_related("bill").order_by("-created_at"))
    in_progress = any(m.status in Mutation.OPEN for m in mutations)
    form = MutationForm(request.POST or None) if not in_progress else None
    owners = (
        cast(BaseNewOwnerFormSet, NewOwnerFormSet(request.POST or None, prefix="owner"))
        if form
        else None
    )
    if (
        request.method == "POST"
        and form is not None
        and owners is not None
        and all([form.is_valid(), owners.is_valid()])  # both, so both show their errors
    ):
        try:
            mutation = mutation_apply(
                holding=holding,
                applicant=request.user,
                deed_number=form.cleaned_data["deed_number"],
                deed_date=form.cleaned_data["deed_date"],
                owners=owners.owners(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Your mutation application is recorded. Pay the fee of %(fee)s (bill "
                    "%(bill)s) to send it to the assessor."
                )
                % {
                    "fee": format_amount(mutation.fee),
                    "bill": getattr(mutation.bill, "number", ""),
                },
            )
            return redirect("payments:bills")
    return render(
        request,
        "holdings/citizen/mutation.html",
        {
            "holding": holding,
            "current_owners": list(holding.owners.order_by("pk")),
            "mutations": mutations,
            "form": form,
            "owners": owners,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def holding_number_apply(request):
    """A citizen applies for a new holding number; their applications and their state."""
    form = HoldingApplicationForm(
        request.POST or None, initial={"owner_mobile": getattr(request.user, "mobile", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            holding_application_file(applicant=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Your application is filed. An assessor will give the holding its number; "
                    "you will get an SMS."
                ),
            )
            return redirect("holdings:number_apply")
    applications = HoldingApplication.objects.filter(applicant=request.user).select_related(
        "ward", "holding"
    )
    return render(
        request,
        "holdings/citizen/new_holding.html",
        {"form": form, "applications": applications},
    )


def _with_table(st: Statement) -> tuple[Statement, str]:
    """The statement and its table across years, rendered to be kept with it in the cache
    (it shows nothing else, but in the language the cache keys by)."""
    return st, render_to_string("holdings/citizen/_statement.html", {"st": st})


def _with_options(st: Statement, today: date) -> tuple[Statement, list[PayOption]]:
    return st, pay_options(st, today)


def _statement(request, holding: Holding, compute: Callable[[], T]) -> T:
    """The holding's statement as `compute` works it out (with its owners read); to look
    at (GET), from the citizens' cache, which a write for one of its bills, or any write
    not for a bill, drops (core.citizen_cache). One entry per page that asks."""

    def with_owners() -> T:
        prefetch_related_objects([holding], Prefetch("owners", Owner.objects.order_by("pk")))
        return compute()

    if request.method != "GET":
        return with_owners()
    name = f"statement:{request.resolver_match.url_name}"
    return citizen_cache.subject_figures(cached_subject(holding), name, with_owners)


# --- quick pay (no account) ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def quick_pay(request):
    """Pay a holding's tax by ward and holding number, from anywhere, without an account.
    Only the masked owner name is shown; look-ups are rate-limited per IP address."""
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if ("ward" in request.GET or "number" in request.GET) else None)
    )
    lookup = HoldingLookupForm(data)
    context = {"lookup": lookup}
    if lookup.is_bound:
        key = f"holdings:quick-pay:{client_ip(request) or 'unknown'}"
        if over_limit(key, settings.QUICK_PAY_LOOKUPS, QUICK_PAY_WINDOW):
            messages.error(
                request,
                _("Too many look-ups from your connection. Please wait 10 minutes and try again."),
            )
            return render(
                request,
                "holdings/citizen/quick_pay.html",
                {"lookup": HoldingLookupForm()},
                status=429,
            )
        if lookup.is_valid():
            holding, today = lookup.holding, timezone.localdate()
            st, options = _statement(
                request, holding, lambda: _with_options(statement(holding), today)
            )
            holding = st.holding  # its owners read with the statement
            form = QuickPayForm(request.POST if request.method == "POST" else None, options=options)
            names = masked_owner_names(holding)
            if request.method == "POST" and form.is_valid():
                response = _quick_pay_start(request, holding, form, today)
                if response:
                    return response
            context.update(holding=holding, st=st, form=form, owner_names=names)
    return render(request, "holdings/citizen/quick_pay.html", context)


def _quick_pay_start(request, holding, form, today):
    option, mobile = form.option, form.cleaned_data["mobile"]
    try:
        bill = holding_bill(
            holding=holding,
            instalments=option.instalments,
            arrears=option.arrears,
            payer=None,
            payer_mobile=mobile,
            owner_contact=False,
            today=today,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    # The bill may be the owner's own (reused): the stranger's payment carries the masked
    # name, never the owner's.
    return _start_online(
        request, bill, payer=None, payer_name=quick_pay_name(holding), payer_mobile=mobile
    )


# --- the counter -----------------------------------------------------------------------------


class HoldingCounterView(StaffRoleRequiredMixin, View):
    """Find a holding, see its statement, bill chosen instalments or arrears for cash at
    the payments counter, or link an owner to a citizen's account."""

    permission_required = perm("use_counter")
    template_name = "holdings/citizen/counter.html"

    def get(self, request):
        data = request.GET if ("ward" in request.GET or "number" in request.GET) else None
        return self.show(request, HoldingLookupForm(data))

    def post(self, request):
        lookup = HoldingLookupForm(request.POST)
        if not lookup.is_valid():
            return self.show(request, lookup)
        holding = lookup.holding
        back = f"{reverse('holdings:counter')}?" + urlencode(
            {"ward": holding.ward.number, "number": holding.number}
        )
        if request.POST.get("action") == "link":
            link_form = CounterLinkForm(request.POST, holding=holding)
            if not link_form.is_valid():
                return self.show(request, lookup, link_form=link_form)
            try:
                holding_link_at_counter(
                    clerk=request.user, user=link_form.user, owner=link_form.cleaned_data["owner"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Linked to the account of %(mobile)s.")
                    % {"mobile": format_mobile(link_form.cleaned_data["mobile"])},
                )
            return HttpResponseRedirect(back)
        today = timezone.localdate()
        pay_form = PayForm(request.POST, options=pay_options(statement(holding), today))
        if not pay_form.is_valid():
            return self.show(request, lookup, pay_form=pay_form)
        option = pay_form.option
        try:
            bill = holding_bill(
                holding=holding,
                instalments=option.instalments,
                arrears=option.arrears,
                payer=counter_payer(holding),
                today=today,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(back)
        messages.success(
            request, _("Bill %(number)s is ready: take the cash here.") % {"number": bill.number}
        )
        return HttpResponseRedirect(
            f"{reverse('payments:counter_home')}?" + urlencode({"q": bill.number})
        )

    def show(self, request, lookup, *, pay_form=None, link_form=None):
        context = {"lookup": lookup}
        if lookup.is_bound and lookup.is_valid():
            holding, today = lookup.holding, timezone.localdate()
            st = decorate(statement(holding), today)
            context.update(
                holding=holding,
                st=st,
                today=today,
                form=pay_form or PayForm(options=pay_options(st, today)),
                link_form=link_form or CounterLinkForm(holding=holding),
                owners=list(holding.owners.select_related("user").order_by("pk")),
            )
        return render(request, self.template_name, context)
