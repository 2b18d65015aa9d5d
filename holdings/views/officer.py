"""Holding-tax officer pages.

The assessor (accounts.assess_holdings): the queue of new holdings, open objections and
due reassessments; valuing a holding; deciding an objection.

The revenue officer (accounts.view_revenue_reports): starting the yearly demand generation
as a Celery task and watching its progress; ward-wise demand against collection and the
defaulters list, both exportable to CSV and XLSX.

Administrators hold every permission, so they may open all of these pages.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import ReportLimitsMixin, long_running
from core.digits import is_bengali, localize_digits
from core.exports import (
    XLSX_TYPE,
    Column,
    export_response,
    requested_format,
    streaming_csv_response,
    table,
)
from core.fiscal import current_fiscal_year, fiscal_year_label, fiscal_year_start
from core.models import Ward
from core.money import format_amount
from core.roles import perm
from core.storage import stream_file
from core.views import StaffRoleRequiredMixin, paginate

from .. import reports, tax
from ..exports import defaulter_columns, defaulters_filename, defaulters_params
from ..models import (
    Appeal,
    DemandRun,
    Holding,
    HoldingApplication,
    Mutation,
    Objection,
    ReportExport,
    Use,
)
from ..officer_forms import (
    AppealDecisionForm,
    AssessmentForm,
    BaseUnitFormSet,
    CollectionFilterForm,
    DefaulterFilterForm,
    DemandRunForm,
    HoldingNumberDecisionForm,
    MutationDecisionForm,
    ObjectionDecisionForm,
    QueueFilterForm,
    UnitFormSet,
    assessment_input,
)
from ..selectors import (
    assessment_basis,
    assessment_breakdown,
    building_breakdown,
    valuation_breakdown,
)
from ..services import (
    LIVE_RUN_STATUSES,
    appeal_decide,
    assessment_record,
    demand_run_start,
    objection_decide,
    reassessment_due,
)
from ..services.exports import LIVE_EXPORT_STATUSES, report_export_start
from ..services.mutations import mutation_decide
from ..services.new_holdings import holding_application_decide, suggested_number
from ..tasks import export_progress_key, progress_key


class AssessorRequired(StaffRoleRequiredMixin):
    permission_required = perm("assess_holdings")


class RevenueOfficerRequired(StaffRoleRequiredMixin):
    permission_required = perm("view_revenue_reports")


# --- the assessor's queue -----------------------------------------------------------------


class AssessorQueueView(AssessorRequired, View):
    """New holdings never assessed, open objections (oldest first) and holdings whose
    latest assessment is due for the periodic reassessment; by ward; 25 a page."""

    template_name = "holdings/officer/assessor_queue.html"
    TABS = {
        "new": gettext_lazy("New holdings"),
        "objections": gettext_lazy("Objections"),
        "due": gettext_lazy("Due for reassessment"),
    }

    def get(self, request):
        form = QueueFilterForm(request.GET)
        ward = form.cleaned_data.get("ward") if form.is_valid() else None
        tab = request.GET.get("tab")
        tab = tab if tab in self.TABS else "new"
        today = timezone.localdate()

        new = (
            Holding.objects.filter(assessments__isnull=True)
            .exclude(use=Use.VACANT_LAND)
            .select_related("ward")
            .order_by("created_at", "pk")
        )
        objections = (
            Objection.objects.filter(status=Objection.Status.OPEN)
            .select_related("assessment__holding__ward", "filed_by")
            .order_by("created_at", "pk")
        )
        # Holdings never assessed are the first tab; this one is the periodic reassessment.
        due = (
            reassessment_due(today)
            .filter(latest__isnull=False)
            .order_by("latest", "ward__number", "number")
        )
        if ward is not None:
            new = new.filter(ward=ward)
            objections = objections.filter(assessment__holding__ward=ward)
            due = due.filter(ward=ward)
        lists = {"new": new, "objections": objections, "due": due}
        counts = {key: qs.count() for key, qs in lists.items()}
        page = paginate(request, lists[tab])
        rows = list(page.object_list)
        now = timezone.now()
        current_start = fiscal_year_start(current_fiscal_year())
        for row in rows:
            if tab == "new":
                row.age_days = (today - timezone.localtime(row.created_at).date()).days
            elif tab == "objections":
                row.days_waiting = (now - row.created_at).days
            else:
                row.age_years = current_start - fiscal_year_start(row.latest)
        page.object_list = rows
        tabs = [
            {"key": key, "label": label, "count": counts[key], "active": key == tab}
            for key, label in self.TABS.items()
        ]
        return TemplateResponse(
            request,
            self.template_name,
            {"form": form, "tab": tab, "tabs": tabs, "page_obj": page, "rows": rows, "ward": ward},
        )


# --- valuing a holding --------------------------------------------------------------------


RENT_ERRORS = {"invalid_rent", "negative_rent", "absurd_rent"}


class AssessView(AssessorRequired, View):
    """Effective fiscal year and yearly rent (and owner-occupied): check the valuation, then
    record it through services.assessment_record. The holding's assessments are listed."""

    template_name = "holdings/officer/assess.html"

    def render(
        self,
        request,
        holding: Holding,
        form: AssessmentForm,
        units: BaseUnitFormSet,
        *,
        preview: dict | None = None,
        recorded: dict | None = None,
        status: int = 200,
    ) -> HttpResponse:
        history = list(
            holding.assessments.select_related("assessed_by")
            .prefetch_related("units")
            .order_by("-effective_fy")
        )
        open_objections = list(
            Objection.objects.filter(assessment__holding=holding, status=Objection.Status.OPEN)
            .select_related("assessment")
            .order_by("created_at")
        )
        lang = "bn" if is_bengali() else "en"
        for a in history:
            a.basis_text = assessment_basis(a)[lang]  # type: ignore[attr-defined]
        replaces = None
        if preview:
            replaces = next((a for a in history if a.effective_fy == preview["fiscal_year"]), None)
        return TemplateResponse(
            request,
            self.template_name,
            {
                "holding": holding,
                "owners": list(holding.owners.all()),
                "form": form,
                "units": units,
                "vacant_land": holding.use == Use.VACANT_LAND,
                "history": history,
                "preview": preview,
                "recorded": recorded,
                "replaces": replaces,
                "open_objections": open_objections,
            },
            status=status,
        )

    @staticmethod
    def forms(holding: Holding, data=None, *, latest=None):
        vacant = holding.use == Use.VACANT_LAND
        initial_units = []
        initial: dict = {"effective_fy": current_fiscal_year()}
        if latest is not None:
            initial_units = [
                {
                    "label": u.label,
                    "use": u.use,
                    "owner_occupied": u.owner_occupied,
                    "annual_rent": u.annual_rent,
                }
                for u in latest.units.all()
            ]
            if vacant:
                initial["nominal_valuation"] = latest.annual_valuation
            elif not initial_units:
                initial["annual_rent"] = latest.annual_rent
        initial.setdefault(
            "owner_occupied", latest.owner_occupied if latest else holding.owner_occupied
        )
        form = AssessmentForm(data, initial=initial, vacant_land=vacant)
        if data is not None and "unit-TOTAL_FORMS" not in data:
            data_units = None  # a post without the units table (an API-like client)
        else:
            data_units = data
        units = UnitFormSet(data_units, initial=initial_units or None, prefix="unit")
        return form, units

    def get(self, request, pk: int):
        holding = get_object_or_404(Holding.objects.select_related("ward"), pk=pk)
        latest = holding.assessments.order_by("-effective_fy").first()
        form, units = self.forms(holding, latest=latest)
        recorded = None
        recorded_pk = request.GET.get("recorded", "")
        if recorded_pk.isdigit():
            assessment = holding.assessments.filter(pk=int(recorded_pk)).first()
            if assessment is not None:
                recorded = {"assessment": assessment, **assessment_breakdown(assessment)}
        return self.render(request, holding, form, units, recorded=recorded)

    def post(self, request, pk: int):
        holding = get_object_or_404(Holding.objects.select_related("ward"), pk=pk)
        form, units = self.forms(holding, request.POST)
        data = assessment_input(form, units)
        if data is None:
            return self.render(request, holding, form, units)
        if "preview" in request.POST:
            fy = data["effective_fy"]
            if "units" in data:
                preview = building_breakdown(units=data["units"], fiscal_year=fy)
            elif "nominal_valuation" in data:
                preview = {"nominal": data["nominal_valuation"], "fiscal_year": fy}
            else:
                preview = valuation_breakdown(
                    annual_rent=data["annual_rent"],
                    owner_occupied=data["owner_occupied"],
                    fiscal_year=fy,
                )
            return self.render(request, holding, form, units, preview=preview)
        try:
            assessment = assessment_record(holding=holding, actor=request.user, **data)
        except ValidationError as exc:
            field = None
            if exc.code in RENT_ERRORS:
                field = "nominal_valuation" if form.vacant_land else "annual_rent"
            form.add_error(field, exc)
            return self.render(request, holding, form, units)
        messages.success(
            request,
            _(
                "The assessment of holding %(holding)s from %(fy)s is recorded: annual valuation "
                "%(valuation)s."
            )
            % {
                "holding": localize_digits(str(holding)),
                "fy": fiscal_year_label(assessment.effective_fy),
                "valuation": format_amount(assessment.annual_valuation),
            },
        )
        return redirect(
            reverse("holdings:assess", args=[holding.pk]) + f"?recorded={assessment.pk}"
        )


