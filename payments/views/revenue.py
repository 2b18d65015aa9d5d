"""The revenue officer's pages: verifying cash sessions, held and flagged payments
(release, refund, void) and credits to refund through the gateway."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from core.money import format_amount
from core.roles import perm
from core.status import status_label
from core.views import StaffRoleRequiredMixin, paginate

from ..collections import METHOD_LABELS
from ..models import (
    CounterSession,
    Credit,
    Payment,
    PaymentTransition,
    Receipt,
)
from ..rollups import method_of
from ..services import (
    PaymentError,
    counter_session_verify,
    payment_refund_credit,
    payment_refund_held,
    payment_release_hold,
    payment_void,
)
from ..staff_common import cash_tendered, refused
from ..staff_forms import (
    CreditFilterForm,
    CreditRefundForm,
    PaymentActionForm,
    PaymentFilterForm,
    VerifySessionForm,
)

# --- revenue officer: counter sessions ---------------------------------------------------


def verify_form(session: CounterSession, data: QueryDict | None = None) -> VerifySessionForm:
    return VerifySessionForm(data, prefix=f"s{session.pk}")


def render_sessions(
    request: HttpRequest, bound: VerifySessionForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    base = CounterSession.objects.select_related("clerk", "verified_by").annotate(
        payments_count=Count("payments", filter=Q(payments__status=Payment.Status.SUCCEEDED))
    )
    waiting = paginate(
        request, base.filter(status=CounterSession.Status.CLOSED).order_by("closed_at", "pk")
    )
    waiting.object_list = list(waiting.object_list)  # a list from here on
    for session in waiting.object_list:
        session.form = bound if session.pk == bound_pk else verify_form(session)
    verified = paginate(
        request,
        base.filter(status=CounterSession.Status.VERIFIED).order_by("-verified_at", "-pk"),
        param="vpage",
    )
    return TemplateResponse(
        request, "payments/staff/revenue_sessions.html", {"waiting": waiting, "verified": verified}
    )


class RevenueSessionsView(StaffRoleRequiredMixin, View):
    """Closed sessions waiting for verification, and recently verified ones."""

    permission_required = perm("verify_counter_sessions")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_sessions(request)


class RevenueSessionVerifyView(StaffRoleRequiredMixin, View):
    permission_required = perm("verify_counter_sessions")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(CounterSession, pk=pk)
        form = verify_form(session, request.POST)
        if not form.is_valid():
            return render_sessions(request, bound=form, bound_pk=session.pk)
        try:
            session = counter_session_verify(
                session=session, officer=request.user, note=form.cleaned_data["note"]
            )
        except PaymentError as exc:
            refused(request, _("Could not verify the cash session: %(reason)s"), exc)
        else:
            messages.success(
                request,
                _("Session #%(pk)s of %(clerk)s is verified.")
                % {"pk": session.pk, "clerk": session.clerk},
            )
        return redirect("payments:revenue_sessions")


# --- revenue officer: payments ------------------------------------------------------------


class RevenuePaymentsView(StaffRoleRequiredMixin, View):
    """Payments on hold or flagged, or any status, searchable by tran_id or mobile."""

    permission_required = perm("view_revenue_reports")
    template_name = "payments/staff/revenue_payments.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PaymentFilterForm(request.GET)
        qs = form.filter(
            Payment.objects.select_related("payer", "received_by").order_by("-created_at", "-pk")
        )
        return TemplateResponse(
            request, self.template_name, {"form": form, "payments": paginate(request, qs)}
        )


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    button: str
    statuses: frozenset[str]
    counter_only: bool = False
    success: str = ""
    refusal: str = ""

    @property
    def url_name(self) -> str:
        return f"payments:revenue_payment_{self.key}"


def _actions() -> dict[str, Action]:
    held = frozenset({Payment.Status.ON_HOLD, Payment.Status.FLAGGED})
    return {
        "release": Action(
            "release",
            _("Release (settle)"),
            _("Release and settle"),
            held,
            success=_("The payment is settled and its bills are paid."),
            refusal=_("Could not release the payment: %(reason)s"),
        ),
        "refund": Action(
            "refund",
            _("Refund in full"),
            _("Refund in full"),
            held,
            success=_("The refund was sent to the gateway."),
            refusal=_("Could not refund the payment: %(reason)s"),
        ),
        "void": Action(
            "void",
            _("Void"),
            _("Void this payment"),
            frozenset({Payment.Status.SUCCEEDED}),
            counter_only=True,
            success=_("The payment is void; its bills are open again."),
            refusal=_("Could not void the payment: %(reason)s"),
        ),
    }


def actions_for(payment: Payment) -> list[Action]:
    return [
        a
        for a in _actions().values()
        if payment.status in a.statuses
        and (not a.counter_only or payment.channel == Payment.Channel.COUNTER)
    ]


def with_status_labels(transitions: Iterable[PaymentTransition]) -> list[Any]:
    rows: list[Any] = list(transitions)  # each row gets two label attributes
    for row in rows:
        row.from_label = status_label(Payment.Status, row.from_status)
        row.to_label = status_label(Payment.Status, row.to_status)
    return rows


def render_payment(
    request: HttpRequest,
    payment: Payment,
    bound: PaymentActionForm | None = None,
    bound_action: str = "",
) -> HttpResponse:
    forms = []
    if request.user.has_perm(perm("void_payments")):
        for action in actions_for(payment):
            form = bound if action.key == bound_action else PaymentActionForm(prefix=action.key)
            forms.append((action, form))
    allocations = payment.allocations.select_related("bill", "bill_line").order_by(
        "created_at", "pk"
    )
    return TemplateResponse(
        request,
        "payments/staff/revenue_payment.html",
        {
            "payment": payment,
            "method": METHOD_LABELS[method_of(payment.channel, payment.card_type)],
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
        },
    )


def get_payment(tran_id: str) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related("payer", "received_by", "counter_session"),
        tran_id=tran_id,
    )


class RevenuePaymentView(StaffRoleRequiredMixin, View):
    """One payment: status, history, gateway events, ledger rows, credits; and actions."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, tran_id: str) -> HttpResponse:
        return render_payment(request, get_payment(tran_id))


