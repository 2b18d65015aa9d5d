"""Every write for holdings: register, assessments, objections, linking, bills."""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import audit
from core import explain as why
from core.digits import localize_date, localize_digits, to_ascii_digits, to_bengali_digits
from core.fiscal import fiscal_year
from core.models import Ward
from core.money import to_money
from core.places import normalize_holding_number, ward_by_number
from core.privacy import mask_mobile, mask_name
from core.ratelimit import over_limit
from core.status import check_transition
from core.validators import normalize_nid
from payments import people
from payments.models import Bill
from payments.services import LineSpec, PaymentError, bill_issue, bill_subject_lock

from .. import tax
from ..defaults import ensure_schedule
from ..models import (
    Appeal,
    Arrear,
    Assessment,
    AssessmentUnit,
    Demand,
    DemandRun,
    Holding,
    HoldingBillItem,
    Instalment,
    Objection,
    Owner,
    Use,
)
from ..selectors import effective_due_date, rebate_deadline

log = logging.getLogger(__name__)

MAX_YEARLY_RENT = Decimal("100000000")  # 10 crore taka a year: anything above is a typo
HEAD_LABELS = {
    "holding_tax": ("হোল্ডিং ট্যাক্স", "Holding tax"),
    "conservancy": ("পরিচ্ছন্নতা রেট", "Conservancy"),
    "lighting": ("আলোকায়ন রেট", "Lighting"),
    "rebate": ("রেয়াত", "Rebate"),
    "surcharge": ("সারচার্জ", "Surcharge"),
}


@transaction.atomic
def holding_create(
    *,
    ward,
    number: str,
    use: str = Use.RESIDENTIAL,
    road: str = "",
    mahalla: str = "",
    owner_occupied: bool = False,
    floor_area_sqft: Decimal | None = None,
    actor=None,
) -> Holding:
    ward = ward if isinstance(ward, Ward) else ward_by_number(ward)
    if use not in Use.values:
        raise ValidationError(_("Unknown use “%(use)s”.") % {"use": use}, code="invalid_use")
    try:
        with transaction.atomic():
            holding = Holding.objects.create(
                ward=ward,
                number=normalize_holding_number(number),
                road=road,
                mahalla=mahalla,
                use=use,
                owner_occupied=owner_occupied,
                floor_area_sqft=floor_area_sqft,
            )
    except IntegrityError:
        raise ValidationError(
            _("Holding %(number)s already exists in ward %(ward)s.")
            % {"number": localize_digits(number), "ward": localize_digits(ward.number)},
            code="duplicate_holding",
        ) from None
    audit.record(action="holding.created", obj=holding, actor=actor, after=audit.snapshot(holding))
    return holding


@transaction.atomic
def owner_add(
    *,
    holding: Holding,
    name_bn: str = "",
    name_en: str = "",
    share_percent: Decimal = Decimal("100"),
    nid: str = "",
    mobile: str = "",
    actor=None,
) -> Owner:
    from core.validators import normalize_mobile

    owner = Owner.objects.create(
        holding=holding,
        name_bn=name_bn,
        name_en=name_en,
        share_percent=share_percent,
        nid=normalize_nid(nid) if nid else "",
        mobile=normalize_mobile(mobile) if mobile else "",
    )
    audit.record(
        action="holding.owner_added",
        obj=holding,
        actor=actor,
        after={"owner": owner.pk, "share": share_percent},
    )
    return owner


def _check_rent(annual_rent) -> Decimal:
    try:
        rent = to_money(str(annual_rent))  # Bengali digits, commas and ৳ allowed
    except Exception:  # noqa: BLE001 - any unparseable number is the same mistake
        raise ValidationError(
            _("Enter the yearly rent as a number of taka."), code="invalid_rent"
        ) from None
    if rent < 0:
        raise ValidationError(_("The yearly rent cannot be negative."), code="negative_rent")
    if rent > MAX_YEARLY_RENT:
        raise ValidationError(
            _("A yearly rent of %(rent)s taka is not believable; check it.")
            % {"rent": localize_digits(str(rent))},
            code="absurd_rent",
        )
    return rent