# --- deciding an objection ----------------------------------------------------------------


class ObjectionView(AssessorRequired, View):
    """An owner's objection: accept (optionally with a revised rent) or reject, with a
    reason and a confirmation; recorded through services.objection_decide."""

    template_name = "holdings/officer/objection.html"

    def get_objection(self, pk: int) -> Objection:
        return get_object_or_404(
            Objection.objects.select_related(
                "assessment__holding__ward", "assessment__assessed_by", "filed_by", "decided_by"
            ),
            pk=pk,
        )

    def render(
        self, request, objection: Objection, form: ObjectionDecisionForm | None, status: int = 200
    ) -> HttpResponse:
        assessment = objection.assessment
        claimed = None
        if objection.claimed_rent is not None:
            claimed = valuation_breakdown(
                annual_rent=objection.claimed_rent,
                owner_occupied=assessment.owner_occupied,
                fiscal_year=assessment.effective_fy,
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "objection": objection,
                "assessment": assessment,
                "basis": assessment_basis(assessment)["bn" if is_bengali() else "en"],
                "holding": assessment.holding,
                "claimed": claimed,
                "form": form,
                "days_waiting": (timezone.now() - objection.created_at).days,
                "is_open": objection.status == Objection.Status.OPEN,
            },
            status=status,
        )

    def get(self, request, pk: int):
        objection = self.get_objection(pk)
        form = ObjectionDecisionForm() if objection.status == Objection.Status.OPEN else None
        return self.render(request, objection, form)

    def post(self, request, pk: int):
        objection = self.get_objection(pk)
        if objection.status != Objection.Status.OPEN:
            messages.error(request, _("This objection is already decided."))
            return redirect("holdings:objection", pk=objection.pk)
        form = ObjectionDecisionForm(request.POST)
        if not form.is_valid():
            return self.render(request, objection, form)
        data = form.cleaned_data
        accept = data["decision"] == ObjectionDecisionForm.ACCEPT
        try:
            objection = objection_decide(
                objection=objection,
                assessor=request.user,
                accept=accept,
                reason=data["reason"],
                revised_rent=data["revised_rent"],
            )
        except ValidationError as exc:
            form.add_error("revised_rent" if exc.code in RENT_ERRORS else None, exc)
            return self.render(request, self.get_objection(pk), form)
        if accept:
            messages.success(
                request, _("The objection is accepted and the owner will see your reason.")
            )
        else:
            messages.success(
                request, _("The objection is rejected and the owner will see your reason.")
            )
        return redirect(reverse("holdings:assessor_queue") + "?tab=objections")


