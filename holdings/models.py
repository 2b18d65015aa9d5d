"""The holding register, assessments, objections, the yearly rate schedule, demands,
instalments and arrears. Money: Decimal, two places; rules in holdings/tax.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import OfficeOrderExtension
from core.money import DecimalDigits
from core.runs import HeartbeatFields
from core.storage import private_storage

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}
PERCENT: DecimalDigits = {"max_digits": 5, "decimal_places": 2}


class Use(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    INDUSTRIAL = "industrial", _("Industrial")
    MIXED = "mixed", _("Mixed")
    VACANT_LAND = "vacant_land", _("Vacant land")


class Holding(models.Model):
    """A property, identified by ward + holding number."""

    ward = models.ForeignKey(
        "core.Ward", on_delete=models.PROTECT, related_name="holdings", verbose_name=_("ward")
    )
    number = models.CharField(_("holding number"), max_length=20)
    road = models.CharField(_("road"), max_length=200, blank=True)
    mahalla = models.CharField(_("mahalla"), max_length=200, blank=True)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices, default=Use.RESIDENTIAL)
    owner_occupied = models.BooleanField(_("owner-occupied"), default=False)
    floor_area_sqft = models.DecimalField(
        _("floor area (sq ft)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ward__number", "number"]
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(fields=["ward", "number"], name="holding_number_unique_in_ward")
        ]

    def __str__(self) -> str:
        return f"{self.ward.number}/{self.number}"

    @property
    def label_en(self) -> str:
        return f"Holding {self.number}, ward {self.ward.number}" + (
            f", {self.road}" if self.road else ""
        )

    @property
    def label_bn(self) -> str:
        from core.digits import to_bengali_digits

        return (
            f"হোল্ডিং {to_bengali_digits(self.number)}, ওয়ার্ড {to_bengali_digits(self.ward.number)}"
        ) + (f", {self.road}" if self.road else "")

    @property
    def label(self) -> str:
        return self.label_bn if (get_language() or "bn").startswith("bn") else self.label_en


class Owner(models.Model):
    """An owner of a holding, with a share; may be linked to a portal account."""

    holding = models.ForeignKey(Holding, on_delete=models.CASCADE, related_name="owners")
    name_bn = models.CharField(_("name (Bengali)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    share_percent = models.DecimalField(_("share (%)"), default=100, **PERCENT)
    nid = models.CharField(_("NID"), max_length=17, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="holding_ownerships",
    )

    class Meta:
        ordering = ["holding", "pk"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100),
                name="owner_share_between_0_and_100",
            )
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_bn

    @property
    def name(self) -> str:
        if (get_language() or "bn").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn


class Assessment(models.Model):
    """A valuation taking effect from a fiscal year; the latest one in force is used."""

    holding = models.ForeignKey(Holding, on_delete=models.CASCADE, related_name="assessments")
    effective_fy = models.CharField(_("in force from fiscal year"), max_length=7)
    annual_rent = models.DecimalField(_("yearly rent"), **MONEY)
    owner_occupied = models.BooleanField(_("owner-occupied"), default=False)
    annual_valuation = models.DecimalField(_("annual valuation"), **MONEY)
    basis = models.TextField(_("how it was valued"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["holding", "-effective_fy"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["holding", "effective_fy"], name="one_assessment_per_holding_year"
            ),
            models.CheckConstraint(
                condition=Q(annual_rent__gte=0) & Q(annual_valuation__gte=0),
                name="assessment_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holding} {self.effective_fy} {self.annual_valuation}"


class AssessmentUnit(models.Model):
    """One floor or flat of an assessed building, valued on its own (let units at the
    rent less one sixth, the owner's own unit with the concession on top); the
    assessment's yearly rent and annual valuation are the sums over its units."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("floor or flat"), max_length=60)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    owner_occupied = models.BooleanField(_("owner-occupied"), default=False)
    annual_rent = models.DecimalField(_("yearly rent"), **MONEY)
    annual_valuation = models.DecimalField(_("annual valuation"), **MONEY)

    class Meta:
        ordering = ["assessment", "position"]
        verbose_name = _("assessed unit")
        verbose_name_plural = _("assessed units")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "position"], name="one_unit_per_position"
            ),
            models.CheckConstraint(
                condition=Q(annual_rent__gte=0) & Q(annual_valuation__gte=0),
                name="assessment_unit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.label}"


class Decision(models.Model):
    """An owner's request an officer decides: who decided, why and when, and when the
    request was made (objections, appeals, mutations, new holding numbers)."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Objection(Decision):
    """An owner's objection to an assessment; an assessor decides it with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.OPEN: {Status.ACCEPTED, Status.REJECTED},  # an assessor's decision, once
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
    }

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="objections")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    claimed_rent = models.DecimalField(_("yearly rent claimed"), null=True, blank=True, **MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")


class VacantLandBasis(models.TextChoices):
    """How a year's schedule taxes vacant land (charters differ)."""

    FLAT = "flat", _("A flat yearly tax")
    VALUATION = "valuation", _("A nominal annual valuation at the ordinary rates")


class Appeal(Decision):
    """The owner's appeal against an objection's decision, within the schedule's appeal
    period, decided by a review officer (a revenue officer who did not decide the
    objection): the decision stands, or the valuation is revised."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the review officer")
        UPHELD = "upheld", _("The decision stands")
        REVISED = "revised", _("Valuation revised")

    TRANSITIONS = {
        Status.OPEN: {Status.UPHELD, Status.REVISED},  # a review officer's decision, once
        Status.UPHELD: set(),
        Status.REVISED: set(),
    }

    objection = models.OneToOneField(Objection, on_delete=models.CASCADE, related_name="appeal")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    claimed_rent = models.DecimalField(_("yearly rent claimed"), null=True, blank=True, **MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    revised_rent = models.DecimalField(_("revised yearly rent"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")


class RateSchedule(models.Model):
    """One fiscal year's holding-tax rules: rates, due dates, rebates, surcharge."""

    fiscal_year = models.CharField(_("fiscal year"), max_length=7, unique=True)
    q1_due = models.DateField(_("1st instalment due"))
    q2_due = models.DateField(_("2nd instalment due"))
    q3_due = models.DateField(_("3rd instalment due"))
    q4_due = models.DateField(_("4th instalment due"))
    arrears_surcharge_percent = models.DecimalField(
        _("surcharge on arrears (%)"), default=15, **PERCENT
    )
    owner_occupied_concession_percent = models.DecimalField(
        _("owner-occupied concession (%)"), default=40, **PERCENT
    )
    vacant_land_flat_tax = models.DecimalField(
        _("vacant land: flat yearly tax"), default=500, **MONEY
    )
    vacant_land_basis = models.CharField(
        _("vacant land is taxed by"),
        max_length=10,
        choices=VacantLandBasis.choices,
        default=VacantLandBasis.FLAT,
        help_text=_(
            "A flat yearly tax, or the rate heads of vacant land applied to a nominal annual "
            "valuation that the assessor records for each plot."
        ),
    )
    reassessment_years = models.PositiveSmallIntegerField(_("reassess every (years)"), default=5)
    mutation_fee = models.DecimalField(
        _("mutation (নামজারি) fee"),
        default=500,
        help_text=_("Charged for recording a change of ownership on a deed (sample default)."),
        **MONEY,
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal within (days of the objection's decision)"), default=30
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind owners (days before each instalment's due date)"), default=7
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("holding-tax rate schedule")
        verbose_name_plural = _("holding-tax rate schedules")

    def __str__(self) -> str:
        return self.fiscal_year

    def due_dates(self) -> list:
        return [self.q1_due, self.q2_due, self.q3_due, self.q4_due]


class Deadline(models.TextChoices):
    """The deadlines of a holding-tax year that an office order may extend."""

    REBATE = "rebate", _("Rebate deadline")
    Q1 = "q1", _("1st instalment due")
    Q2 = "q2", _("2nd instalment due")
    Q3 = "q3", _("3rd instalment due")
    Q4 = "q4", _("4th instalment due")


class DeadlineExtension(OfficeOrderExtension):
    """An office order moving one of a schedule's deadlines. The latest order
    (OfficeOrderExtension.latest) wins; read it through holdings.selectors.deadline."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.CharField(_("deadline"), max_length=6, choices=Deadline.choices)

    class Meta:
        ordering = ["schedule", "deadline", "order_date", "created_at"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.schedule} {self.deadline} → {self.new_date} ({self.order_reference})"


class RateHead(models.Model):
    """A percentage of the annual valuation for one revenue head and one use."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="heads")
    head = models.CharField(_("revenue head"), max_length=30)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    percent = models.DecimalField(_("rate (%)"), **PERCENT)

    class Meta:
        ordering = ["schedule", "use", "head"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "head", "use"], name="one_rate_per_head_use"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="rate_between_0_and_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.use} {self.head} {self.percent}%"


class RebateGrade(models.Model):
    """Paying `quarters` instalments together by the first of their due dates earns
    `percent` off those instalments (the best grade that applies is used)."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="rebates")
    quarters = models.PositiveSmallIntegerField(_("quarters paid together"))
    percent = models.DecimalField(_("rebate (%)"), **PERCENT)

    class Meta:
        ordering = ["schedule", "quarters"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "quarters"], name="one_rebate_per_grade"),
            models.CheckConstraint(
                condition=Q(quarters__gte=1) & Q(quarters__lte=4), name="rebate_quarters_1_to_4"
            ),
        ]


class Demand(models.Model):
    """A holding's tax for one fiscal year, with the schedule and assessment that made it."""

    # Shown on the statement pages, set by holdings.citizen_forms.decorate() (not fields).
    basis: str
    arrear_row: Arrear | None

    # One index each, kept to what the queries use (a year's demand writes a row here, three
    # lines and four instalments per holding, and every index is upkeep): the unique
    # (holding, fiscal_year) index serves lookups by holding, so the foreign key has none
    # of its own; fiscal_year is a plain index (db_index=True adds a second, for LIKE).
    holding = models.ForeignKey(
        Holding, on_delete=models.PROTECT, related_name="demands", db_index=False
    )
    fiscal_year = models.CharField(max_length=7)
    schedule = models.ForeignKey(RateSchedule, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    annual_valuation = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["holding", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["holding", "fiscal_year"], name="one_demand_per_holding_year"
            )
        ]
        indexes = [models.Index(fields=["fiscal_year"], name="demand_fiscal_year")]


class DemandLine(models.Model):
    """One revenue head of a demand: the yearly amount and the rule that made it."""

    # Shown on the statement pages, set by holdings.citizen_forms.decorate() (not fields).
    label: str
    percent_text: str
    explanation: str

    # Lookups by demand use the unique (demand, head) index.
    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    head = models.CharField(max_length=30)
    percent = models.DecimalField(null=True, blank=True, **PERCENT)
    amount = models.DecimalField(**MONEY)
    rule = models.CharField(max_length=300)

    class Meta:
        ordering = ["demand", "head"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "head"], name="one_line_per_demand_head")
        ]


class Instalment(models.Model):
    """A quarter of a demand: 1–3 are a quarter of each head rounded down to the paisa,
    the 4th takes the remainder."""

    # Shown on the statement pages, set by holdings.citizen_forms.decorate() (not fields).
    overdue: bool

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")

    # Lookups by demand use the unique (demand, quarter) index; status a plain index.
    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="instalments", db_index=False
    )
    quarter = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.DUE)
    paid_bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["demand", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "quarter"], name="one_instalment_per_quarter")
        ]
        indexes = [models.Index(fields=["status"], name="instalment_status")]


