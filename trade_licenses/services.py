"""Every write for trade licences: businesses, drafts, documents, the workflow, the fee
bill and the licence. One transaction each; each refusal is a ValidationError with a
translated message and nothing changed; every state change writes an ApplicationEvent and
an audit row; the trader gets an SMS after the commit (notify.py).

Workflow (Application.TRANSITIONS): draft → submitted → inspection → approval → billed →
paid → issued; "returned" (for correction, then resubmitted) and "rejected" (final) from
submitted, inspection and approval, always with a reason. A renewal with nothing changed
skips inspection (submitted → approval). Who may take each step: STEP_PERMISSIONS.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.fiscal import current_fiscal_year, fiscal_year_bounds, parse_fiscal_year
from core.models import CityProfile, Ward
from core.money import to_money
from core.sequences import next_in_year
from core.validators import normalize_mobile, normalize_nid, normalize_tin
from payments.models import Bill
from payments.services import LineSpec, bill_create, bill_supersede

from . import fees, tasks
from .defaults import ensure_schedule
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Business,
    BusinessCategory,
    DocumentKind,
    FeeSchedule,
    Inspection,
    Licence,
    LicenceCounter,
)
from .notify import notify_trader
from .selectors import (  # noqa: F401  - required_documents: callers use services.*
    missing_documents,
    previous_licence,
    required_documents,
)
from .uploads import MAX_DOCUMENT_BYTES, check_document

S = Application.Status
INSPECT = "accounts.inspect_trade_licences"
APPROVE = "accounts.approve_trade_licences"
COUNTER = "accounts.use_counter"
SERVICE = "trade_licenses"
SUBJECT_TYPE = "trade_licence_application"

# Who may take each officer step (any one of the permissions). Submitting is the trader's
# (or a counter clerk's); billed → paid → issued happen when the bill is paid.
STEP_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (S.SUBMITTED, S.INSPECTION): (INSPECT,),
    (S.INSPECTION, S.APPROVAL): (INSPECT,),
    (S.SUBMITTED, S.APPROVAL): (APPROVE,),  # a renewal that needs no inspection
    (S.APPROVAL, S.BILLED): (APPROVE,),
    (S.SUBMITTED, S.RETURNED): (INSPECT, APPROVE),
    (S.SUBMITTED, S.REJECTED): (INSPECT, APPROVE),
    (S.INSPECTION, S.RETURNED): (INSPECT, APPROVE),
    (S.INSPECTION, S.REJECTED): (INSPECT, APPROVE),
    (S.APPROVAL, S.RETURNED): (APPROVE,),
    (S.APPROVAL, S.REJECTED): (APPROVE,),
}

HEAD_LABELS = fees.HEAD_LABELS

TRADER_FIELDS = ("trader_name_bn", "trader_name_en", "trader_nid", "trader_mobile",
                 "trader_tin")
BUSINESS_FIELDS = ("name_bn", "name_en", "category_code", "paid_up_capital",
                   "premises_address", "ward", "premises_owned", "holding_ward",
                   "holding_number", "signboard_sqft")
SNAPSHOT_FIELDS = Application.SNAPSHOT_FIELDS
NEW_BILL_DAYS = 15  # a new licence's bill is due this many days after it is issued


# --- reads the services need -------------------------------------------------------------


def schedule_for(fiscal_year: str) -> FeeSchedule:
    """The year's fee schedule (seeded with the defaults if missing)."""
    return ensure_schedule(parse_fiscal_year(fiscal_year))


def category_for(fiscal_year: str, code: str) -> BusinessCategory:
    category = (BusinessCategory.objects.select_related("schedule")
                .filter(schedule=schedule_for(fiscal_year), code=code).first())
    if category is None:
        raise ValidationError(_("“%(code)s” is not a business category in the FY %(fy)s "
                                "schedule.") % {"code": code, "fy": fiscal_year},
                              code="unknown_category")
    return category


@dataclass(frozen=True)
class HoldingCheck:
    found: bool
    has_dues: bool | None
    label: str


def holding_check(*, ward: str, number: str) -> HoldingCheck:
    """The one read into holdings (through its own functions, never its models): is the
    holding registered, and does it owe holding tax now?"""
    from holdings.selectors import has_dues
    from holdings.services import find_holding

    try:
        holding = find_holding(ward, number)
    except ValidationError:
        return HoldingCheck(False, None, f"{ward}/{number}")
    return HoldingCheck(True, has_dues(holding.pk), str(holding))


