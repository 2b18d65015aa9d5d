"""Staff payment pages: the counter clerk's cash session, bill search, cash taking and
receipts; the revenue officer's session verification, held/flagged payments (release,
refund, void) and credits to refund.

Views are thin: forms in staff_forms.py clean the input, payments.services does every
write, and a refused operation (PaymentError) is shown as an error message with nothing
changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.money import format_amount
from core.roles import perm
from core.views import StaffRoleRequiredMixin

from .models import (
    BillLine,
    CounterSession,
    Credit,
    Payment,
    PaymentEvent,
    Receipt,
)
from .services import (
    PaymentError,
    counter_session_close,
    counter_session_open,
    counter_session_verify,
    counter_take_cash,
    payment_refund_credit,
    payment_refund_held,
    payment_release_hold,
    payment_void,
)
from .services.counter import session_cash_taken
from .staff_forms import (
    BillSearchForm,
    CloseSessionForm,
    CreditFilterForm,
    CreditRefundForm,
    OpenSessionForm,
    PaymentActionForm,
    PaymentFilterForm,
    TakeCashForm,
    VerifySessionForm,
)

PER_PAGE = 25

# --- helpers ----------------------------------------------------------------------------

# The services speak English; these are the refusals they are known to give, translated.
_KNOWN_REFUSALS = {
    "Only counter clerks open cash sessions.":
        gettext_lazy("Only counter clerks open cash sessions."),
    "You already have an open cash session.":
        gettext_lazy("You already have an open cash session."),
    "Open your own cash session first.": gettext_lazy("Open your own cash session first."),
    "Choose at least one bill to pay.": gettext_lazy("Choose at least one bill to pay."),
    "This cash session is not yours or is already closed.":
        gettext_lazy("This cash session is not yours or is already closed."),
    "Only a revenue officer verifies cash sessions.":
        gettext_lazy("Only a revenue officer verifies cash sessions."),
    "Only a closed session can be verified.":
        gettext_lazy("Only a closed session can be verified."),
    "Only a revenue officer can void a payment.":
        gettext_lazy("Only a revenue officer can void a payment."),
    "A reason is required to void a payment.":
        gettext_lazy("A reason is required to void a payment."),
    "Online payments are refunded, not voided.":
        gettext_lazy("Online payments are refunded, not voided."),
    "Only a revenue officer can release a held payment.":
        gettext_lazy("Only a revenue officer can release a held payment."),
    "Only held or flagged payments can be released.":
        gettext_lazy("Only held or flagged payments can be released."),
    "Only a revenue officer can refund.": gettext_lazy("Only a revenue officer can refund."),
    "This credit is not open.": gettext_lazy("This credit is not open."),
    "Only held or flagged payments can be refunded here.":
        gettext_lazy("Only held or flagged payments can be refunded here."),
    "The gateway never confirmed money for this payment.":
        gettext_lazy("The gateway never confirmed money for this payment."),
    "The gateway refused or could not take the refund; nothing changed.":
        gettext_lazy("The gateway refused or could not take the refund; nothing changed."),
}


def _status_label(value: str) -> str:
    try:
        return str(Payment.Status(value).label)
    except ValueError:
        return value


def _amount(text: str) -> str:
    try:
        return format_amount(text)
    except (TypeError, ValueError):
        return text


_REFUSAL_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"These bills cannot be paid now: (?P<bills>.+)\.$"),
     lambda m: _("These bills cannot be paid now (already paid, replaced or cancelled): "
                 "%(bills)s.") % {"bills": m["bills"]}),
    (re.compile(r"The cash tendered is less than the total (?P<total>\S+)\.$"),
     lambda m: _("The cash tendered is less than the total %(total)s.")
     % {"total": _amount(m["total"])}),
    (re.compile(r"Payment (?P<tran_id>\S+) cannot go from (?P<old>\w+) to (?P<new>\w+)\.$"),
     lambda m: _("Payment %(tran_id)s cannot go from “%(old)s” to “%(new)s”.")
     % {"tran_id": m["tran_id"], "old": _status_label(m["old"]),
        "new": _status_label(m["new"])}),
]


def explain(exc: PaymentError) -> str:
    """A service refusal in the active language (the English text when it is unknown)."""
    text = str(exc)
    if text in _KNOWN_REFUSALS:
        return str(_KNOWN_REFUSALS[text])
    for pattern, render in _REFUSAL_PATTERNS:
        match = pattern.match(text)
        if match:
            return render(match)
    return text


def refused(request, generic: str, exc: PaymentError) -> None:
    """Show a refusal: a translated generic sentence with the reason filled in."""
    messages.error(request, generic % {"reason": explain(exc)})


def paginate(request, qs, param: str = "page") -> Page:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get(param))


@dataclass(frozen=True)
class Balance:
    """A closed drawer's result: balanced, short or over, and by how much."""

    kind: str  # "balanced" | "short" | "over" | "unknown"
    amount: Decimal

    @classmethod
    def of(cls, difference: Decimal | None) -> Balance:
        if difference is None:
            return cls("unknown", Decimal("0.00"))
        if difference == 0:
            return cls("balanced", Decimal("0.00"))
        return cls("short" if difference < 0 else "over", abs(difference))