def _check_units(units: Sequence[tax.Unit]) -> list[tax.Unit]:
    """Each unit named, of a built use, at a believable rent (Bengali digits allowed)."""
    checked = []
    for number, unit in enumerate(units, start=1):
        label = (unit.label or "").strip()
        if not label:
            raise ValidationError(
                _("Unit %(n)s: name the floor or flat.") % {"n": localize_digits(number)},
                code="unit_label",
            )
        if unit.use not in Use.values or unit.use == Use.VACANT_LAND:
            raise ValidationError(
                _("Unit %(n)s: choose the use of a built unit.") % {"n": localize_digits(number)},
                code="unit_use",
            )
        try:
            rent = _check_rent(unit.annual_rent)
        except ValidationError as exc:
            raise ValidationError(
                _("Unit %(n)s: %(error)s")
                % {"n": localize_digits(number), "error": exc.messages[0]},
                code=exc.code,
            ) from None
        checked.append(tax.Unit(label[:60], unit.use, bool(unit.owner_occupied), rent))
    return checked


@transaction.atomic
def assessment_record(
    *,
    holding: Holding,
    effective_fy: str,
    annual_rent=None,
    owner_occupied: bool | None = None,
    units: Sequence[tax.Unit] = (),
    nominal_valuation=None,
    actor=None,
    note: str = "",
) -> Assessment:
    """Value a holding from a fiscal year on (replacing that year's assessment if any):
    from one yearly rent, unit by unit (`units`: the owner's floor and the let ones), or —
    vacant land — at a nominal annual valuation, which the rate heads apply to where the
    year's schedule taxes vacant land that way."""
    schedule = ensure_schedule(effective_fy)
    concession = schedule.owner_occupied_concession_percent
    unit_rows: list[tuple[tax.Unit, tax.Valuation]] = []
    if holding.use == Use.VACANT_LAND:
        if nominal_valuation is None or units:
            raise ValidationError(
                _("Vacant land is valued at a nominal annual valuation, not by rent or units."),
                code="vacant_land_nominal",
            )
        value = _check_rent(nominal_valuation)
        rent, occupied = tax.ZERO, False
        basis = f"vacant land: nominal annual valuation {value}"
    elif units:
        building = tax.building_valuation(_check_units(units), concession_percent=concession)
        rent = _check_rent(building.annual_rent)
        value, unit_rows = building.annual_valuation, building.units
        occupied = all(unit.owner_occupied for unit, _v in unit_rows)
        basis = building.explanation
    else:
        if annual_rent is None:
            raise ValidationError(_("Enter the yearly rent."), code="invalid_rent")
        rent = _check_rent(annual_rent)
        occupied = holding.owner_occupied if owner_occupied is None else owner_occupied
        valuation = tax.annual_valuation(
            rent, owner_occupied=occupied, concession_percent=concession
        )
        value, basis = valuation.annual_valuation, valuation.explanation
    existing = Assessment.objects.filter(holding=holding, effective_fy=effective_fy).first()
    before = {**audit.snapshot(existing), "units": _units_snapshot(existing)} if existing else None
    assessment, _created = Assessment.objects.update_or_create(
        holding=holding,
        effective_fy=effective_fy,
        defaults={
            "annual_rent": rent,
            "owner_occupied": occupied,
            "annual_valuation": value,
            "basis": basis + (f". {note}" if note else ""),
            "assessed_by": actor,
        },
    )
    assessment.units.all().delete()
    AssessmentUnit.objects.bulk_create(
        AssessmentUnit(
            assessment=assessment,
            position=position,
            label=unit.label,
            use=unit.use,
            owner_occupied=unit.owner_occupied,
            annual_rent=valued.annual_rent,
            annual_valuation=valued.annual_valuation,
        )
        for position, (unit, valued) in enumerate(unit_rows, start=1)
    )
    audit.record(
        action="holding.assessed",
        obj=assessment,
        actor=actor,
        before=before,
        after={**audit.snapshot(assessment), "units": _units_snapshot(assessment)},
    )
    return assessment


def _units_snapshot(assessment: Assessment) -> list[dict]:
    fields = ["label", "use", "owner_occupied", "annual_rent", "annual_valuation"]
    return [audit.snapshot(unit, fields) for unit in assessment.units.all()]


def reassessment_due(today: date | None = None):
    """Holdings whose latest assessment is as old as the reassessment period (or none)."""
    from django.db.models import Max, Q

    fy = fiscal_year(today or timezone.localdate())
    start = int(fy[:4])
    schedule = ensure_schedule(fy)
    due_year = start - schedule.reassessment_years
    limit = f"{due_year}-{(due_year + 1) % 100:02d}"
    never = Q(latest__isnull=True) & ~Q(use=Use.VACANT_LAND)
    return (
        Holding.objects.annotate(latest=Max("assessments__effective_fy"))
        .filter(never | Q(latest__lte=limit))
        .select_related("ward")
    )


