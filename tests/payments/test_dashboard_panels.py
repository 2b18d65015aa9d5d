"""The citizen dashboard's "What I owe" panel: count and total cover every open bill."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from payments.dashboard_panels import OWE_LISTED, owe

pytestmark = pytest.mark.django_db


def _panel(user, lang: str) -> str:
    with translation.override(lang):
        return render_to_string("payments/panels/owe.html", {"section": owe(user)})


def test_owe_panel_counts_and_sums_all_open_bills_not_just_those_listed(citizen, make_bill):
    for i in range(25):
        make_bill(citizen, "1000.00", subject_id=f"H-{i}")
    section = owe(citizen)
    assert section["count"] == 25 and len(section["bills"]) == OWE_LISTED < 25
    assert "You have 25 open bills, ৳25,000.00 in all." in _panel(citizen, "en")
    bengali = _panel(citizen, "bn")
    assert "২৫" in bengali and "৳২৫,০০০.০০" in bengali
    assert "25" not in bengali


def test_owe_panel_with_one_bill_and_with_none(citizen, make_bill):
    assert "You owe nothing right now." in _panel(citizen, "en")
    make_bill(citizen, "1500.00")
    assert "You have 1 open bill, ৳1,500.00 in all." in _panel(citizen, "en")