def fee_lines(application: Application, *, paid_on: date) -> list[fees.FeeLine]:
    """The application's fee lines from its year's schedule, as if paid on `paid_on`."""
    category = category_for(application.fiscal_year, application.applied_category_code)
    capital = application.applied_paid_up_capital
    sqft = application.applied_signboard_sqft
    try:
        return fees.assess(kind=application.kind,
                           rates=fees.ScheduleRates.from_schedule(category.schedule),
                           category=fees.CategoryRates.from_category(category),
                           paid_on=paid_on, paid_up_capital=capital, signboard_sqft=sqft)
    except fees.FeeError:
        raise ValidationError(_("No fee is set for a paid-up capital of %(capital)s in this "
                                "category; check the capital or the schedule.")
                              % {"capital": capital}, code="no_capital_band") from None


# --- helpers ---------------------------------------------------------------------------


def _has(actor, perms: Iterable[str]) -> bool:
    return actor is not None and any(actor.has_perm(p) for p in perms)


def _may_file(actor, business: Business) -> bool:
    return actor is not None and (
        (business.trader_id is not None and actor.pk == business.trader_id)
        or actor.has_perm(COUNTER))


def _require_filer(actor, business: Business) -> None:
    if not _may_file(actor, business):
        raise ValidationError(_("Only the trader, or a counter clerk on the trader's behalf, "
                                "can change this application."), code="forbidden")


def _lock(application: Application) -> Application:
    return (Application.objects.select_for_update().select_related("business")
            .get(pk=application.pk))


def _sync(source: Application, target: Application) -> Application:
    """Bring the caller's instance up to date with the saved one."""
    if target is not source:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source


def _status_label(value: str) -> str:
    return str(S(value).label)


def _move(application: Application, to: str, *, actor, reason: str = "",
          extra_fields: tuple[str, ...] = (), audit_after: dict | None = None,
          notify: str | None = "", **sms) -> Application:
    """The one place an application changes status (the caller holds the row lock)."""
    before = application.status
    if to not in Application.TRANSITIONS[S(before)]:
        raise ValidationError(
            _("The application cannot go from “%(old)s” to “%(new)s”.")
            % {"old": _status_label(before), "new": _status_label(to)}, code="bad_transition")
    application.status = to
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at", "updated_at",
                                    *extra_fields])
    ApplicationEvent.objects.create(application=application, from_status=before,
                                    to_status=to, actor=actor, reason=reason)
    audit.record(action=f"trade_licence.{to}", obj=application, actor=actor, reason=reason,
                 before={"status": before}, after={"status": to, **(audit_after or {})})
    key = to if notify == "" else notify
    if key:
        notify_trader(application, key, reason=reason, **sms)
    return application