@transaction.atomic
@transaction.atomic
def objection_file(*, assessment: Assessment, user, reason: str, claimed_rent=None) -> Objection:
    """The owner's objection to an assessment; one open objection per assessment at a time
    (the assessment row is locked while it is checked)."""
    if not reason.strip():
        raise ValidationError(_("Say why you object to the assessment."), code="no_reason")
    claimed = _check_rent(claimed_rent) if claimed_rent not in (None, "") else None
    Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError(
            _("Your objection to this assessment is already waiting for an assessor's decision."),
            code="already_open",
        )
    objection = Objection.objects.create(
        assessment=assessment, filed_by=user, reason=reason, claimed_rent=claimed
    )
    audit.record(
        action="holding.objection_filed",
        obj=objection,
        actor=user,
        after={"assessment": assessment.pk, "claimed_rent": claimed, "reason": reason},
    )
    return objection


@transaction.atomic
def objection_decide(
    *, objection: Objection, assessor, accept: bool, reason: str, revised_rent=None
) -> Objection:
    if not assessor.has_perm("accounts.assess_holdings"):
        raise ValidationError(_("Only an assessor decides objections."), code="forbidden")
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."), code="no_reason")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    decision = Objection.Status.ACCEPTED if accept else Objection.Status.REJECTED
    check_transition(
        Objection.TRANSITIONS,
        objection.status,
        decision,
        choices=Objection.Status,
        message=gettext_lazy("This objection is already decided."),
        error=partial(ValidationError, code="decided"),
    )
    objection.status = decision
    objection.decided_by, objection.decision_reason = assessor, reason
    objection.decided_at = timezone.now()
    objection.save()
    if accept:
        rent = revised_rent if revised_rent not in (None, "") else objection.claimed_rent
        if rent is not None:
            a = objection.assessment
            assessment_record(
                holding=a.holding,
                effective_fy=a.effective_fy,
                annual_rent=rent,
                owner_occupied=a.owner_occupied,
                actor=assessor,
                note=f"objection #{objection.pk} accepted",
            )
    audit.record(
        action="holding.objection_decided",
        obj=objection,
        actor=assessor,
        reason=reason,
        before={"status": "open"},
        after={"status": objection.status},
    )
    return objection


# --- appeals ------------------------------------------------------------------------------


def appeal_deadline(objection: Objection) -> date | None:
    """The last day to appeal against an objection's decision (None while undecided): the
    decision's date plus the appeal period of the assessment year's schedule."""
    if objection.decided_at is None:
        return None
    days = ensure_schedule(objection.assessment.effective_fy).appeal_days
    return timezone.localdate(objection.decided_at) + timedelta(days=days)


def _is_owner(user, holding: Holding) -> bool:
    return holding.owners.filter(user=user).exists()


