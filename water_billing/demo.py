"""Demo water connections (seed_demo): one connection on each demo holding (those of
holding tax's demo, read through holdings.public), over every ward — residential,
commercial and industrial, about one in ten unmetered — each metered one with 12 months
of readings up to last month, and the last two months billed by the set-based generation
(water_billing.billing). Among them, read through the services one by one:

- the demo citizen's connection (ward 1, holding 12), linked to their account, whose last
  month jumped (a spike: flagged for the water officer, a possible leak on the citizen's
  page), both billed months unpaid (in "what I owe" as not billed yet: "Pay" makes the
  payments bill, as from the connection's page);
- a meter that rolls over 99,999 → a few m³ (5 dials);
- a meter replaced five months ago (the old meter's final reading kept);
- a month left unread four months ago (estimated, then trued up), and one left unread
  last month (estimated on its bill).

The other connections' readings are made in memory by the same arithmetic the readings
service uses (water_billing.tariff: consumption, check, billable) and written in one
statement, so the demo stays quick. Deterministic (a fixed random seed) and idempotent:
connections that exist are left alone (readings only for those made now), bill generation
adds only what is missing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core.reminders import add_months

from . import tariff as arithmetic
from .billing import generate_water_bills
from .defaults import ensure_default_tariff
from .models import Category, Connection, Meter, Reading, StatusChange
from .numbers import consumer_no
from .services import meter_replace, reading_estimate, reading_record

MONTHS = 12  # months of readings, up to last month
BILLED = 2  # the last months billed
DIALS = 5
UNMETERED = 0.1  # share of connections charged the flat rate
SEWERAGE = 0.4
USE_TO_CATEGORY = {
    "residential": Category.RESIDENTIAL,
    "mixed": Category.COMMERCIAL,
    "commercial": Category.COMMERCIAL,
    "industrial": Category.INDUSTRIAL,
}
MONTHLY_M3 = {  # a month's ordinary use, cubic metres
    Category.RESIDENTIAL: (10, 30),
    Category.COMMERCIAL: (25, 90),
    Category.INDUSTRIAL: (120, 400),
}
PIPES = {
    Category.RESIDENTIAL: [12, 12, 12, 20],
    Category.COMMERCIAL: [20, 25],
    Category.INDUSTRIAL: [40, 50],
}
BLOCK_SIZE = 6  # connections per block on the meter reader's walk


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the MONTHS months before this one, oldest first."""
    this = today.replace(day=1)
    return [add_months(this, -n) for n in range(MONTHS, 0, -1)]


def _read_on(period: datetime.date) -> datetime.date:
    return period.replace(day=25)


def _bill_date(period: datetime.date, today: datetime.date) -> datetime.date:
    """The 2nd of the next month (today, when that is still to come)."""
    return min(add_months(period, 1) + datetime.timedelta(days=1), today)


def _plan(rng: random.Random, holdings) -> list[dict]:
    rows = []
    serials: dict[int, int] = {}
    for h in holdings:
        category = USE_TO_CATEGORY.get(h.use)
        if category is None:  # vacant land: no connection
            continue
        serials[h.ward] = serials.get(h.ward, 0) + 1
        serial = serials[h.ward]
        low, high = MONTHLY_M3[category]
        demo = (h.ward, h.number) == (1, "12")
        rows.append(
            {
                "holding": h,
                "consumer_no": consumer_no(ward=h.ward, serial=serial),
                "category": category,
                "pipe": rng.choice(PIPES[category]),
                "metered": demo or rng.random() >= UNMETERED,
                "sewerage": rng.random() < SEWERAGE,
                "usual": rng.randint(low, high),
                "initial": rng.randint(0, 5000),
                "block": chr(ord("A") + (serial - 1) // BLOCK_SIZE),
                "walk": (serial - 1) % BLOCK_SIZE + 1,
                "demo": demo,
            }
        )
    return rows


def _usage(rng: random.Random, usual: int) -> int:
    return max(1, round(usual * rng.uniform(0.8, 1.2)))


def _register(plan: list[dict], start: datetime.date, reader) -> list[dict]:
    """The connections of the plan not registered yet, active since `start` with their meter
    (bulk: the register is demo data). Returns the plan rows made now, with their pk."""
    from core.models import Ward

    wards = {w.number: w for w in Ward.objects.all()}
    existing = set(Connection.objects.values_list("consumer_no", flat=True))
    new = [r for r in plan if r["consumer_no"] not in existing]
    if not new:
        return []
    made = Connection.objects.bulk_create(
        [
            Connection(
                consumer_no=r["consumer_no"],
                ward=wards[r["holding"].ward],
                holding_number=r["holding"].number,
                name_bn=r["holding"].owner_name_bn,
                name_en=r["holding"].owner_name_en,
                address=", ".join(p for p in (r["holding"].road, r["holding"].mahalla) if p),
                category=r["category"],
                pipe_diameter_mm=r["pipe"],
                metered=r["metered"],
                sewerage=r["sewerage"],
                billing_mobile=r["holding"].owner_mobile,
                status=Connection.Status.ACTIVE,
                connected_on=start,
                block=r["block"],
                walk_order=r["walk"],
            )
            for r in new
        ]
    )
    for r, c in zip(new, made, strict=True):
        r["pk"] = c.pk
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                connection_id=r["pk"],
                from_status=Connection.Status.APPLIED,
                to_status=Connection.Status.ACTIVE,
                reason="",
                changed_by=reader,
            )
            for r in new
        ]
    )
    Meter.objects.bulk_create(
        [
            Meter(
                connection_id=r["pk"],
                serial=f"KW-{r['consumer_no'].replace('-', '')}",
                installed_on=start,
                initial_reading=r["initial"],
                dial_digits=DIALS,
            )
            for r in new
            if r["metered"]
        ]
    )
    return new


