"""Citizen pages (my bills, pay, status, history) and the gateway callbacks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import citizen_cache, portal
from core.audit import client_ip
from core.digits import localize_digits
from core.privacy import mask_mobile
from core.ratelimit import over_limit

from .. import selectors
from ..dashboard_panels import dues_html
from ..models import Payment, PaymentEvent
from ..notify import recipients
from ..registry import subject_links
from ..services import (
    PaymentError,
    ipn_receive,
    payment_initiate_online,
    payment_reconcile,
    payment_try_again,
)
from ..services.callbacks import count_refused
from ..services.online import RETRYABLE_STATUSES, retry_bills, return_receive

#: While a payment is open its status page reloads itself this long after it began (the
#: gateway normally answers in under a minute); after that the reconciliation task, which
#: asks the gateway about payments pending over 15 minutes, takes over.
STATUS_AUTO_REFRESH_MINUTES = 15
#: "Try again" presses per address (each opens a gateway session) in 10 minutes.
TRY_AGAIN_LIMIT, TRY_AGAIN_WINDOW = 20, 600


def owed(user: Any) -> dict[str, Any]:
    """What "what I owe" shows of `user`'s (cached with their figures): the open bills,
    each row rendered but its tick box, and the dues not billed yet."""
    bills = [
        {
            "pk": bill.pk,
            "number": bill.number,
            "total": bill.total,
            "cells": render_to_string("payments/_bill_cells.html", {"bill": bill}),
        }
        for bill in selectors.open_bills_for(user)
    ]
    dues = portal.open_dues(user)
    return {"bills": bills, "dues": dues, "dues_html": dues_html(dues)}


@login_required
def my_bills(request: HttpRequest) -> HttpResponse:
    figures = citizen_cache.figures(request.user, "owed", lambda: owed(request.user))
    # Ticked at first: every bill, or only the one just made ("?new=<number>"); the page
    # keeps the total of the ticked ones as they change (static/js/portal.js).
    new = request.GET.get("new")
    checked_total = sum(
        (b["total"] for b in figures["bills"] if not new or b["number"] == new), Decimal("0")
    )
    return render(
        request, "payments/my_bills.html", {**figures, "new": new, "checked_total": checked_total}
    )


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """The payer's cart: one gateway transaction for the chosen open bills."""
    numbers = request.POST.getlist("bills")
    bills, missing = selectors.open_bills_by_number(request.user, numbers)
    if not numbers or missing:
        messages.error(request, _("Choose one or more of your open bills to pay."))
        return redirect("payments:bills")
    try:
        payment = payment_initiate_online(bills=bills, payer=request.user)
    except PaymentError as exc:
        messages.error(request, _("The payment could not start: %(reason)s") % {"reason": exc})
        return redirect("payments:bills")
    return HttpResponseRedirect(payment.gateway_url)


def _may_try_again(request: HttpRequest, payment: Payment) -> bool:
    """A payer's own payment is tried again only by that payer; a quick-pay one (no
    account) by whoever holds its (unguessable) transaction id, as its status page."""
    return payment.payer_id is None or request.user.pk == payment.payer_id


@require_http_methods(["GET", "POST"])
def payment_status(request: HttpRequest, tran_id: str) -> HttpResponse:
    """An honest status page; "check again" asks the gateway (never trusts the browser).

    Cancelled, failed or expired: said at once, with "try again" for the bills still open.
    Confirming: only while the gateway has not answered, with how long it may take."""
    payment = selectors.payment_by_tran_id(tran_id)
    if payment is None:
        raise Http404
    if request.method == "POST" and payment.status in Payment.OPEN_STATUSES:
        payment_reconcile(payment=payment)
        return redirect("payments:status", tran_id=tran_id)
    outcomes = selectors.payment_outcomes(payment)
    is_open = payment.status in Payment.OPEN_STATUSES
    age = timezone.now() - payment.created_at
    retryable = payment.channel == Payment.Channel.ONLINE and payment.status in RETRYABLE_STATUSES
    payable, gone = retry_bills(payment) if retryable else ([], [])
    return render(
        request,
        "payments/status.html",
        {
            "payment": payment,
            "outcomes": outcomes,
            "applied_any": any(o.applied for o in outcomes),
            "credited": [o for o in outcomes if o.credit is not None],
            "auto_refresh": is_open and age.total_seconds() < STATUS_AUTO_REFRESH_MINUTES * 60,
            "refresh_minutes": STATUS_AUTO_REFRESH_MINUTES,
            "retryable": retryable,
            "retry_bills": payable,
            "retry_total": sum((b.total for b in payable), Decimal("0.00")),
            "retry_gone": gone,
            "may_try_again": _may_try_again(request, payment),
            "receipt_sms_to": ", ".join(
                localize_digits(mask_mobile(mobile)) for mobile, _lang in recipients(payment)
            )
            if payment.status == Payment.Status.SUCCEEDED
            else "",
            "subject_links": (
                subject_links(o.bill for o in outcomes) if request.user.is_authenticated else []
            ),
        },
    )


