"""Mutation (নামজারি): recording a holding's new owners from a registered deed.

An owner applies (or a counter clerk for them) with the deed's number and date and the
owners it names; the year's mutation fee is billed through payments' one bill path
(due "mutation:<pk>"); when the bill is paid (registry_hooks.on_paid) the application
waits for an assessor, who approves it — the holding's owners are replaced by the deed's,
the old ones kept on the mutation — or rejects it with a reason. One open mutation per
holding at a time (a database constraint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import audit
from core import explain as why
from core.digits import localize_digits, to_bengali_digits
from core.fiscal import fiscal_year
from core.status import check_transition
from core.validators import normalize_mobile, normalize_nid
from payments.services import LineSpec, bill_issue

from ..defaults import ensure_schedule
from ..models import Holding, Mutation, Owner

FEE_DAYS = 30  # the mutation fee's bill falls due this many days after applying
SUBJECT_TYPE = "mutation"


@dataclass(frozen=True)
class NewOwner:
    name_bn: str
    name_en: str
    nid: str
    mobile: str
    share_percent: Decimal


def _may_file(user, holding: Holding) -> bool:
    return holding.owners.filter(user=user).exists() or user.has_perm("accounts.use_counter")


def _checked_owners(owners: list[NewOwner]) -> list[dict]:
    """The deed's owners as stored: names, NID and mobile normalised (Bengali digits
    accepted), shares adding up to 100%."""
    if not owners:
        raise ValidationError(_("Name at least one owner from the deed."), code="no_owner")
    rows = []
    for n, owner in enumerate(owners, start=1):
        if not (owner.name_bn.strip() or owner.name_en.strip()):
            raise ValidationError(
                _("Owner %(n)s: enter the name as on the deed.") % {"n": localize_digits(n)},
                code="owner_name",
            )
        try:
            nid = normalize_nid(owner.nid)
            mobile = normalize_mobile(owner.mobile) if str(owner.mobile or "").strip() else ""
        except ValidationError as exc:
            raise ValidationError(
                _("Owner %(n)s: %(error)s") % {"n": localize_digits(n), "error": exc.messages[0]},
                code=exc.code,
            ) from None
        share = Decimal(owner.share_percent)
        if not Decimal("0") < share <= Decimal("100"):
            raise ValidationError(
                _("Owner %(n)s: a share is more than 0%% and at most 100%%.")
                % {"n": localize_digits(n)},
                code="owner_share",
            )
        rows.append(
            {
                "name_bn": owner.name_bn.strip(),
                "name_en": owner.name_en.strip(),
                "nid": nid,
                "mobile": mobile,
                "share_percent": str(share),
            }
        )
    total = sum((Decimal(r["share_percent"]) for r in rows), Decimal("0"))
    if total != Decimal("100"):
        raise ValidationError(
            _("The owners' shares add up to %(total)s%%; they must add up to 100%%.")
            % {"total": localize_digits(f"{total.normalize():f}")},
            code="shares_not_100",
        )
    return rows


@transaction.atomic
def mutation_apply(
    *,
    holding: Holding,
    applicant,
    deed_number: str,
    deed_date: date,
    owners: list[NewOwner],
    today: date | None = None,
) -> Mutation:
    """Apply for the holding's mutation and bill the fee (the bill is on .bill)."""
    today = today or timezone.localdate()
    if not _may_file(applicant, holding):
        raise ValidationError(
            _("Only an owner of the holding, or the counter, can apply for its mutation."),
            code="forbidden",
        )
    deed_number = (deed_number or "").strip()
    if not deed_number:
        raise ValidationError(_("Enter the deed's number."), code="no_deed")
    if deed_date > today:
        raise ValidationError(_("The deed's date cannot be in the future."), code="future_deed")
    rows = _checked_owners(owners)
    fy = fiscal_year(today)
    fee = ensure_schedule(fy).mutation_fee
    try:
        with transaction.atomic():
            mutation = Mutation.objects.create(
                holding=holding,
                applicant=applicant,
                deed_number=deed_number[:60],
                deed_date=deed_date,
                new_owners=rows,
                fee=fee,
            )
    except IntegrityError:
        raise ValidationError(
            _("A mutation of this holding is already in progress."), code="already_open"
        ) from None
    label = f"{holding.ward.number}/{holding.number}"
    rule = why.because(
        gettext_noop("FY %(fy)s schedule: mutation fee %(fee)s"), fy=why.fy(fy), fee=why.taka(fee)
    )
    mutation.bill = bill_issue(
        service="holdings",
        subject_type=SUBJECT_TYPE,
        subject_id=mutation.pk,
        dues=[f"mutation:{mutation.pk}"],
        lines=[
            LineSpec(
                head="mutation_fee",
                amount=fee,
                description_bn=f"নামজারি ফি {to_bengali_digits(fy)}",
                description_en=f"Mutation fee FY {fy}",
                explanation=why.explain(rule, "en"),
                explanation_data=[rule],
                period=fy,
            )
        ],
        fiscal_year_label=fy,
        due_date=today + timedelta(days=FEE_DAYS),
        payer=applicant,
        ward=holding.ward,
        subject_label_bn=f"নামজারি, হোল্ডিং {to_bengali_digits(label)}",
        subject_label_en=f"Mutation, holding {label}",
        period_label=f"deed {deed_number}",
        period_label_bn=f"দলিল {to_bengali_digits(deed_number)}",
        actor=applicant,
    )
    mutation.save(update_fields=["bill"])
    audit.record(
        action="holding.mutation_applied",
        obj=mutation,
        actor=applicant,
        after={"deed_number": deed_number, "deed_date": deed_date, "owners": rows, "fee": fee},
    )
    return mutation


