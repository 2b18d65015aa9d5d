"""Trade-licence reports for licence and revenue officers: set-based aggregates, plain rows.

For one fiscal year, by ward (the premises' ward) and by business category (the category
applied for, else the business's):
- new: licences issued for new applications; renewed: for renewals; transfers;
  issued: all three together (current or replaced);
- late: renewal licences issued after the year's renewal deadline (the schedule's, or
  30 September when the year has no schedule yet) — those paid the late surcharge;
- pending: the year's applications not finished, by status (submitted, under inspection,
  waiting for approval, bill issued, paid);
- renewal rate: of the businesses holding a current licence last year, the share that
  also hold one this year (kept ÷ last year, half-up to one decimal).

Every figure comes from a fixed number of grouped queries (GROUP BY ward or category),
never from a query per licence, so the report costs the same for ten licences or a
hundred thousand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from core.fiscal import fiscal_year_start, previous_fiscal_year
from core.models import Ward

from .models import (
    Application,
    BusinessCategory,
    FeeSchedule,
    Licence,
    applied_category_code_expr,
)

S = Application.Status
K = Application.Kind
PENDING = (S.SUBMITTED, S.INSPECTION, S.APPROVAL, S.BILLED, S.PAID)
WARD, CATEGORY = "ward", "category"


@dataclass
class ReportRow:
    key: str  # the ward number or the category code; "" on the totals row
    label: str
    new: int = 0
    renewed: int = 0
    transfers: int = 0
    late: int = 0
    pending: dict[str, int] = field(default_factory=dict)
    last_year: int = 0
    kept: int = 0

    @property
    def issued(self) -> int:
        return self.new + self.renewed + self.transfers

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())

    @property
    def pending_list(self) -> list[int]:
        return [self.pending.get(status, 0) for status in PENDING]

    @property
    def renewal_rate(self) -> Decimal | None:
        """Percent of last year's licensed businesses licensed again; None if none."""
        if not self.last_year:
            return None
        return (Decimal(self.kept) * 100 / self.last_year).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def is_empty(self) -> bool:
        return not (self.issued or self.late or self.pending_total or self.last_year)

    def add(self, other: ReportRow) -> None:
        for name in ("new", "renewed", "transfers", "late", "last_year", "kept"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.pending.items():
            self.pending[status] = self.pending.get(status, 0) + n


@dataclass(frozen=True)
class LicenceReport:
    fiscal_year: str
    previous_year: str
    deadline: datetime.date
    by_ward: list[ReportRow]
    by_category: list[ReportRow]
    total: ReportRow


def renewal_deadline(fiscal_year: str) -> datetime.date:
    """The year's deadline from its schedule (read only; extensions by office order
    included), else 30 September."""
    schedule = FeeSchedule.objects.filter(fiscal_year=fiscal_year).first()
    if schedule is not None:
        return schedule.effective_renewal_deadline
    return datetime.date(fiscal_year_start(fiscal_year), 9, 30)


def _category_expr(prefix: str = ""):
    """The category applied for, else the business's (Application.applied_category_code)."""
    return applied_category_code_expr(prefix)


def _group_keys(by: str, licence: bool):
    if by == WARD:
        return F("business__ward_id")
    return _category_expr("application__" if licence else "")


#: What _collect groups by: a ward's id, or a category code (None: no ward or category).
GroupKey = int | str | None


def _collect(
    by: str, fiscal_year: str, previous: str, late_after: datetime.datetime
) -> dict[GroupKey, ReportRow]:
    """Three grouped queries: this year's licences, pending applications, last year's."""
    rows: dict[GroupKey, ReportRow] = {}

    def row(key: GroupKey) -> ReportRow:
        return rows.setdefault(key, ReportRow(key="", label=""))

    licences = (
        Licence.objects.filter(fiscal_year=fiscal_year)
        .order_by()
        .annotate(group=_group_keys(by, True), kind=F("application__kind"))
        .values("group", "kind")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(application__kind=K.RENEWAL, issued_at__gte=late_after)),
        )
    )
    for item in licences:
        r = row(item["group"])
        if item["kind"] == K.RENEWAL:
            r.renewed += item["n"]
        elif item["kind"] == K.TRANSFER:
            r.transfers += item["n"]
        else:
            r.new += item["n"]
        r.late += item["late"]

    pending = (
        Application.objects.filter(fiscal_year=fiscal_year, status__in=PENDING)
        .order_by()
        .annotate(group=_group_keys(by, False))
        .values("group", "status")
        .annotate(n=Count("pk"))
    )
    for waiting in pending:
        r = row(waiting["group"])
        r.pending[waiting["status"]] = r.pending.get(waiting["status"], 0) + waiting["n"]

    this_year = Licence.objects.filter(fiscal_year=fiscal_year).values("business_id")
    last = (
        Licence.objects.filter(fiscal_year=previous, is_current=True)
        .order_by()
        .annotate(group=_group_keys(by, True))
        .values("group")
        .annotate(
            n=Count("business", distinct=True),
            kept=Count("business", distinct=True, filter=Q(business_id__in=this_year)),
        )
    )
    for before in last:
        r = row(before["group"])
        r.last_year += before["n"]
        r.kept += before["kept"]
    return rows


def licence_report(fiscal_year: str) -> LicenceReport:
    """The year's figures by ward and by category, and the totals (9 queries)."""
    previous = previous_fiscal_year(fiscal_year)
    deadline = renewal_deadline(fiscal_year)
    late_after = timezone.make_aware(
        datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time.min)
    )

    by_ward_raw = _collect(WARD, fiscal_year, previous, late_after)
    by_category_raw = _collect(CATEGORY, fiscal_year, previous, late_after)

    by_ward = []
    for ward in Ward.objects.order_by("number"):
        r = by_ward_raw.pop(ward.pk, None)
        if r is not None and not r.is_empty:
            r.key, r.label = str(ward.number), ward.label
            by_ward.append(r)

    names: dict[str, str] = {}
    for category in BusinessCategory.objects.filter(
        schedule__fiscal_year__in=[fiscal_year, previous]
    ).order_by("schedule__fiscal_year"):
        names[category.code] = category.name  # this year's name wins (sorted last)
    by_category = []
    for code, r in sorted(
        by_category_raw.items(), key=lambda kv: names.get(str(kv[0] or ""), str(kv[0] or ""))
    ):
        if not r.is_empty:
            r.key, r.label = str(code or ""), names.get(str(code or ""), str(code or ""))
            by_category.append(r)

    total = ReportRow(key="", label="")
    for r in by_category:
        total.add(r)
    return LicenceReport(fiscal_year, previous, deadline, by_ward, by_category, total)