# --- owners' requests an officer decides: mutations, new holding numbers, appeals ----------


class DecisionQueueView(View):
    """The requests of one kind waiting for a decision, oldest first, and those decided,
    latest first (two paginated lists: `waiting`, `decided`)."""

    template_name: str
    waiting: str  # the status of a request ready for a decision
    decided: tuple[str, ...]  # the final statuses

    def queryset(self):
        raise NotImplementedError

    def extra_context(self, qs) -> dict:
        return {}

    def get(self, request):
        qs = self.queryset()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "waiting": paginate(request, qs.filter(status=self.waiting).order_by("created_at")),
                "decided": paginate(
                    request,
                    qs.filter(status__in=self.decided).order_by("-decided_at"),
                    param="decided_page",
                ),
                **self.extra_context(qs),
            },
        )


# --- mutations (the assessor) ---------------------------------------------------------------


class MutationQueueView(AssessorRequired, DecisionQueueView):
    """Mutations whose fee is paid, oldest first; those still waiting for the fee; decided."""

    template_name = "holdings/officer/mutations.html"
    waiting = Mutation.Status.SUBMITTED
    decided = (Mutation.Status.APPROVED, Mutation.Status.REJECTED)

    def queryset(self):
        return Mutation.objects.select_related("holding__ward", "applicant", "decided_by")

    def extra_context(self, qs) -> dict:
        return {"fee_due": qs.filter(status=Mutation.Status.FEE_DUE).count()}


