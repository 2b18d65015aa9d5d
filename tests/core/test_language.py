"""Bengali by default, an English switch on every page, unknown languages refused clearly."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_is_bengali_by_default(client):
    body = client.get("/").content.decode()
    assert '<html lang="bn">' in body
    assert "হোল্ডিং ট্যাক্স" in body
    assert "খুলনা সিটি কর্পোরেশন" in body


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_every_page_has_the_language_switch(client, url):
    body = client.get(url).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'value="en"' in body and 'value="bn"' in body


def test_switch_to_english_and_back(client, citizen):
    client.force_login(citizen)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "My holdings" in body
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"
    body = client.post("/i18n/setlang/", {"language": "bn", "next": "/"}, follow=True)
    assert '<html lang="bn">' in body.content.decode()


def test_unknown_language_code_changes_nothing(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="bn">' in body
    assert "অজানা ভাষা" in body
    assert "kcc_language" not in response.cookies or response.cookies["kcc_language"].value != "xx"


def test_unknown_language_message_in_english_for_english_users(client):
    client.cookies["kcc_language"] = "en"
    body = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, follow=True)
    assert "Unknown language" in body.content.decode()


def test_next_cannot_leave_the_site(client):
    response = client.post("/i18n/setlang/", {"language": "zz", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_bengali_digits_in_dates_when_bengali(client):
    body = client.get("/").content.decode()
    assert "অর্থবছর" in body
    assert any(d in body for d in "০১২৩৪৫৬৭৮৯")


def test_browser_language_does_not_override_bengali_default(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="bn">' in body


def test_chosen_language_is_kept_by_cookie(client):
    client.cookies["kcc_language"] = "en"
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    assert '<html lang="en">' in body


def test_signed_in_user_without_a_cookie_sees_their_preferred_language(client, citizen):
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    client.force_login(citizen)
    assert "kcc_language" not in client.cookies
    body = client.get("/dashboard/").content.decode()
    assert '<html lang="en">' in body
    assert "My holdings" in body


def test_the_language_cookie_still_wins_over_the_preference(client, citizen):
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    client.force_login(citizen)
    client.cookies["kcc_language"] = "bn"
    assert '<html lang="bn">' in client.get("/dashboard/").content.decode()


def test_signed_out_visitors_stay_on_bengali(client, citizen):
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    assert '<html lang="bn">' in client.get("/").content.decode()


def test_the_switch_records_the_change_in_the_audit_log(client, citizen):
    from core.models import AuditLog

    client.force_login(citizen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    entry = AuditLog.objects.get(action="user.language_changed")
    assert entry.actor == citizen and entry.object_id == str(citizen.pk)
    assert entry.before == {"preferred_language": "bn"}
    assert entry.after == {"preferred_language": "en"}
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert AuditLog.objects.filter(action="user.language_changed").count() == 1


def test_changing_the_preference_in_the_profile_changes_the_pages(client, citizen):
    client.force_login(citizen)
    client.cookies["kcc_language"] = "bn"
    response = client.post(
        "/accounts/profile/",
        {
            "name_bn": citizen.name_bn,
            "name_en": "",
            "email": "",
            "nid": "",
            "address": "",
            "ward": "",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    assert response.cookies["kcc_language"].value == "en"
    assert '<html lang="en">' in client.get("/dashboard/").content.decode()