def _owners_snapshot(holding: Holding) -> list[dict]:
    fields = ["name_bn", "name_en", "nid", "mobile", "share_percent"]
    return [audit.snapshot(owner, fields) for owner in holding.owners.order_by("pk")]


@transaction.atomic
def mutation_decide(*, mutation: Mutation, assessor, approve: bool, reason: str) -> Mutation:
    """An assessor approves (the owners become the deed's) or rejects, with a reason,
    a mutation whose fee is paid."""
    if not assessor.has_perm("accounts.assess_holdings"):
        raise ValidationError(_("Only an assessor decides a mutation."), code="forbidden")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the decision."), code="no_reason")
    locked = Mutation.objects.select_for_update().select_related("holding").get(pk=mutation.pk)
    if locked.status == Mutation.Status.FEE_DUE:
        raise ValidationError(
            _("The mutation fee is not paid yet; decide after it is."), code="fee_due"
        )
    decision = Mutation.Status.APPROVED if approve else Mutation.Status.REJECTED
    check_transition(
        Mutation.TRANSITIONS,
        locked.status,
        decision,
        choices=Mutation.Status,
        message=gettext_lazy("This mutation is already decided."),
        error=partial(ValidationError, code="decided"),
    )
    holding = locked.holding
    if approve:
        locked.previous_owners = _owners_snapshot(holding)
        holding.owners.all().delete()
        Owner.objects.bulk_create(
            Owner(
                holding=holding,
                name_bn=row["name_bn"],
                name_en=row["name_en"],
                nid=row["nid"],
                mobile=row["mobile"],
                share_percent=Decimal(row["share_percent"]),
            )
            for row in locked.new_owners
        )
    locked.status = decision
    locked.decided_by, locked.decision_reason = assessor, reason.strip()
    locked.decided_at = timezone.now()
    locked.save()
    audit.record(
        action="holding.mutation_decided",
        obj=locked,
        actor=assessor,
        reason=reason,
        before={"status": Mutation.Status.SUBMITTED, "owners": locked.previous_owners or None},
        after={"status": decision, "owners": locked.new_owners if approve else None},
    )
    return locked


def on_fee_paid(bill) -> None:
    """payments: the mutation fee's bill is paid — the application goes to the assessor."""
    Mutation.objects.filter(bill=bill, status=Mutation.Status.FEE_DUE).update(
        status=Mutation.Status.SUBMITTED
    )


def on_fee_reopened(bill) -> None:
    """payments: the fee's payment was voided — back to waiting for the fee, if undecided."""
    Mutation.objects.filter(bill=bill, status=Mutation.Status.SUBMITTED).update(
        status=Mutation.Status.FEE_DUE
    )
