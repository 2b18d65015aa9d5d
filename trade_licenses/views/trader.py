"""The trader's trade-licence pages: my licences, applying from home (details → documents →
review and submit, a draft saved at each step), one-step renewal, paying the fee bill
online, and the application's documents (served only to those allowed to see them).

Views are thin: trader_forms.py cleans the input, trade_licenses.services does every write,
and a refusal (ValidationError, PaymentError) is shown as a message with nothing changed.
Every page needs a signed-in user; an application, document or business of someone else
is "not found" (404)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.fiscal import current_fiscal_year
from core.status import status_label
from core.storage import stream_file
from core.uploads import MAX_DOCUMENT_BYTES
from payments.services import PaymentError, payment_initiate_online

from .. import services
from ..fees import line_label
from ..models import Application, ApplicationDocument, Business, DocumentKind, Licence
from ..selectors import (
    applications_of,
    certificate_url,
    documents_visible_to,
    overview,
    renewable,
)
from ..trader_forms import ApplicationDetailsForm, ConfirmForm, DocumentUploadForm, RenewalForm

S = Application.Status


def _refusal(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, str(exc) or _("You may not do that."))


def _posted(request):
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _my_application(request, pk: int) -> Application:
    return get_object_or_404(applications_of(request.user), pk=pk)


def _filed_application(request, pk: int) -> Application:
    """The trader's application, or one this counter clerk filed on the trader's behalf
    (for the details, documents and review steps)."""
    user = request.user
    if user.has_perm(services.COUNTER):
        return get_object_or_404(
            Application.objects.select_related("business", "business__ward").filter(
                Q(business__trader=user) | Q(filed_by=user)
            ),
            pk=pk,
        )
    return _my_application(request, pk)


@login_required
def my_licences(request):
    return render(request, "trade_licenses/trader/my_licences.html", overview(request.user))


# --- applying: details, documents, review ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def licence_apply(request):
    """Step 1: the trader's and the business's details → a new business and a draft."""
    form = ApplicationDetailsForm(
        _posted(request), initial=ApplicationDetailsForm.initial_for_user(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                actor=request.user,
                trader=request.user,
                business_values=form.business_values(),
                trader_values=form.trader_values(),
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request, _("Your draft application is saved. Now upload the documents.")
            )
            return redirect("trade_licenses:documents", pk=application.pk)
    drafts = [a for a in applications_of(request.user) if a.status in Application.EDITABLE]
    return render(
        request, "trade_licenses/trader/apply.html", {"form": form, "drafts": drafts, "step": 1}
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_application_edit(request, pk: int):
    """Step 1 again for a draft (or an application returned for correction)."""
    application = _filed_application(request, pk)
    if application.status not in Application.EDITABLE:
        messages.info(request, _("This application is submitted and can no longer be changed."))
        return redirect("trade_licenses:application", pk=application.pk)
    form = ApplicationDetailsForm(
        _posted(request),
        fiscal_year=application.fiscal_year,
        initial=ApplicationDetailsForm.initial_for(application),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update_draft(
                application=application,
                actor=request.user,
                **form.trader_values(),
                **form.business_values(),
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("trade_licenses:documents", pk=application.pk)
    return render(
        request,
        "trade_licenses/trader/apply.html",
        {"form": form, "application": application, "step": 1},
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_documents(request, pk: int):
    """Step 2: upload the documents this application needs (each checked by content)."""
    application = _filed_application(request, pk)
    editable = application.status in Application.EDITABLE
    if request.method == "POST":
        if not editable:
            messages.error(
                request,
                _(
                    "Documents can be added only to a draft or to an "
                    "application returned for correction."
                ),
            )
            return redirect("trade_licenses:documents", pk=application.pk)
        if "remove" in request.POST:
            document = get_object_or_404(
                application.documents, pk=request.POST["remove"], inspection=None
            )
            try:
                services.document_remove(document=document, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                _refusal(request, exc)
            else:
                messages.success(request, _("The document is removed."))
            return redirect("trade_licenses:documents", pk=application.pk)
        form = DocumentUploadForm(request.POST, request.FILES)
        if not form.is_valid() or form.cleaned_data["kind"] == DocumentKind.INSPECTION_PHOTO:
            messages.error(request, _("Choose a file to upload."))
            return redirect("trade_licenses:documents", pk=application.pk)
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        try:
            services.document_add(
                application=application,
                kind=kind,
                file=upload,
                actor=request.user,
                name=upload.name,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(
                request,
                _("%(document)s was not accepted: %(reason)s")
                % {
                    "document": DocumentKind(kind).label,
                    "reason": " ".join(
                        exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    ),
                },
            )
        else:
            messages.success(
                request, _("%(document)s is uploaded.") % {"document": DocumentKind(kind).label}
            )
        return redirect("trade_licenses:documents", pk=application.pk)
    documents = list(application.documents.filter(inspection=None).order_by("kind", "pk"))
    required = services.required_documents(application)
    present = {d.kind for d in documents}
    rows = [
        {
            "kind": kind,
            "label": DocumentKind(kind).label,
            "done": kind in present,
            "documents": [d for d in documents if d.kind == kind],
        }
        for kind in required
    ]
    others = [d for d in documents if d.kind not in required]
    return render(
        request,
        "trade_licenses/trader/documents.html",
        {
            "application": application,
            "rows": rows,
            "others": others,
            "editable": editable,
            "missing": [r for r in rows if not r["done"]],
            "step": 2,
            "image_only": {"photo"},
            # Checked in the browser too (static/js/portal.js), before the upload.
            "max_bytes": MAX_DOCUMENT_BYTES,
            "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_application(request, pk: int):
    """Step 3 (review and submit) for a draft; the application's status page afterwards."""
    application = _filed_application(request, pk)
    editable = application.status in Application.EDITABLE
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(application=application, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request, _("Your application is submitted. We will send you an SMS at each step.")
            )
        return redirect("trade_licenses:application", pk=application.pk)
    today = timezone.localdate()
    try:
        lines = services.fee_lines(application, paid_on=today)
        fee_error = ""
    except ValidationError as exc:
        lines, fee_error = [], " ".join(exc.messages)
    fee_rows = _fee_rows(lines, bengali=(request.LANGUAGE_CODE or "bn").startswith("bn"))
    licence = Licence.objects.filter(application=application).first()
    return render(
        request,
        "trade_licenses/trader/application.html",
        {
            "application": application,
            "business": application.business,
            "editable": editable,
            "form": form,
            "fee_rows": fee_rows,
            "fee_total": sum(r["amount"] for r in fee_rows),
            "fee_error": fee_error,
            "today": today,
            "documents": application.documents.filter(inspection=None).order_by("kind", "pk"),
            "missing": [DocumentKind(k).label for k in services.missing_documents(application)]
            if editable
            else [],
            "events": [
                {
                    "at": e.at,
                    "label": status_label(S, e.to_status),
                    "status": e.to_status,
                    "moved": bool(e.from_status),
                    "reason": e.reason,
                    "decision": e.to_status in (S.RETURNED, S.REJECTED),
                }
                for e in application.events.order_by("at", "pk")
            ],
            "licence": licence,
            "certificate_url": certificate_url(licence) if licence else "",
            "step": 3,
        },
    )


