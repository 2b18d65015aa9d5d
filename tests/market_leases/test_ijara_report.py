# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""Ijara results against the reserve: a tender once opened shows its reserve, the winning
bid and what it is of the reserve (1,400,000 against 1,250,000 → 112.0 %), the valid bids
and how it ended; a tender still sealed is never shown; CSV/XLSX; the estate officer's."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings

from market_leases.services import ijara

from .ijara_fixtures import at_opening, site, tender  # noqa: F401
from .test_ijara_bids import _three_bids

pytestmark = pytest.mark.django_db
URL = "/markets/officer/reports/ijara/"


def download(client) -> str:
    response = client.get(URL, {"format": "csv"})
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_opened_tender_against_its_reserve_and_a_sealed_one_not_at_all(
    client, tender, make_user, officer, at_opening
):
    _three_bids(tender, make_user)
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sealed = client.get(URL)
    assert "No tender's bids have been opened" in sealed.text and "14,00,000" not in sealed.text
    assert len(download(client).splitlines()) == 1  # the header only

    with at_opening():
        ijara.tender_open(tender=tender, actor=officer)
        ijara.tender_award(tender=tender, actor=officer)
        page = client.get(URL, {"year": "১৪৩৪"})
    row = page.text[page.text.index(f'id="tender-{tender.pk}"') :]
    assert "৳12,50,000.00" in row and "৳14,00,000.00" in row and "112.0%" in row
    assert "Offered to the winner" in row
    lines = list(csv.reader(io.StringIO(download(client))))
    assert lines[0][:6] == ["Bengali year", "Site", "Kind", "Ward", "Reserve price", "Winning bid"]
    assert lines[1][4:9] == ["1250000.00", "1400000.00", "112.0", "2", "Offered to the winner"]
    assert "Kalibari" in client.get(URL, {"year": "1434"}).text
    assert "Kalibari" not in client.get(URL, {"year": "1433"}).text


def test_a_citizen_cannot_open_it(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code in (302, 403)