class Arrear(models.Model):
    """What a fiscal year's demand left unpaid, carried forward with its surcharge (once,
    at the rate of the year that was not paid)."""

    # Shown on the statement pages, set by holdings.citizen_forms.decorate() (not fields).
    to_pay: Decimal
    percent_text: str

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")

    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, related_name="arrear")
    holding = models.ForeignKey(Holding, on_delete=models.PROTECT, related_name="arrears")
    carried_into_fy = models.CharField(max_length=7)
    principal = models.DecimalField(**MONEY)
    surcharge_percent = models.DecimalField(**PERCENT)
    surcharge = models.DecimalField(**MONEY)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.DUE)
    paid_bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status"], name="arrear_status")]


class HoldingBillItem(models.Model):
    """Which instalments and arrears a holding-tax bill covers (set paid when it is paid)."""

    bill = models.ForeignKey(
        "payments.Bill", on_delete=models.CASCADE, related_name="holding_items"
    )
    instalment = models.ForeignKey(
        Instalment, on_delete=models.CASCADE, null=True, blank=True, related_name="bill_items"
    )
    arrear = models.ForeignKey(
        Arrear, on_delete=models.CASCADE, null=True, blank=True, related_name="bill_items"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(instalment__isnull=False) | Q(arrear__isnull=False),
                name="bill_item_covers_something",
            )
        ]


