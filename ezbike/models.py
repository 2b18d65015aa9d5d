"""E-bikes: the register (owners, vehicles, drivers, licences per fiscal year with their
status history, RFID cards), the per-FY fee schedule with the fleet caps, and the
enforcement side (scan devices, sightings, and the status lookup the scan API reads).
Money: Decimal, two places. Every write is in ezbike/services/; the arithmetic is
ezbike/fees.py; numbers people type are read by ezbike/numbers.py.

Service apps never import each other's models; wards are core's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import StatusChangeBase
from core.money import DecimalDigits
from core.storage import private_storage

MONEY: DecimalDigits = {"max_digits": 12, "decimal_places": 2}


class VehicleType(models.TextChoices):
    PASSENGER = "passenger", _("Passenger")
    GOODS = "goods", _("Goods")


class _Named(models.Model):
    name_bn = models.CharField(_("name (Bengali)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn


# --- the register -----------------------------------------------------------------------------


class Owner(_Named):
    """A vehicle's owner: a permanent resident of the city — the ward of the address on
    the owner's NID must be one of the city's (services.owner_register checks it)."""

    nid = models.CharField(_("NID number"), max_length=17, unique=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, db_index=True)
    nid_address = models.CharField(_("address on the NID"), max_length=300, blank=True)
    nid_ward = models.ForeignKey(
        "core.Ward",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ward of the NID address"),
    )
    photo = models.ImageField(
        _("photo"), storage=private_storage, upload_to="ezbike/owners/", blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ezbike_owners",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nid"]
        verbose_name = _("e-bike owner")
        verbose_name_plural = _("e-bike owners")

    def __str__(self) -> str:
        return f"{self.name} ({self.nid})"


class Vehicle(models.Model):
    """A battery-run e-bike. Chassis and motor numbers are unique across the register
    (upper case, no spaces: ezbike.numbers). The blue book (licence) number and the plate
    number are given once, when its first licence is approved, and never change."""

    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("owner")
    )
    vehicle_type = models.CharField(
        _("type"), max_length=10, choices=VehicleType.choices, default=VehicleType.PASSENGER
    )
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    chassis_no = models.CharField(_("chassis number"), max_length=30, unique=True)
    motor_no = models.CharField(_("motor number"), max_length=30, unique=True)
    battery_count = models.PositiveSmallIntegerField(_("number of batteries"))
    maker = models.CharField(_("maker"), max_length=100, blank=True)
    licence_no = models.CharField(
        _("licence (blue book) number"), max_length=30, unique=True, null=True, blank=True
    )
    plate_no = models.CharField(
        _("number plate"), max_length=30, unique=True, null=True, blank=True
    )
    #: Printed as a QR code on the plate sticker and the blue book: /verify/<code>/ tells
    #: anyone the licence's status (nothing personal). Given with the numbers.
    verify_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("e-bike")
        verbose_name_plural = _("e-bikes")
        constraints = [
            models.CheckConstraint(
                condition=Q(battery_count__gt=0), name="ezbike_vehicle_batteries_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.plate_no or self.chassis_no


class Driver(_Named):
    """Someone who drives e-bikes: NID and driving licence. Drives one vehicle at a time
    (DriverAssignment)."""

    nid = models.CharField(_("NID number"), max_length=17, unique=True)
    driving_licence_no = models.CharField(_("driving licence number"), max_length=30, unique=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    photo = models.ImageField(
        _("photo"), storage=private_storage, upload_to="ezbike/drivers/", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nid"]
        verbose_name = _("e-bike driver")
        verbose_name_plural = _("e-bike drivers")

    def __str__(self) -> str:
        return f"{self.name} ({self.driving_licence_no})"


class DriverAssignment(models.Model):
    """A driver on a vehicle from `started_on` until `ended_on`; one open assignment per
    driver at most (a partial unique constraint)."""

    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="assignments")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["driver", "-started_on"]
        verbose_name = _("driver on a vehicle")
        verbose_name_plural = _("drivers on vehicles")
        constraints = [
            models.UniqueConstraint(
                fields=["driver"],
                condition=Q(ended_on__isnull=True),
                name="ezbike_driver_one_vehicle_at_a_time",
            ),
        ]


class Licence(models.Model):
    """A vehicle's licence for one fiscal year: the first year's (new) or a renewal. At
    most one per vehicle and year that is not rejected."""

    class Kind(models.TextChoices):
        NEW = "new", _("New licence")
        RENEWAL = "renewal", _("Renewal")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        WAITING = "waiting", _("Waiting for a place under the cap")
        APPROVED = "approved", _("Approved, licence fee due")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        SUSPENDED = "suspended", _("Suspended")
        SEIZED = "seized", _("Seized")
        REJECTED = "rejected", _("Rejected")

    # Every move goes through services.licence_set_status, which writes a StatusChange.
    TRANSITIONS = {
        Status.APPLIED: {Status.WAITING, Status.APPROVED, Status.REJECTED},
        Status.WAITING: {Status.APPROVED, Status.REJECTED},  # the queue moved, or dropped
        Status.APPROVED: {Status.ACTIVE, Status.REJECTED},  # licence fee paid, or never
        Status.ACTIVE: {Status.EXPIRED, Status.SUSPENDED, Status.SEIZED},
        Status.SUSPENDED: {Status.ACTIVE, Status.EXPIRED, Status.SEIZED},
        Status.SEIZED: {Status.ACTIVE, Status.EXPIRED},  # released against the fine
        Status.EXPIRED: set(),  # a renewal is the next year's licence
        Status.REJECTED: set(),
    }
    #: Statuses that hold a place under the fleet cap.
    HOLDS_PLACE = (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED, Status.SEIZED)
    #: Statuses of a licence that was issued (the scan status is read from the latest).
    ISSUED = (Status.ACTIVE, Status.SUSPENDED, Status.SEIZED, Status.EXPIRED)

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="licences")
    fiscal_year = models.CharField(_("fiscal year"), max_length=7)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NEW)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The next year's renewal deadline: after it the licence is expired."),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["vehicle", "-fiscal_year"]
        verbose_name = _("e-bike licence")
        verbose_name_plural = _("e-bike licences")
        indexes = [models.Index(fields=["fiscal_year", "status"], name="ezbike_lic_fy_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "fiscal_year"],
                condition=~Q(status="rejected"),
                name="ezbike_one_licence_per_vehicle_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.fiscal_year}"


class LicenceStatusChange(StatusChangeBase):
    """One move of a licence's status: from, to, why, who and when (append-only)."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("status before"), max_length=10, choices=Licence.Status.choices, blank=True
    )
    to_status = models.CharField(_("status after"), max_length=10, choices=Licence.Status.choices)

    class Meta:
        ordering = ["licence", "changed_at", "pk"]
        verbose_name = _("licence status change")
        verbose_name_plural = _("licence status changes")

    def __str__(self) -> str:
        return f"{self.licence} {self.from_status or '—'} → {self.to_status}"


