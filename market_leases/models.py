"""Market shops and leases: the register of markets and their shops, the rent schedules per
market and floor and the city's lease rules (both with effective dates, old rows kept), the
lessees, and the allotments of shops to lessees with their status history. Money: Decimal,
two places; areas in square feet. The arithmetic is market_leases/rent.py; every write is in
market_leases/services/.

Service apps never import each other's models: an allotment records the lessee's trade
licence by its number, checked through trade_licenses.public when the shop is allotted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.digits import localize_digits
from core.models import StatusChangeBase
from core.money import DecimalDigits
from core.storage import private_storage
from core.validators import validate_mobile, validate_nid

from . import rent as arithmetic
from .numbers import MAX_LENGTH as SHOP_NUMBER_LENGTH

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}
RATE: DecimalDigits = {"max_digits": 10, "decimal_places": 2}
PERCENT: DecimalDigits = {"max_digits": 5, "decimal_places": 2}
AREA: DecimalDigits = {"max_digits": 9, "decimal_places": 2}


def _bilingual(bn: str, en: str) -> str:
    if (get_language() or "bn").startswith("bn"):
        return bn or en
    return en or bn


def floor_label(floor: int) -> str:
    """The floor's name: "Ground floor", "Floor 2" (Bengali digits in Bengali)."""
    if floor == 0:
        return str(_("Ground floor"))
    return str(_("Floor %(floor)s") % {"floor": localize_digits(floor)})


# --- the register -----------------------------------------------------------------------------


