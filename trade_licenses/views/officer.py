"""Trade-licence officer pages.

The inspector (accounts.inspect_trade_licences): the queue of applications waiting for
inspection (submitted, or under inspection), oldest first, with the age of each case.

The licence officer (accounts.approve_trade_licences): the queue of applications waiting
for approval (with the renewals that skip inspection), the decision on each one, and the
reports.

Both: one application's page (business, trader, documents, fee preview, holding-tax status,
history) with the steps the user may take in its status. Every step is a POST with a
confirmation, taken through trade_licenses.services; its refusals are shown as messages
and nothing is changed.

Reports: licence officers and revenue officers (accounts.view_revenue_reports).
Administrators hold every permission, so they may open all of these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import User
from core.db import ReplicaReadsMixin
from core.exports import Column, export_response, table
from core.fiscal import current_fiscal_year, fiscal_year_label
from core.roles import perm
from core.status import status_label
from core.views import AnyPermissionRequired, StaffRoleRequiredMixin, paginate
from payments.models import RevenueHead

from .. import reports, services
from ..fees import line_label
from ..models import Application, DocumentKind, applied_category_code_expr
from ..officer_forms import (
    ConfirmForm,
    InspectionForm,
    QueueFilterForm,
    ReasonForm,
    ReportFilterForm,
)
from ..selectors import category_labels, documents_visible_to

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = Application.Status
INSPECT = perm("inspect_trade_licences")
APPROVE = perm("approve_trade_licences")
REPORTS = perm("view_revenue_reports")

DOCUMENT_URL = "/licences/documents/{pk}/"  # the trader pages' document view


def revenue_head_label(head: str) -> str:
    """A fee line's revenue head as payments names it ("Licence fee"), else the code."""
    try:
        return str(RevenueHead(head).label)
    except ValueError:
        return head


class InspectorRequired(StaffRoleRequiredMixin):
    permission_required = INSPECT


class LicenceOfficerRequired(StaffRoleRequiredMixin):
    permission_required = APPROVE


# --- queues ---------------------------------------------------------------------------------


class QueueView(View):
    """A role's list of cases: filters (ward, zone, category, kind), oldest first, 25 a page,
    each with its age (days since submitted) and the days in its present status."""

    template_name = "trade_licenses/officer/queue.html"
    title: StrOrPromise = ""
    intro: StrOrPromise = ""
    url_name = ""

    def cases(self):
        raise NotImplementedError

    def default_filters(self, data) -> None:
        """With no filter chosen, an officer posted to a ward (or zone) sees theirs."""
        if any(key in data for key in ("ward", "zone", "category", "kind")):
            return
        user = self.request.user
        if not isinstance(user, User):  # the role mixins let only signed-in staff in
            return
        if user.ward is not None:
            data["ward"] = str(user.ward.number)
        elif user.zone is not None:
            data["zone"] = str(user.zone.number)

    def get(self, request):
        data = request.GET.copy()
        self.default_filters(data)
        form = QueueFilterForm(data)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = (
            self.cases().select_related("business", "business__ward").order_by("submitted_at", "pk")
        )
        if filters.get("ward") is not None:
            qs = qs.filter(business__ward=filters["ward"])
        if filters.get("zone") is not None:
            qs = qs.filter(business__ward__zone=filters["zone"])
        if filters.get("category"):
            qs = qs.annotate(applied_category=applied_category_code_expr()).filter(
                applied_category=filters["category"]
            )
        if filters.get("kind"):
            qs = qs.filter(kind=filters["kind"])
        page = paginate(request, qs)
        rows = list(page.object_list)
        today = timezone.localdate()
        names = category_labels((row.fiscal_year, row.applied_category_code) for row in rows)
        for row in rows:
            row.category_name = names[(row.fiscal_year, row.applied_category_code)]
            since = row.submitted_at or row.created_at
            row.age_days = (today - timezone.localtime(since).date()).days
            row.status_days = (today - timezone.localtime(row.status_changed_at).date()).days
        page.object_list = rows
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "page_obj": page,
                "rows": rows,
                "title": self.title,
                "intro": self.intro,
                "url_name": self.url_name,
                "total": page.paginator.count,
            },
        )


class InspectionQueueView(InspectorRequired, QueueView):
    title = gettext_lazy("Applications waiting for inspection")
    intro = gettext_lazy(
        "Submitted applications whose premises must be inspected, and those "
        "under inspection; the oldest first."
    )
    url_name = "trade_licenses:inspection_queue"

    def cases(self):
        return Application.objects.filter(
            Q(status=S.INSPECTION) | Q(status=S.SUBMITTED, needs_inspection=True)
        )


class ApprovalQueueView(LicenceOfficerRequired, QueueView):
    title = gettext_lazy("Applications waiting for approval")
    intro = gettext_lazy(
        "Inspected applications waiting for your decision, and renewals with "
        "nothing changed that skip the inspection; the oldest first."
    )
    url_name = "trade_licenses:approval_queue"

    def cases(self):
        return Application.objects.filter(
            Q(status=S.APPROVAL) | Q(status=S.SUBMITTED, needs_inspection=False)
        )


