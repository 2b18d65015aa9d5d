"""Trade-licence fee arithmetic: pure functions (no database), each line explained.

Every function returns `FeeLine(head, amount, rule)`: the payments revenue head, the amount
in taka and the rule (which schedule year and which rate made it), kept as data as well
(`rule_data`, core.explain) so that pages and bills write it in the reader's language.
`assess()` puts the lines of one application together; services/workflow.py turns them
into bill lines.

Lines
- Licence fee: the category's fixed yearly fee, or for a category charged by paid-up
  capital (limited companies) the fee of the capital band the capital falls in.
- Application fee: the schedule's application fee, on new licences only (0 by default:
  then no line).
- Signboard tax: `per_sqft` mode: rate × square feet; `flat` mode: the flat amount. No
  line when the business has no signboard (0 square feet).
- VAT: the schedule's VAT % (15) of licence fee + signboard tax (not of the surcharge,
  income tax or transfer fee).
- Income tax at source: the schedule's fixed amount (KCC Tk 2,000), on renewals only.
- Late surcharge: renewals only: the schedule's % (10) of the licence fee for each month
  or part of a month paid after the renewal deadline — see `months_late` — up to the
  schedule's cap (`late_surcharge_cap_percent`, default 100% of the fee). A new licence
  is never late (the business starts when it is licensed).
- Transfer fee: the schedule's % (10) of the licence fee. A transfer during a year whose
  licence is paid bills the transfer fee alone; a renewal together with a transfer bills
  every renewal line plus the transfer fee (`with_transfer=True`).

Skipped years (arrears, বকেয়া)
- A business that traded without renewing owes every unlicensed year between its last
  licence and the year it renews for (DOMAIN.md "Skipped years"). Each such year is billed
  with the renewal as arrears lines, each from THAT year's schedule (its category fee or
  capital band, signboard rate and VAT %), on the business's present particulars: licence
  fee, signboard tax, VAT, and the late surcharge of that year — its % per month from that
  year's renewal deadline to the day paid, capped at that year's cap. No income tax at
  source (collected with the renewal itself) and no application fee for an arrears year.
  Every arrears line carries `arrears_year`; `arrears_year_lines` makes one year's lines
  and `assess(..., arrears=...)` puts them before the renewal's own lines, oldest first.
- Cap: no public source gives one. The default (100% of the year's fee) is chosen so a
  penalty is never more than the fee it is a penalty on: at 10% a month a skipped year's
  surcharge stops growing after 10 months, i.e. by the time it is billed as arrears with
  the next year's renewal it is one fee. A per-FY schedule setting (officers change it by
  order); it applies to the renewal's own surcharge too (at most 9 months there, 90%, so
  the default never bites).
- When the renewal bill is paid no licence is issued for a skipped year: the bill claims
  `licence-year:<business>:<year>` for the renewal's year and every arrears year, so a
  paid claim is the record that the year is settled and it is never billed again
  (services/reads.py `settled_years`).

Rounding rule
- Amounts are taka with two decimals (paisa), Decimal, never float.
- Every input amount is first taken to the paisa (half-up).
- A percentage is applied to an exact paisa amount and the result rounded once, half-up
  to the paisa: VAT = round(15% × (fee + signboard)); surcharge = round(fee × 10% ×
  months) — the monthly rate is not rounded before multiplying by the months; transfer =
  round(10% × fee); signboard per square foot = round(rate × sq ft).
- VAT is computed on the sum of the already-rounded licence fee and signboard lines.
- The surcharge cap is round(cap% × fee); the surcharge is the smaller of the two.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from core import explain as why
from core.digits import to_bengali_digits
from core.money import to_money

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")

NEW, RENEWAL, TRANSFER = "new", "renewal", "transfer"


#: The fee lines' revenue heads in Bengali and English (bill lines, certificate, review).
HEAD_LABELS = {
    "licence_fee": ("ট্রেড লাইসেন্স ফি", "Trade licence fee"),
    "application_fee": ("আবেদন ফি", "Application fee"),
    "signboard_tax": ("সাইনবোর্ড কর", "Signboard tax"),
    "vat": ("ভ্যাট", "VAT"),
    "income_tax": ("উৎসে আয়কর", "Income tax at source"),
    "surcharge": ("বিলম্ব সারচার্জ", "Late surcharge"),
    "transfer_fee": ("হস্তান্তর ফি", "Transfer fee"),
}


def head_label(head: str, *, bengali: bool) -> str:
    """The head's label in Bengali or English (the head itself if it is not a fee head)."""
    return HEAD_LABELS.get(head, (head, head))[0 if bengali else 1]