@transaction.atomic
def appeal_file(*, objection: Objection, user, reason: str, claimed_rent=None) -> Appeal:
    """An owner appeals against an objection's decision, once, within the appeal period."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("assessment__holding")
        .get(pk=objection.pk)
    )
    if not _is_owner(user, objection.assessment.holding):
        raise ValidationError(_("Only an owner of the holding can appeal."), code="forbidden")
    last_day = appeal_deadline(objection)
    if last_day is None:
        raise ValidationError(
            _("The objection is not decided yet; an appeal comes after the decision."),
            code="undecided",
        )
    if timezone.localdate() > last_day:
        raise ValidationError(
            _("The time to appeal ended on %(date)s.") % {"date": localize_date(last_day)},
            code="too_late",
        )
    if Appeal.objects.filter(objection=objection).exists():
        raise ValidationError(
            _("This decision has already been appealed against."), code="already_appealed"
        )
    if not reason.strip():
        raise ValidationError(_("Say why you appeal against the decision."), code="no_reason")
    claimed = _check_rent(claimed_rent) if claimed_rent not in (None, "") else None
    appeal = Appeal.objects.create(
        objection=objection, filed_by=user, reason=reason.strip(), claimed_rent=claimed
    )
    audit.record(
        action="holding.appeal_filed",
        obj=appeal,
        actor=user,
        after={"objection": objection.pk, "claimed_rent": claimed, "reason": appeal.reason},
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, officer, revise: bool, reason: str, revised_rent=None
) -> Appeal:
    """A review officer decides an appeal: the decision stands, or the valuation is revised
    from the revised rent (else the rent the owner claimed) for the assessment's year. The
    assessor who decided the objection cannot review it."""
    if not officer.has_perm("accounts.view_revenue_reports"):
        raise ValidationError(_("Only a review officer decides appeals."), code="forbidden")
    appeal = (
        Appeal.objects.select_for_update().select_related("objection__assessment").get(pk=appeal.pk)
    )
    if appeal.objection.decided_by_id == officer.pk:
        raise ValidationError(
            _("You decided the objection; another officer must review the appeal."),
            code="same_officer",
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."), code="no_reason")
    decision = Appeal.Status.REVISED if revise else Appeal.Status.UPHELD
    check_transition(
        Appeal.TRANSITIONS,
        appeal.status,
        decision,
        choices=Appeal.Status,
        message=gettext_lazy("This appeal is already decided."),
        error=partial(ValidationError, code="decided"),
    )
    rent = None
    if revise:
        given = revised_rent if revised_rent not in (None, "") else appeal.claimed_rent
        if given is None:
            raise ValidationError(
                _("Enter the revised yearly rent (the owner claimed none)."), code="invalid_rent"
            )
        rent = _check_rent(given)
        a = appeal.objection.assessment
        assessment_record(
            holding=a.holding,
            effective_fy=a.effective_fy,
            annual_rent=rent,
            owner_occupied=a.owner_occupied,
            actor=officer,
            note=f"appeal #{appeal.pk} allowed",
        )
    appeal.status = decision
    appeal.decided_by, appeal.decision_reason = officer, reason.strip()
    appeal.revised_rent = rent
    appeal.decided_at = timezone.now()
    appeal.save()
    audit.record(
        action="holding.appeal_decided",
        obj=appeal,
        actor=officer,
        reason=reason,
        before={"status": "open"},
        after={"status": appeal.status, "revised_rent": rent},
    )
    return appeal


# --- linking a holding to an account -------------------------------------------------------


def _link(*, user, owner: Owner, method: str, actor=None) -> Owner:
    owner.user = user
    owner.save(update_fields=["user"])
    audit.record(
        action="holding.linked",
        obj=owner.holding,
        actor=actor or user,
        after={"owner": owner.pk, "user": user.pk, "method": method},
    )
    return owner


@transaction.atomic
def holding_link_by_nid(*, user, holding: Holding, nid: str) -> Owner:
    nid = normalize_nid(nid)
    owner = holding.owners.filter(nid=nid).first()
    if owner is None:
        raise ValidationError(
            _("This NID is not recorded for any owner of the holding."), code="nid_mismatch"
        )
    return _link(user=user, owner=owner, method="nid")


LINK_CODE_TTL = 600  # a code is good for 10 minutes
LINK_SENDS_LIMIT, LINK_SENDS_WINDOW = 3, 3600  # codes sent per account and holding per hour
LINK_MAX_TRIES = 3  # wrong codes per account and holding per hour (kept across resends)


def _link_key(user, holding: Holding, what: str = "code") -> str:
    return f"holdings:link-{what}:{user.pk}:{holding.pk}"


@transaction.atomic
def holding_link_send_code(*, user, holding: Holding) -> str:
    """Send a one-time code to the owner's mobile on record; returns the masked mobile.

    At most LINK_SENDS_LIMIT codes per account and holding an hour (ValidationError,
    code "too_many_codes"); a new code does not reset the count of wrong codes. The SMS
    is sent synchronously, inside this call (accounts.sms.send_sms records it at once),
    so the citizen can type the code on the next page."""
    from accounts.sms import send_sms

    owner = holding.owners.exclude(mobile="").first()
    if owner is None:
        raise ValidationError(
            _(
                "No mobile number is recorded for this holding. Link it with "
                "the owner's NID or at a counter."
            ),
            code="no_mobile",
        )
    if over_limit(_link_key(user, holding, "sends"), LINK_SENDS_LIMIT, LINK_SENDS_WINDOW):
        raise ValidationError(
            _(
                "We have already sent %(count)s codes for this holding in the "
                "last hour. Please wait an hour, or link it with the owner's "
                "NID or at a counter."
            )
            % {"count": localize_digits(LINK_SENDS_LIMIT)},
            code="too_many_codes",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_link_key(user, holding), {"code": code, "owner": owner.pk}, LINK_CODE_TTL)
    masked = mask_mobile(owner.mobile)
    send_sms(
        owner.mobile,
        _("Code to link holding %(holding)s to a portal account: %(code)s")
        % {"holding": holding, "code": code},
        kind="code",
    )
    audit.record(
        action="holding.link_code_sent",
        obj=holding,
        actor=user,
        after={"owner": owner.pk, "mobile": masked},
    )
    return masked


@transaction.atomic
def holding_link_verify_code(*, user, holding: Holding, code: str) -> Owner:
    """Link with the code sent by holding_link_send_code. After LINK_MAX_TRIES wrong codes
    (counted for an hour, across new codes) every code is refused (code "locked")."""
    key, tries_key = _link_key(user, holding), _link_key(user, holding, "tries")
    if (cache.get(tries_key) or 0) >= LINK_MAX_TRIES:
        cache.delete(key)
        raise ValidationError(
            _(
                "Too many wrong codes. Please wait an hour, or link the "
                "holding with the owner's NID or at a counter."
            ),
            code="locked",
        )
    state = cache.get(key)
    if not state:
        raise ValidationError(_("The code has expired. Ask for a new one."), code="expired")
    if to_ascii_digits(code.strip()) != state["code"]:
        over_limit(tries_key, LINK_MAX_TRIES, LINK_SENDS_WINDOW)  # counts one wrong code
        raise ValidationError(_("Wrong code. Check the SMS and try again."), code="wrong_code")
    cache.delete_many([key, tries_key])
    return _link(user=user, owner=Owner.objects.get(pk=state["owner"]), method="code")


@transaction.atomic
def holding_link_at_counter(*, clerk, user, owner: Owner) -> Owner:
    if not clerk.has_perm("accounts.use_counter"):
        raise ValidationError(_("Only a counter clerk can link at the counter."), code="forbidden")
    return _link(user=user, owner=owner, method="counter", actor=clerk)


# --- bills ---------------------------------------------------------------------------------


def _per_head_quarters(demand: Demand) -> dict[str, list[Decimal]]:
    return {line.head: tax.split_quarters(line.amount) for line in demand.lines.all()}


def _spread(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` split over the heads in proportion to `weights`, to the paisa, adding up
    exactly (the largest head takes the rounding remainder)."""
    base = sum(weights.values(), Decimal("0"))
    if not base:
        return {}
    shares = {head: tax.money(total * w / base) for head, w in weights.items()}
    largest = max(weights, key=lambda head: weights[head])
    shares[largest] += total - sum(shares.values(), Decimal("0"))
    return shares


