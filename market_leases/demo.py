"""Demo markets (seed_demo): two city markets with a hundred shops — New Market (ward 5, two
floors, 60 shops) and Boro Bazar (ward 21, 40 shops) — with their rent schedules from
1 July 2024; 70 shops allotted and active, the rest vacant; the current month's rent made
for every allotment by the set-based run, and for eight of them (and the demo lessee's)
the three months before it too, unpaid: in arrears, ready for a notice of cancellation.
The demo lessee (a citizen account of their own, so the demo citizen's dues stay as they
are) holds shop 12 of New Market.

The allotments are the register the estate office kept before the portal, entered as it
stands (active, with their salami and deposit as paid then), not allotted anew: there is
no licence check or bill for them. Names and addresses in Bengali. Deterministic and
idempotent: markets that exist are left alone.
"""

from __future__ import annotations

import datetime
import random
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.digits import to_bengali_digits
from core.reminders import add_months

from . import rent
from .billing import generate_shop_rent
from .defaults import ensure_default_rules
from .models import Allotment, AllotmentStatusChange, Lessee, Market, RentSchedule, Shop

DEMO_LESSEE_MOBILE = "01711000011"
DEMO_LESSEE_NID = "1980000000011"
FROM = datetime.date(2024, 7, 1)

MARKETS = [
    # Bengali name, English name, ward, address, rates per floor (rent, salami, months)
    (
        "নিউ মার্কেট",
        "New Market",
        5,
        "কেডিএ এভিনিউ, খুলনা",
        [("35.00", "1500.00", 6), ("25.00", "1000.00", 6)],
    ),
    ("বড় বাজার", "Boro Bazar", 21, "হেলাতলা রোড, খুলনা", [("28.00", "1200.00", 6)]),
]
SHOPS_PER_FLOOR = {"New Market": 30, "Boro Bazar": 40}
ALLOTTED = 70
IN_ARREARS = 8
NAMES = [
    "আব্দুল করিম",
    "মোছা. হালিমা বেগম",
    "মো. সেলিম রেজা",
    "শফিকুল ইসলাম",
    "নাসরিন আক্তার",
    "মো. জাহাঙ্গীর আলম",
    "রবিউল হাসান",
    "তানিয়া সুলতানা",
    "মো. আনোয়ার হোসেন",
    "সাইফুল ইসলাম",
]


def _lessee_account():
    from django.contrib.auth.models import Group

    from accounts.models import User
    from core.roles import Role

    user = User.objects.filter(mobile=DEMO_LESSEE_MOBILE).first()
    if user is None:
        user = User.objects.create_user(mobile=DEMO_LESSEE_MOBILE)
    user.name_bn = "রহিমা খাতুন"
    user.mobile_verified = True
    user.save()
    user.groups.set([Group.objects.get(name=Role.CITIZEN)])
    return user


@transaction.atomic
def _register(rng: random.Random, user, today: datetime.date) -> None:
    from core.models import Ward

    markets: list[tuple[Market, list]] = []
    for bn, en, ward, address, rates in MARKETS:
        market = Market.objects.create(
            ward=Ward.objects.get(number=ward),
            name_bn=bn,
            name_en=en,
            address=address,
            floors=len(rates),
        )
        RentSchedule.objects.bulk_create(
            RentSchedule(
                market=market,
                floor=floor,
                effective_from=FROM,
                rent_per_sqft=Decimal(r),
                salami_per_sqft=Decimal(s),
                deposit_months=months,
                order_reference="স্মারক নং ৪৬.০৭.৪৭০০.০০৩.২৪",
            )
            for floor, (r, s, months) in enumerate(rates)
        )
        markets.append((market, rates))
    shops: list[Shop] = []
    for market, rates in markets:
        for floor in range(len(rates)):
            for n in range(1, SHOPS_PER_FLOOR[market.name_en] + 1):
                shops.append(
                    Shop(
                        market=market,
                        number=str(floor * 100 + n),
                        floor=floor,
                        area_sqft=Decimal(rng.choice([80, 96, 100, 120, 144, 150, 180])),
                    )
                )
    Shop.objects.bulk_create(shops)
    schedules = {
        (s.market_id, s.floor): s.as_schedule()
        for s in RentSchedule.objects.filter(market__in=[m for m, _ in markets])
    }
    chosen = rng.sample(shops, ALLOTTED)
    demo_shop = next(s for s in shops if s.market.name_en == "New Market" and s.number == "12")
    if demo_shop not in chosen:
        chosen[0] = demo_shop
    lessees = Lessee.objects.bulk_create(
        Lessee(
            nid=f"{1990000000000 + i}",
            name_bn=NAMES[i % len(NAMES)],
            mobile=f"0191{i + 1:07d}",
            address="খুলনা",
        )
        for i in range(len(chosen) - 1)
    )
    demo_lessee = Lessee.objects.create(
        nid=DEMO_LESSEE_NID,
        name_bn="রহিমা খাতুন",
        mobile=DEMO_LESSEE_MOBILE,
        address="২১ হেলাতলা রোড, খুলনা",
        user=user,
    )
    this_month = today.replace(day=1)
    arrears_from = add_months(this_month, -3)
    others = [s for s in chosen if s is not demo_shop]
    allotments = []
    for i, (shop, lessee) in enumerate(
        [(demo_shop, demo_lessee), *zip(others, lessees, strict=True)]
    ):
        schedule = schedules[(shop.market_id, shop.floor)]
        starts = arrears_from if i <= IN_ARREARS else this_month
        allotments.append(
            Allotment(
                shop=shop,
                lessee=lessee,
                basis=Allotment.Basis.COMMITTEE if i % 3 else Allotment.Basis.TENDER,
                decision_reference=f"স্মারক নং ৪৬.০৭.৪৭০০.১১৮.{to_bengali_digits(i + 1)}",
                decision_date=starts - datetime.timedelta(days=20),
                starts_on=starts,
                ends_on=add_months(starts, 60) - datetime.timedelta(days=1),
                salami=rent.salami(shop.area_sqft, schedule).amount,
                security_deposit=rent.security_deposit(shop.area_sqft, schedule).amount,
                trade_licence_number="",
                trade_licence_valid_until=starts,
                status=Allotment.Status.ACTIVE,
                verify_code=secrets.token_hex(8),
            )
        )
    made = Allotment.objects.bulk_create(allotments)
    AllotmentStatusChange.objects.bulk_create(
        AllotmentStatusChange(allotment=a, from_status="", to_status=Allotment.Status.ACTIVE)
        for a in made
    )


def seed() -> list[tuple[str, str, str]]:
    from core.roles import Role

    ensure_default_rules()
    user = _lessee_account()
    today = timezone.localdate()
    if not Market.objects.filter(name_en="New Market", ward__number=5).exists():
        _register(random.Random(2026), user, today)
        this_month = today.replace(day=1)
        for back in (3, 2, 1, 0):
            generate_shop_rent(add_months(this_month, -back), today=today)
    Lessee.objects.filter(mobile=DEMO_LESSEE_MOBILE, user=None).update(user=user)
    from .ijara_demo import seed_ijara

    seed_ijara(today)
    return [
        (f"{Role.CITIZEN.label} (market shop lessee)", DEMO_LESSEE_MOBILE, "one-time code by SMS")
    ]
