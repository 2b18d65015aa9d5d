"""Applications for an e-bike licence: the citizen's form, the counter clerk's filing on
someone's behalf, the e-bike officer's queue (search, pages), an application with its papers
and the decision, and the papers and photos for staff. Thin: writes in ezbike.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from core.digits import to_ascii_digits
from core.roles import perm
from core.storage import stream_file
from core.views import AnyPermissionRequired, StaffRoleRequiredMixin, paginate

from ..application_forms import ApplicationForm, DecisionForm, QueueSearchForm
from ..forms import add_service_errors
from ..models import Application, ApplicationDocument, Driver, Licence, Owner
from ..services.applications import application_decide, application_submit

S = Licence.Status
FORM = "ezbike/apply/form.html"


def _submit(request: HttpRequest, form: ApplicationForm, *, applicant, channel: str):
    try:
        return application_submit(
            owner=form.owner(),
            vehicle=form.vehicle(),
            drivers=form.drivers(),
            documents=form.documents(),
            applicant=applicant,
            actor=request.user,
            channel=channel,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


class ApplyView(LoginRequiredMixin, View):
    """A signed-in citizen applies from home."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        form = ApplicationForm(
            initial={
                "owner_name_bn": getattr(user, "name_bn", "") or "",
                "owner_mobile": getattr(user, "mobile", ""),
            }
        )
        return TemplateResponse(request, FORM, {"form": form, "counter": False})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApplicationForm(request.POST, request.FILES)
        application = (
            _submit(request, form, applicant=request.user, channel=Application.Channel.ONLINE)
            if form.is_valid()
            else None
        )
        if application is None:
            return TemplateResponse(request, FORM, {"form": form, "counter": False})
        messages.success(
            request,
            _(
                "Your application is received. Pay the application fee; we will send an SMS at "
                "each step."
            ),
        )
        return redirect("ezbike:vehicle", pk=application.licence.vehicle_id)


class CounterApplyView(StaffRoleRequiredMixin, View):
    """A counter clerk files an application on an owner's behalf (linked to the owner's
    account when their mobile number has one)."""

    permission_required = perm("use_counter")

    def get(self, request: HttpRequest) -> HttpResponse:
        return TemplateResponse(request, FORM, {"form": ApplicationForm(), "counter": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApplicationForm(request.POST, request.FILES)
        application = None
        if form.is_valid():
            applicant = (
                get_user_model().objects.filter(mobile=form.cleaned_data["owner_mobile"]).first()
            )
            application = _submit(
                request, form, applicant=applicant, channel=Application.Channel.COUNTER
            )
        if application is None:
            return TemplateResponse(request, FORM, {"form": form, "counter": True})
        bill = application.fee_bill
        messages.success(
            request,
            _(
                "Application %(ref)s is filed. Take the application fee at the counter (bill "
                "%(bill)s); the owner gets an SMS at each step."
            )
            % {"ref": application.reference, "bill": bill.number if bill else "—"},
        )
        return redirect("ezbike:vehicle", pk=application.licence.vehicle_id)


# --- the e-bike officer -----------------------------------------------------------------------

OFFICERS = (perm("manage_ebikes"),)


def _search(qs, text: str):
    text = to_ascii_digits(text or "").strip()
    if not text:
        return qs
    found = (
        Q(licence__vehicle__owner__name_bn__icontains=text)
        | Q(licence__vehicle__owner__name_en__icontains=text)
        | Q(licence__vehicle__owner__nid=text)
        | Q(mobile=text)
        | Q(licence__vehicle__chassis_no__icontains=text.replace(" ", "").upper())
    )
    number = text.upper().removeprefix("EB-")
    if number.isdigit():
        found |= Q(pk=int(number))
    return qs.filter(found)


class ApplicationQueueView(AnyPermissionRequired, View):
    """Applications waiting for a decision (oldest first, the application fee paid or
    not), those waiting for a place under the cap, and those decided; with a search."""

    permission_required = OFFICERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = QueueSearchForm(request.GET or None)
        status, text = "", ""
        if form.is_valid():
            status, text = form.cleaned_data["status"], form.cleaned_data["q"]
        qs = Application.objects.select_related(
            "licence__vehicle__owner", "licence__vehicle__ward", "fee_bill"
        )
        if status == "waiting":
            qs = qs.filter(licence__status=S.WAITING).order_by("licence__applied_at", "pk")
        elif status == "decided":
            qs = qs.filter(decided_at__isnull=False).exclude(licence__status=S.WAITING)
            qs = qs.order_by("-decided_at", "-pk")
        else:
            qs = qs.filter(decided_at__isnull=True, licence__status=S.APPLIED).order_by(
                "created_at", "pk"
            )
        return TemplateResponse(
            request,
            "ezbike/officer/applications.html",
            {"form": form, "page_obj": paginate(request, _search(qs, text)), "status": status},
        )


class OfficerApplicationView(AnyPermissionRequired, View):
    """One application: the owner, the e-bike, the drivers, the papers; decide it."""

    permission_required = OFFICERS
    template_name = "ezbike/officer/application.html"

    def get_application(self, pk: int) -> Application:
        return get_object_or_404(
            Application.objects.select_related(
                "licence__vehicle__owner__nid_ward",
                "licence__vehicle__ward",
                "fee_bill",
                "decided_by",
                "filed_by",
            ),
            pk=pk,
        )

    def render(self, request, application: Application, decision=None) -> HttpResponse:
        licence = application.licence
        if decision is None and application.decided_at is None and licence.status == S.APPLIED:
            decision = DecisionForm()
        vehicle = licence.vehicle
        return TemplateResponse(
            request,
            self.template_name,
            {
                "application": application,
                "licence": licence,
                "vehicle": vehicle,
                "owner": vehicle.owner,
                "drivers": [
                    a.driver
                    for a in vehicle.assignments.filter(ended_on__isnull=True).select_related(
                        "driver"
                    )
                ],
                "documents": list(application.documents.all()),
                "history": list(licence.status_changes.select_related("changed_by")),
                "decision_form": decision,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, self.get_application(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self.get_application(pk)
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
                add_service_errors(decision, exc)
            else:
                messages.success(request, _("The application is decided; the owner gets an SMS."))
                return redirect("ezbike:officer_applications")
        return self.render(request, self.get_application(pk), decision)


def _file_response(file, *, content_type: str = "", filename: str = "") -> FileResponse:
    return stream_file(file, content_type=content_type, filename=filename or "photo")


class ApplicationDocumentView(AnyPermissionRequired, View):
    """A paper of an application, for the e-bike officer and counter staff."""

    permission_required = (perm("manage_ebikes"), perm("use_counter"))

    def get(self, request: HttpRequest, pk: int, doc: int) -> FileResponse:
        document = get_object_or_404(ApplicationDocument, pk=doc, application_id=pk)
        return _file_response(
            document.file, content_type=document.content_type, filename=document.original_name
        )


class PhotoView(AnyPermissionRequired, View):
    """An owner's or a driver's photo, for the e-bike officer and counter staff."""

    permission_required = (perm("manage_ebikes"), perm("use_counter"))

    def get(self, request: HttpRequest, who: str, pk: int) -> FileResponse:
        if who == "owner":
            photo = get_object_or_404(Owner, pk=pk).photo
            return _file_response(photo, filename=(photo.name or "").rsplit("/", 1)[-1])
        if who == "driver":
            photo = get_object_or_404(Driver, pk=pk).photo
            return _file_response(photo, filename=(photo.name or "").rsplit("/", 1)[-1])
        raise Http404
