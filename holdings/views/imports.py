"""Officer pages for importing the legacy holding register: upload and check the file,
read the row-by-row report, then import everything, only the valid holdings, or nothing.

The uploaded file is parsed once, when it is uploaded (within the limits of
holdings.importer: zip-bomb checks before an .xlsx is opened, cell, row and text caps while
reading). A file that cannot be read is refused there and then and nothing is kept.
Otherwise, between the two steps, the default storage keeps, under a random token,

- imports/<token>.rows.json: the parsed rows (holdings.importer.ParsedFile.to_json), which
  the import validates again against the register as it stands then;
- imports/<token>.check.<language>.json: the check shown on the page and in the report
  (counts, rows with errors, the report's rows), made at upload in the officer's language
  and, when the language changes, once more from the kept rows (never from the file).

Only the token, the original name and the number of rows are kept in the session. The
files are deleted once imported or abandoned; files left behind for more than a day are
swept away at the next upload. The report of the last import is kept as
imports/<token>-report.csv for download.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from core.digits import localize_digits
from core.views import AnyPermissionRequired, paginate

from .. import importer

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PENDING = "holdings_import"  # session: the checked file waiting for a decision
LAST = "holdings_import_last"  # session: the token of the last import's report
STORAGE_DIR = "imports"
PER_PAGE = 100
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "holdings_register.csv"
TOKEN_RE = re.compile(r"[0-9a-f]{32}")

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


# --- storage of the file between the two steps ------------------------------------------


def _rows_name(token: str) -> str:
    return f"{STORAGE_DIR}/{token}.rows.json"


def _check_name(token: str, language: str) -> str:
    return f"{STORAGE_DIR}/{token}.check.{language}.json"


def _report_name(token: str) -> str:
    return f"{STORAGE_DIR}/{token}-report.csv"


def _delete(name: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(name)


def _sweep() -> None:
    """Delete import files older than a day (abandoned uploads, old reports)."""
    limit = timezone.now() - timedelta(days=1)
    try:
        _dirs, files = default_storage.listdir(STORAGE_DIR)
        for name in files:
            path = f"{STORAGE_DIR}/{name}"
            if default_storage.get_modified_time(path) < limit:
                _delete(path)
    except (OSError, NotImplementedError):
        pass


def _save_json(name: str, data) -> None:
    default_storage.save(name, ContentFile(json.dumps(data, ensure_ascii=False).encode()))


def _load_json(name: str):
    with default_storage.open(name, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def _pending(request) -> dict | None:
    """The checked file waiting for a decision, if its rows are still kept."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or not TOKEN_RE.fullmatch(str(state.get("token", ""))):
        return None
    if not default_storage.exists(_rows_name(state["token"])):
        request.session.pop(PENDING, None)
        return None
    return state


def _delete_kept(token: str) -> None:
    _delete(_rows_name(token))
    for code, _label in settings.LANGUAGES:
        _delete(_check_name(token, code))


def _forget_pending(request) -> None:
    state = request.session.pop(PENDING, None)
    if isinstance(state, dict) and TOKEN_RE.fullmatch(str(state.get("token", ""))):
        _delete_kept(state["token"])


def _kept_rows(state: dict) -> importer.ParsedFile:
    return importer.ParsedFile.from_json(_load_json(_rows_name(state["token"])))


def _check_of(results: list[importer.RowResult]) -> dict:
    """What the page and the report show of a check (JSON-ready, in the active language)."""
    return {
        "summary": importer.summarize(results),
        "problems": [
            {"row": r.row, "holding": r.holding, "errors": r.errors} for r in results if not r.ok
        ],
        "report": importer.report_rows(results),
    }


