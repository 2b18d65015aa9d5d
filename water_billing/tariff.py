"""Water-bill arithmetic: pure functions (no database), each amount with how it was made.

Units. Meters in Bangladesh read in cubic metres, and one cubic metre is 1,000 litres — the
unit tariffs are priced in ("Tk 16.70 per 1,000 litres"). Readings and consumption are whole
cubic metres; a pro-rata share of a month's consumption is a fraction of them, kept exact.

Rounding (docs/water.md):
- amounts are taka with two decimals (paisa), rounded half-up (core.money.to_money);
- every line is rounded on its own, once, after the pro-rata share: e.g. 18 m³ × 15/30 days ×
  Tk 16.70 = 150.30; the unrounded product is never carried to another line; the share is
  taken exactly (amount × days, then ÷ days in the month), so a line that comes to exactly
  half a paisa rounds up (3 m³ × Tk 46.25 × 25/30 = 115.625 → 115.63);
- a percentage (sewerage, VAT, late fee) is applied to the *rounded* amounts it is based on,
  as the bill shows them, and rounded half-up;
- the bill's total is the sum of its rounded lines.

A billing month that spans a tariff change is cut at the change: each part (a "segment":
the days one tariff was in effect) is charged under its own tariff as if it were a month of
that many days — its share of the consumption (consumption × days / days in the month), of
the minimum charge and of a flat monthly charge — and each of its lines says which tariff,
which days and which rule made it.

Readings (consumption()): a reading lower than the previous one is a rollover only when the
meter's dials make it plausible — the units counted over the top (10**dial_digits − previous
+ current) are no more than the rollover bound: spike_multiple × the average monthly use ×
the months since the previous reading, or, with no history, a tenth of the dial's range
(10,000 on a 5-digit meter). Anything else is held for the water officer and not billed.
A meter replaced since the previous reading counts the old meter's last units (its final
reading less the previous reading) and the new meter's (the reading less its initial one).

Checks (check()): consumption above spike_multiple × the average (per month since the
previous reading) is flagged "spike"; zero on a connection whose average is above zero is
flagged "zero". Flagged readings are billed unless the water officer holds them.

Estimates and the true-up (estimate(), billable()): a month without a reading is billed the
average, rounded half-up to whole cubic metres, and marked estimated. The next actual
reading measures everything since the last actual one; its billable units are that less what
the estimated months already billed. Never negative: when the estimates billed more, the
month bills 0 and the difference is a credit of cubic metres taken off the next months'
consumption before they are charged (a credit in units, not taka, so a tariff change in
between does not matter).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

from core.explain import Data, because, day, explain, number, taka, words
from core.money import to_money

ZERO = Decimal("0.00")
CUBIC_METRE_LITRES = 1000

# Reading statuses (water_billing.models.Reading.Status has the same values).
OK = "ok"
ROLLOVER = "rollover"
REPLACED = "replaced"
HELD = "held"
FLAGGED = "flagged"
ESTIMATED = "estimated"

# Line kinds and the revenue head each is billed under (payments.models.RevenueHead).
WATER = "water"
MINIMUM = "minimum"
FLAT = "flat"
SEWERAGE = "sewerage"
VAT = "vat"
LATE_FEE = "late_fee"
HEAD_OF_KIND = {
    WATER: "water",
    MINIMUM: "water",
    FLAT: "water",
    SEWERAGE: "sewerage",
    VAT: "vat",
    LATE_FEE: "late_fee",
}

#: Connection categories in both languages, for explanations.
CATEGORY_WORDS = {
    "residential": ("আবাসিক", "residential"),
    "commercial": ("বাণিজ্যিক", "commercial"),
    "industrial": ("শিল্প", "industrial"),
    "institutional": ("প্রাতিষ্ঠানিক", "institutional"),
    "exempt": ("অব্যাহতিপ্রাপ্ত", "exempt"),
}


class TariffError(ValueError):
    """No tariff in effect, or a tariff lacking a price: the data, not the caller, is wrong."""


@dataclass(frozen=True)
class Tariff:
    """One tariff as the arithmetic needs it (water_billing.models.WaterTariff.as_tariff())."""

    effective_from: datetime.date
    prices: Mapping[str, Decimal]  # taka per 1,000 litres (one m³), by category
    minimum_charge: Decimal = ZERO  # per month, metered connections
    sewerage_percent: Decimal = Decimal("100")  # of the water charge
    flat_monthly: Mapping[int, Decimal] = field(default_factory=dict)  # by pipe diameter (mm)
    vat_percent: Decimal = ZERO
    late_fee_percent: Decimal = ZERO  # of the overdue amount, once
    late_fee_fixed: Decimal = ZERO  # plus this, once
    due_days: int = 15
    spike_multiple: Decimal = Decimal("3")
    average_months: int = 6
    disconnection_arrears_months: int = 3
    connection_fees: Mapping[int, Decimal] = field(default_factory=dict)
    road_cutting_fee: Decimal = ZERO
    reconnection_fee: Decimal = ZERO


@dataclass(frozen=True)
class Line:
    """One line of a water bill: its kind, revenue head, amount and how it was made."""

    kind: str  # WATER, MINIMUM, FLAT, SEWERAGE, VAT, LATE_FEE
    amount: Decimal
    explanation: Data
    tariff_from: datetime.date | None = None
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None

    @property
    def head(self) -> str:
        return HEAD_OF_KIND[self.kind]

    @property
    def rule(self) -> str:
        """The explanation in English (for the API and the audit log)."""
        return explain(self.explanation, "en")


def _money(value: Decimal) -> Decimal:
    return to_money(value)


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return _money(Decimal(amount) * Decimal(percent) / 100)


def _category(category: str) -> Data:
    bn, en = CATEGORY_WORDS.get(category, (category, category))
    return words(bn=bn, en=en)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `month`'s month."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


# --- tariffs in effect ------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """The days of a billing month one tariff was in effect."""

    tariff: Tariff
    first: datetime.date
    last: datetime.date
    month_days: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def share(self) -> Decimal:
        """The segment's share of the month (exact: days / days in the month)."""
        return Decimal(self.days) / Decimal(self.month_days)

    def part_of(self, amount: Decimal | int) -> Decimal:
        """`amount` × days / days in the month, multiplied before dividing: exact whenever
        the result has a finite decimal form, so half a paisa is always seen as half (×
        the share 25/30 = 0.8333… rounded to 28 digits would turn 115.625 into
        115.62499…)."""
        return Decimal(amount) * self.days / self.month_days

    def about(self) -> dict[str, Data | str]:
        """The values every line of the segment names: tariff, days."""
        return {
            "tariff": day(self.tariff.effective_from),
            "first": day(self.first),
            "last": day(self.last),
            "days": number(self.days),
            "month_days": number(self.month_days),
        }


