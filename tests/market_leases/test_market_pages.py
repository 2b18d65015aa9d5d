"""The estate officer's pages (markets with search and pagination, shops with vacant ones,
allotting a vacant shop with a confirmation, an allotment with its history, the allotment
letter PDF and its /verify/ check, the monthly rent run made by a real worker) and the
lessee's (my shops, a shop's rent statement, paying it in my bills); who may open which."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import Role
from market_leases.billing import generate_shop_rent
from market_leases.models import Allotment, Market, RentMonth, RentRun
from market_leases.services import shop_register
from market_leases.services.billing import premium_bill
from payments.models import Bill

from .conftest import LESSEE_NID

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return client


def photo() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 180, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("karim.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_markets_are_searched_and_counted(client, officer, shop, market):
    from core.models import Ward

    Market.objects.create(ward=Ward.objects.get(number=3), name_bn="বড় বাজার", name_en="Boro Bazar")
    page = english(client, officer).get("/markets/officer/?q=new")
    body = page.content.decode()
    assert page.status_code == 200 and "New Market" in body and "Boro Bazar" not in body
    (row,) = page.context["page"].object_list
    assert (row.shop_count, row.occupied, row.vacant) == (1, 0, 1)
    assert f'?market={market.pk}&amp;vacant=1">1</a>' in body  # the vacant column has its count


def test_vacant_shops_are_listed_and_searched_by_number(
    client, officer, shop, market, lessee, licence, allot
):
    other = shop_register(market=market, number="B-7", floor=1, area_sqft="80", actor=officer)
    allot(other, lessee, licence)
    c = english(client, officer)
    vacant = c.get("/markets/officer/shops/?vacant=1")
    assert [r["shop"].number for r in vacant.context["rows"]] == ["A-12"]
    everything = c.get(f"/markets/officer/shops/?market={market.pk}")
    assert [r["shop"].number for r in everything.context["rows"]] == ["A-12", "B-7"]
    found = c.get("/markets/officer/shops/?q=b7")  # typed without the dash
    assert [r["shop"].number for r in found.context["rows"]] == ["B-7"]
    assert "Karim" in found.content.decode()


def test_the_officer_allots_a_vacant_shop_after_confirming(client, officer, shop, licence):
    c = english(client, officer)
    url = f"/markets/officer/shops/{shop.pk}/allot/"
    form = c.get(url)
    assert form.context["rates"]["total"] == 206055
    data = {
        "nid": "১৯৯০১২৩৪৫৬",  # Bengali digits
        "name_en": "Karim",
        "mobile": "০১৭১১২২৩৩৪৪",
        "trade_licence_number": licence,
        "basis": "committee",
        "decision_reference": "KCC/Estate/2026/118",
        "decision_date": "2026-12-01",
        "starts_on": "2027-01-01",
        "photo": photo(),
    }
    unconfirmed = c.post(url, data)
    assert unconfirmed.status_code == 400 and not Allotment.objects.exists()
    assert "Tick the box to confirm the allotment." in unconfirmed.content.decode()
    done = c.post(url, {**data, "photo": photo(), "confirm": "on"})
    allotment = Allotment.objects.get()
    assert (
        done.status_code == 302
        and done["Location"] == f"/markets/officer/allotments/{allotment.pk}/"
    )
    assert allotment.lessee.nid == LESSEE_NID and allotment.lessee.photo
    assert premium_bill(allotment).total == 206055
    detail = c.get(done["Location"]).content.decode()
    assert "Waiting for salami and deposit" in detail and premium_bill(allotment).number in detail
    # The shop is no longer vacant: a second allotment is refused, saying who holds it.
    again = c.get(url)
    assert again.status_code == 200 and "This shop is not vacant" in again.content.decode()
    posted = c.post(url, {**data, "photo": photo(), "confirm": "on"})
    assert posted.status_code == 400 and Allotment.objects.count() == 1


def test_a_photo_is_needed_and_checked(client, officer, shop, licence):
    c = english(client, officer)
    data = {
        "nid": LESSEE_NID,
        "name_en": "Karim",
        "mobile": "01711223344",
        "trade_licence_number": licence,
        "basis": "committee",
        "decision_reference": "KCC/Estate/2026/118",
        "decision_date": "2026-12-01",
        "starts_on": "2027-01-01",
        "confirm": "on",
    }
    url = f"/markets/officer/shops/{shop.pk}/allot/"
    missing = c.post(url, data)
    assert missing.status_code == 400
    assert missing.context["form"].errors["photo"] == ["Upload the lessee's photo (JPEG or PNG)."]
    fake = SimpleUploadedFile("karim.jpg", b"not an image", content_type="image/jpeg")
    assert c.post(url, {**data, "photo": fake}).status_code == 400
    assert not Allotment.objects.exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_allotment_letter_is_bilingual_with_its_verify_code(
    client, officer, shop, lessee, licence, allot, tmp_path
):
    allotment = allot(shop, lessee, licence)
    response = english(client, officer).get(f"/markets/allotments/{allotment.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "SHOP ALLOTMENT LETTER" in text.upper() and "A-12" in text and "Karim" in text
    assert "1,80,750.00" in text and "25,305.00" in text and "KCC/Estate/2026/118" in text
    assert f"/verify/{allotment.verify_code}/" in text
    verify = client.get(f"/verify/{allotment.verify_code}/").content.decode()
    assert "Genuine shop allotment letter" in verify and "Karim" not in verify  # name masked


def test_the_lessee_reads_the_statement_and_pays_in_my_bills(
    client, citizen, active_allotment, make_user
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    c = english(client, citizen)
    mine = c.get("/markets/").content.decode()
    assert "A-12" in mine and "8,435.00" in mine
    url = f"/markets/shops/{active_allotment.pk}/"
    page = c.get(url)
    assert page.status_code == 200 and page.context["owed"] == Decimal("9489.38")
    assert [r["month"].period for r in page.context["rows"]] == [
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    paid = c.post(f"/payments/dues/market_leases/a{active_allotment.pk}/")
    assert paid.status_code == 302
    bill = Bill.objects.get(service="market_leases", subject_type="rent")
    assert bill.total == Decimal("9489.38")
    assert bill.number in c.get(url).content.decode()  # now: pay that bill
    # Someone else's shop is not theirs to read.
    english(client, make_user())
    assert client.get(url).status_code == 403
    assert client.get(f"/markets/allotments/{active_allotment.pk}/letter.pdf").status_code == 403


def test_the_dashboard_panel_lists_my_shops(client, citizen, active_allotment):
    generate_shop_rent("2026-11")
    page = english(client, citizen).get("/dashboard/").content.decode()
    assert 'data-section="market_leases"' in page and "A-12" in page


def wait_done(run_id: int, timeout: float = 60.0) -> RentRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = RentRun.objects.get(pk=run_id)
        if run.status == "failed" or (run.status == "done" and run.sms_sent):
            return run
        time.sleep(0.2)
    raise AssertionError(RentRun.objects.get(pk=run_id).status)


@pytest.mark.django_db(transaction=True)
def test_the_officer_confirms_a_month_and_a_worker_makes_its_rent(
    client, officer, active_allotment, celery_worker_thread
):
    c = english(client, officer)
    confirm = c.post("/markets/officer/rent/", {"month": "২০২৬-১১"})
    assert confirm.status_code == 200 and confirm.context["active"] == 1
    assert not RentRun.objects.exists()
    started = c.post("/markets/officer/rent/", {"month": "2026-11", "confirm": "yes"})
    run = RentRun.objects.get()
    assert started["Location"] == f"/markets/officer/rent/runs/{run.pk}/"
    run = wait_done(run.pk)
    assert run.status == "done" and run.created["months"] == 1 and run.sms_sent == 1
    assert RentMonth.objects.get().rent == Decimal("4217.50")
    page = c.get(started["Location"]).content.decode()
    assert "4,217.50" in page
    future = c.post("/markets/officer/rent/", {"month": "2027-02", "confirm": "yes"})
    assert future.status_code == 400 and RentRun.objects.count() == 1


def test_a_lessee_signing_in_with_the_lessees_mobile_sees_the_shop(
    client, shop, lessee, licence, allot, make_user
):
    allotment = allot(shop, lessee, licence)
    assert lessee.user is None
    karim = make_user(mobile="01711223344")  # signed in with a one-time code: verified
    page = english(client, karim).get("/markets/").content.decode()
    assert "A-12" in page
    assert client.get(f"/markets/shops/{allotment.pk}/").status_code == 200
    unverified = make_user(mobile="01811223344")
    unverified.mobile_verified = False
    unverified.save(update_fields=["mobile_verified"])
    lessee.mobile = "01811223344"
    lessee.save(update_fields=["mobile"])
    english(client, unverified)
    assert client.get(f"/markets/shops/{allotment.pk}/").status_code == 403


def test_a_lessee_linked_by_mobile_takes_the_salami_bill_into_my_bills(
    client, shop, lessee, licence, allot, make_user
):
    allotment = allot(shop, lessee, licence)
    karim = make_user(mobile="01711223344")
    c = english(client, karim)
    assert premium_bill(allotment).payer_id is None
    moved = c.post(f"/markets/shops/{allotment.pk}/pay-allotment/")
    bill = premium_bill(allotment)
    assert moved["Location"] == f"/payments/bills/?new={bill.number}"
    assert bill.payer_id == karim.pk and bill.number in c.get("/payments/bills/").content.decode()


def test_the_officer_bills_a_transfer_from_the_allotment(client, officer, active_allotment):
    from market_leases.models import Transfer

    from .conftest import OTHER_NID, issue_licence

    c = english(client, officer)
    url = f"/markets/officer/allotments/{active_allotment.pk}/transfer/"
    form = c.get(url)
    assert form.context["fee"] == Decimal("59045.00")
    data = {
        "nid": OTHER_NID,
        "name_en": "Rahim",
        "mobile": "01911000000",
        "trade_licence_number": issue_licence(OTHER_NID),
        "decision_reference": "KCC/Estate/2026/140",
        "decision_date": "2026-12-05",
    }
    assert c.post(url, data).status_code == 400  # not confirmed
    done = c.post(url, {**data, "confirm": "on"})
    assert done["Location"] == f"/markets/officer/allotments/{active_allotment.pk}/"
    transfer = Transfer.objects.get()
    assert (transfer.new_lessee.name_en, transfer.fee) == ("Rahim", Decimal("59045.00"))
    assert "Rahim" in c.get(done["Location"]).content.decode()


def test_the_officer_sends_the_arrears_notice_and_cancels_after_the_hearing(
    client, officer, active_allotment
):
    import time_machine

    from market_leases.models import ArrearsCase

    from .conftest import DHAKA

    for month in ("2026-10", "2026-11", "2026-12"):
        generate_shop_rent(month)
    c = english(client, officer)
    listed = c.get("/markets/officer/arrears/")
    assert [(a.pk, a.months) for a in listed.context["page"].object_list] == [
        (active_allotment.pk, 3)
    ]
    url = f"/markets/officer/allotments/{active_allotment.pk}/arrears/"
    sent = c.post(url, {"action": "notice", "hearing_on": "2026-12-20"})
    assert sent["Location"] == url
    case = ArrearsCase.objects.get()
    decision = {"action": "decide", "decision": "cancel", "reason": "did not pay", "confirm": "on"}
    early = c.post(url, decision)
    assert early.status_code == 400 and "can be cancelled after it" in early.content.decode()
    from datetime import datetime as dt

    with time_machine.travel(dt(2026, 12, 21, 11, 0, tzinfo=DHAKA), tick=False):
        assert c.post(url, decision)["Location"] == url
        page = c.get(url).content.decode()
    case.refresh_from_db()
    assert case.status == "cancelled" and "11,387.24" in page
    assert Allotment.objects.get(pk=active_allotment.pk).status == "cancelled"


@pytest.mark.parametrize("role", ["anonymous", "owner", *[r.value for r in Role]])
def test_who_opens_the_pages_of_one_allotment(client, make_user, active_allotment, citizen, role):
    run = RentRun.objects.create(period=date(2026, 11, 1), status="done")
    pk = active_allotment.pk
    estate = [Role.ESTATE_OFFICER, Role.ADMINISTRATOR]
    staff = [*estate, Role.COUNTER_CLERK, Role.REVENUE_OFFICER]
    pages = {
        f"/markets/officer/allotments/{pk}/": estate,
        f"/markets/officer/allotments/{pk}/transfer/": estate,
        f"/markets/officer/allotments/{pk}/arrears/": estate,
        f"/markets/officer/shops/{active_allotment.shop_id}/allot/": estate,
        f"/markets/officer/rent/runs/{run.pk}/": estate,
        f"/markets/allotments/{pk}/letter.pdf": ["owner", *estate],
        f"/markets/shops/{pk}/": ["owner", *staff],
    }
    if role == "owner":
        client.force_login(citizen)
    elif role != "anonymous":
        client.force_login(make_user(role))
    wrong = []
    for url, allowed in pages.items():
        status = client.get(url).status_code
        if role == "anonymous":
            want = 302
        else:
            want = 200 if role in allowed else 403
        if status != want:
            wrong.append(f"{role} {url}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_api_shops_lists_my_shops_with_unpaid_rent_and_open_bills(
    client, citizen, active_allotment, make_user
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    client.force_login(citizen)
    (row,) = client.get("/api/shops/").json()
    assert row["allotment"] == active_allotment.pk and row["shop"] == "A-12"
    assert row["unpaid_months"] == ["2026-10", "2026-11"]
    assert (row["rent_unpaid"], row["owed_today"]) == ("8435.00", "9489.38")
    assert (
        row["next_due_date"] == "2026-10-07" and row["url"] == f"/markets/shops/{row['allotment']}/"
    )
    client.post(f"/payments/dues/market_leases/a{active_allotment.pk}/")
    (row,) = client.get("/api/shops/").json()
    assert [(b["kind"], b["total"]) for b in row["open_bills"]] == [
        ("allotment", "206055.00"),
        ("rent", "9489.38"),
    ]
    client.force_login(make_user())
    assert client.get("/api/shops/").json() == []
    client.logout()
    assert client.get("/api/shops/").status_code in (401, 403)


def test_the_counter_finds_a_shop_by_the_lessees_mobile_and_bills_its_rent_for_cash(
    client, active_allotment, make_user
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    clerk = make_user(Role.COUNTER_CLERK)
    c = english(client, clerk)
    found = c.get("/markets/counter/?q=০১৭১১২২৩৩৪৪")  # the lessee's mobile in Bengali digits
    (row,) = found.context["rows"]
    assert row["allotment"] == active_allotment and row["owed"] == Decimal("9489.38")
    assert [r["allotment"] for r in c.get("/markets/counter/?q=a12").context["rows"]] == [
        active_allotment
    ]
    billed = c.post("/markets/counter/", {"allotment": active_allotment.pk})
    bill = Bill.objects.get(subject_type="rent")
    assert billed["Location"] == f"/payments/counter/?q={bill.number}"
    assert bill.total == Decimal("9489.38") and bill.payer_mobile == "01711223344"
    assert c.get("/markets/counter/?q=nothing-here").context["rows"] == []


@pytest.mark.parametrize("shops", [3, 30])
def test_the_lists_take_as_many_queries_whatever_their_length(
    client, officer, market, lessee, licence, allot, citizen, shops
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(shops):
        s = shop_register(market=market, number=f"{i + 1}", floor=0, area_sqft="100", actor=officer)
        if i % 3 == 0:
            allot(s, lessee, licence, starts_on=date(2026, 10, 1))
    lessee.user = citizen
    lessee.save(update_fields=["user"])
    counts = {}
    c = english(client, officer)
    for url in ("/markets/officer/", "/markets/officer/shops/", "/markets/officer/shops/?vacant=1"):
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        counts[url] = len(queries)
    english(client, citizen)
    for url in ("/markets/", "/api/shops/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    expected = {  # the session, the user and the page's own queries
        "/markets/officer/": 7,
        "/markets/officer/shops/": 9,
        "/markets/officer/shops/?vacant=1": 9,
        "/markets/": 5,  # a citizen: the menu reads no permissions
        "/api/shops/": 5,
    }
    assert counts == expected