def _clean_trader(values: dict) -> dict:
    cleaned = dict(values)
    for field, normalize in (("trader_nid", normalize_nid), ("trader_mobile", normalize_mobile),
                             ("trader_tin", normalize_tin)):
        if cleaned.get(field):
            cleaned[field] = normalize(cleaned[field])
    for field in ("trader_name_bn", "trader_name_en"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    return cleaned


def _clean_business(values: dict) -> dict:
    cleaned = dict(values)
    if "ward" in cleaned and not isinstance(cleaned["ward"], Ward):
        from holdings.services import ward_by_number

        cleaned["ward"] = ward_by_number(cleaned["ward"])
    if cleaned.get("holding_number"):
        from holdings.services import normalize_holding_number

        cleaned["holding_number"] = normalize_holding_number(cleaned["holding_number"])
    if cleaned.get("holding_ward") not in (None, ""):
        cleaned["holding_ward"] = str(cleaned["holding_ward"]).strip()
    for field in ("signboard_sqft", "paid_up_capital"):
        if cleaned.get(field) not in (None, ""):
            raw = cleaned[field]
            too_large = ValidationError(_("That number is too large; check it."),
                                        code="too_large")
            try:
                value = to_money(str(raw) if isinstance(raw, float) else raw)
            except ValueError as exc:
                if "too large" in str(exc):
                    raise too_large from None
                value = Decimal("-1")
            except TypeError:
                value = Decimal("-1")
            if value < 0:
                raise ValidationError(_("Enter a number that is not negative."),
                                      code="negative_number")
            if value >= (Decimal("1e6") if field == "signboard_sqft" else Decimal("1e12")):
                raise too_large
            cleaned[field] = value
        elif field in cleaned:
            cleaned[field] = Decimal("0") if field == "signboard_sqft" else None
    return cleaned


# --- businesses and drafts -----------------------------------------------------------------


@transaction.atomic
def business_create(*, actor, name_bn: str, category_code: str, premises_address: str, ward,
                    trader=None, name_en: str = "", paid_up_capital=None,
                    premises_owned: bool = False, holding_ward: str = "",
                    holding_number: str = "", signboard_sqft=0) -> Business:
    """Register a business (by its trader, or by a counter clerk for a trader)."""
    if actor is None or not ((trader is not None and actor.pk == trader.pk)
                             or actor.has_perm(COUNTER)):
        raise ValidationError(_("Only the trader, or a counter clerk on the trader's behalf, "
                                "can register a business."), code="forbidden")
    if not name_bn.strip() and not name_en.strip():
        raise ValidationError(_("Enter the business's name."), code="no_name")
    values = _clean_business({
        "name_bn": name_bn.strip(), "name_en": name_en.strip(), "category_code": category_code,
        "paid_up_capital": paid_up_capital, "premises_address": premises_address.strip(),
        "ward": ward, "premises_owned": premises_owned, "holding_ward": holding_ward,
        "holding_number": holding_number, "signboard_sqft": signboard_sqft})
    category_for(current_fiscal_year(), values["category_code"])
    business = Business.objects.create(trader=trader, **values)
    audit.record(action="trade_licence.business_created", obj=business, actor=actor,
                 after=audit.snapshot(business))
    return business


_previous_licence = previous_licence


@transaction.atomic
def application_create_draft(*, business: Business, filed_by, fiscal_year: str | None = None,
                             kind: str = Application.Kind.NEW, **trader) -> Application:
    """Start an application that can be resumed later. Filed by someone other than the
    trader, it is recorded as filed on the trader's behalf (counter clerks only). Trader
    details (trader_name_bn/_en, trader_nid, trader_mobile, trader_tin) default to the
    trader's account. A second live application for the same business and year is refused.
    """
    _require_filer(filed_by, business)
    fy = parse_fiscal_year(fiscal_year or current_fiscal_year())
    if kind not in Application.Kind.values:
        raise ValidationError(_("Unknown kind of application."), code="bad_kind")
    unknown = set(trader) - set(TRADER_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if kind == Application.Kind.RENEWAL and _previous_licence(business, fy) is None:
        raise ValidationError(_("This business has no earlier licence to renew; apply for a "
                                "new licence."), code="nothing_to_renew")
    if kind == Application.Kind.TRANSFER and not Licence.objects.filter(
            business=business, fiscal_year=fy, is_current=True).exists():
        raise ValidationError(_("A transfer needs this year's licence first."),
                              code="nothing_to_transfer")
    user = business.trader
    defaults = {"trader_name_bn": getattr(user, "name_bn", "") or "",
                "trader_name_en": getattr(user, "name_en", "") or "",
                "trader_nid": getattr(user, "nid", "") or "",
                "trader_mobile": getattr(user, "mobile", "") or "", "trader_tin": ""}
    values = _clean_trader({**defaults, **{k: v for k, v in trader.items() if v}})
    on_behalf = user is None or filed_by.pk != user.pk
    try:
        with transaction.atomic():
            application = Application.objects.create(
                business=business, fiscal_year=fy, kind=kind, filed_by=filed_by,
                on_behalf=on_behalf, **values)
    except IntegrityError:
        raise ValidationError(
            _("%(business)s already has an application for FY %(fy)s. Resume that one "
              "instead.") % {"business": business.name, "fy": fy},
            code="duplicate_application") from None
    ApplicationEvent.objects.create(application=application, from_status="",
                                    to_status=S.DRAFT, actor=filed_by,
                                    reason="filed on the trader's behalf" if on_behalf else "")
    audit.record(action="trade_licence.draft_created", obj=application, actor=filed_by,
                 after=audit.snapshot(application, ["business_id", "fiscal_year", "kind",
                                                    "on_behalf", *TRADER_FIELDS]))
    return application


@transaction.atomic
def application_start(*, actor, business_values: dict, trader_values: dict, trader=None,
                      on_behalf: bool = False) -> Application:
    """Step 1 of applying, as one write: register the business and start its draft.

    By the trader (`trader` is the actor), or `on_behalf` by a counter clerk: then the
    trader is `trader`, or else the account with the mobile number in `trader_values`
    (a new citizen account is opened for it), and the draft is filed by the clerk."""
    if not on_behalf:
        trader = trader or actor
    elif trader is None:
        from accounts.services import user_find_or_create_citizen

        trader = user_find_or_create_citizen(
            mobile=trader_values.get("trader_mobile", ""),
            name_bn=trader_values.get("trader_name_bn", ""),
            name_en=trader_values.get("trader_name_en", ""), actor=actor)
    business = business_create(actor=actor, trader=trader, **business_values)
    return application_create_draft(business=business, filed_by=actor, **trader_values)


@transaction.atomic
def application_update_draft(*, application: Application, actor, **changes) -> Application:
    """Change a draft (or an application returned for correction): the trader's details
    (TRADER_FIELDS) and the business's (BUSINESS_FIELDS)."""
    unknown = set(changes) - set(TRADER_FIELDS) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    locked = _lock(application)
    _require_filer(actor, locked.business)
    if locked.status not in Application.EDITABLE:
        raise ValidationError(_("Only a draft or an application returned for correction can "
                                "be changed."), code="not_editable")
    trader = _clean_trader({k: v for k, v in changes.items() if k in TRADER_FIELDS})
    biz = _clean_business({k: v for k, v in changes.items() if k in BUSINESS_FIELDS})
    if "category_code" in biz:
        category_for(locked.fiscal_year, biz["category_code"])
    business = locked.business
    before = {**audit.snapshot(locked, TRADER_FIELDS),
              **audit.snapshot(business, [Business._meta.get_field(f).attname
                                          for f in BUSINESS_FIELDS])}
    for field, value in trader.items():
        setattr(locked, field, value)
    for field, value in biz.items():
        setattr(business, field, value)
    if trader:
        locked.save(update_fields=[*trader, "updated_at"])
    if biz:
        business.save(update_fields=[*biz, "updated_at"])
    after = {**audit.snapshot(locked, TRADER_FIELDS),
             **audit.snapshot(business, [Business._meta.get_field(f).attname
                                         for f in BUSINESS_FIELDS])}
    before, after = audit.changed(before, after)
    if after:
        audit.record(action="trade_licence.draft_updated", obj=locked, actor=actor,
                     before=before, after=after)
    return _sync(locked, application)


def _submission_problems(application: Application) -> list[str]:
    """Everything that stops the application being submitted, as messages."""
    problems: list[str] = []
    business = application.business
    if not (application.trader_name_bn or application.trader_name_en):
        problems.append(_("Enter the trader's name."))
    for field, normalize in (("trader_nid", normalize_nid), ("trader_mobile", normalize_mobile),
                             ("trader_tin", normalize_tin)):
        try:
            normalize(getattr(application, field))
        except ValidationError as exc:
            problems.extend(exc.messages)
    try:
        category = category_for(application.fiscal_year, business.category_code)
    except ValidationError as exc:
        problems.extend(exc.messages)
        category = None
    if category is not None and not category.is_active:
        problems.append(_("The category “%(name)s” is closed for new applications.")
                        % {"name": category.name})
    if category is not None and category.by_capital:
        if business.paid_up_capital is None:
            problems.append(_("Enter the company's paid-up capital."))
        else:
            try:
                fees.licence_fee(fees.CategoryRates.from_category(category),
                                 fiscal_year=application.fiscal_year,
                                 paid_up_capital=business.paid_up_capital)
            except fees.FeeError:
                problems.append(_("No fee is set for a paid-up capital of %(capital)s.")
                                % {"capital": business.paid_up_capital})
    if business.premises_owned:
        if not (business.holding_ward and business.holding_number):
            problems.append(_("For owned premises, enter the holding's ward and number."))
        elif not holding_check(ward=business.holding_ward,
                               number=business.holding_number).found:
            problems.append(_("No holding %(number)s is registered in ward %(ward)s.")
                            % {"number": business.holding_number,
                               "ward": business.holding_ward})
    missing = missing_documents(application)
    if missing:
        problems.append(_("Upload these documents first: %(documents)s.") % {
            "documents": ", ".join(str(DocumentKind(k).label) for k in missing)})
    return problems


def _details_changed(application: Application) -> bool:
    """For a renewal: did the category, capital, signboard or address change since the
    licence being renewed? (Then the premises is inspected again.)"""
    previous = _previous_licence(application.business, application.fiscal_year)
    if previous is None:
        return True
    old = previous.application
    return any(getattr(old, f) != getattr(application, f) for f in SNAPSHOT_FIELDS)


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """Submit a draft or resubmit a returned application: the trader's details, category,
    holding (if owned) and required documents are checked; what was applied for is fixed
    on the application."""
    locked = _lock(application)
    _require_filer(actor, locked.business)
    if locked.status not in Application.EDITABLE:
        raise ValidationError(_("This application is already submitted."),
                              code="already_submitted")
    problems = _submission_problems(locked)
    if problems:
        raise ValidationError(problems, code="incomplete")
    business = locked.business
    for field in SNAPSHOT_FIELDS:
        setattr(locked, field, getattr(business, field))
    locked.needs_inspection = (locked.kind != Application.Kind.RENEWAL
                               or _details_changed(locked))
    locked.submitted_at = timezone.now()
    locked.decision_reason = ""
    try:
        with transaction.atomic():
            _move(locked, S.SUBMITTED, actor=actor,
                  reason="resubmitted" if locked.status == S.RETURNED else "",
                  extra_fields=(*SNAPSHOT_FIELDS, "needs_inspection", "submitted_at",
                                "decision_reason"),
                  audit_after={"needs_inspection": locked.needs_inspection})
    except IntegrityError:
        raise ValidationError(
            _("%(business)s already has another application for FY %(fy)s.")
            % {"business": business.name, "fy": locked.fiscal_year},
            code="duplicate_application") from None
    return _sync(locked, application)


@transaction.atomic
def licence_renew(*, business: Business, actor,
                  fiscal_year: str | None = None) -> tuple[Application, bool]:
    """Renew for the year in one step: a renewal draft with the trader's details from the
    licence being renewed, submitted at once — unless the category asks for documents
    every year, when the draft is kept for them. Returns (application, needs_documents)."""
    fy = parse_fiscal_year(fiscal_year or current_fiscal_year())
    previous = _previous_licence(business, fy)
    old = previous.application if previous is not None else None
    trader = {f: getattr(old, f) for f in TRADER_FIELDS} if old is not None else {}
    renewal = application_create_draft(business=business, filed_by=actor, fiscal_year=fy,
                                       kind=Application.Kind.RENEWAL, **trader)
    if missing_documents(renewal):
        return renewal, True
    application_submit(application=renewal, actor=actor)
    return renewal, False


# --- documents -------------------------------------------------------------------------------


def _read(file) -> tuple[bytes, str, int]:
    """The bytes (at most one more than the limit), the file's name and its full size."""
    if isinstance(file, (bytes, bytearray)):
        return bytes(file), "", len(file)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_DOCUMENT_BYTES + 1)
    size = max(len(data), int(getattr(file, "size", 0) or 0))
    return data, getattr(file, "name", "") or "", size


@transaction.atomic
def document_add(*, application: Application, kind: str, file, actor, name: str = "",
                 inspection: Inspection | None = None) -> ApplicationDocument:
    """Attach a checked document (uploads.check_document: PDF, JPEG or PNG by content, at
    most 5 MB) to an editable application, or an inspection photo by the inspector. The
    file is stored privately under a random name."""
    locked = _lock(application)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Unknown kind of document."), code="bad_kind")
    if kind == DocumentKind.INSPECTION_PHOTO:
        if not _has(actor, (INSPECT,)):
            raise ValidationError(_("Only a licence inspector adds inspection photos."),
                                  code="forbidden")
        if locked.status != S.INSPECTION:
            raise ValidationError(_("Inspection photos are added during the inspection."),
                                  code="not_in_inspection")
    else:
        _require_filer(actor, locked.business)
        if locked.status not in Application.EDITABLE:
            raise ValidationError(_("Documents can be added only to a draft or to an "
                                    "application returned for correction."),
                                  code="not_editable")
    data, name, checked = _checked(file, name=name, kind=kind)
    return _store_document(locked, kind=kind, data=data, name=name, checked=checked,
                           actor=actor, inspection=inspection)


def _checked(file, *, name: str = "", kind: str):
    """Read and check an upload (uploads.check_document) without storing anything:
    (bytes, the name to keep, the check's result)."""
    data, file_name, size = _read(file)
    name = (name or file_name or "document").rsplit("/", 1)[-1][:200]
    return data, name, check_document(data, name=name, kind=kind, size=size)


def _store_document(application: Application, *, kind: str, data: bytes, name: str, checked,
                    actor, inspection: Inspection | None = None) -> ApplicationDocument:
    """Store a checked file privately under a random name and record it (the caller holds
    the application's row lock); the file is deleted again if recording fails."""
    document = ApplicationDocument(
        application=application, inspection=inspection, kind=kind, original_name=name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
        uploaded_by=actor)
    document.file.save(f"{uuid.uuid4().hex}{checked.extension}", ContentFile(data), save=False)
    stored = document.file.name
    try:
        with transaction.atomic():
            document.save()
            audit.record(action="trade_licence.document_added", obj=application, actor=actor,
                         after={"document": document.pk, "kind": kind, "name": name,
                                "size": checked.size, "sha256": checked.sha256})
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_remove(*, document: ApplicationDocument, actor) -> None:
    """Remove a document from an editable application (the file goes after the commit)."""
    locked = _lock(document.application)
    _require_filer(actor, locked.business)
    if locked.status not in Application.EDITABLE or document.inspection_id:
        raise ValidationError(_("This document can no longer be removed."),
                              code="not_editable")
    storage, name = document.file.storage, document.file.name
    audit.record(action="trade_licence.document_removed", obj=locked, actor=actor,
                 before={"document": document.pk, "kind": document.kind,
                         "name": document.original_name, "sha256": document.sha256})
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- the workflow ------------------------------------------------------------------------------


@transaction.atomic
def application_transition(*, application: Application, to: str, actor,
                           reason: str = "") -> Application:
    """Move an application one step, refusing a step that TRANSITIONS does not allow or
    that the actor's role may not take (STEP_PERMISSIONS). Returning and rejecting need a
    reason. Submitting goes through application_submit, approving (→ billed) through
    application_issue_bill; paid and issued happen when the bill is paid."""
    if to == S.SUBMITTED:
        return application_submit(application=application, actor=actor)
    if to == S.BILLED:
        return application_issue_bill(application=application, actor=actor)
    if to in (S.PAID, S.ISSUED):
        raise ValidationError(_("An application is marked paid, and its licence issued, when "
                                "its bill is paid."), code="by_payment_only")
    locked = _lock(application)
    reason = (reason or "").strip()
    current = locked.status
    if to not in Application.TRANSITIONS[S(current)]:
        raise ValidationError(
            _("The application cannot go from “%(old)s” to “%(new)s”.")
            % {"old": _status_label(current), "new": _status_label(to)}, code="bad_transition")
    if not _has(actor, STEP_PERMISSIONS.get((current, to), ())):
        raise ValidationError(_("You do not have permission to move this application from "
                                "“%(old)s” to “%(new)s”.")
                              % {"old": _status_label(current), "new": _status_label(to)},
                              code="forbidden")
    extra: tuple[str, ...] = ()
    if to in (S.RETURNED, S.REJECTED):
        if not reason:
            raise ValidationError(
                _("Say what must be corrected.") if to == S.RETURNED
                else _("A reason is required to reject an application."), code="no_reason")
        locked.decision_reason = reason
        extra = ("decision_reason",)
    if (current, to) == (S.SUBMITTED, S.APPROVAL) and locked.needs_inspection:
        raise ValidationError(_("This application needs an inspection of the premises "
                                "first."), code="needs_inspection")
    if (current, to) == (S.INSPECTION, S.APPROVAL) and not locked.inspections.exists():
        raise ValidationError(_("Record the inspection visit and its findings first."),
                              code="no_inspection")
    _move(locked, to, actor=actor, reason=reason, extra_fields=extra)
    return _sync(locked, application)


@transaction.atomic
def inspection_record(*, application: Application, inspector, findings: str,
                      visited_at: datetime | None = None,
                      photos: Iterable = ()) -> Inspection:
    """The inspector's visit: when, what was found, photos (files, checked as documents)."""
    locked = _lock(application)
    if not _has(inspector, (INSPECT,)):
        raise ValidationError(_("Only a licence inspector records inspections."),
                              code="forbidden")
    if locked.status != S.INSPECTION:
        raise ValidationError(_("The application is not under inspection."),
                              code="not_in_inspection")
    if not (findings or "").strip():
        raise ValidationError(_("Write down what was found at the premises."),
                              code="no_findings")
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("The visit cannot be in the future."), code="future_visit")
    kind = DocumentKind.INSPECTION_PHOTO
    # Every photo is checked before anything is created or stored: a bad one refuses the
    # whole visit and leaves no file behind.
    checked_photos = [_checked(photo, kind=kind) for photo in photos]
    inspection = Inspection.objects.create(application=locked, inspector=inspector,
                                           visited_at=visited_at, findings=findings.strip())
    stored: list[ApplicationDocument] = []
    try:
        for data, name, checked in checked_photos:
            stored.append(_store_document(locked, kind=kind, data=data, name=name,
                                          checked=checked, actor=inspector,
                                          inspection=inspection))
    except Exception:
        for document in stored:
            document.file.storage.delete(document.file.name)
        raise
    audit.record(action="trade_licence.inspected", obj=locked, actor=inspector,
                 after={"inspection": inspection.pk, "visited_at": visited_at,
                        "findings": inspection.findings})
    return inspection