# --- one application ------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    label: StrOrPromise
    help: StrOrPromise
    form_class: type
    danger: bool = False


ACTIONS = {
    a.key: a
    for a in (
        Action(
            "start_inspection",
            gettext_lazy("Start the inspection"),
            gettext_lazy("You are going to visit the premises."),
            ConfirmForm,
        ),
        Action(
            "record_inspection",
            gettext_lazy("Record the inspection"),
            gettext_lazy("When you visited, what you found, and photos if you took any."),
            InspectionForm,
        ),
        Action(
            "send_to_approval",
            gettext_lazy("Send for approval"),
            gettext_lazy("The licence officer decides next."),
            ConfirmForm,
        ),
        Action(
            "approve",
            gettext_lazy("Approve and issue the fee bill"),
            gettext_lazy(
                "The bill is made from the year's schedule and the trader is told by SMS."
            ),
            ConfirmForm,
        ),
        Action(
            "override_dues",
            gettext_lazy("Approve despite holding-tax dues"),
            gettext_lazy(
                "Record why this application may be approved although the holding owes holding tax."
            ),
            ReasonForm,
        ),
        Action(
            "return",
            gettext_lazy("Return for correction"),
            gettext_lazy("Say what the trader must correct."),
            ReasonForm,
            danger=True,
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            gettext_lazy("Rejection is final; give the reason."),
            ReasonForm,
            danger=True,
        ),
    )
}


def allowed_actions(user, application: Application) -> list[str]:
    """The steps this user may take on the application in its present status (the
    services check them again)."""
    status = application.status
    inspect, approve = user.has_perm(INSPECT), user.has_perm(APPROVE)
    keys = []
    if status == S.SUBMITTED and inspect:
        keys.append("start_inspection")
    if status == S.INSPECTION and inspect:
        keys += ["record_inspection", "send_to_approval"]
    if status == S.SUBMITTED and approve and not application.needs_inspection:
        keys.append("send_to_approval")
    if status == S.APPROVAL and approve:
        keys.append("approve")
    if (
        approve
        and application.business.premises_owned
        and status in (S.SUBMITTED, S.INSPECTION, S.APPROVAL)
    ):
        keys.append("override_dues")
    if (status in (S.SUBMITTED, S.INSPECTION) and (inspect or approve)) or (
        status == S.APPROVAL and approve
    ):
        keys += ["return", "reject"]
    return keys


