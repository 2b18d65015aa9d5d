"""Water bills from the meter to the citizen's PDF: a meter reader enters last month's reading
on a 360×740 phone; the month's bills are generated (generate_water_bills); the citizen opens
the connection from "my water connections", pays every unpaid month through the gateway
simulator from "my bills", and downloads the month's bill PDF (its text read by pdftotext).
The citizen's pages are also opened on a phone in Bengali and on a desktop.

Screenshots go to $SCREENSHOT_DIR when it is set (to look at the pages)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.money import format_amount
from core.reminders import add_months
from core.roles import Role
from payments.models import Bill, Payment
from water_billing.models import Connection, Reading, WaterBill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str, full: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=full)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def water(make_user, citizen):
    """The citizen's metered connection in ward 3, block B, linked to their account, read
    18 m³ a month for the six months before last month; a meter reader."""
    from holdings.services import holding_create, owner_add
    from water_billing.defaults import ensure_default_tariff
    from water_billing.services import (
        connection_register,
        connection_set_status,
        meter_install,
        reading_record,
    )

    ensure_default_tariff()
    officer = make_user(Role.WATER_OFFICER)
    holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
    owner_add(holding=holding, name_bn="করিম", name_en="Karim", mobile="01819123456")
    this_month = timezone.localdate().replace(day=1)
    start = add_months(this_month, -8)
    c = connection_register(
        ward=3, holding_number="45/A", user=citizen, sewerage=True, actor=officer
    )
    meter_install(
        connection=c, serial="KW-77", installed_on=start, initial_reading=1000, actor=officer
    )
    connection_set_status(connection=c, to="active", actor=officer, on=start)
    Connection.objects.filter(pk=c.pk).update(block="B", walk_order=10)
    for n in range(7, 1, -1):
        period = add_months(this_month, -n)
        reading_record(
            connection=c,
            period=period,
            value=1000 + 18 * (8 - n),
            read_on=period.replace(day=25),
            source="reader_phone",
        )
    c.refresh_from_db()
    return {"connection": c, "reader": make_user(Role.METER_READER)}


def test_a_reading_on_a_phone_becomes_a_bill_the_citizen_pays_and_downloads(
    phone, signed_in, water, citizen, tmp_path
):
    c = water["connection"]
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    read_on = last_month.replace(day=28)

    # 1. The meter reader, on a small phone, enters last month's reading (its read date).
    reader = phone(water["reader"], lang="en", viewport=SMALL_PHONE)
    reader.goto("/water/readings/")
    reader.select_option("#id_ward", "3")
    reader.get_by_role("button", name="Show").click()
    stop = reader.locator(f"#stop-{c.pk}")
    stop.get_by_label("Reading (cubic metres)").fill("1126")
    stop.get_by_label("Read on").fill(f"{read_on:%Y-%m-%d}")
    fits(reader, SMALL_PHONE["width"])
    shot(reader, "water-flow-reader", full=False)
    stop.get_by_role("button", name="Save the reading").click()
    reader.locator(f"#stop-{c.pk} [role=status], [role=status]").first.wait_for()
    reading = Reading.objects.get(connection=c, period=last_month)
    assert (reading.value, reading.consumption, reading.status) == (1126, 18, "ok")

    # 2. The month's bills are generated (the command the monthly task runs).
    call_command("generate_water_bills", f"{last_month:%Y-%m}", "--no-sms")
    month = WaterBill.objects.get(connection=c, period=last_month)
    assert month.total == Decimal("601.20")  # 18 m³ × 16.70 + sewerage 100%

    # 3. The citizen finds it from "my water connections" and pays every unpaid month.
    page = signed_in(citizen)
    page.goto("/water/")
    owed = sum(b.total for b in WaterBill.objects.filter(connection=c, status="due"))
    assert f"৳{owed:,.2f}" in page.locator("#water-connections").inner_text()
    page.get_by_role("link", name=c.consumer_no).click()
    page.wait_for_url(re.compile(rf"/water/connections/{c.consumer_no}/$"))
    assert page.locator("#use svg").is_visible()
    assert "18" in page.locator("#use-table").text_content()
    page.get_by_role("button", name=f"Pay ৳{owed:,.2f}").click()
    page.wait_for_url(re.compile(r"/payments/bills/\?new="))
    bill = Bill.objects.get(service="water_billing", payer=citizen, status="open")
    assert bill.total == owed
    assert page.locator(f"input[value='{bill.number}']").is_checked()
    page.get_by_role("button", name="Pay the selected bills").click()
    page.get_by_role("button", name="Pay with bKash").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    for _ in range(20):
        if page.locator("[data-status='succeeded']").count():
            break
        if page.get_by_role("button", name="Check again").count():
            page.get_by_role("button", name="Check again").click()
        else:
            page.reload()
        page.wait_for_timeout(300)
    assert page.locator("[data-status='succeeded']").count() == 1
    assert Payment.objects.get(payer=citizen, status="succeeded").amount == owed
    assert set(WaterBill.objects.filter(connection=c).values_list("status", flat=True)) == {"paid"}

    # 4. The connection page says paid; the month's bill downloads as a PDF.
    page.goto(f"/water/connections/{c.consumer_no}/")
    assert "Nothing is owed on this connection" in page.locator("#pay").inner_text()
    row = page.locator(f"tr[data-bill='{month.pk}']")
    assert row.get_attribute("data-status") == "paid"
    shot(page, "water-flow-connection-paid-desktop")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download (PDF)").click()
    pdf = tmp_path / "bill.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        text = " ".join(text.split())
        title = f"WATER BILL — {last_month:%B %Y}".upper()  # the title band is upper-cased
        for expected in (title, c.consumer_no, "18 m³ (18,000 litres)", "৳601.20"):
            assert expected in text, expected


def test_the_citizens_water_pages_on_a_phone_in_bengali_and_on_a_desktop(phone, water, citizen):
    """No sideways scrolling; the chart, its table, the bills and the pay button are there."""
    from water_billing.billing import generate_water_bills

    c = water["connection"]
    this_month = timezone.localdate().replace(day=1)
    for n in (3, 2):
        period = add_months(this_month, -n)
        generate_water_bills(period, bill_date=add_months(period, 1) + timedelta(days=1))
    for lang, viewport, name in (("bn", None, "phone-bn"), ("en", DESKTOP, "desktop-en")):
        page = phone(citizen, lang=lang, **({"viewport": viewport} if viewport else {}))
        width = (viewport or {"width": 390})["width"]
        for url, label in (
            ("/dashboard/", "dashboard"),
            ("/water/", "mine"),
            (f"/water/connections/{c.consumer_no}/", "connection"),
            ("/water/link/", "link"),
        ):
            page.goto(url)
            fits(page, width)
            shot(page, f"water-citizen-{label}-{name}")
        page.goto(f"/water/connections/{c.consumer_no}/")
        assert page.locator("#use svg rect").count() >= 6
        assert page.locator("#bills tbody tr").count() == 2
        assert page.locator("#pay button[type=submit]").is_visible()
        owed = sum(b.total for b in WaterBill.objects.filter(connection=c, status="due"))
        assert format_amount(owed, lang=lang) in page.locator("#pay").inner_text()
