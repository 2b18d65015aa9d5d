"""HTTP face of the SSLCommerz simulator: the gateway's APIs, its checkout page, IPNs.

Endpoints (relative to the simulator's mount point, see :mod:`payments.simulator.urls`):

* ``POST gwprocess/v4/api.php``: session API.
* ``GET|POST checkout/<sessionkey>/``: the "bank's" checkout page and its buttons.
* ``GET validator/api/validationserverAPI.php``: Order Validation API.
* ``GET validator/api/merchantTransIDvalidationAPI.php``: transaction query, refund
  initiation (``bank_tran_id`` + ``refund_amount``) and refund query (``refund_ref_id``).
* ``POST control/<tran_id>/``: test switches of every session of a tran_id.
* ``GET report/settlement/``: the transaction and settlement report of some days, as CSV
  or XLSX, with planted mismatches (:mod:`payments.simulator.report`).

The gateway's endpoints are CSRF-exempt and need no login, as at the real gateway. The
answers are built by the models; this module parses requests and delivers IPNs.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from payments.gateways.sslcommerz import sign_ipn_payload

from . import report
from .models import (
    DEFAULT_SLOW_SECONDS,
    SLOW_SWITCH,
    SWITCH_FLAGS,
    RefundRefused,
    SessionRefused,
    SimulatedRefund,
    SimulatedTransaction,
    parse_amount,
    parse_flag,
    parse_slow_seconds,
    switches_from_checkout,
)

logger = logging.getLogger(__name__)

#: Delay before the IPN thread posts, so the IPN usually races the browser's return.
IPN_DELAY_SECONDS = 0.2
IPN_TIMEOUT_SECONDS = 10
#: Attempts per IPN copy when the merchant cannot be reached at all.
IPN_ATTEMPTS = 3
IPN_RETRY_PAUSE_SECONDS = 0.5

CHECKOUT_ACTIONS = frozenset({"bkash", "card", "fail", "cancel"})


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _same(given: str | None, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def _credentials_ok(data: Mapping[str, str]) -> bool:
    """store_id and store_passwd match this (single-store) simulated gateway."""
    id_ok = _same(data.get("store_id"), settings.SSLCOMMERZ_STORE_ID)
    password_ok = _same(data.get("store_passwd"), settings.SSLCOMMERZ_STORE_PASSWORD)
    return id_ok and password_ok


def _gateway_down() -> HttpResponse:
    return HttpResponse(status=503)


def _signed(txn: SimulatedTransaction) -> dict[str, str | None]:
    return sign_ipn_payload(txn.gateway_fields(), settings.SSLCOMMERZ_STORE_PASSWORD)


def _post_ipn(url: str, payload: Mapping[str, str | None]) -> None:
    tran_id = payload.get("tran_id")
    for attempt in range(1, IPN_ATTEMPTS + 1):
        try:
            response = requests.post(
                url, data=dict(payload), timeout=IPN_TIMEOUT_SECONDS, allow_redirects=False
            )
        except requests.ConnectionError as exc:
            if attempt == IPN_ATTEMPTS:
                logger.warning("Simulator IPN for %s not delivered: %s", tran_id, exc)
                return
            time.sleep(IPN_RETRY_PAUSE_SECONDS * attempt)
            continue
        except requests.RequestException as exc:
            logger.warning("Simulator IPN for %s failed: %s", tran_id, exc)
            return
        logger.info("Simulator IPN for %s answered HTTP %s", tran_id, response.status_code)
        return


def _deliver_ipns(url: str, payload: Mapping[str, str | None], copies: int) -> None:
    time.sleep(IPN_DELAY_SECONDS)
    for _ in range(copies):
        _post_ipn(url, payload)


def schedule_ipn(url: str, payload: Mapping[str, str | None], *, copies: int = 1) -> None:
    """POST the IPN from a daemon thread once the current transaction commits.

    A thread, not an inline request: under one sync gunicorn worker the merchant's IPN
    view can only run after this response is sent.
    """

    def start() -> None:
        threading.Thread(
            target=_deliver_ipns,
            args=(url, dict(payload), copies),
            name=f"gateway-simulator-ipn-{payload.get('tran_id')}",
            daemon=True,
        ).start()

    transaction.on_commit(start, robust=True)


# --------------------------------------------------------------------------------------
# Session API
# --------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def session_api(request: HttpRequest) -> JsonResponse:
    """``POST gwprocess/v4/api.php``: open a checkout session."""
    if not _credentials_ok(request.POST):
        return JsonResponse(
            {"status": "FAILED", "failedreason": "Store Credential Error Or Store is De-active"}
        )
    try:
        txn = SimulatedTransaction.objects.open_session(settings.SSLCOMMERZ_STORE_ID, request.POST)
    except SessionRefused as refused:
        return JsonResponse({"status": "FAILED", "failedreason": str(refused)})
    page = request.build_absolute_uri(reverse("gateway_simulator:checkout", args=[txn.sessionkey]))
    return JsonResponse(
        {
            "status": "SUCCESS",
            "failedreason": "",
            "sessionkey": txn.sessionkey,
            "GatewayPageURL": page,
            "redirectGatewayURL": page,
            "directPaymentURL": "",
            "storeBanner": "",
            "storeLogo": "",
            "is_direct_pay_enable": "0",
        }
    )


# --------------------------------------------------------------------------------------
# Checkout page
# --------------------------------------------------------------------------------------


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class CheckoutView(View):
    """The bank's page: pay with bKash or card, make it fail, cancel; test switches."""

    template_name = "gateway_simulator/checkout.html"

    def get(self, request: HttpRequest, sessionkey: str) -> HttpResponse:
        txn = get_object_or_404(SimulatedTransaction, sessionkey=sessionkey)
        if not txn.is_open():
            return self._closed(request, txn)
        context = {"txn": txn, "default_slow_seconds": DEFAULT_SLOW_SECONDS}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, sessionkey: str) -> HttpResponse:
        txn = get_object_or_404(SimulatedTransaction, sessionkey=sessionkey)
        action = request.POST.get("action", "")
        if action not in CHECKOUT_ACTIONS:
            return HttpResponse(status=400)
        switches = switches_from_checkout(request.POST)
        with transaction.atomic():
            if not txn.close(action, switches):
                return self._closed(request, txn)
            payload = _signed(txn)
            if txn.ipn_url and not switches["no_ipn"]:
                copies = 2 if switches["duplicate_ipn"] else 1
                schedule_ipn(txn.ipn_url, payload, copies=copies)
        context = {"txn": txn, "return_url": txn.return_url, "fields": list(payload.items())}
        return render(request, "gateway_simulator/return.html", context)

    def _closed(self, request: HttpRequest, txn: SimulatedTransaction) -> HttpResponse:
        """The session was paid, failed, cancelled or expired already."""
        context: dict[str, Any] = {"txn": txn, "expired": txn.is_expired()}
        if txn.status != SimulatedTransaction.Status.PENDING:
            context.update(return_url=txn.return_url, fields=list(_signed(txn).items()))
        return render(request, "gateway_simulator/closed.html", context, status=409)


