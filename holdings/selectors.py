"""Reads for holdings: statements, what is due, masked names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import localize_digits, to_bengali_digits
from core.models import OfficeOrderExtension, Ward
from core.money import format_amount
from core.places import normalize_holding_number, ward_by_number, ward_number
from core.roles import perm

from . import tax
from .models import (
    Arrear,
    Assessment,
    Deadline,
    DeadlineExtension,
    Demand,
    Holding,
    Instalment,
    RateSchedule,
    Use,
    VacantLandBasis,
)

#: Staff who may read any holding's statement, notices and certificates (owners see their
#: own): counter clerks, assessors and revenue staff.
STAFF_PERMISSIONS = (perm("use_counter"), perm("assess_holdings"), perm("view_revenue_reports"))


#: The latest office order first: by the order's date, then when it was recorded.
_LATEST_ORDER = ("-order_date", "-created_at", "-pk")


def deadline(schedule_or_fy: RateSchedule | str, which: str) -> date:
    """The one read of a holding-tax deadline: the date of the latest office order that
    extended it (DeadlineExtension), else the schedule's own date. `which` is a Deadline:
    "rebate" (the full-year rebate; by default the 1st instalment's due date, itself
    extended or not) or "q1".."q4". Every bill, notice, statement and overdue rule reads
    this, never the due date copied onto an instalment when the demand was made."""
    schedule = (
        RateSchedule.objects.get(fiscal_year=schedule_or_fy)
        if isinstance(schedule_or_fy, str)
        else schedule_or_fy
    )
    which = Deadline(which)
    latest = OfficeOrderExtension.latest(
        e for e in schedule.extensions.all() if e.deadline == which
    )
    if latest is not None:
        return latest.new_date
    if which == Deadline.REBATE:
        return deadline(schedule, Deadline.Q1)
    own: date = getattr(schedule, f"{which.value}_due")
    return own


def effective_due_date_expr(prefix: str = "") -> Coalesce:
    """The SQL for an instalment's effective due date (the same rule as `deadline`): the
    latest extension of its quarter's deadline, else its schedule's own date. `prefix`
    for a related lookup; annotate it as ``effective_due`` and `effective_due_date`
    uses it without another query."""
    latest = (
        DeadlineExtension.objects.filter(
            schedule_id=OuterRef(f"{prefix}demand__schedule_id"),
            deadline=Concat(Value("q"), Cast(OuterRef(f"{prefix}quarter"), CharField())),
        )
        .order_by(*_LATEST_ORDER)
        .values("new_date")[:1]
    )
    own = Case(
        *(
            When(**{f"{prefix}quarter": q}, then=F(f"{prefix}demand__schedule__q{q}_due"))
            for q in range(1, 5)
        )
    )
    return Coalesce(Subquery(latest), own)


def effective_due_date(instalment: Instalment) -> date:
    """When an instalment falls due now: its quarter's deadline, extensions included (from
    the ``effective_due`` annotation when the query made one)."""
    annotated: date | None = getattr(instalment, "effective_due", None)
    if annotated is not None:
        return annotated
    return deadline(instalment.demand.schedule, f"q{instalment.quarter}")


def rebate_deadline(instalments: list[Instalment]) -> date:
    """The date by which instalments of one demand paid together earn their rebate: the
    first of their (effective) due dates; with the 1st instalment among them, the
    schedule's rebate deadline when that is later."""
    first_due = min(effective_due_date(i) for i in instalments)
    if any(i.quarter == 1 for i in instalments):
        first_due = max(first_due, deadline(instalments[0].demand.schedule, Deadline.REBATE))
    return first_due


def is_overdue(due_date: date, today: date) -> bool:
    """The one rule for বকেয়া (overdue): an instalment is overdue from the day after its due
    date (``due_date < today``); paid on the due date itself it was paid on time. Arrears
    of earlier years are overdue by definition. Until then an unpaid instalment is "due"
    (পরিশোধযোগ্য): the owner may pay it early, but owes nothing overdue. Pass the
    effective due date (effective_due_date / the ``effective_due`` annotation), extensions
    by office order included — never the date copied onto the instalment."""
    return due_date < today


def overdue_instalments_q(today: date, prefix: str = "") -> Q:
    """The Q for unpaid instalments past their due date, of years not carried into arrears
    (a carried year is counted once, as its Arrear); `prefix` for a related lookup."""
    return Q(
        **{
            f"{prefix}status": Instalment.Status.DUE,
            f"{prefix}demand__arrear__isnull": True,
        }
    ) & Q(LessThan(effective_due_date_expr(prefix), today))