class ApplicationView(AnyPermissionRequired, View):
    permission_required = (INSPECT, APPROVE)
    template_name = "trade_licenses/officer/application.html"

    def get_application(self, pk: int) -> Application:
        return get_object_or_404(
            Application.objects.select_related(
                "business", "business__ward", "business__trader", "filed_by", "bill"
            ),
            pk=pk,
        )

    def render(
        self, request, application: Application, forms: dict | None = None, status: int = 200
    ) -> HttpResponse:
        keys = allowed_actions(request.user, application)
        forms = forms or {}
        actions = [
            {"action": ACTIONS[k], "form": forms.get(k) or ACTIONS[k].form_class(prefix=k)}
            for k in keys
        ]
        fee_lines, fee_error = [], ""
        try:
            fee_lines = services.fee_lines(application, paid_on=timezone.localdate())
        except ValidationError as exc:
            fee_error = " ".join(exc.messages)
        business = application.business
        holding = None
        if business.premises_owned and business.holding_number:
            holding = services.holding_check(
                ward=business.holding_ward, number=business.holding_number
            )
        documents = list(
            application.documents.filter(inspection=None).select_related("uploaded_by")
        )
        # Links only for those who may open the papers (the download view checks again).
        may_open = documents_visible_to(request.user, application)
        for document in documents:
            document.url = DOCUMENT_URL.format(pk=document.pk) if may_open else ""
        inspections = list(
            application.inspections.select_related("inspector").prefetch_related("photos")
        )
        for inspection in inspections:
            for photo in inspection.photos.all():
                photo.url = DOCUMENT_URL.format(pk=photo.pk) if may_open else ""
        today = timezone.localdate()
        since = application.submitted_at or application.created_at
        return TemplateResponse(
            request,
            self.template_name,
            {
                "application": application,
                "business": business,
                "actions": actions,
                "fee_lines": [
                    {
                        "head": line.head,
                        "rule": line.rule_text,
                        "amount": line.amount,
                        "label": line_label(
                            line, bengali=(request.LANGUAGE_CODE or "bn").startswith("bn")
                        )
                        if line.arrears_year
                        else revenue_head_label(line.head),
                    }
                    for line in fee_lines
                ],
                "fee_total": sum(line.amount for line in fee_lines),
                "category_name": category_labels(
                    [(application.fiscal_year, application.applied_category_code)]
                )[(application.fiscal_year, application.applied_category_code)],
                "fee_error": fee_error,
                "holding": holding,
                "documents": documents,
                "missing": [
                    DocumentKind(kind).label for kind in services.missing_documents(application)
                ],
                "inspections": inspections,
                "events": [
                    {
                        "event": e,
                        "from_label": status_label(S, e.from_status),
                        "to_label": status_label(S, e.to_status),
                    }
                    for e in application.events.select_related("actor").order_by("at", "pk")
                ],
                "age_days": (today - timezone.localtime(since).date()).days,
                "status_days": (
                    today - timezone.localtime(application.status_changed_at).date()
                ).days,
            },
            status=status,
        )

    def get(self, request, pk: int):
        return self.render(request, self.get_application(pk))

    def post(self, request, pk: int):
        application = self.get_application(pk)
        key = request.POST.get("action", "")
        if key not in allowed_actions(request.user, application):
            messages.error(
                request,
                _("This step is not open to you for this application in its present status."),
            )
            return redirect("trade_licenses:officer_application", pk=application.pk)
        form = ACTIONS[key].form_class(request.POST, request.FILES, prefix=key)
        if not form.is_valid():
            return self.render(request, application, {key: form}, status=400)
        try:
            done = self.take(key, application, form.cleaned_data, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render(request, self.get_application(pk), {key: form}, status=400)
        messages.success(request, done)
        return redirect("trade_licenses:officer_application", pk=application.pk)

    @staticmethod
    def take(key: str, application: Application, data: dict, user) -> str:
        """Take the step through the services; return the success message."""
        if key == "start_inspection":
            services.application_transition(application=application, to=S.INSPECTION, actor=user)
            return _("The inspection has started.")
        if key == "record_inspection":
            services.inspection_record(
                application=application,
                inspector=user,
                findings=data["findings"],
                visited_at=data["visited_at"],
                photos=data.get("photos") or (),
            )
            return _("The inspection is recorded.")
        if key == "send_to_approval":
            services.application_transition(application=application, to=S.APPROVAL, actor=user)
            return _("The application is sent for approval.")
        if key == "approve":
            bill = services.application_issue_bill(application=application, actor=user).bill
            return _("Approved: fee bill %(bill)s is issued to the trader.") % {
                "bill": bill.number if bill else ""
            }
        if key == "override_dues":
            services.application_override_dues(
                application=application, officer=user, reason=data["reason"]
            )
            return _(
                "The reason is recorded; the application may be approved despite the "
                "holding-tax dues."
            )
        if key == "return":
            services.application_transition(
                application=application, to=S.RETURNED, actor=user, reason=data["reason"]
            )
            return _("The application is returned to the trader for correction.")
        services.application_transition(
            application=application, to=S.REJECTED, actor=user, reason=data["reason"]
        )
        return _("The application is rejected.")


# --- reports --------------------------------------------------------------------------------


class ReportsView(AnyPermissionRequired, ReplicaReadsMixin, View):
    """Issued, renewed, pending and late by ward and by category, and the renewal rate
    against last year, for a fiscal year; ?format=csv or ?format=xlsx exports the table."""

    permission_required = (APPROVE, REPORTS)
    template_name = "trade_licenses/officer/reports.html"

    @staticmethod
    def columns() -> list[Column]:
        status_columns = [
            (str(S(status).label), lambda r, s=status: r.pending.get(s, 0))
            for status in reports.PENDING
        ]
        return [
            (_("By"), lambda r: r[0]),
            (_("Code"), lambda r: r[1].key or _("Total")),
            (_("Name"), lambda r: r[1].label),
            (_("New licences"), lambda r: r[1].new),
            (_("Renewed"), lambda r: r[1].renewed),
            (_("Transfers"), lambda r: r[1].transfers),
            (_("Issued in all"), lambda r: r[1].issued),
            (_("Renewed late"), lambda r: r[1].late),
            *[(h, lambda r, get=get: get(r[1])) for h, get in status_columns],
            (_("Pending in all"), lambda r: r[1].pending_total),
            (_("Licences last year"), lambda r: r[1].last_year),
            (_("Of them licensed this year"), lambda r: r[1].kept),
            (_("Renewal rate %"), lambda r: r[1].renewal_rate),
        ]

    def get(self, request):
        data = request.GET.copy()
        if not data.get("fy"):
            data["fy"] = current_fiscal_year()
        form = ReportFilterForm(data)
        valid = form.is_valid()
        fiscal_year = (form.cleaned_data.get("fy") if valid else None) or current_fiscal_year()
        report = reports.licence_report(fiscal_year)
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx") and valid:
            ward, category = str(_("Ward")), str(_("Category"))
            rows = (
                [(ward, r) for r in report.by_ward]
                + [(category, r) for r in report.by_category]
                + [(str(_("Total")), report.total)]
            )
            headers, values = table(rows, self.columns())
            return export_response(
                fmt,
                headers,
                values,
                filename=f"trade-licences-{fiscal_year}",
                title=_("Trade licences %(fy)s") % {"fy": fiscal_year_label(fiscal_year)},
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "fiscal_year": fiscal_year,
                "pending_labels": [S(s).label for s in reports.PENDING],
            },
        )
