"""Demo ijara (seed_demo, through market_leases.demo.seed): four sites with their lease
amounts of the last three Bengali years, and two tenders for the next year taking bids from
yesterday for two weeks, opened the day after they close — Gollamari Haat (reserve about
Tk 12 lakh: its security goes by bank pay order) and Shibbari Mor parking (reserve about
Tk 2 lakh: paid online through the gateway). The other two sites have no lessee this year:
the counter clerk records their khas takings. Idempotent: nothing is made when a site
exists."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.models import Ward

from . import rent
from .ijara_models import IjaraSite
from .services.ijara import past_lease_record, site_register, tender_publish

SITES = [
    # Bengali name, English name, ward, kind, the last three years' amounts (oldest first)
    ("গল্লামারী হাট", "Gollamari Haat", 21, "haat", ("1150000", "1200000", "1250000")),
    ("শিববাড়ী মোড় পার্কিং", "Shibbari Mor parking", 5, "parking", ("180000", "200000", "220000")),
    ("রূপসা ঘাট", "Rupsha Ghat", 21, "ghat", ("640000", "655000", "700000")),
    ("সোনাডাঙ্গা বাস টার্মিনাল", "Sonadanga bus terminal", 5, "terminal", ("900000", "950000", "1000000")),
]
TENDERED = {"Gollamari Haat": ("2000", "50000"), "Shibbari Mor parking": ("500", "10000")}


def seed_ijara(today: datetime.date | None = None) -> None:
    if IjaraSite.objects.exists():
        return
    today = today or timezone.localdate()
    year = rent.bengali_year_of(today)
    now = timezone.now()
    for name_bn, name_en, ward_number, kind, amounts in SITES:
        ward = Ward.objects.filter(number=ward_number).first()
        if ward is None:
            continue
        site = site_register(ward=ward, kind=kind, name_bn=name_bn, name_en=name_en)
        for back, amount in zip((3, 2, 1), amounts, strict=True):
            past_lease_record(site=site, year=year - back, amount=amount)
        if name_en in TENDERED:
            fee, step = TENDERED[name_en]
            # Last year's figure for this year (the lessee of this year is in the register).
            past_lease_record(site=site, year=year, amount=amounts[-1])
            tender_publish(
                site=site,
                year=year + 1,
                reference=f"খুসিক/এস্টেট/ইজারা/{year + 1}/{site.pk:02d}",
                schedule_fee=fee,
                security_step=step,
                bid_opens_at=now - datetime.timedelta(days=1),
                bid_closes_at=now + datetime.timedelta(days=14),
                opening_at=now + datetime.timedelta(days=15),
            )
