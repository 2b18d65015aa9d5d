"""Applying: registering a business, starting, changing and submitting a draft (or an
application returned for correction), and renewing in one step."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits
from core.fiscal import current_fiscal_year, fiscal_year_label, parse_fiscal_year
from core.validators import normalize_mobile, normalize_nid, normalize_tin

from .. import fees
from ..models import Application, ApplicationEvent, Business, DocumentKind, Licence
from ..selectors import missing_documents
from ._common import (
    BUSINESS_FIELDS,
    COUNTER,
    SNAPSHOT_FIELDS,
    TRADER_FIELDS,
    S,
    _clean_business,
    _clean_trader,
    _lock,
    _move,
    _previous_licence,
    _require_filer,
    _sync,
)
from .reads import category_for, holding_check


@transaction.atomic
def business_create(
    *,
    actor,
    name_bn: str,
    category_code: str,
    premises_address: str,
    ward,
    trader=None,
    name_en: str = "",
    paid_up_capital=None,
    premises_owned: bool = False,
    holding_ward: str = "",
    holding_number: str = "",
    signboard_sqft=0,
) -> Business:
    """Register a business (by its trader, or by a counter clerk for a trader)."""
    if actor is None or not (
        (trader is not None and actor.pk == trader.pk) or actor.has_perm(COUNTER)
    ):
        raise ValidationError(
            _(
                "Only the trader, or a counter clerk on the trader's behalf, "
                "can register a business."
            ),
            code="forbidden",
        )
    if not name_bn.strip() and not name_en.strip():
        raise ValidationError(_("Enter the business's name."), code="no_name")
    values = _clean_business(
        {
            "name_bn": name_bn.strip(),
            "name_en": name_en.strip(),
            "category_code": category_code,
            "paid_up_capital": paid_up_capital,
            "premises_address": premises_address.strip(),
            "ward": ward,
            "premises_owned": premises_owned,
            "holding_ward": holding_ward,
            "holding_number": holding_number,
            "signboard_sqft": signboard_sqft,
        }
    )
    category_for(current_fiscal_year(), values["category_code"])
    business = Business.objects.create(trader=trader, **values)
    audit.record(
        action="trade_licence.business_created",
        obj=business,
        actor=actor,
        after=audit.snapshot(business),
    )
    return business


@transaction.atomic
def application_create_draft(
    *,
    business: Business,
    filed_by,
    fiscal_year: str | None = None,
    kind: str = Application.Kind.NEW,
    **trader,
) -> Application:
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
        raise ValidationError(
            _("This business has no earlier licence to renew; apply for a new licence."),
            code="nothing_to_renew",
        )
    if (
        kind == Application.Kind.TRANSFER
        and not Licence.objects.filter(business=business, fiscal_year=fy, is_current=True).exists()
    ):
        raise ValidationError(
            _("A transfer needs this year's licence first."), code="nothing_to_transfer"
        )
    user = business.trader
    defaults = {
        "trader_name_bn": getattr(user, "name_bn", "") or "",
        "trader_name_en": getattr(user, "name_en", "") or "",
        "trader_nid": getattr(user, "nid", "") or "",
        "trader_mobile": getattr(user, "mobile", "") or "",
        "trader_tin": "",
    }
    values = _clean_trader({**defaults, **{k: v for k, v in trader.items() if v}})
    on_behalf = user is None or filed_by.pk != user.pk
    try:
        with transaction.atomic():
            application = Application.objects.create(
                business=business,
                fiscal_year=fy,
                kind=kind,
                filed_by=filed_by,
                on_behalf=on_behalf,
                **values,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(business)s already has an application for FY %(fy)s. Resume that one instead.")
            % {"business": business.name, "fy": fiscal_year_label(fy)},
            code="duplicate_application",
        ) from None
    ApplicationEvent.objects.create(
        application=application,
        from_status="",
        to_status=S.DRAFT,
        actor=filed_by,
        reason="filed on the trader's behalf" if on_behalf else "",
    )
    audit.record(
        action="trade_licence.draft_created",
        obj=application,
        actor=filed_by,
        after=audit.snapshot(
            application, ["business_id", "fiscal_year", "kind", "on_behalf", *TRADER_FIELDS]
        ),
    )
    return application


@transaction.atomic
def application_start(
    *, actor, business_values: dict, trader_values: dict, trader=None, on_behalf: bool = False
) -> Application:
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
            name_en=trader_values.get("trader_name_en", ""),
            actor=actor,
        )
    business = business_create(actor=actor, trader=trader, **business_values)
    return application_create_draft(business=business, filed_by=actor, **trader_values)


@transaction.atomic
def _business_attnames() -> list[str]:
    """The column names of BUSINESS_FIELDS, in that order (what the audit snapshot reads)."""
    attnames = {f.name: f.attname for f in Business._meta.concrete_fields}
    return [attnames[name] for name in BUSINESS_FIELDS]


def application_update_draft(*, application: Application, actor, **changes) -> Application:
    """Change a draft (or an application returned for correction): the trader's details
    (TRADER_FIELDS) and the business's (BUSINESS_FIELDS)."""
    unknown = set(changes) - set(TRADER_FIELDS) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    locked = _lock(application)
    _require_filer(actor, locked.business)
    if locked.status not in Application.EDITABLE:
        raise ValidationError(
            _("Only a draft or an application returned for correction can be changed."),
            code="not_editable",
        )
    trader = _clean_trader({k: v for k, v in changes.items() if k in TRADER_FIELDS})
    biz = _clean_business({k: v for k, v in changes.items() if k in BUSINESS_FIELDS})
    if "category_code" in biz:
        category_for(locked.fiscal_year, biz["category_code"])
    business = locked.business
    before = {
        **audit.snapshot(locked, TRADER_FIELDS),
        **audit.snapshot(business, _business_attnames()),
    }
    for field, value in trader.items():
        setattr(locked, field, value)
    for field, value in biz.items():
        setattr(business, field, value)
    if trader:
        locked.save(update_fields=[*trader, "updated_at"])
    if biz:
        business.save(update_fields=[*biz, "updated_at"])
    after = {
        **audit.snapshot(locked, TRADER_FIELDS),
        **audit.snapshot(business, _business_attnames()),
    }
    before, after = audit.changed(before, after)
    if after:
        audit.record(
            action="trade_licence.draft_updated",
            obj=locked,
            actor=actor,
            before=before,
            after=after,
        )
    return _sync(locked, application)