# --------------------------------------------------------------------------------------
# Validation API
# --------------------------------------------------------------------------------------


@csrf_exempt
@require_GET
def validation_api(request: HttpRequest) -> HttpResponse:
    """``GET validator/api/validationserverAPI.php``: is val_id a real payment?

    Answers after ``SSLCOMMERZ_SIMULATOR_LATENCY_MS`` (the benchmarks' stand-in for the
    round trip to the real gateway; 0 by default)."""
    latency_ms = getattr(settings, "SSLCOMMERZ_SIMULATOR_LATENCY_MS", 0)
    if latency_ms:
        time.sleep(latency_ms / 1000)
    txn = SimulatedTransaction.objects.by_val_id(request.GET.get("val_id", "").strip())
    if txn is not None and txn.switch("validation_down"):
        return _gateway_down()
    if txn is None or not _credentials_ok(request.GET) or not txn.is_paid:
        return JsonResponse({"status": "INVALID_TRANSACTION"})
    if txn.slow_seconds:
        time.sleep(txn.slow_seconds)
    status = "VALID" if txn.mark_validated() else "VALIDATED"
    return JsonResponse(txn.validation_fields(status))


# --------------------------------------------------------------------------------------
# Transaction query and refunds (one endpoint, as at the real gateway)
# --------------------------------------------------------------------------------------


@csrf_exempt
@require_GET
def merchant_trans_api(request: HttpRequest) -> HttpResponse:
    """``GET validator/api/merchantTransIDvalidationAPI.php``."""
    query = request.GET
    if "refund_ref_id" in query:
        return _refund_query(query)
    if "bank_tran_id" in query or "refund_amount" in query:
        return _refund_initiate(query)
    return _transaction_query(query)


def _invalid_request() -> JsonResponse:
    return JsonResponse({"APIConnect": "INVALID_REQUEST"})


def _transaction_query(query: Mapping[str, str]) -> HttpResponse:
    tran_id = query.get("tran_id", "").strip()
    sessions = list(SimulatedTransaction.objects.filter(tran_id=tran_id)) if tran_id else []
    if any(txn.switch("validation_down") for txn in sessions):
        return _gateway_down()
    if not tran_id or not _credentials_ok(query):
        return _invalid_request()
    elements = [txn.query_element() for txn in sessions if txn.store_id == query["store_id"]]
    return JsonResponse(
        {"APIConnect": "DONE", "no_of_trans_found": len(elements), "element": elements}
    )