def _head_order(head: str) -> tuple[int, str]:
    """Holding tax, conservancy, lighting (the order of HEAD_LABELS), then any other."""
    heads = list(HEAD_LABELS)
    return (heads.index(head) if head in heads else len(heads), head)


def bill_lines_for(
    *, instalments: Sequence[Instalment], arrears: Sequence[Arrear], today: date
) -> list[LineSpec]:
    """Bill lines by revenue head and year, as a demand–collection–balance register keeps
    them: the current year's instalments on one line per head, each earlier year's unpaid
    tax on its own arrears line per head (an instalment of an earlier year not yet carried
    forward counts as arrears too), the rebate spread over the heads it reduces, and each
    arrears year's surcharge. Every line is explained."""
    current = fiscal_year(today)
    # (period, head) -> amount and the rule, in year order, current year first
    amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    rules: dict[tuple[str, str], list[why.Data]] = defaultdict(list)
    by_demand: dict[int, list[Instalment]] = defaultdict(list)
    for inst in instalments:
        by_demand[inst.demand_id].append(inst)
    for demand_insts in by_demand.values():
        demand = demand_insts[0].demand
        quarters = sorted(i.quarter for i in demand_insts)
        for head, parts in _per_head_quarters(demand).items():
            amounts[(demand.fiscal_year, head)] += sum(parts[q - 1] for q in quarters)
            rules[(demand.fiscal_year, head)].append(
                why.because(
                    gettext_noop("FY %(fy)s instalments %(quarters)s"),
                    fy=why.fy(demand.fiscal_year),
                    quarters=why.joined([why.number(q) for q in quarters], ", "),
                )
            )
    for arrear in arrears:
        fy = arrear.demand.fiscal_year
        unpaid = [
            i.quarter for i in arrear.demand.instalments.all() if i.status == Instalment.Status.DUE
        ]
        for head, parts in _per_head_quarters(arrear.demand).items():
            amounts[(fy, head)] += sum(parts[q - 1] for q in unpaid)
            rules[(fy, head)].append(
                why.because(gettext_noop("arrears of FY %(fy)s"), fy=why.fy(fy))
            )
    lines: list[LineSpec] = []
    order = sorted(amounts, key=lambda key: (key[0] != current, key[0], _head_order(key[1])))
    for fy, head in order:
        bn, en = HEAD_LABELS.get(head, (head, head))
        past = fy < current
        lines.append(
            LineSpec(
                head=head,
                amount=amounts[(fy, head)],
                description_bn=f"{bn} — বকেয়া {to_bengali_digits(fy)}"
                if past
                else f"{bn} {to_bengali_digits(fy)}",
                description_en=f"{en} — arrears FY {fy}" if past else f"{en} FY {fy}",
                explanation=why.explain(rules[(fy, head)], "en"),
                explanation_data=rules[(fy, head)],
                period=fy,
                arrears=past,
            )
        )
    for demand_insts in by_demand.values():
        demand = demand_insts[0].demand
        first_due = rebate_deadline(demand_insts)
        grades = [(g.quarters, g.percent) for g in demand.schedule.rebates.all()]
        percent = (
            tax.rebate_percent(len(demand_insts), grades) if today <= first_due else Decimal("0")
        )
        if not percent:
            continue
        base = sum((i.amount for i in demand_insts), Decimal("0"))
        quarters = sorted(i.quarter for i in demand_insts)
        per_head = {
            head: sum((parts[q - 1] for q in quarters), Decimal("0"))
            for head, parts in _per_head_quarters(demand).items()
        }
        fy = demand.fiscal_year
        shares = _spread(tax.percent_of(base, percent), per_head)
        for head in sorted(shares, key=_head_order):
            share = shares[head]
            if not share:
                continue
            bn, en = HEAD_LABELS.get(head, (head, head))
            rule = why.because(
                gettext_noop(
                    "FY %(fy)s schedule: %(percent)s%% for paying %(count)s instalments by "
                    "%(date)s, the %(head)s share"
                ),
                fy=why.fy(fy),
                percent=why.number(percent),
                count=why.number(len(demand_insts)),
                date=why.day(first_due),
                head=why.words(bn=bn, en=en.lower()),
            )
            lines.append(
                LineSpec(
                    head="rebate",
                    amount=-share,
                    description_bn=f"রেয়াত — {bn} {to_bengali_digits(fy)}",
                    description_en=f"Rebate — {en} FY {fy}",
                    explanation=why.explain(rule, "en"),
                    explanation_data=[rule],
                    period=fy,
                    arrears=fy < current,
                )
            )
    for arrear in arrears:
        fy = arrear.demand.fiscal_year
        rule = why.because(
            gettext_noop(
                "%(percent)s%% on the unpaid %(principal)s of FY %(fy)s (that year's schedule)"
            ),
            percent=why.number(arrear.surcharge_percent),
            principal=why.taka(arrear.principal),
            fy=why.fy(fy),
        )
        lines.append(
            LineSpec(
                head="surcharge",
                amount=arrear.surcharge,
                description_bn=f"সারচার্জ — বকেয়া {to_bengali_digits(fy)}",
                description_en=f"Surcharge — arrears FY {fy}",
                explanation=why.explain(rule, "en"),
                explanation_data=[rule],
                period=fy,
                arrears=True,
            )
        )
    return lines