def _submission_problems(application: Application) -> list[str]:
    """Everything that stops the application being submitted, as messages."""
    problems: list[str] = []
    business = application.business
    if not (application.trader_name_bn or application.trader_name_en):
        problems.append(_("Enter the trader's name."))
    for field, normalize in (
        ("trader_nid", normalize_nid),
        ("trader_mobile", normalize_mobile),
        ("trader_tin", normalize_tin),
    ):
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
        problems.append(
            _("The category “%(name)s” is closed for new applications.") % {"name": category.name}
        )
    if category is not None and category.by_capital:
        if business.paid_up_capital is None:
            problems.append(_("Enter the company's paid-up capital."))
        else:
            try:
                fees.licence_fee(
                    fees.CategoryRates.from_category(category),
                    fiscal_year=application.fiscal_year,
                    paid_up_capital=business.paid_up_capital,
                )
            except fees.FeeError:
                problems.append(
                    _("No fee is set for a paid-up capital of %(capital)s.")
                    % {"capital": localize_digits(str(business.paid_up_capital))}
                )
    if business.premises_owned:
        if not (business.holding_ward and business.holding_number):
            problems.append(_("For owned premises, enter the holding's ward and number."))
        elif not holding_check(ward=business.holding_ward, number=business.holding_number).found:
            problems.append(
                _("No holding %(number)s is registered in ward %(ward)s.")
                % {
                    "number": localize_digits(business.holding_number),
                    "ward": localize_digits(business.holding_ward),
                }
            )
    missing = missing_documents(application)
    if missing:
        problems.append(
            _("Upload these documents first: %(documents)s.")
            % {"documents": ", ".join(str(DocumentKind(k).label) for k in missing)}
        )
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
        raise ValidationError(_("This application is already submitted."), code="already_submitted")
    problems = _submission_problems(locked)
    if problems:
        raise ValidationError(problems, code="incomplete")
    business = locked.business
    for field in SNAPSHOT_FIELDS:
        setattr(locked, field, getattr(business, field))
    locked.needs_inspection = locked.kind != Application.Kind.RENEWAL or _details_changed(locked)
    locked.submitted_at = timezone.now()
    locked.decision_reason = ""
    try:
        with transaction.atomic():
            _move(
                locked,
                S.SUBMITTED,
                actor=actor,
                reason="resubmitted" if locked.status == S.RETURNED else "",
                extra_fields=(
                    *SNAPSHOT_FIELDS,
                    "needs_inspection",
                    "submitted_at",
                    "decision_reason",
                ),
                audit_after={"needs_inspection": locked.needs_inspection},
            )
    except IntegrityError:
        raise ValidationError(
            _("%(business)s already has another application for FY %(fy)s.")
            % {"business": business.name, "fy": fiscal_year_label(locked.fiscal_year)},
            code="duplicate_application",
        ) from None
    return _sync(locked, application)


