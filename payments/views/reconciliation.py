"""The revenue officer's gateway settlement reconciliation: import the gateway's report, see
how each transaction compared with the ledger, and resolve the differences (cases) with a
note — or, for money taken at the gateway and not recorded here, ask the gateway and settle
through the normal path (payments.services.reconciliation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.digits import to_ascii_digits
from core.exports import export_response, requested_format
from core.roles import perm
from core.views import StaffRoleRequiredMixin, paginate

from ..models import ReconciliationCase, SettlementImport, SettlementRow
from ..services import PaymentError
from ..services.reconciliation import (
    ReportRefused,
    case_ask_gateway,
    case_resolve,
    import_report,
    open_cases_count,
    outcome_counts,
)
from ..staff_common import refused


class ReportUploadForm(forms.Form):
    report = forms.FileField(
        label=gettext_lazy("The gateway's settlement report (CSV or XLSX)"),
        error_messages={"required": gettext_lazy("Choose the report file.")},
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was found and done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Write what was found and done; it is kept in the audit log.")
        },
    )


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(ReconciliationCase.Status.choices),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(ReconciliationCase.Kind.choices),
    )
    q = forms.CharField(label=gettext_lazy("Transaction id"), required=False, max_length=30)


def _simulator_report_url() -> str:
    """Today's report from the test gateway, when it runs (demo and development)."""
    if not settings.SSLCOMMERZ_SIMULATOR_ENABLED:
        return ""
    return settings.SSLCOMMERZ_SIMULATOR_PATH.rstrip("/") + "/report/settlement/?format=xlsx"


def render_reconciliation(request: HttpRequest, form: ReportUploadForm | None = None,
                          problems: list[str] | None = None) -> HttpResponse:  # fmt: skip
    imports = SettlementImport.objects.select_related("imported_by").order_by("-imported_at", "-pk")
    return TemplateResponse(
        request,
        "payments/staff/reconciliation.html",
        {
            "imports": paginate(request, imports),
            "form": form or ReportUploadForm(),
            "problems": problems or [],
            "open_cases": open_cases_count(),
            "can_import": request.user.has_perm(perm("void_payments")),
            "simulator_url": _simulator_report_url(),
        },
        status=400 if problems or (form is not None and form.errors) else 200,
    )


class ReconciliationView(StaffRoleRequiredMixin, View):
    """Imported reports, newest first, and the upload of a new one."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_reconciliation(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(perm("void_payments")):
            return render_reconciliation(
                request, problems=[_("Only a revenue officer can import a settlement report.")]
            )
        form = ReportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render_reconciliation(request, form=form)
        upload = form.cleaned_data["report"]
        try:
            settlement = import_report(file_obj=upload, filename=upload.name, officer=request.user)
        except ReportRefused as exc:
            return render_reconciliation(request, form=form, problems=exc.problems)
        except PaymentError as exc:
            return render_reconciliation(request, form=form, problems=[str(exc)])
        messages.success(
            request,
            _("The report is imported: %(rows)s transactions compared.")
            % {"rows": settlement.summary.get("rows", 0)},
        )
        return redirect("payments:revenue_settlement", pk=settlement.pk)


ROW_HEADERS = [
    gettext_lazy("Row"),
    gettext_lazy("Transaction id"),
    gettext_lazy("Amount"),
    gettext_lazy("Store amount"),
    gettext_lazy("Gateway fee"),
    gettext_lazy("Card type"),
    gettext_lazy("Transaction date"),
    gettext_lazy("Settlement date"),
    gettext_lazy("Gateway status"),
    gettext_lazy("Status here"),
    gettext_lazy("Outcome"),
]


def _row_values(row: SettlementRow) -> list[Any]:
    return [
        row.line_no,
        row.tran_id,
        row.amount,
        row.store_amount,
        row.fee,
        row.card_type,
        timezone.localtime(row.tran_date).replace(tzinfo=None),
        row.settlement_date,
        row.status,
        row.payment.get_status_display() if row.payment else "—",
        row.get_outcome_display(),
    ]


class SettlementView(StaffRoleRequiredMixin, View):
    """One imported report: how many rows of each outcome, the rows (filter by outcome),
    the cases it opened; CSV/XLSX of the rows."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        settlement = get_object_or_404(
            SettlementImport.objects.select_related("imported_by"), pk=pk
        )
        outcome = request.GET.get("outcome", "")
        rows = settlement.lines.select_related("payment").order_by("line_no")
        if outcome in SettlementRow.Outcome.values:
            rows = rows.filter(outcome=outcome)
        fmt = requested_format(request)
        if fmt:
            return export_response(
                fmt,
                [str(h) for h in ROW_HEADERS],
                (_row_values(r) for r in rows.iterator(chunk_size=2000)),
                filename=f"settlement-{settlement.pk}",
                title=_("Settlement report"),
            )
        return TemplateResponse(
            request,
            "payments/staff/settlement.html",
            {
                "settlement": settlement,
                "outcomes": outcome_counts(settlement),
                "outcome": outcome,
                "rows": paginate(request, rows, per_page=50),
                "cases": settlement.cases.order_by("kind", "tran_id")[:200],
            },
        )