SUBJECT_TYPE = "holding"


def _subject_id(holding: Holding) -> str:
    return f"{holding.ward.number}/{holding.number}"


def bill_holding(bill: Bill) -> tuple[int, str] | None:
    """The (ward number, holding number) a holding-tax bill is for, read back from the
    subject _subject_id gave it; None for a bill of another kind (a mutation's fee)."""
    ward, _sep, number = str(bill.subject_id).partition("/")
    if bill.subject_type != SUBJECT_TYPE or not ward.isdigit() or not number:
        return None
    return int(ward), number


def _unsaved_bill(holding: Holding) -> Bill:
    """A holding-tax bill of the holding, not saved: names its subject (payments.people)."""
    return Bill(service="holdings", subject_type=SUBJECT_TYPE, subject_id=_subject_id(holding))


def cached_subject(holding: Holding) -> str:
    """The holding as the citizens' cache knows it (core.citizen_cache.subject_figures):
    the subject its bills name, so a write for one of them drops what is kept about it."""
    return people.subject(_unsaved_bill(holding))


def holding_dues(
    *, instalments: Sequence[Instalment] = (), arrears: Sequence[Arrear] = ()
) -> list[str]:
    """The dues a holding-tax bill claims: each instalment, and each arrear with the unpaid
    instalments of the year it stands for (so an old instalment bill and an arrears bill
    can never both be paid)."""
    dues = [f"instalment:{i.pk}" for i in instalments]
    for arrear in arrears:
        dues.append(f"arrear:{arrear.pk}")
        dues += [
            f"instalment:{i.pk}"
            for i in arrear.demand.instalments.all()
            if i.status == Instalment.Status.DUE
        ]
    return dues


def quick_pay_name(holding: Holding) -> str:
    """The name a stranger paying without an account sees: the first owner's, masked."""
    first = holding.owners.order_by("pk").first()
    return mask_name(first.name_en or first.name_bn) if first else ""


