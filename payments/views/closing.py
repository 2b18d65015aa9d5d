"""The revenue officer's months: which are closed (by whom, when), what stops an ended
month from closing, closing it (a confirmation: only an administrator reopens it), an
administrator's reopening with a reason, and each month's daily collection register by
revenue head as a page, an Excel workbook and a bilingual PDF (payments.services.closing).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import ReplicaReadsMixin
from core.exports import export_response, requested_format
from core.models import CityProfile
from core.pdf import both, gregorian, logo_src, money, render_pdf
from core.roles import perm
from core.views import StaffRoleRequiredMixin

from ..models import MonthClose, RevenueHead
from ..services import PaymentError
from ..services.closing import (
    Register,
    blockers,
    blockers_by_month,
    daily_register,
    first_day,
    last_day,
    month_close,
    month_label,
    month_reopen,
    month_totals,
)
from ..staff_common import refused

#: How many months the list shows before the closed ones older than that.
RECENT_MONTHS = 12


class CloseMonthForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have reconciled this month. Once it is closed, only an administrator can reopen it."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


class ReopenMonthForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give a reason; it is kept in the audit log.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Reopen this month: entries can be dated into it again."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


def _month(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc


def _recent(today: datetime.date, count: int) -> list[datetime.date]:
    months, month = [], first_day(today)
    for _i in range(count):
        months.append(month)
        month = first_day(month - datetime.timedelta(days=1))
    return months


def head_label(head: str) -> str:
    return str(RevenueHead(head).label) if head in RevenueHead.values else head


class MonthsView(StaffRoleRequiredMixin, View):
    """The months: open or closed, who closed or reopened them, what stops closing."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        recent = _recent(today, RECENT_MONTHS)
        rows = {
            r.month: r
            for r in MonthClose.objects.select_related("closed_by", "reopened_by").filter(
                month__gte=recent[-1]
            )
        }
        older = list(
            MonthClose.objects.select_related("closed_by", "reopened_by").filter(
                month__lt=recent[-1]
            )
        )
        ended_open = [m for m in recent if m != first_day(today) and not _closed(rows.get(m))]
        waiting = blockers_by_month(ended_open)
        months = [
            {
                "month": m,
                "label": month_label(m),
                "row": rows.get(m),
                "current": m == first_day(today),
                "closed": _closed(rows.get(m)),
                "blockers": waiting.get(m, []),
            }
            for m in recent
        ] + [
            {
                "month": r.month,
                "label": month_label(r.month),
                "row": r,
                "current": False,
                "closed": r.closed,
                "blockers": [],
            }
            for r in older
        ]
        return TemplateResponse(request, "payments/staff/month_list.html", {"months": months})


def _closed(row: MonthClose | None) -> bool:
    return row is not None and row.closed


def render_month(
    request: HttpRequest,
    month: datetime.date,
    close_form: CloseMonthForm | None = None,
    reopen_form: ReopenMonthForm | None = None,
) -> HttpResponse:
    row = MonthClose.objects.select_related("closed_by", "reopened_by").filter(month=month).first()
    ended = last_day(month) < timezone.localdate()
    closed = _closed(row)
    snapshot: list[dict[str, Any]] = []
    if closed and row is not None:
        snapshot = [
            {"label": head_label(head), "amount": Decimal(amount)}
            for head, amount in (row.totals.get("heads") or {}).items()
        ]
    user = request.user
    return TemplateResponse(
        request,
        "payments/staff/month_detail.html",
        {
            "month": month,
            "label": month_label(month),
            "row": row,
            "closed": closed,
            "ended": ended,
            "blockers": blockers(month) if ended and not closed else [],
            "snapshot": snapshot,
            "snapshot_total": Decimal((row.totals or {}).get("total", "0")) if row else None,
            # Nothing can be dated into a closed month: its ledger must still hold the same.
            "snapshot_agrees": closed and row is not None and month_totals(month) == row.totals,
            "can_close": ended and not closed and user.has_perm(perm("void_payments")),
            "can_reopen": closed and user.has_perm(perm("administer_portal")),
            "close_form": close_form or CloseMonthForm(),
            "reopen_form": reopen_form or ReopenMonthForm(),
        },
    )