@dataclass
class Statement:
    """A holding's demands, instalments and arrears, and what they add up to on `today`.

    `due_instalments` / `total_due`: everything the owner may pay now (overdue or not yet
    due, arrears included) — what the pay choices offer. `overdue_instalments` /
    `total_overdue`: only what is past its due date plus due arrears — the বকেয়া that
    has_dues, the no-dues certificate and a trade licence's holding check look at.
    `paid_up_to`: the last instalment paid with every one before it paid (None when the
    first is unpaid); `next_due`: the first unpaid instalment not yet past its due date."""

    holding: Holding
    demands: list[Demand]
    arrears: list[Arrear]
    due_instalments: list[Instalment] = field(default_factory=list)
    total_due: Decimal = Decimal("0.00")
    today: date | None = None
    overdue_instalments: list[Instalment] = field(default_factory=list)
    total_overdue: Decimal = Decimal("0.00")
    paid_up_to: Instalment | None = None
    next_due: Instalment | None = None

    @property
    def due_arrears(self) -> list[Arrear]:
        return [a for a in self.arrears if a.status == Arrear.Status.DUE]

    @property
    def current_instalments(self) -> list[Instalment]:
        """Unpaid instalments not yet past their due date (চলতি: due, not overdue)."""
        overdue = {i.pk for i in self.overdue_instalments}
        return [i for i in self.due_instalments if i.pk not in overdue]


def _paid_up_to(demands: list[Demand], arrears: list[Arrear]) -> Instalment | None:
    """The last instalment, in order of year and quarter, with it and all before it paid
    (a year carried into arrears counts as paid once its arrear is)."""
    arrear_paid = {a.demand_id: a.status == Arrear.Status.PAID for a in arrears}
    last = None
    for demand in sorted(demands, key=lambda d: d.fiscal_year):
        for inst in demand.instalments.all():
            if inst.status != Instalment.Status.PAID and not arrear_paid.get(demand.pk):
                return last
            last = inst
    return last


def statement(holding: Holding, *, today: date | None = None) -> Statement:
    """Every year's demand with its instalments, the arrears, what may be paid now and
    what of it is overdue on `today` (default: today)."""
    today = today or timezone.localdate()
    demands = list(
        holding.demands.select_related("schedule")
        .prefetch_related(
            "lines",
            # Read for every instalment's deadline and every pay option's rebate.
            "schedule__extensions",
            "schedule__rebates",
            Prefetch(
                "instalments",
                queryset=Instalment.objects.annotate(
                    effective_due=effective_due_date_expr()
                ).order_by("quarter"),
            ),
        )
        .order_by("-fiscal_year")
    )
    arrears = list(holding.arrears.select_related("demand").order_by("demand__fiscal_year"))
    in_arrears = {a.demand_id for a in arrears}
    due = [
        i
        for d in demands
        if d.pk not in in_arrears
        for i in d.instalments.all()
        if i.status == Instalment.Status.DUE
    ]
    due.sort(key=lambda i: (i.demand.fiscal_year, i.quarter))
    arrears_due = sum(
        (a.principal + a.surcharge for a in arrears if a.status == Arrear.Status.DUE),
        Decimal("0.00"),
    )
    total = sum((i.amount for i in due), Decimal("0.00")) + arrears_due
    overdue = [i for i in due if is_overdue(effective_due_date(i), today)]
    total_overdue = sum((i.amount for i in overdue), Decimal("0.00")) + arrears_due
    next_due = next((i for i in due if not is_overdue(effective_due_date(i), today)), None)
    return Statement(
        holding,
        demands,
        arrears,
        due,
        total,
        today=today,
        overdue_instalments=overdue,
        total_overdue=total_overdue,
        paid_up_to=_paid_up_to(demands, arrears),
        next_due=next_due,
    )


def is_owner(user, holding: Holding) -> bool:
    """Is `user` a linked owner of the holding?"""
    return bool(user.is_authenticated) and holding.owners.filter(user=user).exists()


def holding_visible_to(user, holding: Holding) -> bool:
    """The one rule for who may see a holding's statement, notices and certificates: a
    linked owner, counter clerks, assessors and revenue staff."""
    if not user.is_authenticated:
        return False
    if any(user.has_perm(p) for p in STAFF_PERMISSIONS):
        return True
    return is_owner(user, holding)


def holdings_of(user):
    return (
        Holding.objects.filter(owners__user=user)
        .select_related("ward")
        .distinct()
        .order_by("ward__number", "number")
    )


