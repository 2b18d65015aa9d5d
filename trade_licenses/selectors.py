"""Reads for trade licences: what an application still needs, the licence a business
renews from, the trader's overview (a fixed number of queries however many businesses),
and the licence look-ups of the public search and /verify/."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from core.fiscal import current_fiscal_year

from .models import (
    Application,
    ApplicationDocument,
    Business,
    BusinessCategory,
    DocumentKind,
    Licence,
)

S = Application.Status
_LOOKUP = object()  # "look the category up" (the default of required_documents)

INSPECT_PERMISSION = "accounts.inspect_trade_licences"
APPROVE_PERMISSION = "accounts.approve_trade_licences"


def in_inspection_queue(application: Application) -> bool:
    return application.status == S.INSPECTION or (
        application.status == S.SUBMITTED and application.needs_inspection
    )


def documents_visible_to(user, application: Application) -> bool:
    """Who may open an application's documents (NID and TIN scans, agreements, photos):
    its trader; the clerk who filed it; an inspector while it is in the inspection queue, or
    the inspector who inspected it; a licence officer once it is submitted (the decision and
    every later step are theirs). Nobody else — other clerks included."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    trader_id = application.business.trader_id
    if trader_id is not None and user.pk == trader_id:
        return True
    if application.filed_by_id == user.pk:
        return True
    if application.status != S.DRAFT and user.has_perm(APPROVE_PERMISSION):
        return True
    if user.has_perm(INSPECT_PERMISSION):
        if in_inspection_queue(application):
            return True
        return application.inspections.filter(inspector=user).exists()
    return False


def applications_of(user):
    return (
        Application.objects.filter(business__trader=user)
        .select_related("business", "business__ward")
        .order_by("-created_at")
    )


# --- documents an application needs ------------------------------------------------------


def _category_of(application: Application) -> BusinessCategory | None:
    return BusinessCategory.objects.filter(
        schedule__fiscal_year=application.fiscal_year, code=application.business.category_code
    ).first()


def required_documents(application: Application, *, category=_LOOKUP) -> list[str]:
    """Document kinds the application must carry before it is submitted.

    New licence and transfer: NID, photo, TIN certificate, the rent agreement (rented) or
    the holding-tax receipt (owned), a transfer deed (transfers); renewal: only what the
    category asks every year. Every kind: the category's documents (clearances, health
    approval, incorporation papers). `category` (the business's category in the
    application's year, or None) saves the look-up when the caller has it."""
    business = application.business
    kinds: list[str] = []
    if application.kind in (Application.Kind.NEW, Application.Kind.TRANSFER):
        kinds += [
            DocumentKind.NID,
            DocumentKind.PHOTO,
            DocumentKind.TIN,
            DocumentKind.HOLDING_TAX_RECEIPT
            if business.premises_owned
            else DocumentKind.RENT_AGREEMENT,
        ]
    if application.kind == Application.Kind.TRANSFER:
        kinds.append(DocumentKind.TRANSFER_DEED)
    if category is _LOOKUP:
        category = _category_of(application)
    if category is not None:
        kinds += [k for k in category.requires_documents if k not in kinds]
    return [str(k) for k in kinds]


def missing_documents(
    application: Application, *, present: set[str] | None = None, category=_LOOKUP
) -> list[str]:
    """Required kinds not uploaded yet (`present`: the kinds uploaded, when known)."""
    if present is None:
        present = set(application.documents.filter(inspection=None).values_list("kind", flat=True))
    return [k for k in required_documents(application, category=category) if k not in present]


# --- renewal ----------------------------------------------------------------------------


def previous_licence(business: Business, fiscal_year: str) -> Licence | None:
    """The licence a renewal for `fiscal_year` renews: the business's latest licence of an
    earlier fiscal year."""
    return (
        Licence.objects.filter(business=business, fiscal_year__lt=fiscal_year)
        .select_related("application")
        .order_by("-fiscal_year", "-pk")
        .first()
    )