class MutationView(AssessorRequired, View):
    """One mutation: the owners on record against the deed's; approve or reject."""

    template_name = "holdings/officer/mutation.html"

    def render(self, request, mutation: Mutation, form: MutationDecisionForm | None):
        return TemplateResponse(
            request,
            self.template_name,
            {
                "mutation": mutation,
                "holding": mutation.holding,
                "current_owners": list(mutation.holding.owners.order_by("pk")),
                "form": form,
            },
        )

    def get_mutation(self, pk: int) -> Mutation:
        return get_object_or_404(
            Mutation.objects.select_related("holding__ward", "applicant", "decided_by", "bill"),
            pk=pk,
        )

    def get(self, request, pk: int):
        mutation = self.get_mutation(pk)
        open_ = mutation.status == Mutation.Status.SUBMITTED
        return self.render(request, mutation, MutationDecisionForm() if open_ else None)

    def post(self, request, pk: int):
        mutation = self.get_mutation(pk)
        form = MutationDecisionForm(request.POST)
        if not form.is_valid():
            return self.render(request, mutation, form)
        try:
            mutation_decide(
                mutation=mutation,
                assessor=request.user,
                approve=form.cleaned_data["decision"] == MutationDecisionForm.APPROVE,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render(request, self.get_mutation(pk), form)
        messages.success(request, _("The mutation is decided and the applicant will see it."))
        return redirect("holdings:mutations")


# --- new holding numbers (the assessor) -------------------------------------------------------


class HoldingApplicationsView(AssessorRequired, DecisionQueueView):
    """Applications for a new holding number, oldest first, and those decided."""

    template_name = "holdings/officer/new_holdings.html"
    waiting = HoldingApplication.Status.SUBMITTED
    decided = (HoldingApplication.Status.APPROVED, HoldingApplication.Status.REJECTED)

    def queryset(self):
        return HoldingApplication.objects.select_related("ward", "applicant", "holding")


class HoldingApplicationView(AssessorRequired, View):
    """One application: give the number (the next free one suggested) or reject."""

    def render(self, request, application: HoldingApplication, form):
        return TemplateResponse(
            request,
            "holdings/officer/new_holding.html",
            {"application": application, "form": form},
        )

    def get_application(self, pk: int) -> HoldingApplication:
        return get_object_or_404(
            HoldingApplication.objects.select_related("ward", "applicant", "holding"), pk=pk
        )

    def get(self, request, pk: int):
        application = self.get_application(pk)
        form = None
        if application.status == HoldingApplication.Status.SUBMITTED:
            form = HoldingNumberDecisionForm(initial={"number": suggested_number(application.ward)})
        return self.render(request, application, form)

    def post(self, request, pk: int):
        application = self.get_application(pk)
        form = HoldingNumberDecisionForm(request.POST)
        if not form.is_valid():
            return self.render(request, application, form)
        data = form.cleaned_data
        try:
            holding_application_decide(
                application=application,
                assessor=request.user,
                approve=data["decision"] == HoldingNumberDecisionForm.APPROVE,
                reason=data["reason"],
                number=data["number"],
            )
        except ValidationError as exc:
            form.add_error("number" if exc.code == "duplicate_holding" else None, exc)
            return self.render(request, self.get_application(pk), form)
        messages.success(request, _("The application is decided; the applicant gets an SMS."))
        return redirect("holdings:applications")


# --- appeals (the review officer) ----------------------------------------------------------


class AppealQueueView(RevenueOfficerRequired, DecisionQueueView):
    """Appeals against objection decisions: open ones oldest first, then those decided."""

    template_name = "holdings/officer/appeals.html"
    waiting = Appeal.Status.OPEN
    decided = (Appeal.Status.UPHELD, Appeal.Status.REVISED)

    def queryset(self):
        return Appeal.objects.select_related(
            "objection__assessment__holding__ward", "filed_by", "decided_by"
        )


class AppealView(RevenueOfficerRequired, View):
    """One appeal with the objection and its decision; the review officer (not the assessor
    who decided the objection) lets the decision stand or revises the valuation."""

    template_name = "holdings/officer/appeal.html"

    def get_appeal(self, pk: int) -> Appeal:
        return get_object_or_404(
            Appeal.objects.select_related(
                "objection__assessment__holding__ward",
                "objection__decided_by",
                "filed_by",
                "decided_by",
            ),
            pk=pk,
        )

    def render(self, request, appeal: Appeal, form: AppealDecisionForm | None) -> HttpResponse:
        assessment = appeal.objection.assessment
        claimed = None
        if appeal.claimed_rent is not None:
            claimed = valuation_breakdown(
                annual_rent=appeal.claimed_rent,
                owner_occupied=assessment.owner_occupied,
                fiscal_year=assessment.effective_fy,
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "appeal": appeal,
                "objection": appeal.objection,
                "assessment": assessment,
                "holding": assessment.holding,
                "claimed": claimed,
                "form": form,
                "same_officer": appeal.objection.decided_by_id == request.user.pk,
            },
        )

    def get(self, request, pk: int):
        appeal = self.get_appeal(pk)
        form = AppealDecisionForm() if appeal.status == Appeal.Status.OPEN else None
        return self.render(request, appeal, form)

    def post(self, request, pk: int):
        appeal = self.get_appeal(pk)
        if appeal.status != Appeal.Status.OPEN:
            messages.error(request, _("This appeal is already decided."))
            return redirect("holdings:appeal", pk=appeal.pk)
        form = AppealDecisionForm(request.POST)
        if not form.is_valid():
            return self.render(request, appeal, form)
        data = form.cleaned_data
        try:
            appeal_decide(
                appeal=appeal,
                officer=request.user,
                revise=data["decision"] == AppealDecisionForm.REVISE,
                reason=data["reason"],
                revised_rent=data["revised_rent"],
            )
        except ValidationError as exc:
            form.add_error("revised_rent" if exc.code in RENT_ERRORS else None, exc)
            return self.render(request, self.get_appeal(pk), form)
        messages.success(request, _("The appeal is decided and the owner will see your reason."))
        return redirect("holdings:appeals")