def _check(state: dict) -> dict:
    """The kept check in the active language; made from the kept rows (never from the
    file) the first time another language asks for it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in {code for code, _label in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    name = _check_name(state["token"], language)
    if default_storage.exists(name):
        return _load_json(name)
    check = _check_of(importer.validate(_kept_rows(state)))
    _save_json(name, check)
    return check


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


class HoldingImportView(ImportPermissionMixin, View):
    template_name = "holdings/import/import.html"

    def get(self, request):
        return self.show(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(request, form)
        upload = form.cleaned_data["file"]
        _forget_pending(request)
        _sweep()
        name = Path(upload.name).name[:200]
        upload.seek(0)
        parsed = importer.parse(upload, upload.name)  # the one time the file is read
        if parsed.errors:  # nothing is kept
            return self.show(request, UploadForm(), refused={"name": name, "errors": parsed.errors})
        results = importer.validate(parsed)
        token = secrets.token_hex(16)
        _save_json(_rows_name(token), parsed.to_json())
        _save_json(
            _check_name(token, translation.get_language() or settings.LANGUAGE_CODE),
            _check_of(results),
        )
        request.session[PENDING] = {"token": token, "name": name, "rows": len(parsed.rows)}
        return redirect("holdings:import")

    def show(self, request, form, refused: dict | None = None):
        context = {"form": form, "columns": COLUMN_HELP, "max_rows": importer.limits()["rows"]}
        state = _pending(request)
        if refused is not None:
            context["pending"] = {"name": refused["name"]}
            context["file_errors"] = refused["errors"]
        elif state is not None:
            check = _check(state)
            context["pending"] = state
            context["summary"] = check["summary"]
            context["problems"] = paginate(request, check["problems"], per_page=PER_PAGE)
        last = request.session.get(LAST)
        if isinstance(last, dict):
            context["last"] = last
        return render(request, self.template_name, context)


class HoldingImportConfirmView(ImportPermissionMixin, View):
    """The decision on the checked file: import it, import only its valid holdings, or
    import nothing."""

    def post(self, request):
        action = request.POST.get("action")
        state = _pending(request)
        if state is None:
            messages.error(request, _("No checked file is waiting. Upload the file again."))
            return redirect("holdings:import")
        if action == "cancel":
            _forget_pending(request)
            messages.info(request, _("Nothing was imported."))
            return redirect("holdings:import")
        if action not in ("import", "only_valid"):
            messages.error(request, _("Choose what to do with the file."))
            return redirect("holdings:import")
        if action == "only_valid" and not request.POST.get("confirm"):
            messages.error(
                request,
                _("Tick the box to confirm that the holdings with errors will not be imported."),
            )
            return redirect("holdings:import")
        results = importer.validate(_kept_rows(state))
        report = importer.import_rows(
            results, only_valid=action == "only_valid", actor=request.user, filename=state["name"]
        )
        if not report.imported:
            for error in report.errors:
                messages.error(request, error)
            if report.error_rows:
                messages.error(
                    request,
                    _(
                        "%(rows)s rows have errors, so nothing was imported. "
                        "Correct the file, or import only the valid "
                        "holdings."
                    )
                    % {"rows": localize_digits(report.error_rows)},
                )
            elif not report.errors:
                messages.error(request, _("No holding in the file can be imported."))
            return redirect("holdings:import")
        default_storage.save(
            _report_name(state["token"]), ContentFile(importer.report_csv(results))
        )
        _forget_pending(request)
        request.session[LAST] = {
            "token": state["token"],
            "name": state["name"],
            "holdings": report.holdings,
            "owners": report.owners,
            "assessments": report.assessments,
            "arrears": report.arrears,
            "skipped_holdings": report.skipped_holdings,
            "skipped_rows": report.skipped_rows,
        }
        messages.success(
            request,
            ngettext(
                "Imported %(holdings)s holding with %(owners)s owner(s), %(assessments)s "
                "valuation(s) and %(arrears)s year(s) of arrears; skipped %(skipped)s holding(s).",
                "Imported %(holdings)s holdings with %(owners)s owner(s), %(assessments)s "
                "valuation(s) and %(arrears)s year(s) of arrears; skipped %(skipped)s holding(s).",
                report.holdings,
            )
            % {
                "holdings": localize_digits(report.holdings),
                "owners": localize_digits(report.owners),
                "assessments": localize_digits(report.assessments),
                "arrears": localize_digits(report.arrears),
                "skipped": localize_digits(report.skipped_holdings),
            },
        )
        return redirect("holdings:import")


class HoldingImportReportView(ImportPermissionMixin, View):
    """The row-by-row report as CSV: of the file waiting for a decision, else of the last
    import."""

    def get(self, request):
        state = _pending(request)
        if state is not None:
            body = importer.rows_csv(_check(state)["report"])
        else:
            last = request.session.get(LAST)
            token = str(last.get("token", "")) if isinstance(last, dict) else ""
            if not TOKEN_RE.fullmatch(token) or not default_storage.exists(_report_name(token)):
                messages.error(
                    request, _("There is no import report to download. Upload a file first.")
                )
                return redirect("holdings:import")
            with default_storage.open(_report_name(token), "rb") as f:
                body = f.read()
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="holding-import-report.csv"'
        return response


class HoldingImportSampleView(ImportPermissionMixin, View):
    """A small example register in the import format."""

    def get(self, request):
        return FileResponse(
            SAMPLE.open("rb"),
            as_attachment=True,
            filename="holdings_register.csv",
            content_type="text/csv",
        )
