"""The estate officer's reports, each a page with its filters in the URL and pages of rows,
and the same rows as CSV (streamed) or XLSX (core.exports): rent demand against collection
per market and month, arrears per allotment, vacant shops. The figures are market_leases.
reports' grouped queries."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from core.db import ReplicaReadsMixin
from core.digits import to_ascii_digits
from core.exports import (
    Column,
    export_response,
    requested_format,
    streaming_csv_response,
    table,
)
from core.formfields import LocalizedIntegerField, WardChoiceField
from core.views import paginate

from .. import reports
from ..billing import BillingError, as_period
from ..models import Allotment, Market, Shop, floor_label
from .officer import EstateOfficerRequired

# --- filters ------------------------------------------------------------------------------------


class MarketField(forms.ModelChoiceField):
    """A market by its name in the reader's language ("All markets" when none is chosen)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Market"))
        super().__init__(
            queryset=Market.objects.order_by("name_en", "name_bn", "pk"),
            required=False,
            empty_label=gettext_lazy("All markets"),
            **kwargs,
        )

    def label_from_instance(self, obj: Market) -> str:
        return obj.name


class MonthField(forms.CharField):
    """A month written as year and month (2026-11), Bengali digits accepted."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", gettext_lazy("Year and month, such as 2026-11."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        text = to_ascii_digits(str(value or "")).strip()
        if not text:
            return None
        try:
            return as_period(text)
        except BillingError:
            raise ValidationError(
                _("Write the month as year and month, such as 2026-11."), code="bad_month"
            ) from None


class CollectionFilter(forms.Form):
    market = MarketField()
    start = MonthField(label=gettext_lazy("First month"))
    end = MonthField(label=gettext_lazy("Last month"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last month is before the first month."))
        return data


class ArrearsFilter(forms.Form):
    market = MarketField()
    q = forms.CharField(
        label=gettext_lazy("Shop number, lessee's name, mobile or NID"),
        required=False,
        max_length=100,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Allotment status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *Allotment.Status.choices],
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("months", gettext_lazy("Most months unpaid first")),
            ("amount", gettext_lazy("Largest amount first")),
            ("oldest", gettext_lazy("Oldest unpaid month first")),
            ("shop", gettext_lazy("Market and shop number")),
        ],
    )


class VacantFilter(forms.Form):
    market = MarketField()
    floor = LocalizedIntegerField(
        label=gettext_lazy("Floor"),
        required=False,
        min_value=0,
        max_value=49,
        help_text=gettext_lazy("0 is the ground floor."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Every kind")), *Shop.Kind.choices],
    )
    q = forms.CharField(label=gettext_lazy("Shop number"), required=False, max_length=40)
    order = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("shop", gettext_lazy("Market, floor and shop number")),
            ("since", gettext_lazy("Vacant longest first")),
            ("area", gettext_lazy("Largest area first")),
        ],
    )


def _filters(form_class: type[forms.Form], request: HttpRequest) -> tuple[forms.Form, dict | None]:
    """The filter form read from the URL, and its values (None when they are wrong: the page
    shows the errors and no rows)."""
    form = form_class(request.GET or None)
    if not form.is_bound:
        return form_class(), {}
    if form.is_valid():
        return form, form.cleaned_data
    return form, None


def _bilingual(bn: str, en: str) -> str:
    """A name in the reader's language, the other when it has none."""
    if (get_language() or "bn").startswith("bn"):
        return bn or en
    return en or bn


def _month(period: datetime.date | None) -> str:
    return f"{period:%Y-%m}" if period else ""


def _download(
    fmt: str, rows, columns: list[Column], *, filename: str, title: str
) -> HttpResponse | StreamingHttpResponse:
    """CSV written while it is sent; XLSX row by row (write-only workbook)."""
    if fmt == "csv":
        return streaming_csv_response(*table(rows, columns), filename=filename)
    headers, values = table(rows, columns)
    return export_response(fmt, headers, values, filename=filename, title=title)


# --- rent demand and collection -----------------------------------------------------------------


class CollectionReportView(EstateOfficerRequired, ReplicaReadsMixin, View):
    """Per market and month: the rent billed for the month, what of it is paid, what is
    outstanding; the total for the filters."""

    template_name = "market_leases/reports/collection.html"

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Month"), lambda r: r["month"]),
            (_("Market"), lambda r: r["market"]),
            (_("Rents billed"), lambda r: r["months"]),
            (_("Demand"), lambda r: r["demand"]),
            (_("Collected"), lambda r: r["collected"]),
            (_("Outstanding"), lambda r: r["outstanding"]),
        ]

    @staticmethod
    def _rows(rows) -> list[dict]:
        return [
            {
                **r,
                "month": _month(r["period"]),
                "market": _bilingual(r["market_bn"], r["market_en"]),
            }
            for r in rows
        ]

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form, data = _filters(CollectionFilter, request)
        if data is None:
            return TemplateResponse(request, self.template_name, {"form": form, "invalid": True})
        kwargs = {"start": data.get("start"), "end": data.get("end"), "market": data.get("market")}
        rows = reports.rent_collection(**kwargs)
        total = reports.rent_collection_total(**kwargs)
        if fmt := requested_format(request):
            grand = {
                "month": _("Total"),
                "market": "",
                "months": total.months,
                "demand": total.demand,
                "collected": total.collected,
                "outstanding": total.outstanding,
            }
            return _download(
                fmt,
                [*self._rows(rows), grand],
                self.columns(),
                filename="shop-rent-demand-collection",
                title=_("Rent demand and collection"),
            )
        page = paginate(request, rows)
        return TemplateResponse(
            request,
            self.template_name,
            {"form": form, "page": page, "rows": self._rows(page.object_list), "total": total},
        )


