"""The one module other services read holdings through (never its models or services):
is a holding registered, and does it owe holding tax? Checked by import-linter."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class HoldingCheck:
    found: bool
    has_dues: bool | None  # None when the holding is not registered
    label: str


def holding_check(*, ward, number) -> HoldingCheck:
    """Is holding `number` of ward `ward` registered, and does it owe holding tax now?"""
    from .selectors import find_holding, has_dues

    try:
        holding = find_holding(ward, number)
    except ValidationError:
        return HoldingCheck(False, None, f"{ward}/{number}")
    return HoldingCheck(True, has_dues(holding.pk), str(holding))


@dataclass(frozen=True)
class HoldingSummary:
    """A registered holding as another service records and shows it."""

    ward: int  # the ward's number
    number: str  # the holding number as the register writes it ("45/A")
    label_bn: str
    label_en: str
    owner_name_bn: str  # the first owner's names ("" when the holding has no owner yet)
    owner_name_en: str
    owner_mobiles: tuple[str, ...]


def holding_summary(*, ward, number) -> HoldingSummary:
    """The registered holding `number` of ward `ward` (a number, Bengali digits accepted):
    its register number and labels, and its owners' names and mobiles. A ValidationError
    with a translated message ("unknown_ward", "invalid_holding_number", "unknown_holding")
    when there is none."""
    from .selectors import find_holding

    holding = find_holding(ward, number)
    owners = list(holding.owners.all())
    first = owners[0] if owners else None
    return HoldingSummary(
        ward=holding.ward.number,
        number=holding.number,
        label_bn=holding.label_bn,
        label_en=holding.label_en,
        owner_name_bn=first.name_bn if first else "",
        owner_name_en=first.name_en if first else "",
        owner_mobiles=tuple(o.mobile for o in owners if o.mobile),
    )


def holdings_of_user(user) -> list[tuple[int, str]]:
    """The holdings linked to `user`'s account (an owner of them), as (ward number, holding
    number as the register writes it), in ward and number order."""
    from .selectors import holdings_of

    if not getattr(user, "is_authenticated", False):
        return []
    return [(h.ward.number, h.number) for h in holdings_of(user)]


@dataclass(frozen=True)
class RegisteredHolding:
    """A registered holding as another service's register (or demo data) lists it."""

    ward: int
    number: str
    use: str  # holdings' Use values: residential, commercial, mixed, industrial, vacant_land
    road: str
    mahalla: str
    owner_name_bn: str  # the first owner's ("" when none)
    owner_name_en: str
    owner_mobile: str


def registered_holdings(*, wards: list[int] | None = None) -> list[RegisteredHolding]:
    """The registered holdings (of `wards`, by number, when given) in ward and number order,
    each with its first owner: two queries whatever their number."""
    from django.db.models import Prefetch

    from .models import Holding, Owner

    holdings = Holding.objects.select_related("ward").order_by("ward__number", "number")
    if wards is not None:
        holdings = holdings.filter(ward__number__in=wards)
    holdings = holdings.prefetch_related(
        Prefetch("owners", queryset=Owner.objects.order_by("pk"), to_attr="owner_rows")
    )
    found = []
    for h in holdings:
        first = h.owner_rows[0] if h.owner_rows else None
        found.append(
            RegisteredHolding(
                ward=h.ward.number,
                number=h.number,
                use=h.use,
                road=h.road,
                mahalla=h.mahalla,
                owner_name_bn=first.name_bn if first else "",
                owner_name_en=first.name_en if first else "",
                owner_mobile=first.mobile if first else "",
            )
        )
    return found
