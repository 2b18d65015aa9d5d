"""The revenue officer's collections dashboard and the payments behind each figure.

Filters live in the URL (?period=month&service=holdings&ward=5…), every figure links to
the ledger rows behind it with the same filters, and every table downloads as CSV or
XLSX (?format=csv&table=service)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import ReplicaReadsMixin
from core.digits import localize_digits, to_ascii_digits
from core.exports import export_response, requested_format, table
from core.fiscal import fiscal_year_label
from core.formfields import WardChoiceField
from core.models import Ward
from core.portal import spec_for, specs
from core.roles import Role, perm
from core.views import StaffRoleRequiredMixin, paginate

from ..collections import METHOD_LABELS, TABLES, Figure, Overview, Period, overview, period_for
from ..models import Allocation, Payment, RevenueHead
from ..rollups import METHODS, dimensions


class _DayField(forms.DateField):
    """A day as 2026-11-05, Bengali digits accepted."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: Any) -> datetime.date | None:
        return super().to_python(to_ascii_digits(value) if isinstance(value, str) else value)


class CollectionsFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("month", gettext_lazy("This month")),
            ("today", gettext_lazy("Today")),
            ("fy", gettext_lazy("This fiscal year")),
            ("custom", gettext_lazy("From the first day to the last day below")),
        ],
    )
    start = _DayField(label=gettext_lazy("First day"), required=False)
    end = _DayField(label=gettext_lazy("Last day"), required=False)
    service = forms.ChoiceField(label=gettext_lazy("Service"), required=False)
    head = forms.ChoiceField(
        label=gettext_lazy("Revenue head"),
        required=False,
        choices=[("", gettext_lazy("All heads")), *RevenueHead.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("Online and counter")), *Payment.Channel.choices],
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Payment method"),
        required=False,
        choices=[
            ("", gettext_lazy("All methods")),
            *((m, METHOD_LABELS[m]) for m in METHODS),
            ("cash", METHOD_LABELS[""]),
        ],
    )
    ward = WardChoiceField()
    office = WardChoiceField()
    clerk = forms.TypedChoiceField(label=gettext_lazy("Clerk"), required=False, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", _("All services")),
            *((s.key, s.title) for s in specs() if s.revenue_heads),
        ]
        office = cast(WardChoiceField, self.fields["office"])
        office.label, office.empty_label = _("Counter office"), _("All offices")
        clerks = get_user_model().objects.filter(groups__name=Role.COUNTER_CLERK).order_by("pk")
        cast(forms.ChoiceField, self.fields["clerk"]).choices = [
            ("", _("All clerks")),
            *((u.pk, u.display_name) for u in clerks),
        ]

    def chosen(self) -> tuple[Period, dict[str, Any]]:
        """The period asked for (this month when none or not valid) and the filters."""
        kind, days, filters = self.values()
        return period_for(kind, timezone.localdate(), days["start"], days["end"]), filters

    def values(self) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """The period's kind, its custom days and the filters as rollup dimensions."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        method = data.get("method") or None
        filters = {
            "service": data.get("service") or None,
            "head": data.get("head") or None,
            "channel": data.get("channel") or None,
            "method": "" if method == "cash" else method,  # the rollups' "" is cash
            "ward_key": data["ward"].pk if data.get("ward") else None,
            "office_key": data["office"].pk if data.get("office") else None,
            "clerk_key": data.get("clerk") or None,
        }
        days = {"start": data.get("start"), "end": data.get("end")}
        return data.get("period") or "month", days, filters


class Labels:
    """What a dimension's value reads as, in the page's language."""

    def __init__(self) -> None:
        wards = list(Ward.objects.all())
        self.wards = {w.pk: w.label for w in wards}
        self.ward_numbers = {w.pk: w.number for w in wards}
        self.users: dict[int, str] = {}

    def load_users(self, keys: Iterable[int]) -> None:
        wanted = {k for k in keys if k and k not in self.users}
        users = get_user_model().objects.filter(pk__in=wanted)
        self.users.update({u.pk: u.display_name for u in users})

    def __call__(self, dim: str, value: Any) -> str:
        if dim == "service":
            spec = spec_for(value)
            return str(spec.title) if spec else value
        if dim == "head":
            return str(RevenueHead(value).label) if value in RevenueHead.values else value
        if dim == "channel":
            return str(Payment.Channel(value).label) if value in Payment.Channel.values else value
        if dim == "method":
            return str(METHOD_LABELS.get(value, value))
        if dim in ("ward_key", "office_key"):
            return self.wards.get(value, _("No ward"))
        if dim == "clerk_key":
            return self.users.get(value, _("Online (no clerk)"))
        if dim == "day":
            return localize_digits(value.isoformat())
        return str(value)


#: The URL parameter of each dimension (rollup name -> query name).
PARAMS = {
    "service": "service",
    "head": "head",
    "channel": "channel",
    "method": "method",
    "ward_key": "ward",
    "office_key": "office",
    "clerk_key": "clerk",
}


def _param_value(dim: str, value: Any, labels: Labels) -> str:
    """A dimension's value as the filter form reads it back."""
    if dim in ("ward_key", "office_key"):
        return str(labels.ward_numbers.get(value, ""))
    if dim == "method" and value == "":
        return "cash"
    return str(value)