def _period_bn(instalments: Sequence[Instalment], arrears: Sequence[Arrear]) -> str:
    """A bill's period in Bengali, instalments grouped by year: "অর্থবছর ২০২৬-২৭ কিস্তি ১, ২"."""
    quarters: dict[str, list[int]] = defaultdict(list)
    for i in instalments:
        quarters[i.demand.fiscal_year].append(i.quarter)
    return ", ".join(
        [
            f"অর্থবছর {to_bengali_digits(fy)} কিস্তি "
            + ", ".join(to_bengali_digits(q) for q in sorted(qs))
            for fy, qs in sorted(quarters.items())
        ]
        + [f"অর্থবছর {to_bengali_digits(a.demand.fiscal_year)}-এর বকেয়া" for a in arrears]
    )


@people.scoped(lambda **kw: [_unsaved_bill(kw["holding"])])
@transaction.atomic
def holding_bill(
    *,
    holding: Holding,
    instalments: Sequence[Instalment] = (),
    arrears: Sequence[Arrear] = (),
    payer=None,
    payer_name: str = "",
    payer_mobile: str = "",
    owner_contact: bool = True,
    today: date | None = None,
) -> Bill:
    """The bill for the chosen instalments and arrears of one holding, through payments'
    one safe path (payments.services.bill_issue) under the holding's lock: an open bill for
    exactly these is reused (a second payer pays the same bill), other open bills covering
    any of them are replaced, and while a payment on one is under way the request is
    refused with when to try again (ValidationError, code "payment_in_progress"). What is
    still due is read under the lock. Without `owner_contact` (quick pay by a stranger) the
    owner's name and mobile stay off a new bill: the payer's name is the first owner's
    masked name unless given."""
    today = today or timezone.localdate()
    bill_subject_lock(
        service="holdings", subject_type=SUBJECT_TYPE, subject_id=_subject_id(holding)
    )
    asked_instalments = {i.pk for i in instalments}
    asked_arrears = {a.pk for a in arrears}
    instalments = list(
        Instalment.objects.filter(pk__in=asked_instalments, status=Instalment.Status.DUE)
        .select_related("demand__holding", "demand__schedule")
        .order_by("demand__fiscal_year", "quarter")
    )
    arrears = list(
        Arrear.objects.filter(pk__in=asked_arrears, status=Arrear.Status.DUE)
        .select_related("demand__schedule")
        .order_by("demand__fiscal_year")
    )
    if not instalments and not arrears:
        raise ValidationError(_("Nothing is due for what you chose."), code="nothing_due")
    if len(instalments) != len(asked_instalments) or len(arrears) != len(asked_arrears):
        raise ValidationError(
            _("Part of what you chose has just been paid. Look at what is due again."),
            code="partly_paid",
        )
    if any(i.demand.holding_id != holding.pk for i in instalments) or any(
        a.holding_id != holding.pk for a in arrears
    ):
        raise ValidationError(_("Those instalments belong to another holding."), code="mixed")
    in_arrears = {a.demand_id for a in Arrear.objects.filter(holding=holding)}
    if any(i.demand_id in in_arrears for i in instalments):
        raise ValidationError(
            _("Earlier years are paid as arrears, with their surcharge."), code="pay_as_arrears"
        )
    owner = holding.owners.order_by("pk").first() if owner_contact else None
    if not owner_contact and not payer_name:
        payer_name = quick_pay_name(holding)
    fy = fiscal_year(today)
    due = min([effective_due_date(i) for i in instalments] or [today + timedelta(days=7)])
    try:
        bill = bill_issue(
            service="holdings",
            subject_type=SUBJECT_TYPE,
            subject_id=_subject_id(holding),
            dues=holding_dues(instalments=instalments, arrears=arrears),
            lines=bill_lines_for(instalments=instalments, arrears=arrears, today=today),
            fiscal_year_label=fy,
            due_date=max(due, today),
            payer=payer,
            payer_name=payer_name or (owner.name_en or owner.name_bn if owner else ""),
            payer_mobile=payer_mobile or (owner.mobile if owner else ""),
            ward=holding.ward,
            subject_label_bn=holding.label_bn,
            subject_label_en=holding.label_en,
            period_label=", ".join(
                [f"FY {i.demand.fiscal_year} Q{i.quarter}" for i in instalments]
                + [f"arrears FY {a.demand.fiscal_year}" for a in arrears]
            ),
            period_label_bn=_period_bn(instalments, arrears),
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc
    if not bill.holding_items.exists():
        HoldingBillItem.objects.bulk_create(
            [HoldingBillItem(bill=bill, instalment=i) for i in instalments]
            + [HoldingBillItem(bill=bill, arrear=a) for a in arrears]
        )
    return bill


# --- the yearly demand run -----------------------------------------------------------------

LIVE_RUN_STATUSES = (DemandRun.Status.QUEUED, DemandRun.Status.RUNNING)


def _run_busy_error(fiscal_year_: str, run_id) -> ValidationError:
    return ValidationError(
        _("The demand for %(fy)s is already being generated (run #%(run)s). Wait for it to finish.")
        % {"fy": fiscal_year_, "run": run_id},
        code="run_busy",
    )


def _enqueue_demand_run(run_id: int) -> None:
    """Send the run to the workers; if the queue cannot be reached, the run says so."""
    from ..tasks import run_demand_generation

    try:
        run_demand_generation.delay(run_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the run failed
        log.exception("could not queue demand run %s", run_id)
        DemandRun.objects.filter(pk=run_id, status=DemandRun.Status.QUEUED).update(
            status=DemandRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"Could not reach the task queue: {exc}"[:2000],
        )


@transaction.atomic
def demand_run_start(*, fiscal_year: str, actor) -> DemandRun:
    """Start the yearly demand generation for `fiscal_year`: a queued DemandRun, sent to the
    workers once committed. Refused (ValidationError, code "run_busy") while another run of
    that year is queued or running; the conditional unique constraint on live runs is the
    referee when two starts race. A live run whose worker stopped (no heartbeat for
    RUN_HEARTBEAT_STALE_SECONDS) is marked failed first and does not block the year."""
    demand_runs_fail_stale(actor=actor)
    busy = (
        DemandRun.objects.select_for_update()
        .filter(fiscal_year=fiscal_year, status__in=LIVE_RUN_STATUSES)
        .first()
    )
    if busy is not None:
        raise _run_busy_error(fiscal_year, busy.pk)
    try:
        with transaction.atomic():
            run = DemandRun.objects.create(fiscal_year=fiscal_year, started_by=actor)
    except IntegrityError:
        busy = DemandRun.objects.filter(
            fiscal_year=fiscal_year, status__in=LIVE_RUN_STATUSES
        ).first()
        raise _run_busy_error(fiscal_year, busy.pk if busy else "?") from None
    audit.record(
        action="holdings.demand_run_started",
        obj=run,
        actor=actor,
        after={"fiscal_year": fiscal_year},
    )
    transaction.on_commit(partial(_enqueue_demand_run, run.pk))
    return run


def demand_run_mark_running(run_id: int) -> bool:
    """The worker has picked the run up (its first heartbeat). False when the run is no
    longer queued (another delivery of its task took it, it was marked failed meanwhile,
    or it finished): the worker must then leave it (core.runs.claim)."""
    from core.runs import claim

    return claim(
        DemandRun,
        run_id,
        queued_status=DemandRun.Status.QUEUED,
        running_status=DemandRun.Status.RUNNING,
    )


def demand_runs_fail_stale(*, actor=None) -> list[int]:
    """Mark failed every running run whose worker stopped: no heartbeat for
    RUN_HEARTBEAT_STALE_SECONDS (core.runs). Its year can then be started again; the
    generation inserts only what is missing, so the new run completes it. (A queued run
    has no heartbeat yet: it waits for a worker.) Returns the ids; each is audited."""
    from core.runs import fail_stale

    failed = fail_stale(
        DemandRun, live_statuses=[DemandRun.Status.RUNNING], failed_status=DemandRun.Status.FAILED
    )
    for run in DemandRun.objects.filter(pk__in=failed):
        audit.record(
            action="holdings.demand_run_failed_stale",
            obj=run,
            actor=actor,
            before={"status": "running"},
            after={
                "status": run.status,
                "heartbeat_at": run.heartbeat_at and run.heartbeat_at.isoformat(),
            },
        )
    return failed


def demand_run_finish(run_id: int, *, result=None, error: str = "") -> dict:
    """Record how a run ended: with `error` it failed (the message kept, cut to 2000
    characters); otherwise `result` (a demands.DemandResult) gives the counts and the
    summary per ward. Returns the counts ({} for a failed run)."""
    if error or result is None:
        DemandRun.objects.filter(pk=run_id).update(
            status=DemandRun.Status.FAILED,
            error=(error or "no result")[:2000],
            finished_at=timezone.now(),
        )
        return {}
    created = {
        "demands": result.demands,
        "lines": result.lines,
        "instalments": result.instalments,
        "arrears": result.arrears,
        "not_assessed": result.not_assessed,
    }
    DemandRun.objects.filter(pk=run_id).update(
        status=DemandRun.Status.DONE,
        progress=100,
        step="done",
        created=created,
        summary=result.by_ward,
        finished_at=timezone.now(),
    )
    return created
