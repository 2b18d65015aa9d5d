"""The water officer's pages: connections in arrears (notice, disconnection order,
reconnection fee) and the reports, each with filters and CSV/XLSX (core.exports)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import ReplicaReadsMixin
from core.exports import (
    Column,
    export_response,
    requested_format,
    streaming_csv_response,
    table,
)
from core.formfields import WardChoiceField
from core.views import paginate

from .. import reports
from ..forms_casework import DisconnectForm, ReportFilterForm
from ..models import Connection, Disconnection
from ..services.disconnections import (
    disconnection_notice,
    disconnection_order,
    in_arrears,
    reconnection_fee_bill,
    threshold,
)
from .billing import WaterOfficerRequired


def _month_label(period: datetime.date | None) -> str:
    return f"{period:%Y-%m}" if period else _("Total")


# --- disconnection for arrears -------------------------------------------------------------


class ArrearsView(WaterOfficerRequired, View):
    """Connections with the tariff's months or more unpaid past due, by ward; each with its
    open case (noticed, disconnected) and the next step."""

    def get(self, request):
        ward_field = WardChoiceField()
        ward = None
        if request.GET.get("ward"):
            try:
                ward = ward_field.clean(request.GET["ward"])
            except ValidationError:
                ward = None
        today = timezone.localdate()
        rows = in_arrears(today=today, ward=ward)
        return TemplateResponse(
            request,
            "water_billing/officer/arrears.html",
            {
                "page_obj": paginate(request, rows),
                "months": threshold(today),
                "wards": ward_field.queryset,
                "ward": ward,
                "disconnected": Disconnection.objects.filter(
                    status=Disconnection.Status.DISCONNECTED
                )
                .select_related("connection", "fee_bill")
                .order_by("-ordered_at")[:50],
            },
        )


class NoticeView(WaterOfficerRequired, View):
    def post(self, request, pk: int):
        connection = get_object_or_404(Connection, pk=pk)
        try:
            case = disconnection_notice(connection=connection, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("water_billing:arrears")
        messages.success(request, _("The notice is sent by SMS."))
        return redirect("water_billing:disconnection", pk=case.pk)


class DisconnectionView(WaterOfficerRequired, View):
    """One case: the notice, the order to disconnect (reason, confirmation), the
    reconnection fee bill."""

    template_name = "water_billing/officer/disconnection.html"

    def get_case(self, pk: int) -> Disconnection:
        return get_object_or_404(
            Disconnection.objects.select_related(
                "connection__ward", "fee_bill", "ordered_by", "noticed_by"
            ),
            pk=pk,
        )

    def render(self, request, case, form=None):
        if form is None and case.status == Disconnection.Status.NOTICED:
            form = DisconnectForm()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "case": case,
                "form": form,
                "history": list(case.connection.status_changes.select_related("changed_by")),
            },
        )

    def get(self, request, pk: int):
        return self.render(request, self.get_case(pk))

    def post(self, request, pk: int):
        case = self.get_case(pk)
        if request.POST.get("step") == "fee":
            try:
                reconnection_fee_bill(case=case, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The reconnection fee is billed."))
            return redirect("water_billing:disconnection", pk=pk)
        form = DisconnectForm(request.POST)
        if form.is_valid():
            try:
                disconnection_order(
                    case=case, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("The connection is disconnected; the consumer gets an SMS.")
                )
                return redirect("water_billing:disconnection", pk=pk)
        return self.render(request, self.get_case(pk), form)


# --- reports ----------------------------------------------------------------------------------


class ReportView(WaterOfficerRequired, ReplicaReadsMixin, View):
    template_name: str
    filename: str

    def filters(self, request) -> tuple[ReportFilterForm, dict]:
        form = ReportFilterForm(request.GET or None)
        data: dict = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
        return form, data


class CollectionReportView(ReportView):
    """Billed against collected per month, ward and category."""

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Month"), lambda r: _month_label(r.period)),
            (_("Ward"), lambda r: r.ward_number),
            (_("Category"), lambda r: r.category_label if r.category else ""),
            (_("Bills"), lambda r: r.bills),
            (_("Billed"), lambda r: r.billed),
            (_("Collected"), lambda r: r.collected),
            (_("Outstanding"), lambda r: r.outstanding),
        ]

    def get(self, request):
        form, data = self.filters(request)
        report = reports.billed_collected(
            start=data.get("start"),
            end=data.get("end"),
            ward=data.get("ward"),
            category=data.get("category") or "",
        )
        if fmt := requested_format(request):
            headers, values = table([*report.rows, report.total], self.columns())
            return export_response(
                fmt,
                headers,
                values,
                filename="water-billed-collected",
                title=_("Billed and collected"),
            )
        return TemplateResponse(
            request,
            "water_billing/officer/report_collection.html",
            {"form": form, "report": report},
        )


BUCKET_LABELS = {
    "not_due": gettext_lazy("Not yet due"),
    "d30": gettext_lazy("1–30 days"),
    "d90": gettext_lazy("31–90 days"),
    "d180": gettext_lazy("91–180 days"),
    "older": gettext_lazy("Over 180 days"),
}


class AgeingReportView(ReportView):
    """Unpaid months by ward and age past their due date."""

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Ward"), lambda r: r.ward_number if r.ward_number is not None else _("Total")),
            (_("Months unpaid"), lambda r: r.months),
            *[(str(BUCKET_LABELS[b]), (lambda r, b=b: r.amounts[b])) for b in reports.BUCKETS],
            (_("Total"), lambda r: r.total),
        ]

    def get(self, request):
        form, data = self.filters(request)
        today = timezone.localdate()
        rows, total = reports.ageing(
            today=today, ward=data.get("ward"), category=data.get("category") or ""
        )
        if fmt := requested_format(request):
            headers, values = table([*rows, total], self.columns())
            return export_response(
                fmt,
                headers,
                values,
                filename=f"water-arrears-ageing-{today}",
                title=_("Arrears ageing"),
            )
        labels = [str(BUCKET_LABELS[b]) for b in reports.BUCKETS]
        return TemplateResponse(
            request,
            "water_billing/officer/report_ageing.html",
            {
                "form": form,
                "labels": labels,
                "rows": [(r, [r.amounts[b] for b in reports.BUCKETS]) for r in rows],
                "total": (total, [total.amounts[b] for b in reports.BUCKETS]),
                "as_of": today,
            },
        )


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


class UnreadReportView(ReportView):
    """Active metered connections with no reading for the month (this month by default)."""

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Consumer number"), lambda c: c.consumer_no),
            (_("Ward"), lambda c: c.ward.number),
            (_("Block"), lambda c: c.block),
            (_("Name"), lambda c: c.name),
            (_("Address"), lambda c: c.address),
        ]

    def get(self, request):
        form, data = self.filters(request)
        period = data.get("start") or _this_month()
        rows = reports.unread(period=period, ward=data.get("ward"))
        if fmt := requested_format(request):
            name = f"water-meters-not-read-{period:%Y-%m}"
            if fmt == "csv":
                return streaming_csv_response(
                    *table(rows.iterator(chunk_size=2000), self.columns()), filename=name
                )
            headers, values = table(rows.iterator(chunk_size=2000), self.columns())
            return export_response(fmt, headers, values, filename=name, title=_("Meters not read"))
        return TemplateResponse(
            request,
            "water_billing/officer/report_unread.html",
            {"form": form, "page_obj": paginate(request, rows), "period": period},
        )


class FlaggedReportView(ReportView):
    """Readings flagged (spike, zero use) or held, newest month first."""

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Consumer number"), lambda r: r.connection.consumer_no),
            (_("Ward"), lambda r: r.connection.ward.number),
            (_("Month"), lambda r: f"{r.period:%Y-%m}"),
            (_("Reading"), lambda r: r.value),
            (_("Consumption (m³)"), lambda r: r.consumption),
            (_("Status"), lambda r: r.get_status_display()),
            (_("Why"), lambda r: r.explanation_text),
        ]

    def get(self, request):
        form, data = self.filters(request)
        rows = reports.flagged(start=data.get("start"), end=data.get("end"), ward=data.get("ward"))
        if fmt := requested_format(request):
            name = "water-flagged-readings"
            if fmt == "csv":
                return streaming_csv_response(
                    *table(rows.iterator(chunk_size=2000), self.columns()), filename=name
                )
            headers, values = table(rows.iterator(chunk_size=2000), self.columns())
            return export_response(fmt, headers, values, filename=name, title=_("Flagged readings"))
        return TemplateResponse(
            request,
            "water_billing/officer/report_flagged.html",
            {"form": form, "page_obj": paginate(request, rows)},
        )
