"""Water bill pages for citizens: my water connections, linking one (a code to its billing
mobile, or from a holding linked to the account), a connection's page (consumption over 12
months as a chart with its table, the bills, paying in "my bills" with the other services),
a month's bill as PDF (the connection's account holder and staff), and the pay link the
bill's SMS carries (anyone holding the bill's code)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core.audit import client_ip
from core.digits import is_bengali, localize_digits
from core.formfields import DigitsInput
from core.privacy import mask_name
from core.ratelimit import RateLimitUnavailable
from core.roles import perm
from payments.models import Bill, BillClaim

from ..dashboard_panels import connections_with_dues
from ..documents import _months_back, pdf_filename
from ..documents import bill_pdf as render_bill_pdf
from ..models import Connection, Reading, WaterBill
from ..selectors import connection_by_consumer_no, meter_in_place
from ..services.billing import SERVICE, month_bn, month_en, unpaid_months, water_bill_issue
from ..services.linking import (
    code_minutes,
    connection_link_by_holding,
    connection_link_send_code,
    connection_link_verify_code,
    connections_on_my_holdings,
    too_many_link_tries,
)
from ..tariff import SPIKE

STAFF_PERMISSIONS = (perm("manage_water"), perm("use_counter"), perm("view_revenue_reports"))


def bill_visible_to(user, bill: WaterBill) -> bool:
    if not user.is_authenticated:
        return False
    if bill.connection.user_id == user.pk:
        return True
    return any(user.has_perm(p) for p in STAFF_PERMISSIONS)


@login_required
@require_safe
def bill_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A month's bill as PDF, for the connection's account holder and water, counter and
    revenue staff."""
    bill = get_object_or_404(WaterBill.objects.select_related("connection"), pk=pk)
    if not bill_visible_to(request.user, bill):
        raise PermissionDenied(_("You can download only the bills of your own connections."))
    response = HttpResponse(render_bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=pdf_filename(bill)) or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    """The pay link of a bill's SMS: the connection's unpaid months (the consumer's name
    partly hidden) and a button that takes them to the gateway — for whoever holds the
    code, with or without an account (as holding tax's quick pay)."""
    bill = get_object_or_404(
        WaterBill.objects.select_related("connection__ward"), verify_code=code.strip().lower()
    )
    connection = bill.connection
    months = unpaid_months(connection)
    error = ""
    if request.method == "POST" and months:
        from payments.services import PaymentError, payment_initiate_online

        user = request.user if request.user.is_authenticated else None
        try:
            payments_bill: Bill = water_bill_issue(connection=connection, payer=user)
            payment = payment_initiate_online(
                bills=[payments_bill],
                payer=user,
                payer_mobile=getattr(user, "mobile", "") or "",
            )
        except (ValidationError, PaymentError) as exc:
            error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        else:
            if payment.gateway_url:
                return redirect(payment.gateway_url)
            return redirect("payments:status", tran_id=payment.tran_id)
    return TemplateResponse(
        request,
        "water_billing/billing/pay.html",
        {
            "bill": bill,
            "connection": connection,
            "name_masked": mask_name(connection.name_en or connection.name_bn),
            "months": months,
            "owed": sum((m.total for m in months), bill.total * 0),
            "error": error,
        },
        status=400 if error else 200,
    )


# --- my water connections, linking one, a connection's page ------------------------------------

HISTORY_MONTHS = 12
BILLS_SHOWN = 24


class LinkForm(forms.Form):
    consumer_no = forms.CharField(
        label=gettext_lazy("Consumer number"),
        max_length=20,
        help_text=gettext_lazy("As printed on your water bill. Bengali digits are fine."),
        widget=DigitsInput(attrs={"autocomplete": "off"}),
    )

    def clean_consumer_no(self) -> Connection:
        return connection_by_consumer_no(self.cleaned_data["consumer_no"])


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"),
        max_length=12,
        widget=DigitsInput(attrs={"autocomplete": "one-time-code"}),
        help_text=gettext_lazy("Six digits. Bengali digits are fine."),
    )


def month_name(period: datetime.date) -> str:
    return month_bn(period) if is_bengali() else month_en(period)