class RfidCard(models.Model):
    """An RFID card bound to a vehicle's plate. A UID is in the register once, forever; a
    card never moves to another vehicle; a vehicle has one card in use at a time; a
    replaced (lost or damaged) card's UID is blacklisted."""

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        BLACKLISTED = "blacklisted", _("Blacklisted")

    uid = models.CharField(_("card UID"), max_length=20, unique=True)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_USE
    )
    bound_at = models.DateTimeField(_("bound at"), auto_now_add=True)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    blacklisted_at = models.DateTimeField(_("blacklisted at"), null=True, blank=True)
    blacklist_reason = models.CharField(_("why blacklisted"), max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["vehicle", "bound_at"]
        verbose_name = _("RFID card")
        verbose_name_plural = _("RFID cards")
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=Q(status="in_use"),
                name="ezbike_one_card_in_use_per_vehicle",
            ),
        ]

    def __str__(self) -> str:
        return self.uid


# --- the fee schedule and the fleet caps ------------------------------------------------------


class FeeSchedule(models.Model):
    """One fiscal year's fees, renewal deadline and fleet cap (defaults: ezbike/defaults.py;
    a year without a schedule gets a copy of the year before's). Officers edit it in the
    admin, every edit audited with before and after."""

    fiscal_year = models.CharField(_("fiscal year"), max_length=7, unique=True)
    application_fee = models.DecimalField(_("application fee"), **MONEY)
    licence_fee = models.DecimalField(_("licence fee (first year)"), **MONEY)
    renewal_fee = models.DecimalField(_("renewal fee"), **MONEY)
    card_replacement_fee = models.DecimalField(_("RFID card replacement fee"), **MONEY)
    late_fee_per_month = models.DecimalField(
        _("late fee per month or part after the deadline"), **MONEY
    )
    late_fee_cap = models.DecimalField(_("late fee at most"), **MONEY, help_text=_("0: no cap."))
    seizure_fine = models.DecimalField(
        _("fine to release a seized e-bike"), default=Decimal("1000.00"), **MONEY
    )
    renewal_deadline = models.DateField(
        _("renewal deadline"),
        help_text=_(
            "Licences of the year before must be renewed for this year by this day; they "
            "are expired after it, and a later renewal pays the late fee."
        ),
    )
    city_cap = models.PositiveIntegerField(
        _("fleet cap for the city"),
        null=True,
        blank=True,
        help_text=_("The most e-bikes licensed at once in the city; empty: no cap."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("e-bike fee schedule")
        verbose_name_plural = _("e-bike fee schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(application_fee__gte=0)
                & Q(licence_fee__gte=0)
                & Q(renewal_fee__gte=0)
                & Q(card_replacement_fee__gte=0)
                & Q(late_fee_per_month__gte=0)
                & Q(late_fee_cap__gte=0),
                name="ezbike_fees_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(seizure_fine__gte=0), name="ezbike_seizure_fine_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.fiscal_year


class WardCap(models.Model):
    """A ward's fleet cap in a year's schedule (a ward without one has no cap of its own)."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="ward_caps")
    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward")
    )
    cap = models.PositiveIntegerField(_("fleet cap"))

    class Meta:
        ordering = ["schedule", "ward"]
        verbose_name = _("ward fleet cap")
        verbose_name_plural = _("ward fleet caps")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "ward"], name="ezbike_one_cap_per_ward")
        ]


class NumberCounter(models.Model):
    """The last serial given for each kind of number ("licence", "plate-passenger-7"),
    taken through core.sequences.next_in_year (whose field is called fiscal_year: here it
    is the counter's key), so two approvals at once never get the same number."""

    fiscal_year = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")


# --- enforcement ------------------------------------------------------------------------------


class CardLookup(models.Model):
    """What a reader is told about a card UID, kept up to date by the services that bind,
    replace and blacklist cards and move licences (services.cards.refresh_lookup), so that
    a batch of scans is answered with one SELECT. `status` is the stored part: "valid"
    (an active licence), "suspended" (suspended or seized), "expired" or "blacklisted";
    a "valid" row past `valid_until` is answered "expired". No personal data here."""

    uid = models.CharField(max_length=20, primary_key=True)
    status = models.CharField(max_length=12)
    plate = models.CharField(max_length=30, blank=True)
    vehicle_type = models.CharField(max_length=10, blank=True)
    ward = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("card status for readers")
        verbose_name_plural = _("card statuses for readers")
        indexes = [models.Index(fields=["plate"], name="ezbike_lookup_plate")]


class ScanDevice(models.Model):
    """A registered RFID reader (a fixed gate or a handheld). It signs its requests with a
    scan-only token (only the token's SHA-256 is kept); an e-bike officer can revoke it."""

    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("place"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("scan device")
        verbose_name_plural = _("scan devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.place})"


class Sighting(models.Model):
    """One read of a card by a device (append-only): where, when, and the status it was
    answered. A device's `seq` is counted once, so a batch sent again counts nothing twice."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique (device, seq) index serves it (one index fewer to
    # write for every read).
    device = models.ForeignKey(
        ScanDevice, on_delete=models.PROTECT, related_name="sightings", db_index=False
    )
    place = models.CharField(_("place"), max_length=200)
    uid = models.CharField(_("card UID"), max_length=20)
    read_at = models.DateTimeField(_("read at"))
    seq = models.BigIntegerField(_("sequence number"))
    status = models.CharField(_("status"), max_length=12)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        indexes = [models.Index(fields=["uid", "read_at"], name="ezbike_sighting_uid")]
        constraints = [
            models.UniqueConstraint(fields=["device", "seq"], name="ezbike_sighting_device_seq")
        ]


# --- applications and reminders (ezbike/application_models.py) -------------------------------
from .application_models import (  # noqa: E402, F401
    Application,
    ApplicationDocument,
    DocumentKind,
    RenewalReminder,
)
