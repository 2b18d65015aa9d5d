"""Water bills: the register of connections (with their status history) and meters, the
meter readings, and the tariffs with their effective dates. Money: Decimal, two places;
quantities: whole cubic metres (1 m³ = 1,000 litres, the unit tariffs are priced in). The
arithmetic is water_billing/tariff.py; every write is in water_billing/services/.

Service apps never import each other's models: a connection names its holding by ward and
holding number, checked through holdings.public when it is registered.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import StatusChangeBase
from core.money import DecimalDigits
from core.storage import private_storage

from . import tariff as arithmetic
from .defaults import DEFAULT_DIAL_DIGITS, PIPE_DIAMETERS_MM

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}
PERCENT: DecimalDigits = {"max_digits": 5, "decimal_places": 2}
PRICE: DecimalDigits = {"max_digits": 10, "decimal_places": 2}


class Category(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    INDUSTRIAL = "industrial", _("Industrial")
    INSTITUTIONAL = "institutional", _("Institutional")
    EXEMPT = "exempt", _("Exempt")


#: Pipe diameters in millimetres with the inch size plumbers say.
_INCHES = {12: "½″", 20: "¾″", 25: "1″", 40: "1½″", 50: "2″", 80: "3″", 100: "4″"}
PIPE_CHOICES = [(d, f"{d} mm ({_INCHES.get(d, '')})") for d in PIPE_DIAMETERS_MM]


# --- the register -----------------------------------------------------------------------------


class Connection(models.Model):
    """A water connection, identified by its consumer number (the city's format, see
    water_billing.numbers), on a registered holding."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        ACTIVE = "active", _("Active")
        DISCONNECTED = "disconnected", _("Disconnected")
        CLOSED = "closed", _("Closed")

    # Every move goes through services.connection_set_status, which writes a StatusChange.
    TRANSITIONS = {
        Status.APPLIED: {Status.ACTIVE, Status.CLOSED},  # connected, or the application dropped
        Status.ACTIVE: {Status.DISCONNECTED, Status.CLOSED},  # for arrears, or on request
        Status.DISCONNECTED: {Status.ACTIVE, Status.CLOSED},  # reconnected after paying
        Status.CLOSED: set(),
    }

    consumer_no = models.CharField(_("consumer number"), max_length=20, unique=True)
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    holding_number = models.CharField(
        _("holding number"),
        max_length=20,
        help_text=_("The holding in the ward this connection supplies, as the register has it."),
    )
    name_bn = models.CharField(_("consumer's name (Bengali)"), max_length=200, blank=True)
    name_en = models.CharField(_("consumer's name (English)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    category = models.CharField(
        _("category"), max_length=15, choices=Category.choices, default=Category.RESIDENTIAL
    )
    pipe_diameter_mm = models.PositiveSmallIntegerField(
        _("pipe diameter"), choices=PIPE_CHOICES, default=12
    )
    metered = models.BooleanField(
        _("metered"),
        default=True,
        help_text=_("Unmetered connections pay the flat monthly charge for their pipe."),
    )
    sewerage = models.BooleanField(_("sewerage connected"), default=False)
    billing_mobile = models.CharField(
        _("mobile for bills"),
        max_length=11,
        blank=True,
        db_index=True,
        help_text=_("Bills and reminders are sent by SMS to this number."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="water_connections",
        verbose_name=_("portal account"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    connected_on = models.DateField(_("connected on"), null=True, blank=True)
    # The meter reader's route: the ward's block and the place in the walk through it.
    block = models.CharField(_("block"), max_length=20, blank=True)
    walk_order = models.PositiveIntegerField(
        _("walking order"),
        default=0,
        help_text=_("The connection's place on the meter reader's walk through the block."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consumer_no"]
        verbose_name = _("water connection")
        verbose_name_plural = _("water connections")
        indexes = [
            models.Index(fields=["ward", "holding_number"], name="water_conn_holding"),
            models.Index(fields=["ward", "block", "walk_order"], name="water_conn_route"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pipe_diameter_mm__gt=0), name="water_pipe_diameter_positive"
            )
        ]

    def __str__(self) -> str:
        return self.consumer_no

    @property
    def name(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn

    def clean(self) -> None:
        from core.validators import normalize_mobile

        from .numbers import normalize_consumer_no

        errors = {}
        if self.consumer_no:
            try:
                self.consumer_no = normalize_consumer_no(self.consumer_no)
            except ValidationError as e:
                errors["consumer_no"] = e.messages
        if self.billing_mobile:
            try:
                self.billing_mobile = normalize_mobile(self.billing_mobile)
            except ValidationError as e:
                errors["billing_mobile"] = e.messages
        if errors:
            raise ValidationError(errors)


class StatusChange(StatusChangeBase):
    """One move of a connection's status: from, to, why, who and when (append-only)."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("status before"), max_length=12, choices=Connection.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("status after"), max_length=12, choices=Connection.Status.choices
    )

    class Meta:
        ordering = ["connection", "changed_at", "pk"]
        verbose_name = _("connection status change")
        verbose_name_plural = _("connection status changes")

    def __str__(self) -> str:
        return f"{self.connection} {self.from_status or '—'} → {self.to_status}"


class Meter(models.Model):
    """A meter on a connection, from its installation (initial reading) until it is removed
    (final reading). At most one meter per connection is in place (not removed)."""

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="meters")
    serial = models.CharField(_("serial number"), max_length=40, db_index=True)
    installed_on = models.DateField(_("installed on"))
    initial_reading = models.PositiveBigIntegerField(_("initial reading (m³)"), default=0)
    dial_digits = models.PositiveSmallIntegerField(
        _("dial digits"),
        default=DEFAULT_DIAL_DIGITS,
        help_text=_("How many digits the meter counts before it rolls over to 0 (5: 99,999)."),
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    final_reading = models.PositiveBigIntegerField(_("final reading (m³)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connection", "installed_on", "pk"]
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(removed_on__isnull=True),
                name="one_meter_in_place_per_connection",
            ),
            models.CheckConstraint(
                condition=Q(dial_digits__gte=3) & Q(dial_digits__lte=9),
                name="meter_dial_digits_3_to_9",
            ),
            models.CheckConstraint(
                condition=(Q(removed_on__isnull=True) & Q(final_reading__isnull=True))
                | (Q(removed_on__isnull=False) & Q(final_reading__isnull=False)),
                name="meter_removed_with_final_reading",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("installed_on")),
                name="meter_removed_after_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.serial}"

    @property
    def in_place(self) -> bool:
        return self.removed_on is None

    def clean(self) -> None:
        top = 10 ** (self.dial_digits or DEFAULT_DIAL_DIGITS)
        errors = {}
        if self.initial_reading is not None and self.initial_reading >= top:
            errors["initial_reading"] = _("The reading has more digits than the meter's dials.")
        if self.final_reading is not None and self.final_reading >= top:
            errors["final_reading"] = _("The reading has more digits than the meter's dials.")
        if errors:
            raise ValidationError(errors)


class Reading(models.Model):
    """A connection's meter reading for one billing month (`period`, its first day), or the
    month's estimate when no reading came. `consumption` is what it measured since the
    previous actual reading (or the estimate); `billable` what the month's bill charges
    after the true-up of estimated months and any credit (water_billing.tariff.billable);
    `credit_after` the cubic metres carried to the next month."""

    class Status(models.TextChoices):
        OK = arithmetic.OK, _("Read")
        ROLLOVER = arithmetic.ROLLOVER, _("Meter rolled over")
        REPLACED = arithmetic.REPLACED, _("Meter replaced")
        HELD = arithmetic.HELD, _("Held for review")
        FLAGGED = arithmetic.FLAGGED, _("Flagged for the water officer")
        ESTIMATED = arithmetic.ESTIMATED, _("Estimated")

    class Source(models.TextChoices):
        READER_PHONE = "reader_phone", _("Meter reader's phone")
        HANDHELD = "handheld", _("Handheld import")
        OFFICE = "office", _("Office")
        ESTIMATE = "estimate", _("Estimated by the system")

    #: Readings that measured something and passed (or were let through) the checks: the
    #: history the average is taken over and the previous reading the next one is read from.
    MEASURED = (Status.OK, Status.ROLLOVER, Status.REPLACED, Status.FLAGGED)

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="readings")
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, null=True, blank=True, related_name="readings"
    )
    period = models.DateField(_("billing month"), help_text=_("The first day of the month."))
    value = models.PositiveBigIntegerField(_("reading (m³)"), null=True, blank=True)
    read_on = models.DateField(_("read on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    flag = models.CharField(_("flag"), max_length=10, blank=True)  # tariff.SPIKE / ZERO_USE
    consumption = models.PositiveBigIntegerField(_("consumption (m³)"), null=True, blank=True)
    billable = models.PositiveBigIntegerField(_("billable (m³)"), null=True, blank=True)
    credit_after = models.PositiveBigIntegerField(_("credit carried (m³)"), default=0)
    explanation_data = models.JSONField(default=list, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    photo = models.ImageField(
        _("photo of the meter"), upload_to="water/readings/", storage=private_storage, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connection", "-period"]
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        constraints = [
            # One reading per connection and month, actual or estimated.
            models.UniqueConstraint(
                fields=["connection", "period"], name="one_reading_per_connection_month"
            ),
            models.CheckConstraint(
                condition=Q(status="estimated") | Q(value__isnull=False),
                name="actual_reading_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.period:%Y-%m} {self.value}"

    @property
    def explanation_text(self) -> str:
        from core.explain import explain

        return explain(self.explanation_data)


# --- tariffs ----------------------------------------------------------------------------------


class WaterTariff(models.Model):
    """The water rules from `effective_from` until the next tariff takes effect (any day of
    the year). A month spanning a change is charged pro rata by days. Officers add a new
    tariff when the rates change and edit them in the admin (every change audited); old
    tariffs are kept, as months billed under them were made by them."""

    effective_from = models.DateField(_("in effect from"), unique=True)
    minimum_charge = models.DecimalField(
        _("minimum monthly charge (metered)"),
        default=0,
        help_text=_("A metered connection's water charge is raised to this for a whole month."),
        **MONEY,
    )
    sewerage_percent = models.DecimalField(
        # xgettext:no-python-format
        _("sewerage (% of the water charge)"),
        default=100,
        max_digits=6,
        decimal_places=2,
    )
    late_fee_percent = models.DecimalField(
        # xgettext:no-python-format
        _("late fee (% of the overdue bill)"),
        default=0,
        # xgettext:no-python-format
        help_text=_(
            "Charged once on the next bill when a bill is not paid by its due date: this "
            "percentage of the overdue amount plus the fixed amount below (either may be 0)."
        ),
        **PERCENT,
    )
    late_fee_fixed = models.DecimalField(_("late fee (fixed amount)"), default=0, **MONEY)
    vat_percent = models.DecimalField(
        # xgettext:no-python-format
        _("VAT (%)"),
        default=0,
        **PERCENT,
    )
    due_days = models.PositiveSmallIntegerField(
        _("bill due (days after the bill date)"), default=15
    )
    spike_multiple = models.DecimalField(
        _("flag consumption above (× the average)"), default=3, max_digits=4, decimal_places=1
    )
    average_months = models.PositiveSmallIntegerField(
        _("average over (months)"), default=6, help_text=_("For spikes and estimates.")
    )
    disconnection_arrears_months = models.PositiveSmallIntegerField(
        _("disconnect after (months unpaid)"), default=3
    )
    road_cutting_fee = models.DecimalField(_("road-cutting fee"), default=0, **MONEY)
    reconnection_fee = models.DecimalField(_("reconnection fee"), default=0, **MONEY)
    note = models.TextField(_("note (sources, orders)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("water tariff")
        verbose_name_plural = _("water tariffs")
        constraints = [
            models.CheckConstraint(
                condition=Q(late_fee_percent__gte=0)
                & Q(late_fee_percent__lte=100)
                & Q(vat_percent__gte=0)
                & Q(vat_percent__lte=100)
                & Q(sewerage_percent__gte=0)
                & Q(sewerage_percent__lte=500),
                name="water_tariff_percents",
            ),
            models.CheckConstraint(
                condition=Q(minimum_charge__gte=0)
                & Q(late_fee_fixed__gte=0)
                & Q(road_cutting_fee__gte=0)
                & Q(reconnection_fee__gte=0),
                name="water_tariff_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(spike_multiple__gt=1) & Q(average_months__gte=1),
                name="water_tariff_checks_sensible",
            ),
        ]

    def __str__(self) -> str:
        return self.effective_from.isoformat()

    def as_tariff(self) -> arithmetic.Tariff:
        """The tariff as the arithmetic takes it (prices and pipes from its rows)."""
        pipes = list(self.pipes.all())
        return arithmetic.Tariff(
            effective_from=self.effective_from,
            prices={p.category: Decimal(p.price) for p in self.prices.all()},
            minimum_charge=self.minimum_charge,
            sewerage_percent=self.sewerage_percent,
            flat_monthly={p.diameter_mm: p.flat_monthly for p in pipes},
            vat_percent=self.vat_percent,
            late_fee_percent=self.late_fee_percent,
            late_fee_fixed=self.late_fee_fixed,
            due_days=self.due_days,
            spike_multiple=self.spike_multiple,
            average_months=self.average_months,
            disconnection_arrears_months=self.disconnection_arrears_months,
            connection_fees={p.diameter_mm: p.connection_fee for p in pipes},
            road_cutting_fee=self.road_cutting_fee,
            reconnection_fee=self.reconnection_fee,
        )


class TariffPrice(models.Model):
    """Taka per 1,000 litres (one cubic metre) for one category under a tariff."""

    tariff = models.ForeignKey(WaterTariff, on_delete=models.CASCADE, related_name="prices")
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    price = models.DecimalField(_("price per 1,000 litres"), **PRICE)

    class Meta:
        ordering = ["tariff", "category"]
        verbose_name = _("price per 1,000 litres")
        verbose_name_plural = _("prices per 1,000 litres")
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "category"], name="one_water_price_per_category"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="water_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.tariff} {self.category} {self.price}"


class TariffPipe(models.Model):
    """What a pipe diameter pays under a tariff: the flat monthly charge of an unmetered
    connection and the one-time connection fee."""

    tariff = models.ForeignKey(WaterTariff, on_delete=models.CASCADE, related_name="pipes")
    diameter_mm = models.PositiveSmallIntegerField(_("pipe diameter"), choices=PIPE_CHOICES)
    flat_monthly = models.DecimalField(_("flat monthly charge (unmetered)"), **MONEY)
    connection_fee = models.DecimalField(_("connection fee"), **MONEY)

    class Meta:
        ordering = ["tariff", "diameter_mm"]
        verbose_name = _("charge by pipe diameter")
        verbose_name_plural = _("charges by pipe diameter")
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "diameter_mm"], name="one_water_charge_per_pipe"
            ),
            models.CheckConstraint(
                condition=Q(flat_monthly__gte=0) & Q(connection_fee__gte=0),
                name="water_pipe_charges_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tariff} {self.diameter_mm} mm"


# --- monthly bills (water_billing/billing_models.py) ------------------------------------------

# --- applications and disconnections (water_billing/application_models.py) -------------------
from .application_models import (  # noqa: E402, F401
    ConnectionApplication,
    ConnectionDocument,
    Disconnection,
    DocumentKind,
)
from .billing_models import BillingRun, WaterBill, WaterBillLine  # noqa: E402, F401