class RevenuePaymentActionView(StaffRoleRequiredMixin, View):
    """POST: release, refund or void one payment, with a reason and a confirmation."""

    permission_required = perm("void_payments")
    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, tran_id: str) -> HttpResponse:
        payment = get_payment(tran_id)
        action = _actions()[self.action]
        if action.key not in {a.key for a in actions_for(payment)}:
            messages.error(
                request,
                action.refusal
                % {
                    "reason": _("not possible while the payment is “%(status)s”.")
                    % {"status": payment.get_status_display()}
                },
            )
            return redirect("payments:revenue_payment", tran_id=tran_id)
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
        return redirect("payments:revenue_payment", tran_id=tran_id)


# --- revenue officer: credits --------------------------------------------------------------


def render_credits(
    request: HttpRequest, bound: CreditRefundForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    form = CreditFilterForm(request.GET)
    qs = form.filter(
        Credit.objects.filter(status=Credit.Status.OPEN)
        .select_related("payer", "payment", "bill")
        .order_by("created_at", "pk")
    )
    credits = paginate(request, qs)
    credits.object_list = list(credits.object_list)
    can_refund = request.user.has_perm(perm("void_payments"))
    if can_refund:
        for credit in credits.object_list:
            credit.form = (
                bound if credit.pk == bound_pk else CreditRefundForm(prefix=f"c{credit.pk}")
            )
    return TemplateResponse(
        request,
        "payments/staff/revenue_credits.html",
        {"form": form, "credits": credits, "can_refund": can_refund},
    )


class RevenueCreditsView(StaffRoleRequiredMixin, View):
    """Open credits (money owed back) with a refund through the gateway."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_credits(request)


class RevenueCreditRefundView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        credit = get_object_or_404(Credit, pk=pk)
        form = CreditRefundForm(request.POST, prefix=f"c{credit.pk}")
        if not form.is_valid():
            return render_credits(request, bound=form, bound_pk=credit.pk)
        try:
            refund = payment_refund_credit(
                credit=credit, officer=request.user, remarks=form.cleaned_data["remarks"]
            )
        except PaymentError as exc:
            refused(request, _("Could not refund the credit: %(reason)s"), exc)
        else:
            messages.success(
                request,
                _("Refund %(ref)s of %(amount)s sent to the gateway.")
                % {"ref": refund.refund_trans_id, "amount": format_amount(refund.amount)},
            )
        return redirect("payments:revenue_credits")
