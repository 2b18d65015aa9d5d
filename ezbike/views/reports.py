"""The e-bike officer's reports with CSV/XLSX (core.exports): the fleet per ward against the
caps, licences expired or suspended, and sightings of cards that may not run by place and
hour."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import ReplicaReadsMixin
from core.exports import export_response, requested_format, table
from core.fiscal import current_fiscal_year
from core.formfields import WardChoiceField
from core.roles import perm
from core.views import AnyPermissionRequired, paginate

from .. import reports
from .officer import SCAN_LABELS


class OfficerRequired(AnyPermissionRequired):
    permission_required = (perm("manage_ebikes"),)


def _cap(value: int | None) -> object:
    return "" if value is None else value


class FleetView(OfficerRequired, ReplicaReadsMixin, View):
    """The year's fleet per ward against the caps (and the city's)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        fy = current_fiscal_year()
        data = reports.fleet(fy)
        if fmt := requested_format(request):
            columns = [
                (_("Ward"), lambda r: r["ward"].number),
                (_("E-bikes licensed"), lambda r: r["held"]),
                (_("Fleet cap"), lambda r: _cap(r["cap"])),
                (_("Places left"), lambda r: _cap(r["room"])),
                (_("Waiting"), lambda r: r["waiting"]),
            ]
            headers, values = table(data["rows"], columns)
            return export_response(
                fmt, headers, values, filename=f"ebike-fleet-{fy}", title=_("Fleet per ward")
            )
        return TemplateResponse(request, "ezbike/officer/fleet.html", {"fy": fy, **data})


class LicenceFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Licences"),
        choices=[
            ("expired", gettext_lazy("Expired")),
            ("suspended", gettext_lazy("Suspended or seized")),
        ],
        required=False,
    )
    ward = WardChoiceField()


class LicencesView(OfficerRequired, ReplicaReadsMixin, View):
    """Licences expired, or suspended and seized, with the reason of their last move."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = LicenceFilter(request.GET or None)
        status, ward = "expired", None
        if form.is_valid():
            status = form.cleaned_data["status"] or "expired"
            ward = form.cleaned_data["ward"]
        rows = reports.licences_with_status(status, ward=ward)
        if fmt := requested_format(request):
            columns = [
                (_("Number plate"), lambda lic: lic.vehicle.plate_no or ""),
                (_("Ward"), lambda lic: lic.vehicle.ward.number),
                (_("Owner"), lambda lic: lic.vehicle.owner.name),
                (_("Mobile"), lambda lic: lic.vehicle.owner.mobile),
                (_("Fiscal year"), lambda lic: lic.fiscal_year),
                (_("Status"), lambda lic: str(lic.get_status_display())),
                (_("Valid until"), lambda lic: lic.valid_until),
                (_("Reason"), lambda lic: lic.last_reason or ""),
            ]
            headers, values = table(rows.iterator(chunk_size=2000), columns)
            return export_response(
                fmt, headers, values, filename=f"ebike-licences-{status}", title=_("Licences")
            )
        return TemplateResponse(
            request,
            "ezbike/officer/licences.html",
            {"form": form, "status": status, "page_obj": paginate(request, rows)},
        )


class SightingFilter(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SightingsView(OfficerRequired, ReplicaReadsMixin, View):
    """Where and when readers saw cards that may not run, by place and hour (the last seven
    days unless other days are chosen)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = SightingFilter(request.GET or None)
        start, end = today - datetime.timedelta(days=6), today
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
        rows = reports.sightings_by_place_and_hour(start=start, end=end)
        if fmt := requested_format(request):
            columns = [
                (_("Place"), lambda r: r["place"]),
                (_("Hour"), lambda r: timezone.localtime(r["hour"]).strftime("%Y-%m-%d %H:00")),
                (_("Readers were told"), lambda r: str(SCAN_LABELS.get(r["status"], r["status"]))),
                (_("Reads"), lambda r: r["reads"]),
                (_("Cards"), lambda r: r["cards"]),
            ]
            headers, values = table(rows, columns)
            return export_response(
                fmt,
                headers,
                values,
                filename=f"ebike-sightings-{start}-{end}",
                title=_("Sightings"),
            )
        page = paginate(request, rows)
        for row in page.object_list:
            row["label"] = SCAN_LABELS.get(row["status"], row["status"])
        return TemplateResponse(
            request,
            "ezbike/officer/sightings.html",
            {"form": form, "start": start, "end": end, "page_obj": page},
        )