@transaction.atomic
def application_override_dues(*, application: Application, officer, reason: str
                              ) -> Application:
    """Let an application whose owned holding owes holding tax be approved, with a reason
    (licence officers only)."""
    locked = _lock(application)
    if not _has(officer, (APPROVE,)):
        raise ValidationError(_("Only a licence officer can approve despite holding-tax "
                                "dues."), code="forbidden")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for approving despite the dues."),
                              code="no_reason")
    if locked.status not in (S.SUBMITTED, S.INSPECTION, S.APPROVAL):
        raise ValidationError(_("The application is not waiting for a decision."),
                              code="bad_status")
    before = locked.dues_override_reason
    locked.dues_override_reason = reason.strip()
    locked.save(update_fields=["dues_override_reason", "updated_at"])
    audit.record(action="trade_licence.dues_override", obj=locked, actor=officer,
                 reason=reason, before={"dues_override_reason": before},
                 after={"dues_override_reason": locked.dues_override_reason})
    return _sync(locked, application)


def _bill_lines(lines: list[fees.FeeLine]) -> list[LineSpec]:
    return [LineSpec(head=line.head, amount=line.amount,
                     description_bn=HEAD_LABELS.get(line.head, (line.head, ""))[0],
                     description_en=HEAD_LABELS.get(line.head, ("", line.head))[1],
                     explanation=line.rule) for line in lines]