def segments(month: datetime.date, tariffs: Iterable[Tariff]) -> list[Segment]:
    """The month of `month` cut where the tariff changes: each tariff in effect on some of
    its days, with those days. TariffError when no tariff is in effect on the first day."""
    first, last = month_bounds(month)
    ordered = sorted(tariffs, key=lambda t: t.effective_from)
    dates = [t.effective_from for t in ordered]
    if len(set(dates)) != len(dates):
        raise TariffError("Two tariffs take effect on the same day.")
    current = [t for t in ordered if t.effective_from <= first]
    if not current:
        raise TariffError(f"No water tariff is in effect on {first.isoformat()}.")
    in_month = [current[-1], *(t for t in ordered if first < t.effective_from <= last)]
    month_days = last.day
    parts = []
    for i, tariff in enumerate(in_month):
        start = max(first, tariff.effective_from)
        end = (
            in_month[i + 1].effective_from - datetime.timedelta(days=1)
            if i + 1 < len(in_month)
            else last
        )
        parts.append(Segment(tariff, start, end, month_days))
    return parts


# --- the month's charges -----------------------------------------------------------------------


def water_charges(
    *,
    month: datetime.date,
    tariffs: Iterable[Tariff],
    category: str,
    metered: bool,
    consumption: int | Decimal | None = None,
    pipe_diameter_mm: int | None = None,
    sewerage: bool = False,
) -> list[Line]:
    """A connection's charges for the month of `month`: per tariff segment, the water line
    (metered: its share of `consumption` cubic metres × the category's price; unmetered:
    its share of the flat monthly charge for the pipe), the minimum-charge top-up (metered,
    when the water line is below the segment's share of the minimum), sewerage (a percentage
    of the water charge, where connected) and VAT (a percentage of the segment's lines, when
    the tariff sets it). Zero lines are left out but for the metered water line. Exempt
    connections are charged nothing."""
    if category == "exempt":
        return []
    lines: list[Line] = []
    for seg in segments(month, tariffs):
        lines.extend(
            _segment_lines(
                seg,
                category=category,
                metered=metered,
                consumption=consumption,
                pipe_diameter_mm=pipe_diameter_mm,
                sewerage=sewerage,
            )
        )
    return lines


