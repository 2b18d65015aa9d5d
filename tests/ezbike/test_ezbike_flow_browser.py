"""In a browser (the system Chromium), from application to scan: an owner applies from home
with the papers and photos and pays the application fee through the gateway simulator; the
e-bike officer approves it; the owner pays the licence fee through the simulator and
downloads the plate sticker (its text read by pdftotext); the officer binds a card to the
plate; a reader's scan of that UID answers `valid`, and after the fiscal year's renewal
deadline `expired`. Screenshots go to $SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import time_machine
from PIL import Image

from ezbike.models import Licence, Vehicle
from ezbike.services import device_register
from payments.models import Bill

from .conftest import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def files(tmp_path: Path) -> dict[str, Path]:
    made = {}
    for name in ("owner.png", "driver.png", "bike.png"):
        data = io.BytesIO()
        Image.new("RGB", (40, 30), (30, 120, 200)).save(data, format="PNG")
        (tmp_path / name).write_bytes(data.getvalue())
        made[name] = tmp_path / name
    (tmp_path / "receipt.pdf").write_bytes(PDF)
    made["receipt.pdf"] = tmp_path / "receipt.pdf"
    return made


def pay_through_the_simulator(page) -> None:
    page.get_by_role("button", name="Pay online").first.click()
    page.get_by_role("button", name="Pay with bKash").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    for _ in range(30):
        if page.locator("[data-status='succeeded']").count():
            break
        if page.get_by_role("button", name="Check again").count():
            page.get_by_role("button", name="Check again").click()
        else:
            page.reload()
        page.wait_for_timeout(300)
    assert page.locator("[data-status='succeeded']").count() == 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_apply_approve_pay_print_bind_and_scan(signed_in, citizen, officer, tmp_path):
    paths = files(tmp_path)

    # 1. The owner applies from home and pays the application fee online.
    page = signed_in(citizen)
    page.goto("/ezbike/apply/")
    page.get_by_label("Owner's NID number").fill("১৯৮০০০০০০০")
    page.get_by_label("Owner's name (Bengali)").fill("করিম")
    page.get_by_label("Owner's mobile number").fill("01819000001")
    page.get_by_label("Ward of the address on the NID").fill("৭")
    page.get_by_label("Owner's photo").set_input_files(paths["owner.png"])
    page.get_by_label("Chassis number").fill("CHA12345")
    page.get_by_label("Motor number").fill("MOT12345")
    page.get_by_label("Photo of the e-bike").set_input_files(paths["bike.png"])
    page.get_by_label("Ownership papers (purchase receipt or deed)").set_input_files(
        paths["receipt.pdf"]
    )
    page.get_by_label("Driver 1: NID number").fill("1970000000")
    page.get_by_label("Driver 1: driving licence number").fill("DK0012345")
    page.get_by_label("Driver 1: name").fill("রহিম")
    page.get_by_label("Driver 1: photo").set_input_files(paths["driver.png"])
    shot(page, "ezbike-apply")
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url(re.compile(r"/ezbike/vehicles/\d+/$"))
    vehicle = Vehicle.objects.get(chassis_no="CHA12345")
    pay_through_the_simulator(page)
    assert Bill.objects.get(subject_type="application").status == "paid"

    # 2. The e-bike officer approves it.
    desk = signed_in(officer)
    desk.goto("/ezbike/officer/applications/")
    desk.get_by_role("link", name=re.compile(r"EB-\d+")).first.click()
    desk.get_by_label("Approve: documents and the e-bike checked").check()
    desk.get_by_label("Reason for the decision").fill("Papers and e-bike checked.")
    desk.get_by_label(re.compile("I have checked the request")).check()
    desk.get_by_role("button", name="Record the decision").click()
    desk.wait_for_url(re.compile(r"/ezbike/officer/applications/$"))
    vehicle.refresh_from_db()
    assert vehicle.plate_no == "KCC-P-07-0001"

    # 3. The owner pays the licence fee and prints the plate sticker.
    page.goto(f"/ezbike/vehicles/{vehicle.pk}/")
    pay_through_the_simulator(page)
    assert Licence.objects.get(vehicle=vehicle).status == "active"
    page.goto(f"/ezbike/vehicles/{vehicle.pk}/")
    shot(page, "ezbike-vehicle-active")
    href = page.get_by_role("link", name=re.compile("Number plate sticker")).get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    (tmp_path / "sticker.pdf").write_bytes(answer.body())
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sticker.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "KCC-P-07-0001" in text and "০০০১" in text

    # 4. The officer binds a card to the plate; readers answer valid, then expired.
    desk.goto("/ezbike/cards/")
    desk.get_by_label("Number plate").fill("KCC-P-07-0001")
    desk.get_by_role("button", name="Find the e-bike").click()
    desk.get_by_label("Card UID").fill("04:a2:1b:3c")
    desk.get_by_role("button", name="Bind the card").click()
    desk.get_by_text("04A21B3C").wait_for()
    _device, token = device_register(name="Gate 1", place="Shibbari crossing")
    base = page.url.split("/ezbike/")[0]

    def scan(read_at: str, seq: int) -> str:
        answer = requests.post(
            base + "/api/ezbike/scans/",
            json={"reads": [{"uid": "04A21B3C", "read_at": read_at, "seq": seq}]},
            headers={"Authorization": f"Device {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["results"][0]["status"]

    assert scan("2026-12-10T10:00:00+06:00", 1) == "valid"
    with time_machine.travel("2027-10-01 09:00 +0600", tick=True):
        assert scan("2027-10-01T08:30:00+06:00", 2) == "expired"