def counter_payer(holding: Holding):
    """Whom a bill made at the counter is for: the first owner linked to an account (the
    bill then shows among their bills), or None."""
    owner = holding.owners.exclude(user=None).order_by("pk").select_related("user").first()
    return owner.user if owner else None


def has_dues(holding_id: int, *, today: date | None = None) -> bool:
    """The read function other services use: does this holding owe anything overdue?

    Only what is past its due date counts (see is_overdue): instalments whose due date has
    passed, of years not carried into arrears, plus due arrears with their surcharge.
    Instalments not yet due do not — an owner who pays each quarter on time has no dues.
    The same answer as ``statement(holding).total_overdue > 0``, from two aggregate
    queries as dashboard_panels.holdings_with_dues sums them."""
    today = today or timezone.localdate()
    Holding.objects.only("pk").get(pk=holding_id)  # DoesNotExist for an unknown holding
    instalments = Instalment.objects.filter(
        overdue_instalments_q(today), demand__holding_id=holding_id
    ).aggregate(due=Sum("amount"))["due"] or Decimal("0")
    arrears = Arrear.objects.filter(holding_id=holding_id, status=Arrear.Status.DUE).aggregate(
        due=Sum(
            ExpressionWrapper(
                F("principal") + F("surcharge"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )["due"] or Decimal("0")
    return Decimal(instalments) + Decimal(arrears) > 0


# --- valuations ---------------------------------------------------------------------------


def concession_percent(fiscal_year: str) -> Decimal:
    """The owner-occupied concession of the year's schedule (the default when none yet)."""
    value = (
        RateSchedule.objects.filter(fiscal_year=fiscal_year)
        .values_list("owner_occupied_concession_percent", flat=True)
        .first()
    )
    if value is None:
        value = RateSchedule._meta.get_field("owner_occupied_concession_percent").default
    return Decimal(value)


def valuation_breakdown(*, annual_rent: Decimal, owner_occupied: bool, fiscal_year: str) -> dict:
    """How a yearly rent becomes the annual valuation under `fiscal_year`'s schedule: the
    tax.Valuation, the concession percent, and the amounts taken off for maintenance and
    for the owner-occupied concession (the officer's preview, record and objection pages)."""
    percent = concession_percent(fiscal_year)
    valuation = tax.annual_valuation(
        annual_rent, owner_occupied=owner_occupied, concession_percent=percent
    )
    return {
        "valuation": valuation,
        "concession_percent": percent,
        "maintenance": valuation.annual_rent - valuation.after_maintenance,
        "concession": valuation.after_maintenance - valuation.annual_valuation,
        "fiscal_year": fiscal_year,
    }


def building_breakdown(*, units, fiscal_year: str) -> dict:
    """A building valued unit by unit (tax.building_valuation) under `fiscal_year`'s
    schedule: each unit's valuation_breakdown and the sums (the assessor's preview and
    record pages)."""
    percent = concession_percent(fiscal_year)
    building = tax.building_valuation(units, concession_percent=percent)
    rows = [
        {
            "unit": unit,
            "use_label": Use(unit.use).label,
            "maintenance": valued.annual_rent - valued.after_maintenance,
            "concession": valued.after_maintenance - valued.annual_valuation,
            "valuation": valued,
        }
        for unit, valued in building.units
    ]
    return {
        "units": rows,
        "annual_rent": building.annual_rent,
        "annual_valuation": building.annual_valuation,
        "concession_percent": percent,
        "fiscal_year": fiscal_year,
    }


def assessment_breakdown(assessment: Assessment) -> dict:
    """How a recorded assessment was valued, in the shape of the preview."""
    fy = assessment.effective_fy
    units = list(assessment.units.all())
    if units:
        return building_breakdown(
            units=[tax.Unit(u.label, u.use, u.owner_occupied, u.annual_rent) for u in units],
            fiscal_year=fy,
        )
    if assessment.holding.use == Use.VACANT_LAND:
        return {"nominal": assessment.annual_valuation, "fiscal_year": fy}
    return valuation_breakdown(
        annual_rent=assessment.annual_rent,
        owner_occupied=assessment.owner_occupied,
        fiscal_year=fy,
    )


def _rent_basis(rent: Decimal, owner_occupied: bool, concession: Decimal) -> dict[str, str]:
    """One rent's way to a valuation in both languages (tax.annual_valuation's steps)."""
    v = tax.annual_valuation(rent, owner_occupied=owner_occupied, concession_percent=concession)
    bn = (
        f"বার্ষিক ভাড়া {format_amount(v.annual_rent, lang='bn')} থেকে রক্ষণাবেক্ষণ বাবদ "
        f"এক-ষষ্ঠাংশ (দুই মাসের ভাড়া) বাদে {format_amount(v.after_maintenance, lang='bn')}"
    )
    en = (
        f"yearly rent {format_amount(v.annual_rent, lang='en')} less one sixth (two months' "
        f"rent) for maintenance = {format_amount(v.after_maintenance, lang='en')}"
    )
    if owner_occupied:
        pct = f"{Decimal(concession).normalize():f}"
        bn += (
            f"; মালিক নিজে বসবাস করায় {to_bengali_digits(pct)}% ছাড় বাদে "
            f"{format_amount(v.annual_valuation, lang='bn')}"
        )
        en += f"; owner-occupied, {pct}% less = {format_amount(v.annual_valuation, lang='en')}"
    return {"bn": bn, "en": en}


def valuation_basis(demand: Demand, assessment: Assessment | None) -> dict[str, str]:
    """How a demand's annual valuation was made, {"bn": ..., "en": ...}, for the pages and
    documents in the reader's language: one rent, unit by unit, or vacant land's flat tax
    or nominal valuation."""
    value = demand.annual_valuation
    flat_vacant = (
        demand.holding.use == Use.VACANT_LAND
        and demand.schedule.vacant_land_basis == VacantLandBasis.FLAT
    )
    if assessment is None or flat_vacant:
        return {
            "bn": "খালি জমি: এ বছরের তফসিলে নির্ধারিত বার্ষিক কর (মূল্যায়ন প্রযোজ্য নয়)",
            "en": "Vacant land: the flat yearly tax of this year's schedule (no valuation)",
        }
    if assessment.annual_valuation != value:  # the assessment was revised since
        return {
            "bn": "দাবি তৈরির সময়ের মূল্যায়ন (পরে মূল্যায়নটি সংশোধিত হয়েছে)",
            "en": "the valuation when the demand was made (the assessment was revised since)",
        }
    return assessment_basis(assessment)


def assessment_basis(assessment: Assessment) -> dict[str, str]:
    """How an assessment valued the holding, {"bn": ..., "en": ...}: one rent, unit by
    unit, or vacant land's nominal valuation (the statement, the notice and the assessor's
    history read it in the reader's language)."""
    value = assessment.annual_valuation
    if assessment.holding.use == Use.VACANT_LAND:
        return {
            "bn": f"খালি জমির নামমাত্র বার্ষিক মূল্যায়ন {format_amount(value, lang='bn')}",
            "en": f"vacant land at a nominal annual valuation of {format_amount(value, lang='en')}",
        }
    concession = concession_percent(assessment.effective_fy)
    units = list(assessment.units.all())
    if not units:
        return _rent_basis(assessment.annual_rent, assessment.owner_occupied, concession)
    parts = [
        (
            unit,
            _rent_basis(unit.annual_rent, unit.owner_occupied, concession),
        )
        for unit in units
    ]
    occupancy = {True: ("মালিকের নিজের", "owner-occupied"), False: ("ভাড়া দেওয়া", "let")}
    bn = "; ".join(
        f"{unit.label} ({occupancy[unit.owner_occupied][0]}): {text['bn']}" for unit, text in parts
    )
    en = "; ".join(
        f"{unit.label} ({occupancy[unit.owner_occupied][1]}): {text['en']}" for unit, text in parts
    )
    return {
        "bn": f"{bn}; ইউনিটগুলোর যোগফল {format_amount(value, lang='bn')}",
        "en": f"{en}; the units together = {format_amount(value, lang='en')}",
    }


def find_holding(ward, number) -> Holding:
    """The holding by ward (a Ward or its number) and holding number, as typed: one query
    when it exists; "unknown_ward" or "unknown_holding" when it does not."""
    number = normalize_holding_number(number)
    by_ward = {"ward": ward} if isinstance(ward, Ward) else {"ward__number": ward_number(ward)}
    try:
        return Holding.objects.select_related("ward").get(number=number, **by_ward)
    except Holding.DoesNotExist:
        ward = ward if isinstance(ward, Ward) else ward_by_number(ward)
        raise ValidationError(
            _("No holding %(number)s is registered in ward %(ward)s.")
            % {"number": localize_digits(number), "ward": localize_digits(ward.number)},
            code="unknown_holding",
        ) from None