# --- the yearly demand run ----------------------------------------------------------------

STEP_LABELS = {
    "": gettext_lazy("Waiting for the worker"),
    "arrears": gettext_lazy("Carrying unpaid earlier years forward as arrears"),
    "demands": gettext_lazy("Creating the year's demands"),
    "lines": gettext_lazy("Working out each revenue head"),
    "instalments": gettext_lazy("Splitting into quarterly instalments"),
    "totals": gettext_lazy("Adding up the totals"),
    "summary": gettext_lazy("Summing up by ward"),
    "done": gettext_lazy("Finished"),
}
LIVE = LIVE_RUN_STATUSES


class DemandRunsView(RevenueOfficerRequired, View):
    """Start the yearly demand generation for a fiscal year; the runs and their status."""

    template_name = "holdings/officer/demand_runs.html"

    def render(self, request, form: DemandRunForm, status: int = 200) -> HttpResponse:
        runs = paginate(
            request, DemandRun.objects.select_related("started_by").order_by("-created_at", "-pk")
        )
        return TemplateResponse(
            request, self.template_name, {"form": form, "runs": runs}, status=status
        )

    def get(self, request):
        return self.render(request, DemandRunForm(initial={"fiscal_year": current_fiscal_year()}))

    def post(self, request):
        form = DemandRunForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        fiscal_year = form.cleaned_data["fiscal_year"]
        try:
            run = demand_run_start(fiscal_year=fiscal_year, actor=request.user)
        except ValidationError as exc:
            form.add_error("fiscal_year", exc)
            return self.render(request, form)
        messages.success(
            request,
            _("The demand generation for %(fy)s has started. This page shows its progress.")
            % {"fy": fiscal_year_label(fiscal_year)},
        )
        return redirect("holdings:demand_run", pk=run.pk)


