"""In a browser (the system Chromium): the e-bike officer, in Bengali on a phone, binds a
card to a licensed e-bike's plate typed in Bengali; a reader's scan of that UID answers
`valid`, and after the fiscal year's renewal deadline `expired`; traffic staff see the same
on their plate check. Screenshots go to $SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
import time_machine

from core.roles import Role
from ezbike.services import device_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_bind_a_card_then_scan_it_valid_and_expired(
    phone,
    live_server,
    licensed,
    officer,
    make_user,
):
    page = phone(officer, lang="bn")
    page.goto("/ezbike/cards/")
    page.get_by_label("নম্বর প্লেট").fill("খুসিক-যা-০৭-০০০১")
    page.get_by_role("button", name="ইজিবাইক খুঁজুন").click()
    page.get_by_role("heading", name="ইজিবাইক খুসিক-যা-০৭-০০০১").wait_for()
    page.get_by_label("কার্ডের ইউআইডি").fill("04:a2:1b:3c")
    shot(page, "ezbike-cards-bind")
    page.get_by_role("button", name="কার্ড যুক্ত করুন").click()
    page.get_by_text("কার্ডটি প্লেটে যুক্ত হয়েছে।").wait_for()
    assert page.get_by_text("04A21B3C").is_visible()
    assert page.get_by_role("heading", name="কার্ড বদলান").is_visible()
    shot(page, "ezbike-cards-bound")

    _device, token = device_register(name="Gate 1", place="Shibbari crossing")

    def scan(read_at: str, seq: int) -> str:
        answer = requests.post(
            live_server.url + "/api/ezbike/scans/",
            json={"reads": [{"uid": "04A21B3C", "read_at": read_at, "seq": seq}]},
            headers={"Authorization": f"Device {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["results"][0]["status"]

    assert scan("2026-12-10T10:00:00+06:00", 1) == "valid"
    with time_machine.travel("2027-10-01 09:00 +0600", tick=True):
        assert scan("2027-10-01T08:30:00+06:00", 2) == "expired"
        traffic = phone(make_user(Role.TRAFFIC_STAFF), lang="bn")
        traffic.goto("/ezbike/plates/?plate=KCC-P-07-0001")
        traffic.get_by_text("মেয়াদোত্তীর্ণ").wait_for()
        shot(traffic, "ezbike-plate-check-expired")
