"""Reading pages: the meter reader's route on a phone (one ward's block in walking order, a
reading at a time), a handheld's file, and the water officer's review of held and flagged
readings. Thin: every write is a service function in water_billing.services.readings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core.digits import localize_digits
from core.roles import perm
from core.storage import stream_file
from core.views import AnyPermissionRequired, paginate

from .. import readings_queries as queries
from ..forms_readings import (
    CorrectForm,
    ImportForm,
    ReadingForm,
    ReasonForm,
    ReplacedForm,
    RouteForm,
    add_service_errors,
)
from ..models import Connection, Reading
from ..readings_import import COLUMN_HELP, COLUMNS, import_file, outcome_message
from ..services import readings as services

READERS = (perm("record_meter_readings"), perm("manage_water"))
OFFICERS = (perm("manage_water"),)
ROUTE_COOKIE = "water_route"
ROUTE_COOKIE_AGE = 180 * 24 * 3600
PER_PAGE = 20
#: The reading form's fields → the service's names for them.
READING_FIELDS = {"value": "reading", "read_on": "read_on", "photo": "photo", "note": "note"}


def _remembered(request: HttpRequest) -> tuple[str, str]:
    value = request.get_signed_cookie(ROUTE_COOKIE, default="", salt=ROUTE_COOKIE) or ""
    ward, _sep, block = value.partition(":")
    return ward, block


class RouteView(AnyPermissionRequired, View):
    """The meter reader's route: choose the ward and block (the last choice is remembered),
    then the connections in walking order, each with its meter, last reading, 6-month
    average and a reading form. After a save the page opens at the next connection not yet
    read this month, with what became of the reading just saved."""

    permission_required = READERS
    template_name = "water_billing/readings/route.html"

    def _route(self, request: HttpRequest, data: Any) -> dict[str, Any]:
        wards = list(queries.wards_with_route())
        remembered_ward, remembered_block = _remembered(request)
        ward_number = str(data.get("ward") or remembered_ward or "")
        ward = next((w for w in wards if str(w.number) == ward_number), None)
        blocks = queries.blocks(ward) if ward else []
        block = data.get("block")
        if block is None and ward is not None and ward_number == remembered_ward:
            block = remembered_block
        if block not in blocks:
            block = blocks[0] if blocks else ""
        chooser = RouteForm(
            initial={"ward": ward.number if ward else "", "block": block},
            wards=wards,
            blocks=blocks,
        )
        return {
            "wards": wards,
            "ward": ward,
            "block": block,
            "route_block": block,  # templates: "block" is the template's own block
            "blocks": blocks,
            "chooser": chooser,
        }

    def _page(
        self,
        request: HttpRequest,
        route: dict[str, Any],
        *,
        bound: tuple[int, ReadingForm] | None = None,
        page_number: Any = None,
    ) -> dict[str, Any]:
        month = timezone.localdate().replace(day=1)
        connections = (
            list(queries.route_connections(route["ward"], route["block"])) if route["ward"] else []
        )
        if bound is not None:
            index = next((i for i, c in enumerate(connections) if c.pk == bound[0]), 0)
            page_number = index // PER_PAGE + 1
        done_pk, at = request.GET.get("done"), request.GET.get("at", "")
        again = request.GET.get("again") == "1"
        query = request.GET.copy()
        query.pop("done", None)
        query.pop("at", None)
        query.pop("again", None)
        if route["ward"] is not None:
            query["ward"], query["block"] = str(route["ward"].number), route["block"]
        if page_number is not None:
            query["page"] = str(page_number)
        request.GET = query  # type: ignore[assignment]  # paginate reads the page and its links' query from here
        page = paginate(request, connections, per_page=PER_PAGE)
        stops = queries.stops(list(page.object_list), month=month)
        done = None
        if done_pk and done_pk.isdigit():
            done = (
                Reading.objects.filter(pk=int(done_pk), connection__in=connections)
                .select_related("connection")
                .first()
            )
        for stop in stops:
            stop.show_done = done is not None and str(stop.pk) == at
            if bound is not None and bound[0] == stop.pk:
                stop.form = bound[1]
            else:
                stop.form = ReadingForm(prefix=f"c{stop.pk}")
        return {
            **route,
            "page_obj": page,
            "stops": stops,
            "month": month,
            "read_count": sum(1 for s in stops if s.this_month is not None),
            "done": done,
            "done_message": outcome_message(done, not again) if done else "",
            "done_on_top": done is not None and not any(s.show_done for s in stops),
            "done_status": done.status if done else "",
            "bound_form": bound[1] if bound else None,
            "total": len(connections),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        route = self._route(request, request.GET)
        chosen = "ward" in request.GET
        response = render(request, self.template_name, self._page(request, route))
        if route["ward"] is not None and chosen:
            response.set_signed_cookie(
                ROUTE_COOKIE,
                f"{route['ward'].number}:{route['block']}",
                salt=ROUTE_COOKIE,
                max_age=ROUTE_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        pk = request.POST.get("connection", "")
        connection = get_object_or_404(
            Connection, pk=int(pk) if pk.isdigit() else 0, status=Connection.Status.ACTIVE
        )
        route = self._route(request, {"ward": connection.ward.number, "block": connection.block})
        form = ReadingForm(request.POST, request.FILES, prefix=f"c{connection.pk}")
        if form.is_valid():
            try:
                reading, created = services.reading_submit(
                    connection=connection,
                    value=form.cleaned_data["reading"],
                    read_on=form.cleaned_data["read_on"],
                    note=form.cleaned_data["note"],
                    photo=form.cleaned_data["photo"],
                    source=Reading.Source.READER_PHONE,
                    read_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error, READING_FIELDS)
            else:
                return redirect(self._after(connection, reading, created))
        context = self._page(request, route, bound=(connection.pk, form))
        return render(request, self.template_name, context, status=200)

    def _after(self, connection: Connection, reading: Reading, created: bool) -> str:
        """The route page at the next connection not read this month (else the next one)."""
        route = list(queries.route_connections(connection.ward, connection.block))
        index = next((i for i, c in enumerate(route) if c.pk == connection.pk), 0)
        read = set(
            Reading.objects.filter(
                connection__in=route[index + 1 :], period=reading.period
            ).values_list("connection_id", flat=True)
        )
        after = route[index + 1 :]
        target = next((c for c in after if c.pk not in read), after[0] if after else None)
        position = route.index(target) if target else index
        query = {
            "ward": str(connection.ward.number),
            "block": connection.block,
            "page": str(position // PER_PAGE + 1),
            "done": str(reading.pk),
        }
        if not created:
            query["again"] = "1"
        if target:
            query["at"] = str(target.pk)
        # The next reading field: the browser scrolls to it and focuses it.
        anchor = f"#id_c{target.pk}-reading" if target else "#done"
        return f"{reverse('water_billing:readings')}?{urlencode(query)}{anchor}"


class ImportView(AnyPermissionRequired, View):
    """A handheld's file: upload, then the row-by-row report on the same page."""

    permission_required = READERS
    template_name = "water_billing/readings/import.html"

    def _context(self, **kwargs: Any) -> dict[str, Any]:
        return {"columns": COLUMN_HELP, "column_names": ",".join(COLUMNS), **kwargs}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._context(form=ImportForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_file(upload, upload.name, user=request.user)
        return render(
            request,
            self.template_name,
            self._context(
                form=ImportForm() if report else form,
                report=report,
                page_has_errors=bool(report and (report.file_errors or report.count("error"))),
            ),
        )


class SampleView(AnyPermissionRequired, View):
    """A sample handheld file with the columns."""

    permission_required = READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate().isoformat()
        body = f"{','.join(COLUMNS)}\r\n07-00123,12345,{today},M-0001,\r\n"
        response = HttpResponse(body.encode("utf-8-sig"), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="water-readings-sample.csv"'
        return response


class ReviewQueueView(AnyPermissionRequired, View):
    """Held and flagged readings for the water officer; search by consumer number."""

    permission_required = OFFICERS

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()[:30]
        page = paginate(request, queries.review_queue(q))
        return render(
            request, "water_billing/readings/review_queue.html", {"page_obj": page, "q": q}
        )


ACTIONS = {
    "accept": ReasonForm,
    "correct": CorrectForm,
    "replaced": ReplacedForm,
    "estimate": ReasonForm,
}


class ReviewView(AnyPermissionRequired, View):
    """One held or flagged reading with the connection's history, and what the water officer
    does with it: accept as read, correct the value, record a meter replacement, or leave the
    month for the estimate — each a service function, with a reason, audited."""

    permission_required = OFFICERS
    template_name = "water_billing/readings/review.html"

    def _reading(self, pk: int) -> Reading:
        return get_object_or_404(
            Reading.objects.select_related("connection", "connection__ward", "meter", "read_by"),
            pk=pk,
        )

    def _render(
        self, request: HttpRequest, reading: Reading, forms: dict[str, Any]
    ) -> HttpResponse:
        for name, form_class in ACTIONS.items():
            forms.setdefault(name, form_class(prefix=name))
        bound = next((f for f in forms.values() if f.is_bound), None)
        return render(
            request,
            self.template_name,
            {
                "reading": reading,
                "connection": reading.connection,
                "history": queries.history(reading.connection),
                "under_review": reading.status in services.REVIEWED,
                "forms": forms,
                "bound_form": bound,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._reading(pk), {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        reading = self._reading(pk)
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        form = ACTIONS[action](request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "accept":
                    done = services.reading_accept(
                        reading=reading, reason=data["reason"], actor=request.user
                    )
                elif action == "correct":
                    done = services.reading_correct(
                        reading=reading,
                        value=data["value"],
                        reason=data["reason"],
                        actor=request.user,
                    )
                elif action == "replaced":
                    done = services.reading_meter_replaced(
                        reading=reading,
                        final_reading=data["final_reading"],
                        replaced_on=data["replaced_on"],
                        serial=data["serial"],
                        initial_reading=data["initial_reading"],
                        reason=data["reason"],
                        actor=request.user,
                    )
                else:
                    done = services.reading_leave_for_estimate(
                        reading=reading, reason=data["reason"], actor=request.user
                    )
            except ValidationError as error:
                add_service_errors(form, error, {"value": "value"})
            else:
                messages.success(
                    request,
                    _("%(number)s, %(month)s: now “%(status)s”.")
                    % {
                        "number": localize_digits(done.connection.consumer_no),
                        "month": services._month_label(done.period),
                        "status": done.get_status_display(),
                    },
                )
                if done.status in services.REVIEWED:  # corrected, and held or flagged again
                    return redirect("water_billing:readings_review_item", pk=done.pk)
                return redirect("water_billing:readings_review")
        return self._render(request, reading, {action: form})


class PhotoView(AnyPermissionRequired, View):
    """A reading's photo of the meter (private storage), for readers and the water officer."""

    permission_required = READERS

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        reading = get_object_or_404(Reading, pk=pk)
        kind = "image/png" if (reading.photo.name or "").endswith(".png") else "image/jpeg"
        return stream_file(reading.photo, content_type=kind)