CASE_HEADERS = [
    gettext_lazy("Transaction id"),
    gettext_lazy("Kind"),
    gettext_lazy("Day"),
    gettext_lazy("Amount here"),
    gettext_lazy("Amount reported"),
    gettext_lazy("State"),
    gettext_lazy("Note"),
]


def _case_values(case: ReconciliationCase) -> list[Any]:
    return [
        case.tran_id,
        case.get_kind_display(),
        case.day,
        case.payment.amount if case.payment else "",
        case.row.amount if case.row else "",
        case.get_status_display(),
        case.note,
    ]


class CasesView(StaffRoleRequiredMixin, View):
    """The cases: open ones first by default, filter by state and kind, find a tran_id."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        data = request.GET.copy()
        if "status" not in data:
            data["status"] = ReconciliationCase.Status.OPEN
        form = CaseFilterForm(data)
        cases = ReconciliationCase.objects.select_related("payment", "row").order_by("day", "pk")
        if form.is_valid():
            chosen = form.cleaned_data
            if chosen["status"]:
                cases = cases.filter(status=chosen["status"])
            if chosen["kind"]:
                cases = cases.filter(kind=chosen["kind"])
            if chosen["q"].strip():
                cases = cases.filter(tran_id__icontains=to_ascii_digits(chosen["q"].strip()))
        fmt = requested_format(request)
        if fmt:
            return export_response(
                fmt,
                [str(h) for h in CASE_HEADERS],
                (_case_values(c) for c in cases.iterator(chunk_size=2000)),
                filename="reconciliation-cases",
                title=_("Reconciliation cases"),
            )
        return TemplateResponse(
            request,
            "payments/staff/reconciliation_cases.html",
            {"form": form, "cases": paginate(request, cases, per_page=50)},
        )


def render_case(
    request: HttpRequest, case: ReconciliationCase, form: ResolveForm | None = None
) -> HttpResponse:
    related = Q(tran_id=case.tran_id) & ~Q(pk=case.pk)
    return TemplateResponse(
        request,
        "payments/staff/reconciliation_case.html",
        {
            "case": case,
            "row": case.row,
            "payment": case.payment,
            "others": ReconciliationCase.objects.filter(related).order_by("pk"),
            "form": form or ResolveForm(),
            "can_resolve": case.status == ReconciliationCase.Status.OPEN
            and request.user.has_perm(perm("void_payments")),
            "can_ask": case.kind == ReconciliationCase.Kind.REPORT_ONLY
            and case.payment is not None,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _case(pk: int) -> ReconciliationCase:
    return get_object_or_404(
        ReconciliationCase.objects.select_related("payment", "row", "settlement", "resolved_by"),
        pk=pk,
    )


class CaseView(StaffRoleRequiredMixin, View):
    """One case: the gateway's row beside the payment here; resolve it with a note."""

    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_case(request, _case(pk))


class CaseResolveView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(pk)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            return render_case(request, case, form=form)
        try:
            case_resolve(case=case, officer=request.user, note=form.cleaned_data["note"])
        except PaymentError as exc:
            refused(request, _("Could not resolve the case: %(reason)s"), exc)
        else:
            messages.success(request, _("The case is resolved."))
        return redirect("payments:revenue_case", pk=case.pk)


class CaseAskGatewayView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(pk)
        try:
            case_ask_gateway(case=case, officer=request.user)
        except PaymentError as exc:
            refused(request, _("Could not settle the payment: %(reason)s"), exc)
        else:
            messages.success(
                request,
                _("The gateway confirmed the payment: it is settled and its receipt issued."),
            )
        return redirect("payments:revenue_case", pk=case.pk)