class Market(models.Model):
    """A market the city corporation owns, in a ward; its floors are numbered from 0 (the
    ground floor) to floors − 1."""

    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    name_bn = models.CharField(_("name (Bengali)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    floors = models.PositiveSmallIntegerField(
        _("floors"), default=1, help_text=_("How many floors, the ground floor included.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ward__number", "name_en", "pk"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        constraints = [
            models.UniqueConstraint(fields=["ward", "name_bn"], name="market_name_unique_in_ward"),
            models.CheckConstraint(
                condition=Q(floors__gte=1) & Q(floors__lte=50), name="market_floors_1_to_50"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_bn

    @property
    def name(self) -> str:
        return _bilingual(self.name_bn, self.name_en)


class Shop(models.Model):
    """A shop (or stall, office, godown) in a market: its number, unique within the market
    in the canonical form of market_leases.numbers, its floor and its area."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        STALL = "stall", _("Stall")
        OFFICE = "office", _("Office")
        GODOWN = "godown", _("Godown")
        RESTAURANT = "restaurant", _("Restaurant")
        OTHER = "other", _("Other")

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="shops", verbose_name=_("market")
    )
    number = models.CharField(
        _("shop number"),
        max_length=SHOP_NUMBER_LENGTH,
        help_text=_("As painted on the shop: 12, A-12, 3/B (Bengali digits accepted)."),
    )
    floor = models.SmallIntegerField(_("floor"), default=0, help_text=_("0 is the ground floor."))
    area_sqft = models.DecimalField(_("area (sq ft)"), **AREA)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SHOP)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["market", "floor", "number"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "number"], name="shop_number_unique_in_market"
            ),
            models.CheckConstraint(condition=Q(area_sqft__gt=0), name="shop_area_positive"),
            models.CheckConstraint(condition=Q(floor__gte=0), name="shop_floor_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.number}"

    @property
    def floor_label(self) -> str:
        return floor_label(self.floor)

    def clean(self) -> None:
        from .numbers import normalize_shop_number

        errors: dict[str, list[str]] = {}
        if self.number:
            try:
                self.number = normalize_shop_number(self.number)
            except ValidationError as e:
                errors["number"] = e.messages
        market = Market.objects.filter(pk=self.market_id).first() if self.market_id else None
        if market is not None and self.floor is not None and self.floor >= market.floors:
            errors["floor"] = [
                str(
                    _("%(market)s has %(floors)s floor(s): 0 (ground) to %(top)s.")
                    % {
                        "market": market.name,
                        "floors": localize_digits(market.floors),
                        "top": localize_digits(market.floors - 1),
                    }
                )
            ]
        if errors:
            raise ValidationError(errors)


# --- rates and rules --------------------------------------------------------------------------


class RentSchedule(models.Model):
    """A market floor's rates from `effective_from` until the next schedule for that floor
    (revised every five years, by the city's order): rent per square foot a month, salami per
    square foot, and the security deposit in months of rent. A month's rent is charged under
    the schedule in force on the month's first day. Old schedules are kept; officers edit
    them in the admin (every change audited)."""

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("market")
    )
    floor = models.SmallIntegerField(_("floor"), default=0, help_text=_("0 is the ground floor."))
    effective_from = models.DateField(_("in effect from"))
    rent_per_sqft = models.DecimalField(_("rent per sq ft a month"), **RATE)
    salami_per_sqft = models.DecimalField(_("salami per sq ft"), default=0, **RATE)
    deposit_months = models.PositiveSmallIntegerField(
        _("security deposit (months of rent)"), default=0
    )
    order_reference = models.CharField(
        _("order"), max_length=200, blank=True, help_text=_("The city's order setting the rates.")
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["market", "floor", "-effective_from"]
        verbose_name = _("rent schedule")
        verbose_name_plural = _("rent schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "floor", "effective_from"],
                name="one_rent_schedule_per_floor_and_day",
            ),
            models.CheckConstraint(
                condition=Q(rent_per_sqft__gte=0) & Q(salami_per_sqft__gte=0),
                name="rent_schedule_rates_not_negative",
            ),
            models.CheckConstraint(condition=Q(floor__gte=0), name="rent_schedule_floor_ok"),
            models.CheckConstraint(
                condition=Q(deposit_months__lte=120), name="rent_schedule_deposit_months_ok"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.market} {floor_label(self.floor)} {self.effective_from.isoformat()}"

    def as_schedule(self) -> arithmetic.Schedule:
        return arithmetic.Schedule(
            effective_from=self.effective_from,
            rent_per_sqft=self.rent_per_sqft,
            salami_per_sqft=self.salami_per_sqft,
            deposit_months=self.deposit_months,
        )

    def clean(self) -> None:
        market = Market.objects.filter(pk=self.market_id).first() if self.market_id else None
        if market is not None and self.floor is not None and self.floor >= market.floors:
            raise ValidationError(
                {
                    "floor": _("%(market)s has no floor %(floor)s.")
                    % {"market": market.name, "floor": localize_digits(self.floor)}
                }
            )


class LeaseRules(models.Model):
    """The city's lease rules from `effective_from` until the next row: when rent is due,
    the late surcharge, the transfer fee, when arrears allow cancelling, and for ijara VAT,
    income tax, the bid security and the reserve price's years. The same for every market
    and floor (rates per floor are RentSchedule's). Old rows are kept; officers edit them
    in the admin (every change audited)."""

    effective_from = models.DateField(_("in effect from"), unique=True)
    due_day = models.PositiveSmallIntegerField(
        _("rent due on day"), default=7, help_text=_("A month's rent is due on this day of it.")
    )
    surcharge_percent = models.DecimalField(
        # xgettext:no-python-format
        _("surcharge (% of the month's rent per month overdue)"),
        default=0,
        # xgettext:no-python-format
        help_text=_(
            "For each month or part of a month a month's rent is overdue: this percentage of "
            "that month's rent (never of a surcharge), plus the fixed amount below once "
            "(either may be 0)."
        ),
        **PERCENT,
    )
    surcharge_fixed = models.DecimalField(
        _("surcharge (fixed amount per overdue month)"), default=0, **MONEY
    )
    transfer_fee_months = models.PositiveSmallIntegerField(
        _("transfer fee (months of rent)"), default=14
    )
    cancellation_arrears_months = models.PositiveSmallIntegerField(
        _("cancellable after (months unpaid)"), default=3
    )
    vat_percent = models.DecimalField(
        # xgettext:no-python-format
        _("ijara VAT (% of the lease amount)"),
        default=15,
        **PERCENT,
    )
    income_tax_percent = models.DecimalField(
        # xgettext:no-python-format
        _("ijara income tax (% of the lease amount)"),
        default=5,
        **PERCENT,
    )
    bid_security_percent = models.DecimalField(
        # xgettext:no-python-format
        _("bid security (% of the bid)"),
        default=25,
        **PERCENT,
    )
    reserve_years = models.PositiveSmallIntegerField(
        _("reserve price: average of the last (years)"), default=3
    )
    note = models.TextField(_("note (sources, orders)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("lease rules")
        verbose_name_plural = _("lease rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1) & Q(due_day__lte=28), name="lease_rules_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(surcharge_percent__gte=0)
                & Q(surcharge_percent__lte=100)
                & Q(vat_percent__gte=0)
                & Q(vat_percent__lte=100)
                & Q(income_tax_percent__gte=0)
                & Q(income_tax_percent__lte=100)
                & Q(bid_security_percent__gte=0)
                & Q(bid_security_percent__lte=100),
                name="lease_rules_percents",
            ),
            models.CheckConstraint(
                condition=Q(surcharge_fixed__gte=0), name="lease_rules_fixed_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cancellation_arrears_months__gte=1) & Q(reserve_years__gte=1),
                name="lease_rules_counts_sensible",
            ),
        ]

    def __str__(self) -> str:
        return self.effective_from.isoformat()

    def as_rules(self) -> arithmetic.Rules:
        return arithmetic.Rules(
            effective_from=self.effective_from,
            due_day=self.due_day,
            surcharge_percent=self.surcharge_percent,
            surcharge_fixed=self.surcharge_fixed,
            transfer_fee_months=self.transfer_fee_months,
            cancellation_arrears_months=self.cancellation_arrears_months,
            vat_percent=self.vat_percent,
            income_tax_percent=self.income_tax_percent,
            bid_security_percent=self.bid_security_percent,
            reserve_years=self.reserve_years,
        )


# --- lessees and allotments -------------------------------------------------------------------


class Lessee(models.Model):
    """A person a shop is (or may be) allotted to, identified by the NID."""

    nid = models.CharField(
        _("national ID number"), max_length=17, unique=True, validators=[validate_nid]
    )
    name_bn = models.CharField(_("name (Bengali)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mobile = models.CharField(
        _("mobile"),
        max_length=11,
        validators=[validate_mobile],
        db_index=True,
        help_text=_("Bills and notices are sent by SMS to this number."),
    )
    address = models.TextField(_("address"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="market_leases/lessees/", storage=private_storage, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_lessees",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("lessee")
        verbose_name_plural = _("lessees")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_bn="") | ~Q(name_en=""), name="lessee_has_a_name"
            )
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_bn

    @property
    def name(self) -> str:
        return _bilingual(self.name_bn, self.name_en)


class Allotment(models.Model):
    """A shop allotted to a lessee by a tender or a committee's decision, for an agreement
    period. The salami and security deposit are fixed when it is made (the schedule in force
    on the agreement's first day, or the tender's salami). At most one allotment of a shop
    is pending payment or active at a time (a partial unique constraint): that is what makes
    the shop occupied."""

    class Basis(models.TextChoices):
        TENDER = "tender", _("Tender")
        COMMITTEE = "committee", _("Committee decision")

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Waiting for salami and deposit")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Agreement expired")
        TRANSFERRED = "transferred", _("Transferred")
        CANCELLED = "cancelled", _("Cancelled")

    # Every move goes through services.allotment_set_status, which writes an
    # AllotmentStatusChange.
    TRANSITIONS = {
        # salami and deposit paid; or not paid / withdrawn
        Status.PENDING_PAYMENT: {Status.ACTIVE, Status.CANCELLED},
        # the agreement ran out; a name change; arrears or a breach; back to waiting when
        # the payment of the salami and deposit is voided (payments' on_reopened)
        Status.ACTIVE: {
            Status.EXPIRED,
            Status.TRANSFERRED,
            Status.CANCELLED,
            Status.PENDING_PAYMENT,
        },
        # renewed after it ran out (if nobody was allotted the shop meanwhile)
        Status.EXPIRED: {Status.ACTIVE},
        Status.TRANSFERRED: set(),
        Status.CANCELLED: set(),
    }
    #: The statuses that hold the shop (one allotment of a shop at most).
    OCCUPYING = (Status.PENDING_PAYMENT, Status.ACTIVE)

    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="allotments", verbose_name=_("shop")
    )
    lessee = models.ForeignKey(
        Lessee, on_delete=models.PROTECT, related_name="allotments", verbose_name=_("lessee")
    )
    basis = models.CharField(_("allotted by"), max_length=10, choices=Basis.choices)
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=200,
        help_text=_("The tender's or the committee meeting's memo number."),
    )
    decision_date = models.DateField(_("decision date"))
    starts_on = models.DateField(_("agreement starts"))
    ends_on = models.DateField(_("agreement ends"))
    salami = models.DecimalField(_("salami"), **MONEY)
    security_deposit = models.DecimalField(_("security deposit"), **MONEY)
    trade_licence_number = models.CharField(_("trade licence number"), max_length=40)
    trade_licence_valid_until = models.DateField(_("trade licence valid until"))
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("in this status since"), auto_now_add=True)
    allotted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allotted by"),
    )
    # Printed as a QR code on the allotment letter (/verify/<code>/).
    verify_code = models.CharField(max_length=16, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shop", "-starts_on", "-pk"]
        verbose_name = _("allotment")
        verbose_name_plural = _("allotments")
        constraints = [
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(status__in=["pending_payment", "active"]),
                name="one_live_allotment_per_shop",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="allotment_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(salami__gte=0) & Q(security_deposit__gte=0),
                name="allotment_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop} — {self.lessee}"


class AllotmentStatusChange(StatusChangeBase):
    """One move of an allotment's status: from, to, why, who and when (append-only)."""

    allotment = models.ForeignKey(
        Allotment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("status before"), max_length=16, choices=Allotment.Status.choices, blank=True
    )
    to_status = models.CharField(_("status after"), max_length=16, choices=Allotment.Status.choices)

    class Meta:
        ordering = ["allotment", "changed_at", "pk"]
        verbose_name = _("allotment status change")
        verbose_name_plural = _("allotment status changes")

    def __str__(self) -> str:
        return f"{self.allotment_id} {self.from_status or '—'} → {self.to_status}"


from .billing_models import RentMonth, RentRun  # noqa: E402,F401
from .casework_models import ArrearsCase, Transfer  # noqa: E402,F401
from .ijara_models import Bid, IjaraSite, PastLease, SchedulePurchase, Tender  # noqa: E402,F401