def _refund_failed(query: Mapping[str, str], reason: str) -> JsonResponse:
    return JsonResponse(
        {
            "APIConnect": "DONE",
            "bank_tran_id": query.get("bank_tran_id", ""),
            "trans_id": query.get("refund_trans_id", ""),
            "refund_ref_id": "",
            "status": "failed",
            "errorReason": reason,
        }
    )


def _refund_initiate(query: Mapping[str, str]) -> HttpResponse:
    bank_tran_id = query.get("bank_tran_id", "").strip()
    paid = SimulatedTransaction.objects.paid().filter(bank_tran_id=bank_tran_id).first()
    if paid is not None and paid.switch("validation_down"):
        return _gateway_down()
    if not bank_tran_id or not _credentials_ok(query):
        return _invalid_request()
    amount = parse_amount(query.get("refund_amount"))
    if amount is None:
        return _refund_failed(query, "Invalid refund_amount")
    try:
        refund = SimulatedRefund.objects.initiate(
            bank_tran_id=bank_tran_id,
            amount=amount,
            remarks=query.get("refund_remarks", ""),
            refund_trans_id=query.get("refund_trans_id", "").strip(),
        )
    except RefundRefused as refused:
        return _refund_failed(query, str(refused))
    return JsonResponse(refund.initiate_answer())


def _refund_query(query: Mapping[str, str]) -> HttpResponse:
    ref = query.get("refund_ref_id", "").strip()
    refund = (
        SimulatedRefund.objects.select_related("transaction").filter(refund_ref_id=ref).first()
        if ref
        else None
    )
    if refund is not None and refund.transaction.switch("validation_down"):
        return _gateway_down()
    if not ref or not _credentials_ok(query):
        return _invalid_request()
    if refund is None:
        return JsonResponse(
            {
                "APIConnect": "DONE",
                "refund_ref_id": ref,
                "status": "failed",
                "errorReason": "Invalid refund_ref_id",
            }
        )
    return JsonResponse(refund.query_answer())


# --------------------------------------------------------------------------------------
# Test control
# --------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def control(request: HttpRequest, tran_id: str) -> JsonResponse:
    """``POST control/<tran_id>/``: set or clear test switches of every session.

    Fields: ``clear=1`` resets all switches first; ``risk``, ``no_ipn``,
    ``duplicate_ipn``, ``validation_down`` take 0/1; ``slow_validation`` takes seconds
    (0 turns it off).
    """
    changes: dict[str, Any] = {
        flag: parse_flag(request.POST[flag]) for flag in SWITCH_FLAGS if flag in request.POST
    }
    if SLOW_SWITCH in request.POST:
        try:
            changes[SLOW_SWITCH] = parse_slow_seconds(request.POST[SLOW_SWITCH], default=0)
        except ValueError:
            return JsonResponse({"error": f"{SLOW_SWITCH} must be whole seconds"}, status=400)
    clear = parse_flag(request.POST.get("clear"))
    count = SimulatedTransaction.objects.set_switches(tran_id, changes, clear=clear)
    if not count:
        return JsonResponse({"error": "unknown tran_id", "tran_id": tran_id}, status=404)
    sessions = SimulatedTransaction.objects.filter(tran_id=tran_id)
    return JsonResponse(
        {
            "tran_id": tran_id,
            "sessions": [
                {"sessionkey": txn.sessionkey, "status": txn.status, "switches": txn.switches}
                for txn in sessions
            ],
        }
    )


# --------------------------------------------------------------------------------------
# The merchant panel's settlement report
# --------------------------------------------------------------------------------------


def _planted(values: list[str]) -> dict[str, str]:
    """["tran_id:value", ...] → {tran_id: value}; malformed entries are skipped."""
    pairs = (v.rsplit(":", 1) for v in values if ":" in v)
    return {tran_id.strip(): value.strip() for tran_id, value in pairs}


@require_GET
def settlement_report(request: HttpRequest) -> HttpResponse:
    """``GET report/settlement/?from=2026-11-01&to=2026-11-30&format=csv|xlsx`` with planted
    mismatches: ``omit=<tran_id>``, ``amount=<tran_id>:<amount>``, ``status=<tran_id>:<STATUS>``
    (each may repeat). Without dates: today."""
    today = timezone.localdate()
    try:
        first = date.fromisoformat(request.GET.get("from") or today.isoformat())
        last = date.fromisoformat(request.GET.get("to") or first.isoformat())
    except ValueError:
        return JsonResponse({"error": "from and to are dates: 2026-11-30"}, status=400)
    amounts = {}
    for tran_id, value in _planted(request.GET.getlist("amount")).items():
        amount = parse_amount(value)
        if amount is not None:
            amounts[tran_id] = amount
    rows = report.report_rows(
        first,
        last,
        omit=set(request.GET.getlist("omit")),
        amounts=amounts,
        statuses={k: v.upper() for k, v in _planted(request.GET.getlist("status")).items()},
    )
    name = f"settlement-{first.isoformat()}-{last.isoformat()}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            report.as_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(report.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
