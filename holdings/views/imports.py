"""Officer pages for importing the legacy holding register, as a worker job
(holdings.importer.jobs): upload the file, follow its check, read the row-by-row report,
then import everything, only the valid holdings, or nothing — and follow the import.

The upload only keeps the file (private storage) and queues its check; the worker reads
it once, row by row, and keeps each row's normalised values and errors
(HoldingImportRow), so the page, the report and the import read what was kept, never the
file again. The import page lists the officer's recent imports; each has its own page
(refreshing itself while the worker works).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.db import long_running
from core.digits import localize_digits
from core.exports import streaming_csv_response
from core.views import AnyPermissionRequired, paginate

from .. import importer
from ..importer import jobs
from ..models import HoldingImport, HoldingImportRow

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PER_PAGE = 100
RECENT = 10  # imports listed on the upload page
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "holdings_register.csv"

COLUMN_HELP = [
    ("ward", gettext_lazy("Ward number (required).")),
    (
        "holding_number",
        gettext_lazy("Holding number, unique in the ward, such as 123, 12/A or ১২৩ (required)."),
    ),
    ("road", gettext_lazy("Road (optional).")),
    ("mahalla", gettext_lazy("Mahalla or area (optional).")),
    (
        "use",
        gettext_lazy(
            "residential, commercial, industrial, mixed or vacant_land — or "
            "আবাসিক, বাণিজ্যিক, শিল্প, মিশ্র, খালি জমি (required)."
        ),
    ),
    ("owner_occupied", gettext_lazy("yes / no / 1 / 0 / হ্যাঁ / না; blank means no.")),
    ("floor_area_sqft", gettext_lazy("Floor area in square feet (optional).")),
    ("owner_name_bn", gettext_lazy("Owner's name in Bengali.")),
    (
        "owner_name_en",
        gettext_lazy("Owner's name in English (one of the two names is required for each owner)."),
    ),
    (
        "owner_share_percent",
        gettext_lazy(
            "Owner's share in percent; may be blank for a single "
            "owner (100). The shares of a holding may not add "
            "up to more than 100."
        ),
    ),
    ("owner_nid", gettext_lazy("Owner's NID: 10, 13 or 17 digits (optional).")),
    ("owner_mobile", gettext_lazy("Owner's mobile, such as 01712345678 (optional).")),
    (
        "annual_rent",
        gettext_lazy(
            "Yearly rent in taka; the valuation is this less one sixth, "
            "and less the owner-occupied concession of that year's "
            "schedule (40 per cent by default)."
        ),
    ),
    (
        "valuation_fy",
        gettext_lazy(
            "Fiscal year the valuation takes effect from, such as 2024-25 (with annual_rent)."
        ),
    ),
    ("arrears_fy", gettext_lazy("An earlier fiscal year left unpaid (optional).")),
    (
        "arrears_amount",
        gettext_lazy(
            "Taka unpaid for that year; the next demand run carries it "
            "forward with that year's surcharge."
        ),
    ),
]


# --- the form ---------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register file (.csv or .xlsx)"),
        help_text=gettext_lazy("CSV saved as UTF-8, or an Excel workbook; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        kind = importer.extension(upload.name)
        if kind not in importer.EXTENSIONS:
            raise forms.ValidationError(importer.wrong_type_message(upload.name), code="file_type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files."), code="file_size"
            )
        if kind == "xlsx":
            upload.seek(0)
            real = zipfile.is_zipfile(upload)
            upload.seek(0)
            if not real:
                raise forms.ValidationError(
                    _(
                        "This is not a real .xlsx workbook. Save it again from Excel as “Excel "
                        "Workbook (.xlsx)” or as “CSV UTF-8”."
                    ),
                    code="fake_xlsx",
                )
        return upload


# --- views ------------------------------------------------------------------------------


class ImportPermissionMixin(AnyPermissionRequired):
    """Assessors and administrators (either permission opens the pages)."""

    permission_required = ("accounts.assess_holdings", "accounts.administer_portal")


def _jobs_of(user):
    """The imports a user may open: their own; an administrator's: everyone's."""
    imports = HoldingImport.objects.select_related("started_by")
    if user.has_perm("accounts.administer_portal"):
        return imports
    return imports.filter(started_by=user)


class HoldingImportView(ImportPermissionMixin, View):
    """Upload a register (its check is queued) and the officer's recent imports."""

    template_name = "holdings/import/import.html"

    def get(self, request):
        return self.show(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(request, form)
        job = jobs.import_job_start(
            upload=form.cleaned_data["file"],
            actor=request.user,
            language=translation.get_language() or "",
        )
        return redirect("holdings:import_job", pk=job.pk)

    def show(self, request, form):
        recent = HoldingImport.objects.filter(started_by=request.user).order_by(
            "-created_at", "-pk"
        )[:RECENT]
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "columns": COLUMN_HELP,
                "max_rows": importer.limits()["rows"],
                "recent": list(recent),
            },
        )