def _bill_period(application: Application) -> str:
    """The bill's period, with the licence it renews (so a clerk finds it by that number)."""
    previous = (_previous_licence(application.business, application.fiscal_year)
                if application.kind == Application.Kind.RENEWAL else None)
    renews = f" (renews {previous.number})" if previous else ""
    return f"FY {application.fiscal_year}{renews}"


@transaction.atomic
def application_issue_bill(*, application: Application, actor,
                           today: date | None = None) -> Application:
    """The licence officer approves: the fee bill is created through payments from the
    year's schedule (each line explains its rule) and the application is billed. An owned
    holding with holding-tax dues stops it unless an officer recorded an override."""
    locked = _lock(application)
    if locked.status != S.APPROVAL:
        raise ValidationError(
            _("The application cannot go from “%(old)s” to “%(new)s”.")
            % {"old": _status_label(locked.status), "new": _status_label(S.BILLED)},
            code="bad_transition")
    if not _has(actor, STEP_PERMISSIONS[(S.APPROVAL, S.BILLED)]):
        raise ValidationError(_("Only a licence officer can approve a trade licence."),
                              code="forbidden")
    business = locked.business
    if business.premises_owned and not locked.dues_override_reason:
        check = holding_check(ward=business.holding_ward, number=business.holding_number)
        if check.has_dues:
            raise ValidationError(
                _("Holding %(holding)s owes holding tax. It must be paid first, or a licence "
                  "officer must record a reason to approve anyway.")
                % {"holding": check.label}, code="holding_dues")
    today = today or timezone.localdate()
    lines = fee_lines(locked, paid_on=today)
    schedule = schedule_for(locked.fiscal_year)
    if locked.kind == Application.Kind.RENEWAL:
        due = max(fees.surcharge_grows_after(today, schedule.renewal_deadline), today)
    else:
        due = today + timedelta(days=NEW_BILL_DAYS)
    bill = bill_create(
        service=SERVICE, subject_type=SUBJECT_TYPE, subject_id=locked.pk,
        lines=_bill_lines(lines), fiscal_year_label=locked.fiscal_year, due_date=due,
        payer=business.trader, payer_name=locked.trader_name_en or locked.trader_name_bn,
        payer_mobile=locked.trader_mobile, ward=business.ward,
        subject_label_bn=f"ট্রেড লাইসেন্স: {business.name_bn or business.name_en}",
        subject_label_en=f"Trade licence: {business.name_en or business.name_bn}",
        period_label=_bill_period(locked), actor=actor)
    locked.bill = bill
    _move(locked, S.BILLED, actor=actor, reason=f"bill {bill.number}", extra_fields=("bill",),
          audit_after={"bill": bill.number, "total": bill.total,
                       "lines": [[line.head, line.amount, line.rule] for line in lines]},
          amount=bill.total, bill=bill.number, due=due)
    return _sync(locked, application)