class DemandRunView(RevenueOfficerRequired, View):
    """A run's progress (refreshing every 3 seconds while it is queued or running), and at
    the end the counts and the summary per ward."""

    template_name = "holdings/officer/demand_run.html"

    def get(self, request, pk: int):
        run = get_object_or_404(DemandRun.objects.select_related("started_by"), pk=pk)
        live = run.status in LIVE
        step, progress = run.step, run.progress
        if live:
            cached = cache.get(progress_key(run.pk)) or {}
            step = cached.get("step", step)
            progress = cached.get("progress", progress)
        summary = [
            {
                "ward": row.get("ward"),
                "demands": int(row.get("demands") or 0),
                "total": Decimal(str(row.get("total") or "0")),
            }
            for row in (run.summary or [])
        ]
        created = run.created or {}
        counts = [
            (label, created[key])
            for key, label in (
                ("demands", _("New demands")),
                ("lines", _("Demand lines (revenue heads)")),
                ("instalments", _("Instalments")),
                ("arrears", _("Arrears carried forward")),
                ("not_assessed", _("Holdings without a demand (not assessed)")),
            )
            if key in created
        ]
        return TemplateResponse(
            request,
            self.template_name,
            {
                "run": run,
                "live": live,
                "step": step,
                "progress": max(0, min(100, progress)),
                "step_label": STEP_LABELS.get(step, step),
                "summary": summary,
                "summary_demands": sum(r["demands"] for r in summary),
                "summary_total": sum((r["total"] for r in summary), Decimal("0.00")),
                "counts": counts,
            },
        )


# --- reports ------------------------------------------------------------------------------


def money(value) -> Decimal:
    """A report amount (None for nothing) to the paisa."""
    return tax.money(value or 0)


class CollectionView(RevenueOfficerRequired, ReportLimitsMixin, View):
    """Ward-wise demand, arrears carried in, collection and outstanding for a fiscal year;
    ?format=csv or ?format=xlsx exports the same table."""

    template_name = "holdings/officer/collection.html"

    @staticmethod
    def columns() -> list[Column]:
        return [
            (
                _("Ward number"),
                lambda r: r.ward_number if r.ward_number is not None else _("Total"),
            ),
            (_("Ward"), lambda r: r.ward_name),
            (_("Holdings"), lambda r: r.holdings),
            (_("Arrears demand"), lambda r: r.arrears),
            (_("Current demand"), lambda r: r.demand),
            (_("Arrears collected"), lambda r: r.arrears_collected),
            (_("Current collected"), lambda r: r.current_collected),
            (_("Balance"), lambda r: r.outstanding),
            (_("Collection %"), lambda r: r.percent),
        ]

    def get(self, request):
        data = request.GET.copy()
        if not data.get("fy"):
            data["fy"] = current_fiscal_year()
        form = CollectionFilterForm(data)
        valid = form.is_valid()
        fiscal_year = (form.cleaned_data.get("fy") if valid else None) or current_fiscal_year()
        fmt = requested_format(request)
        if fmt and valid:
            report = reports.collection(fiscal_year)
            headers, values = table([*report.rows, report.total], self.columns())
            return export_response(
                fmt,
                headers,
                values,
                filename=f"holding-collection-{fiscal_year}",
                title=_("Collection %(fy)s") % {"fy": fiscal_year_label(fiscal_year)},
            )
        report = reports.collection(fiscal_year)
        return TemplateResponse(
            request,
            self.template_name,
            {"form": form, "report": report, "fiscal_year": fiscal_year},
        )