def connection_visible_to(user: Any, connection: Connection) -> bool:
    if not user.is_authenticated:
        return False
    return connection.user_id == user.pk or any(user.has_perm(p) for p in STAFF_PERMISSIONS)


@login_required
@require_safe
def my_connections(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "water_billing/citizen/mine.html",
        {
            "rows": connections_with_dues(request.user),
            "on_holdings": list(connections_on_my_holdings(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """Link a connection: its consumer number, then a code sent to its billing mobile; or,
    for a connection on a holding already linked to the account, in one step."""
    user = request.user
    form = LinkForm(request.POST if "consumer_no" in request.POST else None)
    status = 200
    if request.method == "POST" and "holding_connection" in request.POST:
        connection = get_object_or_404(Connection, pk=request.POST.get("holding_connection"))
        try:
            connection_link_by_holding(user=user, connection=connection)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("water_billing:link")
        messages.success(request, _linked_message(connection))
        return redirect("water_billing:connection", consumer_no=connection.consumer_no)
    if request.method == "POST" and form.is_valid():
        connection = form.cleaned_data["consumer_no"]
        if connection.user_id == user.pk:
            messages.info(request, _("This connection is already linked to your account."))
            return redirect("water_billing:connection", consumer_no=connection.consumer_no)
        try:
            if too_many_link_tries(user):
                raise ValidationError(
                    _("Too many attempts to link a connection. Please wait an hour."),
                    code="too_many_tries",
                )
            masked = connection_link_send_code(
                user=user, connection=connection, ip=client_ip(request)
            )
        except RateLimitUnavailable:
            form.add_error(
                None, _("Codes cannot be sent for a moment. Please try again in a minute.")
            )
            status = 503
        except ValidationError as exc:
            form.add_error("consumer_no", exc)
            status = 429 if exc.code in ("too_many_tries", "too_many_codes") else 400
        else:
            request.session[f"water_link_{connection.pk}"] = masked
            return redirect("water_billing:link_code", consumer_no=connection.consumer_no)
    elif request.method == "POST":
        status = 400
    return TemplateResponse(
        request,
        "water_billing/citizen/link.html",
        {"form": form, "on_holdings": list(connections_on_my_holdings(user))},
        status=status,
    )


def _linked_message(connection: Connection) -> str:
    return _("Water connection %(number)s is now linked to your account.") % {
        "number": localize_digits(connection.consumer_no)
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_code(request: HttpRequest, consumer_no: str) -> HttpResponse:
    connection = get_object_or_404(Connection, consumer_no=consumer_no)
    session_key = f"water_link_{connection.pk}"
    masked = request.session.get(session_key)
    if masked is None:
        messages.info(request, _("Ask for a code first."))
        return redirect("water_billing:link")
    form = LinkCodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            request.session[session_key] = connection_link_send_code(
                user=request.user, connection=connection, ip=client_ip(request)
            )
            messages.success(request, _("We sent a new code."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("water_billing:link_code", consumer_no=connection.consumer_no)
    if request.method == "POST" and form.is_valid():
        try:
            connection_link_verify_code(
                user=request.user, connection=connection, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(session_key, None)
            messages.success(request, _linked_message(connection))
            return redirect("water_billing:connection", consumer_no=connection.consumer_no)
    return TemplateResponse(
        request,
        "water_billing/citizen/link_code.html",
        {
            "form": form,
            "connection": connection,
            "masked_mobile": masked,
            "minutes": code_minutes(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def history(connection: Connection, *, upto: datetime.date, months: int = HISTORY_MONTHS):
    """The last `months` months up to `upto`: the cubic metres each measured (None without a
    reading, or held), estimated or not, spike or not — as the bill PDF's chart has them."""
    periods = _months_back(upto, months)
    readings = {
        r.period: r
        for r in Reading.objects.filter(
            connection=connection, period__gte=periods[0], period__lte=periods[-1]
        )
    }
    rows = []
    for period in periods:
        r = readings.get(period)
        held = bool(r and r.status == Reading.Status.HELD)
        rows.append(
            {
                "month": period,
                "label": month_name(period),
                "units": r.consumption if r is not None and not held else None,
                "estimated": bool(r and r.status == Reading.Status.ESTIMATED),
                "held": held,
                "spike": bool(r and r.flag == SPIKE),
            }
        )
    return rows


def chart_svg(rows: list[dict[str, Any]]) -> str:
    """The months' cubic metres as an inline SVG bar chart, as the bill PDF draws it (estimated
    months hatched, the latest dark, a spike in the warning colour), labelled in the page's
    language. Hidden from screen readers: the table under it says the same."""
    width, height, left, top, bottom = 360, 170, 4, 20, 40
    slot = (width - 2 * left) / len(rows)
    top_value = max([r["units"] or 0 for r in rows] + [1])
    plot = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'class="chart" aria-hidden="true" focusable="false">',
        '<defs><pattern id="est" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#e3e7e5"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#5f7068" stroke-width="1.5"/></pattern></defs>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
        'stroke="#4a4a4a" stroke-width="0.8"/>',
    ]
    for i, row in enumerate(rows):
        x, w = left + i * slot + slot * 0.15, slot * 0.7
        cx = left + i * slot + slot / 2
        units = row["units"]
        if units is not None:
            h = max(plot * units / top_value, 1.0)
            y = height - bottom - h
            if row["estimated"]:
                fill = "url(#est)"
            elif row["spike"]:
                fill = "#b35900"
            else:
                fill = "#004d38" if i == len(rows) - 1 else "#4f9d80"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle" '
                f'fill="#1a1a1a">{localize_digits(units)}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom - 3:.1f}" font-size="11" '
                'text-anchor="middle" fill="#6a6a6a">–</text>'
            )
        month = row["month"]
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 14:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#1a1a1a">{localize_digits(f"{month:%m}")}</text>'
        )
        if i == 0 or month.month == 1:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 30:.1f}" font-size="10" '
                f'text-anchor="middle" fill="#4a4a4a">{localize_digits(month.year)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and fixed markup only


def open_payment_bill(connection: Connection, months: list[WaterBill]) -> Bill | None:
    """The open payments Bill that already covers the unpaid months, if any (then the
    citizen pays it in "my bills"; else the page bills them through the dues)."""
    if not months:
        return None
    keys = [f"{SERVICE}:{m.due_key}" for m in months]
    claim = (
        BillClaim.objects.filter(due__in=keys, live=True, bill__status=Bill.Status.OPEN)
        .select_related("bill")
        .first()
    )
    return claim.bill if claim else None


@login_required
@require_safe
def connection_page(request: HttpRequest, consumer_no: str) -> HttpResponse:
    """A connection's page: what is unpaid and how to pay it, consumption over 12 months (a
    chart and its table), a possible leak, the bills with their PDFs."""
    connection = get_object_or_404(
        Connection.objects.select_related("ward"), consumer_no=consumer_no
    )
    if not connection_visible_to(request.user, connection):
        raise PermissionDenied(_("This water connection is not linked to your account."))
    bills = list(
        WaterBill.objects.filter(connection=connection)
        .select_related("reading")
        .order_by("-period")[:BILLS_SHOWN]
    )
    months = unpaid_months(connection)
    latest = connection.readings.exclude(status=Reading.Status.HELD).order_by("-period").first()
    upto = latest.period if latest else timezone.localdate().replace(day=1)
    rows = history(connection, upto=upto)
    leak = latest if latest is not None and latest.flag == SPIKE else None
    own = connection.user_id == request.user.pk
    return TemplateResponse(
        request,
        "water_billing/citizen/connection.html",
        {
            "connection": connection,
            "meter": meter_in_place(connection),
            "bills": [{"bill": b, "label": month_name(b.period)} for b in bills],
            "months": months,
            "owed": sum((m.total for m in months), Decimal("0.00")),
            "open_bill": open_payment_bill(connection, months) if own else None,
            "due_token": f"c{connection.pk}",
            "service": SERVICE,
            "own": own,
            "rows": rows,
            "chart": chart_svg(rows) if any(r["units"] is not None for r in rows) else "",
            "leak": leak,
            "leak_label": month_name(leak.period) if leak else "",
        },
    )