class MonthView(StaffRoleRequiredMixin, View):
    """One month: its state, what stops it closing (with links), close or reopen."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        return render_month(request, _month(year, month))


class MonthCloseView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        first = _month(year, month)
        form = CloseMonthForm(request.POST)
        if not form.is_valid():
            return render_month(request, first, close_form=form)
        try:
            month_close(month=first, officer=request.user)
        except PaymentError as exc:
            refused(request, _("Could not close the month: %(reason)s"), exc)
        else:
            messages.success(
                request,
                _("%(month)s is closed. Corrections now go into the open month.")
                % {"month": month_label(first)},
            )
        return redirect("payments:revenue_month", year=first.year, month=first.month)


class MonthReopenView(StaffRoleRequiredMixin, View):
    permission_required = perm("administer_portal")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        first = _month(year, month)
        form = ReopenMonthForm(request.POST)
        if not form.is_valid():
            return render_month(request, first, reopen_form=form)
        try:
            month_reopen(month=first, admin=request.user, reason=form.cleaned_data["reason"])
        except PaymentError as exc:
            refused(request, _("Could not reopen the month: %(reason)s"), exc)
        else:
            messages.success(request, _("%(month)s is open again.") % {"month": month_label(first)})
        return redirect("payments:revenue_month", year=first.year, month=first.month)


# --- the daily collection register ----------------------------------------------------------


def _register_table(register: Register) -> tuple[list[str], list[list[Any]]]:
    headers = [_("Day"), *(head_label(h) for h in register.heads), _("Total")]
    values: list[list[Any]] = [[d.day, *d.amounts, d.total] for d in register.days]
    values.append([_("Total"), *register.head_totals, register.total])
    return headers, values


class MonthRegisterView(StaffRoleRequiredMixin, ReplicaReadsMixin, View):
    """The daily collection register of a month; ?format=xlsx (or csv) downloads it."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        first = _month(year, month)
        register = daily_register(first)
        if fmt := requested_format(request):
            headers, values = _register_table(register)
            return export_response(
                fmt,
                headers,
                values,
                filename=f"collection-register-{first:%Y-%m}",
                title=_("Collection register"),
            )
        row = MonthClose.objects.select_related("closed_by").filter(month=first).first()
        return TemplateResponse(
            request,
            "payments/staff/month_register.html",
            {
                "month": first,
                "label": month_label(first),
                "register": register,
                "head_labels": [head_label(h) for h in register.heads],
                "row": row,
                "closed": _closed(row),
            },
        )


def _both_month(month: datetime.date) -> dict[str, str]:
    """ "নভেম্বর ২০২৬" and "November 2026"."""
    out = {}
    for lang in ("bn", "en"):
        with translation.override(lang):
            out[lang] = month_label(month)
    return out


#: Revenue heads per printed table: a month with more heads prints them in several tables,
#: one after the other, the day's total in the last (an A4 landscape page holds this many).
PDF_HEADS_PER_TABLE = 7


def _register_tables(register: Register) -> list[dict[str, Any]]:
    """The register's columns cut into printable tables of PDF_HEADS_PER_TABLE heads."""
    count = max(len(register.heads), 1)
    tables = []
    for start in range(0, count, PDF_HEADS_PER_TABLE):
        cut = slice(start, start + PDF_HEADS_PER_TABLE)
        last = start + PDF_HEADS_PER_TABLE >= count
        tables.append(
            {
                "heads": [
                    both(RevenueHead(h).label) if h in RevenueHead.values else {"bn": h, "en": h}
                    for h in register.heads[cut]
                ],
                "days": [
                    {
                        "day": gregorian(d.day),
                        "amounts": [money(a) for a in d.amounts[cut]],
                        "total": money(d.total) if last else None,
                    }
                    for d in register.days
                ],
                "head_totals": [money(a) for a in register.head_totals[cut]],
                "total": money(register.total) if last else None,
            }
        )
    return tables


def register_context(register: Register, row: MonthClose | None) -> dict[str, Any]:
    """What the printed register shows, each text in Bengali and English."""
    city = CityProfile.current()
    closed = row if row is not None and row.closed else None
    closer = closed.closed_by if closed is not None else None
    return {
        "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
        "city_address": {"bn": city.address_bn, "en": city.address_en},
        "logo_src": logo_src(city),
        "number": f"REG-{register.month:%Y-%m}",
        "month": _both_month(register.month),
        "tables": _register_tables(register),
        "total": money(register.total),
        "closed": closed is not None,
        "closed_on": (
            gregorian(timezone.localtime(closed.closed_at).date())
            if closed is not None and closed.closed_at
            else None
        ),
        "closed_by": (
            {
                "bn": closer.name_bn or closer.name_en or str(closer),
                "en": closer.name_en or closer.name_bn or str(closer),
            }
            if closer is not None
            else None
        ),
        "printed_on": gregorian(timezone.localdate()),
    }


class MonthRegisterPdfView(StaffRoleRequiredMixin, ReplicaReadsMixin, View):
    """The daily collection register as a bilingual PDF (A4 landscape)."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        first = _month(year, month)
        row = MonthClose.objects.select_related("closed_by").filter(month=first).first()
        pdf = render_pdf(
            "payments/staff/month_register_pdf.html",
            register_context(daily_register(first), row),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="collection-register-{first:%Y-%m}.pdf"'
        )
        return response
