"""The counter clerk's pages: cash session, bill search, taking cash, receipts, closing.

Views are thin: forms in staff_forms.py clean the input, payments.services does every
write, and a refused operation (PaymentError) is shown as a message with nothing changed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core.pdf import qr_data_uri
from core.roles import perm
from core.views import StaffRoleRequiredMixin, paginate

from ..models import (
    BillLine,
    CounterSession,
    Payment,
    Receipt,
)
from ..receipts import verify_url
from ..services import (
    PaymentError,
    counter_session_close,
    counter_session_open,
    counter_take_cash,
)
from ..services.counter import session_cash_taken
from ..staff_common import cash_tendered, refused
from ..staff_forms import (
    BillSearchForm,
    CloseSessionForm,
    OpenSessionForm,
    TakeCashForm,
)

# --- counter clerk ----------------------------------------------------------------------


class CounterMixin(StaffRoleRequiredMixin):
    permission_required = perm("use_counter")

    def open_session(self) -> CounterSession | None:
        # Signed in (the mixin), so user.pk is the clerk's id; these pages filter by it.
        return CounterSession.objects.filter(
            clerk=self.request.user.pk, status=CounterSession.Status.OPEN
        ).first()


def session_summary(session: CounterSession) -> dict[str, Any]:
    taken = session_cash_taken(session)
    return {
        "session": session,
        "payments_count": session.payments.filter(status=Payment.Status.SUCCEEDED).count(),
        "cash_taken": taken,
        "expected_cash": session.opening_float + taken,
    }


def session_expected_cash(session: CounterSession) -> Decimal:
    return session.opening_float + session_cash_taken(session)


def render_counter_home(
    request: HttpRequest, open_form: OpenSessionForm | None = None
) -> HttpResponse:
    session = CounterSession.objects.filter(
        clerk=request.user.pk, status=CounterSession.Status.OPEN
    ).first()
    search = BillSearchForm(request.GET or None)
    context: dict[str, Any] = {"search": search, "query": request.GET.get("q", "")}
    if session:
        context.update(session_summary(session))
        context["recent_payments"] = session.payments.select_related("receipt").order_by(
            "-created_at", "-pk"
        )[:10]
    else:
        context["open_form"] = open_form or OpenSessionForm()
    if search.is_bound:
        context["results"] = results = paginate(request, search.bills())
        # Every bill found is ticked at first: the running total starts at their sum.
        context["ticked_total"] = sum((b.total for b in results), Decimal("0.00"))
        context["take_form"] = TakeCashForm()
    return TemplateResponse(request, "payments/staff/counter_home.html", context)


class CounterHomeView(CounterMixin, View):
    """My cash session (or the form to open one) and the bill search."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_counter_home(request)


