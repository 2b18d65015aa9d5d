"""The water officer's billing pages: start a month's bill generation (with a confirmation
showing what it will do), watch its progress and see what it made; a bill's PDF for staff."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.digits import to_ascii_digits
from core.roles import perm
from core.views import StaffRoleRequiredMixin, paginate

from ..billing import BillingError, as_period
from ..models import BillingRun, Connection, Reading, WaterBill
from ..services.billing import LIVE_RUN_STATUSES, billing_run_start, check_month
from ..tasks import progress_key

STEPS = {
    "estimates": gettext_lazy("Estimating the months without a reading"),
    "late fees": gettext_lazy("Late fees of months left unpaid"),
    "charges": gettext_lazy("Working out every connection's charges"),
    "bills": gettext_lazy("Writing the bills"),
    "lines": gettext_lazy("Writing the bills' lines"),
    "summary": gettext_lazy("Counting"),
    "sms": gettext_lazy("Sending the bills by SMS"),
    "done": gettext_lazy("Done"),
}


class WaterOfficerRequired(StaffRoleRequiredMixin):
    permission_required = perm("manage_water")


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Billing month"),
        max_length=7,
        help_text=gettext_lazy("Year and month, such as 2026-11."),
    )

    def clean_month(self) -> datetime.date:
        try:
            period = as_period(to_ascii_digits(self.cleaned_data["month"]))
        except BillingError:
            raise ValidationError(
                _("Write the month as year and month, such as 2026-11.")
            ) from None
        try:
            check_month(period, timezone.localdate())
        except ValidationError as e:
            raise ValidationError(e.messages[0]) from None
        return period


def last_month() -> str:
    first = timezone.localdate().replace(day=1)
    return f"{first - datetime.timedelta(days=1):%Y-%m}"


def preview(period: datetime.date) -> dict[str, int]:
    """What a run of the month would do (for the confirmation; four counts)."""
    active = Connection.objects.filter(status=Connection.Status.ACTIVE).exclude(category="exempt")
    readings = Reading.objects.filter(
        period=period, connection__in=active, connection__metered=True
    )
    return {
        "already": WaterBill.objects.filter(period=period).count(),
        "active": active.count(),
        "flat": active.filter(metered=False).count(),
        "read": readings.exclude(status=Reading.Status.HELD).count(),
        "held": readings.filter(status=Reading.Status.HELD).count(),
        "unread": active.filter(metered=True).exclude(readings__period=period).count(),
    }


class BillingRunsView(WaterOfficerRequired, View):
    """Start a month's bill generation (after a confirmation); the runs and their status."""

    template_name = "water_billing/billing/runs.html"
    confirm_template = "water_billing/billing/confirm.html"

    def render(self, request, form: MonthForm, status: int = 200) -> HttpResponse:
        runs = paginate(
            request, BillingRun.objects.select_related("started_by").order_by("-created_at", "-pk")
        )
        return TemplateResponse(
            request, self.template_name, {"form": form, "runs": runs}, status=status
        )

    def get(self, request):
        return self.render(request, MonthForm(initial={"month": last_month()}))

    def post(self, request):
        form = MonthForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        period = form.cleaned_data["month"]
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                self.confirm_template,
                {"period": period, "month": f"{period:%Y-%m}", "preview": preview(period)},
            )
        try:
            run = billing_run_start(period=period, actor=request.user)
        except ValidationError as exc:
            form.add_error("month", exc)
            return self.render(request, form)
        messages.success(request, _("The bills are being made. This page shows the progress."))
        return redirect("water_billing:billing_run", pk=run.pk)


class BillingRunView(WaterOfficerRequired, View):
    """A run's progress (refreshing every 3 seconds while it is live), then what it made and
    the connections it skipped because their reading is held."""

    template_name = "water_billing/billing/run.html"

    def get(self, request, pk: int):
        run = get_object_or_404(BillingRun.objects.select_related("started_by"), pk=pk)
        live = run.status in LIVE_RUN_STATUSES
        step, progress = run.step, run.progress
        if live:
            cached = cache.get(progress_key(run.pk)) or {}
            step = cached.get("step", step)
            progress = cached.get("progress", progress)
        created = run.created or {}
        counts = [
            (label, created[key])
            for key, label in (
                ("bills", _("Bills made")),
                ("metered", _("Metered")),
                ("flat", _("Flat rate (unmetered)")),
                ("estimated", _("Estimated (no reading)")),
                ("late_fees", _("Late fees charged")),
                ("held", _("Skipped: reading held for review")),
                ("not_read", _("Skipped: no reading and no estimate")),
                ("exempt", _("Exempt (not billed)")),
            )
            if key in created
        ]
        return TemplateResponse(
            request,
            self.template_name,
            {
                "run": run,
                "live": live,
                "step_label": STEPS.get(step, step),
                "progress": progress,
                "counts": counts,
                "total": created.get("total"),
                "due_date": created.get("due_date"),
            },
        )