def with_balance(sessions: Iterable[CounterSession]) -> list[CounterSession]:
    rows = list(sessions)
    for session in rows:
        session.balance = Balance.of(session.difference)
    return rows


# --- counter clerk ----------------------------------------------------------------------


class CounterMixin(StaffRoleRequiredMixin):
    permission_required = perm("use_counter")

    def open_session(self) -> CounterSession | None:
        return CounterSession.objects.filter(clerk=self.request.user,
                                             status=CounterSession.Status.OPEN).first()


def session_summary(session: CounterSession) -> dict:
    taken = session_cash_taken(session)
    return {
        "session": session,
        "payments_count": session.payments.filter(status=Payment.Status.SUCCEEDED).count(),
        "cash_taken": taken,
        "expected_cash": session.opening_float + taken,
    }


def render_counter_home(request, open_form: OpenSessionForm | None = None) -> HttpResponse:
    session = CounterSession.objects.filter(clerk=request.user,
                                            status=CounterSession.Status.OPEN).first()
    search = BillSearchForm(request.GET or None)
    context = {"search": search, "query": request.GET.get("q", "")}
    if session:
        context.update(session_summary(session))
        context["recent_payments"] = (session.payments.select_related("receipt")
                                      .order_by("-created_at", "-pk")[:10])
    else:
        context["open_form"] = open_form or OpenSessionForm()
    if search.is_bound:
        context["results"] = paginate(request, search.bills())
        context["take_form"] = TakeCashForm()
    return TemplateResponse(request, "payments/staff/counter_home.html", context)


class CounterHomeView(CounterMixin, View):
    """My cash session (or the form to open one) and the bill search."""

    def get(self, request):
        return render_counter_home(request)


class CounterOpenSessionView(CounterMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = OpenSessionForm(request.POST)
        if not form.is_valid():
            return render_counter_home(request, open_form=form)
        try:
            counter_session_open(clerk=request.user,
                                 opening_float=form.cleaned_data["opening_cash"])
        except PaymentError as exc:
            refused(request, _("Could not open the cash session: %(reason)s"), exc)
        else:
            messages.success(request, _("Your cash session is open."))
        return redirect("counter_home")


def _back_to_search(query: str) -> HttpResponseRedirect:
    url = reverse("counter_home")
    if query:
        url = f"{url}?{urlencode({'q': query})}"
    return HttpResponseRedirect(url)


class CounterTakeCashView(CounterMixin, View):
    """GET: the confirmation page for the ticked bills. POST: take the cash."""

    template_name = "payments/staff/counter_confirm.html"

    def render(self, request, form: TakeCashForm, query: str) -> HttpResponse:
        context = {"form": form, "query": query}
        if form.is_valid():
            bills = form.cleaned_data["bills"]
            tendered = form.cleaned_data["tendered"]
            total = form.cleaned_data["total"]
            context.update(
                bills=bills, total=total, tendered=tendered,
                change=(tendered - total) if tendered is not None else None,
                unpayable=[b for b in bills if not b.is_payable],
            )
        return TemplateResponse(request, self.template_name, context)

    def get(self, request):
        query = request.GET.get("q", "")
        if not self.open_session():
            messages.error(request, _("Open your cash session before taking cash."))
            return _back_to_search(query)
        return self.render(request, TakeCashForm(request.GET), query)

    def post(self, request):
        query = request.POST.get("q", "")
        session = self.open_session()
        if not session:
            messages.error(request, _("Open your cash session before taking cash."))
            return _back_to_search(query)
        form = TakeCashForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, query)
        try:
            payment = counter_take_cash(session=session, bills=form.cleaned_data["bills"],
                                        clerk=request.user,
                                        tendered=form.cleaned_data["tendered"])
        except PaymentError as exc:
            refused(request, _("Could not take the payment: %(reason)s"), exc)
            return _back_to_search(query)
        messages.success(request, _("Cash received. Give the payer the receipt."))
        return redirect("counter_payment", tran_id=payment.tran_id)


