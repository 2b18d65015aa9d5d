"""Demo holdings (seed_demo): 300 holdings across all wards with realistic rents, owners
with Bengali and English names, last year's and this year's demands, some in arrears; the
demo citizen owns and has linked ward 1 holdings 12 and 12/A, and has open holding-tax
bills for them made the way the statement page makes them (holding_bill): the next
instalment of each holding and the arrears of 12/A.

Deterministic (a fixed random seed) and idempotent: holdings that exist are left alone,
owners and assessments are added only where missing, demand generation inserts only
what does not exist yet, and a due already on an open bill is left on that bill."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.digits import to_ascii_digits
from core.fiscal import current_fiscal_year, fiscal_year_start, previous_fiscal_year
from core.models import Ward

from . import tax
from .demands import generate_demands
from .models import Arrear, Assessment, Holding, HoldingBillItem, Instalment, Owner, Use
from .selectors import statement
from .services import holding_bill

HOLDINGS = 300
DEMO_NID = "1234567890"
PAID_LAST_YEAR = 0.8  # share of holdings whose owners paid last year in full

FIRST = [
    ("মোহাম্মদ", "Mohammad"),
    ("আব্দুল", "Abdul"),
    ("রফিকুল", "Rafiqul"),
    ("শাহানা", "Shahana"),
    ("নাসরিন", "Nasrin"),
    ("কামরুল", "Kamrul"),
    ("ফাতেমা", "Fatema"),
    ("জাহিদ", "Zahid"),
    ("সুমাইয়া", "Sumaiya"),
    ("মিজানুর", "Mizanur"),
    ("তানভীর", "Tanvir"),
    ("রুবিনা", "Rubina"),
    ("প্রদীপ", "Pradip"),
    ("অনিতা", "Anita"),
    ("হাবিবুর", "Habibur"),
    ("সেলিনা", "Selina"),
]
LAST = [
    ("রহমান", "Rahman"),
    ("হোসেন", "Hossain"),
    ("ইসলাম", "Islam"),
    ("খান", "Khan"),
    ("আক্তার", "Akter"),
    ("বিশ্বাস", "Biswas"),
    ("শেখ", "Sheikh"),
    ("মণ্ডল", "Mondal"),
    ("সরদার", "Sardar"),
    ("চৌধুরী", "Chowdhury"),
    ("দাস", "Das"),
    ("মোল্লা", "Molla"),
]
ROADS = [
    "KDA Avenue",
    "Khan Jahan Ali Road",
    "Sher-e-Bangla Road",
    "Sir Iqbal Road",
    "Lower Jessore Road",
    "Majid Sarani",
    "Rupsha Strand Road",
    "Boyra Main Road",
    "Sonadanga Main Road",
    "Ahsan Ahmed Road",
    "Shamsur Rahman Road",
    "Tutpara Main Road",
]
MAHALLAS = [
    "Sonadanga",
    "Boyra",
    "Khalishpur",
    "Daulatpur",
    "Gollamari",
    "Nirala",
    "Tutpara",
    "Bagmara",
    "Shibbari",
    "Rupsha",
    "Moylapota",
    "Banargati",
]
USES = (
    [Use.RESIDENTIAL] * 70
    + [Use.COMMERCIAL] * 14
    + [Use.MIXED] * 7
    + [Use.INDUSTRIAL] * 4
    + [Use.VACANT_LAND] * 5
)
RENT_RANGE = {
    Use.RESIDENTIAL: (60, 600),
    Use.MIXED: (150, 900),
    Use.COMMERCIAL: (300, 2400),
    Use.INDUSTRIAL: (500, 3000),
}  # thousand taka


def _plan(rng: random.Random, wards: list[Ward], current: str) -> list[dict]:
    """The demo register: one dict per holding (the same every run)."""
    start = fiscal_year_start(current)
    rows = [
        {
            "ward": wards[0],
            "number": "12",
            "use": Use.RESIDENTIAL,
            "owner_occupied": True,
            "road": "KDA Avenue",
            "mahalla": "Sonadanga",
            "rent": Decimal("240000"),
            "since": previous_fiscal_year(current),
            "name": ("রহিম উদ্দিন", "Rahim Uddin"),
            "paid_last_year": True,
            "demo": True,
        },
        {
            "ward": wards[0],
            "number": "12/A",
            "use": Use.COMMERCIAL,
            "owner_occupied": False,
            "road": "KDA Avenue",
            "mahalla": "Sonadanga",
            "rent": Decimal("360000"),
            "since": previous_fiscal_year(current),
            "name": ("রহিম উদ্দিন", "Rahim Uddin"),
            "paid_last_year": False,
            "demo": True,
        },
    ]
    for i in range(HOLDINGS - len(rows)):
        ward = wards[i % len(wards)]
        number = str(1 + i // len(wards) * 7 + rng.randint(0, 5))
        if rng.random() < 0.12:
            number += rng.choice(["/A", "/B", "/1"])
        use = rng.choice(USES)
        low, high = RENT_RANGE.get(use, (0, 0))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        since_start = start - 1 - rng.randint(0, 6)
        rows.append(
            {
                "ward": ward,
                "number": number,
                "use": use,
                "owner_occupied": use in (Use.RESIDENTIAL, Use.MIXED) and rng.random() < 0.45,
                "road": rng.choice(ROADS),
                "mahalla": rng.choice(MAHALLAS),
                "rent": Decimal(rng.randint(low, high) * 1000) if high else None,
                "since": f"{since_start}-{(since_start + 1) % 100:02d}",
                "name": (f"{first[0]} {last[0]}", f"{first[1]} {last[1]}"),
                "paid_last_year": rng.random() < PAID_LAST_YEAR,
                "demo": False,
                "index": i,
            }
        )
    return rows


SAMPLE_FILE = Path(__file__).resolve().parent / "samples" / "holdings_register.csv"


def sample_holdings() -> set[tuple[int, str]]:
    """(ward number, holding number) of every holding in the sample import file."""
    try:
        text = SAMPLE_FILE.read_text(encoding="utf-8-sig")
    except OSError:
        return set()
    found = set()
    for row in csv.DictReader(io.StringIO(text)):
        ward = to_ascii_digits(row.get("ward") or "").strip()
        number = to_ascii_digits(row.get("holding_number") or "").strip()
        if ward.isdigit() and number:
            found.add((int(ward), number))
    return found


def seed() -> list:
    from accounts.demo import CITIZEN_MOBILE
    from accounts.models import User

    wards = list(Ward.objects.order_by("number"))
    if not wards:
        return []
    current = current_fiscal_year()
    previous = previous_fiscal_year(current)
    plan = _plan(random.Random(2025), wards, current)
    # Numbers drawn twice in one ward keep the first row. A number the sample import file
    # uses is given a suffix, so that the sample imports on the demo database.
    sample = sample_holdings()
    unique: dict[tuple[int, str], dict] = {}
    for row in plan:
        if (row["ward"].number, row["number"]) in sample:
            row["number"] += "/D"
        unique.setdefault((row["ward"].pk, row["number"]), row)
    plan = list(unique.values())

    existing = set(Holding.objects.filter(ward__in=wards).values_list("ward_id", "number"))
    Holding.objects.bulk_create(
        [
            Holding(
                ward=r["ward"],
                number=r["number"],
                use=r["use"],
                road=r["road"],
                mahalla=r["mahalla"],
                owner_occupied=r["owner_occupied"],
            )
            for r in plan
            if (r["ward"].pk, r["number"]) not in existing
        ],
        ignore_conflicts=True,
    )
    ids = {
        (w, n): pk
        for pk, w, n in Holding.objects.filter(ward__in=wards).values_list(
            "pk", "ward_id", "number"
        )
    }
    for row in plan:
        row["pk"] = ids[(row["ward"].pk, row["number"])]

    citizen = User.objects.filter(mobile=CITIZEN_MOBILE).first()
    with_owner = set(
        Owner.objects.filter(holding_id__in=ids.values()).values_list("holding_id", flat=True)
    )
    Owner.objects.bulk_create(
        [
            Owner(
                holding_id=r["pk"],
                name_bn=r["name"][0],
                name_en=r["name"][1],
                nid=DEMO_NID if r["demo"] else f"{5000000000 + r['index']}",
                mobile=CITIZEN_MOBILE if r["demo"] else f"0191{r['index']:07d}",
                user=citizen if r["demo"] else None,
            )
            for r in plan
            if r["pk"] not in with_owner
        ]
    )
    if citizen is not None:  # linked again if someone unlinked it
        Owner.objects.filter(
            holding_id__in=[r["pk"] for r in plan if r["demo"]], nid=DEMO_NID, user=None
        ).update(user=citizen)

    assessed = set(
        Assessment.objects.filter(holding_id__in=ids.values()).values_list("holding_id", flat=True)
    )
    assessments = []
    for r in plan:
        if r["rent"] is None or r["pk"] in assessed:
            continue
        valuation = tax.annual_valuation(r["rent"], owner_occupied=r["owner_occupied"])
        assessments.append(
            Assessment(
                holding_id=r["pk"],
                effective_fy=r["since"],
                annual_rent=valuation.annual_rent,
                owner_occupied=r["owner_occupied"],
                annual_valuation=valuation.annual_valuation,
                basis=valuation.explanation + " (demo data)",
            )
        )
    Assessment.objects.bulk_create(assessments, ignore_conflicts=True)

    if generate_demands(previous).demands:
        # Most owners paid last year in full before the portal took over; the rest are
        # carried into this year as arrears with their surcharge.
        Instalment.objects.filter(
            demand__fiscal_year=previous,
            status=Instalment.Status.DUE,
            demand__holding_id__in=[r["pk"] for r in plan if r["paid_last_year"]],
        ).update(status=Instalment.Status.PAID)
    generate_demands(current)
    if citizen is not None:
        _citizen_bills(
            citizen,
            Holding.objects.filter(pk__in=[r["pk"] for r in plan if r["demo"]]).order_by("pk"),
        )
    _a_days_collections([r for r in plan if not r["demo"] and r["rent"] is not None])
    return []


#: How the demo's online payers paid (the gateway's card_type).
ONLINE_METHODS = ["BKASH-BKash", "NAGAD-Nagad", "VISA-Dutch Bangla", "DBBLMOBILEB-Dbbl Mobile"]


def _a_days_collections(plan: list[dict]) -> None:
    """Today's takings, for the revenue officer's figures: the owners of 24 holdings pay this
    year's first instalment, half in cash at the demo clerk's counter (the session closed,
    waiting for the revenue officer to verify it), half online. Once: left alone when the
    demo has collected holding tax before."""
    from accounts.demo import DEMO_STAFF
    from accounts.models import User
    from core.roles import Role
    from payments.models import Allocation, Payment
    from payments.rollups import rollups_refresh
    from payments.services import (
        counter_session_close,
        counter_session_open,
        counter_take_cash,
        payment_settle,
    )
    from payments.services.online import create_payment

    mobile = next(m for role, m, *_ in DEMO_STAFF if role == Role.COUNTER_CLERK)
    clerk = User.objects.filter(mobile=mobile).first()
    if clerk is None or Allocation.objects.filter(service="holdings").exists():
        return
    bills = []
    for row in plan[::12][:24]:
        holding = Holding.objects.get(pk=row["pk"])
        due = statement(holding).due_instalments[:1]
        if due:
            bills.append(holding_bill(holding=holding, instalments=due))
    session = counter_session_open(clerk=clerk)
    for bill in bills[::2]:
        counter_take_cash(session=session, bills=[bill], clerk=clerk)
    taken = sum((b.total for b in bills[::2]), Decimal("0.00"))
    counter_session_close(session=session, clerk=clerk, counted_cash=taken)
    for i, bill in enumerate(bills[1::2]):
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE)
        payment_settle(
            payment_id=payment.pk,
            facts={"card_type": ONLINE_METHODS[i % len(ONLINE_METHODS)], "val_id": f"DEMO{i}"},
        )
    rollups_refresh()


def _citizen_bills(citizen, holdings) -> None:
    """The demo citizen's open bills, real holding-tax bills: for each of their holdings the
    next instalment, and all arrears where there are some. A due already on an open bill
    stays on it (a second run, or a bill the citizen made, is left alone)."""
    today = timezone.localdate()
    for holding in holdings:
        st = statement(holding)
        # (kind, instalments, arrears): one bill for the next instalment, one for the arrears.
        asks: list[tuple[str, list[Instalment], list[Arrear]]] = [
            ("instalment", st.due_instalments[:1], []),
            ("arrear", [], [a for a in st.arrears if a.status == Arrear.Status.DUE]),
        ]
        for kind, instalments, arrears in asks:
            chosen = instalments or arrears
            if (
                not chosen
                or HoldingBillItem.objects.filter(
                    bill__status="open", **{f"{kind}__in": chosen}
                ).exists()
            ):
                continue
            try:
                holding_bill(
                    holding=holding,
                    payer=citizen,
                    today=today,
                    instalments=instalments,
                    arrears=arrears,
                )
            except ValidationError:  # nothing due any more, or a payment on it under way
                continue
