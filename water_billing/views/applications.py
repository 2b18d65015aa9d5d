"""Applications for a new connection: the citizen's form and pages, the counter clerk's
filing on someone's behalf, the water officer's queue, decision and opening of the
connection, and the papers' download for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from core.roles import perm
from core.storage import stream_file
from core.views import StaffRoleRequiredMixin, paginate

from ..forms_casework import ApplicationForm, ConnectForm, DecisionForm
from ..models import ConnectionApplication, ConnectionDocument
from ..services.applications import application_connect, application_decide, application_submit
from .billing import WaterOfficerRequired

A = ConnectionApplication.Status
STAFF = (perm("manage_water"), perm("use_counter"))


def _submit(request, form: ApplicationForm, *, applicant, channel: str):
    data = form.cleaned_data
    try:
        return application_submit(
            ward=data["ward"],
            holding_number=data["holding_number"],
            category=data["category"],
            pipe_diameter_mm=data["pipe_diameter_mm"],
            metered=data["metered"],
            sewerage=data["sewerage"],
            road_cutting=data["road_cutting"],
            applicant_name=data["applicant_name"],
            applicant_mobile=data["applicant_mobile"],
            documents=form.documents(),
            applicant=applicant,
            actor=request.user,
            channel=channel,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


class ApplyView(LoginRequiredMixin, View):
    """A signed-in citizen applies from home."""

    template_name = "water_billing/apply/form.html"

    def get(self, request):
        user = request.user
        form = ApplicationForm(
            initial={
                "applicant_name": user.get_full_name(),
                "applicant_mobile": getattr(user, "mobile", ""),
            }
        )
        return TemplateResponse(request, self.template_name, {"form": form, "counter": False})

    def post(self, request):
        form = ApplicationForm(request.POST, request.FILES)
        application = (
            _submit(
                request, form, applicant=request.user, channel=ConnectionApplication.Channel.ONLINE
            )
            if form.is_valid()
            else None
        )
        if application is None:
            return TemplateResponse(request, self.template_name, {"form": form, "counter": False})
        messages.success(
            request, _("Your application is received. We will send an SMS at each step.")
        )
        return redirect("water_billing:application", pk=application.pk)


class CounterApplyView(StaffRoleRequiredMixin, View):
    """A counter clerk files an application on someone's behalf (linked to the citizen's
    account when their mobile number has one)."""

    permission_required = perm("use_counter")
    template_name = "water_billing/apply/form.html"

    def get(self, request):
        return TemplateResponse(
            request, self.template_name, {"form": ApplicationForm(), "counter": True}
        )

    def post(self, request):
        from django.contrib.auth import get_user_model

        form = ApplicationForm(request.POST, request.FILES)
        application = None
        if form.is_valid():
            applicant = (
                get_user_model()
                .objects.filter(mobile=form.cleaned_data["applicant_mobile"])
                .first()
            )
            application = _submit(
                request, form, applicant=applicant, channel=ConnectionApplication.Channel.COUNTER
            )
        if application is None:
            return TemplateResponse(request, self.template_name, {"form": form, "counter": True})
        messages.success(
            request,
            _("Application %(ref)s is filed. The applicant gets an SMS at each step.")
            % {"ref": application.reference},
        )
        return redirect("water_billing:application", pk=application.pk)


def _visible(user, application: ConnectionApplication) -> bool:
    return application.applicant_id == user.pk or any(user.has_perm(p) for p in STAFF)


class MyApplicationsView(LoginRequiredMixin, View):
    def get(self, request):
        rows = (
            ConnectionApplication.objects.filter(applicant=request.user)
            .select_related("connection__ward", "bill")
            .order_by("-created_at")
        )
        return TemplateResponse(
            request, "water_billing/apply/mine.html", {"page_obj": paginate(request, rows)}
        )


class ApplicationView(LoginRequiredMixin, View):
    """One application as its applicant (and staff) see it: the status, the fees and the
    bill to pay."""

    def get(self, request, pk: int):
        application = get_object_or_404(
            ConnectionApplication.objects.select_related("connection__ward", "bill", "decided_by"),
            pk=pk,
        )
        if not _visible(request.user, application):
            raise PermissionDenied(_("You can see only your own applications."))
        return TemplateResponse(
            request, "water_billing/apply/application.html", {"application": application}
        )


# --- the water officer ----------------------------------------------------------------------


class ApplicationQueueView(WaterOfficerRequired, View):
    """Applications waiting for a decision (oldest first), those paid and waiting for the
    meter, and those decided (latest first)."""

    def get(self, request):
        qs = ConnectionApplication.objects.select_related("connection__ward", "decided_by")
        return TemplateResponse(
            request,
            "water_billing/officer/applications.html",
            {
                "waiting": paginate(request, qs.filter(status=A.SUBMITTED).order_by("created_at")),
                "to_connect": qs.filter(status=A.PAID).order_by("updated_at")[:50],
                "decided": paginate(
                    request,
                    qs.exclude(status__in=(A.SUBMITTED, A.PAID)).order_by("-decided_at", "-pk"),
                    param="decided_page",
                ),
            },
        )


class OfficerApplicationView(WaterOfficerRequired, View):
    """One application: the holding, the connection asked for, the papers; decide it, or
    open the connection once paid."""

    template_name = "water_billing/officer/application.html"

    def get_application(self, pk: int) -> ConnectionApplication:
        return get_object_or_404(
            ConnectionApplication.objects.select_related(
                "connection__ward", "bill", "decided_by", "filed_by"
            ),
            pk=pk,
        )

    def render(self, request, application, *, decision=None, connect=None):
        if decision is None and application.status == A.SUBMITTED:
            decision = DecisionForm()
        if connect is None and application.status == A.PAID:
            connect = ConnectForm(metered=application.connection.metered)
        return TemplateResponse(
            request,
            self.template_name,
            {
                "application": application,
                "documents": list(application.documents.all()),
                "decision_form": decision,
                "connect_form": connect,
            },
        )

    def get(self, request, pk: int):
        return self.render(request, self.get_application(pk))

    def post(self, request, pk: int):
        application = self.get_application(pk)
        if request.POST.get("step") == "connect":
            form = ConnectForm(request.POST, metered=application.connection.metered)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    application_connect(
                        application=application,
                        actor=request.user,
                        installed_on=data["installed_on"],
                        serial=data.get("serial", ""),
                        initial_reading=data.get("initial_reading") or 0,
                        dial_digits=data.get("dial_digits") or 5,
                    )
                except ValidationError as exc:
                    _errors(form, exc)
                else:
                    messages.success(
                        request, _("The connection is open; the applicant gets an SMS.")
                    )
                    return redirect("water_billing:officer_application", pk=pk)
            return self.render(request, self.get_application(pk), connect=form)
        decision = DecisionForm(request.POST)
        if decision.is_valid():
            try:
                application_decide(
                    application=application,
                    actor=request.user,
                    approve=decision.cleaned_data["decision"] == DecisionForm.APPROVE,
                    reason=decision.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _errors(decision, exc)
            else:
                messages.success(
                    request, _("The application is decided; the applicant gets an SMS.")
                )
                return redirect("water_billing:officer_applications")
        return self.render(request, self.get_application(pk), decision=decision)


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ApplicationDocumentView(StaffRoleRequiredMixin, View):
    """A paper of an application, for the water officer and counter staff."""

    permission_required = perm("manage_water")

    def get(self, request, pk: int, doc: int):
        document = get_object_or_404(ConnectionDocument, pk=doc, application_id=pk)
        return stream_file(
            document.file, content_type=document.content_type, filename=document.original_name
        )