@transaction.atomic
def renewal_bill_refresh(*, application: Application, today: date | None = None) -> Bill | None:
    """A late renewal's bill grows by itself: once its due date (the end of the month the
    surcharge was computed for) has passed, the open bill is superseded by one with this
    month's surcharge. Money paid on the old bill meanwhile becomes a credit, never lost.
    Returns the new bill, or None when nothing changed."""
    today = today or timezone.localdate()
    locked = _lock(application)
    bill = locked.bill
    if (locked.status != S.BILLED or locked.kind != Application.Kind.RENEWAL or bill is None
            or bill.status != Bill.Status.OPEN or bill.due_date >= today):
        return None
    lines = fee_lines(locked, paid_on=today)
    schedule = schedule_for(locked.fiscal_year)
    due = max(fees.surcharge_grows_after(today, schedule.renewal_deadline), today)
    new = bill_supersede(bill=bill, lines=_bill_lines(lines), due_date=due,
                         reason="late renewal: surcharge for this month")
    locked.bill = new
    locked.save(update_fields=["bill", "updated_at"])
    audit.record(action="trade_licence.bill_refreshed", obj=locked,
                 before={"bill": bill.number, "total": bill.total},
                 after={"bill": new.number, "total": new.total})
    notify_trader(locked, "billed", amount=new.total, bill=new.number, due=due)
    _sync(locked, application)
    return new


