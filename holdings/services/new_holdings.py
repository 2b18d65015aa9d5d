"""Applications for a new holding number: a citizen applies with the premises (ward, road,
mahalla, use) and the owner; an assessor gives the number — the next free whole number in
the ward is suggested — and the holding is registered with that owner, linked to the
applicant's account when the applicant is the owner; or rejects with a reason. The
applicant hears of it by SMS."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import IntegerField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.digits import localize_digits
from core.models import Ward
from core.places import ward_by_number
from core.reminders import language_of
from core.status import check_transition
from core.validators import normalize_mobile, normalize_nid

from ..models import Holding, HoldingApplication, Use

SMS_KIND = "holding_number"

DECIDED_TEXTS = {
    HoldingApplication.Status.APPROVED: gettext_lazy(
        "Your application for a holding number is approved: holding %(number)s, ward "
        "%(ward)s. It appears under My holdings on the portal."
    ),
    HoldingApplication.Status.REJECTED: gettext_lazy(
        "Your application for a holding number in ward %(ward)s was not approved: %(reason)s"
    ),
}


def holding_application_file(
    *,
    applicant,
    ward,
    road: str,
    mahalla: str = "",
    use: str,
    owner_name_bn: str = "",
    owner_name_en: str = "",
    owner_nid: str,
    owner_mobile: str,
    deed_number: str = "",
) -> HoldingApplication:
    """Record an application (NID and mobile normalised; Bengali digits accepted)."""
    ward = ward if isinstance(ward, Ward) else ward_by_number(ward)
    if use not in Use.values:
        raise ValidationError(_("Choose the use of the premises."), code="invalid_use")
    if not (road or "").strip():
        raise ValidationError(_("Enter the road of the premises."), code="no_road")
    if not ((owner_name_bn or "").strip() or (owner_name_en or "").strip()):
        raise ValidationError(_("Enter the owner's name."), code="no_owner")
    application = HoldingApplication.objects.create(
        applicant=applicant,
        ward=ward,
        road=road.strip(),
        mahalla=(mahalla or "").strip(),
        use=use,
        owner_name_bn=(owner_name_bn or "").strip(),
        owner_name_en=(owner_name_en or "").strip(),
        owner_nid=normalize_nid(owner_nid),
        owner_mobile=normalize_mobile(owner_mobile),
        deed_number=(deed_number or "").strip()[:60],
    )
    audit.record(
        action="holding.number_applied",
        obj=application,
        actor=applicant,
        after=audit.snapshot(application),
    )
    return application


def suggested_number(ward: Ward) -> str:
    """The next whole number after the highest all-digit holding number in the ward."""
    highest = (
        Holding.objects.filter(ward=ward, number__regex=r"^[0-9]{1,9}$")
        .annotate(n=Cast("number", IntegerField()))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return str((highest or 0) + 1)


@transaction.atomic
def holding_application_decide(
    *, application: HoldingApplication, assessor, approve: bool, reason: str, number: str = ""
) -> HoldingApplication:
    """Approve with the holding's number (registering the holding and its owner) or reject."""
    from . import holding_create, owner_add

    if not assessor.has_perm("accounts.assess_holdings"):
        raise ValidationError(_("Only an assessor gives holding numbers."), code="forbidden")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the decision."), code="no_reason")
    locked = (
        HoldingApplication.objects.select_for_update().select_related("ward").get(pk=application.pk)
    )
    decision = HoldingApplication.Status.APPROVED if approve else HoldingApplication.Status.REJECTED
    check_transition(
        HoldingApplication.TRANSITIONS,
        locked.status,
        decision,
        choices=HoldingApplication.Status,
        message=gettext_lazy("This application is already decided."),
        error=partial(ValidationError, code="decided"),
    )
    if approve:
        if not (number or "").strip():
            raise ValidationError(_("Enter the holding number to give."), code="no_number")
        holding = holding_create(
            ward=locked.ward,
            number=number,
            use=locked.use,
            road=locked.road,
            mahalla=locked.mahalla,
            actor=assessor,
        )
        owner = owner_add(
            holding=holding,
            name_bn=locked.owner_name_bn,
            name_en=locked.owner_name_en,
            nid=locked.owner_nid,
            mobile=locked.owner_mobile,
        )
        if getattr(locked.applicant, "mobile", "") == locked.owner_mobile:
            owner.user = locked.applicant
            owner.save(update_fields=["user"])
        locked.holding = holding
    locked.status = decision
    locked.decided_by, locked.decision_reason = assessor, reason.strip()
    locked.decided_at = timezone.now()
    locked.save()
    audit.record(
        action="holding.number_decided",
        obj=locked,
        actor=assessor,
        reason=reason,
        before={"status": HoldingApplication.Status.SUBMITTED},
        after={"status": decision, "holding": locked.holding_id},
    )
    transaction.on_commit(lambda: _tell_applicant(locked), robust=True)
    return locked


def _tell_applicant(application: HoldingApplication) -> None:
    from accounts.sms import send_sms

    lang = language_of(application.applicant)
    mobile = getattr(application.applicant, "mobile", "") or application.owner_mobile
    with translation.override(lang):
        text = str(DECIDED_TEXTS[HoldingApplication.Status(application.status)]) % {
            "number": localize_digits(application.holding.number if application.holding else ""),
            "ward": localize_digits(application.ward.number),
            "reason": application.decision_reason,
        }
    send_sms(mobile, text, kind=SMS_KIND)