def cash_tendered(payment: Payment) -> Decimal | None:
    """What the payer handed over, as recorded when the cash was taken."""
    event = payment.events.filter(kind=PaymentEvent.Kind.COUNTER).order_by("pk").first()
    raw = (event.payload or {}).get("tendered", "") if event else ""
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        return None


class CounterPaymentView(CounterMixin, View):
    """The receipt for a cash payment: print it, or download the PDF."""

    template_name = "payments/staff/counter_payment.html"

    def get(self, request, tran_id: str):
        payments = Payment.objects.filter(channel=Payment.Channel.COUNTER)
        if not request.user.has_perm(perm("view_revenue_reports")):
            payments = payments.filter(received_by=request.user)
        payment = get_object_or_404(
            payments.select_related("received_by", "counter_session"), tran_id=tran_id)
        receipt = Receipt.objects.filter(payment=payment).first()
        tendered = cash_tendered(payment)
        items = payment.items.select_related("bill").prefetch_related(
            Prefetch("bill__lines", queryset=BillLine.objects.order_by("position", "pk")))
        return TemplateResponse(request, self.template_name, {
            "payment": payment, "receipt": receipt, "items": items, "tendered": tendered,
            "change": (tendered - payment.amount) if tendered is not None else None,
        })


class CounterCloseView(CounterMixin, View):
    """Close my cash session with the counted cash."""

    template_name = "payments/staff/counter_close.html"

    def render(self, request, session: CounterSession, form: CloseSessionForm):
        return TemplateResponse(request, self.template_name,
                                {"form": form, **session_summary(session)})

    def get(self, request):
        session = self.open_session()
        if not session:
            last = (CounterSession.objects.filter(clerk=request.user)
                    .exclude(status=CounterSession.Status.OPEN)
                    .order_by("-closed_at", "-pk").first())
            return TemplateResponse(request, self.template_name, {"last_session": last})
        return self.render(request, session, CloseSessionForm())

    def post(self, request):
        session = self.open_session()
        if not session:
            messages.info(request, _("You have no open cash session to close."))
            return redirect("counter_home")
        form = CloseSessionForm(request.POST)
        if not form.is_valid():
            return self.render(request, session, form)
        try:
            session = counter_session_close(session=session, clerk=request.user,
                                            counted_cash=form.cleaned_data["counted_cash"],
                                            note=form.cleaned_data["note"])
        except PaymentError as exc:
            refused(request, _("Could not close the cash session: %(reason)s"), exc)
            return redirect("counter_home")
        messages.success(request, _("Your cash session is closed."))
        return redirect("counter_session", pk=session.pk)


class CounterSessionView(CounterMixin, View):
    """One of my sessions: what was expected, what was counted, over or short."""

    template_name = "payments/staff/counter_session.html"

    def get(self, request, pk: int):
        session = get_object_or_404(CounterSession, pk=pk, clerk=request.user)
        session.balance = Balance.of(session.difference)
        payments = paginate(request, session.payments.select_related("receipt")
                            .order_by("created_at", "pk"))
        return TemplateResponse(request, self.template_name,
                                {**session_summary(session), "payments": payments})


# --- revenue officer: counter sessions ---------------------------------------------------


def verify_form(session: CounterSession, data=None) -> VerifySessionForm:
    return VerifySessionForm(data, prefix=f"s{session.pk}")


