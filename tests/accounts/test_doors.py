"""No password-only door: the admin signs in through the portal's sign-in (number, code,
password); lockouts a stranger cannot use against a clerk; API docs for staff only; staff
sessions that end after a few idle hours."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import SmsMessage, User
from core.roles import Role

from .test_sign_in import last_code, staff_sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-admin-99"


@pytest.fixture
def superuser(make_user):
    return make_user(Role.ADMINISTRATOR, mobile="01799900001", password=PASSWORD)


# --- the admin ------------------------------------------------------------------------------


def test_admin_login_with_the_password_alone_signs_no_one_in(client, superuser):
    for data in (
        {"username": superuser.mobile, "password": PASSWORD},
        {"mobile": superuser.mobile, "password": PASSWORD},
    ):
        response = client.post("/admin/login/?next=/admin/", data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "login" in response["Location"]
        assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == (
            "/accounts/login/?next=%2Fadmin%2F"
        )


def test_admin_opens_after_the_portal_sign_in(client, superuser):
    response = client.get("/admin/", follow=True)
    login_url = response.redirect_chain[-1][0]
    assert login_url == "/accounts/login/?next=%2Fadmin%2F"
    client.post(login_url, {"login": superuser.mobile}, follow=True)
    response = client.post(
        "/accounts/login/code/confirm/?next=/admin/",
        {"code": last_code(superuser.mobile)},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/login/password/")
    response = client.post("/accounts/login/password/", {"password": PASSWORD}, follow=True)
    assert response.wsgi_request.user == superuser
    assert response.redirect_chain[-1][0] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_for_a_signed_in_non_administrator_is_forbidden(client, make_user):
    client.force_login(make_user(Role.COUNTER_CLERK, password="pw-clerk-123"))
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_no_password_only_api_sign_in(client, superuser):
    assert (
        client.post(
            "/api-auth/login/", {"username": superuser.mobile, "password": PASSWORD}
        ).status_code
        == 404
    )
    assert (
        client.post("/api/token/", {"username": superuser.mobile, "password": PASSWORD}).status_code
        == 404
    )


# --- lockouts -------------------------------------------------------------------------------


def request_code(client, mobile, ip):
    client.cookies.clear()
    return client.post("/accounts/login/", {"login": mobile}, follow=True, REMOTE_ADDR=ip)


def test_a_stranger_asking_for_codes_does_not_lock_the_clerk_out(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    for _ in range(8):
        response = request_code(client, clerk.mobile, "203.0.113.9")
    assert "অনেকবার চেষ্টা" in response.content.decode()
    assert SmsMessage.objects.filter(to=clerk.mobile, kind="code").count() == 3
    # The clerk, at the counter's address, signs in as usual.
    client.cookies.clear()
    response = staff_sign_in(client, clerk.mobile, "s3cret-pass-99", REMOTE_ADDR="10.0.0.5")
    assert response.wsgi_request.user == clerk


def test_code_requests_back_off_one_two_four_minutes(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(3):
            request_code(client, citizen.mobile, "203.0.113.9")
        assert "১ মিনিট" in request_code(client, citizen.mobile, "203.0.113.9").content.decode()
        traveller.shift(61)
        request_code(client, citizen.mobile, "203.0.113.9")  # allowed; the next wait is 2
        assert SmsMessage.objects.filter(to=citizen.mobile, kind="code").count() == 4
        assert "২ মিনিট" in request_code(client, citizen.mobile, "203.0.113.9").content.decode()
        traveller.shift(121)
        request_code(client, citizen.mobile, "203.0.113.9")
        assert "৪ মিনিট" in request_code(client, citizen.mobile, "203.0.113.9").content.decode()
    assert SmsMessage.objects.filter(to=citizen.mobile, kind="code").count() == 5


def test_unknown_numbers_back_off_the_same_way(client):
    for _ in range(4):
        response = request_code(client, "01912345678", "203.0.113.9")
    assert "অনেকবার চেষ্টা" in response.content.decode()
    assert not SmsMessage.objects.exists()


def test_wrong_passwords_back_off_per_address_not_per_clerk(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    ip = {"REMOTE_ADDR": "203.0.113.9"}
    client.post("/accounts/login/", {"login": clerk.mobile}, **ip)
    client.post("/accounts/login/code/confirm/", {"code": last_code(clerk.mobile)}, **ip)
    for _ in range(4):
        response = client.post("/accounts/login/password/", {"password": "guess"}, **ip)
        assert "পাসওয়ার্ড সঠিক নয়" in response.content.decode()
    response = client.post("/accounts/login/password/", {"password": "guess"}, **ip)
    assert "অনেকবার" in response.content.decode() or response.status_code == 302
    # Even the right password waits now, from that address …
    client.cookies.clear()
    client.post("/accounts/login/", {"login": clerk.mobile}, **ip)
    client.post("/accounts/login/code/confirm/", {"code": last_code(clerk.mobile)}, **ip)
    response = client.post("/accounts/login/password/", {"password": "s3cret-pass-99"}, **ip)
    assert "অনেকবার চেষ্টা" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    # … but not from another one.
    client.cookies.clear()
    response = staff_sign_in(client, clerk.mobile, "s3cret-pass-99", REMOTE_ADDR="10.0.0.5")
    assert response.wsgi_request.user == clerk


# --- API docs -------------------------------------------------------------------------------


def test_api_schema_and_docs_are_for_staff_only(client, citizen, make_user):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(citizen)
    assert client.get("/api/docs/").status_code == 403
    assert client.get("/api/schema/").status_code == 403
    client.force_login(make_user(Role.LICENCE_INSPECTOR, password="pw-inspector-1"))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


# --- idle staff sessions --------------------------------------------------------------------


def test_a_staff_session_ends_after_idle_hours_a_citizens_does_not(make_user, citizen):
    from django.test import Client

    clerk = make_user(Role.COUNTER_CLERK, password="pw-clerk-123")
    idle = settings.STAFF_SESSION_IDLE_SECONDS
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        staff, person = Client(), Client()
        staff.force_login(clerk)
        person.force_login(citizen)
        assert staff.get("/staff/").status_code == 200
        # Busy all day: each request pushes the end forward.
        for _ in range(3):
            traveller.shift(timedelta(seconds=idle - 600))
            assert staff.get("/staff/").status_code == 200
        traveller.shift(timedelta(seconds=idle + 60))
        assert staff.get("/staff/").status_code == 302  # signed out
        assert person.get("/dashboard/").status_code == 200  # a citizen stays signed in
        traveller.shift(timedelta(days=7))
        assert person.get("/dashboard/").status_code == 200


def test_staff_sign_in_sets_the_short_session(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    staff_sign_in(client, clerk.mobile, "s3cret-pass-99")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS
    assert User.objects.get(pk=clerk.pk).last_login is not None