def refresh_late_renewal_bills(today: date | None = None) -> int:
    """Beat: every late renewal bill whose month has passed gets this month's surcharge."""
    today = today or timezone.localdate()
    stale = Application.objects.filter(status=S.BILLED, kind=Application.Kind.RENEWAL,
                                       bill__status=Bill.Status.OPEN, bill__due_date__lt=today)
    return sum(1 for a in stale.iterator() if renewal_bill_refresh(application=a, today=today))


# --- licences ----------------------------------------------------------------------------------


@transaction.atomic
def licence_issue(*, application: Application, bill: Bill | None = None,
                  actor=None) -> Licence:
    """Issue the licence of a paid application: the year's next number
    (`<city code>/TL/<FY>/<6 digits>`), a verification code, valid to 30 June of its fiscal
    year. A transfer's licence replaces the year's current one."""
    locked = _lock(application)
    if locked.status != S.PAID:
        raise ValidationError(_("A licence is issued only for a paid application."),
                              code="not_paid")
    fy = locked.fiscal_year
    replaced: list[Licence] = []
    if locked.kind == Application.Kind.TRANSFER:
        replaced = list(Licence.objects.select_for_update().filter(
            business=locked.business, fiscal_year=fy, is_current=True))
        Licence.objects.filter(pk__in=[r.pk for r in replaced]).update(is_current=False)
    sequence = next_in_year(LicenceCounter, fy)
    licence = Licence.objects.create(
        business=locked.business, application=locked, fiscal_year=fy, sequence=sequence,
        number=f"{CityProfile.current().code}/TL/{fy}/{sequence:06d}",
        verify_code=secrets.token_hex(8), valid_until=fiscal_year_bounds(fy)[1],
        bill=bill or locked.bill, issued_by=actor)
    audit.record(action="trade_licence.licence_issued", obj=licence, actor=actor,
                 after=audit.snapshot(licence, ["business_id", "application_id", "number",
                                                "valid_until", "bill_id"]))
    for old in replaced:
        audit.record(action="trade_licence.replaced", obj=old, actor=actor,
                     before={"is_current": True},
                     after={"is_current": False, "replaced_by": licence.number})
    _move(locked, S.ISSUED, actor=actor, reason=licence.number,
          audit_after={"licence": licence.number}, number=licence.number,
          valid_until=licence.valid_until)
    # The worker renders the certificate PDF once the licence is committed.
    transaction.on_commit(lambda: tasks.render_certificate_pdf.delay(licence.pk), robust=True)
    return licence