#: Arrears lines' descriptions: "বকেয়া ২০২৫-২৬: ট্রেড লাইসেন্স ফি" / "Arrears 2025-26: …".
ARREARS_PREFIX = ("বকেয়া", "Arrears")


def line_label(line: FeeLine, *, bengali: bool) -> str:
    """The line's label: the head's, after "Arrears <year>:" for an arrears line."""
    label = head_label(line.head, bengali=bengali)
    if not line.arrears_year:
        return label
    if bengali:
        return f"{ARREARS_PREFIX[0]} {to_bengali_digits(line.arrears_year)}: {label}"
    return f"{ARREARS_PREFIX[1]} {line.arrears_year}: {label}"


#: `value` as taka and paisa, half-up (floats refused): core.money.to_money.
money = to_money


def percent_of(amount, percent, times: int = 1) -> Decimal:
    """`percent`% of `amount` (× `times`), rounded once, half-up to the paisa."""
    return money(money(amount) * Decimal(percent) * times / 100)


def _pct(value) -> str:
    """A percentage without trailing zeros: 15.00 → "15", 7.50 → "7.5"."""
    text = format(Decimal(value).normalize(), "f")
    return text


@dataclass(frozen=True)
class FeeLine:
    head: str  # a payments.models.RevenueHead value
    amount: Decimal
    rule: str  # in English, as recorded on the bill and in the audit log
    arrears_year: str = ""  # the skipped year this line bills, "" for the year applied for
    rule_data: why.Data | None = field(default=None, compare=False)  # the rule as data

    @property
    def rule_text(self) -> str:
        """The rule in the active language."""
        return why.explain(self.rule_data) or self.rule


def _line(head: str, amount: Decimal, rule: why.Data, arrears_year: str = "") -> FeeLine:
    return FeeLine(head, amount, why.explain(rule, "en"), arrears_year, rule_data=rule)


def _schedule(fiscal_year: str, message: str, **values) -> why.Data:
    """ "FY <year> schedule: …": `message` after the year's schedule."""
    return why.because(
        gettext_noop("FY %(fy)s schedule: %(rule)s"),
        fy=why.fy(fiscal_year),
        rule=why.because(message, **values),
    )


@dataclass(frozen=True)
class Band:
    min_capital: Decimal
    max_capital: Decimal | None
    fee: Decimal


@dataclass(frozen=True)
class ScheduleRates:
    """The figures of one year's FeeSchedule that the arithmetic needs."""

    fiscal_year: str
    renewal_deadline: datetime.date
    vat_percent: Decimal = Decimal("15")
    income_tax_at_source: Decimal = Decimal("2000")
    late_surcharge_percent_per_month: Decimal = Decimal("10")
    late_surcharge_cap_percent: Decimal = Decimal("100")
    transfer_percent: Decimal = Decimal("10")
    signboard_mode: str = "per_sqft"
    signboard_amount: Decimal = Decimal("100")
    application_fee: Decimal = ZERO

    @classmethod
    def from_schedule(cls, schedule) -> ScheduleRates:
        return cls(
            fiscal_year=schedule.fiscal_year,
            renewal_deadline=schedule.effective_renewal_deadline,
            vat_percent=schedule.vat_percent,
            income_tax_at_source=schedule.income_tax_at_source,
            late_surcharge_percent_per_month=schedule.late_surcharge_percent_per_month,
            late_surcharge_cap_percent=schedule.late_surcharge_cap_percent,
            transfer_percent=schedule.transfer_percent,
            signboard_mode=schedule.signboard_mode,
            signboard_amount=schedule.signboard_amount,
            application_fee=schedule.application_fee,
        )