def _query(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for name in ("page", "format", "table"):
        query.pop(name, None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()


def _drill_url(request: HttpRequest, group: Iterable[str], figure: Figure, labels: Labels) -> str:
    changes = {
        PARAMS[dim]: _param_value(dim, value, labels)
        for dim, value in zip(group, figure.key, strict=True)
        if not (dim in ("ward_key", "office_key", "clerk_key") and not value)
    }
    return reverse("payments:revenue_collection_rows") + "?" + _query(request, **changes)


def _columns(group: Iterable[str], labels: Labels) -> list[tuple[str, Callable[[Any], Any]]]:
    names = {
        "service": _("Service"),
        "head": _("Revenue head"),
        "channel": _("Channel"),
        "method": _("Payment method"),
        "ward_key": _("Ward"),
        "office_key": _("Counter office"),
        "clerk_key": _("Clerk"),
        "day": _("Day"),
    }

    def cell(i: int, dim: str) -> Callable[[Figure], str]:
        return lambda f: labels(dim, f.key[i])

    columns: list[tuple[str, Callable[[Any], Any]]] = [
        (names[dim], cell(i, dim)) for i, dim in enumerate(group)
    ]
    columns += [
        (_("Collected"), lambda f: f.amount),
        (_("Same days a year before"), lambda f: f.before),
        (_("Change (%)"), lambda f: f.change),
    ]
    return columns


TABLE_CAPTIONS = {
    "service": gettext_lazy("By service and revenue head"),
    "method": gettext_lazy("By channel and payment method"),
    "counter": gettext_lazy("At the counters: by office and clerk"),
    "ward": gettext_lazy("By ward"),
}


def _figures_context(
    request: HttpRequest, result: Overview, labels: Labels
) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "caption": TABLE_CAPTIONS[name],
            "heads": [head for head, _get in _columns(group, labels)[: len(group)]],
            "rows": [
                {
                    "labels": [labels(d, v) for d, v in zip(group, f.key, strict=True)],
                    "figure": f,
                    "url": _drill_url(request, group, f, labels),
                }
                for f in result.tables[name]
            ],
        }
        for name, group in TABLES.items()
    ]


def _trend_label(result: Overview, day: datetime.date) -> str:
    if result.trend_by == "month":
        return f"{MONTHS[day.month]} {localize_digits(day.year)}"
    return localize_digits(f"{day.day}/{day.month}")


DEMAND_HEADERS = [
    gettext_lazy("Service"),
    gettext_lazy("Fell due"),
    gettext_lazy("Collected"),
    gettext_lazy("Collected against demand (%)"),
]


def _demand_values(result: Overview, labels: Labels) -> list[list[Any]]:
    return [[labels("service", r.service), r.demand, r.collected, r.percent] for r in result.demand]


