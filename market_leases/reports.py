"""The estate officer's reports (reads only, set-based: grouped queries, never one per shop).

- `rent_collection`: per market and month, the rent billed for the month (the demand: the
  month's RentMonth rows), the part of it paid (months marked paid by their bill's payment;
  a voided payment puts them back) and what is outstanding. Surcharges are not in these
  figures: they are reckoned on the day a bill is made, not billed with the month. 2 queries.
- `arrears`: allotments with months of rent unpaid past their due date — how many months,
  how much rent, the oldest month. 1 query for a page, 1 for the totals.
- `vacant_shops`: shops no allotment holds, with when they became vacant when the register
  knows it (the last status change that ended an allotment of the shop). 1 query for a
  page, 1 for the summary per market.
- `renewals_due`: allotments whose agreement ends within some days, and expired ones still
  renewable (nobody else holds the shop). 1 query for a page.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.digits import to_ascii_digits

from .models import Allotment, AllotmentStatusChange, Bid, Market, RentMonth, Shop, Tender
from .numbers import normalize_shop_number

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(ZERO)


def _sum(expression, **extra):
    return Coalesce(Sum(expression, **extra), Value(ZERO), output_field=MONEY_FIELD)


# --- demand and collection --------------------------------------------------------------------


@dataclass
class CollectionTotal:
    months: int
    demand: Decimal
    collected: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.demand - self.collected


def _rent_months(*, start=None, end=None, market: Market | None = None) -> QuerySet[RentMonth]:
    qs = RentMonth.objects.all()
    if start:
        qs = qs.filter(period__gte=start)
    if end:
        qs = qs.filter(period__lte=end)
    if market is not None:
        qs = qs.filter(allotment__shop__market=market)
    return qs


#: A month's rent counts as collected when paid, or set against the security deposit of an
#: allotment cancelled for arrears (money the city holds already).
COLLECTED = Q(status__in=[RentMonth.Status.PAID, RentMonth.Status.SET_OFF])


def rent_collection(*, start=None, end=None, market: Market | None = None):
    """Per market and month (newest month first): `months` (rents billed), `demand`,
    `collected` and `outstanding` (Decimal), with the market's id and names — one grouped
    query, paginated as it is."""
    return (
        _rent_months(start=start, end=end, market=market)
        .order_by()
        .values(
            "period",
            market_id=F("allotment__shop__market_id"),
            market_bn=F("allotment__shop__market__name_bn"),
            market_en=F("allotment__shop__market__name_en"),
        )
        .annotate(
            months=Count("pk"),
            demand=_sum("rent"),
            collected=_sum("rent", filter=COLLECTED),
        )
        .annotate(
            outstanding=ExpressionWrapper(F("demand") - F("collected"), output_field=MONEY_FIELD)
        )
        .order_by("-period", "market_en", "market_bn", "market_id")
    )


def rent_collection_total(*, start=None, end=None, market: Market | None = None):
    """The same figures for everything the filters take (one query)."""
    totals = _rent_months(start=start, end=end, market=market).aggregate(
        months=Count("pk"),
        demand=_sum("rent"),
        collected=_sum("rent", filter=COLLECTED),
    )
    return CollectionTotal(
        months=totals["months"] or 0,
        demand=_money(totals["demand"]),
        collected=_money(totals["collected"]),
    )


# --- arrears ----------------------------------------------------------------------------------

ARREARS_ORDERS = {
    "months": ("-months", "-owed", "shop__market__name_en", "shop__number", "pk"),
    "amount": ("-owed", "-months", "shop__market__name_en", "shop__number", "pk"),
    "oldest": ("oldest", "-owed", "shop__market__name_en", "shop__number", "pk"),
    "shop": ("shop__market__name_en", "shop__market__name_bn", "shop__floor", "shop__number", "pk"),
}


def _lessee_or_shop(q: str) -> Q:
    """A search by shop number (typed any way), lessee name, mobile or NID."""
    text = q.strip()
    digits = to_ascii_digits(text)
    found = (
        Q(lessee__name_bn__icontains=text)
        | Q(lessee__name_en__icontains=text)
        | Q(shop__number__icontains=text)
    )
    with contextlib.suppress(ValidationError):
        found |= Q(shop__number=normalize_shop_number(text))
    if digits.isdigit():
        found |= Q(lessee__mobile__contains=digits) | Q(lessee__nid=digits)
    return found


def _allotments(*, market: Market | None, q: str, status: str) -> QuerySet[Allotment]:
    qs = Allotment.objects.all()
    if market is not None:
        qs = qs.filter(shop__market=market)
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(_lessee_or_shop(q))
    return qs


def arrears(
    *,
    today: datetime.date,
    market: Market | None = None,
    q: str = "",
    status: str = "",
    order: str = "months",
) -> QuerySet[Allotment]:
    """Allotments with rent unpaid past its due date: `months`, `owed` (rent, without
    surcharges) and `oldest` (the first unpaid month), the most months first unless `order`
    says otherwise (ARREARS_ORDERS)."""
    overdue = Q(rent_months__status=RentMonth.Status.DUE, rent_months__due_date__lt=today)
    return (
        _allotments(market=market, q=q, status=status)
        .annotate(
            months=Count("rent_months", filter=overdue),
            owed=_sum("rent_months__rent", filter=overdue),
            oldest=Min("rent_months__period", filter=overdue),
        )
        .filter(months__gt=0)
        .select_related("shop__market", "lessee")
        .order_by(*ARREARS_ORDERS.get(order, ARREARS_ORDERS["months"]))
    )


def arrears_total(
    *, today: datetime.date, market: Market | None = None, q: str = "", status: str = ""
) -> dict:
    """Allotments, months and rent of `arrears(...)` with the same filters (one query)."""
    totals = RentMonth.objects.filter(
        status=RentMonth.Status.DUE,
        due_date__lt=today,
        allotment__in=_allotments(market=market, q=q, status=status).values("pk"),
    ).aggregate(
        allotments=Count("allotment_id", distinct=True), months=Count("pk"), owed=_sum("rent")
    )
    return {
        "allotments": totals["allotments"] or 0,
        "months": totals["months"] or 0,
        "owed": _money(totals["owed"]),
    }


# --- vacant shops -----------------------------------------------------------------------------

VACANT_ORDERS = {
    "shop": ("market__name_en", "market__name_bn", "floor", "number", "pk"),
    "since": (F("vacant_since").asc(nulls_first=True), "market__name_en", "floor", "number"),
    "area": ("-area_sqft", "market__name_en", "floor", "number", "pk"),
}


def vacant_shops(
    *,
    market: Market | None = None,
    floor: int | None = None,
    kind: str = "",
    q: str = "",
    order: str = "shop",
) -> QuerySet[Shop]:
    """Shops no allotment holds (none pending payment or active), each with `vacant_since`:
    when the last allotment of the shop ended (expired, cancelled), or None when the shop has
    had no allotment in the portal."""
    live = Allotment.objects.filter(shop=OuterRef("pk"), status__in=Allotment.OCCUPYING)
    ended = (
        AllotmentStatusChange.objects.filter(allotment__shop=OuterRef("pk"))
        .exclude(to_status__in=Allotment.OCCUPYING)
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1]
    )
    qs = Shop.objects.filter(~Exists(live))
    if market is not None:
        qs = qs.filter(market=market)
    if floor is not None:
        qs = qs.filter(floor=floor)
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        text = q.strip()
        try:
            number = normalize_shop_number(text)
        except ValidationError:
            number = text
        qs = qs.filter(Q(number=number) | Q(number__icontains=number))
    return (
        qs.select_related("market__ward")
        .annotate(vacant_since=Subquery(ended))
        .order_by(*VACANT_ORDERS.get(order, VACANT_ORDERS["shop"]))
    )


def vacant_by_market(shops: QuerySet[Shop]) -> list[dict[str, Any]]:
    """How many shops of `vacant_shops(...)` are vacant in each market, and their area (one
    grouped query)."""
    rows: Any = (
        shops.order_by()
        .values(
            "market_id",
            market_bn=F("market__name_bn"),
            market_en=F("market__name_en"),
        )
        .annotate(shops=Count("pk"), area=Sum("area_sqft"))
        .order_by("market_en", "market_bn", "market_id")
    )
    return [dict(row) for row in rows]


# --- agreements ending ------------------------------------------------------------------------


def renewals_due(
    *,
    today: datetime.date,
    within_days: int,
    market: Market | None = None,
    q: str = "",
    which: str = "",
) -> QuerySet[Allotment]:
    """Active allotments whose agreement ends within `within_days` of today, and expired
    ones whose shop nobody else holds (they can be renewed), the soonest end first. `which`:
    "ending" (active only), "expired", or both."""
    horizon = today + datetime.timedelta(days=within_days)
    ending = Q(status=Allotment.Status.ACTIVE, ends_on__lte=horizon)
    expired = Q(status=Allotment.Status.EXPIRED)
    taken = Allotment.objects.filter(shop=OuterRef("shop"), status__in=Allotment.OCCUPYING).exclude(
        pk=OuterRef("pk")
    )
    wanted = {"ending": ending, "expired": expired}.get(which, ending | expired)
    qs = Allotment.objects.filter(wanted).exclude(
        Q(status=Allotment.Status.EXPIRED) & Exists(taken)
    )
    if market is not None:
        qs = qs.filter(shop__market=market)
    if q.strip():
        qs = qs.filter(_lessee_or_shop(q))
    return qs.select_related("shop__market", "lessee").order_by(
        "ends_on", "shop__market__name_en", "shop__number", "pk"
    )


# --- ijara results per year against the reserve --------------------------------------------------

#: Tenders whose bids are open (amounts revealed): the only ones a report shows.
OPENED_TENDERS = ("opened", "offered", "leased", "khas")


def ijara_results(*, year: int | None = None, ward: Any = None) -> QuerySet[Tender]:
    """Every tender opened (its bids revealed), with the winning bid — the one offered or
    leased — and how many bids were valid; a tender still sealed is never here."""
    winning = Bid.objects.filter(
        tender=OuterRef("pk"), status__in=[Bid.Status.OFFERED, Bid.Status.LEASED]
    ).order_by("rank")
    valid = ~Q(bids__status__in=[Bid.Status.SUBMITTED, Bid.Status.INVALID])
    rows = (
        Tender.objects.filter(status__in=OPENED_TENDERS)
        .select_related("site__ward")
        .annotate(
            winning_bid=Subquery(winning.values("amount")[:1]),
            valid_bids=Count("bids", filter=valid),
        )
        .order_by("-year", "site__ward__number", "site__name_en", "pk")
    )
    if year:
        rows = rows.filter(year=year)
    if ward is not None:
        rows = rows.filter(site__ward=ward)
    return rows


def against_reserve(tender: Any) -> Decimal | None:
    """The winning bid as a per cent of the reserve price (None without a winner)."""
    if tender.winning_bid is None or not tender.reserve_price:
        return None
    return (Decimal(tender.winning_bid) * 100 / tender.reserve_price).quantize(Decimal("0.1"))