# The trader's particulars the rules require on every application, and how each is checked:
# a renewal asks for those the licence being renewed lacks (an imported or older record).
RENEWAL_PARTICULARS = (
    ("trader_nid", normalize_nid),
    ("trader_mobile", normalize_mobile),
    ("trader_tin", normalize_tin),
)


def renewal_particulars(business: Business, fiscal_year: str | None = None) -> dict:
    """The trader's particulars a renewal starts from: those of the licence being renewed,
    each filled from the trader's account when the old record lacks it (name, NID, mobile;
    never the e-TIN, which only the trader can give)."""
    fy = parse_fiscal_year(fiscal_year or current_fiscal_year())
    previous = _previous_licence(business, fy)
    old = previous.application if previous is not None else None
    values = {f: (getattr(old, f) or "") if old is not None else "" for f in TRADER_FIELDS}
    user = business.trader
    for field, attr in (
        ("trader_name_bn", "name_bn"),
        ("trader_name_en", "name_en"),
        ("trader_nid", "nid"),
        ("trader_mobile", "mobile"),
    ):
        if not values[field]:
            values[field] = getattr(user, attr, "") or ""
    return values


def renewal_missing_particulars(business: Business, fiscal_year: str | None = None) -> list[str]:
    """The trader's particulars (TRADER_FIELDS names) the renewal must ask for: required
    by the rules (application_submit checks them) and missing or invalid in
    `renewal_particulars` — e.g. the 12-digit e-TIN of a licence imported without one."""
    values = renewal_particulars(business, fiscal_year)
    missing = []
    if not (values["trader_name_bn"] or values["trader_name_en"]):
        missing.append("trader_name_bn")
    for field, normalize in RENEWAL_PARTICULARS:
        try:
            normalize(values[field])
        except ValidationError:
            missing.append(field)
    return missing


@transaction.atomic
def licence_renew(
    *, business: Business, actor, fiscal_year: str | None = None, **particulars
) -> tuple[Application, bool]:
    """Renew for the year in one step: a renewal draft with the trader's details from the
    licence being renewed (`renewal_particulars`) and the `particulars` the trader gave for
    what the old record lacks (TRADER_FIELDS, e.g. trader_tin), submitted at once — unless
    the category asks for documents every year, when the draft is kept for them. Returns
    (application, needs_documents)."""
    unknown = set(particulars) - set(TRADER_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    fy = parse_fiscal_year(fiscal_year or current_fiscal_year())
    trader = {**renewal_particulars(business, fy), **{k: v for k, v in particulars.items() if v}}
    renewal = application_create_draft(
        business=business, filed_by=actor, fiscal_year=fy, kind=Application.Kind.RENEWAL, **trader
    )
    if missing_documents(renewal):
        return renewal, True
    application_submit(application=renewal, actor=actor)
    return renewal, False