def _renewable_from(licences, applications, fy: str) -> Licence | None:
    """The rule of `renewable`, over the business's licences and applications."""
    if any(licence.fiscal_year == fy for licence in licences):
        return None
    if any(
        a.fiscal_year == fy
        and a.kind in (Application.Kind.NEW, Application.Kind.RENEWAL)
        and a.status not in Application.CLOSED_WITHOUT_LICENCE
        for a in applications
    ):
        return None
    earlier = [licence for licence in licences if licence.fiscal_year < fy]
    return max(earlier, key=lambda licence: (licence.fiscal_year, licence.pk), default=None)


def renewable(business: Business, fy: str | None = None) -> Licence | None:
    """The licence the business may renew from now: its latest licence of an earlier
    fiscal year (the one services.licence_renew renews), when it has no licence for this
    year and no live application for this year."""
    fy = fy or current_fiscal_year()
    return _renewable_from(
        list(Licence.objects.filter(business=business)), list(business.applications.all()), fy
    )


# --- the trader's overview -----------------------------------------------------------------


def certificate_url(licence: Licence) -> str:
    """The certificate PDF's address (rendered on demand if the worker has not yet)."""
    return reverse("trade_licenses:certificate_pdf", args=[licence.pk])


def age_days(moment, today=None) -> int:
    """Whole days (by the calendar in Dhaka) from `moment` to today."""
    if not moment:
        return 0
    today = today or timezone.localdate()
    return max((today - timezone.localtime(moment).date()).days, 0)


def application_age(application: Application, today=None) -> int | None:
    """How long an application has been waiting, as the officers count it: from its
    submission (a draft: from when it was started) to today; None once it is decided
    (licence issued or application rejected), whose age no longer grows."""
    if application.status in (Application.Status.ISSUED, Application.Status.REJECTED):
        return None
    return age_days(application.submitted_at or application.created_at, today)


def next_step_url(
    application: Application, *, present: set[str] | None = None, category=_LOOKUP
) -> str:
    """Where "continue" goes for an editable application: documents first, then review."""
    if missing_documents(application, present=present, category=category):
        return reverse("trade_licenses:documents", args=[application.pk])
    return reverse("trade_licenses:application", args=[application.pk])


def overview(user) -> dict:
    """The trader's businesses, applications and licences, with the actions open now."""
    fy = current_fiscal_year()
    applications = list(
        applications_of(user)
        .select_related("bill")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=ApplicationDocument.objects.filter(inspection=None),
                to_attr="own_documents",
            )
        )
    )
    licences = list(
        Licence.objects.filter(business__trader=user)
        .select_related("business")
        .order_by("-fiscal_year", "-pk")
    )
    businesses = list(
        Business.objects.filter(trader=user).select_related("ward").order_by("name_en", "pk")
    )
    editable = [a for a in applications if a.status in Application.EDITABLE]
    categories: dict[tuple[str, str], BusinessCategory] = {}
    if editable:
        for category in BusinessCategory.objects.filter(
            schedule__fiscal_year__in={a.fiscal_year for a in editable},
            code__in={a.business.category_code for a in editable},
        ).select_related("schedule"):
            categories[(category.schedule.fiscal_year, category.code)] = category
    app_rows = []
    today = timezone.localdate()
    for application in applications:
        row = {
            "application": application,
            "age": application_age(application, today),
            "editable": application.status in Application.EDITABLE,
            "billed": application.status == S.BILLED and application.bill_id is not None,
        }
        if row["editable"]:
            row["continue_url"] = next_step_url(
                application,
                present={d.kind for d in application.own_documents},
                category=categories.get(
                    (application.fiscal_year, application.business.category_code)
                ),
            )
        app_rows.append(row)
    licence_rows = [
        {
            "licence": licence,
            "certificate_url": certificate_url(licence),
            "expired": is_expired(licence, today),
        }
        for licence in licences
    ]
    by_business_licences: dict[int, list[Licence]] = {}
    for licence in licences:
        by_business_licences.setdefault(licence.business_id, []).append(licence)
    by_business_apps: dict[int, list[Application]] = {}
    for application in applications:
        by_business_apps.setdefault(application.business_id, []).append(application)
    business_rows: list[dict[str, Any]] = []
    for b in businesses:
        renew_from = _renewable_from(
            by_business_licences.get(b.pk, []), by_business_apps.get(b.pk, []), fy
        )
        business_rows.append(
            {
                "business": b,
                "renew_from": renew_from,
                "expired": renew_from is not None and is_expired(renew_from, today),
            }
        )
    return {
        "fiscal_year": fy,
        "applications": app_rows,
        "licences": licence_rows,
        "businesses": business_rows,
        "awaiting": [r for r in app_rows if r["editable"] or r["billed"]],
        "renewals": [r for r in business_rows if r["renew_from"]],
    }


