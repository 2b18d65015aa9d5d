"""What every trade-licence service shares: the workflow's permissions and field lists,
the row lock, the one place an application changes status (_move), and the cleaning
of trader and business details. Private to the services package."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.models import Ward
from core.money import to_money
from core.places import normalize_holding_number, ward_by_number
from core.status import check_transition
from core.validators import normalize_mobile, normalize_nid, normalize_tin

from .. import fees
from ..models import Application, ApplicationEvent, Business
from ..notify import notify_trader
from ..selectors import previous_licence

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

TRADER_FIELDS = (
    "trader_name_bn",
    "trader_name_en",
    "trader_nid",
    "trader_mobile",
    "trader_tin",
    "trader_father_or_husband_name",
    "trader_mother_name",
    "trader_present_address",
    "trader_permanent_address",
)
#: Particulars printed on the licence, free text (stripped of surrounding spaces).
TRADER_TEXT_FIELDS = (
    "trader_name_bn",
    "trader_name_en",
    "trader_father_or_husband_name",
    "trader_mother_name",
    "trader_present_address",
    "trader_permanent_address",
)
BUSINESS_FIELDS = (
    "name_bn",
    "name_en",
    "category_code",
    "paid_up_capital",
    "premises_address",
    "ward",
    "premises_owned",
    "holding_ward",
    "holding_number",
    "signboard_sqft",
)
SNAPSHOT_FIELDS = Application.SNAPSHOT_FIELDS
NEW_BILL_DAYS = 15  # a new licence's bill is due this many days after it is issued


# --- helpers ---------------------------------------------------------------------------


def _has(actor, perms: Iterable[str]) -> bool:
    return actor is not None and any(actor.has_perm(p) for p in perms)


def _may_file(actor, business: Business) -> bool:
    return actor is not None and (
        (business.trader_id is not None and actor.pk == business.trader_id)
        or actor.has_perm(COUNTER)
    )


def _require_filer(actor, business: Business) -> None:
    if not _may_file(actor, business):
        raise ValidationError(
            _(
                "Only the trader, or a counter clerk on the trader's behalf, "
                "can change this application."
            ),
            code="forbidden",
        )


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("business").get(pk=application.pk)


def _sync(source: Application, target: Application) -> Application:
    """Bring the caller's instance up to date with the saved one."""
    if target is not source:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source


#: Refused moves (core.status.check_transition fills in the two statuses' labels).
BAD_TRANSITION = gettext_lazy("The application cannot go from “%(old)s” to “%(new)s”.")


def _check_move(before: str, to: str) -> None:
    """Refuse (ValidationError "bad_transition") a move Application.TRANSITIONS does not
    allow."""
    check_transition(Application.TRANSITIONS, before, to, choices=S, message=BAD_TRANSITION)


def _move(
    application: Application,
    to: str,
    *,
    actor,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
    audit_after: dict | None = None,
    notify: str | None = "",
    **sms,
) -> Application:
    """The one place an application changes status (the caller holds the row lock)."""
    before = application.status
    _check_move(before, to)
    application.status = to
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at", "updated_at", *extra_fields])
    ApplicationEvent.objects.create(
        application=application, from_status=before, to_status=to, actor=actor, reason=reason
    )
    audit.record(
        action=f"trade_licence.{to}",
        obj=application,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": to, **(audit_after or {})},
    )
    key = to if notify == "" else notify
    if key:
        notify_trader(application, key, reason=reason, **sms)
    return application


def _clean_trader(values: dict) -> dict:
    cleaned = dict(values)
    for field, normalize in (
        ("trader_nid", normalize_nid),
        ("trader_mobile", normalize_mobile),
        ("trader_tin", normalize_tin),
    ):
        if cleaned.get(field):
            cleaned[field] = normalize(cleaned[field])
    for field in TRADER_TEXT_FIELDS:
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    return cleaned


def _clean_business(values: dict) -> dict:
    cleaned = dict(values)
    if "ward" in cleaned and not isinstance(cleaned["ward"], Ward):
        cleaned["ward"] = ward_by_number(cleaned["ward"])
    if cleaned.get("holding_number"):
        cleaned["holding_number"] = normalize_holding_number(cleaned["holding_number"])
    if cleaned.get("holding_ward") not in (None, ""):
        cleaned["holding_ward"] = str(cleaned["holding_ward"]).strip()
    for field in ("signboard_sqft", "paid_up_capital"):
        if cleaned.get(field) not in (None, ""):
            raw = cleaned[field]
            too_large = ValidationError(_("That number is too large; check it."), code="too_large")
            try:
                value = to_money(str(raw) if isinstance(raw, float) else raw)
            except ValueError as exc:
                if "too large" in str(exc):
                    raise too_large from None
                value = Decimal("-1")
            except TypeError:
                value = Decimal("-1")
            if value < 0:
                raise ValidationError(
                    _("Enter a number that is not negative."), code="negative_number"
                )
            if value >= (Decimal("1e6") if field == "signboard_sqft" else Decimal("1e12")):
                raise too_large
            cleaned[field] = value
        elif field in cleaned:
            cleaned[field] = Decimal("0") if field == "signboard_sqft" else None
    return cleaned


# The licence an application renews (selectors.previous_licence), as the services call it.
_previous_licence = previous_licence
