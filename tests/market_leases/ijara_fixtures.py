"""Ijara fixtures (imported by the test_ijara*.py modules): Kalibari Haat in ward 5 with its
lease amounts of 1430–1432 (1,200,000 / 1,250,000 / 1,300,000: reserve 1,250,000.00), and
its tender for 1434 — schedule fee Tk 2,000, security in steps of Tk 50,000, bids from
1 December 2026 to 20 December 2026 17:00, opened 21 December 2026 11:00 (Dhaka)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

DHAKA = ZoneInfo("Asia/Dhaka")
CLOSES = datetime(2026, 12, 20, 17, 0, tzinfo=DHAKA)
OPENING = datetime(2026, 12, 21, 11, 0, tzinfo=DHAKA)


@pytest.fixture
def site(db, rules, officer):
    from core.models import Ward
    from market_leases.services.ijara import past_lease_record, site_register

    s = site_register(
        ward=Ward.objects.get(number=5),
        kind="haat",
        name_bn="কালীবাড়ি হাট",
        name_en="Kalibari Haat",
        actor=officer,
    )
    for year, amount in ((1429, "900000"), (1430, "1200000"), (1431, "1250000"), (1432, "1300000")):
        past_lease_record(site=s, year=year, amount=amount, actor=officer)
    return s


@pytest.fixture
def tender(site, officer):
    from market_leases.services.ijara import tender_publish

    return tender_publish(
        site=site,
        year=1434,
        reference="KCC/Estate/Ijara/1434/07",
        schedule_fee="2000",
        security_step="50000",
        bid_opens_at=datetime(2026, 12, 1, 10, 0, tzinfo=DHAKA),
        bid_closes_at=CLOSES,
        opening_at=OPENING,
        actor=officer,
    )


@pytest.fixture
def at_opening():
    """Move the clock to the opening (21 December 2026 11:05)."""

    def move():
        return time_machine.travel(datetime(2026, 12, 21, 11, 5, tzinfo=DHAKA), tick=True)

    return move


def settle(bills):
    """Pay bills as the gateway's confirmation would settle them (no gateway: for the tests
    that do not look at refunds)."""
    from django.db import transaction

    from payments.models import Payment
    from payments.services import payment_settle
    from payments.services.online import create_payment

    with transaction.atomic():
        payment = create_payment(bills=bills, channel=Payment.Channel.ONLINE, payer=bills[0].payer)
    return payment_settle(payment_id=payment.pk, facts={"bank_tran_id": f"B{payment.pk}"})


AMOUNT = Decimal("1334567.00")


@pytest.fixture
def gateway(live_server, settings):
    """Point the real client at the simulator on the live server (and callbacks at it)."""
    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    return live_server


def pay_at_gateway(payment, action: str = "bkash") -> None:
    """Pay at the simulator's checkout page without its notification, then reconcile (the
    beat task's query), as payments' own tests do."""
    from payments.services import payment_reconcile
    from payments.simulator.client import pay

    pay(payment.gateway_url, action, no_ipn=True)
    assert payment_reconcile(payment=payment) == "succeeded"


@pytest.fixture
def parking_tender(db, rules, officer):
    """Rupsha Ghat parking, ward 21: leased for 180,000 / 200,000 / 220,000 in 1430–1432
    (reserve 200,000.00); its 1434 tender with a schedule fee of Tk 500 and the security in
    steps of Tk 10,000 — small enough to pay everything online."""
    from core.models import Ward
    from market_leases.services.ijara import past_lease_record, site_register, tender_publish

    s = site_register(
        ward=Ward.objects.get(number=21),
        kind="parking",
        name_bn="রূপসা ঘাট পার্কিং",
        name_en="Rupsha Ghat parking",
        actor=officer,
    )
    for year, amount in ((1430, "180000"), (1431, "200000"), (1432, "220000")):
        past_lease_record(site=s, year=year, amount=amount, actor=officer)
    return tender_publish(
        site=s,
        year=1434,
        reference="KCC/Estate/Ijara/1434/21",
        schedule_fee="500",
        security_step="10000",
        bid_opens_at=datetime(2026, 12, 1, 10, 0, tzinfo=DHAKA),
        bid_closes_at=CLOSES,
        opening_at=OPENING,
        actor=officer,
    )