@dataclass(frozen=True)
class CategoryRates:
    code: str
    name_en: str
    yearly_fee: Decimal
    by_capital: bool = False
    bands: tuple[Band, ...] = ()
    name_bn: str = ""

    @property
    def names(self) -> why.Data:
        """The category in rules: its Bengali name, or its English name and code."""
        return why.words(bn=self.name_bn, en=f"{self.name_en} ({self.code})")

    @classmethod
    def from_category(cls, category) -> CategoryRates:
        bands = tuple(
            Band(b.min_capital, b.max_capital, b.fee)
            for b in category.capital_bands.order_by("min_capital")
        )
        return cls(
            code=category.code,
            name_en=category.name_en,
            yearly_fee=category.yearly_fee,
            by_capital=category.by_capital,
            bands=bands,
            name_bn=category.name_bn,
        )


class FeeError(ValueError):
    """The fee cannot be computed from what was given (e.g. no band for the capital)."""


# --- months late -------------------------------------------------------------------------


def months_late(paid_on: datetime.date, deadline: datetime.date) -> int:
    """How many months (each calendar month, or part of one) after the deadline.

    0 on or before the deadline. Otherwise the number of calendar months from the month of
    the day after the deadline to the month of `paid_on`, both counted whole:

    - deadline 30 Sep: paid 30 Sep → 0; 1 Oct or 31 Oct → 1; 1 Nov → 2; 28 Feb → 5.
    - deadline extended to 31 Oct: paid 15 Nov → 1 (instead of 2).
    - deadline 15 Oct (mid-month): paid 16 Oct → 1 (the rest of October is a part of a
      month); paid 1 Nov → 2.
    """
    if paid_on <= deadline:
        return 0
    first = deadline + datetime.timedelta(days=1)
    return (paid_on.year - first.year) * 12 + (paid_on.month - first.month) + 1