@login_required
def licence_document(request, pk: int):
    """One uploaded document, to the trader and the officers who handle the application."""
    document = get_object_or_404(
        ApplicationDocument.objects.select_related("application__business"), pk=pk
    )
    if not documents_visible_to(request.user, document.application):
        raise Http404
    response = stream_file(
        document.file,
        content_type=document.content_type,
        filename=document.original_name or f"document-{document.pk}",
    )
    services.document_record_download(document=document, actor=request.user, request=request)
    return response


# --- renewal and paying -------------------------------------------------------------------------


def _fee_rows(lines, *, bengali: bool) -> list[dict]:
    """Fee lines as the pages show them (arrears lines labelled with their year)."""
    return [
        {
            "label": line_label(line, bengali=bengali),
            "amount": line.amount,
            "rule": line.rule_text,
            "arrears_year": line.arrears_year,
        }
        for line in lines
    ]


def _renewal_submitted_message(request, renewal: Application, fy: str) -> None:
    if renewal.needs_inspection:
        messages.success(
            request,
            _(
                "Your renewal for FY %(fy)s is submitted. Some details "
                "changed since last year, so an inspector must check "
                "them before the licence officer approves it."
            )
            % {"fy": fy},
        )
    else:
        messages.success(
            request,
            _(
                "Your renewal for FY %(fy)s is submitted. Nothing "
                "changed since last year, so it goes straight to the "
                "licence officer for approval."
            )
            % {"fy": fy},
        )


