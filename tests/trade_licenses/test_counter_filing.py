"""A counter clerk files a trade-licence application for a trader at the counter: the
trader's account is found by mobile number (or opened as a citizen's), the business and
the draft are recorded as filed by the clerk on the trader's behalf, the clerk carries on
with the documents and review steps, and the trader sees the application at home."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core.roles import Role
from trade_licenses.models import Application, Business

from .conftest import PDF, image_bytes

pytestmark = pytest.mark.django_db

URL = "/licences/counter/apply/"
DETAILS = {
    "trader_name_bn": "রহিম উদ্দিন",
    "trader_name_en": "Rahim Uddin",
    "trader_nid": "১৯৮৭৬৫৪৩২২",
    "trader_mobile": "০১৮১২৩৪৫৬৭৮",
    "trader_tin": "১২৩৪৫৬৭৮৯০১২",
    "trader_father_or_husband_name": "Abdul Rahim",
    "trader_mother_name": "Jahanara Begum",
    "trader_present_address": "3 Khan Jahan Ali Rd, Khulna",
    "trader_permanent_address": "Village Dighalia, Khulna",
    "name_bn": "রহিম স্টোর",
    "name_en": "Rahim Store",
    "category_code": "grocery",
    "paid_up_capital": "",
    "premises_address": "3 Khan Jahan Ali Rd",
    "ward": "৫",
    "premises": "rented",
    "holding_ward": "",
    "holding_number": "",
    "signboard_sqft": "১২",
}


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def clerk(make_user):
    return make_user(Role.COUNTER_CLERK)


def test_clerk_files_for_a_new_mobile_number(client, clerk):
    client.force_login(clerk)
    assert client.get(URL).status_code == 200
    assert not User.objects.filter(mobile="01812345678").exists()

    response = client.post(URL, DETAILS)

    trader = User.objects.get(mobile="01812345678")
    assert trader.groups.filter(name=Role.CITIZEN).exists()
    assert (trader.name_bn, trader.name_en) == ("রহিম উদ্দিন", "Rahim Uddin")
    business = Business.objects.get(trader=trader)
    assert business.name_en == "Rahim Store"
    application = Application.objects.get(business=business)
    assert application.status == "draft"
    assert application.filed_by == clerk
    assert application.on_behalf is True
    assert application.trader_mobile == "01812345678"
    assert application.events.get().reason == "filed on the trader's behalf"
    assert response.status_code == 302
    assert response["Location"] == f"/licences/applications/{application.pk}/documents/"

    # The clerk carries on: documents, then review and submit.
    documents = f"/licences/applications/{application.pk}/documents/"
    assert client.get(documents).status_code == 200
    for kind, name, data in (
        ("nid", "nid.pdf", PDF),
        ("photo", "photo.png", image_bytes()),
        ("tin", "tin.pdf", PDF),
        ("rent_agreement", "rent.pdf", PDF),
    ):
        client.post(documents, {"kind": kind, "file": SimpleUploadedFile(name, data)})
    review = f"/licences/applications/{application.pk}/"
    assert client.get(review).status_code == 200
    client.post(review, {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.on_behalf and application.filed_by == clerk


def test_existing_account_is_used(client, clerk, make_user):
    trader = make_user(Role.CITIZEN, mobile="01812345678", name_en="Rahim")
    client.force_login(clerk)
    client.post(URL, {**DETAILS, "trader_mobile": "+880 1812-345678"})
    assert User.objects.filter(mobile="01812345678").count() == 1
    application = Application.objects.get(business__trader=trader)
    assert application.on_behalf and application.filed_by == clerk


def test_bad_mobile_is_refused_and_nothing_is_made(client, clerk):
    client.force_login(clerk)
    response = client.post(URL, {**DETAILS, "trader_mobile": "12345"})
    assert response.status_code == 400
    assert not Business.objects.exists()
    assert not Application.objects.exists()


def test_citizen_gets_403(client, make_user):
    citizen = make_user(Role.CITIZEN)
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    assert client.post(URL, DETAILS).status_code == 403
    assert not Business.objects.exists()


def test_other_clerks_draft_is_not_found(client, clerk, make_user):
    client.force_login(clerk)
    client.post(URL, DETAILS)
    application = Application.objects.get()
    client.force_login(make_user(Role.COUNTER_CLERK))
    assert client.get(f"/licences/applications/{application.pk}/documents/").status_code == 404


def test_trader_later_sees_the_application(client, clerk):
    client.force_login(clerk)
    client.post(URL, DETAILS)
    trader = User.objects.get(mobile="01812345678")
    application = Application.objects.get()
    client.force_login(trader)
    response = client.get("/licences/")
    assert response.status_code == 200
    assert "Rahim Store" in response.content.decode()
    assert client.get(f"/licences/applications/{application.pk}/").status_code == 200


def test_opening_an_account_at_the_counter_is_audited(clerk):
    from accounts.services import user_find_or_create_citizen
    from core.models import AuditLog

    user = user_find_or_create_citizen(mobile="০১৮১২৩৪৫৬৭৮", name_en="New Trader", actor=clerk)
    again = user_find_or_create_citizen(mobile="+8801812345678", actor=clerk)
    assert again == user and user.has_role("citizen") and not user.has_usable_password()
    entry = AuditLog.objects.get(action="user.opened_by_staff")
    assert entry.actor == clerk and entry.after["mobile"] == "01812345678"