def _segment_lines(
    seg: Segment,
    *,
    category: str,
    metered: bool,
    consumption: int | Decimal | None,
    pipe_diameter_mm: int | None,
    sewerage: bool,
) -> list[Line]:
    tariff = seg.tariff
    about = seg.about()
    where = {"tariff_from": tariff.effective_from, "first_day": seg.first, "last_day": seg.last}
    lines: list[Line] = []
    if metered:
        if consumption is None or Decimal(consumption) < 0:
            raise ValueError("A metered connection is charged for its consumption (m³, ≥ 0).")
        if category not in tariff.prices:
            raise TariffError(
                f"The tariff from {tariff.effective_from.isoformat()} has no price for "
                f"{category} connections."
            )
        price = Decimal(tariff.prices[category])
        units = Decimal(consumption) * seg.share
        water = _money(seg.part_of(Decimal(consumption) * price))
        lines.append(
            Line(
                WATER,
                water,
                because(
                    gettext_noop(
                        "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of "
                        "%(month_days)s days): %(units)s of %(total)s cubic metres × %(price)s "
                        "per 1,000 litres, %(category)s"
                    ),
                    **about,
                    units=number(units.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)),
                    total=number(consumption),
                    price=taka(price),
                    category=_category(category),
                ),
                **where,
            )
        )
        minimum = _money(seg.part_of(tariff.minimum_charge))
        if water < minimum:
            lines.append(
                Line(
                    MINIMUM,
                    minimum - water,
                    because(
                        gettext_noop(
                            "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of "
                            "%(month_days)s days): minimum charge %(minimum)s for these days "
                            "less the water charge %(water)s"
                        ),
                        **about,
                        minimum=taka(minimum),
                        water=taka(water),
                    ),
                    **where,
                )
            )
    else:
        if pipe_diameter_mm is None or pipe_diameter_mm not in tariff.flat_monthly:
            raise TariffError(
                f"The tariff from {tariff.effective_from.isoformat()} has no flat charge for "
                f"a {pipe_diameter_mm} mm pipe."
            )
        flat = Decimal(tariff.flat_monthly[pipe_diameter_mm])
        lines.append(
            Line(
                FLAT,
                _money(seg.part_of(flat)),
                because(
                    gettext_noop(
                        "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of "
                        "%(month_days)s days): flat monthly charge %(flat)s for a %(diameter)s mm "
                        "pipe without a meter"
                    ),
                    **about,
                    flat=taka(flat),
                    diameter=number(pipe_diameter_mm),
                ),
                **where,
            )
        )
    water_charge = sum((line.amount for line in lines), ZERO)
    if sewerage and Decimal(tariff.sewerage_percent) > 0:
        amount = _percent_of(water_charge, tariff.sewerage_percent)
        if amount:
            lines.append(
                Line(
                    SEWERAGE,
                    amount,
                    because(
                        gettext_noop(
                            "Tariff from %(tariff)s, %(first)s to %(last)s: sewerage "
                            "%(percent)s%% of the water charge %(water)s"
                        ),
                        **about,
                        percent=number(tariff.sewerage_percent),
                        water=taka(water_charge),
                    ),
                    **where,
                )
            )
    if Decimal(tariff.vat_percent) > 0:
        base = sum((line.amount for line in lines), ZERO)
        amount = _percent_of(base, tariff.vat_percent)
        if amount:
            lines.append(
                Line(
                    VAT,
                    amount,
                    because(
                        gettext_noop(
                            "Tariff from %(tariff)s, %(first)s to %(last)s: VAT %(percent)s%% "
                            "of %(base)s"
                        ),
                        **about,
                        percent=number(tariff.vat_percent),
                        base=taka(base),
                    ),
                    **where,
                )
            )
    return lines


