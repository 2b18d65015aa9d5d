"""The demo ijara: four sites with three years of lease amounts, two tenders taking bids (the
parking site's security payable online), the other two sites in khas; seeding twice makes
nothing twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from market_leases.ijara_demo import seed_ijara
from market_leases.ijara_models import IjaraSite, PastLease, Tender
from market_leases.services import ijara

pytestmark = pytest.mark.django_db


def test_the_demo_sites_and_tenders(rules, citizen):
    seed_ijara()
    assert IjaraSite.objects.count() == 4 and PastLease.objects.count() == 14
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
    assert IjaraSite.objects.count() == 4 and Tender.objects.count() == 2