@require_POST
def payment_again(request: HttpRequest, tran_id: str) -> HttpResponse:
    """The status page's "try again" after a cancelled, failed or expired payment: a new
    payment of the same bills that are still open, straight to the gateway."""
    payment = selectors.payment_by_tran_id(tran_id)
    if payment is None:
        raise Http404
    status_url = reverse("payments:status", args=[tran_id])
    if not _may_try_again(request, payment):
        if not request.user.is_authenticated:
            return redirect_to_login(status_url)
        raise Http404
    if over_limit(
        f"payments:try-again:{client_ip(request) or 'unknown'}", TRY_AGAIN_LIMIT, TRY_AGAIN_WINDOW
    ):
        messages.error(
            request,
            _("Too many attempts from your connection. Please wait 10 minutes and try again."),
        )
        return redirect(status_url)
    try:
        again = payment_try_again(payment=payment)
    except PaymentError as exc:
        messages.error(request, _("The payment could not start: %(reason)s") % {"reason": exc})
        return redirect(status_url)
    # A second press while the first one's session is still opening: its status page.
    return HttpResponseRedirect(
        again.gateway_url or reverse("payments:status", args=[again.tran_id])
    )


@require_safe
def payment_receipt_pdf(request: HttpRequest, tran_id: str) -> HttpResponse:
    """The receipt of a paid payment, for whoever holds its (unguessable) transaction id:
    quick pay from abroad has no account to sign in with."""
    from .receipts import pdf_response

    payment = selectors.payment_by_tran_id(tran_id)
    receipt = getattr(payment, "receipt", None) if payment else None
    if receipt is None:
        raise Http404
    return pdf_response(receipt)


@login_required
def my_payments(request: HttpRequest) -> HttpResponse:
    return render(
        request, "payments/history.html", {"payments": selectors.payments_for(request.user)[:100]}
    )


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


View = Callable[..., HttpResponse]


def callback_guard(kind: str) -> Callable[[View], View]:
    """Bound a gateway callback view before its body is read: a body or query string over
    settings.PAYMENTS_CALLBACK_MAX_BYTES answers 413, and more than
    settings.PAYMENTS_CALLBACK_RATE_LIMIT requests from one address in
    settings.PAYMENTS_CALLBACK_RATE_WINDOW seconds answer 429 (the gateway's own servers,
    settings.PAYMENTS_CALLBACK_TRUSTED_IPS, are never limited: on the 30 June rush its
    notifications come from a few addresses). Either way nothing is
    stored; the refusal is counted and logged (payments.services.callbacks).

    The view checks its own form fields for NUL characters (the service records a small
    trace of the refusal and the view answers 400), so core's NUL middleware leaves its
    body alone (`checks_own_form`)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ip = client_ip(request)
            cap = settings.PAYMENTS_CALLBACK_MAX_BYTES
            if _content_length(request) > cap or len(request.META.get("QUERY_STRING", "")) > cap:
                count_refused(kind=kind, reason="too large", remote_addr=ip)
                return HttpResponse(
                    _("The request is too large."),
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
            trusted = ip in settings.PAYMENTS_CALLBACK_TRUSTED_IPS  # the gateway's servers
            if not trusted and over_limit(
                f"payments:callbacks:ip:{ip or 'unknown'}",
                settings.PAYMENTS_CALLBACK_RATE_LIMIT,
                settings.PAYMENTS_CALLBACK_RATE_WINDOW,
            ):
                count_refused(kind=kind, reason="rate limit", remote_addr=ip)
                return HttpResponse(
                    _("Too many requests from your address. Please wait a minute."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        # A function attribute (read by core's NUL middleware), set the way mypy can check.
        guarded.__dict__["checks_own_form"] = True
        return guarded

    return decorate


@csrf_exempt
@require_POST
@callback_guard(PaymentEvent.Kind.IPN)
def sslcommerz_ipn(request: HttpRequest) -> HttpResponse:
    """Server-to-server notification from the gateway. Verified and validated before money
    is counted; never answers with a server error for bad input."""
    status, answer = ipn_receive(payload=request.POST.dict(), remote_addr=client_ip(request))
    return HttpResponse(answer, status=status, content_type="text/plain")


def _browser_return(kind: str) -> View:
    @csrf_exempt
    @require_http_methods(["GET", "POST"])
    @callback_guard(kind)
    def view(request: HttpRequest) -> HttpResponse:
        data = request.POST.dict() if request.method == "POST" else request.GET.dict()
        if any("\x00" in key or "\x00" in value for key, value in data.items()):
            return_receive(kind=kind, payload=data, remote_addr=client_ip(request))
            return HttpResponseBadRequest(
                _("The request contains a NUL character."), content_type="text/plain; charset=utf-8"
            )
        payment = return_receive(kind=kind, payload=data, remote_addr=client_ip(request))
        if payment is None:
            messages.error(request, _("We could not find that payment."))
            return redirect("home")
        if kind != PaymentEvent.Kind.RETURN_SUCCESS and payment.status in Payment.OPEN_STATUSES:
            # The browser's "failed" or "cancelled" is only a claim: ask the gateway itself,
            # which decides as its notification would, so the page says so at once.
            payment_reconcile(payment=payment)
        # 303: the browser follows with a GET, where our own cookies apply again.
        response = HttpResponseRedirect(reverse("payments:status", args=[payment.tran_id]))
        response.status_code = 303
        return response

    return view


sslcommerz_success = _browser_return(PaymentEvent.Kind.RETURN_SUCCESS)
sslcommerz_fail = _browser_return(PaymentEvent.Kind.RETURN_FAIL)
sslcommerz_cancel = _browser_return(PaymentEvent.Kind.RETURN_CANCEL)