def render_sessions(request, bound: VerifySessionForm | None = None,
                    bound_pk: int | None = None) -> HttpResponse:
    base = CounterSession.objects.select_related("clerk", "verified_by").annotate(
        payments_count=Count("payments", filter=Q(payments__status=Payment.Status.SUCCEEDED)))
    waiting = paginate(request, base.filter(status=CounterSession.Status.CLOSED)
                       .order_by("closed_at", "pk"))
    waiting.object_list = with_balance(waiting.object_list)  # a list from here on
    for session in waiting.object_list:
        session.form = bound if session.pk == bound_pk else verify_form(session)
    verified = paginate(request, base.filter(status=CounterSession.Status.VERIFIED)
                        .order_by("-verified_at", "-pk"), param="vpage")
    verified.object_list = with_balance(verified.object_list)
    return TemplateResponse(request, "payments/staff/revenue_sessions.html",
                            {"waiting": waiting, "verified": verified})


class RevenueSessionsView(StaffRoleRequiredMixin, View):
    """Closed sessions waiting for verification, and recently verified ones."""

    permission_required = perm("verify_counter_sessions")

    def get(self, request):
        return render_sessions(request)


class RevenueSessionVerifyView(StaffRoleRequiredMixin, View):
    permission_required = perm("verify_counter_sessions")
    http_method_names = ["post"]

    def post(self, request, pk: int):
        session = get_object_or_404(CounterSession, pk=pk)
        form = verify_form(session, request.POST)
        if not form.is_valid():
            return render_sessions(request, bound=form, bound_pk=session.pk)
        try:
            session = counter_session_verify(session=session, officer=request.user,
                                             note=form.cleaned_data["note"])
        except PaymentError as exc:
            refused(request, _("Could not verify the cash session: %(reason)s"), exc)
        else:
            messages.success(request, _("Session #%(pk)s of %(clerk)s is verified.")
                             % {"pk": session.pk, "clerk": session.clerk})
        return redirect("revenue_sessions")


# --- revenue officer: payments ------------------------------------------------------------


class RevenuePaymentsView(StaffRoleRequiredMixin, View):
    """Payments on hold or flagged, or any status, searchable by tran_id or mobile."""

    permission_required = perm("view_revenue_reports")
    template_name = "payments/staff/revenue_payments.html"

    def get(self, request):
        form = PaymentFilterForm(request.GET)
        qs = form.filter(Payment.objects.select_related("payer", "received_by")
                         .order_by("-created_at", "-pk"))
        return TemplateResponse(request, self.template_name,
                                {"form": form, "payments": paginate(request, qs)})


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    button: str
    statuses: frozenset
    counter_only: bool = False
    success: str = ""
    refusal: str = ""

    @property
    def url_name(self) -> str:
        return f"revenue_payment_{self.key}"


def _actions() -> dict[str, Action]:
    held = frozenset({Payment.Status.ON_HOLD, Payment.Status.FLAGGED})
    return {
        "release": Action("release", _("Release (settle)"), _("Release and settle"), held,
                          success=_("The payment is settled and its bills are paid."),
                          refusal=_("Could not release the payment: %(reason)s")),
        "refund": Action("refund", _("Refund in full"), _("Refund in full"), held,
                         success=_("The refund was sent to the gateway."),
                         refusal=_("Could not refund the payment: %(reason)s")),
        "void": Action("void", _("Void"), _("Void this payment"),
                       frozenset({Payment.Status.SUCCEEDED}), counter_only=True,
                       success=_("The payment is void; its bills are open again."),
                       refusal=_("Could not void the payment: %(reason)s")),
    }


def actions_for(payment: Payment) -> list[Action]:
    return [a for a in _actions().values()
            if payment.status in a.statuses
            and (not a.counter_only or payment.channel == Payment.Channel.COUNTER)]


def with_status_labels(transitions) -> list:
    rows = list(transitions)
    for row in rows:
        row.from_label = _status_label(row.from_status)
        row.to_label = _status_label(row.to_status)
    return rows