def _bulk_readings(rng: random.Random, rows: list[dict], months, reader) -> None:
    """Each ordinary connection's months, as reading_record would store them (no estimates,
    one meter), written in one statement."""
    spike_multiple = Decimal("3")
    average_months = 6
    meters = dict(
        Meter.objects.filter(connection_id__in=[r["pk"] for r in rows]).values_list(
            "connection_id", "pk"
        )
    )
    readings = []
    for r in rows:
        value = r["initial"]
        history: list[int] = []
        for period in months:
            used = _usage(rng, r["usual"])
            current = (value + used) % 10**DIALS
            avg = arithmetic.average(history, average_months)
            measured = arithmetic.consumption(
                value, current, DIALS, average=avg, spike_multiple=spike_multiple
            )
            units = measured.units or 0
            kind, why = arithmetic.check(units, average=avg, spike_multiple=spike_multiple)
            billable, credit_after = arithmetic.billable(units)
            readings.append(
                Reading(
                    connection_id=r["pk"],
                    meter_id=meters[r["pk"]],
                    period=period,
                    value=current,
                    read_on=_read_on(period),
                    source=Reading.Source.HANDHELD,
                    status=Reading.Status.FLAGGED if kind else measured.status,
                    flag=kind or "",
                    consumption=units,
                    billable=billable,
                    credit_after=credit_after,
                    explanation_data=[measured.explanation, *([why] if why else [])],
                    read_by=reader,
                )
            )
            value = current
            history.append(units)
    Reading.objects.bulk_create(readings)


def _by_service(row: dict, months, reader, *, special: str) -> None:
    """A connection read month by month through the readings service, with its story."""
    c = Connection.objects.get(pk=row["pk"])
    value = row["initial"]
    rng = random.Random(row["consumer_no"])
    for i, period in enumerate(months):
        last = i == len(months) - 1
        if special == "estimated" and i in (len(months) - 5,):
            reading_estimate(connection=c, period=period, actor=reader)
            value += row["usual"]  # used all the same: the next reading trues it up
            continue
        if special == "unread_last" and last:
            continue  # estimated by the month's bill generation
        if special == "replaced" and i == len(months) - 5:
            # The old meter stopped on the 10th at its reading then; a new one from 0.
            meter_replace(
                connection=c,
                final_reading=value + 4,
                replaced_on=period.replace(day=10),
                serial=f"KW-{row['consumer_no'].replace('-', '')}-N",
                initial_reading=0,
                reason="Meter stopped turning.",
                actor=reader,
            )
            value = -4  # the old meter's 4 m³ count with the new one's
        used = _usage(rng, row["usual"])
        if special == "spike" and last:
            used = row["usual"] * 4  # a leak
        value = (value + used) % 10**DIALS if value + used >= 0 else 0
        reading_record(
            connection=c,
            period=period,
            value=value,
            read_on=_read_on(period),
            source=Reading.Source.HANDHELD,
            read_by=reader,
        )


def seed() -> list[tuple[str, str, str]]:
    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User
    from core.roles import Role
    from holdings.public import registered_holdings

    ensure_default_tariff()
    holdings = registered_holdings()
    if not holdings:
        return []
    today = timezone.localdate()
    months = _months(today)
    start = add_months(months[0], -1)
    reader_mobile = next(m for r, m, *_ in DEMO_STAFF if r == Role.METER_READER)
    reader = User.objects.filter(mobile=reader_mobile).first()
    citizen = User.objects.filter(mobile=CITIZEN_MOBILE).first()

    rng = random.Random(2026)
    plan = _plan(rng, holdings)
    # The stories: the demo citizen's spike, then a rollover, a replaced meter and the
    # estimated months on the first metered connections of wards 2 and 3.
    stories: dict[str, str] = {}
    for r in plan:
        if r["demo"]:
            stories[r["consumer_no"]] = "spike"
    candidates = [r for r in plan if r["metered"] and not r["demo"] and r["holding"].ward in (2, 3)]
    for r, story in zip(
        candidates, ("rollover", "replaced", "estimated", "unread_last"), strict=False
    ):
        stories[r["consumer_no"]] = story
        if story == "rollover":
            r["initial"] = 10**DIALS - r["usual"] * (MONTHS - 2)  # rolls over two months ago

    new = _register(plan, start, reader)
    metered = [r for r in new if r["metered"]]
    _bulk_readings(rng, [r for r in metered if r["consumer_no"] not in stories], months, reader)
    for r in metered:
        if r["consumer_no"] in stories:
            _by_service(r, months, reader, special=stories[r["consumer_no"]])

    for period in months[-BILLED:]:
        generate_water_bills(period, bill_date=_bill_date(period, today))

    if citizen is not None:  # linked again if someone unlinked it
        Connection.objects.filter(
            consumer_no__in=[r["consumer_no"] for r in plan if r["demo"]], user=None
        ).update(user=citizen)
    return []
