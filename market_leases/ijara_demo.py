"""Demo ijara (seed_demo, through market_leases.demo.seed): four sites with their lease
amounts of the last three Bengali years, and two tenders for the next year taking bids from
yesterday for two weeks, opened the day after they close — Gollamari Haat (reserve about
Tk 12 lakh: its security goes by bank pay order) and Shibbari Mor parking (reserve about
Tk 2 lakh: paid online through the gateway). The other two sites have no lessee this year:
the counter clerk records their khas takings. Idempotent: nothing is made when a site
exists. A third tender, for Rupsha Ghat, has closed with three paid bids and is ready to
open."""

from __future__ import annotations

import datetime
from typing import Any

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
#: A tender whose bid window has closed, ready for the estate officer to open: its bids
#: (the demo citizen, trader and lessee), each with the schedule fee and security paid.
READY = ("Rupsha Ghat", ("500", "10000"), ("01711000001", "720000"), ("01711000010", "700000"),
         ("01711000011", "690000"))  # fmt: skip


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
            _publish(site, year + 1, fee, step, now)
    _ready_to_open(year, now)


def _publish(site: IjaraSite, year: int, fee: str, step: str, now: datetime.datetime) -> Any:
    """The site's tender for Bengali `year`, taking bids from yesterday for two weeks."""
    return tender_publish(
        site=site,
        year=year,
        reference=f"খুসিক/এস্টেট/ইজারা/{year}/{site.pk:02d}",
        schedule_fee=fee,
        security_step=step,
        bid_opens_at=now - datetime.timedelta(days=1),
        bid_closes_at=now + datetime.timedelta(days=14),
        opening_at=now + datetime.timedelta(days=15),
    )


def _ready_to_open(year: int, now: datetime.datetime) -> None:
    """Rupsha Ghat's tender: three bids made and paid while it took bids, then its window
    moved to have closed yesterday and its opening to an hour ago (demo data only)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from payments.models import Payment
    from payments.services import payment_settle
    from payments.services.online import create_payment

    from .ijara_models import Bid, SchedulePurchase, Tender
    from .services.ijara import bid_submit

    name_en, (fee, step), *bids = READY
    site = IjaraSite.objects.filter(name_en=name_en).first()
    users = get_user_model().objects
    if site is None:
        return
    past_lease_record(site=site, year=year, amount="700000")
    tender = _publish(site, year + 1, fee, step, now)
    for mobile, amount in bids:
        bidder = users.filter(mobile=mobile).first()
        if bidder is None:
            continue
        made = bid_submit(tender=tender, bidder=bidder, amount=amount)
        with transaction.atomic():
            payment = create_payment(bills=made.bills, channel=Payment.Channel.ONLINE, payer=bidder)
        payment_settle(payment_id=payment.pk, facts={"card_type": "BKASH-BKash",
                       "bank_tran_id": f"DEMO{payment.pk}"})  # fmt: skip
    closed = now - datetime.timedelta(days=1)
    paid = closed - datetime.timedelta(days=1)
    Tender.objects.filter(pk=tender.pk).update(
        bid_opens_at=now - datetime.timedelta(days=15),
        bid_closes_at=closed,
        opening_at=now - datetime.timedelta(hours=1),
    )
    Bid.objects.filter(tender=tender).update(security_paid_at=paid)
    SchedulePurchase.objects.filter(tender=tender).update(paid_at=paid)