def render_payment(request, payment: Payment, bound: PaymentActionForm | None = None,
                   bound_action: str = "") -> HttpResponse:
    forms = []
    if request.user.has_perm(perm("void_payments")):
        for action in actions_for(payment):
            form = (bound if action.key == bound_action
                    else PaymentActionForm(prefix=action.key))
            forms.append((action, form))
    allocations = payment.allocations.select_related("bill", "bill_line").order_by(
        "created_at", "pk")
    return TemplateResponse(request, "payments/staff/revenue_payment.html", {
        "payment": payment,
        "receipt": Receipt.objects.filter(payment=payment).first(),
        "items": payment.items.select_related("bill"),
        "transitions": with_status_labels(payment.transitions.select_related("actor")),
        "events": payment.events.order_by("created_at", "pk"),
        "allocations": allocations,
        "allocated_net": allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0.00"),
        "credits": payment.credits.select_related("bill"),
        "refunds": payment.refunds.select_related("requested_by"),
        "tendered": cash_tendered(payment),
        "action_forms": forms,
    })


def get_payment(tran_id: str) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related("payer", "received_by", "counter_session"),
        tran_id=tran_id)


class RevenuePaymentView(StaffRoleRequiredMixin, View):
    """One payment: status, history, gateway events, ledger rows, credits; and actions."""

    permission_required = perm("view_revenue_reports")

    def get(self, request, tran_id: str):
        return render_payment(request, get_payment(tran_id))


class RevenuePaymentActionView(StaffRoleRequiredMixin, View):
    """POST: release, refund or void one payment, with a reason and a confirmation."""

    permission_required = perm("void_payments")
    http_method_names = ["post"]
    action = ""

    def post(self, request, tran_id: str):
        payment = get_payment(tran_id)
        action = _actions()[self.action]
        if action.key not in {a.key for a in actions_for(payment)}:
            messages.error(request, action.refusal % {"reason": _(
                "not possible while the payment is “%(status)s”.")
                % {"status": payment.get_status_display()}})
            return redirect("revenue_payment", tran_id=tran_id)
        form = PaymentActionForm(request.POST, prefix=action.key)
        if not form.is_valid():
            return render_payment(request, payment, bound=form, bound_action=action.key)
        reason = form.cleaned_data["reason"]
        try:
            if action.key == "release":
                payment_release_hold(payment=payment, officer=request.user, reason=reason)
            elif action.key == "refund":
                payment_refund_held(payment=payment, officer=request.user, reason=reason)
            else:
                payment_void(payment=payment, reason=reason, officer=request.user)
        except PaymentError as exc:
            refused(request, action.refusal, exc)
        else:
            messages.success(request, action.success)
        return redirect("revenue_payment", tran_id=tran_id)


# --- revenue officer: credits --------------------------------------------------------------


def render_credits(request, bound: CreditRefundForm | None = None,
                   bound_pk: int | None = None) -> HttpResponse:
    form = CreditFilterForm(request.GET)
    qs = form.filter(Credit.objects.filter(status=Credit.Status.OPEN)
                     .select_related("payer", "payment", "bill").order_by("created_at", "pk"))
    credits = paginate(request, qs)
    credits.object_list = list(credits.object_list)
    can_refund = request.user.has_perm(perm("void_payments"))
    if can_refund:
        for credit in credits.object_list:
            credit.form = (bound if credit.pk == bound_pk
                           else CreditRefundForm(prefix=f"c{credit.pk}"))
    return TemplateResponse(request, "payments/staff/revenue_credits.html",
                            {"form": form, "credits": credits, "can_refund": can_refund})


class RevenueCreditsView(StaffRoleRequiredMixin, View):
    """Open credits (money owed back) with a refund through the gateway."""

    permission_required = perm("view_revenue_reports")

    def get(self, request):
        return render_credits(request)


class RevenueCreditRefundView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request, pk: int):
        credit = get_object_or_404(Credit, pk=pk)
        form = CreditRefundForm(request.POST, prefix=f"c{credit.pk}")
        if not form.is_valid():
            return render_credits(request, bound=form, bound_pk=credit.pk)
        try:
            refund = payment_refund_credit(credit=credit, officer=request.user,
                                           remarks=form.cleaned_data["remarks"])
        except PaymentError as exc:
            refused(request, _("Could not refund the credit: %(reason)s"), exc)
        else:
            messages.success(request, _("Refund %(ref)s of %(amount)s sent to the gateway.")
                             % {"ref": refund.refund_trans_id,
                                "amount": format_amount(refund.amount)})
        return redirect("revenue_credits")