class DefaultersView(RevenueOfficerRequired, ReportLimitsMixin, View):
    """Holdings with instalments past due or unpaid arrears: by ward, sorted by what they
    owe, 25 a page; ?format=csv streams the whole list as CSV (written while it is sent,
    memory flat); a POST with format=xlsx has the worker build the Excel file (progress
    page, then a download link)."""

    template_name = "holdings/officer/defaulters.html"

    @staticmethod
    def columns() -> list[Column]:
        return defaulter_columns()

    @staticmethod
    def choice(data) -> tuple[DefaulterFilterForm, bool, Ward | None, str]:
        form = DefaulterFilterForm(data)
        valid = form.is_valid()
        ward = form.cleaned_data.get("ward") if valid else None
        sort = (form.cleaned_data.get("sort") if valid else None) or "owed_desc"
        return form, valid, ward, sort

    def get(self, request):
        form, valid, ward, sort = self.choice(request.GET)
        today = timezone.localdate()
        rows = reports.defaulters(today=today, ward=ward, sort=sort)
        if requested_format(request) == "csv" and valid:
            return streaming_csv_response(
                *table(streamed(rows), self.columns()),
                filename=defaulters_filename(today, ward),
            )
        page = paginate(request, rows)
        page.object_list = [
            {**row, "owner_name": reports.owner_name(row)} for row in page.object_list
        ]
        return TemplateResponse(
            request,
            self.template_name,
            {"form": form, "page_obj": page, "sort": sort, "as_of": today, "ward": ward},
        )

    def post(self, request):
        """The Excel file: built by the worker; the officer follows its progress."""
        _form, valid, ward, sort = self.choice(request.POST)
        today = timezone.localdate()
        export = report_export_start(
            kind=ReportExport.Kind.DEFAULTERS,
            params=defaulters_params(
                as_of=today,
                ward=ward if valid else None,
                sort=sort,
                language=translation.get_language() or "",
            ),
            filename=defaulters_filename(today, ward if valid else None),
            actor=request.user,
        )
        return redirect("holdings:report_export", pk=export.pk)


def streamed(rows: reports.DefaulterRows):
    """The rows from a server-side cursor while the response is sent (after the view has
    returned): in a transaction of its own with the report time limits, in the language of
    the request."""
    language = translation.get_language()
    with translation.override(language), long_running(report=True):
        yield from rows.iterator(chunk_size=2000)


EXPORT_LIVE = LIVE_EXPORT_STATUSES


class ReportExportView(RevenueOfficerRequired, View):
    """An export's progress (refreshing every 3 seconds while the worker builds it), then
    the link to download the file."""

    def get(self, request, pk: int):
        export = get_object_or_404(ReportExport.objects.select_related("started_by"), pk=pk)
        live = export.status in EXPORT_LIVE
        rows, progress = export.rows, export.progress
        total: int | None = export.rows
        if live:
            cached = cache.get(export_progress_key(export.pk)) or {}
            rows = cached.get("rows", 0)
            total = cached.get("total")
            progress = cached.get("progress", 0)
        return TemplateResponse(
            request,
            "holdings/officer/report_export.html",
            {
                "export": export,
                "live": live,
                "rows": rows,
                "total": total,
                "progress": max(0, min(100, progress)),
            },
        )


class ReportExportDownloadView(RevenueOfficerRequired, View):
    """The finished export's file."""

    def get(self, request, pk: int):
        export = get_object_or_404(ReportExport, pk=pk, status=ReportExport.Status.DONE)
        return stream_file(
            export.file,
            as_attachment=True,
            filename=f"{export.filename or 'export'}.{export.fmt}",
            content_type=XLSX_TYPE,
        )
