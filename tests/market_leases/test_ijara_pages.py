# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""Ijara pages and the seal: the bidder's form (Bengali digits, refusals in Bengali with
nothing made), who may open which page, the officer's new tender form, pay orders confirmed
at the opening, and the sealed token (bound to its bid, the key from the setting, rotation)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import translation

from market_leases import sealing
from market_leases.ijara_models import Bid, Tender
from market_leases.services import ijara

from .ijara_fixtures import AMOUNT, at_opening, settle, site, tender  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_bid_form_takes_bengali_digits_and_goes_to_the_gateway(tender, client, citizen):
    from unittest import mock

    client.force_login(citizen)
    url = reverse("market_leases:ijara_tender", args=[tender.pk])
    assert client.get(url).status_code == 200
    started = mock.Mock(gateway_url="https://gateway.example/pay/1")
    with mock.patch("market_leases.views.ijara.payment_initiate_online", return_value=started):
        response = client.post(url, {"amount": "১৩,৩৪,৫৬৭.০০"})
    assert response.status_code == 302 and response["Location"] == started.gateway_url
    assert Bid.objects.get().security == Decimal("350000.00")


def test_a_bid_below_the_reserve_on_the_page_is_refused_in_bengali(tender, client, citizen):
    client.force_login(citizen)
    with translation.override("bn"):
        response = client.post(
            reverse("market_leases:ijara_tender", args=[tender.pk]),
            {"amount": "১০০০"},
            HTTP_ACCEPT_LANGUAGE="bn",
        )
    assert response.status_code == 400
    assert "সংরক্ষিত মূল্য" in response.content.decode()
    assert not Bid.objects.exists()


def test_pages_for_whom(tender, client, citizen, officer, make_user):
    officer_pages = [
        reverse("market_leases:ijara_officer"),
        reverse("market_leases:ijara_officer_new"),
        reverse("market_leases:ijara_officer_tender", args=[tender.pk]),
    ]
    bidder_pages = [reverse("market_leases:ijara_tenders"), reverse("market_leases:ijara_bids")]
    for url in officer_pages + bidder_pages:
        assert client.get(url).status_code == 302  # to the sign-in
    client.force_login(citizen)
    for url in officer_pages:
        assert client.get(url).status_code == 403, url
    for url in bidder_pages:
        assert client.get(url).status_code == 200, url
    client.force_login(officer)
    for url in officer_pages:
        assert client.get(url).status_code == 200, url
    clerk = make_user("counter_clerk")
    client.force_login(clerk)
    assert client.get(reverse("market_leases:khas")).status_code == 200
    client.force_login(citizen)
    assert client.get(reverse("market_leases:khas")).status_code == 403


def test_the_officer_publishes_a_tender_from_the_page(site, client, officer):
    client.force_login(officer)
    url = reverse("market_leases:ijara_officer_new")
    values = {
        "site": site.pk,
        "year": "১৪৩৪",
        "reference": "KCC/Ijara/1434/9",
        "schedule_fee": "২০০০",
        "security_step": "50000",
        "bid_opens_at": "2026-12-11T10:00",
        "bid_closes_at": "2026-12-20T17:00",
        "opening_at": "2026-12-21T11:00",
        "reserve_price": "1400000",
        "reserve_reason": "",
        "balance_days": "7",
    }
    refused = client.post(url, values)
    assert refused.status_code == 400 and not Tender.objects.exists()
    response = client.post(url, {**values, "reserve_reason": "A new road reaches the haat"})
    tender = Tender.objects.get()
    assert response.status_code == 302
    assert (tender.year, tender.reserve_price) == (1434, Decimal("1400000.00"))


def test_a_pay_order_ticked_at_the_opening_makes_the_bid_valid(
    tender, make_user, officer, at_opening
):
    big, small = make_user(), make_user()
    po = ijara.bid_submit(
        tender=tender, bidder=big, amount="2500000", pay_order_number="PO-1", pay_order_bank="X"
    )
    unticked = ijara.bid_submit(
        tender=tender, bidder=small, amount="2400000", pay_order_number="PO-2", pay_order_bank="Y"
    )
    settle(po.bills)  # the schedule fee
    settle(unticked.bills)
    with at_opening():
        ijara.tender_open(tender=tender, actor=officer, confirmed_pay_orders=[po.bid.pk])
    ticked = Bid.objects.get(pk=po.bid.pk)
    assert (ticked.status, ticked.rank, ticked.pay_order_confirmed) == ("valid", 1, True)
    assert Bid.objects.get(pk=unticked.bid.pk).status == "invalid"


def test_a_sealed_token_is_bound_to_its_bid_and_opens_with_a_rotated_key(settings):
    old = Fernet.generate_key().decode()
    settings.IJARA_BID_KEY = old
    token = sealing.seal(tender_id=1, bidder_id=2, amount=AMOUNT)
    other = sealing.seal(tender_id=1, bidder_id=2, amount=Decimal("1.00"))
    assert len(token) == len(other)  # one length whatever the amount
    assert sealing.unseal(token, tender_id=1, bidder_id=2) == AMOUNT
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(token, tender_id=1, bidder_id=3)  # copied onto another bid
    settings.IJARA_BID_KEY = f"{Fernet.generate_key().decode()},{old}"
    assert sealing.unseal(token, tender_id=1, bidder_id=2) == AMOUNT
    settings.IJARA_BID_KEY = Fernet.generate_key().decode()
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(token, tender_id=1, bidder_id=2)