class HoldingImportJobView(ImportPermissionMixin, View):
    """One import: its progress while the worker works (the page refreshes itself), then
    the check (counts, the rows with errors page by page) with the decision, and finally
    what was imported."""

    template_name = "holdings/import/job.html"

    def get(self, request, pk: int):
        job = get_object_or_404(_jobs_of(request.user), pk=pk)
        live = job.status in jobs.LIVE
        progress, rows = job.progress, job.rows
        if live:
            cached = cache.get(jobs.progress_key(job.pk)) or {}
            phase = (
                "import"
                if job.status in (job.Status.IMPORT_QUEUED, job.Status.IMPORTING)
                else "check"
            )
            if cached.get("phase") == phase:
                progress, rows = cached.get("progress", 0), cached.get("rows", 0)
            else:
                progress, rows = 0, 0
        context = {
            "job": job,
            "live": live,
            "progress": max(0, min(100, progress)),
            "rows_done": rows,
            "can_confirm": jobs.can_confirm(job),
            "checked": job.checked_at is not None and job.status != job.Status.CANCELLED,
        }
        if context["checked"] and job.error_rows:
            problems = (
                HoldingImportRow.objects.filter(job=job, ok=False)
                .order_by("row")
                .only("row", "holding", "errors")
            )
            context["problems"] = paginate(request, problems, per_page=PER_PAGE)
        return render(request, self.template_name, context)


class HoldingImportConfirmView(ImportPermissionMixin, View):
    """The decision on a checked file: import it, import only its valid holdings, or
    import nothing. The worker imports; the officer follows it on the import's page."""

    def post(self, request, pk: int):
        job = get_object_or_404(_jobs_of(request.user), pk=pk)
        action = request.POST.get("action")
        back = redirect("holdings:import_job", pk=job.pk)
        if not jobs.can_confirm(job):
            messages.error(request, _("This file is not waiting for a decision any more."))
            return back
        if action == "cancel":
            if jobs.import_job_cancel(job_id=job.pk, actor=request.user):
                messages.info(request, _("Nothing was imported."))
            return back
        if action not in ("import", "only_valid"):
            messages.error(request, _("Choose what to do with the file."))
            return back
        if action == "only_valid" and not request.POST.get("confirm"):
            messages.error(
                request,
                _("Tick the box to confirm that the holdings with errors will not be imported."),
            )
            return back
        if action == "import" and job.error_rows:
            messages.error(
                request,
                _(
                    "%(rows)s rows have errors, so nothing was imported. "
                    "Correct the file, or import only the valid "
                    "holdings."
                )
                % {"rows": localize_digits(job.error_rows)},
            )
            return back
        if not job.valid_holdings:
            messages.error(request, _("No holding in the file can be imported."))
            return back
        if jobs.import_job_confirm(
            job_id=job.pk, only_valid=action == "only_valid", actor=request.user
        ):
            messages.info(request, _("The import has started. This page shows how it goes."))
        else:
            messages.error(request, _("This file is not waiting for a decision any more."))
        return back


class HoldingImportReportView(ImportPermissionMixin, View):
    """An import's row-by-row report as CSV, written while it is sent."""

    def get(self, request, pk: int):
        job = get_object_or_404(_jobs_of(request.user), pk=pk)
        if job.status in jobs.LIVE and job.checked_at is None:
            raise Http404
        language = translation.get_language()

        def lines():
            with translation.override(language), long_running(report=True):
                yield from jobs.report_lines(job)

        return streaming_csv_response(
            ["row", "ward", "holding_number", "status", "errors"],
            lines(),
            filename=f"holding-import-{job.pk}-report",
        )


class HoldingImportSampleView(ImportPermissionMixin, View):
    """A small example register in the import format."""

    def get(self, request):
        return FileResponse(
            SAMPLE.open("rb"),
            as_attachment=True,
            filename="holdings_register.csv",
            content_type="text/csv",
        )
