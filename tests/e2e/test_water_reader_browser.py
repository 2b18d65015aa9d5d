"""A meter reader on a phone (360×740) walks a block: the route opens at the remembered ward
and block, a reading typed in Bengali digits is saved, the page opens at the next
connection with what became of the reading, and a lower reading is held for the water
officer — said plainly.

Screenshots go to $SCREENSHOT_DIR when it is set (to look at the pages)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from core.roles import Role
from water_billing.models import Connection, Reading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


def months_before(today: date, n: int) -> date:
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 5)


@pytest.fixture
def block(make_user):
    """Three connections in ward 3, block B, each read 12 m³ a month for six months."""
    from holdings.services import holding_create, owner_add
    from water_billing.services import connection_register, connection_set_status, meter_install
    from water_billing.services.readings import reading_record

    officer = make_user(Role.WATER_OFFICER)
    holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
    owner_add(holding=holding, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile="01819123456")
    today = timezone.localdate()
    start = months_before(today, 8)
    found = []
    for walk in (10, 20, 30):
        c = connection_register(ward=3, holding_number="45/A", actor=officer)
        meter_install(
            connection=c,
            serial=f"KCC-{walk}",
            installed_on=start,
            initial_reading=1000,
            actor=officer,
        )
        connection_set_status(connection=c, to="active", actor=officer, on=start)
        Connection.objects.filter(pk=c.pk).update(block="B", walk_order=walk)
        for n in range(6, 0, -1):
            day = months_before(today, n)
            reading_record(
                connection=c,
                period=day,
                value=1000 + 12 * (7 - n),
                read_on=day,
                source="reader_phone",
            )
        found.append(c)
    return found


def test_a_meter_reader_enters_readings_on_a_phone(phone, make_user, block):
    reader = make_user(Role.METER_READER)
    page = phone(reader, lang="bn", viewport=SMALL_PHONE)
    page.goto("/water/readings/")
    page.select_option("#id_ward", "3")
    page.get_by_role("button", name="দেখুন").click()
    first, second, third = block
    card = page.locator(f"#stop-{first.pk}")
    card.get_by_text("১০৭২").first.wait_for()
    shot(page, "water-reader-route")
    # No sideways scrolling on a small phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]

    # The choice is remembered: the route opens again without choosing.
    page.goto("/water/readings/")
    assert page.locator(f"#stop-{first.pk}").is_visible()

    field = card.get_by_label("রিডিং (ঘনমিটার)")
    field.fill("১০৮৪")
    card.get_by_role("button", name="রিডিং রাখুন").click()
    page.wait_for_url(re.compile(rf"#id_c{second.pk}-reading$"))
    status = page.locator(f"#stop-{second.pk} [role=status]")
    assert "রাখা হয়েছে" in status.inner_text() and "১,০৮৪" in status.inner_text()
    # The next connection is on screen, its reading field ready.
    assert page.evaluate("document.activeElement.id") == f"id_c{second.pk}-reading"
    box = status.bounding_box()
    assert box and 0 <= box["y"] < SMALL_PHONE["height"]
    shot(page, "water-reader-saved")
    saved = Reading.objects.get(connection=first, period=timezone.localdate().replace(day=1))
    assert (saved.value, saved.status, saved.read_by_id) == (1084, "ok", reader.pk)

    # A lower reading is held for the water officer and said so.
    page.locator(f"#stop-{second.pk}").get_by_label("রিডিং (ঘনমিটার)").fill("৯০০")
    page.locator(f"#stop-{second.pk}").get_by_role("button", name="রিডিং রাখুন").click()
    page.wait_for_url(re.compile(rf"#id_c{third.pk}-reading$"))
    held = page.locator(f"#stop-{third.pk} [role=status]").inner_text()
    assert "আটকে রাখা" in held and "বিল হবে না" in held
    shot(page, "water-reader-held")
    assert Reading.objects.get(connection=second, status="held").value == 900

    # A mistake: the error summary at the top, linked to the field.
    page.locator(f"#stop-{third.pk}").get_by_label("রিডিং (ঘনমিটার)").fill("abc")
    page.locator(f"#stop-{third.pk}").get_by_role("button", name="রিডিং রাখুন").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.title().startswith("ত্রুটি")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == f"id_c{third.pk}-reading"
    shot(page, "water-reader-error")

    # The handheld's file page fits the small phone too.
    page.goto("/water/readings/import/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