class CounterOpenSessionView(CounterMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OpenSessionForm(request.POST)
        if not form.is_valid():
            return render_counter_home(request, open_form=form)
        try:
            counter_session_open(
                clerk=request.user, opening_float=form.cleaned_data["opening_cash"]
            )
        except PaymentError as exc:
            refused(request, _("Could not open the cash session: %(reason)s"), exc)
        else:
            messages.success(request, _("Your cash session is open."))
        return redirect("payments:counter_home")


def _back_to_search(query: str) -> HttpResponseRedirect:
    url = reverse("payments:counter_home")
    if query:
        url = f"{url}?{urlencode({'q': query})}"
    return HttpResponseRedirect(url)


class CounterTakeCashView(CounterMixin, View):
    """GET: the confirmation page for the ticked bills. POST: take the cash."""

    template_name = "payments/staff/counter_confirm.html"

    def render(self, request: HttpRequest, form: TakeCashForm, query: str) -> HttpResponse:
        context = {"form": form, "query": query}
        if form.is_valid():
            bills = form.cleaned_data["bills"]
            tendered = form.cleaned_data["tendered"]
            total = form.cleaned_data["total"]
            context.update(
                bills=bills,
                total=total,
                tendered=tendered,
                change=(tendered - total) if tendered is not None else None,
                unpayable=[b for b in bills if not b.is_payable],
            )
        return TemplateResponse(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")
        if not self.open_session():
            messages.error(request, _("Open your cash session before taking cash."))
            return _back_to_search(query)
        return self.render(request, TakeCashForm(request.GET), query)

    def post(self, request: HttpRequest) -> HttpResponse:
        query = request.POST.get("q", "")
        session = self.open_session()
        if not session:
            messages.error(request, _("Open your cash session before taking cash."))
            return _back_to_search(query)
        form = TakeCashForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, query)
        try:
            payment = counter_take_cash(
                session=session,
                bills=form.cleaned_data["bills"],
                clerk=request.user,
                tendered=form.cleaned_data["tendered"],
            )
        except PaymentError as exc:
            refused(request, _("Could not take the payment: %(reason)s"), exc)
            return _back_to_search(query)
        messages.success(request, _("Cash received. Give the payer the receipt."))
        return redirect("payments:counter_payment", tran_id=payment.tran_id)


class CounterPaymentView(CounterMixin, View):
    """The receipt for a cash payment: print it, or download the PDF."""

    template_name = "payments/staff/counter_payment.html"

    def get(self, request: HttpRequest, tran_id: str) -> HttpResponse:
        payments = Payment.objects.filter(channel=Payment.Channel.COUNTER)
        if not request.user.has_perm(perm("view_revenue_reports")):
            payments = payments.filter(received_by=request.user.pk)
        payment = get_object_or_404(
            payments.select_related("received_by", "counter_session"), tran_id=tran_id
        )
        receipt = Receipt.objects.filter(payment=payment).first()
        verify = verify_url(receipt) if receipt else ""
        tendered = cash_tendered(payment)
        items = payment.items.select_related("bill").prefetch_related(
            Prefetch("bill__lines", queryset=BillLine.objects.order_by("position", "pk"))
        )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "payment": payment,
                "receipt": receipt,
                # As on the PDF: a QR code to the public check, and its code to type.
                "verify_url": verify,
                "qr_data_uri": qr_data_uri(verify) if verify else "",
                "items": items,
                "tendered": tendered,
                "change": (tendered - payment.amount) if tendered is not None else None,
            },
        )


class CounterCloseView(CounterMixin, View):
    """Close my cash session with the counted cash."""

    template_name = "payments/staff/counter_close.html"

    def render(
        self, request: HttpRequest, session: CounterSession, form: CloseSessionForm
    ) -> HttpResponse:
        return TemplateResponse(
            request, self.template_name, {"form": form, **session_summary(session)}
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        session = self.open_session()
        if not session:
            last = (
                CounterSession.objects.filter(clerk=request.user.pk)
                .exclude(status=CounterSession.Status.OPEN)
                .order_by("-closed_at", "-pk")
                .first()
            )
            return TemplateResponse(request, self.template_name, {"last_session": last})
        return self.render(
            request, session, CloseSessionForm(expected_cash=session_expected_cash(session))
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        session = self.open_session()
        if not session:
            messages.info(request, _("You have no open cash session to close."))
            return redirect("payments:counter_home")
        form = CloseSessionForm(request.POST, expected_cash=session_expected_cash(session))
        if not form.is_valid():
            return self.render(request, session, form)
        try:
            session = counter_session_close(
                session=session,
                clerk=request.user,
                counted_cash=form.cleaned_data["counted_cash"],
                note=form.cleaned_data["note"],
            )
        except PaymentError as exc:
            # e.g. a payment taken meanwhile made the drawer short: the form again, the
            # reason on it, nothing closed.
            form.add_error(None, str(exc))
            return self.render(request, session, form)
        messages.success(request, _("Your cash session is closed."))
        return redirect("payments:counter_session", pk=session.pk)


class CounterSessionView(CounterMixin, View):
    """One of my sessions: what was expected, what was counted, over or short."""

    template_name = "payments/staff/counter_session.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(CounterSession, pk=pk, clerk=request.user.pk)
        payments = paginate(
            request, session.payments.select_related("receipt").order_by("created_at", "pk")
        )
        return TemplateResponse(
            request, self.template_name, {**session_summary(session), "payments": payments}
        )
