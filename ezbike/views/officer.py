"""The e-bike officer's pages: scan devices (register one — its token shown this once —,
revoke one, each with its last contact) and RFID cards (find an e-bike by its plate, bind
a card, replace a lost or damaged one). Thin: every write is in ezbike.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.money import format_amount
from core.roles import perm
from core.views import AnyPermissionRequired, paginate

from ..forms import BindForm, DeviceForm, PlateForm, ReplaceForm, add_service_errors
from ..models import Licence, RfidCard, ScanDevice, Vehicle
from ..numbers import normalize_plate, plate_display
from ..services import card_bind, card_replace, device_register, device_revoke, plate_status
from ..services.billing import live_bill

OFFICERS = (perm("manage_ebikes"),)


def card_fee_of(card: RfidCard):
    """The replacement fee's bill of a new card, if one was billed."""
    return live_bill(f"card-fee:{card.pk}")


#: What readers are told, in the reader's language.
SCAN_LABELS = {
    "valid": gettext_lazy("Valid"),
    "expired": gettext_lazy("Expired"),
    "suspended": gettext_lazy("Suspended"),
    "blacklisted": gettext_lazy("Blacklisted"),
    "unknown": gettext_lazy("Unknown"),
}


class DevicesView(AnyPermissionRequired, View):
    permission_required = OFFICERS
    template_name = "ezbike/officer/devices.html"

    def _page(self, request: HttpRequest, form: DeviceForm, **extra: Any) -> HttpResponse:
        devices = paginate(request, ScanDevice.objects.order_by("-active", "name"))
        return render(request, self.template_name, {"form": form, "page_obj": devices, **extra})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, DeviceForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DeviceForm(request.POST)
        if form.is_valid():
            try:
                device, token = device_register(actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                # Shown on this answer only (never stored, never redirected with).
                return self._page(request, DeviceForm(), new_device=device, token=token)
        return self._page(request, form)


class DeviceRevokeView(AnyPermissionRequired, View):
    permission_required = OFFICERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = get_object_or_404(ScanDevice, pk=pk)
        device_revoke(device=device, actor=request.user)
        messages.success(
            request,
            _("The device “%(name)s” is revoked: its token opens nothing now.")
            % {"name": device.name},
        )
        return redirect("ezbike:devices")


class CardsView(AnyPermissionRequired, View):
    permission_required = OFFICERS
    template_name = "ezbike/officer/cards.html"

    def _vehicle(self, plate: str) -> Vehicle | None:
        try:
            number = normalize_plate(plate)
        except ValidationError:
            return None
        return Vehicle.objects.select_related("ward").filter(plate_no=number).first()

    def _page(
        self, request: HttpRequest, plate_form: PlateForm, vehicle: Vehicle | None, **forms: Any
    ) -> HttpResponse:
        context: dict[str, Any] = {"plate_form": plate_form, "vehicle": vehicle}
        if vehicle is not None:
            answer = plate_status(vehicle.plate_no or "")
            context.update(
                plate_shown=plate_display(vehicle.plate_no or ""),
                answer_label=SCAN_LABELS.get(answer["status"], "") if answer else "",
                answer_status=answer["status"] if answer else "",
                cards=list(vehicle.cards.order_by("-bound_at")),
                licence=Licence.objects.filter(vehicle=vehicle).order_by("-fiscal_year").first(),
                in_use=vehicle.cards.filter(status=RfidCard.Status.IN_USE).first(),
                bind_form=forms.get("bind_form") or BindForm(),
                replace_form=forms.get("replace_form") or ReplaceForm(),
            )
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        plate_form = PlateForm(request.GET or None)
        vehicle = None
        if plate_form.is_valid():
            vehicle = self._vehicle(plate_form.cleaned_data["plate"])
            if vehicle is None:
                plate_form.add_error("plate", _("No e-bike has this plate number."))
        return self._page(request, plate_form, vehicle)

    def post(self, request: HttpRequest) -> HttpResponse:
        vehicle = self._vehicle(request.POST.get("plate", ""))
        if vehicle is None:
            messages.error(request, _("No e-bike has this plate number."))
            return redirect("ezbike:cards")
        plate_form = PlateForm({"plate": vehicle.plate_no})
        plate_form.is_valid()
        action = request.POST.get("action")
        form: BindForm | ReplaceForm = (
            ReplaceForm(request.POST) if action == "replace" else BindForm(request.POST)
        )
        if form.is_valid():
            try:
                if action == "replace":
                    card = get_object_or_404(
                        RfidCard, vehicle=vehicle, status=RfidCard.Status.IN_USE
                    )
                    new = card_replace(
                        card=card,
                        new_uid=form.cleaned_data["uid"],
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                    )
                    messages.success(
                        request, _("The new card is bound; the old card is blacklisted.")
                    )
                    fee = card_fee_of(new)
                    if fee is not None:
                        messages.info(
                            request,
                            _(
                                "The card replacement fee %(amount)s is billed to the owner: "
                                "bill %(number)s."
                            )
                            % {"amount": format_amount(fee.total), "number": fee.number},
                        )
                else:
                    card_bind(vehicle=vehicle, uid=form.cleaned_data["uid"], actor=request.user)
                    messages.success(request, _("The card is bound to the plate."))
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                url = reverse("ezbike:cards") + "?" + urlencode({"plate": vehicle.plate_no or ""})
                return redirect(url)
        key = "replace_form" if action == "replace" else "bind_form"
        return self._page(request, plate_form, vehicle, **{key: form})


class PlateCheckView(AnyPermissionRequired, View):
    """Traffic staff (and e-bike officers) check a plate on a phone: what a reader would be
    told — the status, the vehicle type and ward, never the owner."""

    permission_required = (perm("check_ebike_plates"), perm("manage_ebikes"))
    template_name = "ezbike/plate_check.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PlateForm(request.GET or None)
        answer = None
        if form.is_valid():
            try:
                number = normalize_plate(form.cleaned_data["plate"])
            except ValidationError as e:
                form.add_error("plate", e)
            else:
                answer = plate_status(number)
                if answer is None:
                    form.add_error("plate", _("No e-bike has this plate number."))
                else:
                    answer = {
                        **answer,
                        "label": SCAN_LABELS[answer["status"]],
                        "plate_shown": plate_display(answer["plate"]),
                    }
        return render(request, self.template_name, {"form": form, "answer": answer})