@login_required
@require_http_methods(["GET", "POST"])
def licence_renew(request, business_pk: int):
    """Renew for this fiscal year in one step. The page shows what the bill will carry
    (services.renewal_preview: the fee with its late surcharge and the arrears of every
    skipped year) and asks for exactly the particulars the rules require that the licence
    being renewed lacks (e.g. the e-TIN); then a renewal is filed and submitted at once. A
    category that asks for documents every year goes to the documents step. A refusal is
    shown on this page, with what was entered kept."""
    business = get_object_or_404(
        Business.objects.select_related("ward", "trader"), pk=business_pk, trader=request.user
    )
    fy = current_fiscal_year()
    previous = renewable(business, fy)
    if previous is None:
        messages.info(
            request,
            _(
                "%(business)s cannot be renewed for FY %(fy)s now: it has no "
                "earlier licence, or this year's is already applied "
                "for."
            )
            % {"business": business.name, "fy": fy},
        )
        return redirect("trade_licenses:mine")
    missing = services.renewal_missing_particulars(business, fy)
    form = RenewalForm(_posted(request), missing=missing)
    if request.method == "POST" and form.is_valid():
        try:
            renewal, needs_documents = services.licence_renew(
                business=business, actor=request.user, fiscal_year=fy, **form.particulars()
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            if needs_documents:
                messages.info(
                    request,
                    _(
                        "Your renewal is saved as a draft. This kind of "
                        "business must upload some documents every year: "
                        "upload them, then submit."
                    ),
                )
                return redirect("trade_licenses:documents", pk=renewal.pk)
            _renewal_submitted_message(request, renewal, fy)
            return redirect("trade_licenses:application", pk=renewal.pk)
    today = timezone.localdate()
    try:
        lines = services.renewal_preview(business, fy, paid_on=today)
        fee_error = ""
    except ValidationError as exc:
        lines, fee_error = [], " ".join(exc.messages)
    bengali = (request.LANGUAGE_CODE or "bn").startswith("bn")
    fee_rows = _fee_rows(lines, bengali=bengali)
    return render(
        request,
        "trade_licenses/trader/renew.html",
        {
            "business": business,
            "previous": previous,
            "fiscal_year": fy,
            "form": form,
            "expired": previous.valid_until < today,
            "today": today,
            "fee_rows": fee_rows,
            "fee_total": sum((r["amount"] for r in fee_rows), Decimal(0)),
            "fee_error": fee_error,
            "arrears_years": sorted({line.arrears_year for line in lines if line.arrears_year}),
            "late": any(line.head == "surcharge" for line in lines),
        },
    )


@login_required
@require_POST
def licence_pay(request, pk: int):
    """Start the online payment of the application's fee bill → the gateway."""
    application = _my_application(request, pk)
    bill = application.bill
    if application.status != S.BILLED or bill is None or bill.status != "open":
        messages.error(request, _("There is no fee bill to pay for this application now."))
        return redirect("trade_licenses:application", pk=application.pk)
    try:
        payment = payment_initiate_online(bills=[bill], payer=request.user)
    except PaymentError as exc:
        messages.error(request, _("The payment could not start: %(reason)s") % {"reason": exc})
        return redirect("trade_licenses:application", pk=application.pk)
    return HttpResponseRedirect(payment.gateway_url)