def application_for_bill(bill: Bill) -> Application | None:
    if bill.service != SERVICE or bill.subject_type != SUBJECT_TYPE:
        return None
    return Application.objects.filter(pk=bill.subject_id).first()


def on_bill_paid(bill: Bill) -> None:
    """Registry hook, inside the settlement's transaction: billed → paid → licence issued.
    (No separate "paid" SMS: the "issued" one says the fee was received.)"""
    application = application_for_bill(bill)
    if application is None:
        return
    locked = _lock(application)
    withdrawn = Licence.objects.filter(application=locked, is_current=False).exclude(
        withdrawn_reason="")
    if locked.status == S.ISSUED and withdrawn.exists():
        # Paid again after a void: the licence is valid again.
        for licence in withdrawn:
            licence.is_current, licence.withdrawn_reason = True, ""
            licence.save(update_fields=["is_current", "withdrawn_reason"])
            audit.record(action="trade_licence.reinstated", obj=licence,
                         after={"bill": bill.number})
        return
    if locked.status != S.BILLED:
        audit.record(action="trade_licence.bill_paid_late", obj=locked,
                     after={"bill": bill.number, "status": locked.status})
        return
    locked.bill = bill
    _move(locked, S.PAID, actor=None, reason=f"bill {bill.number} paid",
          extra_fields=("bill",), notify=None)
    licence_issue(application=locked, bill=bill)


def on_bill_cancelled(bill: Bill) -> None:
    """Registry hook: a cancelled fee bill sends the application back to approval."""
    application = application_for_bill(bill)
    if application is None:
        return
    locked = _lock(application)
    if locked.status == S.BILLED and locked.bill_id == bill.pk:
        locked.bill = None
        _move(locked, S.APPROVAL, actor=None, reason=f"bill {bill.number} cancelled",
              extra_fields=("bill",), notify="bill_cancelled")


def on_bill_reopened(bill: Bill) -> None:
    """Registry hook: a revenue officer voided the payment of a licence's fee bill, so the
    licence it paid for is withdrawn (verify and search say so) until the bill is paid."""
    application = application_for_bill(bill)
    if application is None:
        return
    for licence in Licence.objects.filter(application=application, is_current=True):
        licence.is_current = False
        licence.withdrawn_reason = f"the payment of bill {bill.number} was voided"
        licence.save(update_fields=["is_current", "withdrawn_reason"])
        audit.record(action="trade_licence.withdrawn", obj=licence,
                     before={"is_current": True},
                     after={"is_current": False, "reason": licence.withdrawn_reason})