def total(lines: Iterable[Line]) -> Decimal:
    """The bill's total: the sum of its rounded lines."""
    return sum((line.amount for line in lines), ZERO)


def late_fee(overdue: Decimal | int | str, tariff: Tariff) -> Line | None:
    """The late fee on a bill left unpaid past its due date, charged once on the next
    bill: the tariff's percentage of the overdue amount (rounded half-up) plus its fixed
    amount. None when nothing is overdue or the tariff charges no late fee."""
    overdue = _money(Decimal(str(overdue)))
    if overdue <= 0:
        return None
    amount = _percent_of(overdue, tariff.late_fee_percent) + _money(tariff.late_fee_fixed)
    if amount <= 0:
        return None
    return Line(
        LATE_FEE,
        amount,
        because(
            gettext_noop(
                "Tariff from %(tariff)s: late fee %(percent)s%% of the overdue %(overdue)s "
                "plus %(fixed)s"
            ),
            tariff=day(tariff.effective_from),
            percent=number(tariff.late_fee_percent),
            overdue=taka(overdue),
            fixed=taka(tariff.late_fee_fixed),
        ),
        tariff_from=tariff.effective_from,
    )


# --- readings: consumption, checks, estimates --------------------------------------------------


@dataclass(frozen=True)
class MeterChange:
    """A meter replaced since the previous reading: the old meter's final reading and the
    new meter's initial reading."""

    final_reading: int
    initial_reading: int


@dataclass(frozen=True)
class Measured:
    """What a reading measured: whole cubic metres (None when held) and the status."""

    units: int | None
    status: str  # OK, ROLLOVER, REPLACED or HELD
    explanation: Data


def rollover_bound(
    dial_digits: int,
    *,
    average: Decimal | None = None,
    spike_multiple: Decimal = Decimal("3"),
    months: int = 1,
) -> Decimal:
    """The most a meter may plausibly count over the top of its dials: spike_multiple × the
    average monthly use × the months since the previous reading, or with no average (no
    history, or none used) a tenth of the dial's range."""
    if average is not None and average > 0:
        return Decimal(spike_multiple) * Decimal(average) * max(months, 1)
    return Decimal(10**dial_digits) / 10