# --- public look-ups ------------------------------------------------------------------------


def is_expired(licence: Licence, today=None) -> bool:
    """Past 30 June of its fiscal year (মেয়াদোত্তীর্ণ): a licence is valid for its year only,
    so last year's licence is expired — the business is due for renewal, not "renewable"
    on a licence that still runs."""
    return (today or timezone.localdate()) > licence.valid_until


def is_valid(licence: Licence, today=None) -> bool:
    """Current (not replaced by a transfer nor withdrawn) and not past its validity date."""
    return licence.is_current and (today or timezone.localdate()) <= licence.valid_until


def category_names(code: str, fiscal_year: str) -> dict[str, str]:
    """The category's names in that year's schedule (or the latest one that has it)."""
    category = (
        BusinessCategory.objects.filter(code=code, schedule__fiscal_year=fiscal_year).first()
        or BusinessCategory.objects.filter(code=code).order_by("-schedule__fiscal_year").first()
    )
    if category is None:
        return {"bn": code, "en": code}
    return {"bn": category.name_bn or category.name_en, "en": category.name_en or category.name_bn}


def category_labels(pairs) -> dict[tuple[str, str], str]:
    """{(fiscal year, code): the category's name in the active language} for these pairs,
    in one query: the name in that year's schedule, else in the latest schedule that has
    the code, else the code itself."""
    pairs = set(pairs)
    codes = {code for _, code in pairs}
    by_year: dict[tuple[str, str], str] = {}
    latest: dict[str, str] = {}
    for category in (
        BusinessCategory.objects.filter(code__in=codes)
        .select_related("schedule")
        .order_by("schedule__fiscal_year")
    ):
        by_year[(category.schedule.fiscal_year, category.code)] = category.name
        latest[category.code] = category.name
    return {(fy, code): by_year.get((fy, code)) or latest.get(code) or code for fy, code in pairs}


def public_licence(*, verify_code: str | None = None, number: str | None = None) -> dict | None:
    """What the public may know of a licence, found by its /verify/ code or by its
    (normalised) number: the licence and business, the category's names, validity, and
    whether a transfer replaced it or a voided payment withdrew it. None if unknown."""
    qs = Licence.objects.select_related("business__ward", "application")
    if verify_code is not None:
        licence = qs.filter(verify_code=verify_code.strip().lower()).first()
    else:
        licence = qs.filter(number=number).order_by("-is_current", "-pk").first()
    if licence is None:
        return None
    business = licence.business
    return {
        "licence": licence,
        "business": business,
        "category": category_names(licence.application.applied_category_code, licence.fiscal_year),
        "valid": is_valid(licence),
        "expired": is_expired(licence),
        "issued_on": timezone.localtime(licence.issued_at).date(),
        "replaced": not licence.is_current and not licence.withdrawn_reason,
        "withdrawn": bool(licence.withdrawn_reason),
    }
