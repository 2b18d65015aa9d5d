"""The owner's pages: my e-bikes, an e-bike's page (its licences with status and validity,
the application, the fee to pay, renew), and the plate sticker and licence ("blue book")
PDFs. Staff (the e-bike officer, the counter) open an e-bike's page too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from core.roles import perm
from core.views import AnyPermissionRequired
from payments.models import Bill

from .. import documents
from ..application_forms import EnforcementForm
from ..dashboard_panels import vehicles_of
from ..models import Application, Licence, Vehicle
from ..services import enforcement
from ..services.applications import licence_renew, renewal_open
from ..services.billing import SERVICE

STAFF = (perm("manage_ebikes"), perm("use_counter"))


def vehicle_for(request: HttpRequest, pk: int) -> Vehicle:
    """The e-bike, when the user owns it or is staff (else 403)."""
    vehicle = get_object_or_404(
        Vehicle.objects.select_related("owner__user", "ward", "owner__nid_ward"), pk=pk
    )
    user = request.user
    if vehicle.owner.user_id != user.pk and not any(user.has_perm(p) for p in STAFF):
        raise PermissionDenied(_("You can see only your own e-bikes."))
    return vehicle


class MyVehiclesView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = vehicles_of(request.user)
        return TemplateResponse(request, "ezbike/citizen/mine.html", {"rows": rows})


def open_bills(vehicle: Vehicle, licences: list[Licence]) -> list[Bill]:
    applications = Application.objects.filter(licence__vehicle=vehicle).values_list("pk", flat=True)
    return list(
        Bill.objects.filter(service=SERVICE, status=Bill.Status.OPEN)
        .filter(
            Q(subject_type="licence", subject_id__in=[str(lic.pk) for lic in licences])
            | Q(subject_type="application", subject_id__in=[str(pk) for pk in applications])
        )
        .order_by("due_date", "pk")
    )


class VehicleView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = vehicle_for(request, pk)
        licences = list(vehicle.licences.order_by("-fiscal_year", "-pk"))
        application = (
            Application.objects.filter(licence__vehicle=vehicle)
            .select_related("licence", "fee_bill")
            .order_by("-pk")
            .first()
        )
        current = documents.printable_licence(vehicle)
        bills = open_bills(vehicle, licences)
        unbilled = [
            lic
            for lic in licences
            if lic.status == Licence.Status.APPROVED
            and not any(b.subject_type == "licence" and b.subject_id == str(lic.pk) for b in bills)
        ]
        for lic in unbilled:
            lic.token = f"l{lic.pk}"  # type: ignore[attr-defined]
        return TemplateResponse(
            request,
            "ezbike/citizen/vehicle.html",
            {
                "vehicle": vehicle,
                "owner": vehicle.owner,
                "licences": licences,
                "application": application,
                "bills": bills,
                "unbilled": unbilled,
                "is_owner": vehicle.owner.user_id == request.user.pk,
                "at_counter": request.user.has_perm(perm("use_counter")),
                "may_renew": vehicle.owner.user_id == request.user.pk and renewal_open(vehicle),
                "printable": current,
                "enforcement_form": (
                    EnforcementForm(status=current.status)
                    if current is not None
                    and request.user.has_perm(perm("manage_ebikes"))
                    and current.status in ("active", "suspended")
                    else None
                ),
                "drivers": [
                    a.driver
                    for a in vehicle.assignments.filter(ended_on__isnull=True).select_related(
                        "driver"
                    )
                ],
            },
        )


class LicenceActionView(AnyPermissionRequired, View):
    """The e-bike officer suspends, reinstates or seizes (the fine billed) the e-bike's
    current licence, from the e-bike's page."""

    permission_required = (perm("manage_ebikes"),)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = vehicle_for(request, pk)
        licence = enforcement.current_licence(vehicle)
        if licence is None:
            raise Http404
        form = EnforcementForm(request.POST, status=licence.status)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
            return redirect("ezbike:vehicle", pk=vehicle.pk)
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == EnforcementForm.SUSPEND:
                enforcement.licence_suspend(licence=licence, reason=reason, actor=request.user)
                messages.success(request, _("The licence is suspended; the owner gets an SMS."))
            elif action == EnforcementForm.REINSTATE:
                enforcement.licence_reinstate(licence=licence, reason=reason, actor=request.user)
                messages.success(request, _("The licence is active again."))
            else:
                _licence, bill = enforcement.licence_seize(
                    licence=licence, reason=reason, actor=request.user
                )
                messages.success(
                    request,
                    _("The e-bike is seized; the owner is billed the fine (bill %(number)s).")
                    % {"number": bill.number if bill else "—"},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("ezbike:vehicle", pk=vehicle.pk)


class RenewView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = vehicle_for(request, pk)
        if vehicle.owner.user_id != request.user.pk:
            raise PermissionDenied(_("Only the owner renews an e-bike online."))
        try:
            _licence, bill = licence_renew(vehicle=vehicle, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The renewal is billed: bill %(number)s. Pay it below.")
                % {"number": bill.number},
            )
        return redirect("ezbike:vehicle", pk=vehicle.pk)


class StickerPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = vehicle_for(request, pk)
        licence = documents.printable_licence(vehicle)
        if licence is None:
            raise Http404
        return documents.pdf_response(
            documents.sticker_pdf(licence), f"ebike-sticker-{vehicle.plate_no}.pdf"
        )


class BlueBookPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = vehicle_for(request, pk)
        licence = documents.printable_licence(vehicle)
        if licence is None:
            raise Http404
        return documents.pdf_response(
            documents.bluebook_pdf(licence),
            f"ebike-licence-{vehicle.licence_no}-{licence.fiscal_year}.pdf",
        )
