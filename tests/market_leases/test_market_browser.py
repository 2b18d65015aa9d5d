"""In the browser: the estate officer allots a vacant shop (the lessee's NID typed in Bengali
digits, the photo uploaded, the confirmation ticked); the lessee, signed in with the
lessee's mobile, finds the shop in my shops, takes the salami and deposit bill into my
bills, pays it through the gateway simulator — and the allotment is active; the allotment
letter downloads as a PDF."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from market_leases.models import Allotment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_officer_allots_and_the_lessee_pays_through_the_gateway(
    signed_in, officer, shop, licence, make_user, tmp_path
):
    photo = tmp_path / "karim.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 180, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    desk = signed_in(officer)
    desk.goto("/markets/officer/shops/?vacant=1")
    desk.locator("tr", has_text="A-12").get_by_role("link", name="Allot").click()
    desk.get_by_label("Lessee's national ID number").fill("১৯৯০১২৩৪৫৬")
    desk.get_by_label("Name (English)").fill("Karim")
    desk.get_by_label("Mobile").fill("01711223344")
    desk.get_by_label("Lessee's photo").set_input_files(str(photo))
    desk.get_by_label("Trade licence number").fill(licence)
    desk.get_by_label("Allotted by").select_option("committee")
    desk.get_by_label("Decision reference").fill("KCC/Estate/2026/118")
    desk.get_by_label("Decision date").fill("2026-12-01")
    desk.get_by_label("Agreement starts").fill("2027-01-01")
    desk.get_by_label(re.compile("I have checked the lessee's NID")).check()
    desk.get_by_role("button", name="Allot the shop and bill the lessee").click()
    desk.wait_for_url(re.compile(r"/markets/officer/allotments/\d+/$"))
    allotment = Allotment.objects.get()
    assert desk.locator("#allotment-status").inner_text() == "Waiting for salami and deposit"

    karim = make_user(mobile="01711223344")
    page = signed_in(karim)
    page.goto("/markets/")
    page.get_by_role("link", name=re.compile("A-12")).click()
    page.get_by_role("button", name="Pay in my bills").click()
    page.wait_for_url(re.compile(r"/payments/bills/\?new="))
    page.get_by_role("button", name="Pay the selected bills").click()
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
    allotment.refresh_from_db()
    assert allotment.status == "active"

    page.goto(f"/markets/shops/{allotment.pk}/")
    href = page.get_by_role("link", name="Download (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