class DemandRun(HeartbeatFields):
    """One run of the yearly demand generation, with progress the revenue officer sees.
    The worker writes `heartbeat_at` while it runs (core.runs): a run whose heartbeat has
    gone stale is marked failed, so that the year can be generated again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    fiscal_year = models.CharField(max_length=7)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    created = models.JSONField(default=dict, blank=True)  # counts per kind
    summary = models.JSONField(default=list, blank=True)  # per ward
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_live_demand_run_per_year",
            )
        ]


class ReportExport(HeartbeatFields):
    """A report export built by the worker (the defaulters list as XLSX: too long for a web
    request at city scale), with progress the officer sees and, when done, the file to
    download. The worker writes `heartbeat_at` while it runs (core.runs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        DEFAULTERS = "defaulters", _("Defaulters")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    fmt = models.CharField(max_length=4, default="xlsx")
    params = models.JSONField(default=dict, blank=True)  # as_of, ward, sort, language
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    rows = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="holdings/exports/", storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class HoldingImport(HeartbeatFields):
    """An upload of the legacy holding register, checked and then imported by the worker.

    The worker reads the stored file once, row by row, and keeps what the import needs as
    HoldingImportRow rows (each row's normalised values and its errors); the file itself
    is deleted after the check. The officer reads the check, then confirms: the import
    works from the kept rows, in one transaction (nothing half-imported). The worker
    writes `heartbeat_at` while it checks or imports (core.runs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the check")
        CHECKING = "checking", _("Checking")
        REFUSED = "refused", _("File refused")
        CHECKED = "checked", _("Checked: waiting for your decision")
        IMPORT_QUEUED = "import_queued", _("Waiting to import")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Nothing imported")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=14, choices=Status.choices, default=Status.QUEUED)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=4)  # csv or xlsx
    language = models.CharField(max_length=8, blank=True)  # of the messages in the check
    file = models.FileField(upload_to="holdings/imports/", storage=private_storage, blank=True)
    size = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    # The check.
    file_errors = models.JSONField(default=list, blank=True)  # why the file was refused
    rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    holdings = models.PositiveIntegerField(default=0)
    valid_holdings = models.PositiveIntegerField(default=0)
    # The import.
    only_valid = models.BooleanField(default=False)
    imported_holdings = models.PositiveIntegerField(default=0)
    owners = models.PositiveIntegerField(default=0)
    assessments = models.PositiveIntegerField(default=0)
    arrears = models.PositiveIntegerField(default=0)
    skipped_holdings = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    # Why the last step did not go through (the worker failed; or the import found
    # holdings registered since the check: then the job is checked again).
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["started_by", "-created_at"], name="holding_import_by_officer")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def invalid_holdings(self) -> int:
        return self.holdings - self.valid_holdings


class HoldingImportRow(models.Model):
    """One row of an import's file as checked: its normalised values (what the import
    needs, JSON), its errors in the officer's language and, after the import, what
    became of it (imported, skipped because another row of its holding has errors, or
    error)."""

    job = models.ForeignKey(HoldingImport, on_delete=models.CASCADE, related_name="kept_rows")
    row = models.PositiveIntegerField()  # its row number in the file
    ward = models.PositiveSmallIntegerField(null=True, blank=True)  # with number: the key
    number = models.CharField(max_length=20, blank=True)
    holding = models.CharField(max_length=200, blank=True)  # "ward/number" as shown
    ok = models.BooleanField(default=True)
    status = models.CharField(max_length=10, blank=True)  # after the import
    values = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    errors = models.JSONField(default=list, blank=True)
    codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="holding_import_row_once")
        ]
        indexes = [
            models.Index(fields=["job", "ward", "number", "row"], name="holding_import_row_key"),
        ]


class NoDuesCertificate(models.Model):
    """A no-dues certificate: when it was issued the holding owed nothing. Numbered per
    fiscal year ("KCC/ND/2025-26/000001"), valid to the end of that fiscal year, checked by
    anyone at /verify/<verify_code>/."""

    # Shown on the no-dues page, set by holdings.views.documents.no_dues (not a field).
    current: bool

    holding = models.ForeignKey(
        Holding,
        on_delete=models.PROTECT,
        related_name="no_dues_certificates",
        verbose_name=_("holding"),
    )
    fiscal_year = models.CharField(_("fiscal year"), max_length=7)
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    verify_code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    paid_up_to = models.DateField(_("holding tax paid up to"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to="holdings/no-dues/", blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("no-dues certificate")
        verbose_name_plural = _("no-dues certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="no_dues_sequence_unique_in_year"
            )
        ]

    def __str__(self) -> str:
        return self.number


class HoldingReminder(models.Model):
    """An SMS reminder sent to a holding's owners: `key` names the step, e.g.
    "2026-27:q2:before" (before an instalment's due date) or "overdue:2026-12" (the monthly
    reminder of what is overdue). The unique constraint makes sure no step is sent twice
    (core.reminders.send_once)."""

    holding = models.ForeignKey(Holding, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=40)
    amount = models.DecimalField(**MONEY)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["holding", "key"], name="one_holding_reminder_per_step")
        ]


class Mutation(Decision):
    """Mutation (নামজারি): the holding's owners replaced by those of a registered deed.
    Applied for by an owner or at the counter, billed the schedule's mutation fee through
    payments, then approved (the owners change; the old ones are kept here) or rejected
    by an assessor with a reason. One open mutation per holding at a time."""

    class Status(models.TextChoices):
        FEE_DUE = "fee_due", _("Waiting for the fee")
        SUBMITTED = "submitted", _("Waiting for the assessor")
        APPROVED = "approved", _("Approved: owners changed")
        REJECTED = "rejected", _("Rejected")

    OPEN = (Status.FEE_DUE, Status.SUBMITTED)
    TRANSITIONS = {
        Status.FEE_DUE: {Status.SUBMITTED},  # the fee paid
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.FEE_DUE},  # or reopened
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    holding = models.ForeignKey(Holding, on_delete=models.PROTECT, related_name="mutations")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deed_number = models.CharField(_("deed number"), max_length=60)
    deed_date = models.DateField(_("deed date"))
    new_owners = models.JSONField(_("owners by the deed"))
    previous_owners = models.JSONField(default=list, blank=True)
    fee = models.DecimalField(_("fee"), **MONEY)
    bill = models.ForeignKey(
        "payments.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.FEE_DUE, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mutation")
        verbose_name_plural = _("mutations")
        constraints = [
            models.UniqueConstraint(
                fields=["holding"],
                condition=Q(status__in=["fee_due", "submitted"]),
                name="one_open_mutation_per_holding",
            )
        ]


class HoldingApplication(Decision):
    """An application for a new holding number (a new building or a plot never
    registered): an assessor approves it with the number the holding gets in its ward —
    the holding is registered with the applicant's owner on it — or rejects it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the assessor")
        APPROVED = "approved", _("Holding number given")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ward = models.ForeignKey("core.Ward", on_delete=models.PROTECT, related_name="+")
    road = models.CharField(_("road"), max_length=200)
    mahalla = models.CharField(_("mahalla"), max_length=200, blank=True)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    owner_name_bn = models.CharField(_("owner's name (Bengali)"), max_length=200, blank=True)
    owner_name_en = models.CharField(_("owner's name (English)"), max_length=200, blank=True)
    owner_nid = models.CharField(_("owner's NID"), max_length=17)
    owner_mobile = models.CharField(_("owner's mobile"), max_length=11)
    deed_number = models.CharField(_("deed number"), max_length=60, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    holding = models.OneToOneField(
        Holding, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application for a holding number")
        verbose_name_plural = _("applications for a holding number")
