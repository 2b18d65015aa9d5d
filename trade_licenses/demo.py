"""Demo trade licences (seed_demo): the year's schedules and categories; a demo trader whose
shop has last fiscal year's licence, so it is due for renewal now; and about twenty other
businesses across wards and categories with licences that are

- current: issued for this fiscal year;
- due for renewal ("expiring"): last year's licence, not renewed yet (reminders go out);
- expired: a licence two years old, never renewed.

Created directly with the models (an application marked issued, the licence numbered from
the year's counter like services.licence_issue does; no fee bill). Idempotent: a business
is found again by its English name and ward, a licence by its business and year.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.fiscal import current_fiscal_year, fiscal_year_bounds, previous_fiscal_year
from core.models import CityProfile, Ward
from core.roles import Role

from . import tasks
from .models import Application, ApplicationEvent, Business, Licence

DEMO_TRADER_MOBILE = "01711000010"
DEMO_TRADER_NID = "1990123456789"
DEMO_TRADER = ("আলম হোসেন", "Alam Hossain")
DEMO_BUSINESS = ("আলম মুদি ভান্ডার", "Alam Mudi Bhandar", "grocery", "23 Khan Jahan Ali Road")

# name_bn, name_en, category, premises, ward index, status, signboard sq ft
BUSINESSES = [
    ("সবুজ বাজার", "Sabuj Bazar", "grocery", "4 Boyra Main Road", 0, "current", 10),
    ("মামা বাজার", "Mama Bazar", "grocery", "18 Sher-e-Bangla Road", 1, "expiring", 8),
    ("জনতা ফার্মেসি", "Janata Pharmacy", "pharmacy", "7 Hospital Road", 2, "current", 12),
    ("নিউ মডেল ফার্মা", "New Model Pharma", "pharmacy", "31 Lower Jessore Road", 3, "expired", 6),
    ("আদর্শ দর্জি", "Adarsha Tailors", "tailor", "2 Clay Road", 4, "current", 6),
    ("রূপসা টেইলার্স", "Rupsha Tailors", "tailor", "55 Rupsha Ghat Road", 5, "expiring", 5),
    ("মোবাইল পয়েন্ট", "Mobile Point", "mobile_shop", "11 KDA Avenue", 6, "current", 16),
    ("ডিজিটাল ফোন হাউস", "Digital Phone House", "mobile_shop", "9 Shibbari More", 7, "expired", 12),
    ("স্টাইল সেলুন", "Style Salon", "salon", "3 Gollamari Road", 8, "current", 8),
    ("রয়েল হেয়ার কাট", "Royal Hair Cut", "salon", "40 Sonadanga Road", 9, "expiring", 6),
    ("খুলনা কাবাব ঘর", "Khulna Kabab Ghar", "restaurant_non_ac", "14 Satkhira Road", 0, "current", 20),
    (
        "নদীর ধারে রেস্তোরাঁ",
        "Riverside Restaurant",
        "restaurant_ac",
        "1 Rupsha Strand Road",
        1,
        "current",
        30,
    ),
    ("সোনালী ভোজ", "Sonali Bhoj", "restaurant_non_ac", "27 Power House More", 2, "expiring", 14),
    (
        "মানি এক্সচেঞ্জ সেন্টার",
        "Money Exchange Centre",
        "money_changer",
        "6 Helatala Road",
        3,
        "current",
        10,
    ),
    ("সততা মুদি", "Satata Mudi", "grocery", "70 Daulatpur Bazar", 4, "expired", 4),
    ("ভাই ভাই স্টোর", "Bhai Bhai Store", "grocery", "12 Fulbarigate Road", 5, "current", 9),
    ("নবাব ফার্মা", "Nawab Pharma", "pharmacy", "5 Tutpara Road", 6, "expiring", 10),
    ("মডার্ন টেইলার্স", "Modern Tailors", "tailor", "33 Khalishpur Road", 7, "current", 7),
    ("স্মার্ট মোবাইল", "Smart Mobile", "mobile_shop", "8 Moylapota More", 8, "expiring", 12),
    ("বাংলা সেলুন", "Bangla Salon", "salon", "21 Banorgati Road", 9, "expired", 5),
]


def _trader():
    from accounts.models import User

    user = User.objects.filter(mobile=DEMO_TRADER_MOBILE).first()
    if user is None:
        user = User.objects.create_user(mobile=DEMO_TRADER_MOBILE)
    user.name_bn, user.name_en = DEMO_TRADER
    user.nid = DEMO_TRADER_NID
    user.mobile_verified = True
    user.save()
    user.groups.add(Group.objects.get(name=Role.CITIZEN))
    return user


def _filer(trader):
    """Who filed the demo applications at the counter (the demo clerk, when seeded)."""
    from accounts.demo import DEMO_STAFF
    from accounts.models import User

    clerk_mobile = next(m for role, m, *_ in DEMO_STAFF if role == Role.COUNTER_CLERK)
    return User.objects.filter(mobile=clerk_mobile).first() or trader


def _business(name_bn, name_en, code, address, ward, signboard, trader=None) -> Business:
    business = Business.objects.filter(name_en=name_en, ward=ward).first()
    if business is None:
        business = Business.objects.create(
            trader=trader,
            name_bn=name_bn,
            name_en=name_en,
            category_code=code,
            premises_address=f"{address}, Khulna",
            ward=ward,
            signboard_sqft=signboard,
        )
    return business


def _licence(
    business: Business,
    fy: str,
    *,
    filed_by,
    trader_name,
    mobile,
    nid,
    kind: str = Application.Kind.NEW,
) -> Licence:
    from core.sequences import next_in_year

    from .models import LicenceCounter

    existing = Licence.objects.filter(business=business, fiscal_year=fy).first()
    if existing is not None:
        return existing
    application = Application.objects.create(
        business=business,
        fiscal_year=fy,
        kind=kind,
        status=Application.Status.ISSUED,
        filed_by=filed_by,
        on_behalf=filed_by.pk != getattr(business.trader, "pk", None),
        trader_name_bn=trader_name[0],
        trader_name_en=trader_name[1],
        trader_mobile=mobile,
        trader_nid=nid,
        category_code=business.category_code,
        signboard_sqft=business.signboard_sqft,
        premises_address=business.premises_address,
        needs_inspection=kind == Application.Kind.NEW,
        submitted_at=timezone.now(),
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status="",
        to_status=Application.Status.ISSUED,
        actor=filed_by,
        reason="demo data",
    )
    sequence = next_in_year(LicenceCounter, fy)
    licence = Licence.objects.create(
        business=business,
        application=application,
        fiscal_year=fy,
        sequence=sequence,
        number=f"{CityProfile.current().code}/TL/{fy}/{sequence:06d}",
        verify_code=secrets.token_hex(8),
        valid_until=fiscal_year_bounds(fy)[1],
    )
    # Like services.licence_issue: the worker renders the certificate after the commit.
    transaction.on_commit(lambda: tasks.render_certificate_pdf.delay(licence.pk), robust=True)
    return licence


def seed() -> list[tuple[str, str, str]]:
    from .services import schedule_for

    wards = list(Ward.objects.order_by("number"))
    if not wards:
        return []
    current = current_fiscal_year()
    previous = previous_fiscal_year(current)
    before = previous_fiscal_year(previous)
    for fy in (before, previous, current):
        schedule_for(fy)  # the schedule and its categories, seeded with the defaults

    trader = _trader()
    filer = _filer(trader)
    name_bn, name_en, code, address = DEMO_BUSINESS
    shop = _business(
        name_bn, name_en, code, address, wards[min(4, len(wards) - 1)], 12, trader=trader
    )
    # Last year's licence only: the demo trader's shop is due for renewal now.
    _licence(
        shop,
        previous,
        filed_by=trader,
        trader_name=DEMO_TRADER,
        mobile=DEMO_TRADER_MOBILE,
        nid=DEMO_TRADER_NID,
    )

    for i, (bn, en, code, address, ward_index, status, sqft) in enumerate(BUSINESSES):
        business = _business(bn, en, code, address, wards[ward_index % len(wards)], sqft)
        contact = {
            "filed_by": filer,
            "trader_name": (f"{bn} (মালিক)", f"Owner of {en}"),
            "mobile": f"0181{i + 1:07d}",
            "nid": f"{7000000000 + i}",
        }
        if status == "expired":
            _licence(business, before, **contact)
        else:
            _licence(business, previous, **contact)
            if status == "current":
                _licence(business, current, kind=Application.Kind.RENEWAL, **contact)
    return [
        (
            f"{Role.CITIZEN.label} (trader, licence due for renewal)",
            DEMO_TRADER_MOBILE,
            "one-time code by SMS",
        )
    ]