class CollectionsView(StaffRoleRequiredMixin, ReplicaReadsMixin, View):
    """Collections at a glance (payments.collections)."""

    permission_required = perm("view_revenue_reports")
    template_name = "payments/staff/collections.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CollectionsFilterForm(request.GET or None)
        period, filters = form.chosen()
        result = overview(period, filters)
        labels = Labels()
        labels.load_users(f.key[1] for f in result.tables["counter"])
        if fmt := requested_format(request):
            name = request.GET.get("table", "service")
            if name == "demand":
                return export_response(
                    fmt,
                    [str(h) for h in DEMAND_HEADERS],
                    _demand_values(result, labels),
                    filename=f"collections-demand-{period.start}-{period.end}",
                    title=_("Against demand"),
                )
            if name == "trend":
                group: tuple[str, ...] = ("day",)
                rows: list[Figure] = result.trend
            else:
                name = name if name in TABLES else "service"
                group, rows = tuple(TABLES[name]), result.tables[name]
            headers, values = table(rows, _columns(group, labels))
            return export_response(
                fmt,
                headers,
                values,
                filename=f"collections-{name}-{period.start}-{period.end}",
                title=_("Collections"),
            )
        trend = [{"label": _trend_label(result, f.key[0]), "figure": f} for f in result.trend]
        chart = {
            "labels": [row["label"] for row in trend],
            "series": [
                {"name": _("Collected"), "values": [float(f.amount) for f in result.trend]},
                {
                    "name": _("Same days a year before"),
                    "values": [float(f.before) for f in result.trend],
                },
            ],
        }
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "result": result,
                "period": period,
                "before": period.year_before(),
                "tables": _figures_context(request, result, labels),
                "trend": trend,
                "demand": [
                    {"label": labels("service", row.service), "row": row} for row in result.demand
                ],
                "chart": chart,
                "rows_url": reverse("payments:revenue_collection_rows") + "?" + _query(request),
                "export_query": _query(request),
            },
        )


def ledger_rows(period: Period, filters: dict[str, Any]) -> QuerySet[Allocation]:
    """The allocations behind a figure: the same filters over the ledger (the period as
    the city's days, so the created_at index is used)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    qs = Allocation.objects.filter(created_at__gte=start, created_at__lt=end).annotate(
        **dimensions()
    )
    for dim, value in filters.items():
        if value is not None:
            qs = qs.filter(**{dim: value})
    return qs.select_related("payment", "payment__receipt", "bill", "collected_by").order_by(
        "-created_at", "-pk"
    )


class CollectionRowsView(StaffRoleRequiredMixin, ReplicaReadsMixin, View):
    """The payments behind a figure of the collections dashboard."""

    permission_required = perm("view_revenue_reports")
    template_name = "payments/staff/collection_rows.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CollectionsFilterForm(request.GET or None)
        period, filters = form.chosen()
        rows = ledger_rows(period, filters)
        labels = Labels()
        if fmt := requested_format(request):
            columns: list[tuple[str, Callable[[Any], Any]]] = [
                (_("When"), lambda a: timezone.localtime(a.created_at).replace(tzinfo=None)),
                (
                    _("Receipt"),
                    lambda a: getattr(getattr(a.payment, "receipt", None), "number", ""),
                ),
                (_("Transaction id"), lambda a: a.payment.tran_id),
                (_("Bill"), lambda a: a.bill.number),
                (_("Service"), lambda a: labels("service", a.service)),
                (_("Revenue head"), lambda a: labels("head", a.head)),
                (_("Payment method"), lambda a: labels("method", a.method)),
                (_("Ward"), lambda a: labels("ward_key", a.ward_key)),
                (_("Fiscal year"), lambda a: fiscal_year_label(a.fiscal_year)),
                (_("Amount"), lambda a: a.amount),
            ]
            headers, values = table(rows.iterator(chunk_size=2000), columns)
            return export_response(
                fmt,
                headers,
                values,
                filename=f"collection-rows-{period.start}-{period.end}",
                title=_("Payments behind the figure"),
            )
        page = paginate(request, rows)
        total = sum((a.amount for a in page.object_list), Decimal("0.00"))
        for a in page.object_list:
            a.labels = {
                "service": labels("service", a.service),
                "head": labels("head", a.head),
                "method": labels("method", a.method),
                "ward": labels("ward_key", a.ward_key),
            }
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "period": period,
                "rows": page,
                "page_total": total,
                "back_url": reverse("payments:revenue_collections") + "?" + _query(request),
                "export_query": _query(request),
            },
        )
