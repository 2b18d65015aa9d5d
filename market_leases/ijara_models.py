"""Ijara: the lease of a haat, bazar, ghat, terminal or parking site for one Bengali year
(1 Boishakh to the last day of Chaitra) by sealed online tender. Imported by models.py.

- **IjaraSite** — the register of sites, each in a ward, with its past years' lease amounts
  (**PastLease**, one per Bengali year) from which the reserve price is made;
- **Tender** — one Bengali year's tender notice of a site: the schedule fee, the bid
  security's step (the security is 25% of the bid rounded *up* to it, so that what the
  bidder pays does not tell the bid), the bid window, the opening time, the reserve price
  (the average of the last three years, or the officer's figure with the reason);
- **SchedulePurchase** — a bidder's purchase of the tender's schedule (its fee, once per
  tender and bidder);
- **Bid** — a bidder's sealed bid: the amount is held only encrypted (`amount_sealed`,
  market_leases.sealing) until the opening writes it to `amount`.

Money: Decimal, two places. Every write is in market_leases/services/ijara.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import DecimalDigits

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


def _bilingual(bn: str, en: str) -> str:
    from django.utils.translation import get_language

    if (get_language() or "bn").startswith("bn"):
        return bn or en
    return en or bn


class IjaraSite(models.Model):
    """A site the city leases for a Bengali year at a time."""

    class Kind(models.TextChoices):
        HAAT = "haat", _("Haat")
        BAZAR = "bazar", _("Bazar")
        GHAT = "ghat", _("Ghat")
        TERMINAL = "terminal", _("Terminal")
        PARKING = "parking", _("Parking site")

    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_bn = models.CharField(_("name (Bengali)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ward__number", "name_en", "pk"]
        verbose_name = _("ijara site")
        verbose_name_plural = _("ijara sites")
        constraints = [
            models.UniqueConstraint(fields=["ward", "name_bn"], name="ijara_site_name_in_ward")
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_bn

    @property
    def name(self) -> str:
        return _bilingual(self.name_bn, self.name_en)


class PastLease(models.Model):
    """What a site was leased for in one Bengali year (the register's history)."""

    site = models.ForeignKey(
        IjaraSite, on_delete=models.PROTECT, related_name="past_leases", verbose_name=_("site")
    )
    year = models.PositiveSmallIntegerField(_("Bengali year"))
    amount = models.DecimalField(_("lease amount"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["site", "-year"]
        verbose_name = _("past lease amount")
        verbose_name_plural = _("past lease amounts")
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="past_lease_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="past_lease_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"


class Tender(models.Model):
    """A site's tender for one Bengali year."""

    class Status(models.TextChoices):
        OPEN = "open", _("Notice published")
        OPENED = "opened", _("Bids opened")
        OFFERED = "offered", _("Offered to the winner")
        LEASED = "leased", _("Leased")
        KHAS = "khas", _("Khas collection (no valid bid)")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey(
        IjaraSite, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("site")
    )
    year = models.PositiveSmallIntegerField(_("Bengali year"))
    reference = models.CharField(_("notice reference"), max_length=200)
    schedule_fee = models.DecimalField(_("schedule fee"), **MONEY)
    security_step = models.DecimalField(
        _("bid security rounded up to"),
        help_text=_(
            "The security is 25 per cent of the bid rounded up to a multiple of this, so the "
            "amount paid does not tell the bid."
        ),
        **MONEY,
    )
    bid_opens_at = models.DateTimeField(_("bids from"))
    bid_closes_at = models.DateTimeField(_("bids until"))
    opening_at = models.DateTimeField(_("opening"))
    reserve_average = models.DecimalField(_("average of the last years"), **MONEY)
    reserve_price = models.DecimalField(_("reserve price"), **MONEY)
    reserve_reason = models.TextField(_("why the reserve price differs"), blank=True)
    balance_days = models.PositiveSmallIntegerField(_("days to pay the balance"), default=7)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "site", "-pk"]
        verbose_name = _("ijara tender")
        verbose_name_plural = _("ijara tenders")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year"],
                condition=~Q(status="cancelled"),
                name="one_live_tender_per_site_and_year",
            ),
            models.CheckConstraint(
                condition=Q(bid_closes_at__gt=models.F("bid_opens_at"))
                & Q(opening_at__gte=models.F("bid_closes_at")),
                name="tender_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(schedule_fee__gte=0)
                & Q(security_step__gt=0)
                & Q(reserve_price__gt=0)
                & Q(reserve_average__gte=0),
                name="tender_amounts_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"


class SchedulePurchase(models.Model):
    """A bidder's purchase of a tender's schedule: its fee, paid once (bill due
    ``ijara:schedule:<tender>:<bidder>``); a bid counts only with the schedule paid."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="purchases")
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "bidder"], name="schedule_bought_once")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}/{self.bidder_id}"


class Bid(models.Model):
    """A bidder's sealed bid on a tender: one live bid per bidder and tender (a second is
    refused). The amount is encrypted in `amount_sealed` and written to `amount` only by the
    opening; `security` (the bid's 25% rounded up to the tender's step) is paid online (a
    bill) or, above the gateway's limit, by a bank pay order the officer confirms at the
    opening."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for payment")
        VALID = "valid", _("Paid, sealed until the opening")
        INVALID = "invalid", _("Invalid (not paid in time)")
        OFFERED = "offered", _("Won: balance to pay")
        LEASED = "leased", _("Leased")
        FORFEITED = "forfeited", _("Security forfeited (balance not paid)")
        LOST = "lost", _("Not successful")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online")
        PAY_ORDER = "pay_order", _("Bank pay order")

    class Refund(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("Refund under way")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Refund failed: to be done by hand")
        RETURN_PAY_ORDER = "pay_order", _("Pay order to be returned")
        FORFEITED = "forfeited", _("Forfeited")

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="bids", verbose_name=_("tender")
    )
    bidder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ijara_bids",
        verbose_name=_("bidder"),
    )
    amount_sealed = models.TextField(editable=False)
    amount = models.DecimalField(
        _("bid"), null=True, blank=True, editable=False, **MONEY
    )  # empty until the opening
    security = models.DecimalField(_("bid security"), **MONEY)
    method = models.CharField(_("security paid by"), max_length=10, choices=Method.choices)
    pay_order_number = models.CharField(_("pay order number"), max_length=40, blank=True)
    pay_order_bank = models.CharField(_("pay order bank"), max_length=120, blank=True)
    pay_order_confirmed = models.BooleanField(_("pay order confirmed"), default=False)
    security_paid_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    balance_due = models.DateField(_("balance due by"), null=True, blank=True)
    refund = models.CharField(
        _("security refund"), max_length=10, choices=Refund.choices, default="", blank=True
    )
    refund_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tender", "rank", "pk"]
        verbose_name = _("ijara bid")
        verbose_name_plural = _("ijara bids")
        constraints = [
            models.UniqueConstraint(fields=["tender", "bidder"], name="one_bid_per_bidder"),
            models.CheckConstraint(condition=Q(security__gt=0), name="bid_security_positive"),
        ]

    def __str__(self) -> str:  # never the amount
        return f"{self.tender} — #{self.pk}"