def surcharge_grows_after(paid_on: datetime.date, deadline: datetime.date) -> datetime.date:
    """The last day on which the surcharge (or its absence) stays what it is on `paid_on`:
    the deadline itself while on time, else the last day of `paid_on`'s month. A bill
    issued on `paid_on` is due by then."""
    if paid_on <= deadline:
        return deadline
    next_month = (paid_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return next_month - datetime.timedelta(days=1)


# --- the lines ---------------------------------------------------------------------------


def licence_fee(
    category: CategoryRates, *, fiscal_year: str, paid_up_capital: Decimal | None = None
) -> FeeLine:
    """The yearly licence fee of the category, or of its capital band."""
    if not category.by_capital:
        return _line(
            "licence_fee",
            money(category.yearly_fee),
            _schedule(
                fiscal_year,
                gettext_noop("%(category)s yearly fee %(fee)s"),
                category=category.names,
                fee=why.taka(category.yearly_fee),
            ),
        )
    if paid_up_capital is None:
        raise FeeError(f"{category.code} is charged by paid-up capital; none was given")
    capital = money(paid_up_capital)
    for band in category.bands:
        if capital >= band.min_capital and (
            band.max_capital is None or capital <= band.max_capital
        ):
            upper = (
                why.because(gettext_noop("no limit"))
                if band.max_capital is None
                else why.taka(band.max_capital)
            )
            return _line(
                "licence_fee",
                money(band.fee),
                _schedule(
                    fiscal_year,
                    gettext_noop(
                        "%(category)s with paid-up capital %(capital)s (band %(low)s to "
                        "%(high)s) yearly fee %(fee)s"
                    ),
                    category=why.words(bn=category.name_bn, en=category.name_en),
                    capital=why.taka(capital),
                    low=why.taka(band.min_capital),
                    high=upper,
                    fee=why.taka(band.fee),
                ),
            )
    raise FeeError(f"no capital band of {category.code} covers {capital}")


def application_fee(amount, *, fiscal_year: str) -> FeeLine | None:
    if money(amount) <= 0:
        return None
    return _line(
        "application_fee",
        money(amount),
        _schedule(fiscal_year, gettext_noop("application fee for a new licence")),
    )


def signboard_tax(*, fiscal_year: str, mode: str, amount, sqft) -> FeeLine | None:
    """Per square foot (rate × size) or flat per signboard; none without a signboard."""
    size = Decimal(sqft or 0)
    if size <= 0:
        return None
    if mode == "flat":
        return _line(
            "signboard_tax",
            money(amount),
            _schedule(
                fiscal_year, gettext_noop("signboard tax, flat %(amount)s"), amount=why.taka(amount)
            ),
        )
    if mode != "per_sqft":
        raise FeeError(f"unknown signboard mode {mode!r}")
    return _line(
        "signboard_tax",
        money(Decimal(amount) * size),
        _schedule(
            fiscal_year,
            gettext_noop("signboard tax %(rate)s per sq ft × %(size)s sq ft"),
            rate=why.taka(amount),
            size=why.number(format(size.normalize(), "f")),
        ),
    )


def vat(*, fiscal_year: str, percent, lines: Sequence[FeeLine]) -> FeeLine:
    """VAT on the licence fee and signboard tax among `lines`."""
    base_lines = [line for line in lines if line.head in ("licence_fee", "signboard_tax")]
    base = sum((line.amount for line in base_lines), ZERO)
    what = [
        why.because(
            "%(head)s %(amount)s",
            head=why.words(bn=head_label(line.head, bengali=True), en=line.head.replace("_", " ")),
            amount=why.taka(line.amount),
        )
        for line in base_lines
    ]
    return _line(
        "vat",
        percent_of(base, percent),
        _schedule(
            fiscal_year,
            gettext_noop("VAT %(percent)s%% of %(what)s = %(base)s"),
            percent=why.number(_pct(percent)),
            what=why.joined(what, " + "),
            base=why.taka(base),
        ),
    )


def income_tax_at_source(*, fiscal_year: str, amount, kind: str) -> FeeLine | None:
    """Collected with renewals only (Income Tax Act 2023, s.131)."""
    if kind != RENEWAL or money(amount) <= 0:
        return None
    return _line(
        "income_tax",
        money(amount),
        _schedule(
            fiscal_year,
            gettext_noop("income tax at source on renewal (Income Tax Act 2023 s.131) %(amount)s"),
            amount=why.taka(amount),
        ),
    )


def late_surcharge(
    *,
    fiscal_year: str,
    fee: Decimal,
    percent_per_month,
    paid_on: datetime.date,
    deadline: datetime.date,
    cap_percent=None,
) -> FeeLine | None:
    """`percent_per_month`% of the licence fee for each month or part after the deadline,
    at most `cap_percent`% of the fee (no cap when None)."""
    months = months_late(paid_on, deadline)
    if months == 0 or Decimal(percent_per_month) <= 0:
        return None
    amount = percent_of(fee, percent_per_month, months)
    rule = _schedule(
        fiscal_year,
        gettext_noop(
            "late surcharge %(percent)s%% of licence fee %(fee)s × %(months)s month or part "
            "after the renewal deadline %(deadline)s (paid %(paid)s)"
        )
        if months == 1
        else gettext_noop(
            "late surcharge %(percent)s%% of licence fee %(fee)s × %(months)s months or part "
            "after the renewal deadline %(deadline)s (paid %(paid)s)"
        ),
        percent=why.number(_pct(percent_per_month)),
        fee=why.taka(fee),
        months=why.number(months),
        deadline=why.day(deadline),
        paid=why.day(paid_on),
    )
    if cap_percent is not None:
        cap = percent_of(fee, cap_percent)
        if amount > cap:
            rule = why.because(
                gettext_noop("%(rule)s = %(amount)s, capped at %(percent)s%% of the fee"),
                rule=rule,
                amount=why.taka(amount),
                percent=why.number(_pct(cap_percent)),
            )
            amount = cap
    if amount <= 0:
        return None
    return _line("surcharge", amount, rule)


def transfer_fee(*, fiscal_year: str, fee: Decimal, percent) -> FeeLine:
    return _line(
        "transfer_fee",
        percent_of(fee, percent),
        _schedule(
            fiscal_year,
            gettext_noop("transfer fee %(percent)s%% of licence fee %(fee)s"),
            percent=why.number(_pct(percent)),
            fee=why.taka(fee),
        ),
    )


# --- a skipped year ------------------------------------------------------------------------


def arrears_year_lines(
    *,
    rates: ScheduleRates,
    category: CategoryRates,
    paid_on: datetime.date,
    paid_up_capital: Decimal | None = None,
    signboard_sqft=0,
) -> list[FeeLine]:
    """One skipped (unlicensed) year billed as arrears, from that year's own `rates` and
    `category`: licence fee, signboard tax, VAT and the year's late surcharge (its % per
    month from its renewal deadline to `paid_on`, capped at its cap). Every line carries
    `arrears_year` and its rule starts "Arrears FY <year> (no licence that year)"."""
    fy = rates.fiscal_year
    fee = licence_fee(category, fiscal_year=fy, paid_up_capital=paid_up_capital)
    lines: list[FeeLine | None] = [
        fee,
        signboard_tax(
            fiscal_year=fy,
            mode=rates.signboard_mode,
            amount=rates.signboard_amount,
            sqft=signboard_sqft,
        ),
    ]
    present = [line for line in lines if line is not None]
    lines.append(vat(fiscal_year=fy, percent=rates.vat_percent, lines=present))
    lines.append(
        late_surcharge(
            fiscal_year=fy,
            fee=fee.amount,
            percent_per_month=rates.late_surcharge_percent_per_month,
            paid_on=paid_on,
            deadline=rates.renewal_deadline,
            cap_percent=rates.late_surcharge_cap_percent,
        )
    )
    return [
        _line(
            line.head,
            line.amount,
            why.because(
                gettext_noop("Arrears FY %(fy)s (no licence that year): %(rule)s"),
                fy=why.fy(fy),
                rule=line.rule_data or line.rule,
            ),
            arrears_year=fy,
        )
        for line in lines
        if line is not None
    ]


# --- all lines of an application --------------------------------------------------------


def assess(
    *,
    kind: str,
    rates: ScheduleRates,
    category: CategoryRates,
    paid_on: datetime.date,
    paid_up_capital: Decimal | None = None,
    signboard_sqft=0,
    with_transfer: bool = False,
    arrears: Sequence[tuple[ScheduleRates, CategoryRates]] = (),
) -> list[FeeLine]:
    """Every line of the bill for one application paid on `paid_on`, in bill order.

    new: licence fee, application fee (if any), signboard tax, VAT.
    renewal: the arrears lines of every skipped year in `arrears` (that year's rates and
      category, oldest first: `arrears_year_lines`), then licence fee, signboard tax, VAT,
      income tax at source, late surcharge (if late), and the transfer fee when
      `with_transfer`.
    transfer (within a year already paid): the transfer fee alone.
    """
    if kind not in (NEW, RENEWAL, TRANSFER):
        raise FeeError(f"unknown application kind {kind!r}")
    fy = rates.fiscal_year
    fee = licence_fee(category, fiscal_year=fy, paid_up_capital=paid_up_capital)
    if kind == TRANSFER:
        return [transfer_fee(fiscal_year=fy, fee=fee.amount, percent=rates.transfer_percent)]
    if arrears and kind != RENEWAL:
        raise FeeError("only a renewal carries arrears of skipped years")
    owed: list[FeeLine] = []
    for year_rates, year_category in sorted(arrears, key=lambda pair: pair[0].fiscal_year):
        owed += arrears_year_lines(
            rates=year_rates,
            category=year_category,
            paid_on=paid_on,
            paid_up_capital=paid_up_capital,
            signboard_sqft=signboard_sqft,
        )
    lines: list[FeeLine | None] = [fee]
    if kind == NEW:
        lines.append(application_fee(rates.application_fee, fiscal_year=fy))
    lines.append(
        signboard_tax(
            fiscal_year=fy,
            mode=rates.signboard_mode,
            amount=rates.signboard_amount,
            sqft=signboard_sqft,
        )
    )
    present = [line for line in lines if line is not None]
    lines.append(vat(fiscal_year=fy, percent=rates.vat_percent, lines=present))
    lines.append(income_tax_at_source(fiscal_year=fy, amount=rates.income_tax_at_source, kind=kind))
    if kind == RENEWAL:
        lines.append(
            late_surcharge(
                fiscal_year=fy,
                fee=fee.amount,
                percent_per_month=rates.late_surcharge_percent_per_month,
                paid_on=paid_on,
                deadline=rates.renewal_deadline,
                cap_percent=rates.late_surcharge_cap_percent,
            )
        )
        if with_transfer:
            lines.append(
                transfer_fee(fiscal_year=fy, fee=fee.amount, percent=rates.transfer_percent)
            )
    return owed + [line for line in lines if line is not None]


def total(lines: Sequence[FeeLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)
