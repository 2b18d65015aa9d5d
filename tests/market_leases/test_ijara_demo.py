"""The demo ijara: four sites with three years of lease amounts, two tenders taking bids (the
parking site's security payable online), the other two sites in khas; seeding twice makes
nothing twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from market_leases.ijara_demo import seed_ijara
from market_leases.ijara_models import IjaraSite, PastLease, Tender
from market_leases.services import ijara

pytestmark = pytest.mark.django_db


def test_the_demo_sites_and_tenders(rules, citizen, make_user, officer):
    for mobile in ("01711000001", "01711000010", "01711000011"):  # the demo's bidders
        make_user(mobile=mobile)
    seed_ijara()
    assert IjaraSite.objects.count() == 4 and PastLease.objects.count() == 15
    tenders = {t.site.name_en: t for t in ijara.open_tenders()}
    assert set(tenders) == {"Gollamari Haat", "Shibbari Mor parking"}
    parking = tenders["Shibbari Mor parking"]
    assert parking.reserve_price == Decimal("213333.33")  # 200,000 / 220,000 / 220,000
    assert {s.name_en for s in ijara.khas_sites()} == set(
        IjaraSite.objects.values_list("name_en", flat=True)
    )  # nobody leases any site this year in the demo
    done = ijara.bid_submit(tender=parking, bidder=citizen, amount="2,20,000")
    assert [b.total for b in done.bills] == [Decimal("500.00"), Decimal("60000.00")]
    seed_ijara()
    assert IjaraSite.objects.count() == 4 and Tender.objects.count() == 3

    # Rupsha Ghat's tender has closed with three paid bids: the officer can open it now.
    ghat = Tender.objects.get(site__name_en="Rupsha Ghat")
    assert ghat.status == "open" and ghat.bid_closes_at < timezone.now() >= ghat.opening_at
    assert sorted(ghat.bids.values_list("status", flat=True)) == ["valid", "valid", "valid"]
    ijara.tender_open(tender=ghat, actor=officer)
    ranked = list(ghat.bids.order_by("rank").values_list("amount", flat=True))
    assert ranked == [Decimal("720000.00"), Decimal("700000.00"), Decimal("690000.00")]