# --- arrears ------------------------------------------------------------------------------------


class ArrearsReportView(EstateOfficerRequired, ReplicaReadsMixin, View):
    """Allotments with rent unpaid past its due date: months, rent, the oldest month."""

    template_name = "market_leases/reports/arrears.html"

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Market"), lambda a: a.shop.market.name),
            (_("Shop number"), lambda a: a.shop.number),
            (_("Floor"), lambda a: floor_label(a.shop.floor)),
            (_("Lessee"), lambda a: a.lessee.name),
            (_("Mobile"), lambda a: a.lessee.mobile),
            (_("Allotment status"), lambda a: str(a.get_status_display())),
            (_("Months unpaid"), lambda a: a.months),
            (_("Rent unpaid"), lambda a: a.owed),
            (_("Oldest unpaid month"), lambda a: _month(a.oldest)),
        ]

    def get(self, request: HttpRequest) -> HttpResponseBase:
        today = timezone.localdate()
        form, data = _filters(ArrearsFilter, request)
        if data is None:
            return TemplateResponse(
                request, self.template_name, {"form": form, "invalid": True, "today": today}
            )
        filters: dict[str, Any] = {
            "today": today,
            "market": data.get("market"),
            "q": data.get("q") or "",
            "status": data.get("status") or "",
        }
        rows = reports.arrears(**filters, order=data.get("order") or "months")
        if fmt := requested_format(request):
            return _download(
                fmt,
                rows.iterator(chunk_size=2000),
                self.columns(),
                filename=f"shop-rent-arrears-{today.isoformat()}",
                title=_("Shop rent arrears"),
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "page": paginate(request, rows),
                "total": reports.arrears_total(**filters),
                "today": today,
            },
        )


# --- vacant shops -------------------------------------------------------------------------------


class VacantReportView(EstateOfficerRequired, ReplicaReadsMixin, View):
    """Shops no allotment holds, per market, floor, area and kind, vacant since when."""

    template_name = "market_leases/reports/vacant.html"

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Market"), lambda s: s.market.name),
            (_("Ward"), lambda s: s.market.ward.number),
            (_("Shop number"), lambda s: s.number),
            (_("Floor"), lambda s: floor_label(s.floor)),
            (_("Area (sq ft)"), lambda s: s.area_sqft),
            (_("Kind"), lambda s: str(s.get_kind_display())),
            (
                _("Vacant since"),
                lambda s: timezone.localdate(s.vacant_since) if s.vacant_since else None,
            ),
        ]

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form, data = _filters(VacantFilter, request)
        if data is None:
            return TemplateResponse(request, self.template_name, {"form": form, "invalid": True})
        rows = reports.vacant_shops(
            market=data.get("market"),
            floor=data.get("floor"),
            kind=data.get("kind") or "",
            q=data.get("q") or "",
            order=data.get("order") or "shop",
        )
        if fmt := requested_format(request):
            return _download(
                fmt,
                rows.iterator(chunk_size=2000),
                self.columns(),
                filename="vacant-shops",
                title=_("Vacant shops"),
            )
        summary = reports.vacant_by_market(rows)
        for row in summary:
            row["market"] = _bilingual(row["market_bn"], row["market_en"])
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "page": paginate(request, rows),
                "summary": summary,
                "total_shops": sum(r["shops"] for r in summary),
                "total_area": sum((r["area"] for r in summary), start=reports.ZERO),
            },
        )


# --- ijara results ----------------------------------------------------------------------------


class IjaraFilter(forms.Form):
    year = LocalizedIntegerField(
        label=gettext_lazy("Bengali year"), required=False, min_value=1400, max_value=1600
    )
    ward = WardChoiceField()


class IjaraResultsView(EstateOfficerRequired, ReplicaReadsMixin, View):
    """Each Bengali year's tenders once opened: the reserve price, the winning bid and what
    it is of the reserve, how many bids were valid, how it ended (leased, offered, khas)."""

    template_name = "market_leases/reports/ijara.html"

    @staticmethod
    def columns() -> list[Column]:
        return [
            (_("Bengali year"), lambda t: t.year),
            (_("Site"), lambda t: _bilingual(t.site.name_bn, t.site.name_en)),
            (_("Kind"), lambda t: str(t.site.get_kind_display())),
            (_("Ward"), lambda t: t.site.ward.number),
            (_("Reserve price"), lambda t: t.reserve_price),
            (_("Winning bid"), lambda t: t.winning_bid),
            (_("Against the reserve (%)"), reports.against_reserve),
            (_("Valid bids"), lambda t: t.valid_bids),
            (_("Result"), lambda t: str(t.get_status_display())),
        ]

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form, data = _filters(IjaraFilter, request)
        if data is None:
            return TemplateResponse(request, self.template_name, {"form": form, "invalid": True})
        rows = reports.ijara_results(year=data.get("year"), ward=data.get("ward"))
        if fmt := requested_format(request):
            return _download(
                fmt, rows, self.columns(), filename="ijara-results", title=_("Ijara results")
            )
        page = paginate(request, rows)
        for tender in page:
            tender.against = reports.against_reserve(tender)
        return TemplateResponse(request, self.template_name, {"form": form, "page": page})