def consumption(
    previous: int,
    current: int,
    dial_digits: int,
    *,
    replaced: MeterChange | None = None,
    average: Decimal | None = None,
    spike_multiple: Decimal = Decimal("3"),
    months: int = 1,
) -> Measured:
    """Cubic metres used between the previous reading and this one (see the module's
    docstring for the rollover rule). 99,990 → 12 on a 5-digit meter is a rollover of 22."""
    if replaced is not None:
        old = replaced.final_reading - previous
        new = current - replaced.initial_reading
        if old < 0 or new < 0:
            return Measured(
                None,
                HELD,
                because(
                    gettext_noop(
                        "Held for review: the old meter's final reading %(final)s is below the "
                        "previous reading %(previous)s, or this reading %(current)s is below "
                        "the new meter's initial reading %(initial)s"
                    ),
                    final=number(replaced.final_reading),
                    previous=number(previous),
                    current=number(current),
                    initial=number(replaced.initial_reading),
                ),
            )
        return Measured(
            old + new,
            REPLACED,
            because(
                gettext_noop(
                    "Meter replaced: %(old)s cubic metres on the old meter (%(previous)s to its "
                    "final %(final)s) + %(new)s on the new one (%(initial)s to %(current)s)"
                ),
                old=number(old),
                previous=number(previous),
                final=number(replaced.final_reading),
                new=number(new),
                initial=number(replaced.initial_reading),
                current=number(current),
            ),
        )
    if current >= previous:
        return Measured(
            current - previous,
            OK,
            because(
                gettext_noop("%(current)s less the previous reading %(previous)s"),
                current=number(current),
                previous=number(previous),
            ),
        )
    over_the_top = 10**dial_digits - previous + current
    bound = rollover_bound(
        dial_digits, average=average, spike_multiple=spike_multiple, months=months
    )
    if 0 < over_the_top <= bound:
        return Measured(
            over_the_top,
            ROLLOVER,
            because(
                gettext_noop(
                    "The %(digits)s-digit meter rolled over: %(top)s less the previous reading "
                    "%(previous)s, plus %(current)s"
                ),
                digits=number(dial_digits),
                top=number(10**dial_digits),
                previous=number(previous),
                current=number(current),
            ),
        )
    return Measured(
        None,
        HELD,
        because(
            gettext_noop(
                "Held for review: %(current)s is below the previous reading %(previous)s and "
                "a rollover of the %(digits)s-digit meter would mean %(units)s cubic metres, "
                "more than the plausible %(bound)s"
            ),
            current=number(current),
            previous=number(previous),
            digits=number(dial_digits),
            units=number(over_the_top),
            bound=number(bound.quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
        ),
    )


def average(history: Sequence[int | Decimal], months: int = 6) -> Decimal | None:
    """The average monthly consumption over the last `months` values of `history` (oldest
    first; one value per month), or None with no history."""
    recent = list(history)[-months:] if months > 0 else []
    if not recent:
        return None
    return Decimal(sum(Decimal(v) for v in recent)) / len(recent)


SPIKE = "spike"
ZERO_USE = "zero"


def check(
    units: int,
    *,
    average: Decimal | None,
    spike_multiple: Decimal = Decimal("3"),
    months: int = 1,
) -> tuple[str | None, Data | None]:
    """Flag a measured consumption for the water officer: ("spike", why) above
    spike_multiple × the average per month since the previous reading; ("zero", why) for
    nothing used on a connection that normally uses water; (None, None) otherwise."""
    if average is None:
        return None, None
    months = max(months, 1)
    limit = Decimal(spike_multiple) * Decimal(average) * months
    if average > 0 and units > limit:
        return SPIKE, because(
            gettext_noop(
                "Flagged: %(units)s cubic metres is more than %(multiple)s × the average "
                "%(average)s over %(months)s month(s)"
            ),
            units=number(units),
            multiple=number(spike_multiple),
            average=number(Decimal(average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
            months=number(months),
        )
    if units == 0 and average > 0:
        return ZERO_USE, because(
            gettext_noop(
                "Flagged: nothing used on a connection that uses %(average)s cubic metres a "
                "month on average"
            ),
            average=number(Decimal(average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        )
    return None, None


def estimate(average_units: Decimal | None) -> int:
    """A missing month's estimate: the average rounded half-up to whole cubic metres (0
    with no history)."""
    if average_units is None:
        return 0
    return int(Decimal(average_units).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def billable(units: int, *, estimated_since: int = 0, credit: int = 0) -> tuple[int, int]:
    """(cubic metres to bill, credit carried to the next month): the units measured since
    the last actual reading less what estimated months since then already billed, less the
    credit carried in. Never negative: what is left over is carried as a credit."""
    net = units - estimated_since - credit
    if net >= 0:
        return net, 0
    return 0, -net


def as_plain(line: Line) -> dict[str, Any]:
    """A line as plain data (amount as a string), for tests, the API and audit rows."""
    return {
        "kind": line.kind,
        "head": line.head,
        "amount": str(line.amount),
        "rule": line.rule,
        "tariff_from": line.tariff_from.isoformat() if line.tariff_from else None,
        "first_day": line.first_day.isoformat() if line.first_day else None,
        "last_day": line.last_day.isoformat() if line.last_day else None,
    }
